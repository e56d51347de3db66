//! Before an attempt: what holds or paces the call's scope, asked of the store and waited
//! for, within the call's limits.

use core::time::Duration;
use std::sync::atomic::Ordering;
use std::time::Instant;

use errspec_core::PauseBound;
use http::StatusCode;

use super::Attempts;
use crate::limits::{Ask, Grant, Pause, QuotaSet, Ticket};
use crate::sleep::block_on;
use crate::{StatusError, clock};

/// How many times one call looks again for a hold or a pacing wait before an attempt (see
/// [`Attempts::sleep`]): a bound, so that no sleeper, clock or store can keep a call waiting in
/// a loop. What a call waits for holds and pacing is bounded anyway, by `max_retry_after` in
/// all; past this bound it is sent.
const MAX_CHECKS: usize = 10_000;

/// What a call does after asking the store.
enum Step {
    Go,
    Wait(Duration),
    Fail(Option<StatusCode>),
}

impl Attempts<'_> {
    /// Waits `duration` (the wait [`after`](Self::after) gave) on the retrier's sleeper; then,
    /// before the next attempt, for what holds or paces the call's scope meanwhile (another
    /// call learnt a later time the server named, or the scope's quota is spent), as long as
    /// the call's `max_elapsed` allows and the call has waited less than `max_retry_after` for
    /// holds and pacing in all (see "The server's hold" on [`Retrier`](crate::Retrier)).
    pub async fn sleep(&mut self, duration: Duration) {
        let mut at = Some(clock::later(self.retrier.sleeper.now(), duration));
        self.retrier.sleeper.sleep(duration).await;
        if self.quick() {
            return;
        }
        for _ in 0..MAX_CHECKS {
            let Some(ask) = self.ask(false, &mut at) else {
                return;
            };
            let grant = self.retrier.store.acquire(&ask).await;
            match self.take(&ask, grant) {
                Step::Go | Step::Fail(_) => return,
                Step::Wait(wait) => {
                    at = Some(clock::later(ask.now, wait));
                    self.retrier.sleeper.sleep(wait).await;
                }
            }
        }
        self.force();
    }

    /// [`sleep`](Self::sleep), blocking the thread.
    pub fn sleep_blocking(&mut self, duration: Duration) {
        let mut at = Some(clock::later(self.retrier.sleeper.now(), duration));
        self.retrier.sleeper.sleep_blocking(duration);
        if self.quick() {
            return;
        }
        for _ in 0..MAX_CHECKS {
            let Some(ask) = self.ask(false, &mut at) else {
                return;
            };
            let grant = block_on(self.retrier.store.acquire(&ask));
            match self.take(&ask, grant) {
                Step::Go | Step::Fail(_) => return,
                Step::Wait(wait) => {
                    at = Some(clock::later(ask.now, wait));
                    self.retrier.sleeper.sleep_blocking(wait);
                }
            }
        }
        self.force();
    }

    /// Waits for what holds or paces the call's scope before its first attempt, and counts
    /// that attempt against the budget, since it is about to be sent ([`Retrier::run`](crate::Retrier::run) calls
    /// it; so does the code `#[errspec::client]` generates).
    ///
    /// The wait is at most `max_retry_after` in all. If a server-stated wait (a hold, or a
    /// stated quota spent until its reset) would pass the call's `max_elapsed`, or a stated
    /// quota is spent until a reset later than `max_retry_after`, the call is not sent at all:
    /// `ready` returns at once with the error of the status that set the hold
    /// (`E::from_parts` of that status alone; 429 for a spent quota or a hold without a status),
    /// which is what sending then would have got.
    pub async fn ready<E: StatusError>(&mut self) -> Result<(), E> {
        if self.ready_now() {
            return Ok(());
        }
        let mut at = None;
        for _ in 0..MAX_CHECKS {
            let Some(ask) = self.ask(true, &mut at) else {
                break;
            };
            let grant = self.retrier.store.acquire(&ask).await;
            match self.take(&ask, grant) {
                Step::Go => break,
                Step::Wait(wait) => {
                    at = Some(clock::later(ask.now, wait));
                    self.retrier.sleeper.sleep(wait).await;
                }
                Step::Fail(status) => return Err(self.held_error(status)),
            }
        }
        self.force();
        self.deposit(None);
        Ok(())
    }

    /// [`ready`](Self::ready) when the store lets the attempt go at once: `true`, and it is
    /// counted as sent; `false` (and nothing done) when [`ready`](Self::ready) must ask the
    /// store. Lets an engine skip building `ready`'s future on the fast path.
    pub(crate) fn ready_now(&mut self) -> bool {
        if !self.quick() {
            return false;
        }
        self.force();
        self.deposit(None);
        true
    }

    /// [`ready`](Self::ready), blocking the thread.
    pub fn ready_blocking<E: StatusError>(&mut self) -> Result<(), E> {
        let mut at = None;
        let checks = if self.quick() { 0 } else { MAX_CHECKS };
        for _ in 0..checks {
            let Some(ask) = self.ask(true, &mut at) else {
                break;
            };
            let grant = block_on(self.retrier.store.acquire(&ask));
            match self.take(&ask, grant) {
                Step::Go => break,
                Step::Wait(wait) => {
                    at = Some(clock::later(ask.now, wait));
                    self.retrier.sleeper.sleep_blocking(wait);
                }
                Step::Fail(status) => return Err(self.held_error(status)),
            }
        }
        self.force();
        self.deposit(None);
        Ok(())
    }

    /// What to ask the store before the next attempt, whose waits so far end `at` (measured
    /// from the waits, not the clock, so a sleeper whose clock does not move with its waits
    /// cannot make a call wait again and again); `None` when an attempt is out already.
    fn ask(&mut self, first: bool, at: &mut Option<Instant>) -> Option<Ask> {
        if self.out {
            return None;
        }
        let retrier = &*self.retrier;
        let clock = retrier.sleeper.now();
        let now = at.map_or(clock, |at| at.max(clock));
        *at = Some(now);
        let ticket = Ticket(retrier.tickets.fetch_add(1, Ordering::Relaxed));
        let mut ask = Ask::new(self.scope, ticket, now);
        ask.api = retrier.rate_limit.api.unwrap_or("");
        ask.first = first;
        ask.retrying = self.retrying;
        ask.pacing = retrier.rate_limit.pacing;
        ask.reads_quota = retrier.reads_quota;
        ask.quotas = self.call.quotas;
        ask.cap = retrier
            .config
            .max_retry_after
            .saturating_sub(self.call.held);
        Some(ask)
    }

    /// What the call does with the store's `grant` to `ask`.
    fn take(&mut self, ask: &Ask, grant: Grant) -> Step {
        match grant {
            Grant::Go => {
                self.ticket = Some(ask.ticket);
                self.counted = ask.quotas;
                self.retrying = false;
                self.sent();
                Step::Go
            }
            Grant::Refuse { status, .. } if ask.first => Step::Fail(status),
            Grant::Refuse { .. } => {
                self.force();
                Step::Go
            }
            Grant::Wait { wait, pause } => {
                let config = &self.retrier.config;
                let stated = pause != Pause::LearnedQuota;
                let elapsed = self.call.elapsed(ask.now);
                match config.bound_pause(wait, self.call.held, elapsed, stated, ask.first) {
                    PauseBound::Wait(wait) => {
                        self.call.held = self.call.held.saturating_add(wait);
                        self.retrier.paused(pause, wait);
                        Step::Wait(wait)
                    }
                    PauseBound::Send => {
                        self.force();
                        Step::Go
                    }
                    PauseBound::Fail => Step::Fail(None),
                }
            }
        }
    }

    /// Sends the attempt about to start without a reservation (the call waited all it may).
    fn force(&mut self) {
        if self.out {
            return;
        }
        if self.retrying {
            self.retrying = false;
            self.cancel_retrying(self.scope, self.retrier.sleeper.now());
        }
        self.sent();
    }

    /// Lets the attempt about to start go at once if the store says nothing can make it wait.
    fn quick(&mut self) -> bool {
        if self.out || self.retrying {
            return self.out;
        }
        let retrier = &*self.retrier;
        let now = || retrier.sleeper.now();
        if let Some(ticket) =
            retrier.acquire_quick(&self.scope, retrier.reads_quota, self.call.quotas, &now)
        {
            self.ticket = Some(ticket);
            self.counted = QuotaSet::ALL;
            self.sent();
            return true;
        }
        false
    }

    /// The error a call not sent because of a server-stated wait returns.
    fn held_error<E: StatusError>(&self, status: Option<StatusCode>) -> E {
        let status = status
            .or_else(|| self.retrier.store.hold_status(self.scope))
            .unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        E::from_parts(status, &http::HeaderMap::new(), None)
    }
}
