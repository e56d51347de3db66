//! errspec turns a TOML spec of an HTTP API's status codes into a client's error handling, at
//! compile time.
//!
//! A spec lists each status with its message, advice and retry policy (see the README for the
//! format). [`errors`] on an empty enum generates the error enum from it; [`client`] on a client
//! trait also implements the trait for [`Retrying<C>`], retrying each call under the spec's
//! policies: `Retry-After` honoured, backoff with jitter, idempotency respected, an optional
//! [`RetryBudget`].
//!
//! ```
//! use errspec::http::StatusCode;
//! use errspec::{RetryPolicy, StatusError};
//!
//! #[errspec::errors(spec = "../spec/ardoq.toml")]
//! #[derive(Debug)]
//! pub enum ArdoqError {}
//!
//! let e = ArdoqError::from(StatusCode::TOO_MANY_REQUESTS);
//! assert!(matches!(e, ArdoqError::TooManyRequests { .. }));
//! assert_eq!(e.policy(), RetryPolicy::AfterHeader);
//! assert_eq!(e.to_string(), "429 Too Many Requests: rate limit exceeded");
//! ```
//!
//! Features:
//!
//! - `tokio` (default): [`TokioSleeper`], which honours tokio's paused clock.
//! - `reqwest`: [`reqwest::check`] and [`reqwest::send`] (error statuses, and errors inside
//!   successful responses, become `E`).
//! - `reqwest-middleware`: [`middleware::RetryMiddleware`], the spec's retries, holds and pacing
//!   for every request of a reqwest-middleware client. It brings `reqwest-middleware` and
//!   `async-trait`, and turns on `reqwest`.
//! - `tower`: [`tower::RetryLayer`], the same as a tower `Layer` over any
//!   `Service<http::Request<B>>` (hyper-util's client, say). It brings `tower` with its
//!   `timeout` feature only, and turns on `tokio`.
//! - `tracing`: one event per retry, and a warning for each wait value that is present but
//!   unreadable.
//! - `json`: wait sources in JSON error bodies (`{ body = "/retry_after" }` in a spec), cases
//!   `when = { body = .. }`, and `body_field`, which reads a JSON body's field (`*` pointer
//!   tokens included). A spec that reads bodies (a `body` wait source, a case's `when = { body
//!   = .. }`) is a compile error without it, which names the feature; `wait_from_response`
//!   called by hand skips body sources. It brings `serde_json`.
//! - `rfc3339`: the `rfc3339` and `iso8601` wait formats (Anthropic's
//!   `anthropic-ratelimit-*-reset`, Jira's `X-RateLimit-Reset`). A spec with such a wait source is a compile error without it, which names the
//!   feature. It brings `time`, with its parsing only.
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(html_root_url = "https://docs.rs/errspec/0.1.0")]

mod attempts;
mod budget;
mod clock;
mod decide;
mod limits;
mod method;
#[cfg(feature = "reqwest-middleware")]
pub mod middleware;
mod observe;
#[cfg(feature = "reqwest")]
pub mod reqwest;
mod response;
mod retrier;
mod retrying;
mod run;
mod sleep;
#[cfg(any(feature = "reqwest-middleware", feature = "tower"))]
mod stack;
mod status_error;
mod support;
mod timer;
#[cfg(feature = "tower")]
pub mod tower;
mod transport;
mod wait;

