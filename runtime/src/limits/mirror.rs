//! What [`LocalStore`](super::LocalStore) shows of a scope's stated quotas outside its lock:
//! each stated period's count and reset in one word, so that the common answer (a quota with
//! some left, stated again for the same period) is merged in with one compare-and-swap, or
//! none when it changes nothing, and the lock merges it into the ledger when next taken.
//!
//! Only what the ledger would do with such an answer is done here: it lowers the count and the
//! reset, and nothing else ([`Ledger::mirrored`]). Anything else (another period, a spent
//! quota, a longer wait or a larger limit than the period's, a count above 2^24 - 1, a clock
//! that does not agree with the store's) is left to the lock, where it always was. While a
//! period has most of its requests left ([`roomy`]), an answer lowers its count only and the
//! time is not read: the answer of the common success, far from the quota, costs no clock read.

use core::time::Duration;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use super::ledger::{Ledger, Mirrored, RESET_GRAIN};
use super::quotas::{MAX_QUOTAS, StatedQuota, StatedQuotas};
use super::state::ScopeState;

/// The low bits of a word: the requests left.
const COUNT_BITS: u32 = 24;
const COUNT: u64 = (1 << COUNT_BITS) - 1;
/// The most milliseconds after the base a reset can be mirrored at (the high 40 bits of a
/// word: about 34 years).
const MAX_RESET_MS: u64 = u64::MAX >> COUNT_BITS;
const MS: u64 = 1_000_000;
/// [`RESET_GRAIN`] in nanoseconds.
const GRAIN: u64 = RESET_GRAIN.as_secs() * 1_000_000_000 + RESET_GRAIN.subsec_nanos() as u64;

/// One scope's stated periods, as the fast path sees them.
#[derive(Debug, Default)]
pub(super) struct Mirror {
    /// The instant the resets are counted from, set with the first period mirrored.
    base: OnceLock<Instant>,
    /// Per quota: the period's reset in milliseconds after `base`, rounded up, in the high
    /// bits, and the requests it has left in the low [`COUNT_BITS`]; 0 for a quota whose
    /// answers only the lock takes. Lowered by answers, set by the lock.
    periods: [AtomicU64; MAX_QUOTAS],
    /// Per quota, the longest wait for the reset an answer of the period stated, in
    /// nanoseconds: written before the period's word, by the lock.
    longest: [AtomicU64; MAX_QUOTAS],
    /// Per quota, the most requests a period was seen to allow: written before the word.
    limits: [AtomicU64; MAX_QUOTAS],
    /// Per quota, which ledger period the word is of ([`Mirrored::id`]): read and written
    /// under the lock only.
    ids: [AtomicU32; MAX_QUOTAS],
    /// How many of the first words may be other than 0 (one past the last the lock set): the
    /// words the fast path reads. Only the lock sets a word other than 0.
    live: AtomicUsize,
    /// The answers merged in here, for the tests.
    #[cfg(test)]
    pub(super) merged: AtomicU64,
}

/// The word of `count` left and a reset `reset_ms` after the base.
fn word(reset_ms: u64, count: u64) -> u64 {
    (reset_ms << COUNT_BITS) | count
}

/// The reset (milliseconds after the base) and the count of a word.
fn parts(word: u64) -> (u64, u64) {
    (word >> COUNT_BITS, word & COUNT)
}

/// The word of `period` with resets counted from `base`; 0 when it cannot have one (a reset
/// too far off, a count too large).
fn word_of(period: &Mirrored, base: Instant) -> u64 {
    let reset_ms = nanos_since(base, period.reset).map(|ns| ns.div_ceil(MS));
    match reset_ms {
        Some(reset_ms) if reset_ms <= MAX_RESET_MS && period.remaining <= COUNT => {
            word(reset_ms, period.remaining)
        }
        _ => 0,
    }
}

