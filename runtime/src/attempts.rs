//! One call's state across its attempts, for loops that the engine does not drive itself.

use core::ops::ControlFlow;
use core::time::Duration;
use std::borrow::Cow;
use std::time::Instant;

use crate::retrier::Next;
use crate::{Idempotency, Retrier, StatusError};

/// How many times one wait looks again for a later hold (see [`Attempts::sleep`]): a bound, so
/// that no sleeper or clock can keep a call waiting in a loop. What a call waits for holds is
/// bounded anyway, by `max_retry_after` in all.
const MAX_HOLD_CHECKS: usize = 4;

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
}

impl<'r> Attempts<'r> {
    /// A call's first attempt is about to be made: counted against the budget here.
    pub(crate) fn new(retrier: Cow<'r, Retrier>, idempotency: Idempotency) -> Self {
        let call = retrier.start(idempotency);
        let most = retrier.config.max_attempts.max(1);
        Self {
            retrier,
            call,
            most,
        }
    }

    /// The attempts of a call whose errors are `E`s, some of which may allow more attempts
    /// than the config.
    pub(crate) fn for_error<E: StatusError>(
        retrier: Cow<'r, Retrier>,
        idempotency: Idempotency,
    ) -> Self {
        let mut attempts = Self::new(retrier, idempotency);
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

    /// Waits `duration` (the wait [`after`](Self::after) gave) on the retrier's sleeper; then,
    /// if meanwhile another call of the retrier learnt a later time the server named, until
    /// that time too, as long as the call's `max_elapsed` allows and the call has waited less
    /// than `max_retry_after` for holds in all (see "The server's hold" on [`Retrier`]).
    pub async fn sleep(&mut self, duration: Duration) {
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
    pub fn sleep_blocking(&mut self, duration: Duration) {
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

    /// Waits until the server's hold ends, if one lasts, before the call's first attempt, and
    /// counts that attempt against the budget, since it is about to be sent ([`Retrier::run`]
    /// calls it; so does the code `#[errspec::client]` generates).
    ///
    /// The wait is at most `max_retry_after`. If it would pass the call's `max_elapsed`, the
    /// call is not sent at all: `ready` returns at once with the error of the status that set
    /// the hold (`E::from_parts` of that status alone, 503 if it had none), which is what
    /// sending during the hold would have got.
    pub async fn ready<E: StatusError>(&mut self) -> Result<(), E> {
        if let Some(held) = self.hold_before_first()? {
            self.sleep(held).await;
        }
        self.retrier.deposit(&mut self.call);
        Ok(())
    }

    /// [`ready`](Self::ready), blocking the thread.
    pub fn ready_blocking<E: StatusError>(&mut self) -> Result<(), E> {
        if let Some(held) = self.hold_before_first()? {
            self.sleep_blocking(held);
        }
        self.retrier.deposit(&mut self.call);
        Ok(())
    }

    /// The hold to wait for before the first attempt (counted against the call's hold budget),
    /// or the error to return when waiting for it would pass `max_elapsed`.
    fn hold_before_first<E: StatusError>(&mut self) -> Result<Option<Duration>, E> {
        let config = &self.retrier.config;
        let now = self.retrier.sleeper.now();
        let budget = config.max_retry_after.saturating_sub(self.call.held);
        let Some(held) = self
            .retrier
            .hold
            .past(now, config.max_retry_after)
            .map(|d| d.min(budget))
            .filter(|d| !d.is_zero())
        else {
            return Ok(None);
        };
        let elapsed = now.saturating_duration_since(self.call.start);
        if let Some(max_elapsed) = config.max_elapsed
            && elapsed
                .checked_add(held)
                .is_none_or(|end| end > max_elapsed)
        {
            let status = self
                .retrier
                .hold
                .status()
                .unwrap_or(http::StatusCode::SERVICE_UNAVAILABLE);
            return Err(E::from_parts(status, &http::HeaderMap::new(), None));
        }
        self.call.held = self.call.held.saturating_add(held);
        Ok(Some(held))
    }

    /// How much longer than a wait planned to end at `planned` the hold asks for, and when the
    /// longer wait ends, if the hold reaches past `planned`, the call's `max_elapsed` allows
    /// waiting for it, and the call has hold budget left (what it can still wait is counted
    /// here). Measured from `planned`, not from the clock, so a sleeper whose clock does not
    /// move with its waits cannot make it wait again and again.
    fn hold_after(&mut self, planned: Option<Instant>) -> Option<(Duration, Instant)> {
        let planned = planned?;
        let config = &self.retrier.config;
        let budget = config.max_retry_after.saturating_sub(self.call.held);
        let more = self
            .retrier
            .hold
            .past(planned, config.max_retry_after)?
            .min(budget);
        if more.is_zero() {
            return None;
        }
        let end = planned.checked_add(more)?;
        let allowed = config.max_elapsed.is_none_or(|max_elapsed| {
            end.saturating_duration_since(self.call.start) <= max_elapsed
        });
        if !allowed {
            return None;
        }
        self.call.held = self.call.held.saturating_add(more);
        Some((more, end))
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