pub use attempts::Attempts;
pub use budget::RetryBudget;
#[allow(deprecated)]
pub use errspec_core::WaitHeader;
pub use errspec_core::{
    BudgetConfig, CountFormat, Decision, Failure, Idempotency, Jitter, MatchTest, POINTER_WILDCARD,
    Pacing, PauseBound, Quota, RateLimitConfig, RetryConfig, RetryPolicy, Scope, Stop,
    TransportKind, WaitField, WaitFormat, WaitReason, WaitSource,
};
/// Generates an error enum from a spec: `#[errspec::errors(spec = "path/to/spec.toml")]` on an
/// enum.
///
/// The path is relative to the crate's `Cargo.toml` directory (or absolute). The enum gets one
/// variant per spec status, named after it (`NotFound { details }`), and one per case, plus the
/// fallback variant (`Other { status, details }`) for statuses the spec does not list (a
/// 1xx-3xx status of the spec holds cases only, and has no variant of its own), and:
///
/// - `impl From<StatusCode>` (total) and `impl TryFrom<u16>`;
/// - `from_parts(status, &HeaderMap, Option<&[u8]>)`, which also reads the spec's wait headers
///   and keeps a body excerpt of at most 4 KiB, and `from_success(status, &HeaderMap,
///   Option<&[u8]>) -> Option<Self>`, the error inside a successful response, if it is one;
/// - `impl Display` from the spec's `display` template, `impl std::error::Error`;
/// - `impl StatusError`, `retry_config()` and `STATUSES`.
///
/// The enum's attributes, docs, visibility and cfgs are kept. Variants you write are kept too;
/// each says its Display message and policy with `#[errspec(message = "...", retry = "...")]`
/// (`retry` defaults to `never`), and a field marked `#[source]` is its `Error::source`. The
/// enum must derive `Debug` (as `std::error::Error` requires).
///
/// ```
/// use errspec::StatusError;
/// use errspec::http::{HeaderMap, HeaderValue, StatusCode};
///
/// #[errspec::errors(spec = "../spec/ardoq.toml")]
/// #[derive(Debug)]
/// pub enum ArdoqError {
///     #[errspec(message = "could not reach Ardoq", retry = "idempotent")]
///     Transport(#[source] std::io::Error),
/// }
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("7"));
/// let e = ArdoqError::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers, Some(b"slow down"));
/// assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(7)));
/// assert_eq!(e.body(), Some("slow down"));
/// assert!(e.hint().unwrap().contains("Retry-After"));
///
/// // unlisted statuses fall back, keeping the status and their class's policy
/// let e = ArdoqError::from(StatusCode::BAD_GATEWAY);
/// assert!(matches!(e, ArdoqError::Other { status, .. } if status == StatusCode::BAD_GATEWAY));
/// assert!(e.is_retryable(true) && !e.is_retryable(false));
/// ```
///
/// Every problem in the spec is a compile error at the `spec = "..."` literal naming the file,
/// line and column and what to write instead. Editing the spec file rebuilds the crate.
///
/// `crate = path` says where the expansion finds errspec when it is not `::errspec`: a crate
/// that renames the dependency in Cargo.toml, or reaches errspec through a crate of its own
/// that re-exports it, writes `#[my_sdk::errspec::errors(spec = "...", crate =
/// my_sdk::errspec)]`. Every errspec path of the expansion then starts with `path` (serde's
/// `#[serde(crate = "...")]`; a string, `crate = "my_sdk::errspec"`, is accepted too).
pub use errspec_macros::errors;

