//! The clients the HTTP benchmarks compare, all sending `GET /item/{id}` (and, in the scoped
//! scenario, `GET /search/{id}`) through reqwest.
//!
//! Each contestant is a function from a [`Target`] to a [`Call`]: it sends one request with its
//! retries and says whether the request finally succeeded.

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::server::Endpoint;

/// One request with its retries: `true` if it finally succeeded.
pub type Call = Arc<dyn Fn(u32) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// A rate as a user who knows the server's quota would configure a client-side limiter.
#[derive(Debug, Clone, Copy)]
pub struct KnownQuota {
    /// Requests a second, sustained.
    pub per_second: u32,
    /// Requests at once, on top of nothing sent for a while.
    pub burst: u32,
}

/// What the contestants are told about the server.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Requests `0, k, 2k, ...` go to `/search`, the others to `/item`; `None`: all to `/item`.
    pub search_every: Option<u32>,
    /// `/item`'s quota, for the contestants configured by hand; `None` if it has none.
    pub item_quota: Option<KnownQuota>,
    /// `/search`'s own quota; `None` if it has none of its own.
    pub search_quota: Option<KnownQuota>,
}

impl Target {
    /// Every request to `/item` of `base`, with no quota known.
    pub fn items(base: String) -> Self {
        Self {
            base,
            search_every: None,
            item_quota: None,
            search_quota: None,
        }
    }

    /// Where request `id` goes.
    pub fn endpoint(&self, id: u32) -> Endpoint {
        route(id, self.search_every)
    }

    /// The URL of request `id`.
    pub fn url(&self, id: u32) -> String {
        format!("{}{}", self.base, self.endpoint(id).path(id))
    }
}

/// Where request `id` goes when requests `0, k, 2k, ...` go to `/search` (`search_every` is
/// `Some(k)`) and the others to `/item`.
pub fn route(id: u32, search_every: Option<u32>) -> Endpoint {
    match search_every {
        Some(k) if id.is_multiple_of(k) => Endpoint::Search,
        _ => Endpoint::Item,
    }
}

