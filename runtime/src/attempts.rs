//! One call's state across its attempts, for loops that the engine does not drive itself.

use core::future::Future;
use core::ops::ControlFlow;
use core::time::Duration;
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::decide::Next;
use crate::limits::{Key, Pause, Permit};
use crate::observe::Observer;
use crate::{Idempotency, Retrier, StatusError};

/// How many times one call looks again for a hold or a pacing wait before an attempt (see
/// [`Attempts::sleep`]): a bound, so that no sleeper or clock can keep a call waiting in a
/// loop. What a call waits for holds and pacing is bounded anyway, by `max_retry_after` in
/// all. (A call whose scope's stated quota is no more than its requests out looks again every
/// few milliseconds, until their answers say; past this bound it is sent.)
const MAX_HOLD_CHECKS: usize = 128;

/// The state of one call across its attempts.
pub(crate) struct Call {
    pub(crate) idempotency: Idempotency,
    /// When the call began, on the sleeper's clock: `max_elapsed` counts from here, waits for
    /// holds included.
    pub(crate) start: Instant,
    pub(crate) attempt: u32,
    /// The previous backoff, for decorrelated jitter.
    pub(crate) prev_backoff: Duration,
    /// What the call has waited for holds beyond its own waits: at most `max_retry_after`.
    pub(crate) held: Duration,
    /// Whether the first attempt was sent (and counted against the budget).
    pub(crate) sent: bool,
    /// The scope of `[rate_limit]` the call is in.
    pub(crate) key: Key,
    /// The client method the call is of (`""` outside a generated client).
    pub(crate) method: &'static str,
    /// The scope whose hold the call's next attempt waits for, counted there among the refused
    /// calls due to retry when it ends (their turn comes before first attempts').
    pub(crate) retrying: Option<Key>,
}

/// One call's retry state; see [`Retrier::attempts`].
///
/// It borrows the [`Retrier`] it came from ([`Retrier::attempts`]), or owns the engine a
/// [`Retrying`](crate::Retrying) made for the call.
pub struct Attempts<'r> {
    retrier: Cow<'r, Retrier>,
    call: Call,
    /// The most attempts the call can make, whatever its errors say: `max_attempts`, or more
    /// where an error type's status or case allows more.
    most: u32,
    /// Reads the responses' rate-limit headers, when `[rate_limit]` names any.
    observer: Option<Arc<Observer>>,
    /// The attempt out, if one is: counted in its scope's requests in flight by this number.
    in_flight: Option<u64>,
}

impl<'r> Attempts<'r> {
    /// A call of `method` (`""` outside a generated client).
    pub(crate) fn new(
        retrier: Cow<'r, Retrier>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Self {
        let call = retrier.start(idempotency, method);
        let most = retrier.config.max_attempts.max(1);
        let observer = retrier.rate_limit.reads_responses().then(|| {
            Arc::new(Observer {
                limits: Arc::clone(&retrier.limits),
                config: retrier.rate_limit.clone(),
                method,
                sleeper: Arc::clone(&retrier.sleeper),
                attempt: AtomicU64::new(0),
            })
        });
        Self {
            retrier,
            call,
            most,
            observer,
            in_flight: None,
        }
    }

    /// The attempts of a call of `method` whose errors are `E`s, some of which may allow more
    /// attempts than the config.
    pub(crate) fn for_error<E: StatusError>(
        retrier: Cow<'r, Retrier>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Self {
        let mut attempts = Self::new(retrier, idempotency, method);
        attempts.most = attempts.most.max(E::most_attempts());
        attempts
    }

    /// Takes an attempt's result: `Break` with the result to return (a success, or an error
    /// the engine will not retry, unchanged), or `Continue` with the wait before the next
    /// attempt (the `on_retry` hook has been called and the error dropped).
    pub fn after<T, E: StatusError>(
        &mut self,
        result: Result<T, E>,
    ) -> ControlFlow<Result<T, E>, Duration> {
        // an attempt came back, so it was sent: a loop that never called `ready` deposits here
        self.retrier.deposit(&mut self.call);
        if let Some(attempt) = self.in_flight.take() {
            let now = self.retrier.sleeper.now();
            self.retrier
                .limits
                .done(&self.call.key, attempt, result.is_ok(), now);
        }
        // a response may have named the call's bucket
        self.call.key = self
            .retrier
            .limits
            .key(&self.retrier.rate_limit, self.call.method);
        match result {
            Ok(value) => ControlFlow::Break(Ok(value)),
            Err(err) => match self.retrier.next(&mut self.call, &err) {
                Next::Stop => ControlFlow::Break(Err(err)),
                Next::Retry(wait, _) => ControlFlow::Continue(wait),
            },
        }
    }