/// Implements a client trait for [`Retrying<C>`]: `#[errspec::client(spec = "...")]` (also
/// generating the error enum `{name}Error` beside the trait) or
/// `#[errspec::client(error = path::to::Error)]` (using an enum from [`errors`]).
///
/// The generated `impl<C: Trait + Send + Sync> Trait for Retrying<C>` runs each `&self` or
/// `&mut self` method returning `Result<T, E>` with `E: StatusError` (or a future of one) under
/// the [`Retrier`]; other methods are forwarded to the inner client, called once. Sync methods
/// sleep the thread; `async fn` and `-> impl Future<Output = Result<..>> + Send` methods sleep
/// on the retrier's [`Sleeper`].
///
/// - Arguments are cloned for each attempt that may be retried and moved into the last one
///   (references are just copied); a retried method's argument that is not `Clone` is a compile
///   error at its type. A forwarded method's arguments are moved.
/// - Methods are non-idempotent unless marked `#[errspec(idempotent)]`; that mark asks for
///   retries, so its error type must be a `StatusError` (a compile error says so otherwise).
/// - A parameter marked `#[errspec(scope)]` (at most one per method) scopes the method's holds, stated
///   quotas and learned pacing by the method and that argument's value: Slack's
///   `chat.postMessage` is limited per channel, so a 429 for one channel holds that channel's
///   calls and no other's. Its type implements `AsRef<str>` (whose `&str` is used) or
///   `Display` (what it writes): `&str`, `String`, `u64` and a `Display` newtype all work, and
///   a type with neither is a compile error at the parameter. The value is hashed as it is
///   written ([`ScopeValue`]), never copied nor kept, so it costs no allocation and no store
///   key holds it. With the spec's `scope = "client"` or `"method"`, or no `[rate_limit]`, the
///   call's scope is [`ScopeKey::MethodArgument`] (the client's own hold does not hold it);
///   with `scope = "bucket"`, once a response names the bucket, the bucket's state counted per
///   value, [`ScopeKey::BucketArgument`].
/// - A one-argument `Result<T>` alias is resolved to the error type it names.
/// - `self`-by-value methods and methods without a receiver are forwarded, never retried.
///   `self: Box<Self>` and other typed receivers are not supported.
/// - A retried `&mut self` method cannot return a borrow of the client (the attempts run in a
///   loop), and argument types cannot mention `Self`.
/// - A supertrait must be implemented for `Retrying<C>` by hand; associated types and consts
///   are the inner client's.
/// - `crate = path` says where the expansion finds errspec when it is not `::errspec`, as for
///   [`errors`]: `#[my_sdk::errspec::client(spec = "...", crate = my_sdk::errspec)]`.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use errspec::http::StatusCode;
///
/// #[errspec::client(spec = "../spec/ardoq.toml")] // generates ArdoqError here
/// pub trait Ardoq {
///     #[errspec(idempotent)]
///     fn workspace(&self, #[errspec(scope)] id: &str) -> Result<String, ArdoqError>;
/// }
///
/// /// A fake client: two 502s, then an answer.
/// struct Flaky(AtomicU32);
///
/// impl Ardoq for Flaky {
///     fn workspace(&self, id: &str) -> Result<String, ArdoqError> {
///         match self.0.fetch_add(1, Ordering::Relaxed) {
///             0 | 1 => Err(StatusCode::BAD_GATEWAY.into()),
///             _ => Ok(format!("workspace {id}")),
///         }
///     }
/// }
///
/// let client = errspec::Retrying::new(Flaky(AtomicU32::new(0)))
///     .with_retrier(errspec::Retrier::new(ArdoqError::retry_config()).with_sleeper(errspec::ThreadSleeper));
/// assert_eq!(client.workspace("ws-1").unwrap(), "workspace ws-1");
/// assert_eq!(client.inner().0.load(Ordering::Relaxed), 3);
/// ```
pub use errspec_macros::client;
pub use http;
pub use limits::{
    Acquire, Ask, BucketName, Grant, LimitStore, LocalStore, MAX_BUCKET_NAME, MAX_QUOTAS, Outcome,
    Pause, QuotaSet, Report, ScopeKey, ScopeValue, StatedQuota, StatedQuotas, Ticket,
};
pub use method::is_idempotent;
pub use observe::{observe, observe_method};
pub use retrier::Retrier;
pub use retrying::Retrying;
pub use run::{retry, retry_blocking};
#[cfg(feature = "tokio")]
pub use sleep::TokioSleeper;
pub use sleep::{DefaultSleeper, Sleeper, ThreadSleeper};
pub use status_error::{BODY_EXCERPT_LIMIT, Details, StatusError, StatusInfo, body_excerpt};
pub use transport::{BoxError, TransportError};
#[cfg(feature = "json")]
pub use wait::body_field;
pub use wait::{parse_wait, wait_from_headers, wait_from_response};

/// Not public API: what generated code refers to (re-exports of `support`).
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
