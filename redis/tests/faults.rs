//! Redis absent, killed, restarted, paused past the timeout, flushed of its scripts or
//! answering errors: calls go on with the in-process state, within about the timeout, and
//! sharing resumes when Redis answers. And what `connect` refuses: a wrong password, a bad URL.

mod common;

use std::time::{Duration, Instant};

use common::ServerExt as _;
use common::{
    MS, Server, acquire, ask, eventually, free_port, is_hold, redis_available, refused, server,
    server_with, store, until_sharing,
};
use errspec::{Grant, LimitStore, ScopeKey};
use errspec_redis::{ErrorKind, RedisStore};

const API: &str = "faults";
const SCOPE: ScopeKey = ScopeKey::Client;

/// Whether a hold `a` learns reaches `b` (through Redis).
async fn shares_a_hold(a: &RedisStore, b: &RedisStore, ticket: u64) -> bool {
    assert_eq!(acquire(a, &ask(API, SCOPE, ticket)).await, Grant::Go);
    a.report(&refused(API, SCOPE, ticket, Duration::from_millis(400)));
    is_hold(&eventually(b, &ask(API, SCOPE, ticket + 1), is_hold).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_absent_at_start_then_started() {
    if !redis_available() {
        return;
    }
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let started = Instant::now();
    let a = RedisStore::connect(&url)
        .await
        .expect("an absent server is an outage, not an error");
    let b = RedisStore::connect(url).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!a.is_sharing());
    // calls go on, at once, with the in-process state (which still holds what it learns)
    let started = Instant::now();
    assert_eq!(acquire(&a, &ask(API, SCOPE, 1)).await, Grant::Go);
    a.report(&refused(API, SCOPE, 1, Duration::from_millis(300)));
    assert!(is_hold(&acquire(&a, &ask(API, SCOPE, 2)).await));
    assert_eq!(
        acquire(&b, &ask(API, SCOPE, 2)).await,
        Grant::Go,
        "b cannot know"
    );
    assert!(started.elapsed() < 50 * MS, "{:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut server = Server::stopped(port);
    server.run();
    until_sharing(&a).await;
    until_sharing(&b).await;
    assert!(
        shares_a_hold(&a, &b, 10).await,
        "sharing once Redis started"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_run_then_restarted() {
    let Some(mut server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    assert!(shares_a_hold(&a, &b, 1).await);
    tokio::time::sleep(Duration::from_millis(400)).await;

    server.kill();
    let started = Instant::now();
    for ticket in 10..20 {
        assert_eq!(
            acquire(&a, &ask(API, ScopeKey::Method("m"), ticket)).await,
            Grant::Go
        );
        a.report(&common::success(API, ScopeKey::Method("m"), ticket));
    }
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert!(!a.is_sharing());

    server.run();
    until_sharing(&a).await;
    until_sharing(&b).await;
    assert!(
        shares_a_hold(&a, &b, 30).await,
        "sharing resumes after the restart"
    );
    tokio::time::sleep(Duration::from_millis(420)).await;
    assert!(shares_a_hold(&b, &a, 40).await, "both ways");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_past_the_timeout() {
    let Some(server) = server() else { return };
    let timeout = Duration::from_millis(50);
    let a = store(&server).await.with_timeout(timeout);
    let b = store(&server).await.with_timeout(timeout);
    assert_eq!(acquire(&a, &ask(API, SCOPE, 1)).await, Grant::Go);
    let mut conn = server.redis();
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "600", "ALL"][..])
        .query(&mut conn)
        .unwrap();
    // the first call waits the timeout, no more; the next ones do not ask Redis
    let started = Instant::now();
    assert_eq!(acquire(&a, &ask(API, SCOPE, 2)).await, Grant::Go);
    let first = started.elapsed();
    assert!(
        first >= Duration::from_millis(45) && first < timeout + 100 * MS,
        "{first:?}"
    );
    let started = Instant::now();
    for ticket in 3..50 {
        assert_eq!(acquire(&a, &ask(API, SCOPE, ticket)).await, Grant::Go);
    }
    assert!(started.elapsed() < 50 * MS, "{:?}", started.elapsed());
    // once the pause ends, sharing resumes
    tokio::time::sleep(Duration::from_millis(600)).await;
    until_sharing(&a).await;
    assert!(shares_a_hold(&a, &b, 100).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_flushed_are_loaded_again() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    assert!(shares_a_hold(&a, &b, 1).await);
    let mut conn = server.redis();
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut conn).unwrap();
    // both scripts: the report's (a hold) and the ask's (b reads it)
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(shares_a_hold(&a, &b, 10).await, "NOSCRIPT: loaded again");
    assert!(a.is_sharing() && b.is_sharing());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_from_redis_fail_open_and_sharing_resumes() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let mut conn = server.redis();
    // the client scope's state is not a hash: the script fails with WRONGTYPE
    let _: () = redis::cmd("SET")
        .arg(&["errspec:faults:client", "junk"][..])
        .query(&mut conn)
        .unwrap();
    assert_eq!(acquire(&a, &ask(API, SCOPE, 1)).await, Grant::Go);
    assert!(!a.is_sharing());
    for ticket in 2..20 {
        assert_eq!(acquire(&a, &ask(API, SCOPE, ticket)).await, Grant::Go);
    }
    let _: () = redis::cmd("DEL")
        .arg("errspec:faults:client")
        .query(&mut conn)
        .unwrap();
    until_sharing(&a).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(shares_a_hold(&a, &b, 100).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_clear_error_at_connect() {
    let Some(server) = server_with(&["--requirepass", "s3cret"]) else {
        return;
    };
    let port = server.port();
    for url in [
        format!("redis://:wrong@127.0.0.1:{port}"),
        format!("redis://127.0.0.1:{port}"),
    ] {
        let e = RedisStore::connect(&url).await.expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
        let message = e.to_string();
        assert!(message.contains("password"), "{message}");
        assert!(
            !message.contains("wrong") && !message.contains("127.0.0.1"),
            "{message}"
        );
    }
    let right = RedisStore::connect(format!("redis://:s3cret@127.0.0.1:{port}")).await;
    assert!(right.unwrap().is_sharing());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acl_user_logs_in() {
    let Some(server) = server() else { return };
    let mut conn = server.redis();
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "worker", "on", ">pa55", "~errspec:*", "+@all"][..])
        .query(&mut conn)
        .unwrap();
    let port = server.port();
    let url = format!("redis://worker:pa55@127.0.0.1:{port}");
    let (a, b) = (
        RedisStore::connect(&url).await.unwrap(),
        RedisStore::connect(&url).await.unwrap(),
    );
    assert!(shares_a_hold(&a, &b, 1).await);
    let e = RedisStore::connect(format!("redis://worker:nope@127.0.0.1:{port}"))
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    // a user that may not run scripts is told at connect, not at each call
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "reader", "on", ">r34d", "~*", "+@read", "+ping"][..])
        .query(&mut conn)
        .unwrap();
    let e = RedisStore::connect(format!("redis://reader:r34d@127.0.0.1:{port}"))
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(e.to_string().contains("EVALSHA"), "{e}");
}

#[tokio::test]
async fn a_bad_url_is_an_error() {
    for url in [
        "not a url",
        "http://127.0.0.1:6379",
        "redis://127.0.0.1:99999",
    ] {
        let e = RedisStore::connect(url).await.expect_err(url);
        assert_eq!(e.kind(), ErrorKind::BadUrl, "{url}: {e}");
        assert!(e.to_string().contains("URL"), "{e}");
    }
    // TLS needs the feature
    #[cfg(not(feature = "tls"))]
    {
        let e = RedisStore::connect("rediss://127.0.0.1:6379")
            .await
            .expect_err("no TLS");
        assert_eq!(e.kind(), ErrorKind::BadUrl, "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_never_wait_and_a_full_queue_drops_them() {
    let Some(server) = server() else { return };
    let a = store(&server)
        .await
        .with_timeout(Duration::from_millis(400));
    assert_eq!(acquire(&a, &ask(API, SCOPE, 1)).await, Grant::Go);
    let mut conn = server.redis();
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "300", "ALL"][..])
        .query(&mut conn)
        .unwrap();
    // Redis answers nothing now, and the store does not know it yet: the queue fills
    let started = Instant::now();
    for ticket in 0..10_000 {
        a.report(&common::success(API, SCOPE, ticket));
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(100),
        "reports waited: {took:?}"
    );
    let dropped = a.dropped_reports();
    assert!(
        (10_000 - 4096 - 64..10_000).contains(&dropped),
        "the queue holds 4096 (and a batch in flight): {dropped} dropped"
    );
}

/// Through `Retrier`: a call neither fails nor waits past the timeout for the store's sake,
/// async or blocking, while Redis is paused and then killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_on_through_a_retrier_while_redis_is_paused_or_gone() {
    let Some(mut server) = server() else { return };
    let timeout = Duration::from_millis(50);
    let a = store(&server).await.with_timeout(timeout);
    let retrier = common::retrier(&a, API);
    let mut conn = server.redis();
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "400", "ALL"][..])
        .query(&mut conn)
        .unwrap();
    let started = Instant::now();
    let r: Result<u32, common::Limited> = retrier.run(true, || async { Ok(1) }).await;
    assert_eq!(r.unwrap(), 1);
    assert!(
        started.elapsed() < timeout + 100 * MS,
        "{:?}",
        started.elapsed()
    );
    server.kill();
    let blocking = retrier.clone();
    let started = Instant::now();
    let r = tokio::task::spawn_blocking(move || {
        (0..20).try_for_each(|_| blocking.run_blocking(true, || Ok::<_, common::Limited>(())))
    })
    .await
    .unwrap();
    assert!(r.is_ok());
    assert!(
        started.elapsed() < timeout + 100 * MS,
        "{:?}",
        started.elapsed()
    );
}

