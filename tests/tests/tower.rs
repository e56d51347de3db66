//! `errspec::tower::RetryLayer` over a real tower stack: hyper-util's legacy client
//! (`HttpConnector`, HTTP/1) against a scripted server on 127.0.0.1. 429 with Retry-After,
//! 503 on GET and POST, the `Idempotency` extension, GitHub's 403 rate-limit case, pacing
//! from quota headers, a hold shared by concurrent requests (Tokio's paused clock), a closed
//! port (`connect`), an elapsed tower timeout (`timeout`), a body that cannot be copied,
//! `poll_ready` before every attempt, and a success status's header case (its body cases
//! unread).
//!
//! Unless a test says otherwise, waits are recorded by a sleeper, not slept.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use errspec::http::{Method, Request, Response, StatusCode};
use errspec::tower::{ReplayBody, RetryLayer};
use errspec::{Idempotency, Pause, Retrier, StatusError};
use errspec_test_support::{Pauses, RecordingSleeper, Reply, ScriptServer};
use http_body::{Body, Frame, SizeHint};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Layer, Service, ServiceBuilder, ServiceExt};

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

/// A request body: in memory (copied for each attempt), or one that cannot be copied, as a
/// stream from a file or a channel could not.
#[derive(Debug)]
enum TestBody {
    Memory(Option<Bytes>),
    Streamed(Option<Bytes>),
}

impl TestBody {
    fn memory(text: &'static str) -> Self {
        Self::Memory(Some(Bytes::from_static(text.as_bytes())))
    }

    fn streamed(text: &'static str) -> Self {
        Self::Streamed(Some(Bytes::from_static(text.as_bytes())))
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let (Self::Memory(data) | Self::Streamed(data)) = self.get_mut();
        Poll::Ready(data.take().map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        let (Self::Memory(data) | Self::Streamed(data)) = self;
        data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Memory(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Self::Streamed(_) => SizeHint::default(),
        }
    }
}

impl ReplayBody for TestBody {
    fn replay(&self) -> Option<Self> {
        match self {
            Self::Memory(data) => Some(Self::Memory(data.clone())),
            Self::Streamed(_) => None,
        }
    }
}

type Hyper = Client<HttpConnector, TestBody>;

fn hyper() -> Hyper {
    Client::builder(TokioExecutor::new()).build_http()
}

/// `E`'s spec, waits recorded by `sleeper`, pauses told to `pauses`.
fn retrier<E: StatusError>(sleeper: &RecordingSleeper, pauses: &Pauses) -> Retrier {
    Retrier::new(E::retry_config())
        .with_rate_limit(E::rate_limit())
        .with_sleeper(sleeper.clone())
        .on_pause(pauses.hook())
}

fn request(method: Method, url: &str, body: TestBody) -> Request<TestBody> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(body)
        .expect("a request")
}

fn get(url: &str) -> Request<TestBody> {
    request(Method::GET, url, TestBody::Memory(None))
}

/// Sends `request` through `service` once it is ready.
async fn send<S>(service: &mut S, request: Request<TestBody>) -> Result<S::Response, BoxError>
where
    S: Service<Request<TestBody>, Error = BoxError>,
{
    service.ready().await?.call(request).await
}

/// The layered hyper client under `HubError`'s spec whose waits `sleeper` records.
fn recorded(sleeper: &RecordingSleeper) -> errspec::tower::RetryService<HubError, Hyper> {
    RetryLayer::<HubError>::new()
        .with_retrier(retrier::<HubError>(sleeper, &Pauses::default()))
        .layer(hyper())
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

#[test]
fn the_layered_service_is_clone_and_send() {
    fn clone_send<T: Clone + Send + 'static>(_: &T) {}
    let service = ServiceBuilder::new()
        .layer(RetryLayer::<HubError>::new())
        .service(hyper());
    clone_send(&service);
}

#[tokio::test]
async fn a_429_waits_its_retry_after_then_returns_the_success() {
    let server = ScriptServer::start().await;
    server.once("/a", Reply::new(429).header("retry-after", "7"));
    let sleeper = RecordingSleeper::new();
    let mut service = recorded(&sleeper);

    let response = send(&mut service, get(&format!("{}/a", server.url())))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.served(), 2);
    assert_eq!(sleeper.sleeps(), [7 * SEC]);
}

