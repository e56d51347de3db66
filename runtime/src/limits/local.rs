//! The in-process store: [`LocalStore`].

use core::time::Duration;
use std::collections::HashMap;

use foldhash::fast::RandomState;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Instant;

use super::key::ScopeKey;
use super::mirror::Mirror;
use super::quotas::{QuotaSet, StatedQuotas};
use super::state::ScopeState;
use super::store::{Acquire, Ask, Grant, LimitStore, Outcome, Report};
use super::{MAX_SCOPES, Pause};

/// The rate-limit state of one process, the store a [`Retrier`](crate::Retrier) uses unless
/// given another. Clones share it.
///
/// Each scope's state sits behind a lock of its own. A call in a scope that has seen no
/// refusal and (reading quotas) has had its first answer goes without taking it: one atomic
/// read and two counts where no quota is stated, one compare-and-swap that reserves one of the
/// slots the stated quotas have left where they are (the last slot is left to the lock, which
/// decides when a quota is nearly spent). An answer to such a call that states the same period
/// again with some left (the common answer) is merged in without the lock, with one
/// compare-and-swap, or none when it changes nothing; any other answer takes the lock, briefly.
/// Scopes other than the client's are kept in a table bounded to 256 entries (bucket names come
/// from the server): past that, the scopes with nothing in flight and nothing held are
/// forgotten first, least recently used first (by the last scope taken in before their latest
/// use), a quarter of the table at a time.
///
/// It reads the caller's clock ([`Ask::now`], [`Report::now`]), so every call of one store
/// should tell the time with one clock; a hold read on another clock is never longer than the
/// server stated.
#[derive(Clone, Default)]
pub struct LocalStore {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    client: Cell,
    scopes: RwLock<HashMap<ScopeKey, Cell, RandomState>>,
    tick: AtomicU64,
}

/// One scope: its state, and what lets a call skip the lock.
#[derive(Default)]
struct Cell {
    /// Whether the state can make a call wait ([`ScopeState::busy`]).
    busy: AtomicBool,
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
    /// When the scope was last used: the epoch ([`Inner::tick`]) of its latest use.
    used: AtomicU64,
    /// The stated periods, for the fast path's room and for answers merged in without the
    /// lock.
    mirror: Mirror,
    state: Mutex<ScopeState>,
}

