//! The stated quota of a scope as a ledger: what responses say is left, the requests out as
//! reservations of it, and what a new period allows once the stated reset has passed.

use core::time::Duration;
use std::time::Instant;

use super::quotas::StatedQuota;
use crate::clock;

/// How soon a call looks again at a stated quota that its requests out may or may not have
/// spent: their answers will say.
pub(crate) const RECHECK: Duration = Duration::from_millis(10);

/// How finely a reset can be stated (the IETF fields and most headers give whole seconds): two
/// stated resets closer than this may be the same one.
pub(crate) const RESET_GRAIN: Duration = Duration::from_secs(1);

/// Requests let go at once in a scope whose responses state a quota, before any of them has
/// answered: enough that a client with a few calls at a time never waits, few enough that a
/// burst of hundreds does not spend a small quota many times over before the server says what
/// it is.
pub(crate) const FIRST_CONTACT: u32 = 8;

/// A scope's stated quota.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    period: Option<Period>,
    /// The most requests a period has been seen to allow: a limit the server stated, else the
    /// largest count left it stated, plus the request it answered.
    limit: u64,
    /// Whether a response of the scope has been read.
    answered: bool,
    /// The calls told to wait for the known period's reset: the queue, in order. The first
    /// `limit` of them wake at the reset, the next `limit` a period later, and so on, so that a
    /// reset wakes no more calls than its period lets go.
    queued: u64,
    /// Which period `period` is: changed whenever a period takes another's place (not when an
    /// answer of the same period is merged in), so that what a store mirrored of one period is
    /// never taken for another's.
    id: u32,
}

/// What a store may mirror of a stated period outside its lock ([`Ledger::mirrored`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mirrored {
    /// Which period it is.
    pub(crate) id: u32,
    pub(crate) reset: Instant,
    pub(crate) remaining: u64,
    pub(crate) longest: Duration,
    pub(crate) limit: u64,
}

/// One period of the server's.
#[derive(Debug, Clone, Copy)]
struct Period {
    /// The fewest requests left any response of the period stated: responses can come back in
    /// another order than the server counted them in.
    remaining: u64,
    /// When the count resets: the earliest any response of the period stated.
    reset: Instant,
    /// Whether the period is the client's guess (the stated one's reset passed and no answer
    /// of the new one came yet): its count is the last known limit.
    assumed: bool,
    /// The longest wait for the reset an answer of the period stated: about the period's
    /// length (the first answers come just after it starts), and never more.
    longest: Duration,
}

/// What the ledger says of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A slot is free.
    Go,
    /// Look again after this wait.
    Wait(Duration),
    /// The quota is spent until a reset later than the call accepts.
    Refuse,
}

impl Ledger {
    /// Whether the ledger can make a call wait: a stated period, or no answer yet.
    pub(crate) fn live(&self) -> bool {
        self.period.is_some()
    }

    /// Whether a response of the scope has been read.
    pub(crate) fn answered(&self) -> bool {
        self.answered
    }

    /// The period a server stated (not one the client assumes), with some left: what an
    /// answer of the same period merged in outside the lock would change (see
    /// [`absorb`](Self::absorb)). An answer that leaves `reset` within [`RESET_GRAIN`], no
    /// later than `longest` from its time and no more than `limit` can only lower `remaining`
    /// and `reset`.
    pub(crate) fn mirrored(&self) -> Option<Mirrored> {
        let period = self.period.filter(|p| !p.assumed && p.remaining > 0)?;
        Some(Mirrored {
            id: self.id,
            reset: period.reset,
            remaining: period.remaining,
            longest: period.longest,
            limit: self.limit,
        })
    }

    /// Merges in what answers of period `id` stated outside the lock: at most `remaining` left
    /// and a reset no later than `reset`, as [`answer`](Self::answer) merges an answer of the
    /// same period. Nothing if the period is no longer `id`.
    pub(crate) fn absorb(&mut self, id: u32, reset: Instant, remaining: u64) {
        if id != self.id {
            return;
        }
        if let Some(period) = &mut self.period
            && !period.assumed
        {
            period.remaining = period.remaining.min(remaining);
            period.reset = period.reset.min(reset);
        }
    }

