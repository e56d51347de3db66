//! The in-process store's fast path over a stated quota with room left, and its report of a
//! quick success: against what the store decides under its lock.

use core::time::Duration;
use std::time::Instant;

use super::*;

pub(super) fn stated(remaining: u64, reset_in: Duration) -> StatedQuotas {
    let mut quotas = StatedQuotas::default();
    quotas.set(0, Some(StatedQuota::new(remaining, reset_in)));
    quotas
}

/// An answer to a call let go on the fast path, stating `quotas`, through the full report.
pub(super) fn report_success(store: &LocalStore, quotas: StatedQuotas, now: Instant) {
    let report = Report::new(ScopeKey::Client, Some(Ticket::QUICK), now, Outcome::Success)
        .with_quotas(quotas);
    store.report(&report);
}

/// A call as the engine makes it: the fast path first, else the full ask. `Some(quick)` when it
/// may go, `None` when it must wait.
pub(super) fn go(store: &LocalStore, now: Instant, ticket: u64) -> Option<bool> {
    if store
        .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| now)
        .is_some()
    {
        return Some(true);
    }
    let mut ask = Ask::new(ScopeKey::Client, Ticket(ticket), now);
    ask.reads_quota = true;
    match store.acquire(&ask).ready() {
        Some(Grant::Go) => Some(false),
        _ => None,
    }
}

#[test]
fn a_stated_quota_with_room_lets_calls_go_without_the_lock_and_no_more_than_it_has() {
    let store = LocalStore::new();
    let t0 = Instant::now();
    // the first call waits for nothing but asks (no answer came yet); its answer: 5 left for
    // a minute
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(5, Duration::from_secs(60)), t0);
    let calls: Vec<_> = (2..12).map(|n| go(&store, t0, n)).collect();
    // the fast path leaves the last slot to the lock, which lets exactly the 5 go
    assert_eq!(
        calls,
        [
            Some(true),
            Some(true),
            Some(true),
            Some(true),
            Some(false),
            None,
            None,
            None,
            None,
            None
        ]
    );
    assert_eq!(store.in_flight(ScopeKey::Client), 5);
}

#[test]
fn a_hold_closes_the_fast_path_until_an_answer_after_it() {
    let store = LocalStore::new();
    let t0 = Instant::now();
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(100, Duration::from_secs(60)), t0);
    assert!(
        store
            .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| t0)
            .is_some()
    );
    let refused = Outcome::Refused {
        hold: Some(Duration::from_secs(2)),
        status: None,
        rate_limited: false,
        retrying: false,
    };
    store.report(&Report::new(
        ScopeKey::Client,
        Some(Ticket::QUICK),
        t0,
        refused,
    ));
    assert!(
        store
            .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| t0)
            .is_none()
    );
    let later = t0 + Duration::from_secs(3);
    assert_eq!(go(&store, later, 2), Some(false), "the hold ended");
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated(98, Duration::from_secs(57)),
        &|| later
    ));
    assert!(
        store
            .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| later)
            .is_some()
    );
}

