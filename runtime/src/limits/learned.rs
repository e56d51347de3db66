//! Pacing learned from refusals, for a scope whose responses state no quota: how many requests
//! get through per period and how many of them at once, probed upward after clean periods.

use core::time::Duration;
use std::time::Instant;

/// Two holds ending closer than this are one hold: the refusals of requests in flight together.
pub(crate) const SAME_HOLD: Duration = Duration::from_millis(100);

/// Pacing learned from refusals: the requests sent since the latest hold, until a refusal
/// makes a [`Window`] of them (how many got through, in how long); then the window's pacing,
/// and the refused calls due to retry when the hold ends.
#[derive(Debug, Default)]
pub(super) struct Learned {
    /// Requests sent since the latest hold was learnt, and when the first of them was.
    pub(super) sent: u32,
    pub(super) first_sent: Option<Instant>,
    pub(super) last_hold_end: Option<Instant>,
    pub(super) window: Option<Window>,
    /// Calls refused in this scope that retry when the hold ends: first attempts leave them
    /// their turn in the period. Counted until [`SAME_HOLD`](SAME_HOLD) after the
    /// hold's end, in case a call neither retries nor is dropped.
    pub(super) retrying: u32,
}

impl Learned {
    /// The refused calls due to retry at `now`.
    pub(super) fn retrying_at(&mut self, now: Instant) -> u32 {
        if self
            .last_hold_end
            .is_some_and(|end| now > end.checked_add(SAME_HOLD).unwrap_or(end))
        {
            self.retrying = 0;
        }
        self.retrying
    }
}

/// A learned period: `quota` requests per `length`, the first `burst` of them at once when
/// the period begins and the others spaced `length / quota` apart after them. A fixed window
/// admits its whole quota at once; a token bucket admits its burst at once and the rest at
/// its rate; a burst that is refused lowers `burst`, a spaced request that is refused lowers
/// `quota`.
#[derive(Debug)]
pub(super) struct Window {
    pub(super) quota: u32,
    pub(super) burst: u32,
    /// The lowest level refused since a probe last got through: the quota grows up to one
    /// below it, then probes it.
    pub(super) ceiling: Option<u32>,
    /// The quota of the latest clean full period: what a refused probe goes back to.
    clean: u32,
    pub(super) length: Duration,
    pub(super) start: Instant,
    /// The period `sent` counts in, since `start`.
    pub(super) index: u64,
    pub(super) sent: u32,
    pub(super) refused: bool,
    /// Whether the latest refusal learnt was of a burst: more refusals of it lower the burst.
    burst_refused: bool,
    /// Periods left after the burst fell (the server's limit dropped, perhaps for a while)
    /// in which a refused probe is tried again in the very next period, so that the limit's
    /// return costs no more than a period.
    watch: u32,
    /// Whether the first request spaced out after the burst was refused, and none spaced out
    /// has got through a whole period since (a fixed or sliding window): a probe's first spaced
    /// request then goes a quarter of the spacing after the burst, where its refusal costs the
    /// least wait, rather than a whole spacing (the time a token bucket needs to refill one).
    spaced_refused: bool,
    /// When the requests of this period were sent, and of the one before (the first
    /// [`MAX_REPLAY`] of each): the `n`-th request of a period goes no sooner than `length`
    /// after the `n`-th of the one before, so that a limit on any `length` (a sliding window)
    /// counts no more in it than in the one before, however the sends of a burst spread out.
    times: Vec<Instant>,
    previous: Vec<Instant>,
}

/// Periods watched closely after the burst fell: see [`Window::watch`].
const WATCH: u32 = 8;

/// Most send times kept per period.
const MAX_REPLAY: usize = 256;

/// How late after its time a request held back for its rank is taken to go: a timer's
/// resolution.
const LATE: Duration = Duration::from_millis(1);

impl Window {
    /// A new learned period from `start`: `sent` were sent at once in the refused one, and
    /// this refusal is one of them: all but one go at once.
    pub(super) fn refused_at(sent: u32, length: Duration, start: Instant) -> Self {
        let burst = sent.saturating_sub(1).max(1);
        Window {
            times: Vec::new(),
            previous: Vec::new(),
            quota: burst,
            burst,
            ceiling: Some(burst.saturating_add(1)),
            clean: burst,
            length,
            start,
            index: 0,
            sent: 0,
            refused: false,
            burst_refused: true,
            watch: 0,
            spaced_refused: false,
        }
    }

    /// Moves to the period holding `now`, growing the quota after each clean period passed.
    pub(super) fn advance(&mut self, now: Instant) {
        let since = now.saturating_duration_since(self.start);
        let length = self.length.as_nanos().max(1);
        let index = u64::try_from(since.as_nanos() / length).unwrap_or(u64::MAX);
        if index > self.index {
            self.previous.clear();
            if index == self.index.saturating_add(1) {
                core::mem::swap(&mut self.times, &mut self.previous);
            }
            self.times.clear();
            if !self.refused && self.sent >= self.quota {
                self.clean = self.quota;
                if self.quota > self.burst {
                    self.spaced_refused = false;
                }
                self.grow();
            }
            self.index = index;
            self.sent = 0;
            self.refused = false;
        }
    }

