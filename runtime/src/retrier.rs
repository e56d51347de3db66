//! The retry engine.

use core::future::Future;
use core::ops::ControlFlow;
use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::{DefaultSleeper, RetryBudget, RetryConfig, RetryPolicy, Sleeper, StatusError};

type OnRetry = dyn Fn(u32, &dyn StatusError, Duration) + Send + Sync;

/// How many times one wait looks again for a later hold (see [`Attempts::sleep`]): a bound, so
/// that no sleeper or clock can keep a call waiting in a loop. The hold rarely moves more than
/// once during a wait, since calls that are waiting send nothing that could be refused.
const MAX_HOLD_CHECKS: usize = 4;

/// The retry engine: runs an operation, and after a failure decides whether and when to try
/// again, from a [`RetryConfig`] and what the error says about itself ([`StatusError`]).
///
/// After attempt `n` fails with error `e`, the engine stops and returns `e` unchanged if
/// 1. `e` does not retry for this request's idempotency ([`StatusError::is_retryable`]);
/// 2. `n` is `max_attempts` (0 counts as 1);
/// 3. the wait (below) cannot be honoured: the server asked for more than `max_retry_after`, or
///    waiting would pass `max_elapsed` (measured on the sleeper's clock from the first attempt);
/// 4. the [`RetryBudget`], if any, refuses. It is asked last, so a retry that does not happen
///    spends nothing; every first attempt deposits.
///
/// The wait before retry `n`:
/// - for an [`AfterHeader`](RetryPolicy::AfterHeader) error with a valid wait header
///   ([`StatusError::retry_after`]), the server's wait, exactly;
/// - otherwise the [backoff](RetryConfig::backoff) with jitter, and if the error carries a server
///   wait anyway, the larger of the two: a retry never comes before the server's stated time.
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
/// - a retry that is already waiting when another call learns a later stated time waits,
///   once, until that time too ([`Attempts::sleep`]), unless that would pass its call's
///   `max_elapsed`;
/// - [`run`](Self::run), [`run_blocking`](Self::run_blocking) and [`Attempts::ready`] make a
///   call's first attempt wait for the hold.
///
/// The hold only ever adds delay after a time a server named: nothing is sent earlier than
/// without it, and no wait above `max_retry_after` is ever taken on. Its effect is that the
/// calls that were refused come back together when the limit resets, instead of the first
/// ones back spending the new window's quota on fresh requests while the later ones are
/// refused a second time. Calls to unrelated services belong on separate retriers (they
/// would share a budget too).
///
/// With the `tracing` feature, each retry emits one `DEBUG` event with the fields `attempt`,
/// `status`, `delay_ms`, `reason` (`"wait header"` or `"backoff"`, whichever set the wait) and
/// `error`.
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
    config: RetryConfig,
    budget: Option<RetryBudget>,
    sleeper: Arc<dyn Sleeper>,
    on_retry: Option<Arc<OnRetry>>,
    hold: Arc<Hold>,
}

/// The latest instant, on the sleeper's clock, that a server named for coming back; see
/// "The server's hold" on [`Retrier`].
#[derive(Default)]
struct Hold(Mutex<Option<Instant>>);

impl Hold {
    fn until(&self) -> Option<Instant> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the hold to `until` if that is later.
    fn extend(&self, until: Instant) {
        let mut hold = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if hold.is_none_or(|h| h < until) {
            *hold = Some(until);
        }
    }

    /// How far the hold reaches past `instant`, if it does.
    fn past(&self, instant: Instant) -> Option<Duration> {
        self.until()
            .map(|until| until.saturating_duration_since(instant))
            .filter(|d| !d.is_zero())
    }
}

/// Why the engine waits what it waits; reported to `tracing`.
#[derive(Clone, Copy)]
enum WaitReason {
    /// The server's wait header decided the wait.
    Header,
    /// The backoff decided it.
    Backoff,
    /// A time a server named for another call of this retrier decided it.
    Hold,
}

/// What the engine does after a failed attempt.
enum Next {
    Stop,
    Retry(Duration, WaitReason),
}

/// The state of one call across its attempts.
struct Call {
    idempotent: bool,
    start: Instant,
    attempt: u32,
    /// The previous backoff, for decorrelated jitter.
    prev_backoff: Duration,
}

impl Retrier {
    /// An engine for `config`, with a [`RetryBudget`] if `config.budget` asks for one and the
    /// [`DefaultSleeper`].
    pub fn new(config: RetryConfig) -> Self {
        Self {
            budget: config.budget.map(RetryBudget::from),
            config,
            sleeper: Arc::new(DefaultSleeper::default()),
            on_retry: None,
            hold: Arc::default(),
        }
    }

