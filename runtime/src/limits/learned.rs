//! Pacing learned from refusals, for a scope whose responses state no quota: the requests
//! that got through between two refusals, per period, probed upward after each clean period.

use core::time::Duration;
use std::time::Instant;

/// Pacing learned from refusals: how many requests succeed between one hold's end and the
/// next refusal, and how long that period is; then at most that many are sent per period,
/// probing upward after each period without a refusal.
#[derive(Debug, Default)]
pub(super) struct Learned {
    /// Requests sent since the latest hold was learnt, and when the first of them was.
    pub(super) sent: u32,
    pub(super) first_sent: Option<Instant>,
    pub(super) last_hold_end: Option<Instant>,
    pub(super) window: Option<Window>,
}

#[derive(Debug)]
pub(super) struct Window {
    pub(super) quota: u32,
    /// The most sent in a period that was refused: probing goes past it one at a time.
    pub(super) ceiling: Option<u32>,
    pub(super) length: Duration,
    pub(super) start: Instant,
    /// The period `sent` counts in, since `start`.
    pub(super) index: u64,
    pub(super) sent: u32,
    /// Successes of the period `sent` counts in: what a refusal in it learns.
    pub(super) succeeded: u32,
    pub(super) refused: bool,
}

impl Window {
    /// Moves to the period holding `now`, growing the quota after each clean period passed.
    pub(super) fn advance(&mut self, now: Instant) {
        let since = now.saturating_duration_since(self.start);
        let length = self.length.as_nanos().max(1);
        let index = u64::try_from(since.as_nanos() / length).unwrap_or(u64::MAX);
        if index > self.index {
            if !self.refused && self.sent >= self.quota {
                self.grow();
            }
            self.index = index;
            self.sent = 0;
            self.succeeded = 0;
            self.refused = false;
        }
    }

    /// After a full period without a refusal: one more at the last refused level (a probe),
    /// a quarter more below it, twice as many once a probe got through (the limit rose).
    fn grow(&mut self) {
        let quarter = (self.quota / 4).max(1);
        self.quota = match self.ceiling {
            Some(c) if self.quota >= c => {
                self.ceiling = None;
                self.quota.saturating_mul(2)
            }
            Some(c) if self.quota.saturating_add(1) >= c => self.quota.saturating_add(1),
            Some(c) => self.quota.saturating_add(quarter).min(c.saturating_sub(1)),
            None => self.quota.saturating_add(quarter),
        };
    }

    /// A new learned period from `start`: `sent` were sent in the refused one, and this
    /// refusal is one of them.
    pub(super) fn refused_at(sent: u32, length: Duration, start: Instant) -> Self {
        Window {
            quota: sent.saturating_sub(1).max(1),
            ceiling: Some(sent.max(1)),
            length,
            start,
            index: 0,
            sent: 0,
            succeeded: 0,
            refused: true,
        }
    }

    /// When the period after the one `sent` counts in begins.
    pub(super) fn next_start(&self) -> Instant {
        let periods = u32::try_from(self.index.saturating_add(1)).unwrap_or(u32::MAX);
        self.start
            .checked_add(self.length.saturating_mul(periods))
            .unwrap_or(self.start)
    }
}
