//! The clients the HTTP benchmarks compare, all sending `GET /item/{id}` through reqwest.
//!
//! Each contestant is a [`Call`]: it sends one request with its retries and says whether the
//! request finally succeeded.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use errspec::{Retrier, RetryBudget, RetryConfig, Retrying};
use reqwest::StatusCode;

/// One request with its retries: `true` if it finally succeeded.
pub type Call = Arc<dyn Fn(u32) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// The errors of the Ardoq spec, plus a transport failure: what a user of errspec writes.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ApiError {
    /// The request never got a response.
    #[errspec(message = "could not reach the server", retry = "idempotent")]
    Transport(#[source] reqwest::Error),
}

/// The benchmark's API: one idempotent read.
#[errspec::client(error = ApiError)]
pub trait Api {
    /// Reads item `id`.
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The plain HTTP client that `Retrying` wraps.
pub struct Http {
    client: reqwest::Client,
    base: String,
}

impl Api for Http {
    fn item(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send {
        let request = self.client.get(format!("{}/item/{id}", self.base));
        async move {
            let response = request.send().await.map_err(ApiError::Transport)?;
            let response = errspec::reqwest::check::<ApiError>(response).await?;
            response.bytes().await.map_err(ApiError::Transport)?;
            Ok(())
        }
    }
}

/// errspec: `Retrying` with the spec's `[retry]` settings, or with `config` and `budget`.
pub fn errspec(base: &str, settings: Option<(RetryConfig, Option<RetryBudget>)>) -> Call {
    let http = Http {
        client: reqwest::Client::new(),
        base: base.to_owned(),
    };
    let client = match settings {
        None => Retrying::new(http),
        Some((config, budget)) => {
            let retrier = match budget {
                Some(budget) => Retrier::new(config).with_budget(budget),
                None => Retrier::new(config.with_budget(None)),
            };
            Retrying::new(http).with_retrier(retrier)
        }
    };
    let client = Arc::new(client);
    Arc::new(move |id| {
        let client = Arc::clone(&client);
        Box::pin(async move { client.item(id).await.is_ok() })
    })
}

/// reqwest-retry's `RetryTransientMiddleware` with its `ExponentialBackoff` as the builder makes
/// it (1 s to 30 min, doubling, full jitter) and the 3 retries of its README.
pub fn reqwest_retry(base: &str) -> Call {
    let policy = reqwest_retry::policies::ExponentialBackoff::builder().build_with_max_retries(3);
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(reqwest_retry::RetryTransientMiddleware::new_with_policy(
            policy,
        ))
        .build();
    let base = base.to_owned();
    Arc::new(move |id| {
        let request = client.get(format!("{base}/item/{id}"));
        Box::pin(async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
                Ok(_) | Err(_) => false,
            }
        })
    })
}

/// Why a backon or immediate-retry attempt failed.
#[derive(Debug)]
enum Failure {
    /// An error status, with the `Retry-After` seconds if the response had them.
    Status(StatusCode, Option<Duration>),
    /// No response.
    Transport,
}

impl Failure {
    /// What a hand-written retry loop retries: 429, 5xx and transport errors.
    fn retryable(&self) -> bool {
        match self {
            Self::Status(status, _) => {
                *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
            }
            Self::Transport => true,
        }
    }
}

/// One attempt, by hand: the status check and, for `Retry-After`, the parsing a user of a
/// generic retry crate writes.
async fn attempt(client: &reqwest::Client, url: &str) -> Result<(), Failure> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|_| Failure::Transport)?;
    let status = response.status();
    if status.is_success() {
        return response
            .bytes()
            .await
            .map(drop)
            .map_err(|_| Failure::Transport);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let _ = response.bytes().await;
    Err(Failure::Status(status, retry_after))
}

/// backon's `ExponentialBuilder` with jitter (1 s to 60 s, doubling, 3 retries; jitter adds up
/// to one more delay), retrying 429, 5xx and transport errors. With `retry_after`, a
/// `Retry-After` replaces the backoff, through `adjust` as backon's documentation shows (but
/// keeping backon's limit on retries, which that example drops).
pub fn backon(base: &str, retry_after: bool) -> Call {
    use backon::Retryable as _;
    let client = reqwest::Client::new();
    let base = base.to_owned();
    Arc::new(move |id| {
        let client = client.clone();
        let url = format!("{base}/item/{id}");
        Box::pin(async move {
            (|| attempt(&client, &url))
                .retry(backon::ExponentialBuilder::default().with_jitter())
                .sleep(tokio::time::sleep)
                .when(Failure::retryable)
                .adjust(move |failure, backoff| match failure {
                    Failure::Status(_, Some(wait)) if retry_after => backoff.map(|_| *wait),
                    _ => backoff,
                })
                .await
                .is_ok()
        })
    })
}

/// Retries at once, with no wait, up to `max_attempts` tries in all.
pub fn immediate(base: &str, max_attempts: u32) -> Call {
    let client = reqwest::Client::new();
    let base = base.to_owned();
    Arc::new(move |id| {
        let client = client.clone();
        let url = format!("{base}/item/{id}");
        Box::pin(async move {
            for _ in 0..max_attempts {
                match attempt(&client, &url).await {
                    Ok(()) => return true,
                    Err(failure) if failure.retryable() => {}
                    Err(_) => return false,
                }
            }
            false
        })
    })
}

/// errspec's engine driven through `Retrier::run` with the spec's settings: the same engine as
/// [`errspec`], except that a first attempt too waits for the server's hold (which the client
/// macro's generated loop does not ask for yet).
pub fn errspec_run(base: &str) -> Call {
    let retrier = Arc::new(Retrier::new(
        <ApiError as errspec::StatusError>::retry_config(),
    ));
    let http = Arc::new(Http {
        client: reqwest::Client::new(),
        base: base.to_owned(),
    });
    Arc::new(move |id| {
        let (retrier, http) = (Arc::clone(&retrier), Arc::clone(&http));
        Box::pin(async move { retrier.run(true, || http.item(id)).await.is_ok() })
    })
}
