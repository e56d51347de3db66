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

/// A retry budget's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Retries per first attempt; finite, 0 or more.
    pub ratio: f64,
    /// Retries a second regardless of traffic.
    pub min_per_second: u32,
}

/// Defaults for a class's unlisted statuses (what the fallback variant says for them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// Retry policy; built-in default `never`, `idempotent` for 5xx.
    pub policy: Policy,
    /// Message; built-in defaults per class (e.g. "unexpected server error").
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
    /// Byte range of its `[status.N]` key in the user's spec file; `None` when inherited only.
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
}

/// A parsed `display` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Literal text and placeholders in order; adjacent literals are merged.
    pub segments: Vec<Segment>,
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