    /// Whether the attempt about to start is the last one `max_attempts` allows.
    ///
    /// An error whose status or case says `max_attempts` can allow more or fewer attempts
    /// than the config; a call of a generated client knows its error type's most, other
    /// loops count the config's.
    pub fn is_last(&self) -> bool {
        self.call.attempt.saturating_add(1) >= self.most
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

    /// Runs an attempt's future with this call as the current one, so that the responses it
    /// reports through [`observe`](crate::observe) (as `errspec::reqwest::check` does) teach
    /// the call's scope their quota.
    pub fn observing<F: Future>(&self, attempt: F) -> impl Future<Output = F::Output> + use<F> {
        crate::observe::observing(self.observer.clone(), attempt)
    }

    /// [`observing`](Self::observing) for a blocking attempt.
    pub fn observing_blocking<R>(&self, attempt: impl FnOnce() -> R) -> R {
        crate::observe::within(self.observer.as_ref(), attempt)
    }

    /// Waits `duration` (the wait [`after`](Self::after) gave) on the retrier's sleeper; then,
    /// before the next attempt, for what holds or paces the call's scope meanwhile (another
    /// call learnt a later time the server named, or the scope's quota is spent), as long as
    /// the call's `max_elapsed` allows and the call has waited less than `max_retry_after` for
    /// holds and pacing in all (see "The server's hold" on [`Retrier`]).
    pub async fn sleep(&mut self, duration: Duration) {
        let mut at = self.retrier.sleeper.now().checked_add(duration);
        self.retrier.sleeper.sleep(duration).await;
        for _ in 0..MAX_HOLD_CHECKS {
            match self.next_wait(false, &mut at) {
                Ok(None) | Err(()) => return,
                Ok(Some(wait)) => self.retrier.sleeper.sleep(wait).await,
            }
        }
        self.go();
    }

    /// [`sleep`](Self::sleep), blocking the thread.
    pub fn sleep_blocking(&mut self, duration: Duration) {
        let mut at = self.retrier.sleeper.now().checked_add(duration);
        self.retrier.sleeper.sleep_blocking(duration);
        for _ in 0..MAX_HOLD_CHECKS {
            match self.next_wait(false, &mut at) {
                Ok(None) | Err(()) => return,
                Ok(Some(wait)) => self.retrier.sleeper.sleep_blocking(wait),
            }
        }
        self.go();
    }

    /// Waits for what holds or paces the call's scope before its first attempt, and counts
    /// that attempt against the budget, since it is about to be sent ([`Retrier::run`] calls
    /// it; so does the code `#[errspec::client]` generates).
    ///
    /// The wait is at most `max_retry_after` in all. If a server-stated wait (a hold, or a
    /// stated quota spent until its reset) would pass the call's `max_elapsed`, the call is not
    /// sent at all: `ready` returns at once with the error of the status that set the hold
    /// (`E::from_parts` of that status alone; 429 for a spent quota or a hold without a status),
    /// which is what sending then would have got.
    pub async fn ready<E: StatusError>(&mut self) -> Result<(), E> {
        let mut at = Some(self.retrier.sleeper.now());
        for _ in 0..MAX_HOLD_CHECKS {
            match self.next_wait(true, &mut at) {
                Ok(None) => break,
                Ok(Some(wait)) => self.retrier.sleeper.sleep(wait).await,
                Err(()) => return Err(self.held_error()),
            }
        }
        self.go();
        self.retrier.deposit(&mut self.call);
        Ok(())
    }

    /// [`ready`](Self::ready), blocking the thread.
    pub fn ready_blocking<E: StatusError>(&mut self) -> Result<(), E> {
        let mut at = Some(self.retrier.sleeper.now());
        for _ in 0..MAX_HOLD_CHECKS {
            match self.next_wait(true, &mut at) {
                Ok(None) => break,
                Ok(Some(wait)) => self.retrier.sleeper.sleep_blocking(wait),
                Err(()) => return Err(self.held_error()),
            }
        }
        self.go();
        self.retrier.deposit(&mut self.call);
        Ok(())
    }

    /// What to wait before the next attempt, whose waits so far end `at` (measured from the
    /// waits, not the clock, so a sleeper whose clock does not move with its waits cannot make
    /// a call wait again and again): `Ok(None)` to send (counted in flight), `Ok(Some(wait))`
    /// to wait (counted in the call's hold budget; `at` moves to its end), `Err(())` when a
    /// server-stated wait would pass `max_elapsed` (a first attempt is then not sent; a retry
    /// is sent as decided).
    fn next_wait(&mut self, first: bool, at: &mut Option<Instant>) -> Result<Option<Duration>, ()> {
        if self.in_flight.is_some() {
            return Ok(None);
        }
        let config = &self.retrier.config;
        let clock = self.retrier.sleeper.now();
        let now = at.map_or(clock, |at| at.max(clock));
        *at = Some(now);
        let budget = config.max_retry_after.saturating_sub(self.call.held);
        let attempt = self.retrier.limits.next_attempt();
        let permit = self.retrier.limits.permit(
            &self.call.key,
            now,
            self.retrier.rate_limit.pacing,
            config.max_retry_after,
            first,
            attempt,
        );
        let (wait, pause) = match permit {
            Permit::Go => {
                self.sending(attempt);
                return Ok(None);
            }
            Permit::Held(wait) => (wait, Pause::Hold),
            Permit::Quota(wait) => (wait, Pause::StatedQuota),
            Permit::Paced(wait) => (wait, Pause::LearnedQuota),
        };
        let stated = pause != Pause::LearnedQuota;
        let wait = wait.min(budget);
        let elapsed = now.saturating_duration_since(self.call.start);
        let past_deadline = config
            .max_elapsed
            .is_some_and(|max| elapsed.checked_add(wait).is_none_or(|end| end > max));
        if wait.is_zero() || past_deadline {
            if first && stated && past_deadline {
                return Err(());
            }
            self.go();
            return Ok(None);
        }
        self.call.held = self.call.held.saturating_add(wait);
        *at = now.checked_add(wait);
        self.retrier.paused(pause, wait);
        Ok(Some(wait))
    }

    /// Counts the attempt about to be sent in flight, without asking.
    fn go(&mut self) {
        if self.in_flight.is_none() {
            let attempt = self.retrier.limits.next_attempt();
            self.retrier.limits.force(&self.call.key, attempt);
            self.sending(attempt);
        }
    }

    /// `attempt` is out: the responses reported meanwhile answer it.
    fn sending(&mut self, attempt: u64) {
        if let Some(key) = self.call.retrying.take() {
            self.retrier.limits.retried(&key);
        }
        self.in_flight = Some(attempt);
        if let Some(observer) = &self.observer {
            observer.attempt.store(attempt, Ordering::Relaxed);
        }
    }

    /// The error a call not sent because of a hold returns.
    fn held_error<E: StatusError>(&self) -> E {
        let status = self
            .retrier
            .limits
            .hold_status(&self.call.key)
            .unwrap_or(http::StatusCode::TOO_MANY_REQUESTS);
        E::from_parts(status, &http::HeaderMap::new(), None)
    }
}

impl Drop for Attempts<'_> {
    /// A call dropped with an attempt out (cancelled mid-request) is no longer in flight; one
    /// dropped before its retry no longer waits for its turn.
    fn drop(&mut self) {
        if let Some(key) = self.call.retrying.take() {
            self.retrier.limits.retried(&key);
        }
        if let Some(attempt) = self.in_flight {
            let now = self.retrier.sleeper.now();
            self.retrier
                .limits
                .done(&self.call.key, attempt, false, now);
        }
    }
}

impl core::fmt::Debug for Attempts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Attempts")
            .field("idempotency", &self.call.idempotency)
            .field("failed", &self.call.attempt)
            .finish_non_exhaustive()
    }
}