/// The same answers, told through `report_quick` to one store and through `report` to
/// another, leave both deciding alike: random quotas, resets, clocks and calls.
#[test]
fn a_quick_report_teaches_what_a_full_report_does() {
    let mut rng = fastrand::Rng::with_seed(15);
    let (mut quick_reports, mut went, mut merged) = (0, 0, 0);
    for round in 0..300 {
        let (quick, full) = (LocalStore::new(), LocalStore::new());
        let mut now = Instant::now();
        // the calls out: their ticket, and whether they went on the fast path
        let mut out: Vec<(u64, bool)> = Vec::new();
        for step in 0..60 {
            now += Duration::from_millis(rng.u64(0..400));
            let ticket = round * 100 + step;
            if out.is_empty() || rng.bool() {
                let decided = go(&quick, now, ticket);
                assert_eq!(decided, go(&full, now, ticket), "round {round} step {step}");
                if let Some(fast) = decided {
                    went += 1;
                    out.push((ticket, fast));
                }
                continue;
            }
            let (ticket, fast) = out.swap_remove(rng.usize(..out.len()));
            let quotas = match rng.u8(0..4) {
                0 => StatedQuotas::default(),
                _ => stated(rng.u64(0..12), Duration::from_millis(rng.u64(0..3_000))),
            };
            let ticket = if fast { Ticket::QUICK } else { Ticket(ticket) };
            let report = Report::new(ScopeKey::Client, Some(ticket), now, Outcome::Success)
                .with_quotas(quotas);
            if fast && quick.report_quick(&ScopeKey::Client, Ticket::QUICK, &quotas, &|| now) {
                quick_reports += 1;
            } else {
                quick.report(&report);
            }
            full.report(&report);
            assert_eq!(
                quick.in_flight(ScopeKey::Client),
                full.in_flight(ScopeKey::Client)
            );
        }
        merged += quick.merged_without_lock(ScopeKey::Client);
    }
    // both paths were taken often, and quick reports were often merged without the lock
    assert!(
        quick_reports > 1_000 && went > 5_000 && merged > 300,
        "{quick_reports} {went} {merged}"
    );
}

/// A request that counts against some quotas only is counted apart under the lock, even
/// while the stated quotas have room: on the fast path it would hold a slot of every quota.
#[test]
fn a_request_of_some_quotas_only_is_counted_apart() {
    let store = LocalStore::new();
    let t0 = Instant::now();
    assert_eq!(go(&store, t0, 1), Some(false));
    // the answer: 1 000 left of the first quota, 10 of the second (writes, say)
    let mut quotas = stated(1_000, Duration::from_secs(60));
    quotas.set(1, Some(StatedQuota::new(10, Duration::from_secs(60))));
    report_success(&store, quotas, t0);
    let first_only = QuotaSet::NONE.with(0);
    for ticket in 2..11 {
        assert!(
            store
                .acquire_quick(&ScopeKey::Client, true, first_only, &|| t0)
                .is_none()
        );
        let mut ask = Ask::new(ScopeKey::Client, Ticket(ticket), t0);
        ask.reads_quota = true;
        ask.quotas = first_only;
        assert_eq!(store.acquire(&ask).ready(), Some(Grant::Go));
    }
    // none of those nine is out of the second quota: ten requests of both still go
    let went = (11..22).filter(|n| go(&store, t0, *n).is_some()).count();
    assert_eq!(went, 10);
}

/// Threads racing through the fast path and the lock never hold more slots at once than the
/// stated quota has left: each holds up to six, 24 in all against 12 left.
#[test]
fn racing_calls_never_hold_more_than_the_quota_has_left() {
    use std::sync::atomic::{AtomicU64, Ordering};

    const LEFT: u64 = 12;
    let store = LocalStore::new();
    let t0 = Instant::now();
    let reset = Duration::from_secs(600);
    assert_eq!(go(&store, t0, 0), Some(false));
    report_success(&store, stated(LEFT, reset), t0);
    let (held, most, quick, locked) = (
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
    );
    let answer = |ticket: u64, fast: bool| {
        held.fetch_sub(1, Ordering::SeqCst);
        // the answer states the same period's count again
        let quotas = stated(LEFT, reset);
        if !(fast && store.report_quick(&ScopeKey::Client, Ticket::QUICK, &quotas, &|| t0)) {
            let ticket = if fast { Ticket::QUICK } else { Ticket(ticket) };
            let report = Report::new(ScopeKey::Client, Some(ticket), t0, Outcome::Success)
                .with_quotas(quotas);
            store.report(&report);
        }
    };
    std::thread::scope(|threads| {
        for thread in 0..4_u64 {
            let (store, held, most, quick, locked, answer) =
                (&store, &held, &most, &quick, &locked, &answer);
            threads.spawn(move || {
                let mut mine = std::collections::VecDeque::new();
                for n in 0..20_000_u64 {
                    if mine.len() == 6 || (n % 4 == 0 && !mine.is_empty()) {
                        if let Some((ticket, fast)) = mine.pop_front() {
                            answer(ticket, fast);
                        }
                        continue;
                    }
                    let ticket = 1 + thread * 1_000_000 + n;
                    // `go` counts the slot before `held` does: `held` is never above the store's
                    if let Some(fast) = go(store, t0, ticket) {
                        let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        (if fast { quick } else { locked }).fetch_add(1, Ordering::Relaxed);
                        mine.push_back((ticket, fast));
                    }
                }
                for (ticket, fast) in mine {
                    answer(ticket, fast);
                }
            });
        }
    });
    let most = most.into_inner();
    assert!(most <= LEFT, "{most} slots held at once of {LEFT}");
    assert_eq!(store.in_flight(ScopeKey::Client), 0);
    let (quick, locked) = (quick.into_inner(), locked.into_inner());
    assert!(
        quick > 100 && locked > 100,
        "{quick} quick, {locked} under the lock"
    );
}