/// The nanoseconds from `base` to `at`, if `at` is not before it and they fit.
fn nanos_since(base: Instant, at: Instant) -> Option<u64> {
    let since = at.checked_duration_since(base)?;
    since
        .as_secs()
        .checked_mul(1_000_000_000)?
        .checked_add(u64::from(since.subsec_nanos()))
}

/// The fewest requests a period must have left for an answer to be merged in without the
/// time: [`roomy`].
const ROOMY: u64 = 256;

/// Whether a period with `left` requests left, of the `limit` a period is seen to allow, is
/// far enough from spent that an answer leaving it so is merged in by its count alone, without
/// reading the time: at least half the limit and [`ROOMY`] left.
///
/// Such an answer lowers the count and leaves the reset as it is, and is taken for one of the
/// known period without the time that would tell. Both err on the side of sending less: the
/// count is one a response stated; a reset a little later than the period's only matters once
/// the quota is spent, and the answers of a period nearer spent read the time and lower it; an
/// answer of a later period lowers the count to what that period has left, and the ledger
/// takes the new period once an answer of it comes to the lock (the first that leaves it less
/// than roomy, or one stating a longer wait or a larger limit). While a period is roomy, the
/// fast path's room is its count, which is at least half a period's.
#[inline]
fn roomy(left: u64, limit: u64) -> bool {
    left >= ROOMY && left.saturating_mul(2) >= limit
}

impl Mirror {
    /// Merges into `state`'s ledgers what answers told outside the lock since it was last
    /// taken: what the lock does first.
    pub(super) fn absorb(&self, state: &mut ScopeState) {
        let Some(base) = self.base.get() else {
            return;
        };
        for (index, ledger) in state.ledgers_mut().iter_mut().enumerate() {
            let current = self.periods[index].load(Ordering::Acquire);
            self.absorb_word(*base, index, current, ledger);
        }
    }

    /// Merges word `current` of quota `index` into its ledger, if the word is of the ledger's
    /// period.
    fn absorb_word(&self, base: Instant, index: usize, current: u64, ledger: &mut Ledger) {
        if current == 0 {
            return;
        }
        let (reset_ms, count) = parts(current);
        if let Some(reset) = base.checked_add(Duration::from_millis(reset_ms)) {
            ledger.absorb(self.ids[index].load(Ordering::Relaxed), reset, count);
        }
    }

    /// Shows the fast path `state`'s stated periods, under the lock at `now` (if told): each
    /// word set from its ledger, merging in first what an answer may have lowered it to since
    /// [`absorb`](Self::absorb). The fast path must be closed while this runs (its room 0),
    /// since a period's count and the room the rest of the state leaves are set one after the
    /// other.
    pub(super) fn publish(&self, state: &mut ScopeState, now: Option<Instant>) {
        // the words in use while this runs and after it
        self.live.store(MAX_QUOTAS, Ordering::Release);
        let mut live = 0;
        for index in 0..MAX_QUOTAS {
            let slot = &self.periods[index];
            let mut current = slot.load(Ordering::Acquire);
            let mirrored = loop {
                let base = self.base.get().copied();
                if let Some(base) = base {
                    self.absorb_word(base, index, current, &mut state.ledgers_mut()[index]);
                }
                let mirrored = state.ledgers()[index].mirrored();
                let next = mirrored
                    .and_then(|period| {
                        let base = base.or_else(|| now.map(|now| self.first_base(now)))?;
                        Some(word_of(&period, base))
                    })
                    .unwrap_or(0);
                if next == current {
                    break mirrored;
                }
                if let Some(period) = mirrored.filter(|_| next != 0) {
                    // for the answers that read the word: written before it
                    let longest = u64::try_from(period.longest.as_nanos()).unwrap_or(u64::MAX);
                    self.longest[index].store(longest, Ordering::Release);
                    self.limits[index].store(period.limit, Ordering::Release);
                }
                match slot.compare_exchange(current, next, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => break mirrored,
                    Err(lowered) => current = lowered,
                }
            };
            if let Some(period) = mirrored {
                self.ids[index].store(period.id, Ordering::Relaxed);
            }
            if slot.load(Ordering::Acquire) != 0 {
                live = index + 1;
            }
        }
        self.live.store(live, Ordering::Release);
    }

