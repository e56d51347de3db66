//! `#[errspec::client]` over real HTTP: a reqwest client implementing an annotated trait
//! against an axum server on 127.0.0.1 that answers each path from a script (429 with
//! Retry-After in seconds or as an HTTP-date, 503, 500, 404, 401, success after failures).
//! The tests check what the server saw, the waits taken, and the final errors with their
//! Display text, hint and body excerpt.
//!
//! The server runs in real time; the retry waits are recorded by a sleeper, not slept.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use axum::http::{Method, StatusCode};
use errspec::{BODY_EXCERPT_LIMIT, Retrier, Retrying, StatusError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

/// The API's errors (`specs/client-http.toml`: 4 attempts, backoff 100 ms x2 without jitter,
/// `max_retry_after` 30 s), plus a transport failure.
#[errspec::errors(spec = "specs/client-http.toml")]
#[derive(Debug)]
pub enum LoopbackError {
    /// The request never got a response.
    #[errspec(message = "could not reach the server", retry = "idempotent")]
    Transport(#[source] reqwest::Error),
}

/// The client trait: reads are idempotent, creates are not; futures and `async fn` mixed.
#[errspec::client(error = LoopbackError)]
trait Api {
    /// `GET path`.
    #[errspec(idempotent)]
    fn get(&self, path: &str) -> impl Future<Output = Result<String, LoopbackError>> + Send;

    /// `POST path` with a body.
    fn post(
        &self,
        path: &str,
        body: String,
    ) -> impl Future<Output = Result<String, LoopbackError>> + Send;

    /// `DELETE path`.
    #[errspec(idempotent)]
    async fn delete(&self, path: &str) -> Result<(), LoopbackError>;
}

/// A plain reqwest client; `Retrying` adds the retries.
struct Http {
    http: reqwest::Client,
    base: String,
}

impl Http {
    fn new(base: String) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a client");
        Self { http, base }
    }

    async fn send(request: reqwest::RequestBuilder) -> Result<String, LoopbackError> {
        let response = request.send().await.map_err(LoopbackError::Transport)?;
        let response = errspec::reqwest::check::<LoopbackError>(response).await?;
        response.text().await.map_err(LoopbackError::Transport)
    }
}

impl Api for Http {
    fn get(&self, path: &str) -> impl Future<Output = Result<String, LoopbackError>> + Send {
        Self::send(self.http.get(format!("{}{path}", self.base)))
    }

    fn post(
        &self,
        path: &str,
        body: String,
    ) -> impl Future<Output = Result<String, LoopbackError>> + Send {
        Self::send(self.http.post(format!("{}{path}", self.base)).body(body))
    }

    async fn delete(&self, path: &str) -> Result<(), LoopbackError> {
        Self::send(self.http.delete(format!("{}{path}", self.base)))
            .await
            .map(drop)
    }
}

/// How a scripted reply says when to come back.
#[derive(Debug, Clone, Copy)]
enum Wait {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`, this far from the moment of the reply (negative: past).
    Date(Duration, bool),
}

fn reply(status: u16, body: &str) -> Reply {
    Reply::new(status).body(body.to_owned())
}

fn after(status: u16, wait: Wait) -> Reply {
    let slow_down = move || reply(status, "{\"message\":\"slow down\"}");
    match wait {
        Wait::Seconds(s) => slow_down().header("retry-after", s.to_string()),
        Wait::Date(by, past) => Reply::later(move || {
            let now = SystemTime::now();
            let at = if past { now - by } else { now + by };
            slow_down().header("retry-after", httpdate::fmt_http_date(at))
        }),
    }
}

/// A client of `server` whose retry waits are recorded, on the real clock moved on by them.
fn client(server: &ScriptServer) -> (Retrying<Http>, RecordingSleeper) {
    let sleeper = RecordingSleeper::real_moved();
    let retrier = Retrier::new(LoopbackError::retry_config()).with_sleeper(sleeper.clone());
    let client = Retrying::new(Http::new(server.url()));
    (client.with_retrier(retrier), sleeper)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn requests(method: &Method, path: &str, n: usize) -> Vec<(Method, String)> {
    vec![(method.clone(), path.to_owned()); n]
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = ScriptServer::start().await;
    server.script(
        "/items/1",
        [after(429, Wait::Seconds(2)), after(429, Wait::Seconds(1))],
    );
    let (client, sleeper) = client(&server);
    assert_eq!(client.get("/items/1").await.unwrap(), "ok /items/1");
    assert_eq!(server.requests(), requests(&Method::GET, "/items/1", 3));
    assert_eq!(sleeper.sleeps(), [2 * SEC, SEC]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = ScriptServer::start().await;
    server.script("/items/2", [after(429, Wait::Date(5 * SEC, false))]);
    let (client, sleeper) = client(&server);
    // a rate limit retries even a request that is not idempotent
    assert_eq!(
        client.post("/items/2", "lamp".to_owned()).await.unwrap(),
        "ok /items/2"
    );
    assert_eq!(server.requests(), requests(&Method::POST, "/items/2", 2));
    let sleeps = sleeper.sleeps();
    assert_eq!(sleeps.len(), 1);
    // the date has whole seconds: 5 s from a moment within the second before the reply
    assert!(
        (3 * SEC..=5 * SEC).contains(&sleeps[0]),
        "waited {:?}",
        sleeps[0]
    );
}

#[tokio::test]
async fn a_retry_after_date_in_the_past_means_backoff() {
    // A stale date counts as no wait, so the retry backs off instead of coming at once.
    let server = ScriptServer::start().await;
    server.script("/items/3", [after(429, Wait::Date(60 * SEC, true))]);
    let (client, sleeper) = client(&server);
    client.get("/items/3").await.unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}

#[tokio::test]
async fn a_retry_after_above_max_retry_after_fails_at_once() {
    let server = ScriptServer::start().await;
    server.script("/items/4", [after(429, Wait::Seconds(120))]);
    let (client, sleeper) = client(&server);
    let err = client.get("/items/4").await.unwrap_err();
    assert!(matches!(err, LoopbackError::TooManyRequests { .. }));
    assert_eq!(err.retry_after(), Some(120 * SEC));
    assert_eq!(err.hint(), Some("wait as long as Retry-After says"));
    assert_eq!(
        err.to_string(),
        "429 Too Many Requests: too many requests: rate limit exceeded"
    );
    assert_eq!(err.body(), Some("{\"message\":\"slow down\"}"));
    assert_eq!(server.requests().len(), 1);
    assert!(sleeper.sleeps().is_empty());
}

#[tokio::test]
async fn service_unavailable_backs_off_and_returns_the_last_error() {
    let server = ScriptServer::start().await;
    server.script(
        "/orders",
        (1..=5).map(|i| reply(503, &format!("down, attempt {i}"))),
    );
    let (client, sleeper) = client(&server);
    // 503 is `after-header` in the http base spec: retried for a POST too, with backoff when
    // no Retry-After came
    let err = client.post("/orders", "{}".to_owned()).await.unwrap_err();
    assert_eq!(server.requests(), requests(&Method::POST, "/orders", 4));
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS, 400 * MS]);
    assert!(matches!(err, LoopbackError::ServiceUnavailable { .. }));
    assert_eq!(err.body(), Some("down, attempt 4"));
    assert_eq!(
        err.to_string(),
        "503 Service Unavailable: the service is temporarily unavailable"
    );
    assert_eq!(err.hint(), None);
}

#[tokio::test]
async fn a_server_error_retries_only_idempotent_requests() {
    let server = ScriptServer::start().await;
    server.script("/orders/1", [reply(500, "boom")]);
    let (client, sleeper) = client(&server);
    let err = client.post("/orders/1", "{}".to_owned()).await.unwrap_err();
    assert!(matches!(err, LoopbackError::InternalServerError { .. }));
    assert_eq!(err.body(), Some("boom"));
    assert_eq!(server.requests().len(), 1);
    assert!(sleeper.sleeps().is_empty());

    server.script("/orders/1", [reply(500, "boom")]);
    client.delete("/orders/1").await.unwrap();
    assert_eq!(
        server.requests()[1..],
        requests(&Method::DELETE, "/orders/1", 2)
    );
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}

#[tokio::test]
async fn success_after_several_failures() {
    let server = ScriptServer::start().await;
    server.script("/reports", [reply(502, ""), reply(504, ""), reply(503, "")]);
    let (client, sleeper) = client(&server);
    assert_eq!(client.get("/reports").await.unwrap(), "ok /reports");
    assert_eq!(server.requests(), requests(&Method::GET, "/reports", 4));
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS, 400 * MS]);
}

#[tokio::test]
async fn not_found_and_unauthorized_are_final() {
    let server = ScriptServer::start().await;
    let body = "{\"status\":404,\"message\":\"Workspace not found\"}";
    server.script("/workspaces/x", [reply(404, body)]);
    server.script("/me", [reply(401, "{\"message\":\"expired token\"}")]);
    let (client, sleeper) = client(&server);

    let err = client.get("/workspaces/x").await.unwrap_err();
    assert!(matches!(err, LoopbackError::NotFound { .. }));
    assert_eq!(err.to_string(), "404 Not Found: the resource was not found");
    assert_eq!(err.hint(), Some("check the path"));
    assert_eq!(err.body(), Some(body));
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));

    let err = client.get("/me").await.unwrap_err();
    assert!(matches!(err, LoopbackError::Unauthorized { .. }));
    assert_eq!(
        err.to_string(),
        "401 Unauthorized: the token is missing or expired"
    );
    assert_eq!(err.hint(), Some("log in again to get a new token"));
    assert_eq!(err.body(), Some("{\"message\":\"expired token\"}"));

    assert_eq!(server.requests().len(), 2);
    assert!(sleeper.sleeps().is_empty());
}

#[tokio::test]
async fn a_large_error_body_is_cut_to_the_excerpt() {
    let server = ScriptServer::start().await;
    server.script("/big", [reply(400, &"x".repeat(10 * 1024))]);
    let (client, _) = client(&server);
    let err = client.get("/big").await.unwrap_err();
    assert!(matches!(err, LoopbackError::BadRequest { .. }));
    assert_eq!(err.body().map(str::len), Some(BODY_EXCERPT_LIMIT));
    assert!(err.to_string().len() < 200, "Display leaves the body out");
}

#[tokio::test]
async fn transport_failures_retry_by_the_users_variant_policy() {
    // a port nobody listens on
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let sleeper = RecordingSleeper::real_moved();
    let retrier = Retrier::new(LoopbackError::retry_config()).with_sleeper(sleeper.clone());
    let client = Retrying::new(Http::new(format!("http://{addr}"))).with_retrier(retrier);

    let err = client.get("/items/1").await.unwrap_err();
    assert!(matches!(err, LoopbackError::Transport(_)), "{err:?}");
    assert_eq!(err.status(), None);
    assert_eq!(err.to_string(), "could not reach the server");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS, 400 * MS]);

    // not idempotent: one try
    let err = client.post("/items", String::new()).await.unwrap_err();
    assert!(matches!(err, LoopbackError::Transport(_)));
    assert_eq!(sleeper.sleeps().len(), 3);
}

#[tokio::test]
async fn the_retry_hook_sees_each_status_and_wait() {
    let server = ScriptServer::start().await;
    server.script("/hooked", [after(429, Wait::Seconds(3)), reply(503, "")]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let retrier = Retrier::new(LoopbackError::retry_config())
        .with_sleeper(RecordingSleeper::real_moved())
        .on_retry(move |attempt, err, wait| {
            let status = err.status().map(|s| s.as_u16());
            lock(&record).push((attempt, status, wait));
        });
    let client = Retrying::new(Http::new(server.url())).with_retrier(retrier);
    client.get("/hooked").await.unwrap();
    assert_eq!(
        *lock(&seen),
        [(1, Some(429), 3 * SEC), (2, Some(503), 200 * MS)]
    );
}