/// Threads racing through the fast path, the lock and answers merged in without it never send
/// more than the server's quota allows: each answer states what the server has left once it
/// counted every request sent so far, as a server counts them on receipt.
#[test]
fn answers_merged_without_the_lock_never_let_more_go_than_the_server_allows() {
    use std::sync::atomic::{AtomicU64, Ordering};

    const QUOTA: u64 = 3_000;
    let store = LocalStore::new();
    let t0 = Instant::now();
    let reset = Duration::from_secs(600);
    let sent = AtomicU64::new(1);
    assert_eq!(go(&store, t0, 0), Some(false));
    report_success(&store, stated(QUOTA - 1, reset), t0);
    let answer = |ticket: u64, fast: bool| {
        let quotas = stated(QUOTA.saturating_sub(sent.load(Ordering::SeqCst)), reset);
        if !(fast && store.report_quick(&ScopeKey::Client, Ticket::QUICK, &quotas, &|| t0)) {
            let ticket = if fast { Ticket::QUICK } else { Ticket(ticket) };
            let report = Report::new(ScopeKey::Client, Some(ticket), t0, Outcome::Success)
                .with_quotas(quotas);
            store.report(&report);
        }
    };
    std::thread::scope(|threads| {
        for thread in 0..4_u64 {
            let (store, sent, answer) = (&store, &sent, &answer);
            threads.spawn(move || {
                let mut mine = std::collections::VecDeque::new();
                for n in 0..5_000_u64 {
                    if mine.len() == 6 || (n % 4 == 0 && !mine.is_empty()) {
                        if let Some((ticket, fast)) = mine.pop_front() {
                            answer(ticket, fast);
                        }
                        continue;
                    }
                    let ticket = 1 + thread * 1_000_000 + n;
                    if let Some(fast) = go(store, t0, ticket) {
                        sent.fetch_add(1, Ordering::SeqCst);
                        mine.push_back((ticket, fast));
                    }
                }
                for (ticket, fast) in mine {
                    answer(ticket, fast);
                }
            });
        }
    });
    let sent = sent.into_inner();
    assert!(sent <= QUOTA, "{sent} sent of a quota of {QUOTA}");
    // the quota is spent, up to the last few answers' lag
    assert!(sent + 24 >= QUOTA, "{sent} sent of a quota of {QUOTA}");
    assert_eq!(store.in_flight(ScopeKey::Client), 0);
    let merged = store.merged_without_lock(ScopeKey::Client);
    assert!(merged > 1_000, "{merged} answers merged without the lock");
}

