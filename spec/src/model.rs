//! The resolved spec: what codegen and tools consume once parsing, validation, `extends` and
//! class defaults are done. Every value here is final; nothing needs looking up elsewhere.

use core::ops::Range;
use core::time::Duration;

use crate::{
    MatchTest, RateLimitConfig, RetryConfig, RetryPolicy, TransportKind, TransportPolicies,
    UNCLASSIFIED_MESSAGE, WaitField, class_index,
};

/// A spec with its base merged in and every default applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Spec {
    /// `[api] name`.
    pub api_name: String,
    /// `{name}Error`: the enum name when the macro is not given one.
    pub enum_name: String,
    /// `[api] display`, parsed; defaults to `{code} {reason}: {message}`.
    pub display: Template,
    /// `[api] fallback`: the variant for statuses the spec does not list; defaults to `Other`.
    pub fallback: String,
    /// `[api] docs`.
    pub docs: Option<String>,
    /// `[api] extends`, if any (only `http` exists).
    pub extends: Option<String>,
    /// `[retry]`, written over [`RetryConfig::new`] (the runtime's defaults are the spec's).
    pub retry: RetryConfig,
    /// Defaults for unlisted statuses of each class: index 0 is 1xx, 4 is 5xx.
    pub classes: [Class; 5],
    /// Every listed status (inherited ones included), sorted by code.
    pub statuses: Vec<Status>,
    /// `[transport]`, if written: the enum then has a variant for requests that got no
    /// response.
    pub transport: Option<Transport>,
    /// `[rate_limit]`, written over [`RateLimitConfig::new`].
    pub rate_limit: RateLimitConfig,
}

impl Spec {
    /// The listed status with `code`, if any.
    ///
    /// ```
    /// let spec = errspec_spec::parse_str(errspec_spec::HTTP_SPEC, "http.toml").unwrap();
    /// assert_eq!(spec.status(404).unwrap().name, "NotFound");
    /// assert!(spec.status(499).is_none());
    /// ```
    pub fn status(&self, code: u16) -> Option<&Status> {
        self.statuses
            .binary_search_by_key(&code, |s| s.code)
            .ok()
            .and_then(|i| self.statuses.get(i))
    }

    /// The class defaults that apply to `code` (`classes[0]` for 1xx ... `classes[4]` for
    /// 5xx); `None` for 600..=999, which belong to no class.
    pub fn class_of(&self, code: u16) -> Option<&Class> {
        self.classes.get(class_index(code)?)
    }

    /// What the fallback variant says for `code` when the spec does not list it: its class's
    /// message, hint and policy, or for codes 600 to 999, which belong to no class, a fixed
    /// message and `never`.
    ///
    /// ```
    /// use errspec_spec::RetryPolicy;
    ///
    /// let spec = errspec_spec::parse_str("[api]\nname = \"Shop\"\n", "shop.toml").unwrap();
    /// assert_eq!(spec.defaults_for(503).policy, RetryPolicy::Idempotent);
    /// assert_eq!(spec.defaults_for(503).message, "server error");
    /// assert_eq!(spec.defaults_for(799).policy, RetryPolicy::Never);
    /// assert_eq!(spec.defaults_for(799).class, None);
    /// ```
    pub fn defaults_for(&self, code: u16) -> Defaults<'_> {
        match self.class_of(code) {
            Some(class) => Defaults {
                class: class_index(code),
                policy: class.policy,
                message: &class.message,
                hint: class.hint.as_deref(),
            },
            None => Defaults {
                class: None,
                policy: RetryPolicy::Never,
                message: UNCLASSIFIED_MESSAGE,
                hint: None,
            },
        }
    }
}

/// Whether an error of status `code` is a refusal of the server's rate limit when its spec
/// does not say (`rate_limited`): only 429 Too Many Requests is. The fallback variant and
/// user-written variants always follow this rule, as `StatusError::rate_limited` does.
///
/// ```
/// assert!(errspec_spec::rate_limited_by_default(429));
/// assert!(!errspec_spec::rate_limited_by_default(503));
/// ```
pub fn rate_limited_by_default(code: u16) -> bool {
    code == 429
}

/// What an unlisted status falls back on; see [`Spec::defaults_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Defaults<'a> {
    /// The class index (0 for 1xx ... 4 for 5xx), `None` for codes in no class.
    pub class: Option<usize>,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Message.
    pub message: &'a str,
    /// Hint.
    pub hint: Option<&'a str>,
}