    /// Uses `budget` (replacing any from the config); pass a clone of one budget to several
    /// retriers to make them share it.
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Waits and tells the time with `sleeper`.
    #[must_use]
    pub fn with_sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Arc::new(sleeper);
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

    /// Runs `f` until it succeeds or the engine stops (see [`Retrier`]), sleeping on the
    /// sleeper between attempts. `idempotent` says whether the request may safely be repeated
    /// (see [`is_idempotent`](crate::is_idempotent)). The first attempt waits for the server's
    /// hold, if one lasts (see [`Retrier`]).
    ///
    /// The future is `Send` when `f` and its futures are, and does not need them to be.
    pub async fn run<T, E, F, Fut>(&self, idempotent: bool, mut f: F) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempts = self.attempts(idempotent);
        attempts.ready().await;
        loop {
            match attempts.after(f().await) {
                ControlFlow::Break(result) => return result,
                ControlFlow::Continue(wait) => attempts.sleep(wait).await,
            }
        }
    }

    /// Like [`run`](Self::run) for a blocking operation: waits with
    /// [`Sleeper::sleep_blocking`], blocking the thread.
    ///
    /// ```
    /// # #[derive(Debug)] struct MyError;
    /// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("400") } }
    /// # impl std::error::Error for MyError {}
    /// # impl errspec::StatusError for MyError {
    /// #     fn status(&self) -> Option<errspec::http::StatusCode> { Some(errspec::http::StatusCode::BAD_REQUEST) }
    /// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Never }
    /// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
    /// #     fn hint(&self) -> Option<&'static str> { None }
    /// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
    /// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
    /// # }
    /// use errspec::{Retrier, RetryConfig};
    ///
    /// let retrier = Retrier::new(RetryConfig::new());
    /// let mut calls = 0;
    /// let result: Result<(), MyError> = retrier.run_blocking(true, || {
    ///     calls += 1;
    ///     Err(MyError) // policy "never": returned at once
    /// });
    /// assert!(result.is_err());
    /// assert_eq!(calls, 1);
    /// ```
    pub fn run_blocking<T, E, F>(&self, idempotent: bool, mut f: F) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Result<T, E>,
    {
        let mut attempts = self.attempts(idempotent);
        attempts.ready_blocking();
        loop {
            match attempts.after(f()) {
                ControlFlow::Break(result) => return result,
                ControlFlow::Continue(wait) => attempts.sleep_blocking(wait),
            }
        }
    }

    /// The state of one call across its attempts, for code that drives its own loop (as
    /// `#[errspec::client]` generates): feed each attempt's result to [`Attempts::after`],
    /// which says whether to return or how long to wait before the next attempt. A first
    /// attempt is counted against the budget here.
    ///
    /// ```
    /// # #[derive(Debug)] struct MyError;
    /// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("503") } }
    /// # impl std::error::Error for MyError {}
    /// # impl errspec::StatusError for MyError {
    /// #     fn status(&self) -> Option<errspec::http::StatusCode> { Some(errspec::http::StatusCode::SERVICE_UNAVAILABLE) }
    /// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Idempotent }
    /// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
    /// #     fn hint(&self) -> Option<&'static str> { None }
    /// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
    /// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
    /// # }
    /// use std::ops::ControlFlow;
    /// use std::time::Duration;
    /// use errspec::{Jitter, Retrier, RetryConfig};
    ///
    /// let retrier = Retrier::new(RetryConfig::new().with_jitter(Jitter::None));
    /// let mut attempts = retrier.attempts(true);
    /// let first: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(first), ControlFlow::Continue(d) if d == Duration::from_millis(100)));
    /// let second: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(second), ControlFlow::Continue(d) if d == Duration::from_millis(200)));
    /// let third: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(third), ControlFlow::Break(Err(MyError)))); // max_attempts = 3
    /// ```
    pub fn attempts(&self, idempotent: bool) -> Attempts<'_> {
        Attempts {
            call: self.start(idempotent),
            retrier: self,
        }
    }

    /// Waits `duration` on the sleeper.
    pub async fn sleep(&self, duration: Duration) {
        self.sleeper.sleep(duration).await;
    }

    /// Waits `duration` on the sleeper, blocking the thread.
    pub fn sleep_blocking(&self, duration: Duration) {
        self.sleeper.sleep_blocking(duration);
    }

    fn start(&self, idempotent: bool) -> Call {
        if let Some(budget) = &self.budget {
            budget.deposit();
        }
        Call {
            idempotent,
            start: self.sleeper.now(),
            attempt: 0,
            prev_backoff: self.config.initial_backoff,
        }
    }

    /// The decision after a failed attempt, with the hook and the trace event of a retry.
    fn next<E: StatusError>(&self, call: &mut Call, err: &E) -> Next {
        call.attempt = call.attempt.saturating_add(1);
        let next = self.decide(call, err);
        if let Next::Retry(wait, reason) = next {
            trace(call.attempt, err, wait, reason);
            if let Some(hook) = &self.on_retry {
                hook(call.attempt, err, wait);
            }
        }
        next
    }

    fn decide(&self, call: &mut Call, err: &dyn StatusError) -> Next {
        let config = &self.config;
        if !err.is_retryable(call.idempotent) || call.attempt >= config.max_attempts.max(1) {
            return Next::Stop;
        }
        let server_wait = err.retry_after();
        if server_wait.is_some_and(|w| w > config.max_retry_after) {
            return Next::Stop;
        }
        let (mut wait, mut reason) = match server_wait {
            Some(server) if err.policy() == RetryPolicy::AfterHeader => {
                (server, WaitReason::Header)
            }
            _ => {
                let backoff = config.backoff(call.attempt, call.prev_backoff);
                call.prev_backoff = backoff;
                match server_wait {
                    Some(server) if server > backoff => (server, WaitReason::Header),
                    _ => (backoff, WaitReason::Backoff),
                }
            }
        };
        let now = self.sleeper.now();
        if let Some(held) = self.hold.past(now)
            && held > wait
        {
            (wait, reason) = (held, WaitReason::Hold);
        }
        if let Some(max_elapsed) = config.max_elapsed {
            let elapsed = now.saturating_duration_since(call.start);
            if elapsed
                .checked_add(wait)
                .is_none_or(|end| end > max_elapsed)
            {
                return Next::Stop;
            }
        }
        if let Some(budget) = &self.budget
            && !budget.try_withdraw()
        {
            return Next::Stop;
        }
        if let Some(until) = server_wait.and_then(|w| now.checked_add(w)) {
            self.hold.extend(until);
        }
        Next::Retry(wait, reason)
    }
}