/// An answer merged in without the lock lowers what the fast path and the lock then let go;
/// an answer of another period, a count too large to mirror or a clock far behind the store's
/// takes the lock, and teaches what it would have taught there.
#[test]
fn only_an_answer_of_the_same_period_is_merged_without_the_lock() {
    let minute = Duration::from_secs(60);
    let store = LocalStore::new();
    let t0 = Instant::now();
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(100, minute), t0);
    let t1 = t0 + Duration::from_millis(10);
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated(3, minute.saturating_sub(Duration::from_millis(10))),
        &|| t1
    ));
    assert_eq!(store.merged_without_lock(ScopeKey::Client), 1);
    // 3 left: two on the fast path, the third under the lock, then none
    let calls: Vec<_> = (2..6).map(|n| go(&store, t1, n)).collect();
    assert_eq!(calls, [Some(true), Some(true), Some(false), None]);
    // the lock took the merged count in: an answer of the same period stating more changes
    // nothing (it frees one of the three slots: one more goes, under the lock)
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated(50, minute),
        &|| t1
    ));
    assert_eq!(go(&store, t1, 6), Some(false));
    assert_eq!(go(&store, t1, 7), None);
    assert_eq!(store.merged_without_lock(ScopeKey::Client), 2);
    // a reset two seconds later is another period: the lock, and the later answer wins
    let merged = store.merged_without_lock(ScopeKey::Client);
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated(40, minute + Duration::from_secs(2)),
        &|| t1
    ));
    assert_eq!(store.merged_without_lock(ScopeKey::Client), merged);
    assert_eq!(go(&store, t1, 8), Some(true));
    // a clock two hours behind the store's
    let behind = t1.checked_sub(Duration::from_secs(7_200)).unwrap_or(t1);
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated(39, minute),
        &|| behind
    ));
    assert_eq!(store.merged_without_lock(ScopeKey::Client), merged);

    // a count above what a word holds is only ever answered under the lock
    let store = LocalStore::new();
    assert_eq!(go(&store, t0, 1), Some(false));
    report_success(&store, stated(1 << 30, minute), t0);
    assert!(store.report_quick(
        &ScopeKey::Client,
        Ticket::QUICK,
        &stated((1 << 30) - 1, minute),
        &|| t1
    ));
    assert!(store.report_quick(&ScopeKey::Client, Ticket::QUICK, &stated(2, minute), &|| t1));
    assert_eq!(store.merged_without_lock(ScopeKey::Client), 0);
    // 2 left, a count a word holds: as any
    let calls: Vec<_> = (2..5).map(|n| go(&store, t1, n)).collect();
    assert_eq!(calls, [Some(true), Some(false), None]);
}

/// The fast path reads the word of every quota the state mirrors, not only the first: a later
/// quota lowered without the lock bounds what goes without it.
#[test]
fn a_later_quota_lowered_without_the_lock_bounds_the_fast_path() {
    let store = LocalStore::new();
    let t0 = Instant::now();
    let third = |remaining| {
        let mut quotas = StatedQuotas::default();
        quotas.set(
            2,
            Some(StatedQuota::new(remaining, Duration::from_secs(60))),
        );
        quotas
    };
    assert_eq!(go(&store, t0, 1), Some(false));
    let report =
        Report::new(ScopeKey::Client, Some(Ticket(1)), t0, Outcome::Success).with_quotas(third(50));
    store.report(&report);
    // a call let go without the lock; its answer, merged without it, leaves 3
    assert!(
        store
            .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| t0)
            .is_some()
    );
    assert!(store.report_quick(&ScopeKey::Client, Ticket::QUICK, &third(3), &|| t0));
    assert_eq!(store.merged_without_lock(ScopeKey::Client), 1);
    let quick = (0..10)
        .filter(|_| {
            store
                .acquire_quick(&ScopeKey::Client, true, QuotaSet::ALL, &|| t0)
                .is_some()
        })
        .count();
    // the last of the 3 is left to the lock
    assert_eq!(quick, 2);
}
