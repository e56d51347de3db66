//! The in-process store's fast path over a period far from spent: answers merged in by their
//! count alone, without reading the time, and what still reads it.

use core::time::Duration;
use std::time::Instant;

use super::room_tests::{go, report_success, stated};
use super::*;

/// A quick success's answer stating `quotas` at `at`, told to `store` through `report_quick`
/// (which must take it): the times the store read the clock for it, and the answers merged
/// without the lock so far.
fn answer(store: &LocalStore, quotas: &StatedQuotas, at: Instant) -> (u32, u64) {
    let reads = std::cell::Cell::new(0);
    let now = || {
        reads.set(reads.get() + 1);
        at
    };
    assert!(store.report_quick(&ScopeKey::Client, Ticket::QUICK, quotas, &now));
    (reads.get(), store.merged_without_lock(ScopeKey::Client))
}

/// An answer that leaves a period most of its requests is merged in by its count, the time
/// unread; one that leaves it nearer spent reads the time once.
#[test]
fn a_roomy_answer_is_merged_by_its_count_without_the_time() {
    let minute = Duration::from_secs(60);
    let store = LocalStore::new();
    let t0 = Instant::now();
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(1_000, minute), t0);
    let stated_900 = stated(900, Duration::from_millis(59_990));
    assert_eq!(answer(&store, &stated_900, t0), (0, 1));
    // 900 left, not 1 000: the fast path lets 899 go, the lock the last
    let calls: Vec<_> = (2..1_002).map(|n| go(&store, t0, n)).collect();
    let count = |went| calls.iter().filter(|call| **call == went).count();
    assert_eq!((count(Some(true)), count(Some(false))), (899, 1));
    // 400 of a period seen to allow 1 001 is less than half: the time is read, once
    let stated_400 = stated(400, Duration::from_millis(59_980));
    assert_eq!(answer(&store, &stated_400, t0), (1, 2));
}

/// An answer of a later period, told while the known one is roomy, lowers the count only; the
/// first that leaves it less than roomy reads the time and takes the lock, where the ledger
/// takes the new period and its reset.
#[test]
fn a_later_period_told_while_roomy_is_taken_once_an_answer_leaves_it_less() {
    let ten = Duration::from_secs(10);
    let store = LocalStore::new();
    let t0 = Instant::now();
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(1_000, ten), t0);
    // the period reset at t0 + 10 s; the next one's answers come at t1
    let t1 = t0 + Duration::from_secs(11);
    let new_period = stated(990, Duration::from_secs(9));
    assert_eq!(answer(&store, &new_period, t1), (0, 1));
    let spent_most = stated(3, Duration::from_secs(9));
    assert_eq!(answer(&store, &spent_most, t1), (1, 1));
    // the new period's 3 go, and calls wait for its reset, 9 s after t1, even once the old
    // period's is past: had the old one been kept, a call at t1 + 5 s would go in the period
    // the client assumes after its reset
    let t2 = t1 + Duration::from_secs(5);
    let calls: Vec<_> = (2..6).map(|n| go(&store, t2, n).is_some()).collect();
    assert_eq!(calls, [true, true, true, false]);
}