impl LocalStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many scopes besides the client's the store keeps.
    pub fn scopes(&self) -> usize {
        self.inner.read().len()
    }

    /// The answers of `scope` merged in without its lock.
    #[cfg(test)]
    pub(crate) fn merged_without_lock(&self, scope: ScopeKey) -> u64 {
        self.inner
            .with(&scope, |cell| cell.mirror.merged.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// Frees the reservation `report` releases, if any (and what its scope's state counts
    /// apart of a reservation of some quotas only).
    fn free(&self, report: &Report) {
        let Some((scope, _)) = report.release else {
            return;
        };
        self.inner.with(&scope, |cell| {
            if report.counted != QuotaSet::ALL {
                cell.unreserve(report.counted);
            }
            cell.release();
        });
    }

    /// The reservations out in `scope`.
    pub fn in_flight(&self, scope: ScopeKey) -> u32 {
        self.inner
            .with(&scope, |cell| cell.in_flight(Ordering::Relaxed))
            .unwrap_or(0)
    }
}

impl LimitStore for LocalStore {
    fn acquire<'a>(&'a self, ask: &'a Ask) -> Acquire<'a> {
        let grant = self
            .inner
            .with_or_insert(&ask.scope, ask.now, |cell| cell.acquire(ask));
        Acquire::Ready(grant)
    }

    fn report(&self, report: &Report) {
        let quiet = report.quotas.is_empty()
            && matches!(report.outcome, Outcome::Success | Outcome::Failure);
        if quiet {
            // freed in the scope it reports on: one lookup for both
            let idle = match report.release {
                Some((scope, _)) if scope == report.scope && report.counted == QuotaSet::ALL => {
                    self.inner.with(&scope, |cell| {
                        cell.release();
                        cell.idle(report.answered)
                    })
                }
                _ => {
                    self.free(report);
                    self.inner
                        .with(&report.scope, |cell| cell.idle(report.answered))
                }
            };
            if idle.unwrap_or(!report.answered) {
                return;
            }
            self.inner
                .with_or_insert(&report.scope, report.now, |cell| cell.learn(report));
            return;
        }
        // what the answer says is learned before its slot is freed: the slot is never free
        // while the room it leaves is not yet lowered to what the answer stated
        self.inner
            .with_or_insert(&report.scope, report.now, |cell| cell.learn(report));
        self.free(report);
    }

    fn peek(&self, scope: ScopeKey, now: Instant, cap: Duration) -> Option<(Duration, Pause)> {
        self.peek_for(scope, QuotaSet::ALL, now, cap)
    }

    fn peek_for(
        &self,
        scope: ScopeKey,
        quotas: QuotaSet,
        now: Instant,
        cap: Duration,
    ) -> Option<(Duration, Pause)> {
        self.inner
            .with(&scope, |cell| {
                if cell.busy.load(Ordering::Acquire) {
                    cell.lock().peek(now, cap, quotas)
                } else {
                    None
                }
            })
            .flatten()
    }

    fn acquire_quick(
        &self,
        scope: &ScopeKey,
        reads_quota: bool,
        quotas: QuotaSet,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        self.inner
            .with(scope, |cell| cell.quick(reads_quota, quotas, now))
            .unwrap_or(false)
    }

    fn release_quick(&self, scope: &ScopeKey) {
        self.inner.with(scope, Cell::release);
    }

    fn report_quick(&self, scope: &ScopeKey, stated: &StatedQuotas, now: Instant) -> bool {
        self.inner
            .with(scope, |cell| cell.succeeded(stated, now))
            .is_some()
    }

    fn hold_status(&self, scope: ScopeKey) -> Option<http::StatusCode> {
        self.inner
            .with(&scope, |cell| cell.lock().hold_status())
            .flatten()
    }
}

impl core::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LocalStore")
            .field("scopes", &self.scopes())
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<ScopeKey, Cell, RandomState>> {
        self.scopes.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// `f` of `scope`'s cell, if the store has it.
    #[inline]
    fn with<R>(&self, scope: &ScopeKey, f: impl FnOnce(&Cell) -> R) -> Option<R> {
        if matches!(*scope, ScopeKey::Client) {
            return Some(f(&self.client));
        }
        let scopes = self.read();
        let cell = scopes.get(scope)?;
        self.touch(cell);
        Some(f(cell))
    }

    /// `f` of `scope`'s cell, made if new (and the table trimmed if full).
    fn with_or_insert<R>(&self, scope: &ScopeKey, now: Instant, f: impl FnOnce(&Cell) -> R) -> R {
        if matches!(*scope, ScopeKey::Client) {
            return f(&self.client);
        }
        {
            let scopes = self.read();
            if let Some(cell) = scopes.get(scope) {
                self.touch(cell);
                return f(cell);
            }
        }
        let mut scopes = self.scopes.write().unwrap_or_else(PoisonError::into_inner);
        if !scopes.contains_key(scope) && scopes.len() >= MAX_SCOPES {
            trim(&mut scopes, now);
        }
        // a new epoch: the cells used from now on are more recent than any used before
        let tick = self.tick.fetch_add(1, Ordering::Relaxed) + 1;
        let cell = scopes.entry(*scope).or_default();
        cell.used.store(tick, Ordering::Relaxed);
        f(cell)
    }

    /// Marks `cell` used in this epoch (since the table last took a scope in): what the
    /// table's bound forgets by. Only what is in the table changes the order that matters, so
    /// a use is stamped with a read of the epoch, not a count of its own, and written only
    /// when the stamp changes.
    #[inline]
    fn touch(&self, cell: &Cell) {
        let tick = self.tick.load(Ordering::Relaxed);
        if cell.used.load(Ordering::Relaxed) != tick {
            cell.used.store(tick, Ordering::Relaxed);
        }
    }
}

/// Forgets a quarter of a full table: scopes with nothing in flight and nothing held first,
/// then those with a hold or a spent quota, least recently used first within each; scopes with
/// requests in flight only if nothing else is left.
fn trim(scopes: &mut HashMap<ScopeKey, Cell, RandomState>, now: Instant) {
    let mut ranked: Vec<((u8, u64), ScopeKey)> = scopes
        .iter()
        .map(|(key, cell)| {
            let rank = if cell.in_flight(Ordering::Relaxed) > 0 {
                2
            } else {
                match cell.state.try_lock() {
                    Ok(state) if !state.holds_at(now) => 0,
                    _ => 1,
                }
            };
            ((rank, cell.used.load(Ordering::Relaxed)), *key)
        })
        .collect();
    ranked.sort_unstable_by_key(|(rank, _)| *rank);
    for (_, key) in ranked.iter().take((MAX_SCOPES / 4).max(1)) {
        scopes.remove(key);
    }
}

/// One reservation, and one request sent quietly, in [`Cell::counts`].
const ONE_IN_FLIGHT: u64 = 1;
const ONE_QUIET: u64 = 1 << 32;
const IN_FLIGHT: u64 = ONE_QUIET - 1;

impl Cell {
    /// The scope's state, with what answers told outside the lock merged in.
    fn lock(&self) -> MutexGuard<'_, ScopeState> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.mirror.absorb(&mut state);
        state
    }

    /// Whether an answer that states no quota needs no lock: nothing can wait here but stated
    /// quotas with room left (which such an answer leaves as they are), and (for an answer
    /// read) the scope had its first answer.
    fn idle(&self, answered: bool) -> bool {
        (!self.busy.load(Ordering::Acquire) || self.room.load(Ordering::Acquire) > 0)
            && (!answered || self.answered.load(Ordering::Acquire))
    }

    /// The fast path: a call goes without the lock when nothing can make it wait, or when
    /// only stated quotas can and they have room for it with the reservations out (for a
    /// call counting against each of them: one counting against some is counted apart, under
    /// the lock).
    #[inline]
    fn quick(&self, reads_quota: bool, quotas: QuotaSet, now: &dyn Fn() -> Instant) -> bool {
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

    fn acquire(&self, ask: &Ask) -> Grant {
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
    fn release(&self) {
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
    fn unreserve(&self, quotas: QuotaSet) {
        let mut state = self.lock();
        state.reserve(quotas, false);
        self.publish(&mut state, None);
    }

    /// The reservations out.
    fn in_flight(&self, order: Ordering) -> u32 {
        u32::try_from(self.counts.load(order) & IN_FLIGHT).unwrap_or(u32::MAX)
    }

    /// The requests sent on the fast path since the last count, counted now.
    fn take_quiet(&self) -> u32 {
        let before = self.counts.fetch_and(IN_FLIGHT, Ordering::AcqRel);
        u32::try_from(before >> 32).unwrap_or(u32::MAX)
    }

    /// What [`LocalStore::report`] does with the report of a read response to a call let go
    /// on the fast path that succeeded: its slot freed, and the lock taken only when the
    /// response stated a quota or something here must see it.
    fn succeeded(&self, stated: &StatedQuotas, now: Instant) {
        if self.idle(true) && (stated.is_empty() || self.mirror.answer(stated, now)) {
            self.release();
            return;
        }
        let mut state = self.lock();
        state.succeeded(now, true, stated);
        self.publish(&mut state, Some(now));
        self.answered.store(state.answered(), Ordering::Release);
        // freed once the room is what the answer left
        state.sent_quietly(self.release_taking_quiet(), None);
    }

    fn learn(&self, report: &Report) {
        let mut state = self.lock();
        state.sent_quietly(self.take_quiet(), None);
        state.learn(report);
        self.publish(&mut state, Some(report.now));
        self.answered.store(state.answered(), Ordering::Release);
    }
}
