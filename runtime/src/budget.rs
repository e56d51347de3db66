//! A retry budget shared by every clone: Finagle's model.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::BudgetConfig;

/// The window over which first attempts earn retries, in seconds.
const WINDOW_SECS: u64 = 10;

/// Buckets kept: the window's ten seconds, plus the one just before them for withdrawals, so
/// that a retry granted up to 10 s ago is never forgotten early (see [`RetryBudget`]).
const BUCKETS: usize = 11;
const _: () = assert!(BUCKETS as u64 == WINDOW_SECS + 1);

/// A cap on retries relative to first attempts, so that an outage cannot multiply a client's
/// traffic (Finagle's `RetryBudget`).
///
/// Each first attempt [deposits](Self::deposit); each retry must [withdraw](Self::try_withdraw).
/// A withdrawal succeeds when the retries granted in the last 10 s, this one included, stay at or
/// below `ratio` x the first attempts of the last 10 s + `min_per_second` x 10. The reserve of
/// `min_per_second` lets a quiet client still retry now and then.
///
/// Time is counted in whole seconds: first attempts count for the current second and the nine
/// before it (never longer than 10 s), and retries count for the current second and the ten before
/// it (never shorter than 10 s), so the bound holds for the exact trailing 10 s.
///
/// Clones share one budget, so give every clone of a client the same one (a
/// [`Retrier`](crate::Retrier)'s clones do). It is safe to use from many threads at once; each call
/// takes a short lock.
///
/// Out-of-range settings do not panic: a NaN or negative `ratio` counts as 0 (only the reserve
/// remains), an infinite one as the largest finite ratio.
///
/// ```
/// use errspec::RetryBudget;
///
/// let budget = RetryBudget::new(0.5, 0); // no reserve: one retry per two first attempts
/// assert!(!budget.try_withdraw());
/// budget.deposit();
/// budget.deposit();
/// assert!(budget.try_withdraw());
/// assert!(!budget.clone().try_withdraw()); // the clone shares the budget
/// ```
#[derive(Clone)]
pub struct RetryBudget {
    inner: Arc<Inner>,
}

struct Inner {
    ratio: f64,
    min_per_second: u32,
    reserve: f64,
    clock: Clock,
    origin: Instant,
    ring: Mutex<Ring>,
}

enum Clock {
    Default,
    Custom(Box<dyn Fn() -> Instant + Send + Sync>),
}

/// A retry the budget granted, in the second it was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Withdrawal(u64);

/// Counts per second since the budget's origin, bucket `second % BUCKETS`.
struct Ring {
    latest: u64,
    buckets: [Bucket; BUCKETS],
}

#[derive(Clone, Copy, Default)]
struct Bucket {
    second: u64,
    deposits: u64,
    withdrawals: u64,
}

impl RetryBudget {
    /// A budget of `ratio` retries per first attempt plus `min_per_second` retries a second, over
    /// a 10 s window. `min_per_second = 0` is valid (no reserve).
    ///
    /// With the `tokio` feature the budget reads Tokio's clock (the real one unless a runtime's
    /// clock is paused), so it refills in virtual time under `tokio::time::pause`.
    pub fn new(ratio: f64, min_per_second: u32) -> Self {
        Self::build(ratio, min_per_second, Clock::Default)
    }

