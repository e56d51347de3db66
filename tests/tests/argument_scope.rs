//! `#[errspec(scope)]` through generated clients, `errspec::reqwest::send` and a real HTTP
//! server on 127.0.0.1: a hold or a stated quota met by the calls for one argument value (a
//! channel) holds that value's calls only, whatever the value's type or length, under every
//! `[rate_limit] scope` and with none.
//!
//! Waits are recorded, not slept, and the clock is the real one (as in `rate_limit.rs`): a hold
//! of 30 s set by one call is still there for the next.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::Pause;
use errspec_test_support::{Pauses, Reply, ScriptServer};

/// `status` with `headers` and the body `{}`.
fn reply(status: u16, headers: &[(&str, &str)]) -> Reply {
    Reply::new(status).body("{}").headers(headers)
}

/// A chat client with its errors from `$spec`: `post` scoped by its channel (`&str`),
/// `history` by its channel's number (`u64`, through `Display`), `topic` by a
/// `Display` newtype, and `status` not scoped.
macro_rules! chat {
    ($module:ident, $spec:tt) => {
        mod $module {
            use errspec_test_support::RecordingSleeper;

            use super::Pauses;

            /// A channel's id, `Display` only.
            #[derive(Clone, Copy)]
            pub struct Channel(pub u32);

            impl std::fmt::Display for Channel {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    write!(f, "C{}", self.0)
                }
            }

            #[errspec::client(spec = $spec)]
            #[allow(
                dead_code,
                reason = "not every test calls every endpoint of every client"
            )]
            pub trait Chat {
                #[errspec(idempotent)]
                async fn post(
                    &self,
                    #[errspec(scope)] channel: &str,
                    text: &str,
                ) -> Result<(), HubError>;
                #[errspec(idempotent)]
                async fn history(&self, #[errspec(scope)] channel: u64) -> Result<(), HubError>;
                #[errspec(idempotent)]
                async fn topic(&self, #[errspec(scope)] channel: Channel) -> Result<(), HubError>;
                #[errspec(idempotent)]
                async fn status(&self) -> Result<(), HubError>;
            }

            pub struct Http {
                http: reqwest::Client,
                base: String,
            }

            impl Http {
                async fn get(&self, path: &str) -> Result<(), HubError> {
                    let url = format!("{}{path}", self.base);
                    errspec::reqwest::send::<HubError>(self.http.get(url)).await?;
                    Ok(())
                }
            }

            impl Chat for Http {
                async fn post(&self, channel: &str, _: &str) -> Result<(), HubError> {
                    self.get(&format!("/post/{channel}")).await
                }
                async fn history(&self, channel: u64) -> Result<(), HubError> {
                    self.get(&format!("/history/{channel}")).await
                }
                async fn topic(&self, channel: Channel) -> Result<(), HubError> {
                    self.get(&format!("/topic/{channel}")).await
                }
                async fn status(&self) -> Result<(), HubError> {
                    self.get("/status").await
                }
            }

            pub fn client(base: String) -> (errspec::Retrying<Http>, Pauses) {
                let pauses = Pauses::default();
                let http = Http {
                    http: reqwest::Client::builder()
                        .no_proxy()
                        .build()
                        .expect("a client"),
                    base,
                };
                let client = errspec::Retrying::new(http)
                    .with_sleeper(RecordingSleeper::real())
                    .on_pause(pauses.hook());
                (client, pauses)
            }
        }
    };
}

chat!(by_method, "specs/rate-limit/method.toml");
chat!(by_client, "specs/rate-limit/client.toml");
chat!(by_bucket, "specs/rate-limit/bucket.toml");
chat!(stated, "specs/rate-limit/stated.toml");

use by_bucket::Chat as _;
use by_client::Chat as _;
use by_method::Chat as _;
use stated::Chat as _;

const THIRTY: Duration = Duration::from_secs(30);

/// Whether `pauses` start with a wait for `kind` of about `wait` (a second less at most: the
/// clock moved between the response and the pause), after which only the pacing learned from
/// the refusal may space the call further (what it learns is `rate_limit.rs`'s concern).
fn one_pause(pauses: &[(Pause, Duration)], kind: Pause, wait: Duration) -> bool {
    matches!(pauses, [(k, d), learned @ ..]
        if *k == kind && *d <= wait && *d + Duration::from_secs(1) > wait
            && learned.iter().all(|(k, _)| *k == Pause::LearnedQuota))
}

fn refused(seconds: &str) -> Reply {
    reply(429, &[("retry-after", seconds)])
}

