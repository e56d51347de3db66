//! The in-process store: [`LocalStore`].

use core::cell::RefCell;
use core::time::Duration;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use foldhash::fast::RandomState;

use super::cell::Cell;
use super::key::ScopeKey;
use super::quotas::{QuotaSet, StatedQuotas};
use super::recent::{Mark, Recent, Version};
use super::store::{Acquire, Ask, LimitStore, Outcome, Report, Ticket};
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
/// use), a quarter of the table at a time. Each thread remembers the few scopes it used last
/// and finds them again without the table's lock while no scope was taken in or forgotten.
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
    scopes: RwLock<HashMap<ScopeKey, Arc<Cell>, RandomState>>,
    tick: AtomicU64,
    /// Bumped whenever `scopes` gains or loses a scope: a thread's [`RECENT`] cells are the
    /// table's while it is unchanged.
    version: Version,
}

thread_local! {
    /// The cells this thread found in a store's table lately: a call finds its scope again
    /// without the table's lock (a forgotten scope's cell lives on while a thread remembers
    /// it, at most a few per thread).
    static RECENT: RefCell<Recent<ScopeKey, Arc<Cell>>> = const { RefCell::new(Recent::new()) };
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
    ) -> Option<Ticket> {
        let (go, mark) = self
            .inner
            .with_marked(scope, |cell| cell.quick(reads_quota, quotas, now))?;
        go.then(|| Ticket::quick(mark.to_bits()))
    }

    fn release_quick(&self, scope: &ScopeKey, ticket: Ticket) {
        self.inner.with_at(scope, ticket, Cell::release);
    }

    #[inline]
    fn report_quick(
        &self,
        scope: &ScopeKey,
        ticket: Ticket,
        stated: &StatedQuotas,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        self.inner
            .with_at(scope, ticket, |cell| cell.succeeded(stated, now))
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
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<ScopeKey, Arc<Cell>, RandomState>> {
        self.scopes.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// `f` of `scope`'s cell, if the store has it.
    #[inline]
    fn with<R>(&self, scope: &ScopeKey, f: impl Fn(&Cell) -> R) -> Option<R> {
        self.with_marked(scope, f).map(|(found, _)| found)
    }

    /// [`with`](Self::with), and where this thread remembers the cell (what [`with_at`](
    /// Self::with_at) finds it by): [`Mark::NONE`] for the client's, or a cell it does not.
    #[inline]
    fn with_marked<R>(&self, scope: &ScopeKey, f: impl Fn(&Cell) -> R) -> Option<(R, Mark)> {
        if matches!(*scope, ScopeKey::Client) {
            return Some((f(&self.client), Mark::NONE));
        }
        if let Some(found) = self.recent(scope, &f) {
            return Some(found);
        }
        let cell = self.find(scope)?;
        Some((f(&cell), Mark::NONE))
    }

    /// `f` of `scope`'s cell, found where this thread remembered it if `ticket` is
    /// [quick](Ticket::is_quick) and carries the mark [`with_marked`](Self::with_marked) gave
    /// (and the table has not changed since), else looked up.
    #[inline]
    fn with_at<R>(&self, scope: &ScopeKey, ticket: Ticket, f: impl Fn(&Cell) -> R) -> Option<R> {
        if !matches!(*scope, ScopeKey::Client)
            && let Some(note) = ticket.note()
        {
            let stamp = self.version.now();
            let found = RECENT
                .try_with(|recent| {
                    let recent = recent.try_borrow().ok()?;
                    let cell = recent.at(stamp, Mark::from_bits(note))?;
                    Some(f(cell))
                })
                .ok()
                .flatten();
            if found.is_some() {
                return found;
            }
        }
        self.with(scope, f)
    }

    /// `f` of `scope`'s cell, made if new (and the table trimmed if full).
    fn with_or_insert<R>(&self, scope: &ScopeKey, now: Instant, f: impl Fn(&Cell) -> R) -> R {
        if matches!(*scope, ScopeKey::Client) {
            return f(&self.client);
        }
        if let Some((found, _)) = self.recent(scope, &f) {
            return found;
        }
        if let Some(cell) = self.find(scope) {
            return f(&cell);
        }
        let cell = {
            let mut scopes = self.scopes.write().unwrap_or_else(PoisonError::into_inner);
            if !scopes.contains_key(scope) && scopes.len() >= MAX_SCOPES {
                trim(&mut scopes, now);
            }
            self.version.bump();
            // a new epoch: the cells used from now on are more recent than any used before
            let tick = self.tick.fetch_add(1, Ordering::Relaxed) + 1;
            let cell = Arc::clone(scopes.entry(*scope).or_default());
            cell.used.store(tick, Ordering::Relaxed);
            self.remember(*scope, &cell);
            cell
        };
        f(&cell)
    }

    /// `f` of `scope`'s cell as this thread last found it, if the table has not changed since,
    /// and where the thread remembers it.
    #[inline]
    fn recent<R>(&self, scope: &ScopeKey, f: &impl Fn(&Cell) -> R) -> Option<(R, Mark)> {
        let stamp = self.version.now();
        RECENT
            .try_with(|recent| {
                // borrowed mutably only while a cell is remembered, never while one is used
                let recent = recent.try_borrow().ok()?;
                let (cell, mark) = recent.find_marked(stamp, scope)?;
                self.touch(cell);
                Some((f(cell), mark))
            })
            .ok()
            .flatten()
    }

    /// `scope`'s cell in the table, remembered by this thread.
    fn find(&self, scope: &ScopeKey) -> Option<Arc<Cell>> {
        let scopes = self.read();
        let cell = scopes.get(scope)?;
        self.touch(cell);
        self.remember(*scope, cell);
        Some(Arc::clone(cell))
    }

    /// Remembers, for this thread, that `scope`'s cell is `cell` at the table's version (read
    /// under its lock, where no change can come between).
    fn remember(&self, scope: ScopeKey, cell: &Arc<Cell>) {
        let stamp = self.version.now();
        let _ = RECENT.try_with(|recent| {
            if let Ok(mut recent) = recent.try_borrow_mut() {
                recent.remember(stamp, scope, Arc::clone(cell));
            }
        });
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
fn trim(scopes: &mut HashMap<ScopeKey, Arc<Cell>, RandomState>, now: Instant) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{BucketName, Ticket};

    /// A quick call's ticket frees the slot of the scope it was let go in, whether the thread
    /// still remembers that scope where the ticket says, remembers another there, or the
    /// ticket comes back on another thread.
    #[test]
    fn a_quick_ticket_frees_its_own_scope_wherever_it_comes_back() {
        let store = LocalStore::new();
        let now = Instant::now();
        let scopes: Vec<ScopeKey> = (0..6)
            .map(|i| ScopeKey::Bucket(BucketName::new(format!("b{i}").as_bytes())))
            .collect();
        for (i, scope) in scopes.iter().enumerate() {
            let ask = Ask::new(*scope, Ticket(i as u64), now);
            assert!(store.acquire(&ask).ready().is_some());
            store.report(&Report::new(
                *scope,
                Some(Ticket(i as u64)),
                now,
                Outcome::Success,
            ));
        }
        let quick = |scope| store.acquire_quick(scope, false, QuotaSet::ALL, &|| now);
        let (first, second) = (&scopes[0], &scopes[1]);
        // found where this thread remembered it: the ticket carries where
        let _ = quick(first);
        let ticket = quick(first).expect("nothing can make it wait");
        assert!(
            ticket
                .note()
                .is_some_and(|note| note != Mark::NONE.to_bits())
        );
        store.release_quick(first, ticket);
        assert_eq!(store.in_flight(*first), 1);
        // the way it names now holds other scopes: each keeps its own slot
        let ticket = quick(first).expect("quick");
        for scope in &scopes[1..] {
            let _ = quick(scope).expect("quick");
        }
        store.release_quick(first, ticket);
        assert_eq!(store.in_flight(*first), 1);
        assert!(scopes[1..].iter().all(|scope| store.in_flight(*scope) == 1));
        // back on another thread, and through `report_quick`
        let ticket = quick(second).expect("quick");
        std::thread::scope(|threads| {
            threads.spawn(|| {
                let _ = quick(second);
                assert!(store.report_quick(second, ticket, &StatedQuotas::EMPTY, &|| now));
            });
        });
        assert_eq!(store.in_flight(*second), 2);
    }
}
