//! The pacing and the stated quota on made-up times, through the in-process store.

use core::time::Duration;
use std::time::{Instant, SystemTime};

use http::{HeaderMap, StatusCode};

use super::*;
use crate::{Pacing, RateLimitConfig};

/// The in-process store, asked as the engine asks it.
#[derive(Default)]
struct Limits(LocalStore);

/// What a call may do, by why it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permit {
    Go,
    Held(Duration),
    Quota(Duration),
    Paced(Duration),
    Refused,
}

impl Limits {
    fn permit(
        &self,
        key: &ScopeKey,
        now: Instant,
        pacing: Pacing,
        cap: Duration,
        first: bool,
        attempt: u64,
    ) -> Permit {
        let mut ask = Ask::new(*key, Ticket(attempt), now);
        ask.pacing = pacing;
        ask.cap = cap;
        ask.first = first;
        match self.0.acquire(&ask).ready().expect("answered at once") {
            Grant::Go => Permit::Go,
            Grant::Wait {
                wait,
                pause: Pause::Hold,
            } => Permit::Held(wait),
            Grant::Wait {
                wait,
                pause: Pause::StatedQuota,
            } => Permit::Quota(wait),
            Grant::Wait { wait, .. } => Permit::Paced(wait),
            Grant::Refuse { .. } => Permit::Refused,
        }
    }

    /// A refusal of the rate limit at `now` that holds `key` until `until`; the refused call
    /// is counted as retrying when it ends.
    fn hold(&self, key: &ScopeKey, now: Instant, until: Instant, status: Option<StatusCode>) {
        let outcome = Outcome::Refused {
            hold: Some(until.saturating_duration_since(now)),
            status,
            rate_limited: true,
            retrying: true,
        };
        self.0.report(&Report::new(*key, None, now, outcome));
    }

    /// The refused call counted as retrying in `key` is gone.
    fn retried(&self, key: &ScopeKey) {
        let outcome = Outcome::Cancelled { retrying: true };
        self.0
            .report(&Report::new(*key, None, Instant::now(), outcome));
    }

    /// A response to `attempt` stating `headers`, read under `config`.
    fn observe(
        &self,
        config: &RateLimitConfig,
        _: &str,
        attempt: u64,
        headers: &HeaderMap,
        now: Instant,
    ) {
        let quotas = stated_quotas(&Names::new(config), headers, SystemTime::now);
        let report = Report::new(
            ScopeKey::Client,
            Some(Ticket(attempt)),
            now,
            Outcome::Success,
        )
        .with_quotas(quotas);
        self.0.report(&report);
    }

    fn scopes(&self) -> usize {
        self.0.scopes()
    }
}

use super::ledger::RECHECK;

const CAP: Duration = Duration::from_secs(60);