/// Defaults for a class's unlisted statuses (what the fallback variant says for them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Class {
    /// Retry policy; built-in default `never`, `idempotent` for 5xx.
    pub policy: RetryPolicy,
    /// Message; built-in defaults per class (e.g. "server error").
    pub message: String,
    /// Hint.
    pub hint: Option<String>,
}

/// One listed status, fully resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// 100..=999.
    pub code: u16,
    /// Variant name: a Rust identifier, unique in the spec.
    pub name: String,
    /// Reason phrase.
    pub reason: String,
    /// Message, Rust error style.
    pub message: String,
    /// Optional advice.
    pub hint: Option<String>,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Wait sources for this status (its own, else `[retry] wait_sources`).
    pub wait_headers: Vec<WaitField>,
    /// Tries in all for a call that gets this error, when it overrides `[retry]`'s.
    pub max_attempts: Option<u32>,
    /// A floor on the wait after this error, when it says one (else `[retry] min_wait`).
    pub min_wait: Option<Duration>,
    /// Whether this status is a refusal of the server's rate limit, which teaches learned
    /// pacing (an outage, a 503 with `Retry-After` say, is not): its `rate_limited`, else the
    /// nearest base's, else [`rate_limited_by_default`] (`true` for 429 only).
    pub rate_limited: bool,
    /// Its `[[status.N.case]]`s in order: the first whose `when` matches a response gives the
    /// error its variant; a response that matches none gets the status's own, or for a
    /// success status ([`is_success`](Self::is_success)) is a success.
    pub cases: Vec<Case>,
    /// Byte range of its `[status.N]` key (the `N`) in the user's spec file; `None` when
    /// inherited only.
    pub span: Option<Range<usize>>,
}

impl Status {
    /// Whether this is a 1xx, 2xx or 3xx status: one that holds cases only (errors inside
    /// successful responses, Slack's `200 {"ok": false}` say), has no `message` of its own and
    /// generates no variant of its own. A response of it that matches none of its cases is a
    /// success.
    ///
    /// ```
    /// let spec = errspec_spec::parse_str(
    ///     "[api]\nname = \"Slack\"\n\n[status.200]\n[[status.200.case]]\nname = \"NotOk\"\n\
    ///      when = { header = \"x-slack-failure\" }\nmessage = \"the method failed\"\n",
    ///     "slack.toml",
    /// )
    /// .unwrap();
    /// let ok = spec.status(200).unwrap();
    /// assert!(ok.is_success());
    /// assert_eq!(ok.reason, "OK");
    /// assert_eq!(ok.cases[0].name, "NotOk");
    /// ```
    pub fn is_success(&self) -> bool {
        is_success_code(self.code)
    }
}

/// Whether `code` is a 1xx, 2xx or 3xx status (see [`Status::is_success`]).
///
/// ```
/// assert!(errspec_spec::is_success_code(200));
/// assert!(errspec_spec::is_success_code(304));
/// assert!(!errspec_spec::is_success_code(404));
/// ```
pub fn is_success_code(code: u16) -> bool {
    code < 400
}

/// One meaning of a status, told apart by its response: a `[[status.N.case]]`, resolved (what
/// it does not say, it takes from its status).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Case {
    /// Variant name: a Rust identifier, unique in the spec.
    pub name: String,
    /// What a response must show for this case.
    pub when: When,
    /// Message, Rust error style.
    pub message: String,
    /// Optional advice.
    pub hint: Option<String>,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Wait sources.
    pub wait_headers: Vec<WaitField>,
    /// Tries in all for a call that gets this error, when it overrides `[retry]`'s.
    pub max_attempts: Option<u32>,
    /// A floor on the wait after this error.
    pub min_wait: Option<Duration>,
    /// Whether this case is a refusal of the server's rate limit, which teaches learned
    /// pacing: its own `rate_limited`, else its status's.
    pub rate_limited: bool,
    /// Byte range of the case's table in the user's spec file; `None` when inherited.
    pub span: Option<Range<usize>>,
}

/// A case's condition: a header, a JSON body field or the body's text is present, or passes a
/// test against some values (any of them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct When {
    /// What is tested.
    pub source: WhenSource,
    /// How its value is tested; `None`: it is present (a header or field with any value, a
    /// body that is not empty).
    pub test: Option<WhenTest>,
}

/// What a [`When`] tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenSource {
    /// `header = N`: a response header, by lowercase name; each line of a repeated header is
    /// tested, as bytes.
    Header(String),
    /// `body = P`: the values a JSON pointer reaches in the body (many, with a
    /// [`POINTER_WILDCARD`](crate::POINTER_WILDCARD) token), as text.
    Body(String),
    /// `text = true`: the body excerpt as text, whatever the response's content type.
    Text,
}