/// With the feature `tls`, a `rediss://` URL is taken; a server that does not speak TLS is an
/// outage (calls go on), not an error nor a panic in the TLS stack.
#[cfg(feature = "tls")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_to_a_server_without_tls_is_an_outage() {
    let Some(server) = server() else { return };
    let url = format!("rediss://127.0.0.1:{}", server.port());
    let a = RedisStore::connect(url)
        .await
        .expect("a rediss URL is taken");
    assert!(!a.is_sharing());
    assert_eq!(acquire(&a, &ask(API, SCOPE, 1)).await, Grant::Go);
}

/// An ask dropped while Redis is answering (its call cancelled): a reservation Redis granted
/// it is freed at once, not left to expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_ask_leaves_no_reservation() {
    let Some(server) = server() else { return };
    let a = store(&server).await.with_timeout(Duration::from_secs(2));
    let mut conn = server.redis();
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "150", "WRITE"][..])
        .query(&mut conn)
        .unwrap();
    let ask = ask(API, SCOPE, 1);
    let dropped = tokio::time::timeout(Duration::from_millis(50), a.acquire(&ask)).await;
    assert!(dropped.is_err(), "answered during the pause: {dropped:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let out: u64 = redis::cmd("ZCARD")
        .arg("errspec:faults:client:out")
        .query(&mut conn)
        .unwrap();
    assert_eq!(out, 0, "the dropped ask's reservation is still counted");
    let state: u64 = redis::cmd("EXISTS")
        .arg("errspec:faults:client")
        .query(&mut conn)
        .unwrap();
    assert_eq!(state, 1, "the script ran once the pause ended");
    assert!(a.is_sharing());
}
