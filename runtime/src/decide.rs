//! The engine's decision after a failed attempt, over one call's state: what the error says,
//! what the rate-limit store knows of the call's scope, and the rules of
//! [`RetryConfig::decide`](crate::RetryConfig::decide), written once in `errspec-core`.

use core::time::Duration;
use std::time::Instant;

use errspec_core::{Decision, Failure, WaitReason};

use crate::limits::{QuotaSet, ScopeKey};
use crate::{Idempotency, Retrier, StatusError};

/// What one call's decisions depend on across its attempts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub(crate) idempotency: Idempotency,
    /// When the call began, on the sleeper's clock, if `max_elapsed` is set (it counts from
    /// here, waits for holds included).
    pub(crate) start: Option<Instant>,
    /// The failed attempts so far.
    pub(crate) attempt: u32,
    /// The previous backoff, for decorrelated jitter.
    pub(crate) prev_backoff: Duration,
    /// What the call has waited for holds and pacing beyond its own waits: at most
    /// `max_retry_after`.
    pub(crate) held: Duration,
    /// The quotas of its scope the call's requests count against (all until its HTTP method
    /// is told).
    pub(crate) quotas: QuotaSet,
}

/// What the engine does after a failed attempt.
pub(crate) enum Next {
    Stop,
    Retry(Duration),
}

impl Call {
    pub(crate) fn new(retrier: &Retrier, idempotency: Idempotency) -> Self {
        Self {
            idempotency,
            start: retrier.config.max_elapsed.map(|_| retrier.sleeper.now()),
            attempt: 0,
            prev_backoff: retrier.config.initial_backoff,
            held: Duration::ZERO,
            quotas: QuotaSet::ALL,
        }
    }

    /// How long the call has run at `now`, when that matters (`max_elapsed` is set).
    pub(crate) fn elapsed(&self, now: Instant) -> Option<Duration> {
        self.start.map(|start| now.saturating_duration_since(start))
    }
}

impl Retrier {
    /// The decision after attempt `call.attempt + 1` failed with `err` in `scope` at `now`,
    /// the retry's budget withdrawn and its hook and trace event given. The budget is asked
    /// last, so a retry that does not happen spends nothing.
    pub(crate) fn next<E: StatusError>(
        &self,
        call: &mut Call,
        err: &E,
        scope: ScopeKey,
        now: Instant,
    ) -> (Next, Option<crate::budget::Withdrawal>) {
        call.attempt = call.attempt.saturating_add(1);
        let config = &self.config;
        let failure = {
            let mut f = Failure::new(
                call.attempt,
                err.is_retryable(call.idempotency),
                err.policy(),
            );
            f.max_attempts = err.max_attempts();
            f.server_wait = err.retry_after();
            f.min_wait = err.min_wait();
            f.prev_backoff = call.prev_backoff;
            f.held = call.held;
            f.elapsed = call.elapsed(now);
            f
        };
        // the store is asked only for a retry that may happen
        let stated = if failure.retryable
            && failure.attempt < err.max_attempts().unwrap_or(config.max_attempts).max(1)
        {
            self.store
                .peek_for(scope, call.quotas, now, config.max_retry_after)
                .map(|(wait, _)| wait)
        } else {
            None
        };
        let mut failure = failure;
        failure.stated = stated;
        let Decision::Retry {
            wait,
            reason,
            backoff,
            held,
        } = config.decide(&failure)
        else {
            return (Next::Stop, None);
        };
        let withdrawal = match &self.budget {
            Some(budget) => match budget.withdraw_at(Some(now)) {
                Some(w) => Some(w),
                None => return (Next::Stop, None),
            },
            None => None,
        };
        call.prev_backoff = backoff;
        call.held = call.held.saturating_add(held);
        trace(call.attempt, err, wait, reason);
        if let Some(hook) = &self.on_retry {
            hook(call.attempt, err, wait);
        }
        (Next::Retry(wait), withdrawal)
    }
}

#[cfg(feature = "tracing")]
fn trace(attempt: u32, err: &dyn StatusError, delay: Duration, reason: WaitReason) {
    tracing::debug!(
        attempt,
        status = err.status().map(|s| s.as_u16()),
        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        reason = reason.as_str(),
        error = %err,
        "retrying after a failed attempt",
    );
}

#[cfg(not(feature = "tracing"))]
fn trace(_: u32, _: &dyn StatusError, _: Duration, _: WaitReason) {}
