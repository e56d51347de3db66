//! Waits, overrides and floors over real HTTP: an axum server on 127.0.0.1 replies from a
//! script, a reqwest client behind `#[errspec::client]` calls it, and a sleeper records each
//! wait. A stale reset is no wait (the client backs off instead of hammering), `min_wait`
//! floors a shorter server wait, `x-should-retry` overrides the policy both ways, and a JSON
//! body's `retry_after` is read.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::Retrying;
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

#[errspec::client(spec = "specs/transport.toml")]
trait Hub {
    #[errspec(idempotent)]
    async fn get(&self) -> Result<String, HubError>;
    async fn post(&self) -> Result<String, HubError>;
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

/// A server answering `replies` in order (then 200 `done`), and a client of it whose waits are
/// recorded on the real clock.
async fn setup(replies: Vec<Reply>) -> (Retrying<Client>, RecordingSleeper, ScriptServer) {
    let server = ScriptServer::start().await;
    server.script("/", replies);
    server.always("/", Reply::new(200).body("done"));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let recorder = RecordingSleeper::real();
    let client = Retrying::new(Client {
        http,
        url: format!("{}/", server.url()),
    })
    .with_sleeper(recorder.clone());
    (client, recorder, server)
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
        Reply::new(403)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", unix(-100))
            .body("rate limited")
    };
    let (client, recorder, server) = setup(vec![stale(), stale()]).await;
    assert_eq!(client.post().await.expect("the third attempt"), "done");
    assert_eq!(server.served(), 3);
    // backoff 100 ms, 200 ms (no jitter): never a zero gap
    assert_eq!(
        recorder.sleeps(),
        [Duration::from_millis(100), Duration::from_millis(200)]
    );
}

#[tokio::test]
async fn min_wait_floors_a_shorter_server_wait() {
    let secondary = Reply::new(403).header("retry-after", "2").body("slow down");
    let (client, recorder, _server) = setup(vec![secondary]).await;
    client.post().await.expect("the second attempt");
    assert_eq!(recorder.sleeps(), [Duration::from_secs(5)], "min_wait = 5s");
}

#[tokio::test]
async fn a_reset_in_the_future_is_waited_for() {
    let limited = Reply::new(403)
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", unix(30))
        .body("rate limited");
    let (client, recorder, _server) = setup(vec![limited]).await;
    client.post().await.expect("the second attempt");
    let waits = recorder.sleeps();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(28) && waits[0] <= Duration::from_secs(30),
        "{waits:?}"
    );
}

#[tokio::test]
async fn should_retry_true_retries_a_never_status_and_false_stops_a_retried_one() {
    let told_to_retry = Reply::new(404)
        .header("x-should-retry", "true")
        .body("not yet");
    let (client, _, server) = setup(vec![told_to_retry]).await;
    assert_eq!(client.post().await.expect("retried"), "done");
    assert_eq!(server.served(), 2);

    let told_not_to = Reply::new(503)
        .header("x-should-retry", "false")
        .body("down");
    let (client, _, server) = setup(vec![told_not_to]).await;
    let error = client.get().await.expect_err("not retried");
    assert!(
        matches!(error, HubError::ServiceUnavailable { .. }),
        "{error:?}"
    );
    assert_eq!(server.served(), 1);
}

#[tokio::test]
async fn a_wait_is_read_from_the_json_body() {
    let limited = Reply::new(429).body(r#"{"message": "slow", "retry_after": 1.25}"#);
    let (client, recorder, _server) = setup(vec![limited]).await;
    client.post().await.expect("the second attempt");
    assert_eq!(recorder.sleeps(), [Duration::from_millis(1250)]);
}