    /// How many reservations may be out at once for [`enter`](Self::enter) to let one more go,
    /// whatever the time: the count the known period has left, at most the limit a period is
    /// seen to allow (what a new period starts with once the reset passes); `u64::MAX` when no
    /// quota is stated. A store may let calls go while fewer are out, without asking.
    pub(crate) fn room(&self) -> u64 {
        self.period
            .map_or(u64::MAX, |period| period.remaining.min(self.limit))
    }

    /// Whether a call may take a slot at `now` with `in_flight` reservations out, reading a
    /// stated quota (`reads_quota`); `cap` is the longest wait for a reset the call accepts.
    pub(crate) fn enter(
        &mut self,
        now: Instant,
        in_flight: u32,
        reads_quota: bool,
        cap: Duration,
    ) -> Entry {
        let out = u64::from(in_flight);
        let Some(mut period) = self.period else {
            // before the first answer, only a few go at once
            if reads_quota && !self.answered && in_flight >= FIRST_CONTACT {
                return Entry::Wait(RECHECK);
            }
            return Entry::Go;
        };
        if now >= period.reset {
            // a new period: as many as the last one allowed go, and their answers state it
            self.id = self.id.wrapping_add(1);
            if self.limit == 0 {
                self.period = None;
                return Entry::Go;
            }
            period = Period {
                remaining: self.limit,
                reset: clock::later(now, RESET_GRAIN),
                assumed: true,
                longest: period.longest,
            };
            self.period = Some(period);
        }
        if period.remaining > out {
            return Entry::Go;
        }
        let left = period.reset.saturating_duration_since(now);
        if period.remaining > 0 || period.assumed {
            // no more left than are out: their answers will say whether the server counted
            // them yet
            return Entry::Wait(left.min(RECHECK).max(Duration::from_millis(1)));
        }
        if left > cap {
            return Entry::Refuse;
        }
        // the queue: calls past what the next period lets go wait for the periods after it
        let place = self.queued;
        self.queued = self.queued.saturating_add(1);
        let later = match place.checked_div(self.limit) {
            Some(periods) if periods > 0 => period
                .longest
                .saturating_mul(u32::try_from(periods).unwrap_or(u32::MAX)),
            _ => Duration::ZERO,
        };
        Entry::Wait(left.saturating_add(later).min(cap.max(left)))
    }

    /// What the ledger knows of a spent quota at `now`: the wait until its reset.
    pub(crate) fn spent_for(&self, now: Instant) -> Option<Duration> {
        let period = self.period?;
        (period.remaining == 0 && !period.assumed && period.reset > now)
            .then(|| period.reset.saturating_duration_since(now))
    }

    /// An answer at `now`: read (`answered`), stating `quota` or not.
    ///
    /// An answer of the same period as the one known (a reset within [`RESET_GRAIN`]) can only
    /// lower the count: one stating more left was counted before others answered sooner. Any
    /// other reset is a new period, later or earlier: the latest answer wins.
    #[inline]
    pub(crate) fn answer(&mut self, now: Instant, quota: Option<&StatedQuota>) {
        self.answered = true;
        if let Some(quota) = quota {
            self.stated(now, quota);
        }
    }

