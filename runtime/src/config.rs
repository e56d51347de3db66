//! The `[retry]` section of a spec as a runtime value.

use core::time::Duration;

/// Which response header carries a server-requested wait, and how its value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WaitHeader {
    /// Header name, lowercase (header names match case-insensitively).
    pub name: &'static str,
    /// How the value is read.
    pub format: WaitFormat,
}

impl WaitHeader {
    /// `Retry-After` in RFC 9110 form: delay-seconds or an HTTP-date.
    pub const RETRY_AFTER: Self = Self::new("retry-after", WaitFormat::Http);

    /// A wait header; `name` must be lowercase.
    pub const fn new(name: &'static str, format: WaitFormat) -> Self {
        Self { name, format }
    }
}

/// The formats a wait header's value can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitFormat {
    /// RFC 9110 `Retry-After`: delay-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or asctime).
    Http,
    /// A delay in whole seconds.
    Seconds,
    /// The epoch second at which to try again (GitHub's `x-ratelimit-reset`).
    Unix,
    /// A delay in milliseconds.
    Millis,
}

/// A retry budget's settings, as the spec's `budget` key says; see [`RetryBudget`](crate::RetryBudget).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetConfig {
    /// Retries allowed per first attempt, over a 10 s window.
    pub ratio: f64,
    /// Retries allowed per second regardless of traffic (a floor for quiet clients).
    pub min_per_second: u32,
}

impl BudgetConfig {
    /// A budget of `ratio` retries per first attempt plus `min_per_second` retries a second.
    pub const fn new(ratio: f64, min_per_second: u32) -> Self {
        Self {
            ratio,
            min_per_second,
        }
    }
}

/// How a [`Retrier`](crate::Retrier) retries: the `[retry]` section of a spec.
///
/// Field names are the spec's keys. Build one with [`RetryConfig::new`] (the defaults below) and
/// the `with_*` methods, or take a generated error type's `retry_config()`.
///
/// | field | default |
/// |---|---|
/// | `max_attempts` | 3 (tries in all, the first included) |
/// | `initial_backoff` | 100 ms |
/// | `max_backoff` | 20 s |
/// | `multiplier` | 2.0 |
/// | `jitter` | [`Jitter::Full`](crate::Jitter::Full) |
/// | `max_retry_after` | 60 s |
/// | `max_elapsed` | none |
/// | `wait_headers` | `Retry-After` (HTTP form) |
/// | `budget` | none |
///
/// ```
/// use std::time::Duration;
/// use errspec::{Jitter, RetryConfig};
///
/// let config = RetryConfig::new()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(50))
///     .with_jitter(Jitter::Equal);
/// assert_eq!(config.max_attempts, 5);
/// assert_eq!(config.max_backoff, Duration::from_secs(20));
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
    /// The wait headers read from error responses, first present and valid one wins.
    pub wait_headers: &'static [WaitHeader],
    /// A retry budget every clone of the [`Retrier`](crate::Retrier) shares.
    pub budget: Option<BudgetConfig>,
}

use crate::Jitter;

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
            wait_headers: &[WaitHeader::RETRY_AFTER],
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
        /// Sets `wait_headers`.
        with_wait_headers(wait_headers: &'static [WaitHeader]);
        /// Sets `budget`.
        with_budget(budget: Option<BudgetConfig>);
    }
}