    /// Like [`new`](Self::new), reading the time from `clock`; for tests that move time by hand.
    /// An instant earlier than one seen before counts as the latest one seen.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::{Duration, Instant};
    /// use errspec::RetryBudget;
    ///
    /// let now = Arc::new(Mutex::new(Instant::now()));
    /// let clock = Arc::clone(&now);
    /// let budget = RetryBudget::with_clock(0.0, 1, move || *clock.lock().unwrap());
    /// for _ in 0..10 {
    ///     assert!(budget.try_withdraw()); // the reserve: 1 a second over 10 s
    /// }
    /// assert!(!budget.try_withdraw());
    /// *now.lock().unwrap() += Duration::from_secs(11);
    /// assert!(budget.try_withdraw()); // those ten have left the window
    /// ```
    pub fn with_clock(
        ratio: f64,
        min_per_second: u32,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> Self {
        Self::build(ratio, min_per_second, Clock::Custom(Box::new(clock)))
    }

    fn build(ratio: f64, min_per_second: u32, clock: Clock) -> Self {
        // f64::MAX rather than infinity: infinity x 0 first attempts would be NaN, refusing all.
        let ratio = if ratio.is_nan() || ratio < 0.0 {
            0.0
        } else {
            ratio.min(f64::MAX)
        };
        let origin = clock.now();
        Self {
            inner: Arc::new(Inner {
                ratio,
                min_per_second,
                reserve: f64::from(min_per_second) * 10.0,
                clock,
                origin,
                ring: Mutex::new(Ring {
                    latest: 0,
                    buckets: [Bucket::default(); BUCKETS],
                }),
            }),
        }
    }

    /// Records a first attempt, which earns `ratio` retries for the next 10 s.
    pub fn deposit(&self) {
        self.deposit_at(None);
    }

    /// Asks for one retry: `true` (and the retry is counted) if the budget allows it, `false` if
    /// the caller should give up instead.
    pub fn try_withdraw(&self) -> bool {
        self.withdraw_at(None).is_some()
    }

    /// [`deposit`](Self::deposit) at `at` on the engine's clock (the budget's own clock when it
    /// was given one with [`with_clock`](Self::with_clock), or when `at` is `None`).
    pub(crate) fn deposit_at(&self, at: Option<Instant>) {
        let now = self.inner.second(at);
        let mut ring = self.inner.lock();
        let bucket = ring.current(now);
        bucket.deposits = bucket.deposits.saturating_add(1);
    }

    /// [`try_withdraw`](Self::try_withdraw) at `at` on the engine's clock: the withdrawal, for a
    /// [`refund`](Self::refund) if the retry is never sent.
    pub(crate) fn withdraw_at(&self, at: Option<Instant>) -> Option<Withdrawal> {
        let now = self.inner.second(at);
        let mut ring = self.inner.lock();
        let now = ring.current_second(now);
        let (deposits, withdrawals) = ring.totals(now);
        // u64 -> f64 rounds beyond 2^53 calls in 10 s, far past any real traffic.
        #[allow(clippy::cast_precision_loss)]
        let allowed =
            (withdrawals as f64) + 1.0 <= self.inner.ratio * (deposits as f64) + self.inner.reserve;
        if !allowed {
            return None;
        }
        let bucket = ring.current(now);
        bucket.withdrawals = bucket.withdrawals.saturating_add(1);
        Some(Withdrawal(now))
    }

    /// Gives back a withdrawal whose retry was never sent (its call was cancelled during the
    /// wait): the budget counts only retries that were sent.
    pub(crate) fn refund(&self, withdrawal: Withdrawal) {
        let mut ring = self.inner.lock();
        #[allow(clippy::cast_possible_truncation)] // < BUCKETS
        let bucket = &mut ring.buckets[(withdrawal.0 % BUCKETS as u64) as usize];
        if bucket.second == withdrawal.0 {
            bucket.withdrawals = bucket.withdrawals.saturating_sub(1);
        }
    }

    /// The ratio in force (after NaN and negative values became 0 and infinity the largest
    /// finite `f64`).
    pub fn ratio(&self) -> f64 {
        self.inner.ratio
    }

    /// Retries allowed per second regardless of traffic.
    pub fn min_per_second(&self) -> u32 {
        self.inner.min_per_second
    }
}

impl From<BudgetConfig> for RetryBudget {
    fn from(config: BudgetConfig) -> Self {
        Self::new(config.ratio, config.min_per_second)
    }
}

impl core::fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RetryBudget")
            .field("ratio", &self.inner.ratio)
            .field("min_per_second", &self.inner.min_per_second)
            .finish_non_exhaustive()
    }
}

impl Clock {
    fn now(&self) -> Instant {
        match self {
            #[cfg(feature = "tokio")]
            Self::Default => tokio::time::Instant::now().into_std(),
            #[cfg(not(feature = "tokio"))]
            Self::Default => Instant::now(),
            Self::Custom(clock) => clock(),
        }
    }
}

impl Inner {
    /// Whole seconds since the origin at `at` (the engine's clock), or now on the budget's
    /// own clock when it has a custom one or `at` is `None`.
    fn second(&self, at: Option<Instant>) -> u64 {
        let now = match (&self.clock, at) {
            (Clock::Default, Some(at)) => at,
            _ => self.clock.now(),
        };
        now.saturating_duration_since(self.origin).as_secs()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        // Nothing panics while the lock is held, but a poisoned lock still holds sound counts.
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Ring {
    /// `now`, or the latest second seen if the clock went back.
    fn current_second(&mut self, now: u64) -> u64 {
        self.latest = self.latest.max(now);
        self.latest
    }

    /// The bucket of second `now` (made current), emptied if it held an older second.
    fn current(&mut self, now: u64) -> &mut Bucket {
        let now = self.current_second(now);
        #[allow(clippy::cast_possible_truncation)] // < BUCKETS
        let bucket = &mut self.buckets[(now % BUCKETS as u64) as usize];
        if bucket.second != now {
            *bucket = Bucket {
                second: now,
                deposits: 0,
                withdrawals: 0,
            };
        }
        bucket
    }

    /// First attempts of the last `WINDOW_SECS` seconds, and retries of the last
    /// `WINDOW_SECS + 1`.
    fn totals(&self, now: u64) -> (u64, u64) {
        let mut deposits = 0_u64;
        let mut withdrawals = 0_u64;
        for b in &self.buckets {
            if b.second <= now && now - b.second < WINDOW_SECS {
                deposits = deposits.saturating_add(b.deposits);
            }
            if b.second <= now && now - b.second <= WINDOW_SECS {
                withdrawals = withdrawals.saturating_add(b.withdrawals);
            }
        }
        (deposits, withdrawals)
    }
}