    /// An answer at `now` stating `quota` (see [`answer`](Self::answer)).
    fn stated(&mut self, now: Instant, quota: &StatedQuota) {
        if quota.reset_in.is_zero() {
            // a reset already past: the count is of a period that is over (a late answer)
            return;
        }
        let new = Period {
            remaining: quota.remaining,
            reset: clock::later(now, quota.reset_in),
            assumed: false,
            longest: quota.reset_in,
        };
        let seen = quota.limit.unwrap_or(quota.remaining.saturating_add(1));
        self.limit = self.limit.max(seen);
        let live = self.period.filter(|old| old.reset > now && !old.assumed);
        if live.is_none() {
            // a new period: the queue starts again
            self.queued = 0;
        }
        self.period = Some(match live {
            Some(old)
                if new.reset < old.reset + RESET_GRAIN && old.reset < new.reset + RESET_GRAIN =>
            {
                Period {
                    remaining: new.remaining.min(old.remaining),
                    reset: new.reset.min(old.reset),
                    assumed: false,
                    longest: new.longest.max(old.longest),
                }
            }
            _ => {
                self.id = self.id.wrapping_add(1);
                new
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(60);

    #[allow(clippy::unnecessary_wraps, reason = "what `answer` takes")]
    fn stated(remaining: u64, secs: u64) -> Option<StatedQuota> {
        Some(StatedQuota::new(remaining, Duration::from_secs(secs)))
    }

    #[test]
    fn a_spent_quota_lets_the_next_period_go_as_it_allows_not_all_at_once() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        // 40 a period: the answers count down to 0
        ledger.answer(t0, stated(39, 1).as_ref());
        ledger.answer(t0, stated(0, 1).as_ref());
        assert_eq!(
            ledger.enter(t0, 0, true, CAP),
            Entry::Wait(Duration::from_secs(1))
        );
        // at the reset, 40 go; the 41st waits for their answers
        let reset = t0 + Duration::from_secs(1);
        for out in 0..40 {
            assert_eq!(ledger.enter(reset, out, true, CAP), Entry::Go, "{out}");
        }
        assert!(matches!(ledger.enter(reset, 40, true, CAP), Entry::Wait(w) if w <= RECHECK));
        // their answers state the new period: spent again until its reset
        ledger.answer(reset, stated(0, 1).as_ref());
        assert_eq!(
            ledger.enter(reset, 0, true, CAP),
            Entry::Wait(Duration::from_secs(1))
        );
    }

    #[test]
    fn a_queue_for_a_spent_quota_wakes_a_period_at_a_time() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        let period = Duration::from_millis(200);
        // periods of 4 in 200 ms: the first answer of a period states its whole length
        ledger.answer(t0, Some(StatedQuota::new(3, period)).as_ref());
        ledger.answer(t0 + period, Some(StatedQuota::new(3, period)).as_ref());
        ledger.answer(
            t0 + period,
            Some(StatedQuota::new(0, Duration::from_millis(195))).as_ref(),
        );
        let now = t0 + period;
        let waits: Vec<_> = (0..10).map(|_| ledger.enter(now, 0, true, CAP)).collect();
        // the reset is 195 ms off; each later batch a period (200 ms, the longest stated) later
        let at = |n: u32| Entry::Wait((period * n).saturating_sub(Duration::from_millis(5)));
        assert_eq!(
            waits[..4],
            [at(1), at(1), at(1), at(1)],
            "the next period's four"
        );
        assert_eq!(
            waits[4..8],
            [at(2), at(2), at(2), at(2)],
            "then the one after"
        );
        assert_eq!(waits[8..], [at(3), at(3)]);
    }

    #[test]
    fn a_reset_beyond_the_cap_refuses_and_far_resets_are_kept() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        ledger.answer(t0, stated(0, 365 * 24 * 3600).as_ref());
        assert_eq!(ledger.enter(t0, 0, true, CAP), Entry::Refuse);
        ledger.answer(t0, Some(StatedQuota::new(0, Duration::MAX)).as_ref());
        assert_eq!(ledger.enter(t0, 0, true, CAP), Entry::Refuse);
    }

    #[test]
    fn the_later_answer_wins_when_the_reset_moves_back() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        ledger.answer(t0, stated(0, 20).as_ref());
        ledger.answer(t0, stated(99, 2).as_ref());
        assert_eq!(ledger.enter(t0, 0, true, CAP), Entry::Go);
        // within one period, the count only falls
        ledger.answer(t0, stated(5, 2).as_ref());
        ledger.answer(t0, stated(7, 2).as_ref());
        assert_eq!(ledger.enter(t0, 5, true, CAP), Entry::Wait(RECHECK));
    }

    #[test]
    fn few_go_before_the_first_answer() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        assert_eq!(ledger.enter(t0, FIRST_CONTACT - 1, true, CAP), Entry::Go);
        assert_eq!(
            ledger.enter(t0, FIRST_CONTACT, true, CAP),
            Entry::Wait(RECHECK)
        );
        assert_eq!(
            ledger.enter(t0, 500, false, CAP),
            Entry::Go,
            "no quota read: never"
        );
        // an answer stating nothing ends it
        ledger.answer(t0, None);
        assert_eq!(ledger.enter(t0, 500, true, CAP), Entry::Go);
    }
}