#[cfg(feature = "tracing")]
fn trace(attempt: u32, err: &dyn StatusError, delay: Duration, reason: WaitReason) {
    let reason = match reason {
        WaitReason::Header => "wait header",
        WaitReason::Backoff => "backoff",
        WaitReason::Hold => "server hold",
    };
    tracing::debug!(
        attempt,
        status = err.status().map(|s| s.as_u16()),
        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        reason,
        error = %err,
        "retrying after a failed attempt",
    );
}

#[cfg(not(feature = "tracing"))]
fn trace(_: u32, _: &dyn StatusError, _: Duration, _: WaitReason) {}

/// One call's retry state; see [`Retrier::attempts`].
pub struct Attempts<'r> {
    retrier: &'r Retrier,
    call: Call,
}

impl Attempts<'_> {
    /// Takes an attempt's result: `Break` with the result to return (a success, or an error
    /// the engine will not retry, unchanged), or `Continue` with the wait before the next
    /// attempt (the `on_retry` hook has been called and the error dropped).
    pub fn after<T, E: StatusError>(
        &mut self,
        result: Result<T, E>,
    ) -> ControlFlow<Result<T, E>, Duration> {
        match result {
            Ok(value) => ControlFlow::Break(Ok(value)),
            Err(err) => match self.retrier.next(&mut self.call, &err) {
                Next::Stop => ControlFlow::Break(Err(err)),
                Next::Retry(wait, _) => ControlFlow::Continue(wait),
            },
        }
    }

    /// How many attempts have failed so far.
    pub fn failed(&self) -> u32 {
        self.call.attempt
    }

    /// Whether the attempt about to start is the last one `max_attempts` allows.
    pub fn is_last(&self) -> bool {
        self.call.attempt.saturating_add(1) >= self.retrier.config.max_attempts.max(1)
    }

    /// An argument for the attempt about to start: a clone while another attempt may follow,
    /// the value itself for the last one. Generated code keeps each argument in an `Option`.
    #[doc(hidden)]
    pub fn pass<A: crate::__private::RetryArgument>(&self, slot: &mut Option<A>) -> A {
        match slot {
            Some(value) if !self.is_last() => value.clone_for_attempt(),
            _ => crate::__private::take_argument(slot),
        }
    }

    /// Waits `duration` (the wait [`after`](Self::after) gave) on the retrier's sleeper; then,
    /// if meanwhile another call of the retrier learnt a later time the server named, until
    /// that time too, unless that would pass this call's `max_elapsed` (see "The server's
    /// hold" on [`Retrier`]).
    pub async fn sleep(&self, duration: Duration) {
        let mut planned = self.retrier.sleeper.now().checked_add(duration);
        let mut wait = duration;
        for _ in 0..MAX_HOLD_CHECKS {
            self.retrier.sleeper.sleep(wait).await;
            match self.hold_after(planned) {
                Some((more, end)) => (wait, planned) = (more, Some(end)),
                None => return,
            }
        }
    }

    /// [`sleep`](Self::sleep), blocking the thread.
    pub fn sleep_blocking(&self, duration: Duration) {
        let mut planned = self.retrier.sleeper.now().checked_add(duration);
        let mut wait = duration;
        for _ in 0..MAX_HOLD_CHECKS {
            self.retrier.sleeper.sleep_blocking(wait);
            match self.hold_after(planned) {
                Some((more, end)) => (wait, planned) = (more, Some(end)),
                None => return,
            }
        }
    }

    /// Waits until the server's hold ends, if one lasts, and then starts the call's clock for
    /// `max_elapsed`; for the first attempt of a call that drives its own loop
    /// ([`Retrier::run`] calls it).
    pub async fn ready(&mut self) {
        let now = self.retrier.sleeper.now();
        if let Some(held) = self.retrier.hold.past(now) {
            self.call.start = now;
            self.sleep(held).await;
            self.call.start = self.retrier.sleeper.now();
        }
    }

    /// [`ready`](Self::ready), blocking the thread.
    pub fn ready_blocking(&mut self) {
        let now = self.retrier.sleeper.now();
        if let Some(held) = self.retrier.hold.past(now) {
            self.call.start = now;
            self.sleep_blocking(held);
            self.call.start = self.retrier.sleeper.now();
        }
    }

    /// How much longer than a wait planned to end at `planned` the hold asks for, and when the
    /// longer wait ends, if the hold reaches past `planned` and the call's `max_elapsed` allows
    /// waiting for it. Measured from `planned`, not from the clock, so a sleeper whose clock
    /// does not move with its waits cannot make it wait again and again.
    fn hold_after(&self, planned: Option<Instant>) -> Option<(Duration, Instant)> {
        let planned = planned?;
        let more = self.retrier.hold.past(planned)?;
        let end = planned.checked_add(more)?;
        let allowed = self.retrier.config.max_elapsed.is_none_or(|max_elapsed| {
            end.saturating_duration_since(self.call.start) <= max_elapsed
        });
        allowed.then_some((more, end))
    }
}

