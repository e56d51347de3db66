//! One call's state across its attempts, for loops that the engine does not drive itself.

use core::ops::ControlFlow;
use core::time::Duration;
use std::borrow::Cow;
use std::time::Instant;

use crate::retrier::Next;
use crate::{Idempotency, Retrier, StatusError};

/// How many times one wait looks again for a later hold (see [`Attempts::sleep`]): a bound, so
/// that no sleeper or clock can keep a call waiting in a loop. The hold rarely moves more than
/// once during a wait, since calls that are waiting send nothing that could be refused.
const MAX_HOLD_CHECKS: usize = 4;

/// The state of one call across its attempts.
pub(crate) struct Call {
    pub(crate) idempotency: Idempotency,
    pub(crate) start: Instant,
    pub(crate) attempt: u32,
    /// The previous backoff, for decorrelated jitter.
    pub(crate) prev_backoff: Duration,
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
            .field("idempotency", &self.call.idempotency)
            .field("failed", &self.call.attempt)
            .finish_non_exhaustive()
    }
}
