//! The retry engine.

use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::limits::{Links, LocalStore, Pause, QuotaSet, ScopeKey, StatedQuotas, Ticket};
use crate::observe::Context;
use crate::{
    DefaultSleeper, LimitStore, RateLimitConfig, RetryBudget, RetryConfig, Sleeper, StatusError,
};

type OnRetry = dyn Fn(u32, &dyn StatusError, Duration) + Send + Sync;
type OnPause = dyn Fn(Pause, Duration) + Send + Sync;

/// The retry engine: runs an operation, and after a failure decides whether and when to try
/// again, from a [`RetryConfig`] and what the error says about itself ([`StatusError`]).
///
/// After attempt `n` fails with error `e`, the engine stops and returns `e` unchanged if
/// 1. `e` does not retry for this request's idempotency ([`StatusError::is_retryable`]);
/// 2. `n` is `max_attempts` (0 counts as 1);
/// 3. the wait (below) cannot be honoured: the server asked for more than `max_retry_after`, or
///    waiting would pass `max_elapsed` (measured on the sleeper's clock from the start of the
///    call, waits for holds included);
/// 4. the [`RetryBudget`], if any, refuses. It is asked last, so a retry that does not happen
///    spends nothing; a call's first attempt deposits when it is sent, so a call cancelled
///    before it sent anything deposits nothing.
///
/// The wait before retry `n`:
/// - for an [`AfterHeader`](crate::RetryPolicy::AfterHeader) error with a valid wait header
///   ([`StatusError::retry_after`]), the server's wait, exactly;
/// - otherwise the [backoff](RetryConfig::backoff) with jitter, and if the error carries a server
///   wait anyway, the larger of the two: a retry never comes before the server's stated time;
/// - at least `min_wait`, the config's or the error's, whichever is longer.
///
/// Then [`on_retry`](Self::on_retry) is called, and the engine sleeps on its [`Sleeper`].
///
/// One `Retrier` serves many calls; clones share the budget, the sleeper, the hook and the
/// server's hold. It is `Send + Sync`.
///
/// # The server's hold
///
/// A wait header answers for the client, not only for the request that got it: a rate limit
/// that refused one request refuses the next one too until the time it named (RFC 6585 says
/// a 429's `Retry-After` is how long to wait "before making a new request"). So when the
/// engine retries after a server-stated wait, that time *holds* every call of this retrier
/// and its clones:
/// - a retry decided while a hold lasts waits at least until it ends (the wait passed to
///   [`on_retry`](Self::on_retry) and checked against `max_elapsed` includes this);
/// - a retry that is already waiting when another call learns a later stated time waits
///   until that time too ([`Attempts::sleep`](crate::Attempts::sleep)), unless that would pass its call's
///   `max_elapsed`;
/// - [`run`](Self::run), [`run_blocking`](Self::run_blocking) and [`Attempts::ready`](crate::Attempts::ready) make a
///   call's first attempt wait for the hold; a call whose `max_elapsed` would pass during the
///   hold is not sent, and returns the error of the status that set the hold.
///
/// The hold only ever adds delay after a time a server named: nothing is sent earlier than
/// without it. A hold is capped at `max_retry_after` when it is read (whatever clock set it),
/// and no call waits longer than `max_retry_after` for holds in all, its first attempt's wait
/// and its retries' together. Its effect is that the
/// calls that were refused come back together when the limit resets, instead of the first
/// ones back spending the new window's quota on fresh requests while the later ones are
/// refused a second time. Calls to unrelated services belong on separate retriers (they
/// would share a budget too).
///
/// With the `tracing` feature, each retry emits one `DEBUG` event with the fields `attempt`,
/// `status`, `delay_ms`, `reason` (`"wait header"`, `"backoff"`, `"server hold"` or
/// `"min_wait"`, whichever set the wait) and `error`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # #[derive(Debug)] struct MyError;
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("503") } }
/// # impl std::error::Error for MyError {}
/// # impl errspec::StatusError for MyError {
/// #     fn status(&self) -> Option<errspec::http::StatusCode> { Some(errspec::http::StatusCode::SERVICE_UNAVAILABLE) }
/// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Idempotent }
/// #     fn retry_after(&self) -> Option<Duration> { None }
/// #     fn hint(&self) -> Option<&'static str> { None }
/// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
/// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
/// # }
/// use std::time::Duration;
/// use errspec::{Retrier, RetryConfig};
///
/// # tokio::time::pause();
/// let retrier = Retrier::new(RetryConfig::new().with_max_attempts(4))
///     .on_retry(|attempt, err, delay| eprintln!("attempt {attempt} failed ({err}); retrying in {delay:?}"));
///
/// let mut calls = 0;
/// let result: Result<&str, MyError> = retrier
///     .run(true, || {
///         calls += 1;
///         let fail = calls < 3;
///         async move { if fail { Err(MyError) } else { Ok("done") } }
///     })
///     .await;
/// assert_eq!(result.unwrap(), "done");
/// assert_eq!(calls, 3);
/// # }
/// ```
#[derive(Clone)]
pub struct Retrier {
    pub(crate) config: RetryConfig,
    pub(crate) budget: Option<RetryBudget>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) on_retry: Option<Arc<OnRetry>>,
    on_pause: Option<Arc<OnPause>>,
    /// Where the rate-limit state lives.
    pub(crate) store: Arc<dyn LimitStore>,
    /// `store`, when it is a [`LocalStore`] (the default): its fast path is then called
    /// directly, not through the trait object.
    local: Option<LocalStore>,
    /// The bucket each method's latest response named (in the process).
    pub(crate) links: Arc<Links>,
    /// The next reservation's number.
    pub(crate) tickets: Arc<AtomicU64>,
    pub(crate) rate_limit: RateLimitConfig,
    /// Whether `rate_limit` reads a stated quota from responses.
    pub(crate) reads_quota: bool,
    /// What the calls' attempts read responses with.
    pub(crate) context: Arc<Context>,
    /// Whether the sleeper's wall time is the system's (a shipped sleeper).
    system_wall: bool,
}