#[test]
fn a_scope_that_saw_no_refusal_is_never_paced() {
    let limits = Limits::default();
    let now = Instant::now();
    for _ in 0..10_000 {
        assert_eq!(
            limits.permit(&ScopeKey::Client, now, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
}

/// `n` first attempts at `at`, each let go.
fn send(limits: &Limits, at: Instant, n: u32) {
    for i in 0..n {
        assert_eq!(
            limits.permit(&ScopeKey::Client, at, Pacing::Auto, CAP, true, 0),
            Permit::Go,
            "send {i} of {n}"
        );
    }
}

fn first(limits: &Limits, at: Instant) -> Permit {
    limits.permit(&ScopeKey::Client, at, Pacing::Auto, CAP, true, 0)
}

/// A scope that learned a quota of `quota` a second from a refusal at `t0 + 1 s`; the first
/// learned period starts at `t0 + 2 s`, and the refused call does not retry.
fn learned(quota: u32, t0: Instant) -> Limits {
    let limits = Limits::default();
    let second = Duration::from_secs(1);
    limits.hold(&ScopeKey::Client, t0, t0 + second, None);
    limits.retried(&ScopeKey::Client);
    // quota + 1 sent in the period after the hold, the last refused
    send(&limits, t0 + second, quota + 1);
    limits.hold(&ScopeKey::Client, t0 + second, t0 + 2 * second, None);
    limits.retried(&ScopeKey::Client);
    limits
}

#[test]
fn learned_pacing_sends_what_succeeded_between_holds_then_probes_up() {
    let t0 = Instant::now();
    let (second, ms) = (Duration::from_secs(1), Duration::from_millis(1));
    let us = Duration::from_micros(1);
    let limits = learned(50, t0);
    // the learned period: 50 at once, then wait for the next period
    let start = t0 + 2 * second;
    send(&limits, start, 50);
    assert_eq!(first(&limits, start), Permit::Paced(second));
    // after a clean, full period, it probes: as many again, 1 s / 100 apart after the 50
    let next = start + second;
    send(&limits, next, 50);
    assert_eq!(first(&limits, next), Permit::Paced(10 * ms));
    assert_eq!(first(&limits, next + 10 * ms), Permit::Go);
    // the spaced request is refused (a fixed window): 50 at once from the server's time; the
    // refused call retries when the hold ends, before the first attempts: they leave it one
    let until = next + second + 11 * ms;
    limits.hold(&ScopeKey::Client, next + 11 * ms, until, None);
    send(&limits, until, 49);
    assert_eq!(first(&limits, until), Permit::Paced(second));
    // a retry is not paced: it has waited what its error asked
    assert_eq!(
        limits.permit(&ScopeKey::Client, until, Pacing::Auto, CAP, false, 0),
        Permit::Go
    );
    limits.retried(&ScopeKey::Client);
    assert_eq!(first(&limits, until), Permit::Paced(second));
    // after the next clean period, it probes again; the window refused the first spaced
    // request, so this probe's goes a quarter of the spacing after the 50, where a refusal
    // costs the least
    let after = until + second;
    send(&limits, after, 50);
    assert_eq!(first(&limits, after), Permit::Paced(2500 * us));
    // pacing off: holds only
    assert_eq!(
        limits.permit(&ScopeKey::Client, after, Pacing::Off, CAP, true, 0),
        Permit::Go
    );
}

#[test]
fn learned_pacing_spaces_out_what_a_burst_cannot_carry() {
    let t0 = Instant::now();
    let (second, ms) = (Duration::from_secs(1), Duration::from_millis(1));
    // a token bucket that holds 10: 10 got through at once
    let limits = learned(10, t0);
    let start = t0 + 2 * second;
    send(&limits, start, 10);
    assert_eq!(first(&limits, start), Permit::Paced(second));
    // the probe: 10 at once and 10 more, 50 ms apart; all get through
    let next = start + second;
    send(&limits, next, 10);
    for nth in 1..=10 {
        let slot = next + 50 * ms * nth;
        let before = next + (50 * nth - 1) * ms;
        assert_eq!(first(&limits, before), Permit::Paced(ms), "slot {nth}");
        assert_eq!(first(&limits, slot), Permit::Go, "slot {nth}");
    }
    assert_eq!(first(&limits, next + 500 * ms), Permit::Paced(500 * ms));
    // past the level refused: twice as many, 25 ms apart
    let third = next + second;
    send(&limits, third, 10);
    assert_eq!(first(&limits, third), Permit::Paced(25 * ms));
    assert_eq!(first(&limits, third + 25 * ms), Permit::Go);
    // a spaced request refused: back to the last clean level, 20 a period
    let until = third + second + 30 * ms;
    limits.hold(&ScopeKey::Client, third + 30 * ms, until, None);
    limits.retried(&ScopeKey::Client);
    send(&limits, until, 10);
    assert_eq!(first(&limits, until), Permit::Paced(50 * ms));
    for nth in 1..=10 {
        assert_eq!(first(&limits, until + 50 * ms * nth), Permit::Go);
    }
    // that refusal cost a hold: the period after it does not count toward the next probe
    let after = until + second;
    send(&limits, after, 10);
    assert_eq!(first(&limits, after), Permit::Paced(50 * ms));
    for nth in 1..=10 {
        assert_eq!(first(&limits, after + 50 * ms * nth), Permit::Go);
    }
    // the one after that does: a quarter more, 25 a period, 40 ms apart
    let grown = after + second;
    send(&limits, grown, 10);
    assert_eq!(first(&limits, grown), Permit::Paced(40 * ms));
}

#[test]
fn a_refused_burst_lowers_the_quota_to_what_got_through() {
    let t0 = Instant::now();
    let (second, ms) = (Duration::from_secs(1), Duration::from_millis(1));
    let limits = learned(50, t0);
    let start = t0 + 2 * second;
    // the limit dropped to 25: 50 sent at once, 25 refused together, and given up
    send(&limits, start, 50);
    for _ in 0..25 {
        limits.hold(&ScopeKey::Client, start + ms, start + second, None);
        limits.retried(&ScopeKey::Client);
    }
    send(&limits, start + second, 25);
    assert_eq!(first(&limits, start + second), Permit::Paced(second));
    // after a clean period, the probe: 25 more, 20 ms apart; the first is refused
    let probe = start + 2 * second;
    send(&limits, probe, 25);
    assert_eq!(first(&limits, probe), Permit::Paced(20 * ms));
    assert_eq!(first(&limits, probe + 20 * ms), Permit::Go);
    let until = probe + second + 21 * ms;
    limits.hold(&ScopeKey::Client, probe + 21 * ms, until, None);
    limits.retried(&ScopeKey::Client);
    // the limit fell, so it may come back soon: the next period probes again, its first
    // spaced request a quarter of the spacing after the 25
    send(&limits, until, 25);
    assert_eq!(first(&limits, until), Permit::Paced(5 * ms));
}

#[test]
fn a_burst_goes_no_faster_than_the_one_before() {
    let t0 = Instant::now();
    let (second, ms) = (Duration::from_secs(1), Duration::from_millis(1));
    let limits = learned(50, t0);
    // the burst spreads out: 10 at the start of the period, 40 more 10 ms later
    let start = t0 + 2 * second;
    send(&limits, start, 10);
    send(&limits, start + 10 * ms, 40);
    // a second later, the 11th waits for a second after the 11th of the period before: a
    // sliding window still counts the 40 until then
    let next = start + second;
    send(&limits, next, 10);
    assert_eq!(first(&limits, next), Permit::Paced(10 * ms));
    send(&limits, next + 10 * ms, 40);
    // a burst that goes late (a slow wake-up: 15 ms after the first 10 could go, 5 ms after
    // the other 40) counts as going at most 1 ms late, so lateness does not add up period after
    // period
    let third = next + second;
    send(&limits, third + 15 * ms, 50);
    let fourth = third + second;
    assert_eq!(first(&limits, fourth), Permit::Paced(ms));
    send(&limits, fourth + ms, 10);
    assert_eq!(first(&limits, fourth + ms), Permit::Paced(10 * ms));
}

#[test]
fn a_refused_call_that_never_retries_leaves_its_turn_soon() {
    let t0 = Instant::now();
    let second = Duration::from_secs(1);
    let limits = learned(50, t0);
    let start = t0 + 2 * second;
    send(&limits, start, 50);
    // the 50th refused (49 got through), and neither retried nor dropped: its turn is kept
    // while its retry is due, not after
    let until = start + 2 * second;
    limits.hold(&ScopeKey::Client, start + second / 2, until, None);
    send(&limits, until, 48);
    assert!(matches!(first(&limits, until), Permit::Paced(_)));
    let later = until + second;
    send(&limits, later, 49);
}

#[test]
fn bucket_scopes_are_bounded() {
    let limits = Limits::default();
    let now = Instant::now();
    for i in 0..(MAX_SCOPES * 4) {
        let key = ScopeKey::Bucket(BucketName::new(i.to_string().as_bytes()));
        limits.hold(&key, now, now + Duration::from_secs(5), None);
    }
    assert!(limits.scopes() <= MAX_SCOPES);
}

/// A thread finds a scope it used again without the table, but never one the table forgot
/// since: the bound forgets the least recently used, and the scope made again is a new one.
#[test]
fn a_forgotten_scope_is_not_found_again_where_a_thread_remembered_it() {
    let limits = Limits::default();
    let now = Instant::now();
    let key = |name: &str| ScopeKey::Bucket(BucketName::new(name.as_bytes()));
    let until = now + Duration::from_secs(30);
    limits.hold(
        &key("first"),
        now,
        until,
        Some(StatusCode::TOO_MANY_REQUESTS),
    );
    // found twice: the second time, where this thread remembered it
    for _ in 0..2 {
        assert_eq!(
            limits.0.hold_status(key("first")),
            Some(StatusCode::TOO_MANY_REQUESTS)
        );
    }
    // as many more scopes holding as the table keeps, on another thread: the first, used
    // longest ago, is forgotten
    std::thread::scope(|threads| {
        threads.spawn(|| {
            for i in 0..MAX_SCOPES {
                limits.hold(&key(&format!("b{i}")), now, until, None);
            }
        });
    });
    assert!(limits.scopes() <= MAX_SCOPES);
    assert_eq!(limits.0.hold_status(key("first")), None);
    assert_eq!(
        limits.permit(&key("first"), now, Pacing::Auto, CAP, false, 1),
        Permit::Go
    );
    // the most recent are kept, and found
    let last = key(&format!("b{}", MAX_SCOPES - 1));
    assert!(matches!(
        limits.permit(&last, now, Pacing::Auto, CAP, false, 2),
        Permit::Held(_)
    ));
}

fn stated_headers(remaining: u64, reset_in_secs: u64) -> HeaderMap {
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + reset_in_secs;
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-remaining", remaining.into());
    headers.insert("x-ratelimit-reset", reset.into());
    headers
}

fn stated_config() -> RateLimitConfig {
    RateLimitConfig::new()
        .with_remaining(Some("x-ratelimit-remaining"))
        .with_reset(Some(crate::WaitField::new(
            "x-ratelimit-reset",
            crate::WaitFormat::Unix,
        )))
}

#[test]
fn a_stated_quota_counts_the_requests_out_and_only_falls_within_a_period() {
    let (limits, config) = (Limits::default(), stated_config());
    let now = Instant::now();
    let go = |attempt| limits.permit(&ScopeKey::Client, now, Pacing::Auto, CAP, true, attempt);
    for attempt in 1..=3 {
        assert_eq!(go(attempt), Permit::Go);
    }
    // attempt 1's answer: 2 left, and attempts 2 and 3 are out and may not be counted yet
    limits.observe(&config, "", 1, &stated_headers(2, 30), now);
    assert!(
        matches!(go(4), Permit::Quota(wait) if wait <= RECHECK),
        "requests are left: look again soon"
    );
    // attempt 3's answer came first and says 1 left; attempt 2's, later, says 2: it was
    // counted earlier, so the count stays 1
    limits.observe(&config, "", 3, &stated_headers(1, 30), now);
    limits.observe(&config, "", 2, &stated_headers(2, 30), now);
    assert_eq!(go(5), Permit::Go, "nothing out, 1 left");
    limits.observe(&config, "", 5, &stated_headers(0, 30), now);
    assert!(
        matches!(go(6), Permit::Quota(wait) if wait > Duration::from_secs(28)),
        "spent: wait for the reset"
    );
    // a later reset is a new period
    limits.observe(&config, "", 5, &stated_headers(50, 35), now);
    assert_eq!(go(7), Permit::Go);
}

#[test]
fn a_stated_reset_already_past_states_nothing() {
    let (limits, config) = (Limits::default(), stated_config());
    let now = Instant::now();
    let mut headers = stated_headers(0, 0);
    headers.insert("x-ratelimit-reset", 1_000_000_000_u64.into());
    limits.observe(&config, "", 1, &headers, now);
    assert_eq!(
        limits.permit(&ScopeKey::Client, now, Pacing::Auto, CAP, true, 2),
        Permit::Go,
        "a late answer of a period that is over"
    );
}

#[test]
fn freeing_a_reservation_that_is_not_out_counts_nothing() {
    let store = LocalStore::new();
    let now = Instant::now();
    let at = || now;
    let scope = ScopeKey::Client;
    // a report freeing a ticket the store never granted, and a quick release with none out
    store.report(&Report::new(scope, Some(Ticket(7)), now, Outcome::Success));
    store.release_quick(&scope, Ticket::QUICK);
    assert_eq!(store.in_flight(scope), 0);
    // the counts still work: two out, one freed
    assert!(
        store
            .acquire_quick(&scope, false, QuotaSet::ALL, &at)
            .is_some()
    );
    assert!(
        store
            .acquire_quick(&scope, false, QuotaSet::ALL, &at)
            .is_some()
    );
    assert_eq!(store.in_flight(scope), 2);
    store.release_quick(&scope, Ticket::QUICK);
    assert_eq!(store.in_flight(scope), 1);
    store.release_quick(&scope, Ticket::QUICK);
    store.release_quick(&scope, Ticket::QUICK);
    assert_eq!(store.in_flight(scope), 0);
}
