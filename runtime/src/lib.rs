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
//! - `reqwest`: [`reqwest::check`].
//! - `tracing`: one event per retry, and a warning for each wait value that is present but
//!   unreadable.
//! - `json`: wait sources in JSON error bodies (`{ body = "/retry_after" }` in a spec), and
//!   `body_field`, which reads a JSON body's field for cases that match on one. Without it, body
//!   sources are skipped. It brings `serde_json`.
//! - `rfc3339`: the `rfc3339` wait format (Anthropic's `anthropic-ratelimit-*-reset`, say).
//!   Without it, such values are unreadable and count as absent. It brings `time`, with its
//!   parsing only.
#![doc(html_root_url = "https://docs.rs/errspec/0.1.0")]

mod attempts;
mod budget;
mod clock;
mod decide;
mod limits;
mod method;
mod observe;
#[cfg(feature = "reqwest")]
pub mod reqwest;
mod response;
mod retrier;
mod retrying;
mod sleep;
mod status_error;
mod timer;
mod transport;
mod wait;

pub use attempts::Attempts;
pub use budget::RetryBudget;
pub use errspec_core::{
    BudgetConfig, Decision, Failure, Idempotency, Jitter, Pacing, PauseBound, RateLimitConfig,
    RetryConfig, RetryPolicy, Scope, Stop, TransportKind, WaitFormat, WaitHeader, WaitReason,
    WaitSource,
};
/// Generates an error enum from a spec: `#[errspec::errors(spec = "path/to/spec.toml")]` on an
/// enum.
///
/// The path is relative to the crate's `Cargo.toml` directory (or absolute). The enum gets one
/// variant per spec status, named after it (`NotFound { details }`), plus the fallback variant
/// (`Other { status, details }`) for statuses the spec does not list, and:
///
/// - `impl From<StatusCode>` (total) and `impl TryFrom<u16>`;
/// - `from_parts(status, &HeaderMap, Option<&[u8]>)`, which also reads the spec's wait headers
///   and keeps a body excerpt of at most 4 KiB;
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
///     fn workspace(&self, id: &str) -> Result<String, ArdoqError>;
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
    Acquire, Ask, BucketName, Grant, LimitStore, LocalStore, MAX_BUCKET_NAME, Outcome, Pause,
    Report, ScopeKey, StatedQuota, Ticket,
};
pub use method::is_idempotent;
pub use observe::observe;
pub use retrier::{Retrier, retry, retry_blocking};
pub use retrying::Retrying;
#[cfg(feature = "tokio")]
pub use sleep::TokioSleeper;
pub use sleep::{DefaultSleeper, Sleeper, ThreadSleeper};
pub use status_error::{BODY_EXCERPT_LIMIT, Details, StatusError, StatusInfo, body_excerpt};
pub use transport::{BoxError, TransportError};
#[cfg(feature = "json")]
pub use wait::body_field;
pub use wait::{parse_wait, wait_from_headers, wait_from_response};

/// Not public API: what generated code refers to.
#[doc(hidden)]
pub mod __private {
    use core::future::Future;
    use core::time::Duration;

    use http::StatusCode;

    pub use crate::response::Response;
    use crate::{Idempotency, StatusError};

