//! `errspec::middleware::RetryMiddleware` in a real reqwest-middleware client against a
//! scripted server on 127.0.0.1: 429 with Retry-After (recorded waits, and Tokio's paused
//! clock), 503 on GET and POST, the `Idempotency` extension both ways, GitHub's 403 rate-limit
//! case against a plain 403, pacing from quota headers on successes, a hold shared by
//! concurrent requests, a closed port (transport failures by `[transport]`, or returned at
//! once), a streamed body sent once, and a shared store.
//!
//! Unless a test says otherwise, waits are recorded by a sleeper, not slept.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::middleware::RetryMiddleware;
use errspec::{Idempotency, LocalStore, Pause, Retrier, RetryBudget, StatusError};
use errspec_test_support::{Pauses, RecordingSleeper, Reply, ScriptServer};
use reqwest::StatusCode;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

/// `specs/transport.toml`: 3 attempts, backoff 100 ms x2 without jitter; 429 after its
/// `Retry-After`, 503 idempotent, 403 never unless its headers make it a rate limit; a
/// `[transport]` section with the default policies.
#[errspec::errors(spec = "specs/transport.toml")]
#[derive(Debug)]
pub enum HubError {}

/// The same statuses with pacing from the quota every response states.
mod stated {
    #[errspec::errors(spec = "specs/rate-limit/stated.toml")]
    #[derive(Debug)]
    pub enum HubError {}
}

/// `E`'s spec, waits recorded by `sleeper`, pauses told to `pauses`.
fn retrier<E: StatusError>(sleeper: &RecordingSleeper, pauses: &Pauses) -> Retrier {
    Retrier::new(E::retry_config())
        .with_rate_limit(E::rate_limit())
        .with_sleeper(sleeper.clone())
        .on_pause(pauses.hook())
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

fn with(middleware: RetryMiddleware<HubError>) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest_client())
        .with(middleware)
        .build()
}

/// A client under `HubError`'s spec whose waits `sleeper` records.
fn recorded(sleeper: &RecordingSleeper) -> ClientWithMiddleware {
    let retrier = retrier::<HubError>(sleeper, &Pauses::default());
    with(RetryMiddleware::new().with_retrier(retrier))
}

fn unix_in(wait: Duration) -> String {
    unix_at(SystemTime::now() + wait)
}

fn unix_at(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string()
}

/// A port of 127.0.0.1 that nothing listens on.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn a_429_waits_its_retry_after_then_returns_the_success() {
    let server = ScriptServer::start().await;
    server.once("/a", Reply::new(429).header("retry-after", "7"));
    let sleeper = RecordingSleeper::new();
    let client = recorded(&sleeper);

    let response = client
        .get(format!("{}/a", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("the body"), "ok /a");
    assert_eq!(server.served(), 2);
    assert_eq!(sleeper.sleeps(), [7 * SEC]);
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_on_tokios_paused_clock_by_default() {
    let server = ScriptServer::start_on_thread();
    server.once("/a", Reply::new(429).header("retry-after", "30"));
    let client = with(RetryMiddleware::new());

    let start = tokio::time::Instant::now();
    let response = client
        .get(format!("{}/a", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.served(), 2);
    // the wait is virtual: 30 s on Tokio's clock, at once in real time
    assert!(start.elapsed() >= 30 * SEC, "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_503_is_retried_on_get_and_returned_as_a_response_on_post() {
    let server = ScriptServer::start().await;
    server.always("/down", Reply::new(503).body("down"));
    let sleeper = RecordingSleeper::new();
    let client = recorded(&sleeper);
    let url = format!("{}/down", server.url());

    let response = client.get(&url).send().await.expect("a response");
    // the last answer is the server's response, its body unread
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 3, "max_attempts = 3");
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);
    let error = errspec::reqwest::check::<HubError>(response)
        .await
        .expect_err("check makes it the error");
    assert!(matches!(error, HubError::ServiceUnavailable { .. }));
    assert_eq!(error.body(), Some("down"));

    let response = client
        .post(&url)
        .body("{}")
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 4, "a POST is sent once");
    assert_eq!(sleeper.sleeps().len(), 2);
}

