//! Retry policies, jitter kinds and the per-status table entry.

/// How a status is retried, as the spec's `retry` key says.
///
/// ```
/// use errspec::RetryPolicy;
/// assert!(RetryPolicy::Idempotent.allows(true));
/// assert!(!RetryPolicy::Idempotent.allows(false));
/// assert!(RetryPolicy::AfterHeader.allows(false));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryPolicy {
    /// Never retried (`never`).
    Never,
    /// Backed off and retried whatever the request method (`always`).
    Always,
    /// Backed off and retried only for idempotent requests (`idempotent`).
    Idempotent,
    /// Retried for any request after the wait the response's wait header asks for, or after
    /// backoff when no valid header came (`after-header`).
    AfterHeader,
}

impl RetryPolicy {
    /// Whether this policy retries a request of the given idempotency.
    pub const fn allows(self, idempotent: bool) -> bool {
        match self {
            Self::Never => false,
            Self::Always | Self::AfterHeader => true,
            Self::Idempotent => idempotent,
        }
    }

    /// The spelling used in spec files (`never`, `always`, `idempotent`, `after-header`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Always => "always",
            Self::Idempotent => "idempotent",
            Self::AfterHeader => "after-header",
        }
    }
}

impl core::fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How randomness spreads a backoff delay (AWS's "Exponential Backoff and Jitter" names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Jitter {
    /// The computed delay exactly.
    None,
    /// Uniform in `[0, delay]`.
    Full,
    /// Uniform in `[delay / 2, delay]`.
    Equal,
    /// Uniform in `[initial_backoff, previous * 3]`, capped at `max_backoff`.
    Decorrelated,
}

impl Jitter {
    /// The spelling used in spec files (`none`, `full`, `equal`, `decorrelated`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Full => "full",
            Self::Equal => "equal",
            Self::Decorrelated => "decorrelated",
        }
    }
}

/// One status of a spec, as listed in a generated enum's `STATUSES` table.
///
/// The fallback variant has no entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusInfo {
    /// The numeric status code.
    pub code: u16,
    /// The variant name.
    pub name: &'static str,
    /// The reason phrase.
    pub reason: &'static str,
    /// The spec's message.
    pub message: &'static str,
    /// The spec's hint, if any.
    pub hint: Option<&'static str>,
    /// The retry policy.
    pub policy: RetryPolicy,
}
