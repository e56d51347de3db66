//! One scope's rate-limit state and the algorithm over it, as plain functions of the state, the
//! time and what a call asks or an answer says: what a call may do now ([`ScopeState::admit`])
//! and what an answer teaches ([`ScopeState::learn`]). No lock, no clock: a store runs these
//! under its own.

use core::time::Duration;
use std::time::Instant;

use http::StatusCode;

use super::Pause;
use super::learned::{Learned, SAME_HOLD, Window};
use super::ledger::{Entry, Ledger};
use super::quotas::{MAX_QUOTAS, QuotaSet, StatedQuotas};
use super::store::{Ask, Grant, Outcome, Report};
use crate::{Pacing, clock};

/// A wait a server stated on a refusal.
#[derive(Debug, Clone, Copy)]
struct Hold {
    until: Instant,
    /// The wait as stated: a hold never looks longer than this, whatever clock reads it.
    stated: Duration,
    status: Option<StatusCode>,
    /// When a call first asked on a clock behind the one that set the hold (one on which it
    /// ends later than `stated` from now): on that clock, the stated wait counts from then, so
    /// that a call waiting there is let go after what the server stated, not held again and
    /// again until its cap.
    behind_since: Option<Instant>,
}

/// One scope's state.
#[derive(Debug, Default)]
pub(crate) struct ScopeState {
    hold: Option<Hold>,
    /// Each quota's ledger, by index (see [`QuotaSet`]).
    ledgers: [Ledger; MAX_QUOTAS],
    /// Per quota, the reservations out that do not count against it (their request's method
    /// is not among its `methods`): the quota's requests out are the scope's less these.
    excluded: [u32; MAX_QUOTAS],
    learned: Learned,
}

impl ScopeState {
    /// Whether anything here can make a call wait, or must see each call sent: when not, a call
    /// may go without the state being asked (see `LocalStore`'s fast path).
    pub(crate) fn busy(&self) -> bool {
        self.hold.is_some()
            || self.ledgers.iter().any(Ledger::live)
            || self.excluded.iter().any(|n| *n > 0)
            || self.learned.window.is_some()
            || self.learned.retrying > 0
    }

    /// Each quota's ledger, by index: what a store mirrors outside its lock.
    pub(crate) fn ledgers(&self) -> &[Ledger; MAX_QUOTAS] {
        &self.ledgers
    }

    /// Each quota's ledger, to merge in what answers told outside the lock.
    pub(crate) fn ledgers_mut(&mut self) -> &mut [Ledger; MAX_QUOTAS] {
        &mut self.ledgers
    }

    /// Whether a response of the scope has been read.
    pub(crate) fn answered(&self) -> bool {
        self.ledgers[0].answered()
    }

    /// How many reservations may be out at once for [`admit`](Self::admit) to let a call
    /// that counts against every quota go at once, whatever the time: when stated quotas are
    /// all that can make a call wait (no hold, no learned quota, no refused call due to retry,
    /// every reservation of every quota), the fewest any of them has room for
    /// ([`Ledger::room`]); `u64::MAX` with none stated; 0 when a call must be admitted.
    pub(crate) fn room(&self) -> u64 {
        if self.hold.is_some()
            || self.excluded.iter().any(|n| *n > 0)
            || self.learned.window.is_some()
            || self.learned.retrying > 0
        {
            return 0;
        }
        self.ledgers
            .iter()
            .map(Ledger::room)
            .min()
            .unwrap_or(u64::MAX)
    }

    /// Whether the scope holds something a server stated that is still to come at `now`: a
    /// hold or a spent quota; what the bound on scopes keeps longest.
    pub(crate) fn holds_at(&self, now: Instant) -> bool {
        self.hold.is_some_and(|h| h.until > now) || self.spent_for(now, QuotaSet::ALL).is_some()
    }

    /// The hold left at `now`, at most as long as the server stated and at most `cap`. (An
    /// ended hold is forgotten when an answer comes, on the clock of the calls' answers: an ask
    /// can come from a call whose waits ran ahead of its clock.)
    fn hold_left(&self, now: Instant, cap: Duration) -> Option<(Duration, Option<StatusCode>)> {
        let hold = self.hold?;
        let mut left = hold.until.saturating_duration_since(now);
        if left > hold.stated {
            // read on a clock behind the setter's: the stated wait, from the first such ask
            left = hold.behind_since.map_or(hold.stated, |since| {
                clock::later(since, hold.stated)
                    .saturating_duration_since(now)
                    .min(hold.stated)
            });
        }
        if left.is_zero() {
            return None;
        }
        Some((left.min(cap), hold.status))
    }

