//! The engine's one decision, as a function of what it knows: after a failed attempt, whether
//! to retry and how long to wait ([`RetryConfig::decide`]); before an attempt, whether a wait
//! the rate-limit state asks for is taken, cut, or fails the call
//! ([`RetryConfig::bound_pause`]). The runtime's retrier and per-call state call these, and so
//! does `errspec explain`, so the rules are written once.

use core::time::Duration;

use crate::{RetryConfig, RetryPolicy};

/// What is known after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Failure {
    /// The failed attempts so far, this one included (1 after the first).
    pub attempt: u32,
    /// Whether the error retries for the request's idempotency.
    pub retryable: bool,
    /// The error's own `max_attempts`, if its status or case sets one.
    pub max_attempts: Option<u32>,
    /// The wait the response asked for, if a wait source had a valid one.
    pub server_wait: Option<Duration>,
    /// The error's policy.
    pub policy: RetryPolicy,
    /// The error's own `min_wait`, if any.
    pub min_wait: Option<Duration>,
    /// The previous backoff (decorrelated jitter reads it).
    pub prev_backoff: Duration,
    /// What the call has waited for holds and pacing so far (at most `max_retry_after`).
    pub held: Duration,
    /// How long the call has run, when `max_elapsed` is set.
    pub elapsed: Option<Duration>,
    /// A server-stated wait the rate-limit state knows of for the call's scope now (a hold
    /// another call's refusal set, a spent stated quota's reset).
    pub stated: Option<Duration>,
}

impl Failure {
    /// Attempt `attempt` failed with an error of `policy` that retries (`retryable`), with
    /// nothing else known.
    pub fn new(attempt: u32, retryable: bool, policy: RetryPolicy) -> Self {
        Self {
            attempt,
            retryable,
            max_attempts: None,
            server_wait: None,
            policy,
            min_wait: None,
            prev_backoff: Duration::ZERO,
            held: Duration::ZERO,
            elapsed: None,
            stated: None,
        }
    }
}

/// Why the engine waits what it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server's wait decided the wait.
    Header,
    /// The backoff decided it.
    Backoff,
    /// A wait the server stated for the call's scope (a hold, a spent quota) decided it.
    Hold,
    /// `min_wait` decided it.
    MinWait,
}

impl WaitReason {
    /// How traces and `explain` name it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Header => "wait header",
            Self::Backoff => "backoff",
            Self::Hold => "server hold",
            Self::MinWait => "min_wait",
        }
    }
}

/// Why the engine stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The error does not retry for this request.
    NotRetryable,
    /// `max_attempts` attempts were made.
    Attempts,
    /// The server asked for a wait above `max_retry_after`.
    TooLong,
    /// The wait would pass `max_elapsed`.
    Deadline,
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Decision {
    /// Return the error.
    Stop(Stop),
    /// Retry after `wait` (if the budget allows: the caller asks it last).
    Retry {
        /// The whole wait.
        wait: Duration,
        /// What decided it.
        reason: WaitReason,
        /// The backoff drawn (the next decision's `prev_backoff`).
        backoff: Duration,
        /// The part of `wait` that is the scope's stated wait beyond the call's own, counted in
        /// the call's `held`.
        held: Duration,
    },
}

/// What happens to a wait the rate-limit state asks for before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseBound {
    /// Wait this long (cut to what the call has left of `max_retry_after`).
    Wait(Duration),
    /// Send now: the call has waited all it may for the state, or the wait is zero.
    Send,
    /// Do not send: a server-stated wait would pass `max_elapsed` before a first attempt.
    Fail,
}

impl RetryConfig {
    /// The decision after a failed attempt.
    ///
    /// Stop if the error does not retry, if `max_attempts` (the error's, else the config's) were
    /// made, or if the server asked for more than `max_retry_after`. Else the wait is the
    /// server's for an `after-header` error that stated one, else the backoff (with jitter),
    /// raised to a server wait the error carries; then raised to `min_wait` (the config's or
    /// the error's, the longer); then raised to the scope's stated wait, by at most what the
    /// call has left of `max_retry_after` for holds. Stop if the wait would pass
    /// `max_elapsed`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use errspec_core::{Decision, Failure, Jitter, RetryConfig, RetryPolicy, WaitReason};
    ///
    /// let config = RetryConfig::new().with_jitter(Jitter::None);
    /// let mut failure = Failure::new(1, true, RetryPolicy::AfterHeader);
    /// failure.server_wait = Some(Duration::from_secs(2));
    /// assert!(matches!(
    ///     config.decide(&failure),
    ///     Decision::Retry { wait, reason: WaitReason::Header, .. } if wait == Duration::from_secs(2)
    /// ));
    /// ```
    pub fn decide(&self, f: &Failure) -> Decision {
        let max_attempts = f.max_attempts.unwrap_or(self.max_attempts).max(1);
        if !f.retryable {
            return Decision::Stop(Stop::NotRetryable);
        }
        if f.attempt >= max_attempts {
            return Decision::Stop(Stop::Attempts);
        }
        if f.server_wait.is_some_and(|w| w > self.max_retry_after) {
            return Decision::Stop(Stop::TooLong);
        }
        let mut backoff = f.prev_backoff;
        let (mut wait, mut reason) = match f.server_wait {
            Some(server) if f.policy == RetryPolicy::AfterHeader => (server, WaitReason::Header),
            _ => {
                backoff = self.backoff(f.attempt, f.prev_backoff);
                match f.server_wait {
                    Some(server) if server > backoff => (server, WaitReason::Header),
                    _ => (backoff, WaitReason::Backoff),
                }
            }
        };
        if let Some(floor) = self.min_wait.max(f.min_wait)
            && floor > wait
        {
            (wait, reason) = (floor, WaitReason::MinWait);
        }
        let mut held = Duration::ZERO;
        if let Some(stated) = f.stated.map(|s| s.min(self.max_retry_after))
            && stated > wait
        {
            let room = self.max_retry_after.saturating_sub(f.held);
            held = stated.saturating_sub(wait).min(room);
            if !held.is_zero() {
                (wait, reason) = (wait + held, WaitReason::Hold);
            }
        }
        if let (Some(max), Some(elapsed)) = (self.max_elapsed, f.elapsed)
            && elapsed.checked_add(wait).is_none_or(|end| end > max)
        {
            return Decision::Stop(Stop::Deadline);
        }
        Decision::Retry {
            wait,
            reason,
            backoff,
            held,
        }
    }

