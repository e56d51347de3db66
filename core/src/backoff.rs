//! Exponential backoff with jitter: the engine's wait when the server names none.

use core::time::Duration;

use crate::{Jitter, RetryConfig};

const NANOS_PER_SEC: u128 = 1_000_000_000;

impl RetryConfig {
    /// The backoff before retry `retry` (1 for the first retry, the one after attempt 1), before
    /// jitter: `min(max_backoff, initial_backoff * multiplier^(retry - 1))`, saturating.
    ///
    /// `retry = 0` counts as 1. A NaN or negative `multiplier` counts as 1 (a constant backoff);
    /// nothing here panics.
    ///
    /// ```
    /// use std::time::Duration;
    /// use errspec_core::RetryConfig;
    ///
    /// let config = RetryConfig::new(); // 100 ms, x2, at most 20 s
    /// assert_eq!(config.base_backoff(1), Duration::from_millis(100));
    /// assert_eq!(config.base_backoff(4), Duration::from_millis(800));
    /// assert_eq!(config.base_backoff(100), Duration::from_secs(20));
    /// ```
    pub fn base_backoff(&self, retry: u32) -> Duration {
        let max = self.max_backoff;
        if self.initial_backoff.is_zero() {
            return Duration::ZERO;
        }
        let multiplier = if self.multiplier.is_nan() || self.multiplier < 0.0 {
            1.0
        } else {
            self.multiplier
        };
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        // Nanoseconds in f64 are exact up to 2^53 ns (104 days), so the usual integer
        // multipliers give exact results; beyond that the cap applies long before precision
        // matters.
        #[allow(clippy::cast_precision_loss)]
        let (nanos, max_nanos) = (
            self.initial_backoff.as_nanos() as f64 * multiplier.powi(exponent),
            max.as_nanos() as f64,
        );
        // NaN (0 x infinity cannot happen: zero was handled) and infinity take the cap.
        if nanos.is_nan() || nanos >= max_nanos {
            return max;
        }
        // 0 <= nanos < max_nanos, so the cast neither wraps nor loses the sign.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let nanos = nanos.round() as u128;
        from_nanos(nanos).min(max)
    }

    /// The backoff before retry `retry` with this config's [`jitter`](RetryConfig::jitter)
    /// applied, where `d` is [`base_backoff(retry)`](RetryConfig::base_backoff):
    ///
    /// | jitter | delay |
    /// |---|---|
    /// | [`None`](Jitter::None) | `d` |
    /// | [`Full`](Jitter::Full) | uniform in `[0, d]` |
    /// | [`Equal`](Jitter::Equal) | uniform in `[d / 2, d]` |
    /// | [`Decorrelated`](Jitter::Decorrelated) | uniform in `[initial_backoff, 3 * prev]`, at most `max_backoff` |
    ///
    /// `prev` is the delay this method returned for the previous retry; only decorrelated jitter
    /// reads it, and a `prev` below `initial_backoff` (such as zero, for the first retry) counts
    /// as `initial_backoff`. The result never exceeds `max_backoff`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use errspec_core::{Jitter, RetryConfig};
    ///
    /// let config = RetryConfig::new().with_jitter(Jitter::Equal);
    /// let delay = config.backoff(2, Duration::ZERO); // d = 200 ms
    /// assert!(delay >= Duration::from_millis(100) && delay <= Duration::from_millis(200));
    /// ```
    pub fn backoff(&self, retry: u32, prev: Duration) -> Duration {
        match self.jitter {
            Jitter::None => self.base_backoff(retry),
            Jitter::Full => uniform(Duration::ZERO, self.base_backoff(retry)),
            Jitter::Equal => {
                let d = self.base_backoff(retry);
                uniform(d / 2, d)
            }
            Jitter::Decorrelated => {
                let max = self.max_backoff;
                let low = self.initial_backoff.min(max);
                let high = prev.max(self.initial_backoff).saturating_mul(3).min(max);
                uniform(low, high)
            }
        }
    }
}

/// Uniform in `[low, high]` at nanosecond resolution; `low` if `high < low`.
fn uniform(low: Duration, high: Duration) -> Duration {
    if high <= low {
        return low;
    }
    from_nanos(fastrand::u128(low.as_nanos()..=high.as_nanos()))
}

/// The inverse of `Duration::as_nanos`, saturating.
fn from_nanos(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    #[allow(clippy::cast_possible_truncation)] // < 10^9
    let subsec = (nanos % NANOS_PER_SEC) as u32;
    Duration::new(secs, subsec)
}
