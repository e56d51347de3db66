//! What two processes share through one Redis: two `RedisStore`s, each with its own
//! connection and in-process state (as two processes have), on a real `redis-server` that the
//! test starts on a free port.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::ServerExt as _;
use common::{
    Limited, MS, acquire, ask, eventually, is_hold, reading, refused, retrier, server, stating,
    store, success,
};
use errspec::http::StatusCode;
use errspec::{BucketName, Grant, LimitStore, Pause, ScopeKey};

const API: &str = "test-api";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_one_process_learns_makes_the_other_wait() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let scope = ScopeKey::Client;
    assert_eq!(acquire(&a, &ask(API, scope, 1)).await, Grant::Go);
    a.report(&refused(API, scope, 1, Duration::from_secs(2)));

    let grant = eventually(&b, &ask(API, scope, 1), is_hold).await;
    let Grant::Wait { wait, pause } = grant else {
        panic!("the other process was let go: {grant:?}")
    };
    assert_eq!(pause, Pause::Hold);
    assert!(
        wait > Duration::from_millis(1800) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );
    // what the other process now knows without asking: the hold and its status
    assert_eq!(b.hold_status(scope), Some(StatusCode::TOO_MANY_REQUESTS));
    assert!(matches!(
        b.peek(scope, Instant::now(), Duration::from_secs(60)),
        Some((_, Pause::Hold))
    ));
    // a call that accepts no wait that long is refused a shorter one, the cap
    let mut short = ask(API, scope, 2);
    short.cap = 50 * MS;
    assert!(matches!(acquire(&b, &short).await, Grant::Wait { wait, .. } if wait <= 50 * MS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stated_quota_counts_the_requests_of_every_process() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let scope = ScopeKey::Method("list");
    assert_eq!(acquire(&a, &reading(ask(API, scope, 0))).await, Grant::Go);
    // 10 left until a reset in 5 s
    a.report(&stating(API, scope, 0, 10, Duration::from_secs(5)));
    // once Redis has the report, only 10 more go between the two, whoever asks
    let _ = eventually(&b, &reading(ask(API, scope, 1000)), |g| *g == Grant::Go).await;
    tokio::time::sleep(20 * MS).await;
    let mut granted = 0;
    for ticket in 1..=30 {
        let store = if ticket % 2 == 0 { &a } else { &b };
        match acquire(store, &reading(ask(API, scope, ticket))).await {
            Grant::Go => granted += 1,
            Grant::Wait { pause, .. } => assert_eq!(pause, Pause::StatedQuota),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(granted, 10, "remaining 10 lets 10 go across both processes");
    // the answers come: spent until the reset, which a call that accepts 1 s does not wait for
    for ticket in 1..=10 {
        let store = if ticket % 2 == 0 { &a } else { &b };
        store.report(&stating(API, scope, ticket, 0, Duration::from_secs(5)));
    }
    let mut impatient = reading(ask(API, scope, 99));
    impatient.cap = Duration::from_secs(1);
    let grant = eventually(&a, &impatient, |g| matches!(g, Grant::Refuse { .. })).await;
    assert!(
        matches!(
            grant,
            Grant::Refuse {
                pause: Pause::StatedQuota,
                ..
            }
        ),
        "{grant:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reservations_of_a_process_that_died_expire() {
    let Some(server) = server() else { return };
    let lifetime = Duration::from_millis(300);
    let survivor = store(&server).await.with_reservation_lifetime(lifetime);
    let scope = ScopeKey::Client;
    assert_eq!(
        acquire(&survivor, &reading(ask(API, scope, 0))).await,
        Grant::Go
    );
    survivor.report(&stating(API, scope, 0, 2, Duration::from_secs(10)));
    let _ = eventually(&survivor, &reading(ask(API, scope, 100)), |g| {
        *g == Grant::Go
    })
    .await;
    tokio::time::sleep(20 * MS).await;
    {
        // takes both slots left, and dies without a report
        let doomed = store(&server).await.with_reservation_lifetime(lifetime);
        assert_eq!(
            acquire(&doomed, &reading(ask(API, scope, 1))).await,
            Grant::Go
        );
        assert_eq!(
            acquire(&doomed, &reading(ask(API, scope, 2))).await,
            Grant::Go
        );
    }
    let started = Instant::now();
    assert!(matches!(
        acquire(&survivor, &reading(ask(API, scope, 3))).await,
        Grant::Wait {
            pause: Pause::StatedQuota,
            ..
        }
    ));
    let deadline = started + Duration::from_secs(2);
    while acquire(&survivor, &reading(ask(API, scope, 3))).await != Grant::Go {
        assert!(
            Instant::now() < deadline,
            "the dead process's reservations never expired"
        );
        tokio::time::sleep(10 * MS).await;
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250),
        "freed before they expired: {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_ends_frees_its_reservations_before_it_goes() {
    let Some(server) = server() else { return };
    let survivor = store(&server).await;
    let scope = ScopeKey::Client;
    assert_eq!(
        acquire(&survivor, &reading(ask(API, scope, 0))).await,
        Grant::Go
    );
    survivor.report(&stating(API, scope, 0, 2, Duration::from_secs(10)));
    let _ = eventually(&survivor, &reading(ask(API, scope, 100)), |g| {
        *g == Grant::Go
    })
    .await;
    survivor.report(&success(API, scope, 100));
    tokio::time::sleep(20 * MS).await;
    {
        // takes both slots left, reports both answers behind many others and ends at once:
        // dropping its last clone sends the reports still queued
        let leaving = store(&server).await;
        for ticket in [1, 2] {
            assert_eq!(
                acquire(&leaving, &reading(ask(API, scope, ticket))).await,
                Grant::Go
            );
        }
        for ticket in 10..1010 {
            leaving.report(&success(API, ScopeKey::Method("other"), ticket));
        }
        for ticket in [1, 2] {
            leaving.report(&success(API, scope, ticket));
        }
    }
    assert_eq!(
        acquire(&survivor, &reading(ask(API, scope, 3))).await,
        Grant::Go,
        "the reservations of a process that ended still count"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_one_process_learns_pace_the_other() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let scope = ScopeKey::Client;
    // five requests get through between the two, the sixth is refused for 300 ms
    for ticket in 1..=5 {
        let store = if ticket % 2 == 0 { &a } else { &b };
        assert_eq!(acquire(store, &ask(API, scope, ticket)).await, Grant::Go);
        store.report(&success(API, scope, ticket));
    }
    assert_eq!(acquire(&a, &ask(API, scope, 6)).await, Grant::Go);
    tokio::time::sleep(20 * MS).await;
    a.report(&refused(API, scope, 6, Duration::from_millis(300)));
    tokio::time::sleep(30 * MS).await;
    assert!(is_hold(&acquire(&b, &ask(API, scope, 7)).await));
    // the hold's end starts the learned period (300 ms after the refusal, 30 of which are
    // gone); the burst goes 80 ms into it
    tokio::time::sleep(Duration::from_millis(300 - 30 + 80)).await;
    // the fleet learned about five per period: b, which was never refused, paces to it
    let mut went = 0;
    let mut paced = None;
    for ticket in 10..20 {
        match acquire(&b, &ask(API, scope, ticket)).await {
            Grant::Go => went += 1,
            Grant::Wait { pause, wait } => {
                paced = Some((pause, wait));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let Some((Pause::LearnedQuota, to_next)) = paced else {
        panic!("not paced after {went} went: {paced:?}")
    };
    // six were sent before the refusal, one of them refused: five a period, all at once
    assert_eq!(went, 5, "{went} went in the first period");
    // at the next period's start, the first goes no sooner than a period after the first of
    // the last period went (80 ms in): a sliding window counts no more than the last did
    tokio::time::sleep(to_next).await;
    let Grant::Wait { pause, wait } = acquire(&b, &ask(API, scope, 30)).await else {
        panic!("the first of the period went before its rank's time")
    };
    assert_eq!(pause, Pause::LearnedQuota);
    assert!(
        wait > Duration::from_millis(20) && wait < Duration::from_millis(100),
        "{wait:?}"
    );
    // the send-time lists expire with the state
    let keys = server.keys();
    assert!(keys.iter().any(|k| k.ends_with(":prev")), "{keys:?}");
    let mut conn = server.redis();
    for key in &keys {
        let ttl: i64 = redis::cmd("PTTL").arg(key).query(&mut conn).unwrap();
        assert!(ttl > 0, "{key} has no TTL ({ttl})");
    }
    // b's own in-process state learned nothing: the pacing came from Redis
    assert_eq!(
        b.local().acquire(&ask(API, scope, 99)).ready(),
        Some(Grant::Go)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_apis_and_prefixes_share_nothing() {
    let Some(server) = server() else { return };
    let a = store(&server).await;
    let b = store(&server).await;
    let elsewhere = store(&server).await.with_prefix("other-app");
    let scope = ScopeKey::Client;
    assert_eq!(acquire(&a, &ask("one", scope, 1)).await, Grant::Go);
    a.report(&refused("one", scope, 1, Duration::from_secs(5)));
    assert!(is_hold(
        &eventually(&b, &ask("one", scope, 2), is_hold).await
    ));
    assert_eq!(acquire(&b, &ask("two", scope, 3)).await, Grant::Go);
    assert_eq!(acquire(&b, &ask("", scope, 4)).await, Grant::Go);
    assert_eq!(acquire(&elsewhere, &ask("one", scope, 5)).await, Grant::Go);
    assert_eq!(elsewhere.prefix(), "other-app");
    // another scope of the same API neither
    assert_eq!(
        acquire(&b, &ask("one", ScopeKey::Method("get"), 6)).await,
        Grant::Go
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_hold_scope_names_only_and_all_expire() {
    let Some(server) = server() else { return };
    let a = store(&server).await.with_prefix("myapp");
    let hostile = BucketName::new(b"https://evil.example/path?token=abc\xff\x00:x");
    let long = BucketName::new("z".repeat(500).as_bytes());
    let scopes = [
        ScopeKey::Client,
        ScopeKey::Method("list_repos"),
        ScopeKey::Bucket(hostile),
        ScopeKey::Bucket(long),
    ];
    for (i, scope) in scopes.into_iter().enumerate() {
        let ticket = i as u64;
        assert_eq!(
            acquire(&a, &reading(ask("GitHub API", scope, ticket))).await,
            Grant::Go
        );
        a.report(&stating(
            "GitHub API",
            scope,
            ticket,
            5,
            Duration::from_secs(3),
        ));
        assert_eq!(
            acquire(&a, &reading(ask("GitHub API", scope, 100 + ticket))).await,
            Grant::Go
        );
    }
    tokio::time::sleep(50 * MS).await;
    let keys = server.keys();
    assert!(keys.len() >= scopes.len(), "{keys:?}");
    let mut conn = server.redis();
    for key in &keys {
        assert!(key.starts_with("myapp:%47697448756220415049:"), "{key}");
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.:%#".contains(&b)),
            "{key}"
        );
        assert!(
            !key.contains("evil") && !key.contains("token") && key.len() < 120,
            "{key}"
        );
        let ttl: i64 = redis::cmd("PTTL").arg(key).query(&mut conn).unwrap();
        assert!(ttl > 0, "{key} has no TTL ({ttl})");
        // what the server stated (3 s) and a period (the 10 s floor) at most
        assert!(ttl <= 13_000, "{key} outlives what was stated: {ttl} ms");
    }
    assert!(
        keys.iter().any(|k| k.ends_with(":method:list_repos")),
        "{keys:?}"
    );
    assert!(keys.iter().any(|k| k.contains(":bucket:#")), "{keys:?}");
    assert!(keys.iter().any(|k| k.ends_with(":out")), "{keys:?}");
}

/// Through `Retrier`, from plain threads with no runtime (`run_blocking`) and on a
/// current-thread runtime: a 429 one process's call gets holds the other process's calls.
#[test]
fn retriers_share_holds_from_blocking_calls_and_a_current_thread_runtime() {
    let Some(server) = server() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // a store made without a runtime, and one made on the current-thread runtime
    let a = errspec_redis::RedisStore::connect_blocking(server.url()).unwrap();
    let b = runtime.block_on(store(&server));
    // process a, blocking: refused once (Retry-After 300 ms), then through
    let a_retrier = retrier(&a, API);
    let refused_at = Instant::now();
    let first = std::thread::spawn(move || {
        let mut calls = 0;
        a_retrier.run_blocking(true, || {
            calls += 1;
            if calls == 1 { Err(Limited) } else { Ok(()) }
        })
    });
    std::thread::sleep(Duration::from_millis(100));
    // process b, blocking, started within a's hold: its first attempt waits for the hold's end
    let b_retrier = retrier(&b, API);
    let second = std::thread::spawn(move || {
        b_retrier.run_blocking(true, || Ok::<_, Limited>(Instant::now()))
    });
    assert!(first.join().unwrap().is_ok());
    let waited = second.join().unwrap().unwrap() - refused_at;
    assert!(
        waited > Duration::from_millis(250),
        "b did not wait for a's hold: {waited:?}"
    );
    assert!(waited < Duration::from_secs(1), "{waited:?}");

    // an async call on a current-thread runtime, and a blocking one on that runtime's only
    // thread (blocked while the store answers)
    let started = Instant::now();
    let calls = AtomicU32::new(0);
    let r: Result<(), Limited> = runtime.block_on(retrier(&b, API).run(true, || {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    }));
    assert!(r.is_ok());
    let again: Result<(), Limited> =
        runtime.block_on(async { retrier(&b, API).run_blocking(true, || Ok(())) });
    assert!(again.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    drop((a, b));
}
