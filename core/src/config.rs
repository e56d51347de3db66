//! A spec's `[retry]` section as a value, with its defaults.

use core::time::Duration;
use std::borrow::Cow;

use crate::{Jitter, WaitField};

/// A retry budget's settings, as the spec's `budget` key says; see the runtime's
/// `RetryBudget`.
///
/// ```
/// use errspec_core::BudgetConfig;
///
/// assert_eq!(BudgetConfig::default(), BudgetConfig::new(0.2, 10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct BudgetConfig {
    /// Retries allowed per first attempt, over a 10 s window.
    pub ratio: f64,
    /// Retries allowed per second regardless of traffic (a floor for quiet clients).
    pub min_per_second: u32,
}

impl BudgetConfig {
    /// Finagle's defaults, which a spec's `budget = {}` takes for what it leaves out: 0.2
    /// retries per first attempt, plus 10 a second.
    pub const DEFAULT: Self = Self::new(0.2, 10);

    /// A budget of `ratio` retries per first attempt plus `min_per_second` retries a second.
    pub const fn new(ratio: f64, min_per_second: u32) -> Self {
        Self {
            ratio,
            min_per_second,
        }
    }
}

impl Default for BudgetConfig {
    /// [`BudgetConfig::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How a retry engine retries: the `[retry]` section of a spec.
///
/// Field names are the spec's keys, and [`RetryConfig::new`] is what a spec without `[retry]`
/// means: the spec reader starts from it, so the two cannot differ. Build one with `new` and
/// the `with_*` methods, or take a generated error type's `retry_config()`.
///
/// | field | default |
/// |---|---|
/// | `max_attempts` | 3 (tries in all, the first included) |
/// | `initial_backoff` | 100 ms |
/// | `max_backoff` | 20 s |
/// | `multiplier` | 2.0 |
/// | `jitter` | [`Jitter::Full`] |
/// | `max_retry_after` | 60 s |
/// | `max_elapsed` | none |
/// | `min_wait` | none |
/// | `wait_headers` | `Retry-After` (HTTP form) |
/// | `should_retry_header` | none |
/// | `budget` | none |
///
/// ```
/// use std::time::Duration;
/// use errspec_core::{Jitter, RetryConfig, WaitFormat, WaitField};
///
/// let config = RetryConfig::new()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(50))
///     .with_jitter(Jitter::Equal)
///     // built at run time: no `'static` slice needed
///     .with_wait_headers(vec![WaitField::owned("x-wait".to_owned(), WaitFormat::Seconds)]);
/// assert_eq!(config.max_attempts, 5);
/// assert_eq!(config.max_backoff, Duration::from_secs(20));
/// assert_eq!(config.wait_headers[0].header_name(), Some("x-wait"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Tries in all, the first included; 1 means never retry. 0 is treated as 1.
    pub max_attempts: u32,
    /// The backoff before the first retry, before jitter.
    pub initial_backoff: Duration,
    /// The largest backoff, before jitter.
    pub max_backoff: Duration,
    /// The factor by which the backoff grows per retry.
    pub multiplier: f64,
    /// How the backoff is randomised.
    pub jitter: Jitter,
    /// A server-requested wait above this fails at once instead of sleeping.
    pub max_retry_after: Duration,
    /// An overall deadline for one call with its retries.
    pub max_elapsed: Option<Duration>,
    /// A floor on every wait before a retry, the server's or the backoff's.
    pub min_wait: Option<Duration>,
    /// The wait sources read from error responses; the first present and valid one wins.
    pub wait_headers: Cow<'static, [WaitField]>,
    /// A response header (lowercase) that overrides the policy: `true` retries the error as
    /// `always`, `false` never retries it, other values are ignored (Anthropic's and OpenAI's
    /// `x-should-retry`).
    pub should_retry_header: Option<Cow<'static, str>>,
    /// A retry budget shared by every call of a client.
    pub budget: Option<BudgetConfig>,
}

/// `wait_headers` of [`RetryConfig::new`].
const DEFAULT_WAIT_HEADERS: &[WaitField] = &[WaitField::RETRY_AFTER];

impl Default for RetryConfig {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! with {
    ($($(#[$doc:meta])* $fn:ident($field:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        #[must_use]
        pub const fn $fn(mut self, $field: $ty) -> Self {
            self.$field = $field;
            self
        }
    )*};
}

impl RetryConfig {
    /// The defaults (see the table above).
    pub const fn new() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
            multiplier: 2.0,
            jitter: Jitter::Full,
            max_retry_after: Duration::from_secs(60),
            max_elapsed: None,
            min_wait: None,
            wait_headers: Cow::Borrowed(DEFAULT_WAIT_HEADERS),
            should_retry_header: None,
            budget: None,
        }
    }

    with! {
        /// Sets `max_attempts` (tries in all, the first included).
        with_max_attempts(max_attempts: u32);
        /// Sets `initial_backoff`.
        with_initial_backoff(initial_backoff: Duration);
        /// Sets `max_backoff`.
        with_max_backoff(max_backoff: Duration);
        /// Sets `multiplier`.
        with_multiplier(multiplier: f64);
        /// Sets `jitter`.
        with_jitter(jitter: Jitter);
        /// Sets `max_retry_after`.
        with_max_retry_after(max_retry_after: Duration);
        /// Sets `max_elapsed`.
        with_max_elapsed(max_elapsed: Option<Duration>);
        /// Sets `min_wait`.
        with_min_wait(min_wait: Option<Duration>);
        /// Sets `budget`.
        with_budget(budget: Option<BudgetConfig>);
    }

    /// Sets `wait_headers`: a `&'static` slice (no allocation) or a `Vec` built at run time.
    #[must_use]
    pub fn with_wait_headers(mut self, wait_headers: impl Into<Cow<'static, [WaitField]>>) -> Self {
        self.wait_headers = wait_headers.into();
        self
    }

    /// Sets `should_retry_header` (a lowercase header name), or clears it with `None`.
    #[must_use]
    pub fn with_should_retry_header(
        mut self,
        header: Option<impl Into<Cow<'static, str>>>,
    ) -> Self {
        self.should_retry_header = header.map(Into::into);
        self
    }
}