    /// The base, set at `now` for the first period mirrored: an hour before it, so that a
    /// clock a little behind the store's still reads the resets.
    fn first_base(&self, now: Instant) -> Instant {
        let early = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
        *self.base.get_or_init(|| early)
    }

    /// The fewest requests any mirrored period has left (`u64::MAX` with none): the live
    /// part of the fast path's room.
    #[inline]
    pub(super) fn fewest(&self) -> u64 {
        let live = self.live.load(Ordering::Acquire);
        let periods = self.periods.get(..live).unwrap_or(&self.periods);
        periods.iter().fold(u64::MAX, |fewest, slot| {
            match slot.load(Ordering::Acquire) {
                0 => fewest,
                period => fewest.min(period & COUNT),
            }
        })
    }

    /// An answer stating `stated`, merged in here if, for each quota it states, the ledger
    /// would only lower the count and reset of the period it mirrors: `false` when any quota
    /// needs the lock (what was merged by then is merged again there, to no effect). The time
    /// (`now`) is read only for a quota whose period is not [`roomy`] once the answer is in.
    #[inline]
    pub(super) fn answer(&self, stated: &StatedQuotas, now: &dyn Fn() -> Instant) -> bool {
        let Some(base) = self.base.get() else {
            return false;
        };
        // the nanoseconds since the base, read once if a quota needs them
        let mut since = None;
        let mut at = || *since.get_or_insert_with(|| nanos_since(*base, now()));
        let merged = stated
            .each()
            .iter()
            .enumerate()
            .all(|(index, quota)| match quota {
                Some(quota) => self.answer_one(index, quota, &mut at),
                None => true,
            });
        #[cfg(test)]
        if merged {
            self.merged.fetch_add(1, Ordering::Relaxed);
        }
        merged
    }

    /// [`answer`](Self::answer) of quota `index`, with `now()` the nanoseconds after the base
    /// (`None` if they do not fit).
    fn answer_one(
        &self,
        index: usize,
        quota: &StatedQuota,
        now: &mut impl FnMut() -> Option<u64>,
    ) -> bool {
        let Ok(reset_in) = u64::try_from(quota.reset_in.as_nanos()) else {
            return false;
        };
        let seen = quota.limit.unwrap_or(quota.remaining.saturating_add(1));
        let slot = &self.periods[index];
        let mut current = slot.load(Ordering::Acquire);
        loop {
            if current == 0 || quota.remaining == 0 {
                return false;
            }
            // read after the word: at least what was written with it
            let longest = self.longest[index].load(Ordering::Acquire);
            let limit = self.limits[index].load(Ordering::Acquire);
            if reset_in > longest || seen > limit {
                return false;
            }
            let (known_ms, count) = parts(current);
            let left = count.min(quota.remaining);
            let merged = if roomy(left, limit) {
                // the count only: the reset is left as it is, and the period taken for the
                // known one (see `roomy`)
                word(known_ms, left)
            } else {
                let Some(reset) = now().and_then(|now| {
                    let reset = now.checked_add(reset_in)?;
                    // the mirrored reset is rounded up: the period's is within the
                    // millisecond before
                    let known = known_ms * MS;
                    let same_period = now.saturating_add(MS) < known
                        && reset.saturating_add(GRAIN) > known
                        && reset.saturating_add(MS) <= known.saturating_add(GRAIN);
                    same_period.then_some(reset)
                }) else {
                    return false;
                };
                word(known_ms.min(reset.div_ceil(MS)), left)
            };
            if merged == current {
                return true;
            }
            match slot.compare_exchange_weak(current, merged, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return true,
                Err(now_there) => current = now_there,
            }
        }
    }
}