impl core::fmt::Debug for Attempts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Attempts")
            .field("idempotent", &self.call.idempotent)
            .field("failed", &self.call.attempt)
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for Retrier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Retrier")
            .field("config", &self.config)
            .field("budget", &self.budget)
            .field("on_retry", &self.on_retry.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}

/// Runs `f` under a [`Retrier`] with the default [`RetryConfig`] and sleeper: the shorthand for
/// `Retrier::new(RetryConfig::default()).run(idempotent, f)`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # #[derive(Debug)] struct MyError;
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("e") } }
/// # impl std::error::Error for MyError {}
/// # impl errspec::StatusError for MyError {
/// #     fn status(&self) -> Option<errspec::http::StatusCode> { None }
/// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Never }
/// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
/// #     fn hint(&self) -> Option<&'static str> { None }
/// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
/// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
/// # }
/// let value = errspec::retry(true, || async { Ok::<_, MyError>(42) }).await;
/// assert_eq!(value.unwrap(), 42);
/// # }
/// ```
pub async fn retry<T, E, F, Fut>(idempotent: bool, f: F) -> Result<T, E>
where
    E: StatusError,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    Retrier::new(RetryConfig::default())
        .run(idempotent, f)
        .await
}

/// Runs blocking `f` under a [`Retrier`] with the default [`RetryConfig`] and sleeper: the
/// shorthand for `Retrier::new(RetryConfig::default()).run_blocking(idempotent, f)`.
pub fn retry_blocking<T, E, F>(idempotent: bool, f: F) -> Result<T, E>
where
    E: StatusError,
    F: FnMut() -> Result<T, E>,
{
    Retrier::new(RetryConfig::default()).run_blocking(idempotent, f)
}
