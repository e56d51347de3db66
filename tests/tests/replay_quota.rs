//! The quotas the shipped specs read from every response, against a server on 127.0.0.1: after
//! a success that states a spent quota, the next call that the quota counts pauses
//! (`Pause::StatedQuota`) for as long as the API's reset says, and a quota with room left
//! pauses nothing. Calls go through `Retrier::run` and `errspec::reqwest::send`, or through the
//! reqwest middleware where a quota counts some methods only (the middleware knows a request's
//! method before it asks for a quota), so the responses are observed as a user's would be.
//!
//! Waits are recorded, not slept, and the clock is the real one (see the README: a paused Tokio
//! clock and a real socket do not mix).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::middleware::RetryMiddleware;
use errspec::{Pause, Retrier, StatusError, TransportError};
use errspec_test_support::{Pauses, RecordingSleeper, Reply, ScriptServer};

#[errspec::errors(spec = "../spec/gitlab.toml")]
#[derive(Debug)]
pub enum GitLabError {}

/// A retrier for `E`'s spec that records its waits and reports its pauses.
fn retrier<E: StatusError>() -> (Retrier, Pauses) {
    let pauses = Pauses::default();
    let retrier = Retrier::new(E::retry_config())
        .with_rate_limit(E::rate_limit())
        .with_sleeper(RecordingSleeper::real())
        .on_pause(pauses.hook());
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

#[errspec::errors(spec = "../spec/azure.toml")]
#[derive(Debug)]
pub enum AzureError {}

#[errspec::errors(spec = "../spec/shopify.toml")]
#[derive(Debug)]
pub enum ShopifyError {}

#[errspec::errors(spec = "../spec/jira.toml")]
#[derive(Debug)]
pub enum JiraError {}

/// `200 {}` with `headers`.
fn ok(headers: &[(&str, &str)]) -> Reply {
    Reply::new(200).body("{}").headers(headers)
}

/// The pauses of a call of `then` after a call of `first` whose response stated
/// `header: value`, through the reqwest middleware (which knows each request's method before
/// it asks for a quota), on a fresh retrier for `AzureError`.
async fn arm_pauses_after(
    first: reqwest::Method,
    header: &str,
    value: &str,
    then: reqwest::Method,
) -> Vec<(Pause, Duration)> {
    let server = ScriptServer::start().await;
    let path = "/subscriptions/s/resourcegroups";
    server.once(path, ok(&[(header, value)]));
    server.always(path, ok(&[]));
    let (retrier, pauses) = retrier::<AzureError>();
    let client = reqwest_middleware::ClientBuilder::new(http())
        .with(RetryMiddleware::<AzureError>::new().with_retrier(retrier))
        .build();
    let url = format!("{}{path}", server.url());
    for method in [first, then] {
        let response = client
            .request(method, &url)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 200);
    }
    pauses.take()
}

#[tokio::test]
async fn azure_counts_reads_writes_and_deletes_apart() {
    use reqwest::Method;
    const READS: &str = "x-ms-ratelimit-remaining-subscription-reads";
    const WRITES: &str = "x-ms-ratelimit-remaining-subscription-writes";
    const DELETES: &str = "x-ms-ratelimit-remaining-subscription-deletes";
    // a quota without a reset is waited for a second at a time
    let second = Duration::from_millis(900)..=Duration::from_secs(1);
    // spent reads pause the next read, not a write or a delete
    let seen = arm_pauses_after(Method::GET, READS, "0", Method::GET).await;
    assert!(one_quota_pause(&seen, second.clone()), "{seen:?}");
    let seen = arm_pauses_after(Method::GET, READS, "0", Method::HEAD).await;
    assert!(
        one_quota_pause(&seen, second.clone()),
        "HEAD is a read: {seen:?}"
    );
    let seen = arm_pauses_after(Method::GET, READS, "0", Method::PUT).await;
    assert_eq!(seen, [], "a write is not counted by the reads quota");
    let seen = arm_pauses_after(Method::GET, READS, "0", Method::DELETE).await;
    assert_eq!(seen, [], "a delete is not counted by the reads quota");
    // spent writes pause the next write, not a read
    let seen = arm_pauses_after(Method::PUT, WRITES, "0", Method::POST).await;
    assert!(one_quota_pause(&seen, second.clone()), "{seen:?}");
    let seen = arm_pauses_after(Method::PUT, WRITES, "0", Method::GET).await;
    assert_eq!(seen, [], "a read is not counted by the writes quota");
    // spent deletes pause the next delete only
    let seen = arm_pauses_after(Method::DELETE, DELETES, "0", Method::DELETE).await;
    assert!(one_quota_pause(&seen, second.clone()), "{seen:?}");
    let seen = arm_pauses_after(Method::DELETE, DELETES, "0", Method::PATCH).await;
    assert_eq!(seen, [], "a write is not counted by the deletes quota");
    // a quota with room pauses nothing
    let seen = arm_pauses_after(Method::GET, READS, "11999", Method::GET).await;
    assert_eq!(seen, []);
}