    /// After a full period without a refusal. Below the refused level, a quarter more (up to
    /// one below it); one below it, a probe: the level itself, or twice the quota while all
    /// go at once (whether more get through spaced out is open); past it (the probe got
    /// through: the limit rose, or is a rate), twice as many.
    fn grow(&mut self) {
        let quarter = (self.quota / 4).max(1);
        self.quota = match self.ceiling {
            Some(c) if self.quota >= c => {
                self.ceiling = None;
                self.quota.saturating_mul(2)
            }
            Some(c) if self.quota.saturating_add(1) >= c => {
                if self.quota <= self.burst {
                    self.quota.saturating_mul(2).max(c)
                } else {
                    c
                }
            }
            Some(c) => self.quota.saturating_add(quarter).min(c.saturating_sub(1)),
            None => self.quota.saturating_mul(2),
        };
    }

    /// A refusal at `now` of a request sent in this period, while another refusal of the
    /// period may already have been learnt (`again`); the server's wait ends at `until`, where
    /// the next period starts. A refused burst lowers the burst (and the quota with it) to
    /// what was sent before the refused request; a refused spaced request lowers the quota to
    /// the last clean level, and where spaced requests had got through a whole period (a rate,
    /// which only a hold stops) the period after it does not count toward the next probe.
    /// Within [`WATCH`] periods after the burst fell, a refused first spaced request (which
    /// costs a fixed window little) is probed again in the next period instead.
    pub(super) fn refused(&mut self, again: bool, now: Instant, until: Instant) {
        if again {
            if self.burst_refused {
                self.burst = self.burst.saturating_sub(1).max(1);
                self.quota = self.burst;
                self.clean = self.clean.min(self.burst);
                self.ceiling = Some(self.burst.saturating_add(1));
            }
            return;
        }
        // before the first spaced request could go: the burst was refused
        let first_spaced = self.slot(1);
        if self.sent <= self.burst || now < first_spaced {
            let (times, burst, watch) = (core::mem::take(&mut self.times), self.burst, self.watch);
            let spaced_refused = self.spaced_refused;
            *self = Self::refused_at(self.sent, self.length, until);
            self.previous = times;
            self.watch = if self.burst < burst { WATCH } else { watch };
            self.spaced_refused = spaced_refused;
            return;
        }
        let refused = self.quota;
        let first = self.sent <= self.burst.saturating_add(1);
        if first && self.clean <= self.burst {
            self.spaced_refused = true;
        }
        // the first request past a burst that never had more refused: while watching, probe
        // again in the next period
        if self.watch > 0 && self.clean <= self.burst && first {
            self.watch -= 1;
        } else {
            self.quota = self
                .clean
                .min(refused.saturating_sub(1))
                .max(self.sent.saturating_sub(1).min(refused.saturating_sub(1)))
                .max(self.burst)
                .max(1);
        }
        self.ceiling = Some(self.ceiling.map_or(refused, |c| c.min(refused)));
        self.previous = core::mem::take(&mut self.times);
        self.start = until;
        self.index = 0;
        self.sent = 0;
        // where spaced requests got through before (a rate), a refused probe cost a hold: the
        // period after it does not count toward the next probe
        self.refused = self.clean > self.burst;
        self.burst_refused = false;
    }

    /// How long a first attempt at `now` waits for its turn in the period (`None`: it may go).
    /// `retrying` are retries due, which go first.
    pub(super) fn wait(&self, now: Instant, retrying: u32) -> Option<Duration> {
        let sent = self.sent.saturating_add(retrying);
        let at = if sent < self.burst {
            None
        } else if sent < self.quota {
            Some(self.slot(sent - self.burst + 1))
        } else {
            Some(self.next_start())
        };
        let at = at.max(self.replay(sent))?;
        Some(at.saturating_duration_since(now)).filter(|d| !d.is_zero())
    }

    /// When the request of rank `n` in this period may go if it is one of the burst: `length`
    /// after the request of the same rank in the period before. (Spaced requests keep to their
    /// slots, which a probe moves.)
    fn replay(&self, n: u32) -> Option<Instant> {
        let previous = self.previous.get(usize::try_from(n).ok()?)?;
        (n < self.burst).then_some(previous.checked_add(self.length)?)
    }

    /// A request of this period is sent at `now`. A request held back for its rank counts as
    /// sent when it could go, give or take [`LATE`]: a late wake-up does not push back the
    /// same rank in every period after.
    pub(super) fn sending(&mut self, now: Instant) {
        let at = match self.replay(self.sent).and_then(|at| at.checked_add(LATE)) {
            Some(latest) if now > latest => latest,
            _ => now,
        };
        self.sent = self.sent.saturating_add(1);
        if self.times.len() < MAX_REPLAY {
            self.times.push(at);
        }
    }

    /// When the `nth` spaced request of the period may go: `nth` times `length / quota` after
    /// the period's start (`nth - 3/4` times, where [`spaced_refused`](Self::spaced_refused)).
    fn slot(&self, nth: u32) -> Instant {
        let periods = u32::try_from(self.index).unwrap_or(u32::MAX);
        let spacing = self.length / self.quota.max(1);
        let spaced = spacing.saturating_mul(nth);
        let spaced = if self.spaced_refused {
            spaced.saturating_sub(spacing.mul_f32(0.75))
        } else {
            spaced
        };
        self.start
            .checked_add(self.length.saturating_mul(periods))
            .and_then(|start| start.checked_add(spaced))
            .unwrap_or(self.start)
    }

    /// When the period after the one `sent` counts in begins.
    pub(super) fn next_start(&self) -> Instant {
        let periods = u32::try_from(self.index.saturating_add(1)).unwrap_or(u32::MAX);
        self.start
            .checked_add(self.length.saturating_mul(periods))
            .unwrap_or(self.start)
    }
}