/// An errspec contestant for one spec: a module `$module` holding the error enum the spec
/// `$spec` generates (plus a transport variant), the benchmark's client trait under
/// `#[errspec::client]`, its plain reqwest implementation, and two constructors of [`Call`]s:
/// `client` (`Retrying<C>`, the client macro's path) and `run` (`Retrier::run`). The spec path is
/// relative to `tests/`, since `#[errspec::errors(spec = ..)]` needs a literal.
macro_rules! errspec_contestant {
    ($(#[$doc:meta])* $module:ident, $spec:literal) => {
        $(#[$doc])*
        pub mod $module {
            use std::future::Future;
            use std::sync::Arc;

            use errspec::{Retrier, RetryBudget, RetryConfig, Retrying};

            use super::{Call, Endpoint, Target};

            /// The errors of the spec, plus a transport failure: what a user of errspec writes.
            #[errspec::errors(spec = $spec)]
            #[derive(Debug)]
            pub enum ApiError {
                /// The request never got a response.
                #[errspec(message = "could not reach the server", retry = "idempotent")]
                Transport(#[source] reqwest::Error),
            }

            /// The benchmark's API: two idempotent reads.
            #[errspec::client(error = ApiError)]
            pub trait Api {
                /// Reads item `id`.
                #[errspec(idempotent)]
                fn item(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send;

                /// Searches with query `id`.
                #[errspec(idempotent)]
                fn search(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send;
            }

            /// The plain HTTP client that `Retrying` wraps.
            pub struct Http {
                client: reqwest::Client,
                base: String,
            }

            impl Http {
                fn new(target: &Target) -> Self {
                    Self {
                        client: reqwest::Client::new(),
                        base: target.base.clone(),
                    }
                }

                /// One `GET`: `errspec::reqwest::check` sees every response, 200s included, as
                /// a client with pacing needs.
                fn get(
                    &self,
                    path: String,
                ) -> impl Future<Output = Result<(), ApiError>> + Send + use<> {
                    let request = self.client.get(format!("{}{path}", self.base));
                    async move {
                        let response = request.send().await.map_err(ApiError::Transport)?;
                        let response = errspec::reqwest::check::<ApiError>(response).await?;
                        response.bytes().await.map_err(ApiError::Transport)?;
                        Ok(())
                    }
                }
            }

            impl Api for Http {
                fn item(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send {
                    self.get(Endpoint::Item.path(id))
                }

                fn search(&self, id: u32) -> impl Future<Output = Result<(), ApiError>> + Send {
                    self.get(Endpoint::Search.path(id))
                }
            }

            /// `Retrying` with the spec's `[retry]` settings, or with `config` and `budget`.
            pub fn client(
                target: &Target,
                settings: Option<(RetryConfig, Option<RetryBudget>)>,
            ) -> Call {
                let http = Http::new(target);
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
                let target = target.clone();
                Arc::new(move |id| {
                    let client = Arc::clone(&client);
                    let endpoint = target.endpoint(id);
                    Box::pin(async move {
                        match endpoint {
                            Endpoint::Item => client.item(id).await.is_ok(),
                            Endpoint::Search => client.search(id).await.is_ok(),
                        }
                    })
                })
            }

            /// `Retrying` with the spec's `[retry]` settings and its rate-limit state in `store`
            /// (a store several processes share, say).
            pub fn client_in(target: &Target, store: impl errspec::LimitStore) -> Call {
                let client = Arc::new(Retrying::new(Http::new(target)).with_store(store));
                let target = target.clone();
                Arc::new(move |id| {
                    let client = Arc::clone(&client);
                    let endpoint = target.endpoint(id);
                    Box::pin(async move {
                        match endpoint {
                            Endpoint::Item => client.item(id).await.is_ok(),
                            Endpoint::Search => client.search(id).await.is_ok(),
                        }
                    })
                })
            }

            /// The same spec as a reqwest-middleware `RetryMiddleware` (the spec has no
            /// `[transport]`, so transport failures are returned at once, as `ApiError`'s
            /// hand-written transport variant is for `client`): the same settings, hold and
            /// pacing for every request of a `ClientWithMiddleware`.
            #[allow(dead_code)]
            pub fn middleware(target: &Target) -> Call {
                let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
                    .with(errspec::middleware::RetryMiddleware::<ApiError>::without_transport())
                    .build();
                let target = target.clone();
                Arc::new(move |id| {
                    let request = client.get(target.url(id));
                    Box::pin(async move {
                        match request.send().await {
                            Ok(response) if response.status().is_success() => {
                                response.bytes().await.is_ok()
                            }
                            Ok(_) | Err(_) => false,
                        }
                    })
                })
            }

            /// The same spec as a tower `RetryLayer` over hyper-util's legacy client.
            #[allow(dead_code)]
            pub fn tower(target: &Target) -> Call {
                use http_body_util::BodyExt;
                use tower::{Layer, Service, ServiceExt};

                let hyper = hyper_util::client::legacy::Client::builder(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .build_http::<http_body_util::Empty<bytes::Bytes>>();
                let service = errspec::tower::RetryLayer::<ApiError>::without_transport().layer(hyper);
                let target = target.clone();
                Arc::new(move |id| {
                    let mut service = service.clone();
                    let request = errspec::http::Request::get(target.url(id))
                        .body(http_body_util::Empty::new());
                    Box::pin(async move {
                        let Ok(request) = request else { return false };
                        let Ok(ready) = service.ready().await else { return false };
                        match ready.call(request).await {
                            Ok(response) if response.status().is_success() => {
                                response.into_body().collect().await.is_ok()
                            }
                            Ok(_) | Err(_) => false,
                        }
                    })
                })
            }

            /// The same engine and settings driven through `Retrier::run`.
            pub fn run(target: &Target) -> Call {
                let retrier = Arc::new(Retrier::new(
                    <ApiError as errspec::StatusError>::retry_config(),
                ));
                let http = Arc::new(Http::new(target));
                let target = target.clone();
                Arc::new(move |id| {
                    let (retrier, http) = (Arc::clone(&retrier), Arc::clone(&http));
                    let endpoint = target.endpoint(id);
                    Box::pin(async move {
                        retrier
                            .run(true, || match endpoint {
                                Endpoint::Item => http.get(Endpoint::Item.path(id)),
                                Endpoint::Search => http.get(Endpoint::Search.path(id)),
                            })
                            .await
                            .is_ok()
                    })
                })
            }
        }
    };
}

errspec_contestant!(
    /// errspec with the Ardoq spec: retries and the server hold, no pacing.
    ardoq,
    "../spec/ardoq.toml"
);

// the outage benchmark uses `ApiError`, the rate-limit one does not
#[allow(unused_imports)]
pub use ardoq::{ApiError, client as errspec, run as errspec_run};

// ---------------------------------------------------------------------------------------------
// Pacing contestants: errspec with a `[rate_limit]` section. `Http::get` passes every response
// through `errspec::reqwest::check`, which reports its headers to the pacing.
errspec_contestant!(
    /// Pacing from GitHub's `x-ratelimit-remaining` / `x-ratelimit-reset`.
    pacing_github,
    "benches/specs/pacing-github.toml"
);
errspec_contestant!(
    /// Pacing from the IETF `RateLimit` / `RateLimit-Policy` fields.
    pacing_ietf,
    "benches/specs/pacing-ietf.toml"
);
errspec_contestant!(
    /// Pacing learned from 429s, for servers that state no quota.
    pacing_learned,
    "benches/specs/pacing-learned.toml"
);
errspec_contestant!(
    /// Holds and pacing per method (`scope = "method"`), learned from 429s.
    pacing_method,
    "benches/specs/pacing-method.toml"
);
errspec_contestant!(
    /// Holds from `Retry-After` only, no pacing (`pacing = "off"`): the fleet benchmark's
    /// `retry-after` scenario.
    holds_only,
    "benches/specs/fleet-holds-only.toml"
);
errspec_contestant!(
    /// Pacing from `x-ratelimit-remaining` / `x-ratelimit-reset-after` (seconds with a
    /// fraction), the 429's wait read from `x-ratelimit-reset-after` before `Retry-After`.
    pacing_reset_after,
    "benches/specs/pacing-reset-after.toml"
);
// ---------------------------------------------------------------------------------------------

/// reqwest-retry's `RetryTransientMiddleware` with its `ExponentialBackoff` as the builder makes
/// it (1 s to 30 min, doubling, full jitter) and the 3 retries of its README.
pub fn reqwest_retry(target: &Target) -> Call {
    let policy = reqwest_retry::policies::ExponentialBackoff::builder().build_with_max_retries(3);
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(reqwest_retry::RetryTransientMiddleware::new_with_policy(
            policy,
        ))
        .build();
    let target = target.clone();
    Arc::new(move |id| {
        let request = client.get(target.url(id));
        Box::pin(async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
                Ok(_) | Err(_) => false,
            }
        })
    })
}

/// Why a backon, governor or immediate-retry attempt failed.
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
pub fn backon(target: &Target, retry_after: bool) -> Call {
    use backon::Retryable as _;
    let client = reqwest::Client::new();
    let target = target.clone();
    Arc::new(move |id| {
        let client = client.clone();
        let url = target.url(id);
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

/// A governor (GCRA) limiter for `quota`: `per_second` a second, `burst` at once.
type Limiter = governor::DefaultDirectRateLimiter;

fn limiter(quota: KnownQuota) -> Arc<Limiter> {
    let nonzero = |n: u32| NonZeroU32::new(n).expect("a quota is above zero");
    let quota =
        governor::Quota::per_second(nonzero(quota.per_second)).allow_burst(nonzero(quota.burst));
    Arc::new(governor::RateLimiter::direct(quota))
}

/// The best a user who knows the quota can do: a governor limiter per limited endpoint,
/// configured by hand with the server's quota ([`Target::item_quota`], [`Target::search_quota`]),
/// in front of reqwest: every attempt, retries included, waits for it. A 429 is retried after
/// its `Retry-After` (backon's `adjust`, as in [`backon`]), without a limit on retries, so that
/// every request completes (the run's deadline bounds it); 5xx and transport errors are retried
/// with backon's backoff.
pub fn governor(target: &Target) -> Call {
    use backon::Retryable as _;
    let client = reqwest::Client::new();
    let item = target.item_quota.map(limiter);
    let search = target.search_quota.map(limiter);
    let target = target.clone();
    Arc::new(move |id| {
        let client = client.clone();
        let url = target.url(id);
        let limiter = match target.endpoint(id) {
            Endpoint::Item => item.clone(),
            Endpoint::Search => search.clone(),
        };
        Box::pin(async move {
            (|| async {
                if let Some(limiter) = &limiter {
                    limiter.until_ready().await;
                }
                attempt(&client, &url).await
            })
            .retry(
                backon::ExponentialBuilder::default()
                    .with_jitter()
                    .without_max_times(),
            )
            .sleep(tokio::time::sleep)
            .when(Failure::retryable)
            .adjust(|failure, backoff| match failure {
                Failure::Status(_, Some(wait)) => backoff.map(|_| *wait),
                _ => backoff,
            })
            .await
            .is_ok()
        })
    })
}

/// Retries at once, with no wait, up to `max_attempts` tries in all.
pub fn immediate(target: &Target, max_attempts: u32) -> Call {
    let client = reqwest::Client::new();
    let target = target.clone();
    Arc::new(move |id| {
        let client = client.clone();
        let url = target.url(id);
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