    /// Notes a read of the hold at `now` on a clock behind the one that set it (the hold ends
    /// later than its stated wait from `now`): on that clock the stated wait counts from the
    /// first such read.
    fn behind(&mut self, now: Instant) {
        if let Some(hold) = &mut self.hold
            && hold.behind_since.is_none()
            && hold.until.saturating_duration_since(now) > hold.stated
        {
            hold.behind_since = Some(now);
        }
    }

    /// The latest reset of a spent quota among `quotas` at `now`.
    fn spent_for(&self, now: Instant, quotas: QuotaSet) -> Option<Duration> {
        self.ledgers
            .iter()
            .enumerate()
            .filter(|(i, _)| quotas.contains(*i))
            .filter_map(|(_, ledger)| ledger.spent_for(now))
            .max()
    }

    /// What the server stated that is still to come at `now` for a request counting against
    /// `quotas`, at most `cap`: the hold, else the latest reset of a spent quota among them.
    pub(crate) fn peek(
        &mut self,
        now: Instant,
        cap: Duration,
        quotas: QuotaSet,
    ) -> Option<(Duration, Pause)> {
        self.behind(now);
        if let Some((left, _)) = self.hold_left(now, cap) {
            return Some((left, Pause::Hold));
        }
        self.spent_for(now, quotas)
            .map(|left| (left.min(cap), Pause::StatedQuota))
    }

    /// What the ledgers of the quotas `ask` counts against say, with `in_flight` reservations
    /// out in the scope: the call waits while any of them is spent (the longest wait), and is
    /// refused if any is spent past its cap.
    fn enter(&mut self, ask: &Ask, in_flight: u32) -> Entry {
        let mut entry = Entry::Go;
        for (index, ledger) in self.ledgers.iter_mut().enumerate() {
            if !ask.quotas.contains(index) {
                continue;
            }
            let out = in_flight.saturating_sub(self.excluded[index]);
            entry = match (entry, ledger.enter(ask.now, out, ask.reads_quota, ask.cap)) {
                (Entry::Refuse, _) | (_, Entry::Refuse) => Entry::Refuse,
                (Entry::Wait(a), Entry::Wait(b)) => Entry::Wait(a.max(b)),
                (Entry::Wait(w), Entry::Go) | (Entry::Go, Entry::Wait(w)) => Entry::Wait(w),
                (Entry::Go, Entry::Go) => Entry::Go,
            };
        }
        entry
    }

    /// A reservation counting against `quotas` only is taken (`true`) or freed (`false`).
    pub(crate) fn reserve(&mut self, quotas: QuotaSet, taken: bool) {
        if quotas == QuotaSet::ALL {
            return;
        }
        for (index, excluded) in self.excluded.iter_mut().enumerate() {
            if !quotas.contains(index) {
                *excluded = if taken {
                    excluded.saturating_add(1)
                } else {
                    excluded.saturating_sub(1)
                };
            }
        }
    }

    /// What the call `ask` describes may do, with `in_flight` reservations out in the scope.
    /// [`Grant::Go`] counts it sent (the caller counts the reservation, and for a request
    /// that counts against some quotas only, [`reserve`](Self::reserve)s it).
    ///
    /// In order: a hold waits (at most the cap: a hold was stated within it); a stated quota
    /// spent, less the requests out, waits for its reset, or fails the call at once past the
    /// cap (each quota the request counts against is asked: it waits while any is spent); a
    /// learned quota spent for this period makes a first attempt wait its turn.
    pub(crate) fn admit(&mut self, ask: &Ask, in_flight: u32) -> Grant {
        let now = ask.now;
        self.behind(now);
        if let Some((left, _)) = self.hold_left(now, ask.cap.max(Duration::from_nanos(1))) {
            return Grant::Wait {
                wait: left,
                pause: Pause::Hold,
            };
        }
        let paced = ask.pacing != Pacing::Off;
        if paced {
            match self.enter(ask, in_flight) {
                Entry::Go => {}
                Entry::Wait(wait) => {
                    return Grant::Wait {
                        wait,
                        pause: Pause::StatedQuota,
                    };
                }
                Entry::Refuse => {
                    return Grant::Refuse {
                        pause: Pause::StatedQuota,
                        status: None,
                    };
                }
            }
        }
        let retrying = self.learned.retrying_at(now);
        if let Some(window) = &mut self.learned.window {
            window.advance(now);
            if paced
                && ask.first
                && let Some(wait) = window.wait(now, retrying)
            {
                return Grant::Wait {
                    wait,
                    pause: Pause::LearnedQuota,
                };
            }
        }
        self.sent(now, ask.retrying);
        Grant::Go
    }

