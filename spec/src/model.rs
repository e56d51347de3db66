//! The resolved spec: what codegen and tools consume once parsing, validation, `extends` and
//! class defaults are done. Every value here is final; nothing needs looking up elsewhere.

use core::ops::Range;
use core::time::Duration;

/// A spec with its base merged in and every default applied.
#[derive(Debug, Clone, PartialEq)]
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
    /// `[retry]` with defaults applied.
    pub retry: Retry,
    /// Defaults for unlisted statuses of each class: index 0 is 1xx, 4 is 5xx.
    pub classes: [Class; 5],
    /// Every listed status (inherited ones included), sorted by code.
    pub statuses: Vec<Status>,
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
    /// 5xx); `None` for 600..=999, which belong to no class and are never retried unless
    /// listed.
    pub fn class_of(&self, code: u16) -> Option<&Class> {
        let index = usize::from(code / 100).checked_sub(1)?;
        self.classes.get(index)
    }
}

/// `[retry]` with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// Tries in all, the first included; at least 1.
    pub max_attempts: u32,
    /// Backoff before the first retry.
    pub initial_backoff: Duration,
    /// Largest backoff; at least `initial_backoff`.
    pub max_backoff: Duration,
    /// Backoff growth factor; finite and at least 1.
    pub multiplier: f64,
    /// Jitter kind.
    pub jitter: Jitter,
    /// Largest server-requested wait honoured.
    pub max_retry_after: Duration,
    /// Overall deadline for a call with its retries.
    pub max_elapsed: Option<Duration>,
    /// Default wait headers.
    pub wait_headers: Vec<WaitHeader>,
    /// Optional retry budget.
    pub budget: Option<Budget>,
}

impl Default for Retry {
    /// What an absent `[retry]` means: 3 attempts, backoff from 100ms doubling up to 20s with
    /// full jitter, server-requested waits honoured up to 60s, no overall deadline, the
    /// `retry-after` header read as RFC 9110 Retry-After, no budget.
    fn default() -> Retry {
        Retry {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
            multiplier: 2.0,
            jitter: Jitter::Full,
            max_retry_after: Duration::from_secs(60),
            max_elapsed: None,
            wait_headers: vec![WaitHeader {
                name: "retry-after".to_owned(),
                format: WaitFormat::Http,
            }],
            budget: None,
        }
    }
}

/// A retry budget's settings. In the spec, `budget = {}` takes Finagle's defaults for what it
/// leaves out: `ratio = 0.2`, `min_per_second = 10`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Retries per first attempt; finite, from 0 to 1000.
    pub ratio: f64,
    /// Retries a second regardless of traffic.
    pub min_per_second: u32,
}

/// Defaults for a class's unlisted statuses (what the fallback variant says for them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// Retry policy; built-in default `never`, `idempotent` for 5xx.
    pub policy: Policy,
    /// Message; built-in defaults per class (e.g. "server error").
    pub message: String,
    /// Hint.
    pub hint: Option<String>,
}

/// One listed status, fully resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub policy: Policy,
    /// Wait headers for this status (its own, else `[retry] wait_headers`).
    pub wait_headers: Vec<WaitHeader>,
    /// Byte range of its `[status.N]` key (the `N`) in the user's spec file; `None` when
    /// inherited only.
    pub span: Option<Range<usize>>,
}

/// A retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `never`
    Never,
    /// `always`
    Always,
    /// `idempotent`
    Idempotent,
    /// `after-header`
    AfterHeader,
}

impl Policy {
    /// Every policy with its spec spelling.
    pub const ALL: [(&'static str, Policy); 4] = [
        ("never", Policy::Never),
        ("always", Policy::Always),
        ("idempotent", Policy::Idempotent),
        ("after-header", Policy::AfterHeader),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Never => "never",
            Policy::Always => "always",
            Policy::Idempotent => "idempotent",
            Policy::AfterHeader => "after-header",
        }
    }
}

/// A jitter kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Jitter {
    /// `none`
    None,
    /// `full`
    Full,
    /// `equal`
    Equal,
    /// `decorrelated`
    Decorrelated,
}

impl Jitter {
    /// Every jitter kind with its spec spelling.
    pub const ALL: [(&'static str, Jitter); 4] = [
        ("none", Jitter::None),
        ("full", Jitter::Full),
        ("equal", Jitter::Equal),
        ("decorrelated", Jitter::Decorrelated),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Jitter::None => "none",
            Jitter::Full => "full",
            Jitter::Equal => "equal",
            Jitter::Decorrelated => "decorrelated",
        }
    }
}

/// A wait header: lowercase name and value format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaitHeader {
    /// Lowercase header name, a valid HTTP header name.
    pub name: String,
    /// Value format.
    pub format: WaitFormat,
}

/// A wait header's value format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitFormat {
    /// `http`: RFC 9110 Retry-After.
    Http,
    /// `seconds`
    Seconds,
    /// `unix`
    Unix,
    /// `millis`
    Millis,
}

impl WaitFormat {
    /// Every format with its spec spelling.
    pub const ALL: [(&'static str, WaitFormat); 4] = [
        ("http", WaitFormat::Http),
        ("seconds", WaitFormat::Seconds),
        ("unix", WaitFormat::Unix),
        ("millis", WaitFormat::Millis),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitFormat::Http => "http",
            WaitFormat::Seconds => "seconds",
            WaitFormat::Unix => "unix",
            WaitFormat::Millis => "millis",
        }
    }
}

/// A parsed `display` template.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A piece of a display template.
#[derive(Debug, Clone, PartialEq, Eq)]
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