impl Retrier {
    /// An engine for `config`, with a [`RetryBudget`] if `config.budget` asks for one and the
    /// [`DefaultSleeper`].
    pub fn new(config: RetryConfig) -> Self {
        let sleeper: Arc<dyn Sleeper> = Arc::new(DefaultSleeper::default());
        let rate_limit = RateLimitConfig::new();
        let local = LocalStore::new();
        Self {
            budget: config.budget.map(RetryBudget::from),
            config,
            context: Context::new(&rate_limit, &sleeper, true),
            system_wall: true,
            sleeper,
            on_retry: None,
            on_pause: None,
            store: Arc::new(local.clone()),
            local: Some(local),
            links: Arc::default(),
            tickets: Arc::default(),
            reads_quota: false,
            rate_limit,
        }
    }

    /// Keeps the rate-limit state (holds, stated quotas with the requests in flight, learned
    /// quotas) in `store` instead of this retrier's own [`LocalStore`]; clones made after share
    /// it. Pass a clone of one store to several retriers to make them share their state.
    ///
    /// ```
    /// use errspec::{LocalStore, Retrier, RetryConfig};
    ///
    /// let store = LocalStore::new();
    /// let a = Retrier::new(RetryConfig::new()).with_store(store.clone());
    /// let b = Retrier::new(RetryConfig::new()).with_store(store); // a hold a's calls learn holds b's
    /// # drop((a, b));
    /// ```
    #[must_use]
    pub fn with_store(mut self, store: impl LimitStore) -> Self {
        self.local = (&store as &dyn core::any::Any)
            .downcast_ref::<LocalStore>()
            .cloned();
        self.store = Arc::new(store);
        self
    }

    /// Uses `budget` (replacing any from the config); pass a clone of one budget to several
    /// retriers to make them share it.
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Holds and paces calls by `rate_limit` (a spec's `[rate_limit]`; the default holds every
    /// call of the retrier and learns pacing from refusals).
    #[must_use]
    pub fn with_rate_limit(mut self, rate_limit: RateLimitConfig) -> Self {
        self.reads_quota = !rate_limit.quota_list().is_empty() || rate_limit.ietf;
        self.context = Context::new(&rate_limit, &self.sleeper, self.system_wall);
        self.rate_limit = rate_limit;
        self
    }

    /// The rate-limit settings in force.
    pub fn rate_limit(&self) -> &RateLimitConfig {
        &self.rate_limit
    }

    /// Waits and tells the time with `sleeper`.
    #[must_use]
    pub fn with_sleeper<S: Sleeper + 'static>(mut self, sleeper: S) -> Self {
        // the shipped sleepers tell the system's wall time, which wait parsing reads anyway
        let id = core::any::TypeId::of::<S>();
        self.system_wall = id == core::any::TypeId::of::<crate::ThreadSleeper>()
            || id == core::any::TypeId::of::<DefaultSleeper>();
        self.sleeper = Arc::new(sleeper);
        self.context = Context::new(&self.rate_limit, &self.sleeper, self.system_wall);
        self
    }