#[tokio::test]
async fn a_503_is_retried_on_get_and_returned_as_a_response_on_post() {
    let server = ScriptServer::start().await;
    server.always("/down", Reply::new(503));
    let sleeper = RecordingSleeper::new();
    let mut service = recorded(&sleeper);
    let url = format!("{}/down", server.url());

    let response = send(&mut service, get(&url)).await.expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 3, "max_attempts = 3");
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);

    let post = request(Method::POST, &url, TestBody::memory("{}"));
    let response = send(&mut service, post).await.expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 4, "a POST is sent once");

    let mut post = request(Method::POST, &url, TestBody::memory("{}"));
    post.extensions_mut().insert(Idempotency::Idempotent);
    send(&mut service, post).await.expect("a response");
    assert_eq!(server.served(), 7, "a POST marked idempotent is retried");

    let mut get = get(&url);
    get.extensions_mut().insert(Idempotency::NonIdempotent);
    send(&mut service, get).await.expect("a response");
    assert_eq!(server.served(), 8, "a GET marked non-idempotent is not");
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
    let mut service = recorded(&sleeper);

    let response = send(&mut service, get(&format!("{}/limited", server.url())))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    let waits = sleeper.sleeps();
    assert!(
        matches!(waits.as_slice(), [w] if *w <= 20 * SEC && *w + 2 * SEC > 20 * SEC),
        "{waits:?}"
    );

    let response = send(&mut service, get(&format!("{}/forbidden", server.url())))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.served(), 3, "a permission error is not retried");
}

#[tokio::test]
async fn a_quota_stated_on_a_success_paces_the_next_request() {
    let server = ScriptServer::start().await;
    server.always(
        "/a",
        Reply::new(200).headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", unix_in(30 * SEC).as_str()),
        ]),
    );
    let sleeper = RecordingSleeper::real();
    let pauses = Pauses::default();
    let mut service = RetryLayer::<stated::HubError>::new()
        .with_retrier(retrier::<stated::HubError>(&sleeper, &pauses))
        .layer(hyper());
    let url = format!("{}/a", server.url());

    send(&mut service, get(&url)).await.expect("a response");
    assert_eq!(pauses.take(), []);
    send(&mut service, get(&url)).await.expect("a response");
    let seen = pauses.take();
    assert!(
        matches!(seen.as_slice(), [(Pause::StatedQuota, d)] if *d <= 30 * SEC && *d + 2 * SEC > 30 * SEC),
        "{seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hold_set_by_one_request_holds_a_concurrent_one_on_the_paused_clock() {
    let server = ScriptServer::start_on_thread();
    server.once("/a", Reply::new(429).header("retry-after", "10"));
    let pauses = Pauses::default();
    let layer = RetryLayer::<HubError>::new().with_retrier(
        Retrier::new(HubError::retry_config())
            .with_rate_limit(HubError::rate_limit())
            .on_pause(pauses.hook()),
    );
    let service = layer.layer(hyper());
    let start = tokio::time::Instant::now();

    let a = {
        let mut service = service.clone();
        let url = format!("{}/a", server.url());
        tokio::spawn(async move { send(&mut service, get(&url)).await })
    };
    while server.served() < 1 {
        tokio::task::yield_now().await;
        std::thread::sleep(MS);
    }
    tokio::time::sleep(MS).await;
    let b = send(&mut service.clone(), get(&format!("{}/b", server.url()))).await;
    let b_done = start.elapsed();
    let a = a.await.expect("a's task");

    assert_eq!(a.expect("a response").status(), StatusCode::OK);
    assert_eq!(b.expect("a response").status(), StatusCode::OK);
    assert!(b_done >= 9 * SEC, "b waited for a's hold: {b_done:?}");
    let seen = pauses.take();
    assert!(
        seen.iter().any(|(pause, _)| *pause == Pause::Hold),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_failure_retried_by_the_transport_section() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let sleeper = RecordingSleeper::new();
    let mut service = recorded(&sleeper);

    let error = send(&mut service, get(&format!("http://{addr}/a")))
        .await
        .expect_err("nothing listens");
    // the inner service's own error, boxed
    let error = error
        .downcast::<hyper_util::client::legacy::Error>()
        .expect("hyper-util's error");
    assert!(error.is_connect(), "{error:?}");
    // `connect` is `always` by default: even a POST is retried, since nothing was sent
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);
    let post = request(
        Method::POST,
        &format!("http://{addr}/a"),
        TestBody::memory("{}"),
    );
    send(&mut service, post).await.expect_err("nothing listens");
    assert_eq!(sleeper.sleeps().len(), 4);
}

/// A service that never answers, counting its calls.
#[derive(Clone, Default)]
struct Silent(Arc<AtomicUsize>);

impl Service<Request<TestBody>> for Silent {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Pending<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<TestBody>) -> Self::Future {
        self.0.fetch_add(1, Ordering::Relaxed);
        std::future::pending()
    }
}

