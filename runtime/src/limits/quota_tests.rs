//! Several quotas in one scope, through the in-process store as the engine asks it: Azure
//! Resource Manager's reads and writes, Shopify's `used/limit`, a repeated header.

use core::time::Duration;
use std::time::{Instant, SystemTime};

use http::{HeaderMap, HeaderValue, Method};

use super::*;
use crate::{CountFormat, Quota, RateLimitConfig, WaitField, WaitFormat};

const READS: &str = "x-ms-ratelimit-remaining-subscription-reads";
const WRITES: &str = "x-ms-ratelimit-remaining-subscription-writes";

fn arm() -> RateLimitConfig {
    let reset = || Some(WaitField::new("x-reset-after", WaitFormat::Seconds));
    RateLimitConfig::new()
        .with_quota(
            Quota::new(READS)
                .with_methods(["GET", "HEAD"])
                .with_reset(reset()),
        )
        .with_quota(
            Quota::new(WRITES)
                .with_methods(["PUT", "POST", "PATCH", "DELETE"])
                .with_reset(reset()),
        )
}

fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in lines {
        headers.append(
            *name,
            HeaderValue::from_bytes(value.as_bytes()).expect("a value"),
        );
    }
    headers
}

/// A scope asked and told as the engine does, under one config.
struct Scope {
    store: LocalStore,
    names: Names,
    now: Instant,
    next: u64,
}

impl Scope {
    fn new(config: &RateLimitConfig) -> Self {
        Self {
            store: LocalStore::new(),
            names: Names::new(config),
            now: Instant::now(),
            next: 0,
        }
    }

    /// Asks for a request of `method` (`None`: not known); its ticket and the quotas it
    /// counted against, if it may go, else the grant.
    fn ask(&mut self, method: Option<&Method>) -> Result<(Ticket, QuotaSet), Grant> {
        self.next += 1;
        let mut ask = Ask::new(ScopeKey::Client, Ticket(self.next), self.now);
        ask.reads_quota = true;
        ask.quotas = self.names.counting(method);
        match self.store.acquire(&ask).ready().expect("at once") {
            Grant::Go => Ok((ask.ticket, ask.quotas)),
            grant => Err(grant),
        }
    }

    /// The answer to a request the store let go, stating `lines`.
    fn answer(
        &self,
        (ticket, counted): (Ticket, QuotaSet),
        lines: &[(&'static str, &'static str)],
    ) {
        let stated = stated_quotas(&self.names, &headers(lines), SystemTime::now);
        let mut report = Report::new(ScopeKey::Client, Some(ticket), self.now, Outcome::Success)
            .with_quotas(stated);
        report.counted = counted;
        self.store.report(&report);
    }
}

fn waits(grant: Result<(Ticket, QuotaSet), Grant>) -> Duration {
    match grant {
        Err(Grant::Wait {
            wait,
            pause: Pause::StatedQuota,
        }) => wait,
        other => panic!("expected a wait for the stated quota, got {other:?}"),
    }
}

#[test]
fn a_get_waits_only_for_reads_and_a_post_only_for_writes() {
    let mut scope = Scope::new(&arm());
    let (get, post) = (Some(&Method::GET), Some(&Method::POST));
    // reads spent for 30 s, writes plentiful
    let first = scope.ask(get).expect("nothing known yet");
    scope.answer(
        first,
        &[(READS, "0"), (WRITES, "1199"), ("x-reset-after", "30")],
    );
    assert_eq!(waits(scope.ask(get)), Duration::from_secs(30));
    // (queued behind the GET: the period lets one go, the next a period later)
    let head = waits(scope.ask(Some(&Method::HEAD)));
    assert_eq!(head, Duration::from_secs(60), "HEAD is a read");
    let write = scope.ask(post).expect("writes are left");
    // a request whose method is unknown counts against both
    // (queued after the HEAD; at most the cap)
    assert_eq!(waits(scope.ask(None)), Duration::from_secs(60));
    // writes spent too, reads back
    scope.answer(
        write,
        &[(READS, "11999"), (WRITES, "0"), ("x-reset-after", "40")],
    );
    assert!(scope.ask(get).is_ok(), "reads are left again");
    assert_eq!(waits(scope.ask(post)), Duration::from_secs(40));
    assert_eq!(
        waits(scope.ask(Some(&Method::DELETE))),
        Duration::from_secs(40)
    );
    // OPTIONS is in neither quota's `methods`: it counts against none
    assert!(scope.ask(Some(&Method::OPTIONS)).is_ok());
}

