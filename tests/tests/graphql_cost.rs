//! The README's pattern for a wait no spec can state: Shopify's GraphQL Admin API throttles with
//! `200` and `errors[].extensions.code = "THROTTLED"`, and the wait is
//! `(requestedQueryCost - currentlyAvailable) / restoreRate` seconds. An error type of the
//! user's own answers `retry_after()` with that wait and wraps `ShopifyError` for the rest;
//! `Retrier::run` then sleeps the computed wait and sends the query again. Against a server on
//! 127.0.0.1; the waits are recorded, not slept.

use std::time::Duration;

use errspec::http::{HeaderMap, StatusCode};
use errspec::{Retrier, RetryConfig, RetryPolicy, StatusError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

#[errspec::errors(spec = "../spec/shopify.toml")]
#[derive(Debug)]
pub enum ShopifyError {}

/// A GraphQL call's error: the query's cost throttled, or the REST spec's error.
#[derive(Debug, thiserror::Error)]
enum GraphQlError {
    #[error("throttled by the query cost; a retry fits in {0:?}")]
    Throttled(Duration),
    #[error(transparent)]
    Http(#[from] ShopifyError),
}

impl StatusError for GraphQlError {
    fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Throttled(_) => Some(StatusCode::OK),
            Self::Http(e) => e.status(),
        }
    }
    fn policy(&self) -> RetryPolicy {
        match self {
            Self::Throttled(_) => RetryPolicy::AfterHeader,
            Self::Http(e) => e.policy(),
        }
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled(wait) => Some(*wait),
            Self::Http(e) => e.retry_after(),
        }
    }
    fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Throttled(_) => Some("ask for fewer fields or fewer nodes per query"),
            Self::Http(e) => e.hint(),
        }
    }
    fn rate_limited(&self) -> bool {
        matches!(self, Self::Throttled(_)) || matches!(self, Self::Http(e) if e.rate_limited())
    }
    fn retry_config() -> RetryConfig {
        ShopifyError::retry_config()
    }
    fn rate_limit() -> errspec::RateLimitConfig {
        ShopifyError::rate_limit()
    }
    fn from_parts(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self {
        Self::Http(ShopifyError::from_parts(status, headers, body))
    }
}

/// The wait a THROTTLED answer asks for; `None` when its numbers are missing or nonsense.
fn throttle_wait(body: &serde_json::Value) -> Option<Duration> {
    let cost = &body["extensions"]["cost"];
    let status = &cost["throttleStatus"];
    let missing = cost["requestedQueryCost"].as_f64()? - status["currentlyAvailable"].as_f64()?;
    Duration::try_from_secs_f64((missing / status["restoreRate"].as_f64()?).max(0.0)).ok()
}

/// One GraphQL query: an HTTP error as `ShopifyError`, a THROTTLED answer as its wait.
async fn query(http: &reqwest::Client, url: &str) -> Result<serde_json::Value, GraphQlError> {
    let response = errspec::reqwest::send::<ShopifyError>(http.post(url).body("{}")).await?;
    let bytes = response.bytes().await.expect("the answer's body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON answer");
    let throttled = body["errors"].as_array().is_some_and(|errors| {
        errors
            .iter()
            .any(|e| e["extensions"]["code"] == "THROTTLED")
    });
    if throttled {
        let wait = throttle_wait(&body).unwrap_or(Duration::from_secs(1));
        return Err(GraphQlError::Throttled(wait));
    }
    Ok(body)
}

const THROTTLED: &str = r#"{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/limits#rate-limits"}}], "extensions": {"cost": {"requestedQueryCost": 101, "actualQueryCost": null, "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 50, "restoreRate": 50.0}}}}"#;

#[tokio::test]
async fn a_throttled_query_waits_the_cost_it_lacks_then_succeeds() {
    let server = ScriptServer::start().await;
    server.once("/graphql.json", Reply::new(200).body(THROTTLED));
    server.always(
        "/graphql.json",
        Reply::new(200).body(r#"{"data": {"shop": {"name": "example"}}}"#),
    );
    let sleeper = std::sync::Arc::new(RecordingSleeper::real());
    let retrier = Retrier::new(GraphQlError::retry_config()).with_sleeper(sleeper.clone());
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let url = format!("{}/graphql.json", server.url());
    let data = retrier
        .run(false, || query(&http, &url))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(data["data"]["shop"]["name"], "example");
    // (101 - 50) / 50 = 1.02 s, slept as a server-stated wait, whatever the method
    assert_eq!(sleeper.sleeps(), [Duration::from_millis(1020)]);
    assert_eq!(server.served(), 2);
}

#[test]
fn nonsense_costs_give_no_wait() {
    let zero_rate: serde_json::Value = serde_json::from_str(
        r#"{"extensions": {"cost": {"requestedQueryCost": 10, "throttleStatus": {"currentlyAvailable": 0, "restoreRate": 0}}}}"#,
    )
    .expect("JSON");
    assert_eq!(throttle_wait(&zero_rate), None);
    let missing: serde_json::Value = serde_json::from_str("{}").expect("JSON");
    assert_eq!(throttle_wait(&missing), None);
    let enough: serde_json::Value = serde_json::from_str(
        r#"{"extensions": {"cost": {"requestedQueryCost": 10, "throttleStatus": {"currentlyAvailable": 50, "restoreRate": 50}}}}"#,
    )
    .expect("JSON");
    assert_eq!(throttle_wait(&enough), Some(Duration::ZERO));
}
