//! The engine's decision after a failed attempt: whether to retry, and how long to wait (the
//! error's own wait, backoff, `min_wait`, the scope's hold), within the call's limits.

use core::time::Duration;

use crate::attempts::Call;
use crate::limits::Permit;
use crate::{Idempotency, Retrier, RetryPolicy, StatusError};

/// Why the engine waits what it waits; reported to `tracing`.
#[derive(Clone, Copy)]
pub(crate) enum WaitReason {
    /// The server's wait header decided the wait.
    Header,
    /// The backoff decided it.
    Backoff,
    /// A time a server named for another call of this retrier decided it.
    Hold,
    /// `min_wait` decided it.
    MinWait,
}

/// What the engine does after a failed attempt.
pub(crate) enum Next {
    Stop,
    Retry(Duration, WaitReason),
}

impl Retrier {
    pub(crate) fn start(&self, idempotency: Idempotency, method: &'static str) -> Call {
        Call {
            key: self.limits.key(&self.rate_limit, method),
            method,
            idempotency,
            start: self.sleeper.now(),
            attempt: 0,
            prev_backoff: self.config.initial_backoff,
            held: Duration::ZERO,
            sent: false,
            retrying: None,
        }
    }

    /// Counts a call's first attempt against the budget, once, when it is sent.
    pub(crate) fn deposit(&self, call: &mut Call) {
        if !call.sent {
            call.sent = true;
            if let Some(budget) = &self.budget {
                budget.deposit();
            }
        }
    }

    /// The decision after a failed attempt, with the hook and the trace event of a retry.
    pub(crate) fn next<E: StatusError>(&self, call: &mut Call, err: &E) -> Next {
        call.attempt = call.attempt.saturating_add(1);
        let retryable = err.is_retryable(call.idempotency);
        let next = self.decide(call, err, retryable);
        if let Next::Retry(wait, reason) = next {
            trace(call.attempt, err, wait, reason);
            if let Some(hook) = &self.on_retry {
                hook(call.attempt, err, wait);
            }
        }
        next
    }

    fn decide(&self, call: &mut Call, err: &dyn StatusError, retryable: bool) -> Next {
        let config = &self.config;
        let max_attempts = err.max_attempts().unwrap_or(config.max_attempts).max(1);
        if !retryable || call.attempt >= max_attempts {
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
        // `min_wait`, the config's and the error's, is a floor on any wait.
        if let Some(floor) = config.min_wait.max(err.min_wait())
            && floor > wait
        {
            (wait, reason) = (floor, WaitReason::MinWait);
        }
        let now = self.sleeper.now();
        let hold_budget = config.max_retry_after.saturating_sub(call.held);
        if let Permit::Held(held) = self
            .limits
            .permit_hold(&call.key, now, config.max_retry_after)
            && held > wait
        {
            // the hold adds what it asks beyond this wait, within the call's hold budget
            let extra = held.saturating_sub(wait).min(hold_budget);
            if !extra.is_zero() {
                call.held = call.held.saturating_add(extra);
                (wait, reason) = (wait.saturating_add(extra), WaitReason::Hold);
            }
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
            self.limits.hold(&call.key, now, until, err.status());
            if let Some(key) = call.retrying.replace(call.key.clone()) {
                self.limits.retried(&key);
            }
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
        WaitReason::MinWait => "min_wait",
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
