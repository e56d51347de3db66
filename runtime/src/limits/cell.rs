//! One scope of the in-process store: its state behind its lock, and what lets a call skip
//! the lock (see [`LocalStore`](super::LocalStore)).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::mirror::Mirror;
use super::quotas::{QuotaSet, StatedQuotas};
use super::state::ScopeState;
use super::store::{Ask, Grant, Report};

/// One scope: its state, and what lets a call skip the lock.
#[derive(Default)]
pub(super) struct Cell {
    /// Whether the state can make a call wait ([`ScopeState::busy`]).
    pub(super) busy: AtomicBool,
    /// When busy, the reservations that may be out for a call to go without the lock
    /// ([`ScopeState::room`]): a stated quota with room left lets calls go as they would
    /// be let go under it. Written before `busy`.
    room: AtomicU64,
    /// Whether a response of the scope has been read.
    answered: AtomicBool,
    /// Two counts in one word, so that the fast path changes both at once: the reservations
    /// out (the low 32 bits) and the requests sent on the fast path since the state last
    /// counted them (the high 32 bits, where a wrap carries out of the word harmlessly).
    counts: AtomicU64,
    /// When the scope was last used: the table's epoch at its latest use.
    pub(super) used: AtomicU64,
    /// The stated periods, for the fast path's room and for answers merged in without the
    /// lock.
    pub(super) mirror: Mirror,
    pub(super) state: Mutex<ScopeState>,
}

/// One reservation, and one request sent quietly, in [`Cell::counts`].
const ONE_IN_FLIGHT: u64 = 1;
const ONE_QUIET: u64 = 1 << 32;
const IN_FLIGHT: u64 = ONE_QUIET - 1;

