//! Waits, overrides and floors over real HTTP: an axum server on 127.0.0.1 replies from a
//! script, a reqwest client behind `#[errspec::client]` calls it, and a sleeper records each
//! wait. A stale reset is no wait (the client backs off instead of hammering), `min_wait`
//! floors a shorter server wait, `x-should-retry` overrides the policy both ways, and a JSON
//! body's `retry_after` is read.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errspec::{Retrying, Sleeper};

#[errspec::client(spec = "specs/transport.toml")]
trait Hub {
    #[errspec(idempotent)]
    async fn get(&self) -> Result<String, HubError>;
    async fn post(&self) -> Result<String, HubError>;
}

/// One scripted reply: status, headers (`{reset-N}` is now minus N seconds) and body.
type Reply = (u16, Vec<(&'static str, String)>, &'static str);

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    served: Mutex<u32>,
}

async fn answer(State(script): State<Arc<Script>>) -> Response {
    *script.served.lock().unwrap() += 1;
    let Some((status, headers, body)) = script.replies.lock().unwrap().pop_front() else {
        return "done".into_response();
    };
    let mut response = body.into_response();
    *response.status_mut() = StatusCode::from_u16(status).expect("a status");
    for (name, value) in headers {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).expect("a value"),
        );
    }
    response
}

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Hub for Client {
    async fn get(&self) -> Result<String, HubError> {
        let response = errspec::reqwest::send::<HubError>(self.http.get(&self.url)).await?;
        Ok(response.text().await.unwrap_or_default())
    }

    async fn post(&self) -> Result<String, HubError> {
        let response =
            errspec::reqwest::send::<HubError>(self.http.post(&self.url).body("{}")).await?;
        Ok(response.text().await.unwrap_or_default())
    }
}

/// Records waits instead of waiting.
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Vec<Duration>>>);

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for Recorder {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }
}

/// A server answering `replies` in order (then 200), and a client of it.
async fn setup(replies: Vec<Reply>) -> (Retrying<Client>, Recorder, Arc<Script>) {
    let script = Arc::new(Script {
        replies: Mutex::new(replies.into()),
        served: Mutex::new(0),
    });
    let app = Router::new()
        .route("/", axum::routing::any(answer))
        .with_state(Arc::clone(&script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let recorder = Recorder::default();
    let client = Retrying::new(Client {
        http,
        url: format!("http://{addr}/"),
    })
    .with_sleeper(recorder.clone());
    (client, recorder, script)
}

fn unix(offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    now.saturating_add_signed(offset).to_string()
}

#[tokio::test]
async fn a_stale_reset_is_no_wait_so_the_client_backs_off() {
    let stale = || {
        (
            403,
            vec![
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", unix(-100)),
            ],
            "rate limited",
        )
    };
    let (client, recorder, script) = setup(vec![stale(), stale()]).await;
    assert_eq!(client.post().await.expect("the third attempt"), "done");
    assert_eq!(*script.served.lock().unwrap(), 3);
    // backoff 100 ms, 200 ms (no jitter): never a zero gap
    assert_eq!(
        recorder.waits(),
        [Duration::from_millis(100), Duration::from_millis(200)]
    );
}

#[tokio::test]
async fn min_wait_floors_a_shorter_server_wait() {
    let secondary = (403, vec![("retry-after", "2".to_owned())], "slow down");
    let (client, recorder, _) = setup(vec![secondary]).await;
    client.post().await.expect("the second attempt");
    assert_eq!(recorder.waits(), [Duration::from_secs(5)], "min_wait = 5s");
}

#[tokio::test]
async fn a_reset_in_the_future_is_waited_for() {
    let limited = (
        403,
        vec![
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", unix(30)),
        ],
        "rate limited",
    );
    let (client, recorder, _) = setup(vec![limited]).await;
    client.post().await.expect("the second attempt");
    let waits = recorder.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(28) && waits[0] <= Duration::from_secs(30),
        "{waits:?}"
    );
}

#[tokio::test]
async fn should_retry_true_retries_a_never_status_and_false_stops_a_retried_one() {
    let told_to_retry = (404, vec![("x-should-retry", "true".to_owned())], "not yet");
    let (client, _, script) = setup(vec![told_to_retry]).await;
    assert_eq!(client.post().await.expect("retried"), "done");
    assert_eq!(*script.served.lock().unwrap(), 2);

    let told_not_to = (503, vec![("x-should-retry", "false".to_owned())], "down");
    let (client, _, script) = setup(vec![told_not_to]).await;
    let error = client.get().await.expect_err("not retried");
    assert!(
        matches!(error, HubError::ServiceUnavailable { .. }),
        "{error:?}"
    );
    assert_eq!(*script.served.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_wait_is_read_from_the_json_body() {
    let limited = (
        429,
        Vec::new(),
        r#"{"message": "slow", "retry_after": 1.25}"#,
    );
    let (client, recorder, _) = setup(vec![limited]).await;
    client.post().await.expect("the second attempt");
    assert_eq!(recorder.waits(), [Duration::from_millis(1250)]);
}
