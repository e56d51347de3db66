//! `[rate_limit]` through generated clients, `errspec::reqwest::send` and a real HTTP server on
//! 127.0.0.1: which calls a hold holds (scope client, method, bucket), that a status never
//! retried sets no hold, that a quota stated on successes pauses the next call until its reset,
//! and that `pacing = "off"` leaves the holds alone.
//!
//! Waits are recorded, not slept, and the clock is the real one: a hold of 30 s set by one call
//! is still there for the next, and a call that waited for it sends at once, since the engine
//! measures a call's waits from the waits themselves.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::Pause;
use errspec_test_support::{Pauses, Reply, ScriptServer};

/// `status` with `headers` and the body `{}`.
fn reply(status: u16, headers: &[(&str, &str)]) -> Reply {
    Reply::new(status).body("{}").headers(headers)
}

/// A client of three endpoints, `/a`, `/b` and `/c`, with its errors from `$spec`.
macro_rules! hub {
    ($module:ident, $spec:tt) => {
        mod $module {
            use errspec_test_support::RecordingSleeper;

            use super::Pauses;

            #[errspec::client(spec = $spec)]
            #[allow(
                dead_code,
                reason = "not every test calls every endpoint of every client"
            )]
            pub trait Hub {
                #[errspec(idempotent)]
                async fn a(&self) -> Result<(), HubError>;
                #[errspec(idempotent)]
                async fn b(&self) -> Result<(), HubError>;
                #[errspec(idempotent)]
                async fn c(&self) -> Result<(), HubError>;
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

            impl Hub for Http {
                async fn a(&self) -> Result<(), HubError> {
                    self.get("/a").await
                }
                async fn b(&self) -> Result<(), HubError> {
                    self.get("/b").await
                }
                async fn c(&self) -> Result<(), HubError> {
                    self.get("/c").await
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

hub!(by_client, "specs/rate-limit/client.toml");
hub!(by_method, "specs/rate-limit/method.toml");
hub!(by_bucket, "specs/rate-limit/bucket.toml");
hub!(stated, "specs/rate-limit/stated.toml");
hub!(unpaced, "specs/rate-limit/off.toml");

use by_bucket::Hub as _;
use by_client::Hub as _;
use by_method::Hub as _;
use stated::Hub as _;
use unpaced::Hub as _;

const THIRTY: Duration = Duration::from_secs(30);

/// Whether `pauses` is one wait for `kind` of about `wait` (a second less at most: the clock
/// moved between the response and the pause).
fn one_pause(pauses: &[(Pause, Duration)], kind: Pause, wait: Duration) -> bool {
    matches!(pauses, [(k, d)] if *k == kind && *d <= wait && *d + Duration::from_secs(1) > wait)
}

fn refused(seconds: &str) -> Reply {
    reply(429, &[("retry-after", seconds)])
}

#[tokio::test]
async fn scope_client_holds_every_method_after_a_refusal() {
    let server = ScriptServer::start().await;
    server.once("/a", refused("30"));
    let (client, pauses) = by_client::client(server.url());
    client.a().await.expect("the retry gets through");
    assert_eq!(
        pauses.take(),
        [],
        "the refused call waits as a retry, not a pause"
    );
    client.b().await.expect("b");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "{seen:?}");
}

#[tokio::test]
async fn scope_method_holds_only_the_method_that_was_refused() {
    let server = ScriptServer::start().await;
    server.once("/a", refused("30"));
    let (client, pauses) = by_method::client(server.url());
    client.a().await.expect("the retry gets through");
    client.b().await.expect("b");
    client.c().await.expect("c");
    assert_eq!(pauses.take(), [], "other methods are not held");
    client.a().await.expect("a again");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "{seen:?}");
}

#[tokio::test]
async fn scope_bucket_holds_the_methods_whose_responses_name_the_same_bucket() {
    let server = ScriptServer::start().await;
    let core = reply(200, &[("x-ratelimit-bucket", "core")]);
    server.always("/a", core.clone());
    server.always("/b", core);
    server.always("/c", reply(200, &[("x-ratelimit-bucket", "search")]));
    let (client, pauses) = by_bucket::client(server.url());
    // each method learns its bucket from a response
    for _ in 0..2 {
        client.a().await.expect("a");
        client.b().await.expect("b");
        client.c().await.expect("c");
    }
    server.once(
        "/a",
        reply(
            429,
            &[("retry-after", "30"), ("x-ratelimit-bucket", "core")],
        ),
    );
    client.a().await.expect("the retry gets through");
    assert_eq!(pauses.take(), []);
    client.c().await.expect("c");
    assert_eq!(pauses.take(), [], "another bucket is not held");
    client.b().await.expect("b");
    let seen = pauses.take();
    assert!(
        one_pause(&seen, Pause::Hold, THIRTY),
        "the same bucket is: {seen:?}"
    );
}

#[tokio::test]
async fn a_status_that_is_never_retried_sets_no_hold() {
    let server = ScriptServer::start().await;
    server.once("/a", reply(404, &[("retry-after", "30")]));
    let (client, pauses) = by_client::client(server.url());
    let error = client.a().await.expect_err("a 404 is not retried");
    assert!(
        matches!(error, by_client::HubError::NotFound { .. }),
        "{error:?}"
    );
    client.b().await.expect("b");
    assert_eq!(pauses.take(), [], "a 404's Retry-After holds nothing");

    // the same header on a status that is retried holds the client
    server.once("/a", reply(503, &[("retry-after", "30")]));
    client.a().await.expect("the retry gets through");
    client.b().await.expect("b");
    let seen = pauses.take();
    assert!(one_pause(&seen, Pause::Hold, THIRTY), "{seen:?}");
}

fn unix_in(wait: Duration) -> String {
    let at = SystemTime::now() + wait;
    at.duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string()
}

#[tokio::test]
async fn a_quota_stated_on_a_success_pauses_the_next_call_until_its_reset() {
    let server = ScriptServer::start().await;
    let url = server.url();
    let (client, pauses) = stated::client(url.clone());
    server.always("/a", reply(200, &[("x-ratelimit-remaining", "2")]));
    for _ in 0..3 {
        client.a().await.expect("quota left");
    }
    assert_eq!(
        pauses.take(),
        [],
        "a quota that is not spent pauses nothing"
    );

    server.always(
        "/a",
        reply(
            200,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", unix_in(THIRTY).as_str()),
            ],
        ),
    );
    client
        .a()
        .await
        .expect("the response that spends the quota");
    client.b().await.expect("b");
    let seen = pauses.take();
    // the reset is a whole epoch second: up to a second early
    assert!(
        matches!(seen.as_slice(), [(Pause::StatedQuota, d)]
            if *d <= THIRTY && *d + Duration::from_secs(2) > THIRTY),
        "{seen:?}"
    );

    // with pacing off, the same responses pause nothing
    let (unpaced, pauses) = unpaced::client(url);
    for _ in 0..3 {
        unpaced.a().await.expect("a");
    }
    assert_eq!(pauses.take(), []);
}

#[tokio::test]
async fn an_ietf_ratelimit_field_on_a_success_pauses_the_next_call() {
    let server = ScriptServer::start().await;
    let url = server.url();
    server.always(
        "/a",
        reply(
            200,
            &[
                ("ratelimit", "\"default\";r=0;t=7"),
                ("ratelimit-policy", "\"default\";q=100;w=60"),
            ],
        ),
    );
    let (client, pauses) = stated::client(url.clone());
    client.a().await.expect("a");
    client.a().await.expect("a");
    let seen = pauses.take();
    assert!(
        one_pause(&seen, Pause::StatedQuota, Duration::from_secs(7)),
        "{seen:?}"
    );

    let (unpaced, pauses) = unpaced::client(url);
    unpaced.a().await.expect("a");
    unpaced.a().await.expect("a");
    assert_eq!(pauses.take(), []);
}

/// Four calls get through, the fifth is refused for a second: the client learns 4 per
/// period. Under `pacing = "auto"` the calls after the hold are paced to that; under "off" they
/// wait for the hold alone.
async fn learned_pauses(pacing: bool) -> Vec<(Pause, Duration)> {
    let server = ScriptServer::start().await;
    let url = server.url();
    for _ in 0..4 {
        server.once("/a", reply(200, &[]));
    }
    server.once("/a", refused("1"));
    let pauses = if pacing {
        let (client, pauses) = by_client::client(url);
        for _ in 0..12 {
            client.a().await.expect("a");
        }
        pauses
    } else {
        let (client, pauses) = unpaced::client(url);
        for _ in 0..12 {
            client.a().await.expect("a");
        }
        pauses
    };
    pauses.take()
}

#[tokio::test]
async fn learned_pacing_engages_after_a_refusal_and_not_with_pacing_off() {
    let paced = learned_pauses(true).await;
    assert!(
        paced.iter().any(|(p, _)| *p == Pause::LearnedQuota),
        "pacing engages: {paced:?}"
    );
    let unpaced = learned_pauses(false).await;
    assert!(!unpaced.is_empty(), "the hold still holds: {unpaced:?}");
    assert!(
        unpaced.iter().all(|(p, _)| *p == Pause::Hold),
        "only the hold: {unpaced:?}"
    );
}

/// A store that keeps, beside a `LocalStore`'s state, the API name of every ask and report.
#[derive(Default)]
struct Names {
    local: errspec::LocalStore,
    seen: Mutex<Vec<(&'static str, &'static str)>>,
}

impl errspec::LimitStore for Names {
    fn acquire<'a>(&'a self, ask: &'a errspec::Ask) -> errspec::Acquire<'a> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(("ask", ask.api));
        self.local.acquire(ask)
    }

    fn report(&self, report: &errspec::Report) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(("report", report.api));
        self.local.report(report);
    }
}

#[tokio::test]
async fn the_store_hears_the_specs_api_name_on_every_ask_and_report() {
    let server = ScriptServer::start().await;
    server.once("/a", refused("1"));
    let url = server.url();
    let names = Arc::new(Names::default());
    let (client, _) = by_client::client(url);
    let client = client.with_store(Arc::clone(&names));
    client.a().await.expect("a, after one refusal");
    let seen = std::mem::take(&mut *names.seen.lock().unwrap_or_else(PoisonError::into_inner));
    assert_eq!(
        seen,
        [
            ("ask", "Hub"),
            ("report", "Hub"),
            ("ask", "Hub"),
            ("report", "Hub")
        ],
        "two attempts, each asked and reported under the spec's [api] name"
    );
}