    /// What becomes of a wait of `wait` the rate-limit state asks for before an attempt, for a
    /// call that has waited `held` for the state so far and run `elapsed` (when `max_elapsed` is
    /// set). `stated`: the wait is one the server stated (a hold, a spent quota) rather than the
    /// client's own pacing; `first`: the attempt is the call's first.
    ///
    /// The wait is cut to what the call has left of `max_retry_after`; a cut to zero sends. A
    /// wait that would pass `max_elapsed` sends instead, except a server-stated one before a
    /// first attempt, which fails the call unsent: that is what sending would get.
    pub fn bound_pause(
        &self,
        wait: Duration,
        held: Duration,
        elapsed: Option<Duration>,
        stated: bool,
        first: bool,
    ) -> PauseBound {
        let wait = wait.min(self.max_retry_after.saturating_sub(held));
        let past = match (self.max_elapsed, elapsed) {
            (Some(max), Some(elapsed)) => elapsed.checked_add(wait).is_none_or(|end| end > max),
            _ => false,
        };
        if past && first && stated {
            return PauseBound::Fail;
        }
        if wait.is_zero() || past {
            return PauseBound::Send;
        }
        PauseBound::Wait(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Jitter;

    fn config() -> RetryConfig {
        RetryConfig::new().with_jitter(Jitter::None)
    }

    #[test]
    fn the_stated_wait_of_the_scope_raises_the_wait_within_the_hold_room() {
        let mut f = Failure::new(1, true, RetryPolicy::Idempotent);
        f.stated = Some(Duration::from_secs(5));
        f.held = Duration::from_secs(58);
        let Decision::Retry {
            wait, reason, held, ..
        } = config().decide(&f)
        else {
            panic!("retries");
        };
        assert_eq!(
            (wait, reason),
            (Duration::from_millis(2100), WaitReason::Hold)
        );
        assert_eq!(held, Duration::from_secs(2));
    }

    #[test]
    fn stops() {
        let c = config().with_max_elapsed(Some(Duration::from_secs(1)));
        assert_eq!(
            c.decide(&Failure::new(1, false, RetryPolicy::Never)),
            Decision::Stop(Stop::NotRetryable)
        );
        assert_eq!(
            c.decide(&Failure::new(3, true, RetryPolicy::Always)),
            Decision::Stop(Stop::Attempts)
        );
        let mut f = Failure::new(1, true, RetryPolicy::AfterHeader);
        f.server_wait = Some(Duration::from_secs(61));
        assert_eq!(c.decide(&f), Decision::Stop(Stop::TooLong));
        f.server_wait = Some(Duration::from_secs(2));
        f.elapsed = Some(Duration::ZERO);
        assert_eq!(c.decide(&f), Decision::Stop(Stop::Deadline));
    }

    #[test]
    fn pauses_are_bounded() {
        let c = config().with_max_elapsed(Some(Duration::from_secs(10)));
        let s = Duration::from_secs;
        assert_eq!(
            c.bound_pause(s(5), s(58), Some(s(0)), true, true),
            PauseBound::Wait(s(2))
        );
        assert_eq!(
            c.bound_pause(s(5), s(60), Some(s(0)), true, true),
            PauseBound::Send
        );
        assert_eq!(
            c.bound_pause(s(5), s(0), Some(s(8)), true, true),
            PauseBound::Fail
        );
        assert_eq!(
            c.bound_pause(s(5), s(0), Some(s(8)), false, true),
            PauseBound::Send
        );
        assert_eq!(
            c.bound_pause(s(5), s(0), Some(s(8)), true, false),
            PauseBound::Send
        );
    }
}