    /// A request is sent at `now` (`retrying`: a refused call's retry, whose turn it was).
    pub(crate) fn sent(&mut self, now: Instant, retrying: bool) {
        let learned = &mut self.learned;
        if retrying {
            learned.retrying = learned.retrying.saturating_sub(1);
        }
        learned.sent = learned.sent.saturating_add(1);
        learned.first_sent.get_or_insert(now);
        if let Some(window) = &mut learned.window {
            window.sending(now);
        }
    }

    /// `count` requests were sent without asking, the first at `at` (the fast path's).
    pub(crate) fn sent_quietly(&mut self, count: u32, at: Option<Instant>) {
        let learned = &mut self.learned;
        learned.sent = learned.sent.saturating_add(count);
        if let Some(at) = at {
            learned.first_sent.get_or_insert(at);
        }
    }

    /// What an answer teaches.
    pub(crate) fn learn(&mut self, report: &Report) {
        let now = report.now;
        if let Outcome::Success = report.outcome {
            self.succeeded(now, report.answered, &report.quotas);
            return;
        }
        self.answer(now, report.answered, &report.quotas);
        match report.outcome {
            Outcome::Success | Outcome::Failure => {}
            Outcome::Refused {
                hold,
                status,
                rate_limited,
                retrying,
            } => {
                if let Some(wait) = hold.filter(|w| !w.is_zero()) {
                    let until = clock::later(now, wait);
                    if self.hold.is_none_or(|h| h.until < until) {
                        self.hold = Some(Hold {
                            until,
                            stated: wait,
                            status,
                            behind_since: None,
                        });
                    }
                    if rate_limited {
                        self.refused(now, until);
                    }
                }
                if retrying {
                    self.learned.retrying = self.learned.retrying_at(now).saturating_add(1);
                }
            }
            Outcome::Cancelled { retrying } => {
                if retrying {
                    self.learned.retrying = self.learned.retrying.saturating_sub(1);
                }
            }
        }
    }

    /// What the answer to a call that succeeded teaches: what it stated, if it was read
    /// (`answered`), and a learned period moves on.
    pub(crate) fn succeeded(&mut self, now: Instant, answered: bool, quotas: &StatedQuotas) {
        self.answer(now, answered, quotas);
        if let Some(window) = &mut self.learned.window {
            window.advance(now);
        }
    }

    /// An answer at `now` (read, or stating `quotas`): an ended hold is forgotten, and each
    /// quota's ledger learns what it stated.
    fn answer(&mut self, now: Instant, answered: bool, quotas: &StatedQuotas) {
        if self.hold.is_some_and(|h| h.until <= now) {
            self.hold = None;
        }
        if answered || !quotas.is_empty() {
            for (ledger, quota) in self.ledgers.iter_mut().zip(quotas.each()) {
                ledger.answer(now, quota.as_ref());
            }
        }
    }

    /// The status of the response that set the hold.
    pub(crate) fn hold_status(&self) -> Option<StatusCode> {
        self.hold.and_then(|h| h.status)
    }

    /// A refusal of the rate limit at `now`, held until `until`: teaches the learned pacing the
    /// period since the previous hold.
    fn refused(&mut self, now: Instant, until: Instant) {
        let learned = &mut self.learned;
        match (&mut learned.window, learned.last_hold_end) {
            // refused in a learned period (or another refusal of it: sent together)
            (Some(window), _) => window.refused(until <= window.start + SAME_HOLD, now, until),
            (None, Some(previous)) if until <= previous + SAME_HOLD => return,
            // a first refusal: what was sent since the last hold (or ever), less the refusals
            // to come, got through; the period is from the first of them to the server's time
            (None, _) => {
                if let Some(first) = learned.first_sent
                    && learned.sent > 1
                {
                    let length = until.saturating_duration_since(first);
                    if length > SAME_HOLD {
                        learned.window = Some(Window::refused_at(learned.sent, length, until));
                    }
                }
            }
        }
        learned.last_hold_end = Some(until);
        learned.sent = 0;
        learned.first_sent = None;
    }
}
