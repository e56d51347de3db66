//! reqwest-middleware integration (feature `reqwest-middleware`): the spec's retries, holds
//! and pacing for every request through a [`reqwest_middleware::ClientWithMiddleware`].

use core::fmt;
use std::sync::Arc;

use http::{Extensions, HeaderMap, StatusCode};
use reqwest_middleware::{Middleware, Next};

use crate::stack::{self, Ended, Exchange, Sender, Transport};
use crate::{
    Idempotency, LimitStore, Retrier, StatusError, TransportError, TransportKind, is_idempotent,
};

/// A [`Middleware`] that runs each request under errspec's retry engine for the error type
/// `E`: the spec's retry decision, `Retry-After` and other wait headers, backoff with jitter,
/// the server's hold shared by every request of the client, stated and learned pacing, and the
/// retry budget.
///
/// - **Settings**: `E::retry_config()` and `E::rate_limit()` (the spec's `[retry]` and
///   `[rate_limit]`), or a [`Retrier`] of your own ([`with_retrier`](Self::with_retrier)); a
///   shared [`LimitStore`] with [`with_store`](Self::with_store).
/// - **Idempotency**: from the request's method ([`is_idempotent`]); an [`Idempotency`]
///   extension overrides it (`RequestBuilder::with_extension(Idempotency::Idempotent)` for a
///   POST with an idempotency key, say).
/// - **Bodies**: each attempt that another may follow sends a copy of the request
///   ([`reqwest::Request::try_clone`]); a request whose body cannot be copied (a stream) is
///   sent once, whatever its response.
/// - **The decision**: a response with a status of 400 or more becomes
///   `E::from_parts(status, &headers, None)`, from its status and headers only, so that its
///   body stays unread for the caller. Wait headers, header cases (GitHub's 403 rate limit)
///   and `should_retry_header` all count; cases matched on the body and wait values read from
///   the body do not (for those, retry with [`Retrier::run`] around
///   [`reqwest::send`](crate::reqwest::send)). A success (below 400) whose status holds cases
///   is `E::from_success(status, &headers, None)` in the same way: its cases that test a
///   header make it an error that is retried, those that test the body never match here (the
///   response is returned; [`check::<E>`](crate::reqwest::check) tests them).
/// - **Pacing**: every response's headers are read for the quota they state (as
///   [`observe`](crate::observe) does), with no code of yours.
/// - **The answer**: the last response, whatever its status (an error status stays a
///   response, as reqwest-middleware expects: [`check::<E>`](crate::reqwest::check) turns it
///   into `E`), or the last transport error as the next middleware gave it. A request that the
///   server's hold forbids sending at all (it would pass `max_elapsed`, see
///   [`Attempts::ready`](crate::Attempts::ready)) fails with `E` as
///   [`reqwest_middleware::Error::Middleware`].
/// - **Transport failures**: by the spec's `[transport]` (a refused connection is `connect`, a
///   timeout `timeout`, anything else `other`) with [`new`](Self::new); returned at once with
///   [`without_transport`](Self::without_transport), for a spec without that section.
///
/// Waits are on the retrier's sleeper: Tokio's timer by default, so a paused Tokio clock makes
/// them virtual. A request future dropped mid-wait or mid-attempt leaves no reservation in the
/// store and gives back the budget it was granted for a retry.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// #[errspec::errors(spec = "tests/specs/transport.toml")] // has `[transport]`
/// #[derive(Debug)]
/// pub enum ShopError {}
///
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(errspec::middleware::RetryMiddleware::<ShopError>::new())
///     .build();
/// // a POST the server de-duplicates by its key: retried like a GET
/// let response = client
///     .post("http://127.0.0.1:8080/orders")
///     .header("idempotency-key", "order-17")
///     .with_extension(errspec::Idempotency::Idempotent)
///     .send()
///     .await?;
/// let response = errspec::reqwest::check::<ShopError>(response).await?;
/// # drop(response);
/// # Ok(())
/// # }
/// ```
pub struct RetryMiddleware<E> {
    retrier: Arc<Retrier>,
    transport: Transport<E>,
}

impl<E: TransportError> RetryMiddleware<E> {
    /// The middleware under `E`'s spec, transport failures classified by its `[transport]`.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use errspec::middleware::RetryMiddleware;
    ///
    /// let middleware = RetryMiddleware::<ShopError>::new();
    /// assert_eq!(middleware.retrier().config().max_attempts, ShopError::retry_config().max_attempts);
    /// ```
    pub fn new() -> Self {
        Self {
            retrier: Arc::new(stack::retrier_for::<E>()),
            transport: Transport::classified(),
        }
    }
}

impl<E: TransportError> Default for RetryMiddleware<E> {
    /// [`new`](Self::new).
    fn default() -> Self {
        Self::new()
    }
}