#[tokio::test(start_paused = true)]
async fn an_elapsed_tower_timeout_is_a_timeout_failure() {
    let silent = Silent::default();
    let sleeper = RecordingSleeper::new();
    let mut service = ServiceBuilder::new()
        .layer(
            RetryLayer::<HubError>::new()
                .with_retrier(retrier::<HubError>(&sleeper, &Pauses::default())),
        )
        .timeout(SEC)
        .service(silent.clone());

    let error = send(&mut service, get("http://127.0.0.1/a"))
        .await
        .expect_err("no answer");
    assert!(error.is::<tower::timeout::error::Elapsed>(), "{error:?}");
    // `timeout` is `idempotent` by default: a GET is tried 3 times, a POST once
    assert_eq!(silent.0.load(Ordering::Relaxed), 3);
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);
    let post = request(Method::POST, "http://127.0.0.1/a", TestBody::memory("{}"));
    send(&mut service, post).await.expect_err("no answer");
    assert_eq!(silent.0.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn a_body_that_cannot_be_copied_is_sent_once() {
    let server = ScriptServer::start().await;
    server.always("/up", Reply::new(503));
    let sleeper = RecordingSleeper::new();
    let mut service = recorded(&sleeper);
    let url = format!("{}/up", server.url());

    let put = request(Method::PUT, &url, TestBody::streamed("streamed"));
    let response = send(&mut service, put).await.expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.served(), 1);
    assert!(sleeper.sleeps().is_empty());

    let put = request(Method::PUT, &url, TestBody::memory("in memory"));
    send(&mut service, put).await.expect("a response");
    assert_eq!(
        server.served(),
        4,
        "a body in memory is copied for each attempt"
    );
}

/// A service that answers 503, counting how often it was polled ready and called.
#[derive(Clone, Default)]
struct Counted {
    ready: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
}

impl Service<Request<TestBody>> for Counted {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.ready.fetch_add(1, Ordering::Relaxed);
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<TestBody>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(String::new());
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        std::future::ready(Ok(response))
    }
}

#[tokio::test]
async fn every_attempt_is_sent_to_a_service_polled_ready() {
    let counted = Counted::default();
    let sleeper = RecordingSleeper::new();
    let mut service = RetryLayer::<HubError>::new()
        .with_retrier(retrier::<HubError>(&sleeper, &Pauses::default()))
        .layer(counted.clone());

    let response = send(&mut service, get("http://127.0.0.1/a"))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(counted.calls.load(Ordering::Relaxed), 3);
    // once by `ready()` for the first attempt, then before each retry
    assert_eq!(counted.ready.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn a_call_dropped_mid_wait_gives_back_its_retry() {
    let counted = Counted::default();
    let now = std::time::Instant::now();
    let budget = errspec::RetryBudget::with_clock(0.0, 1, move || now);
    // real waits on Tokio's clock
    let retrier = Retrier::new(HubError::retry_config())
        .with_rate_limit(HubError::rate_limit())
        .with_budget(budget.clone());
    let mut service = RetryLayer::<HubError>::new()
        .with_retrier(retrier)
        .layer(counted.clone());

    let sent = tokio::time::timeout(50 * MS, send(&mut service, get("http://127.0.0.1/a"))).await;
    assert!(sent.is_err(), "still waiting to retry");
    assert_eq!(counted.calls.load(Ordering::Relaxed), 1);
    let left = (0..20).filter(|_| budget.try_withdraw()).count();
    assert_eq!(left, 10, "the retry that was never sent was given back");
}

/// Errors inside successful responses (`specs/success.toml`): a 204 with `x-deferred: true`
/// is a header case, a 200 with `{"ok": false}` a body case.
mod success {
    #[errspec::errors(spec = "specs/success.toml")]
    #[derive(Debug)]
    pub enum ChatError {}
}

#[tokio::test]
async fn a_success_is_retried_by_its_header_cases_only() {
    let server = ScriptServer::start().await;
    server.script(
        "/d",
        [
            Reply::new(204).header("x-deferred", "true"),
            Reply::new(204),
        ],
    );
    server.once(
        "/m",
        Reply::new(200).body(r#"{"ok":false,"error":"ratelimited"}"#),
    );
    let sleeper = RecordingSleeper::new();
    let mut service = RetryLayer::<success::ChatError>::new()
        .with_retrier(retrier::<success::ChatError>(&sleeper, &Pauses::default()))
        .layer(hyper());

    let response = send(&mut service, get(&format!("{}/d", server.url())))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.served(), 2);
    assert_eq!(sleeper.sleeps(), [100 * MS]);

    // the body is the caller's, unread: the body case cannot match here
    let response = send(&mut service, get(&format!("{}/m", server.url())))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.served(), 3);
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}