#[tokio::test]
async fn the_idempotency_extension_overrides_the_method() {
    let server = ScriptServer::start().await;
    server.always("/down", Reply::new(503));
    let sleeper = RecordingSleeper::new();
    let client = recorded(&sleeper);
    let url = format!("{}/down", server.url());

    let response = client
        .post(&url)
        .body("{}")
        .with_extension(Idempotency::Idempotent)
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 3, "a POST marked idempotent is retried");

    client
        .get(&url)
        .with_extension(Idempotency::NonIdempotent)
        .send()
        .await
        .expect("a response");
    assert_eq!(server.served(), 4, "a GET marked non-idempotent is not");
}

#[tokio::test]
async fn a_403_rate_limit_case_is_retried_and_a_plain_403_is_not() {
    let server = ScriptServer::start().await;
    // the sleeper's wall clock an hour ahead of the system's: the reset is read on it
    let wall = SystemTime::now() + 3600 * SEC;
    server.once(
        "/limited",
        Reply::new(403).headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", unix_at(wall + 20 * SEC).as_str()),
        ]),
    );
    server.always("/forbidden", Reply::new(403));
    let sleeper = RecordingSleeper::new().with_wall(wall);
    let client = recorded(&sleeper);

    let response = client
        .get(format!("{}/limited", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the case's wait, then a retry"
    );
    assert_eq!(server.served(), 2);
    let waits = sleeper.sleeps();
    // the reset is a whole epoch second: up to a second early
    assert!(
        matches!(waits.as_slice(), [w] if *w <= 20 * SEC && *w + 2 * SEC > 20 * SEC),
        "{waits:?}"
    );

    let response = client
        .get(format!("{}/forbidden", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.served(), 3, "a permission error is not retried");
}

#[tokio::test]
async fn a_quota_stated_on_a_success_paces_the_next_request() {
    let server = ScriptServer::start().await;
    let sleeper = RecordingSleeper::real();
    let pauses = Pauses::default();
    let retrier = retrier::<stated::HubError>(&sleeper, &pauses);
    let client = ClientBuilder::new(reqwest_client())
        .with(RetryMiddleware::<stated::HubError>::new().with_retrier(retrier))
        .build();
    server.always(
        "/a",
        Reply::new(200).headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", unix_in(30 * SEC).as_str()),
        ]),
    );

    let first = client.get(format!("{}/a", server.url())).send().await;
    assert_eq!(first.expect("a response").status(), StatusCode::OK);
    assert_eq!(pauses.take(), [], "nothing was spent before");
    let second = client.get(format!("{}/a", server.url())).send().await;
    assert_eq!(second.expect("a response").status(), StatusCode::OK);
    let seen = pauses.take();
    assert!(
        matches!(seen.as_slice(), [(Pause::StatedQuota, d)] if *d <= 30 * SEC && *d + 2 * SEC > 30 * SEC),
        "the spent quota paused the next request until its reset: {seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hold_set_by_one_request_holds_a_concurrent_one() {
    let server = ScriptServer::start_on_thread();
    server.once("/a", Reply::new(429).header("retry-after", "10"));
    let pauses = Pauses::default();
    let retrier = Retrier::new(HubError::retry_config())
        .with_rate_limit(HubError::rate_limit())
        .on_pause(pauses.hook());
    let client = with(RetryMiddleware::new().with_retrier(retrier));
    let start = tokio::time::Instant::now();

    let a = {
        let client = client.clone();
        let url = format!("{}/a", server.url());
        tokio::spawn(async move { client.get(url).send().await })
    };
    // `b` starts once `a` was refused and waits for its retry
    while server.served() < 1 {
        tokio::task::yield_now().await;
        std::thread::sleep(MS);
    }
    tokio::time::sleep(MS).await;
    let b = client.get(format!("{}/b", server.url())).send().await;
    let b_done = start.elapsed();
    let a = a.await.expect("a's task");

    assert_eq!(a.expect("a response").status(), StatusCode::OK);
    assert_eq!(b.expect("a response").status(), StatusCode::OK);
    assert!(b_done >= 9 * SEC, "b waited for a's hold: {b_done:?}");
    let seen = pauses.take();
    assert!(
        seen.iter().any(|(pause, _)| *pause == Pause::Hold),
        "b paused for the hold: {seen:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_retried_by_the_transport_section_or_returned_at_once() {
    let url = format!("{}/a", closed_port());
    let sleeper = RecordingSleeper::new();
    let client = recorded(&sleeper);

    let error = client.get(&url).send().await.expect_err("nothing listens");
    // the transport error itself, as reqwest gave it
    assert!(
        matches!(&error, reqwest_middleware::Error::Reqwest(e) if e.is_connect()),
        "{error:?}"
    );
    // `connect` is `always` by default: nothing was sent
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);

    let sleeper = RecordingSleeper::new();
    let retrier = retrier::<HubError>(&sleeper, &Pauses::default());
    let returned = with(RetryMiddleware::without_transport().with_retrier(retrier));
    let error = returned
        .get(&url)
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(&error, reqwest_middleware::Error::Reqwest(e) if e.is_connect()));
    assert!(
        sleeper.sleeps().is_empty(),
        "no transport variant: returned at once"
    );
}