impl<E: StatusError> RetryMiddleware<E> {
    /// The middleware under `E`'s spec for an error type without a transport variant (a spec
    /// without `[transport]`): a request that gets no response fails at once with its
    /// transport error.
    ///
    /// ```
    /// # #[errspec::errors(spec = "../spec/ardoq.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ArdoqError {}
    /// let middleware = errspec::middleware::RetryMiddleware::<ArdoqError>::without_transport();
    /// # drop(middleware);
    /// ```
    pub fn without_transport() -> Self {
        Self {
            retrier: Arc::new(stack::retrier_for::<E>()),
            transport: Transport::returned(),
        }
    }

    /// Runs every request under `retrier` (its settings, budget, sleeper, hooks and store)
    /// instead of `E`'s spec. Give it `E::rate_limit()` ([`Retrier::with_rate_limit`]) to
    /// keep the spec's pacing.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use errspec::{Retrier, StatusError, middleware::RetryMiddleware};
    ///
    /// let retrier = Retrier::new(ShopError::retry_config().with_max_attempts(5))
    ///     .with_rate_limit(ShopError::rate_limit());
    /// let middleware = RetryMiddleware::<ShopError>::new().with_retrier(retrier);
    /// assert_eq!(middleware.retrier().config().max_attempts, 5);
    /// ```
    #[must_use]
    pub fn with_retrier(mut self, retrier: Retrier) -> Self {
        self.retrier = Arc::new(retrier);
        self
    }

    /// Keeps the rate-limit state in `store` ([`Retrier::with_store`] on the retrier in use):
    /// clients, and processes, given one store share their holds and quotas.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use errspec::{LocalStore, middleware::RetryMiddleware};
    ///
    /// let store = LocalStore::new();
    /// let a = RetryMiddleware::<ShopError>::new().with_store(store.clone());
    /// let b = RetryMiddleware::<ShopError>::new().with_store(store); // a's holds hold b's requests
    /// # drop((a, b));
    /// ```
    #[must_use]
    pub fn with_store(mut self, store: impl LimitStore) -> Self {
        let retrier = (*self.retrier).clone().with_store(store);
        self.retrier = Arc::new(retrier);
        self
    }

    /// The retrier requests run under.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// let middleware = errspec::middleware::RetryMiddleware::<ShopError>::new();
    /// assert!(middleware.retrier().budget().is_none()); // the spec asks for none
    /// ```
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }
}

impl<E> Clone for RetryMiddleware<E> {
    /// A middleware sharing this one's retrier: its budget, hold and store.
    fn clone(&self) -> Self {
        Self {
            retrier: Arc::clone(&self.retrier),
            transport: self.transport,
        }
    }
}

impl<E> fmt::Debug for RetryMiddleware<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryMiddleware")
            .field("error", &core::any::type_name::<E>())
            .field("retrier", &self.retrier)
            .field("transport", &self.transport.is_classified())
            .finish()
    }
}

/// reqwest-middleware's requests and answers.
struct Reqwest;

impl Exchange for Reqwest {
    type Request = reqwest::Request;
    type Response = reqwest::Response;
    type Failure = reqwest_middleware::Error;

    fn try_clone(request: &reqwest::Request) -> Option<reqwest::Request> {
        request.try_clone()
    }

    fn method(request: &reqwest::Request) -> &http::Method {
        request.method()
    }

    fn parts(response: &reqwest::Response) -> (StatusCode, &HeaderMap) {
        (response.status(), response.headers())
    }

    fn kind(failure: &reqwest_middleware::Error) -> TransportKind {
        match failure {
            reqwest_middleware::Error::Reqwest(error) => stack::transport_kind(error),
            reqwest_middleware::Error::Middleware(error) => {
                stack::transport_kind(AsRef::<dyn std::error::Error + 'static>::as_ref(error))
            }
        }
    }

    fn as_error(
        failure: &reqwest_middleware::Error,
    ) -> &(dyn std::error::Error + Send + Sync + 'static) {
        failure
    }
}

/// The rest of the middleware chain, run once per attempt.
struct Sending<'a> {
    next: Next<'a>,
    extensions: &'a mut Extensions,
}

impl Sender<Reqwest> for Sending<'_> {
    fn send(
        &mut self,
        request: reqwest::Request,
    ) -> impl Future<Output = reqwest_middleware::Result<reqwest::Response>> + Send + '_ {
        self.next.clone().run(request, self.extensions)
    }
}

#[async_trait::async_trait]
impl<E: StatusError> Middleware for RetryMiddleware<E> {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let idempotency = extensions
            .get::<Idempotency>()
            .copied()
            .unwrap_or_else(|| is_idempotent(request.method()).into());
        let sent = stack::drive::<E, Reqwest, _>(
            &self.retrier,
            idempotency,
            self.transport,
            request,
            Sending { next, extensions },
        )
        .await;
        match sent {
            Ok(response) => Ok(response),
            Err(Ended::Failure(failure)) => Err(failure),
            Err(Ended::Error(error)) => Err(reqwest_middleware::Error::middleware(error)),
        }
    }
}