#[tokio::test]
async fn a_hold_on_one_channel_holds_that_channel_only() {
    let server = ScriptServer::start().await;
    server.once("/post/A", refused("30"));
    let (client, pauses) = by_method::client(server.url());
    client
        .post("A", "hi")
        .await
        .expect("the retry gets through");
    assert_eq!(pauses.take(), [], "the refused call waits as a retry");
    client.post("B", "hi").await.expect("B");
    client.status().await.expect("status");
    assert_eq!(
        pauses.take(),
        [],
        "another channel and another method go at once"
    );
    client.post("A", "again").await.expect("A again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "A is held: {seen:?}");
    let posts: Vec<String> = server
        .requests()
        .into_iter()
        .map(|(_, path)| path)
        .filter(|path| path.starts_with("/post/"))
        .collect();
    assert_eq!(posts, ["/post/A", "/post/A", "/post/B", "/post/A"]);
}

#[tokio::test]
async fn without_rate_limit_a_hold_is_kept_per_channel_too() {
    let server = ScriptServer::start().await;
    server.once("/post/A", refused("30"));
    let (client, pauses) = by_client::client(server.url());
    client
        .post("A", "hi")
        .await
        .expect("the retry gets through");
    client.post("B", "hi").await.expect("B");
    client.status().await.expect("status");
    assert_eq!(pauses.take(), [], "a channel's hold is not the client's");
    client.post("A", "again").await.expect("A again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "A is held: {seen:?}");

    // the client's own hold holds the calls in the client's scope, not the channels'
    server.once("/status", refused("30"));
    client.status().await.expect("the retry gets through");
    client.post("B", "hi").await.expect("B");
    assert_eq!(pauses.take(), []);
    client.status().await.expect("status again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "{seen:?}");
}

#[tokio::test]
async fn numbers_newtypes_and_long_values_are_scoped_by_their_text() {
    let server = ScriptServer::start().await;
    let (client, pauses) = by_method::client(server.url());
    server.once("/history/7", refused("30"));
    client.history(7).await.expect("the retry gets through");
    client.history(8).await.expect("8");
    client.history(70).await.expect("70");
    assert_eq!(pauses.take(), []);
    client.history(7).await.expect("7 again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "7 is held: {seen:?}");

    // values that differ after their first 64 bytes are kept apart
    let long = "c".repeat(100);
    let (a, b) = (format!("{long}A"), format!("{long}B"));
    server.once(&format!("/post/{a}"), refused("30"));
    client.post(&a, "hi").await.expect("the retry gets through");
    client.post(&b, "hi").await.expect("the other long channel");
    assert_eq!(pauses.take(), []);
    client.post(&a, "hi").await.expect("the long channel again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "{seen:?}");

    // a newtype, scoped by what its `Display` writes
    server.once("/topic/C1", refused("30"));
    client
        .topic(by_method::Channel(1))
        .await
        .expect("the retry gets through");
    client.topic(by_method::Channel(2)).await.expect("C2");
    assert_eq!(pauses.take(), [], "C2 is not held by C1");
    client.topic(by_method::Channel(1)).await.expect("C1 again");
    let seen = pauses.take();
    assert!(
        one_pause(&seen, Pause::Hold, THIRTY),
        "C1 is held: {seen:?}"
    );
}

#[tokio::test]
async fn under_scope_bucket_a_bucket_is_held_per_channel() {
    let server = ScriptServer::start().await;
    let chat = reply(200, &[("x-ratelimit-bucket", "chat")]);
    for path in ["/post/A", "/post/B", "/status"] {
        server.always(path, chat.clone());
    }
    let (client, pauses) = by_bucket::client(server.url());
    // each method learns its bucket from a response
    for _ in 0..2 {
        client.post("A", "hi").await.expect("A");
        client.post("B", "hi").await.expect("B");
        client.status().await.expect("status");
    }
    server.once(
        "/post/A",
        reply(
            429,
            &[("retry-after", "30"), ("x-ratelimit-bucket", "chat")],
        ),
    );
    client
        .post("A", "hi")
        .await
        .expect("the retry gets through");
    client.post("B", "hi").await.expect("B");
    client.status().await.expect("status");
    assert_eq!(
        pauses.take(),
        [],
        "neither another channel of the bucket nor the bucket's other calls are held"
    );
    client.post("A", "hi").await.expect("A again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "A is held: {seen:?}");
}

fn unix_in(wait: Duration) -> String {
    let at = SystemTime::now() + wait;
    at.duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string()
}

#[tokio::test]
async fn a_quota_spent_on_one_channel_pauses_that_channel_only() {
    let server = ScriptServer::start().await;
    let (client, pauses) = stated::client(server.url());
    let plenty = reply(200, &[("x-ratelimit-remaining", "100")]);
    server.always("/post/B", plenty.clone());
    server.always("/status", plenty);
    server.always(
        "/post/A",
        reply(
            200,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", unix_in(THIRTY).as_str()),
            ],
        ),
    );
    client
        .post("A", "hi")
        .await
        .expect("the response that spends A's quota");
    client.post("B", "hi").await.expect("B");
    client.status().await.expect("status");
    assert_eq!(
        pauses.take(),
        [],
        "B's quota and the client's are not spent"
    );
    client.post("A", "hi").await.expect("A after its reset");
    let seen = pauses.take();
    // the reset is a whole epoch second: up to a second early
    assert!(
        matches!(seen.as_slice(), [(Pause::StatedQuota, d)]
            if *d <= THIRTY && *d + Duration::from_secs(2) > THIRTY),
        "{seen:?}"
    );
}