impl Cell {
    /// The scope's state, with what answers told outside the lock merged in.
    pub(super) fn lock(&self) -> MutexGuard<'_, ScopeState> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.mirror.absorb(&mut state);
        state
    }

    /// Whether an answer that states no quota needs no lock: nothing can wait here but stated
    /// quotas with room left (which such an answer leaves as they are), and (for an answer
    /// read) the scope had its first answer.
    pub(super) fn idle(&self, answered: bool) -> bool {
        (!self.busy.load(Ordering::Acquire) || self.room.load(Ordering::Acquire) > 0)
            && (!answered || self.answered.load(Ordering::Acquire))
    }

    /// The fast path: a call goes without the lock when nothing can make it wait, or when
    /// only stated quotas can and they have room for it with the reservations out (for a
    /// call counting against each of them: one counting against some is counted apart, under
    /// the lock).
    #[inline]
    pub(super) fn quick(
        &self,
        reads_quota: bool,
        quotas: QuotaSet,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        if reads_quota && !self.answered.load(Ordering::Acquire) {
            return false;
        }
        let before = if self.busy.load(Ordering::Acquire) {
            if quotas != QuotaSet::ALL {
                return false;
            }
            match self.reserve() {
                Some(before) => before,
                None => return false,
            }
        } else {
            self.counts
                .fetch_add(ONE_QUIET | ONE_IN_FLIGHT, Ordering::AcqRel)
        };
        if before >> 32 == 0 {
            // the first request since the state last counted: when learned pacing starts
            self.lock().sent_quietly(0, Some(now()));
        }
        true
    }

    /// Reserves a slot of the stated quotas if the reservations out leave one in the room
    /// they have ([`ScopeState::room`], lowered by answers merged in since): the counts
    /// before, or `None`. One more than the state would let go is left free for the call it
    /// may be admitting under the lock (it counts its reservation after deciding).
    ///
    /// The room is read again once the slot is reserved, and the slot given back if it no
    /// longer fits: an answer lowers the room before it frees its slot, so any slot freed
    /// before this reservation is seen with the room its answer left. (Read only before, a
    /// room read just ahead of answers that spend the quota and free their slots would let one
    /// more go than the server allows.)
    #[inline]
    fn reserve(&self) -> Option<u64> {
        let room = || self.room.load(Ordering::Acquire).min(self.mirror.fewest());
        let fits = |counts: u64, room: u64| (counts & IN_FLIGHT).saturating_add(1) < room;
        let mut counts = self.counts.load(Ordering::Acquire);
        let before = loop {
            if !fits(counts, room()) {
                return None;
            }
            match self.counts.compare_exchange_weak(
                counts,
                counts.wrapping_add(ONE_QUIET | ONE_IN_FLIGHT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(before) => break before,
                Err(now) => counts = now,
            }
        };
        if fits(before, room()) {
            return Some(before);
        }
        self.unreserve_quick();
        None
    }

    /// Gives back a slot [`reserve`](Self::reserve) took: its reservation, and its request
    /// from the quiet count unless the state counted it already.
    #[cold]
    fn unreserve_quick(&self) {
        let _ = self
            .counts
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |counts| {
                let quiet = if counts >> 32 > 0 { ONE_QUIET } else { 0 };
                Some(counts.wrapping_sub(quiet | ONE_IN_FLIGHT))
            });
    }

    /// Tells the fast path what the state allows now (at `now`, if told): the fast path is
    /// closed while the stated periods are mirrored, then opened to the room the state leaves.
    fn publish(&self, state: &mut ScopeState, now: Option<Instant>) {
        self.room.store(0, Ordering::Release);
        self.busy.store(state.busy(), Ordering::Release);
        self.mirror.publish(state, now);
        self.room.store(state.room(), Ordering::Release);
    }

    pub(super) fn acquire(&self, ask: &Ask) -> Grant {
        // a request counting against some quotas only is counted apart, under the lock
        if ask.quotas == QuotaSet::ALL && self.quick(ask.reads_quota, ask.quotas, &|| ask.now) {
            return Grant::Go;
        }
        let mut state = self.lock();
        state.sent_quietly(self.take_quiet(), None);
        let grant = state.admit(ask, self.in_flight(Ordering::Acquire));
        if grant == Grant::Go {
            self.counts.fetch_add(ONE_IN_FLIGHT, Ordering::AcqRel);
            state.reserve(ask.quotas, true);
        }
        self.publish(&mut state, Some(ask.now));
        grant
    }

    /// Frees a reservation (none if none is out).
    #[inline]
    pub(super) fn release(&self) {
        let before = self.counts.fetch_sub(ONE_IN_FLIGHT, Ordering::AcqRel);
        if before & IN_FLIGHT == 0 {
            // none was out: the borrow from the quiet count is given back
            self.counts.fetch_add(ONE_IN_FLIGHT, Ordering::AcqRel);
        }
    }

    /// [`release`](Self::release) and [`take_quiet`](Self::take_quiet) in one change of the
    /// counts.
    fn release_taking_quiet(&self) -> u32 {
        let mut counts = self.counts.load(Ordering::Acquire);
        loop {
            let freed = (counts & IN_FLIGHT).saturating_sub(ONE_IN_FLIGHT);
            match self.counts.compare_exchange_weak(
                counts,
                freed,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(before) => return u32::try_from(before >> 32).unwrap_or(u32::MAX),
                Err(now) => counts = now,
            }
        }
    }

    /// Frees what the state counts of a reservation of `quotas` only (its count in
    /// [`counts`](Self::counts) is freed by [`release`](Self::release)).
    pub(super) fn unreserve(&self, quotas: QuotaSet) {
        let mut state = self.lock();
        state.reserve(quotas, false);
        self.publish(&mut state, None);
    }

    /// The reservations out.
    pub(super) fn in_flight(&self, order: Ordering) -> u32 {
        u32::try_from(self.counts.load(order) & IN_FLIGHT).unwrap_or(u32::MAX)
    }

    /// The requests sent on the fast path since the last count, counted now.
    fn take_quiet(&self) -> u32 {
        let before = self.counts.fetch_and(IN_FLIGHT, Ordering::AcqRel);
        u32::try_from(before >> 32).unwrap_or(u32::MAX)
    }

    /// What [`LocalStore::report`] does with the report of a read response to a call let go
    /// on the fast path that succeeded: its slot freed, and the lock taken only when the
    /// response stated a quota or something here must see it. The time, `now()`, is read only
    /// if the lock is taken or the mirror needs it, and once.
    pub(super) fn succeeded(&self, stated: &StatedQuotas, now: &dyn Fn() -> Instant) {
        let time = crate::clock::ReadOnce::new(None, now);
        if self.idle(true) && (stated.is_empty() || self.mirror.answer(stated, &|| time.get())) {
            self.release();
            return;
        }
        let now = time.get();
        let mut state = self.lock();
        state.succeeded(now, true, stated);
        self.publish(&mut state, Some(now));
        self.answered.store(state.answered(), Ordering::Release);
        // freed once the room is what the answer left
        state.sent_quietly(self.release_taking_quiet(), None);
    }

    pub(super) fn learn(&self, report: &Report) {
        let mut state = self.lock();
        state.sent_quietly(self.take_quiet(), None);
        state.learn(report);
        self.publish(&mut state, Some(report.now));
        self.answered.store(state.answered(), Ordering::Release);
    }
}