    /// Calls `hook` before each retry's wait with the number of the attempt that failed (1 for
    /// the first), its error and the wait about to start. Replaces any earlier hook.
    #[must_use]
    pub fn on_retry(
        mut self,
        hook: impl Fn(u32, &dyn StatusError, Duration) + Send + Sync + 'static,
    ) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` whenever a call waits before an attempt for its scope's rate limit, with
    /// why and how long: a hold another call's refusal set, a stated quota spent, or the
    /// client's own pacing to a learned quota (see `[rate_limit]`). Retry waits themselves go to
    /// [`on_retry`](Self::on_retry). Replaces any earlier hook.
    ///
    /// ```
    /// use errspec::{Pause, Retrier, RetryConfig};
    ///
    /// let retrier = Retrier::new(RetryConfig::default()).on_pause(|pause, wait| {
    ///     if pause == Pause::LearnedQuota {
    ///         eprintln!("pacing: waiting {wait:?} ({pause})");
    ///     }
    /// });
    /// # drop(retrier);
    /// ```
    #[must_use]
    pub fn on_pause(mut self, hook: impl Fn(Pause, Duration) + Send + Sync + 'static) -> Self {
        self.on_pause = Some(Arc::new(hook));
        self
    }

    /// Tells the pause hook, if any, that a call waits `wait` for `pause`.
    pub(crate) fn paused(&self, pause: Pause, wait: Duration) {
        if let Some(hook) = &self.on_pause {
            hook(pause, wait);
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// The budget in force, if any.
    pub fn budget(&self) -> Option<&RetryBudget> {
        self.budget.as_ref()
    }

    /// The sleeper in use.
    pub fn sleeper(&self) -> &dyn Sleeper {
        &*self.sleeper
    }

    /// This engine with another config: the same budget, sleeper, hook and hold. What a
    /// [`Retrying`](crate::Retrying) runs a call under, with the call's error type's config.
    pub(crate) fn with_config(
        &self,
        config: RetryConfig,
        budget: Option<RetryBudget>,
        rate_limit: RateLimitConfig,
    ) -> Self {
        Self {
            config,
            budget,
            sleeper: Arc::clone(&self.sleeper),
            on_retry: self.on_retry.clone(),
            on_pause: self.on_pause.clone(),
            store: Arc::clone(&self.store),
            local: self.local.clone(),
            links: Arc::clone(&self.links),
            tickets: Arc::clone(&self.tickets),
            reads_quota: false,
            context: Arc::clone(&self.context),
            system_wall: self.system_wall,
            rate_limit: self.rate_limit.clone(),
        }
        .with_rate_limit(rate_limit)
    }
}

/// The store's fast path ([`LimitStore::acquire_quick`], `release_quick`, `report_quick`), on
/// the in-process store directly when it is the one, through the trait object otherwise.
impl Retrier {
    #[inline]
    pub(crate) fn acquire_quick(
        &self,
        scope: &ScopeKey,
        reads_quota: bool,
        quotas: QuotaSet,
        now: &dyn Fn() -> Instant,
    ) -> Option<Ticket> {
        match &self.local {
            Some(local) => local.acquire_quick(scope, reads_quota, quotas, now),
            None => self.store.acquire_quick(scope, reads_quota, quotas, now),
        }
    }

    #[inline]
    pub(crate) fn release_quick(&self, scope: &ScopeKey, ticket: Ticket) {
        match &self.local {
            Some(local) => local.release_quick(scope, ticket),
            None => self.store.release_quick(scope, ticket),
        }
    }

    #[inline]
    pub(crate) fn report_quick(
        &self,
        scope: &ScopeKey,
        ticket: Ticket,
        stated: &StatedQuotas,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        match &self.local {
            Some(local) => local.report_quick(scope, ticket, stated, now),
            None => self.store.report_quick(scope, ticket, stated, now),
        }
    }
}

impl core::fmt::Debug for Retrier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Retrier")
            .field("config", &self.config)
            .field("budget", &self.budget)
            .field("on_retry", &self.on_retry.as_ref().map(|_| ".."))
            .field("on_pause", &self.on_pause.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}