#[tokio::test]
async fn a_streamed_body_is_sent_once() {
    let server = ScriptServer::start().await;
    server.always("/up", Reply::new(503));
    let sleeper = RecordingSleeper::new();
    let client = recorded(&sleeper);
    let url = format!("{}/up", server.url());

    let response = client
        .put(&url)
        .body(reqwest::Body::wrap(String::from("streamed")))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        server.served(),
        1,
        "a body that cannot be copied is sent once"
    );
    assert!(sleeper.sleeps().is_empty());

    // the same PUT with a body in memory is retried
    client
        .put(&url)
        .body("in memory")
        .send()
        .await
        .expect("a response");
    assert_eq!(server.served(), 4);
}

#[tokio::test]
async fn clients_given_one_store_share_a_hold() {
    let server = ScriptServer::start().await;
    server.once("/a", Reply::new(429).header("retry-after", "30"));
    let store = LocalStore::new();
    let sleeper = RecordingSleeper::real();
    let (one, two) = (Pauses::default(), Pauses::default());
    let first = with(
        RetryMiddleware::new()
            .with_retrier(retrier::<HubError>(&sleeper, &one))
            .with_store(store.clone()),
    );
    let second = with(
        RetryMiddleware::new()
            .with_retrier(retrier::<HubError>(&sleeper, &two))
            .with_store(store),
    );

    first
        .get(format!("{}/a", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(sleeper.sleeps(), [30 * SEC]);
    // the real clock has not moved by the recorded wait: the hold lasts for the other client
    second
        .get(format!("{}/b", server.url()))
        .send()
        .await
        .expect("a response");
    let seen = two.take();
    assert!(
        matches!(seen.as_slice(), [(Pause::Hold, d)] if *d > 29 * SEC && *d <= 30 * SEC),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_request_dropped_mid_wait_gives_back_its_retry_and_leaves_nothing_waiting() {
    let server = ScriptServer::start().await;
    server.once("/a", Reply::new(503));
    // ten retries in all (no deposits earn more), on a clock that does not move
    let now = std::time::Instant::now();
    let budget = RetryBudget::with_clock(0.0, 1, move || now);
    // real waits on Tokio's clock
    let retrier = Retrier::new(HubError::retry_config())
        .with_rate_limit(HubError::rate_limit())
        .with_budget(budget.clone());
    let client = with(RetryMiddleware::new().with_retrier(retrier));
    let url = format!("{}/a", server.url());

    // dropped during its 100 ms backoff, with a retry granted
    let sent = tokio::time::timeout(50 * MS, client.get(&url).send()).await;
    assert!(sent.is_err(), "still waiting to retry");
    assert_eq!(server.served(), 1);
    // nothing waits for it: the next request goes at once
    let start = std::time::Instant::now();
    let response = client.get(&url).send().await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(start.elapsed() < 50 * MS, "{:?}", start.elapsed());
    // the retry that was never sent was given back: all ten are left
    let left = (0..20).filter(|_| budget.try_withdraw()).count();
    assert_eq!(left, 10);
}