    /// Asked for by the code generated for a spec that reads JSON error bodies (a `body` wait
    /// source or a case `when = { body = .. }`): implemented only with the `json` feature.
    #[diagnostic::on_unimplemented(
        message = "this spec reads JSON error bodies, which needs errspec's `json` feature",
        label = "a `body` wait source or a case's `when = {{ body = .. }}` reads the body",
        note = "enable it: `errspec = {{ version = \"0.1\", features = [\"json\"] }}`"
    )]
    pub trait JsonFeature {}

    /// The type the `json` feature implements [`JsonFeature`] for.
    #[derive(Debug)]
    pub struct Json;

    #[cfg(feature = "json")]
    impl JsonFeature for Json {}

    /// Fails to compile, with [`JsonFeature`]'s message, unless the `json` feature is on.
    pub const fn require_json<J: JsonFeature>() {}

    /// Asked for by the code generated for a spec with an `rfc3339` wait source: implemented
    /// only with the `rfc3339` feature.
    #[diagnostic::on_unimplemented(
        message = "this spec reads `rfc3339` waits, which needs errspec's `rfc3339` feature",
        label = "a wait source has `format = \"rfc3339\"`",
        note = "enable it: `errspec = {{ version = \"0.1\", features = [\"rfc3339\"] }}`"
    )]
    pub trait Rfc3339Feature {}

    /// The type the `rfc3339` feature implements [`Rfc3339Feature`] for.
    #[derive(Debug)]
    pub struct Rfc3339;

    #[cfg(feature = "rfc3339")]
    impl Rfc3339Feature for Rfc3339 {}

    /// Fails to compile, with [`Rfc3339Feature`]'s message, unless the `rfc3339` feature is on.
    pub const fn require_rfc3339<R: Rfc3339Feature>() {}

    /// The status with this code; used in `const` blocks, where an invalid code (which the
    /// spec's validation rules out) is a compile error rather than a panic.
    pub const fn status_code(code: u16) -> StatusCode {
        match StatusCode::from_u16(code) {
            Ok(status) => status,
            Err(_) => panic!("status codes are 100..=999"),
        }
    }

    /// The reason phrase of a status the spec does not list (the `http` crate's, or
    /// "Unknown Status").
    pub fn reason_phrase(status: StatusCode) -> &'static str {
        status
            .canonical_reason()
            .unwrap_or(errspec_core::UNKNOWN_REASON)
    }

    /// How many [`ThreadSleeper`](crate::ThreadSleeper) waits the process's timer holds:
    /// polled, not yet due, not dropped. For tests that check cancelled waits leave nothing.
    pub fn thread_sleeper_pending() -> usize {
        crate::timer::Timer::global().pending()
    }

    /// The body of a stub impl emitted beside a compile error; never runs, since the crate does
    /// not compile.
    #[cold]
    pub fn unreachable_stub() -> ! {
        unreachable!("errspec emitted this stub beside a compile error")
    }

    /// What `#[errspec::client]` asks of a retried method's arguments: each attempt gets a
    /// clone.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not `Clone`, but errspec passes a clone of each argument of a retried method to every attempt",
        label = "this argument's type is not `Clone`",
        note = "derive or implement `Clone` for it, take it by reference, or wrap it in an `Arc`"
    )]
    pub trait RetryArgument {
        /// A copy for the next attempt.
        #[must_use]
        fn clone_for_attempt(&self) -> Self;
    }

    impl<T: Clone> RetryArgument for T {
        fn clone_for_attempt(&self) -> Self {
            self.clone()
        }
    }

    /// The argument kept for the last attempt. Generated code takes each slot once, on the
    /// last attempt (after which `after` returns), so the slot is never empty here.
    pub fn take_argument<A>(slot: &mut Option<A>) -> A {
        match slot.take() {
            Some(value) => value,
            None => unreachable!("errspec takes a method argument once, on its last attempt"),
        }
    }

    /// Picks, at compile time, how a client method returning `Result<T, E>` runs: under the
    /// retry engine when `E: StatusError` ([`RetryWithStatus`], found first by method lookup),
    /// forwarded once otherwise ([`ForwardOtherErrors`], found through one more autoref).
    pub struct Engine<E>(core::marker::PhantomData<fn() -> E>);

    impl<E> Engine<E> {
        /// The tag for error type `E`.
        pub const NEW: Self = Self(core::marker::PhantomData);
    }

    /// The retrying choice of [`Engine`].
    pub trait RetryWithStatus<E> {
        /// The call's attempts, under the client's retrier.
        fn begin<'r, C>(
            &self,
            client: &'r crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> crate::Attempts<'r>;
        /// The same for a `&mut self` method, with the client apart.
        fn begin_mut<'r, C>(
            &self,
            client: &'r mut crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> (crate::Attempts<'r>, &'r mut C);
    }

    impl<E: StatusError> RetryWithStatus<E> for Engine<E> {
        fn begin<'r, C>(
            &self,
            client: &'r crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> crate::Attempts<'r> {
            client.__attempts::<E>(idempotency, method)
        }

        fn begin_mut<'r, C>(
            &self,
            client: &'r mut crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> (crate::Attempts<'r>, &'r mut C) {
            client.__attempts_mut::<E>(idempotency, method)
        }
    }

    /// The forwarding choice of [`Engine`], for error types that are no `StatusError`.
    pub trait ForwardOtherErrors<E> {
        /// One attempt, never retried.
        fn begin<C>(
            &self,
            client: &crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> Forward;
        /// The same for a `&mut self` method, with the client apart.
        fn begin_mut<'r, C>(
            &self,
            client: &'r mut crate::Retrying<C>,
            idempotency: Idempotency,
            method: &'static str,
        ) -> (Forward, &'r mut C);
    }

    impl<E> ForwardOtherErrors<E> for &Engine<E> {
        fn begin<C>(&self, _: &crate::Retrying<C>, _: Idempotency, _: &'static str) -> Forward {
            Forward
        }

        fn begin_mut<'r, C>(
            &self,
            client: &'r mut crate::Retrying<C>,
            _: Idempotency,
            _: &'static str,
        ) -> (Forward, &'r mut C) {
            (Forward, client.inner_mut())
        }
    }

    /// The attempts of a forwarded method: exactly one.
    #[derive(Debug)]
    pub struct Forward;

    impl Forward {
        /// Always returns the result.
        pub fn after<T, E>(
            &mut self,
            result: Result<T, E>,
        ) -> core::ops::ControlFlow<Result<T, E>, Duration> {
            core::ops::ControlFlow::Break(result)
        }

        /// The argument itself: there is only one attempt.
        pub fn pass<A>(&self, slot: &mut Option<A>) -> A {
            take_argument(slot)
        }

        /// Nothing to wait for: a forwarded call is sent at once.
        pub fn ready<E>(&mut self) -> core::future::Ready<Result<(), E>> {
            core::future::ready(Ok(()))
        }

        /// Nothing to wait for: a forwarded call is sent at once.
        pub fn ready_blocking<E>(&mut self) -> Result<(), E> {
            Ok(())
        }

        /// The attempt itself: a forwarded call reads no rate limits.
        pub fn observing<F: Future>(&self, attempt: F) -> F {
            attempt
        }

        /// The attempt itself: a forwarded call reads no rate limits.
        pub fn observing_blocking<R>(&self, attempt: impl FnOnce() -> R) -> R {
            attempt()
        }

        /// Never called: `after` never asks for a wait.
        pub fn sleep(&self, _: Duration) -> core::future::Ready<()> {
            core::future::ready(())
        }

        /// Never called: `after` never asks for a wait.
        pub fn sleep_blocking(&self, _: Duration) {}
    }

    /// Asks for `E: StatusError` where the user asked for retries (`#[errspec(idempotent)]`).
    pub const fn assert_status_error<E: StatusError>() {}

    /// Lets a `#[source]` field of any error type, sized or not, be returned from
    /// `Error::source`.
    pub trait AsDynError<'a> {
        /// `self` as a trait object.
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a);
    }

    impl<'a, T: std::error::Error + 'a> AsDynError<'a> for T {
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
            self
        }
    }

    impl<'a> AsDynError<'a> for dyn std::error::Error + 'a {
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
            self
        }
    }

    impl<'a> AsDynError<'a> for dyn std::error::Error + Send + 'a {
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
            self
        }
    }

    impl<'a> AsDynError<'a> for dyn std::error::Error + Send + Sync + 'a {
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
            self
        }
    }
}