#[test]
fn the_requests_out_count_only_against_their_own_quotas() {
    let mut scope = Scope::new(&arm());
    let first = scope.ask(Some(&Method::GET)).expect("go");
    // 2 writes and 3 reads left
    scope.answer(
        first,
        &[(READS, "3"), (WRITES, "2"), ("x-reset-after", "30")],
    );
    let reads: Vec<_> = (0..3)
        .map(|_| scope.ask(Some(&Method::GET)).expect("three reads left"))
        .collect();
    // the three reads out do not spend the writes
    let w1 = scope.ask(Some(&Method::PUT)).expect("two writes left");
    let w2 = scope.ask(Some(&Method::PUT)).expect("two writes left");
    // both quotas are now all out: their answers will say
    assert!(waits(scope.ask(Some(&Method::GET))) <= ledger::RECHECK);
    assert!(waits(scope.ask(Some(&Method::PATCH))) <= ledger::RECHECK);
    // the writes' answers free their slots, in the writes' count only: one left
    scope.answer(w1, &[(WRITES, "1"), ("x-reset-after", "30")]);
    scope.answer(w2, &[(WRITES, "1"), ("x-reset-after", "30")]);
    assert!(scope.ask(Some(&Method::POST)).is_ok());
    let read = waits(scope.ask(Some(&Method::GET)));
    assert!(read <= ledger::RECHECK, "three reads still out");
    for read in reads {
        scope.answer(read, &[]);
    }
    assert!(
        scope.ask(Some(&Method::GET)).is_ok(),
        "the reads' slots are free"
    );
}

#[test]
fn shopify_used_of_limit_is_the_requests_left() {
    let config = RateLimitConfig::new()
        .with_remaining(Some("x-shopify-shop-api-call-limit"))
        .with_remaining_format(CountFormat::UsedLimit);
    let names = Names::new(&config);
    let left = |value: &'static str| {
        stated_quotas(
            &names,
            &headers(&[("x-shopify-shop-api-call-limit", value)]),
            SystemTime::now,
        )
        .get(0)
        .map(|q| q.remaining)
    };
    assert_eq!(left("32/40"), Some(8));
    assert_eq!(left(" 40 / 40 "), Some(0));
    assert_eq!(left("45/40"), Some(0), "more used than allowed: none left");
    assert_eq!(left("0/99999999999999999999999"), Some(u64::MAX));
    for bad in [
        "",
        "32",
        "/40",
        "32/",
        "32/40/50",
        "-1/40",
        "3 2/40",
        "32:40",
        "1.5/40",
        "\u{e9}/40",
    ] {
        let bad: &'static str = Box::leak(bad.to_owned().into_boxed_str());
        assert_eq!(left(bad), None, "{bad:?}");
    }
    // a spent call limit makes the next call wait
    let mut scope = Scope::new(&config);
    let first = scope.ask(Some(&Method::GET)).expect("go");
    scope.answer(first, &[("x-shopify-shop-api-call-limit", "40/40")]);
    assert_eq!(waits(scope.ask(Some(&Method::GET))), Duration::from_secs(1));
}

#[test]
fn a_repeated_header_is_read_line_by_line_and_the_tightest_wins() {
    let mut scope = Scope::new(&arm());
    let first = scope.ask(Some(&Method::GET)).expect("go");
    scope.answer(
        first,
        &[
            (READS, "500"),
            (READS, "0"),
            (READS, "12, 9"),
            ("x-reset-after", "5"),
            ("x-reset-after", "20"),
        ],
    );
    // the fewest left, and the latest reset
    assert_eq!(
        waits(scope.ask(Some(&Method::GET))),
        Duration::from_secs(20)
    );
    assert!(
        scope.ask(Some(&Method::POST)).is_ok(),
        "writes stated nothing"
    );
}

#[test]
fn a_quota_past_the_fourth_is_not_read_and_methods_map_to_sets() {
    let mut config = RateLimitConfig::new();
    for name in ["a", "b", "c", "d", "e"] {
        config = config.with_quota(Quota::new(name).with_methods(["GET"]));
    }
    assert_eq!(config.quota_list().len(), MAX_QUOTAS);
    let names = Names::new(&config);
    assert_eq!(names.counting(Some(&Method::GET)), QuotaSet::ALL);
    assert_eq!(names.counting(Some(&Method::POST)), QuotaSet::NONE);
    assert_eq!(names.counting(None), QuotaSet::ALL);
    let stated = stated_quotas(&names, &headers(&[("e", "0"), ("a", "1")]), SystemTime::now);
    assert_eq!(
        stated
            .iter()
            .map(|(i, q)| (i, q.remaining))
            .collect::<Vec<_>>(),
        [(0, 1)]
    );
}