/// A [`When`]'s test: its kind and the values any of which passes it (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WhenTest {
    /// `equals`, `starts_with`, `ends_with` or `contains`.
    pub kind: MatchTest,
    /// The strings, in the order written.
    pub values: Vec<String>,
}

impl When {
    /// A condition on `source`, with a test or none (present).
    ///
    /// ```
    /// use errspec_spec::{MatchTest, When, WhenSource};
    ///
    /// let when = When::new(
    ///     WhenSource::Header("x-amzn-errortype".into()),
    ///     Some((MatchTest::StartsWith, vec!["ThrottlingException".into()])),
    /// );
    /// assert_eq!(
    ///     when.to_string(),
    ///     r#"{ header = "x-amzn-errortype", starts_with = "ThrottlingException" }"#
    /// );
    /// ```
    pub fn new(source: WhenSource, test: Option<(MatchTest, Vec<String>)>) -> Self {
        Self {
            source,
            test: test.map(|(kind, values)| WhenTest { kind, values }),
        }
    }
}

impl core::fmt::Display for When {
    /// As a spec writes it: `{ header = "retry-after" }`, `{ body = "/error/code", equals =
    /// "insufficient_quota" }`, `{ text = true, contains = "<Code>SlowDown</Code>" }`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.source {
            WhenSource::Header(name) => write!(f, "{{ header = {name:?}")?,
            WhenSource::Body(pointer) => write!(f, "{{ body = {pointer:?}")?,
            WhenSource::Text => f.write_str("{ text = true")?,
        }
        match &self.test {
            None => f.write_str(" }"),
            Some(test) => match test.values.as_slice() {
                [one] => write!(f, ", {} = {one:?} }}", test.kind),
                many => write!(f, ", {} = {many:?} }}", test.kind),
            },
        }
    }
}

/// `[transport]`: the variant for requests that got no response, and how each kind of failure
/// is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transport {
    /// Variant name; default `Transport`.
    pub name: String,
    /// Message; default "could not reach the {api} API".
    pub message: String,
    /// Optional advice.
    pub hint: Option<String>,
    /// The policy of each kind of failure (`connect`, `timeout`, `other`).
    pub policies: TransportPolicies,
}

impl Transport {
    /// The policy for `kind`.
    pub fn policy(&self, kind: TransportKind) -> RetryPolicy {
        self.policies.get(kind)
    }
}

/// A parsed `display` template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Template {
    /// Literal text and placeholders in order; adjacent literals are merged.
    pub segments: Vec<Segment>,
}

impl Default for Template {
    /// `{code} {reason}: {message}`, e.g. "404 Not Found: the resource was not found".
    fn default() -> Template {
        Template {
            segments: vec![
                Segment::Code,
                Segment::Literal(" ".to_owned()),
                Segment::Reason,
                Segment::Literal(": ".to_owned()),
                Segment::Message,
            ],
        }
    }
}

impl Template {
    /// The template filled in for a listed status, as its `Display` prints it.
    ///
    /// ```
    /// let spec = errspec_spec::parse_str(
    ///     "[api]\nname = \"Shop\"\ndisplay = \"{name} ({code}): {message}\"\n[status.404]\nmessage = \"no such product\"\n",
    ///     "shop.toml",
    /// )
    /// .unwrap();
    /// let status = spec.status(404).unwrap();
    /// assert_eq!(spec.display.render(status), "NotFound (404): no such product");
    /// ```
    pub fn render(&self, status: &Status) -> String {
        self.fill(
            status.code,
            &status.reason,
            &status.name,
            &status.message,
            status.hint.as_deref(),
        )
    }

    /// The template filled in for a case of `status`: the status's code and reason, the
    /// case's name, message and hint.
    pub fn render_case(&self, status: &Status, case: &Case) -> String {
        self.fill(
            status.code,
            &status.reason,
            &case.name,
            &case.message,
            case.hint.as_deref(),
        )
    }

    fn fill(
        &self,
        code: u16,
        reason: &str,
        name: &str,
        message: &str,
        hint: Option<&str>,
    ) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Code => out.push_str(&code.to_string()),
                Segment::Reason => out.push_str(reason),
                Segment::Name => out.push_str(name),
                Segment::Message => out.push_str(message),
                Segment::Hint => out.push_str(hint.unwrap_or("")),
            }
        }
        out
    }
}

/// A piece of a display template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// Literal text (`{{` and `}}` already unescaped).
    Literal(String),
    /// `{code}`
    Code,
    /// `{reason}`
    Reason,
    /// `{name}`
    Name,
    /// `{message}`
    Message,
    /// `{hint}` (empty when there is none)
    Hint,
}
