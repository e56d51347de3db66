//! The quotas the shipped specs read from every response, against a server on 127.0.0.1: after
//! a success that states a spent quota, the next call that the quota counts pauses
//! (`Pause::StatedQuota`) for as long as the API's reset says, and a quota with room left
//! pauses nothing. Calls go through `Retrier::run` and `errspec::reqwest::send`, so the
//! responses are observed as a user's would be.
//!
//! Waits are recorded, not slept, and the clock is the real one (see the README: a paused Tokio
//! clock and a real socket do not mix).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::{Pause, Retrier, StatusError, TransportError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

#[errspec::errors(spec = "../spec/gitlab.toml")]
#[derive(Debug)]
pub enum GitLabError {}

/// The pauses of a retrier's calls, as its `on_pause` hook reports them.
#[derive(Clone, Default)]
struct Pauses(Arc<Mutex<Vec<(Pause, Duration)>>>);

impl Pauses {
    fn take(&self) -> Vec<(Pause, Duration)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A retrier for `E`'s spec that records its waits and reports its pauses.
fn retrier<E: StatusError>() -> (Retrier, Pauses) {
    let pauses = Pauses::default();
    let seen = pauses.clone();
    let retrier = Retrier::new(E::retry_config())
        .with_rate_limit(E::rate_limit())
        .with_sleeper(RecordingSleeper::real())
        .on_pause(move |pause, wait| {
            seen.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((pause, wait));
        });
    (retrier, pauses)
}

/// One call of `method` to `url` under `retrier`.
async fn call<E: StatusError + TransportError>(
    retrier: &Retrier,
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
) -> Result<reqwest::Response, E> {
    retrier
        .run(errspec::is_idempotent(&method), || {
            errspec::reqwest::send::<E>(http.request(method.clone(), url))
        })
        .await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// The epoch second `after` from now, as text.
fn unix_in(after: Duration) -> String {
    (SystemTime::now() + after)
        .duration_since(UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs()
        .to_string()
}

/// Whether `pauses` is one stated-quota pause within `range`.
fn one_quota_pause(
    pauses: &[(Pause, Duration)],
    range: core::ops::RangeInclusive<Duration>,
) -> bool {
    matches!(pauses, [(Pause::StatedQuota, d)] if range.contains(d))
}

#[tokio::test]
async fn gitlab_pauses_on_a_spent_ratelimit_remaining_until_its_epoch_reset() {
    let server = ScriptServer::start().await;
    let url = format!("{}/projects", server.url());
    let http = http();
    let (retrier, pauses) = retrier::<GitLabError>();
    server.always(
        "/projects",
        Reply::new(200).body("[]").headers(&[
            ("RateLimit-Limit", "2000"),
            ("RateLimit-Remaining", "1500"),
            ("RateLimit-Reset", unix_in(Duration::from_secs(30)).as_str()),
        ]),
    );
    for _ in 0..3 {
        call::<GitLabError>(&retrier, &http, reqwest::Method::GET, &url)
            .await
            .expect("quota left");
    }
    assert_eq!(pauses.take(), [], "a quota with room pauses nothing");

    server.always(
        "/projects",
        Reply::new(200).body("[]").headers(&[
            ("RateLimit-Limit", "2000"),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", unix_in(Duration::from_secs(30)).as_str()),
        ]),
    );
    call::<GitLabError>(&retrier, &http, reqwest::Method::GET, &url)
        .await
        .expect("the response that spends the quota");
    call::<GitLabError>(&retrier, &http, reqwest::Method::POST, &url)
        .await
        .expect("the call after it");
    let seen = pauses.take();
    // the reset is a whole epoch second: up to two seconds early
    assert!(
        one_quota_pause(&seen, Duration::from_secs(28)..=Duration::from_secs(30)),
        "{seen:?}"
    );
}