#[tokio::test]
async fn shopify_pauses_when_the_call_limit_bucket_is_full() {
    let server = ScriptServer::start().await;
    let url = format!("{}/admin/api/2026-01/products.json", server.url());
    let http = http();
    let (retrier, pauses) = retrier::<ShopifyError>();
    server.always(
        "/admin/api/2026-01/products.json",
        ok(&[("X-Shopify-Shop-Api-Call-Limit", "32/40")]),
    );
    for _ in 0..3 {
        call::<ShopifyError>(&retrier, &http, reqwest::Method::GET, &url)
            .await
            .expect("room in the bucket");
    }
    assert_eq!(pauses.take(), [], "32/40 leaves 8: nothing pauses");

    server.always(
        "/admin/api/2026-01/products.json",
        ok(&[("X-Shopify-Shop-Api-Call-Limit", "40/40")]),
    );
    call::<ShopifyError>(&retrier, &http, reqwest::Method::GET, &url)
        .await
        .expect("the response that fills the bucket");
    call::<ShopifyError>(&retrier, &http, reqwest::Method::POST, &url)
        .await
        .expect("the call after it");
    let seen = pauses.take();
    // a bucket states no reset: the next call waits a second
    assert!(
        one_quota_pause(&seen, Duration::from_millis(900)..=Duration::from_secs(1)),
        "{seen:?}"
    );
}

/// `after` from now cut to the minute, as Jira writes `X-RateLimit-Reset`, and the wait it
/// stands for.
fn iso_minute_in(after: Duration) -> (String, Duration) {
    let at = SystemTime::now() + after;
    let since = at.duration_since(UNIX_EPOCH).expect("after the epoch");
    let cut = UNIX_EPOCH + Duration::from_secs(since.as_secs() / 60 * 60);
    let text = humantime::format_rfc3339_seconds(cut).to_string();
    let wait = cut.duration_since(SystemTime::now()).unwrap_or_default();
    (format!("{}Z", &text[..16]), wait)
}

#[tokio::test]
async fn jira_pauses_until_an_iso_8601_reset_without_seconds() {
    let server = ScriptServer::start().await;
    let url = format!("{}/rest/api/3/search", server.url());
    let http = http();
    let (retrier, pauses) = retrier::<JiraError>();
    let (reset, wait) = iso_minute_in(Duration::from_secs(100));
    assert!(reset.ends_with('Z') && reset.len() == 17, "{reset}");
    server.always(
        "/rest/api/3/search",
        ok(&[
            ("X-RateLimit-Limit", "100"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", reset.as_str()),
        ]),
    );
    call::<JiraError>(&retrier, &http, reqwest::Method::GET, &url)
        .await
        .expect("the response that spends the quota");
    call::<JiraError>(&retrier, &http, reqwest::Method::GET, &url)
        .await
        .expect("the call after it");
    let seen = pauses.take();
    assert!(
        one_quota_pause(&seen, wait.saturating_sub(Duration::from_secs(2))..=wait),
        "{seen:?}, reset {reset} in {wait:?}"
    );
}
