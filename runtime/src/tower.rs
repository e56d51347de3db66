//! tower integration (feature `tower`): the spec's retries, holds and pacing as a [`Layer`]
//! over any `Service<http::Request<B>, Response = http::Response<R>>` (hyper-util's client,
//! a generated SDK's transport, a `service_fn`).

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use ::tower::{Layer, Service};
use http::{HeaderMap, StatusCode};

use crate::stack::{self, Ended, Exchange, Sender, Transport};
use crate::{
    BoxError, Idempotency, LimitStore, Retrier, StatusError, TransportError, TransportKind,
    is_idempotent,
};

/// A [`Layer`] that runs each request through its service under errspec's retry engine for
/// the error type `E`, as [`RetryMiddleware`](crate::middleware::RetryMiddleware) does for
/// reqwest-middleware: the spec's retry decision, wait headers, backoff with jitter, the
/// server's hold shared by every request of the layer's services, stated and learned pacing,
/// and the retry budget.
///
/// - **Settings**: `E::retry_config()` and `E::rate_limit()`, or a [`Retrier`] of your own
///   ([`with_retrier`](Self::with_retrier)); a shared [`LimitStore`] with
///   [`with_store`](Self::with_store). Every service the layer makes, and every clone of one,
///   shares the retrier: its budget, hold and store.
/// - **Idempotency**: from the request's method ([`is_idempotent`]); an [`Idempotency`] in the
///   request's extensions (`http::Request::extensions_mut`) overrides it.
/// - **Bodies**: copied with [`ReplayBody`], which every `Clone` body has (`String`,
///   `http_body_util::Full<Bytes>`, `Empty`): an attempt that another may follow sends a copy;
///   a body type that cannot be copied says so (`replay` gives `None`) and its request is sent
///   once. Nothing is buffered.
/// - **The decision**: a response with a status of 400 or more becomes
///   `E::from_parts(status, &headers, None)`, from its status and headers only, so that its
///   body stays unread for the caller: wait headers, header cases and `should_retry_header`
///   count, cases matched on the body do not. A success (below 400) whose status holds cases
///   is `E::from_success(status, &headers, None)` in the same way: its header cases make it an
///   error that is retried, its body cases never match here.
/// - **Pacing**: every response's headers are read for the quota they state, with no code of
///   yours.
/// - **The answer**: the last response, whatever its status (an error status stays a
///   response), or the inner service's last error, boxed ([`tower::BoxError`]).
///   A request that the server's hold forbids sending at all fails with `E`, boxed.
/// - **Transport failures**: every error of the inner service is one (it got no response),
///   classified by the spec's `[transport]` with [`new`](Self::new): a refused connection
///   (an `io::ErrorKind::ConnectionRefused` in its source chain, as hyper-util's connect
///   errors have) is `connect`; an elapsed timeout (tower's `timeout::error::Elapsed`,
///   Tokio's, an `io::ErrorKind::TimedOut`) is `timeout`; anything else `other`. With
///   [`without_transport`](Self::without_transport) they are returned at once.
///
/// The layered service is `Clone` and `Send` when the inner one is. Its `poll_ready` is the
/// inner service's; each call takes the inner service that was made ready and leaves a clone
/// in its place (tower's convention, as `tower::retry` does), and polls that service's
/// readiness again before each retry. A call's future dropped mid-wait or mid-attempt leaves
/// no reservation in the store and gives back the budget it was granted for a retry.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use errspec::http::{Request, Response, StatusCode};
/// use tower::{Service, ServiceBuilder, ServiceExt};
///
/// #[errspec::errors(spec = "tests/specs/transport.toml")]
/// #[derive(Debug)]
/// pub enum ShopError {}
///
/// // stands in for an HTTP client: answers 503 once, then 200
/// let sent = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
/// let counted = sent.clone();
/// let client = tower::service_fn(move |_request: Request<String>| {
///     let n = counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///     async move {
///         let status = if n == 0 { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
///         Ok::<_, std::io::Error>(Response::builder().status(status).body(String::new()).unwrap())
///     }
/// });
/// # tokio::time::pause();
/// let mut service = ServiceBuilder::new()
///     .layer(errspec::tower::RetryLayer::<ShopError>::new())
///     .service(client);
/// let request = Request::get("http://127.0.0.1/items").body(String::new()).unwrap();
/// let response = service.ready().await.unwrap().call(request).await.unwrap();
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(sent.load(std::sync::atomic::Ordering::Relaxed), 2);
/// # }
/// ```
pub struct RetryLayer<E> {
    retrier: Arc<Retrier>,
    transport: Transport<E>,
}

impl<E: TransportError> RetryLayer<E> {
    /// The layer under `E`'s spec, the inner service's errors classified by its `[transport]`.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// let layer = errspec::tower::RetryLayer::<ShopError>::new();
    /// assert_eq!(layer.retrier().config().max_attempts, ShopError::retry_config().max_attempts);
    /// ```
    pub fn new() -> Self {
        Self {
            retrier: Arc::new(stack::retrier_for::<E>()),
            transport: Transport::classified(),
        }
    }
}

impl<E: TransportError> Default for RetryLayer<E> {
    /// [`new`](Self::new).
    fn default() -> Self {
        Self::new()
    }
}

impl<E: StatusError> RetryLayer<E> {
    /// The layer under `E`'s spec for an error type without a transport variant (a spec
    /// without `[transport]`): the inner service's errors are returned at once.
    ///
    /// ```
    /// # #[errspec::errors(spec = "../spec/ardoq.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ArdoqError {}
    /// let layer = errspec::tower::RetryLayer::<ArdoqError>::without_transport();
    /// # drop(layer);
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
    /// use errspec::{Retrier, StatusError};
    ///
    /// let retrier = Retrier::new(ShopError::retry_config().with_max_attempts(5))
    ///     .with_rate_limit(ShopError::rate_limit());
    /// let layer = errspec::tower::RetryLayer::<ShopError>::new().with_retrier(retrier);
    /// assert_eq!(layer.retrier().config().max_attempts, 5);
    /// ```
    #[must_use]
    pub fn with_retrier(mut self, retrier: Retrier) -> Self {
        self.retrier = Arc::new(retrier);
        self
    }

    /// Keeps the rate-limit state in `store` ([`Retrier::with_store`] on the retrier in use):
    /// layers, and processes, given one store share their holds and quotas.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use errspec::LocalStore;
    ///
    /// let store = LocalStore::new();
    /// let layer = errspec::tower::RetryLayer::<ShopError>::new().with_store(store);
    /// # drop(layer);
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
    /// let layer = errspec::tower::RetryLayer::<ShopError>::new();
    /// assert!(layer.retrier().budget().is_none()); // the spec asks for none
    /// ```
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }
}

impl<E> Clone for RetryLayer<E> {
    /// A layer sharing this one's retrier: its budget, hold and store.
    fn clone(&self) -> Self {
        Self {
            retrier: Arc::clone(&self.retrier),
            transport: self.transport,
        }
    }
}

impl<E> fmt::Debug for RetryLayer<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("error", &core::any::type_name::<E>())
            .field("retrier", &self.retrier)
            .field("transport", &self.transport.is_classified())
            .finish()
    }
}

impl<E, S> Layer<S> for RetryLayer<E> {
    type Service = RetryService<E, S>;

    fn layer(&self, inner: S) -> RetryService<E, S> {
        RetryService {
            inner,
            retrier: Arc::clone(&self.retrier),
            transport: self.transport,
        }
    }
}

/// The service [`RetryLayer`] makes: `inner` with its requests retried (see [`RetryLayer`]).
///
/// ```
/// # #[errspec::errors(spec = "tests/specs/transport.toml")]
/// # #[derive(Debug)]
/// # pub enum ShopError {}
/// use errspec::http::{Request, Response};
/// use tower::Layer;
///
/// let inner = tower::service_fn(|_: Request<String>| async {
///     Ok::<_, std::io::Error>(Response::new(String::new()))
/// });
/// let service = errspec::tower::RetryLayer::<ShopError>::new().layer(inner);
/// let clone = service.clone(); // shares the retrier
/// assert!(std::ptr::eq(service.retrier(), clone.retrier()));
/// # fn send<T: Send>(_: &T) {}
/// # send(&service);
/// ```
pub struct RetryService<E, S> {
    inner: S,
    retrier: Arc<Retrier>,
    transport: Transport<E>,
}

impl<E, S> RetryService<E, S> {
    /// The inner service.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use tower::Layer;
    ///
    /// let service = errspec::tower::RetryLayer::<ShopError>::new().layer(17_u32);
    /// assert_eq!(*service.get_ref(), 17);
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, unwrapped.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use tower::Layer;
    ///
    /// let service = errspec::tower::RetryLayer::<ShopError>::new().layer(17_u32);
    /// assert_eq!(service.into_inner(), 17);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The retrier requests run under, shared with the layer and every clone.
    ///
    /// ```
    /// # #[errspec::errors(spec = "tests/specs/transport.toml")]
    /// # #[derive(Debug)]
    /// # pub enum ShopError {}
    /// use tower::Layer;
    ///
    /// let layer = errspec::tower::RetryLayer::<ShopError>::new();
    /// let service = layer.layer(());
    /// assert!(std::ptr::eq(service.retrier(), layer.retrier()));
    /// ```
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }
}

impl<E, S: Clone> Clone for RetryService<E, S> {
    /// A service over a clone of the inner one, sharing the retrier.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            retrier: Arc::clone(&self.retrier),
            transport: self.transport,
        }
    }
}

impl<E, S: fmt::Debug> fmt::Debug for RetryService<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryService")
            .field("inner", &self.inner)
            .field("error", &core::any::type_name::<E>())
            .field("retrier", &self.retrier)
            .finish_non_exhaustive()
    }
}

/// A request body that may be sent again: [`replay`](Self::replay) copies it, or says it
/// cannot (then its request is sent once).
///
/// Every `Clone` type is one. A body type of your own that cannot be copied (a stream)
/// implements it with `None`:
///
/// ```
/// use errspec::tower::ReplayBody;
///
/// /// A body read from a channel: once sent, gone.
/// struct Upload(std::sync::mpsc::Receiver<Vec<u8>>);
///
/// impl ReplayBody for Upload {
///     fn replay(&self) -> Option<Self> {
///         None
///     }
/// }
///
/// assert_eq!(String::from("{}").replay().as_deref(), Some("{}"));
/// assert!(Upload(std::sync::mpsc::channel().1).replay().is_none());
/// ```
pub trait ReplayBody: Sized {
    /// A copy of this body for another attempt, or `None` if it cannot be copied.
    fn replay(&self) -> Option<Self>;
}

impl<B: Clone> ReplayBody for B {
    /// A clone.
    fn replay(&self) -> Option<Self> {
        Some(self.clone())
    }
}

/// tower's requests and answers, for bodies `B` and `R`.
struct Tower<B, R>(PhantomData<fn() -> (B, R)>);

impl<B: ReplayBody + 'static, R: 'static> Exchange for Tower<B, R> {
    type Request = http::Request<B>;
    type Response = http::Response<R>;
    type Failure = BoxError;

    fn method(request: &http::Request<B>) -> &http::Method {
        request.method()
    }

    fn try_clone(request: &http::Request<B>) -> Option<http::Request<B>> {
        let body = request.body().replay()?;
        let mut copy = http::Request::new(body);
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.version_mut() = request.version();
        *copy.headers_mut() = request.headers().clone();
        *copy.extensions_mut() = request.extensions().clone();
        Some(copy)
    }

    fn parts(response: &http::Response<R>) -> (StatusCode, &HeaderMap) {
        (response.status(), response.headers())
    }

    fn kind(failure: &BoxError) -> TransportKind {
        stack::transport_kind(&**failure)
    }

    fn as_error(failure: &BoxError) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &**failure
    }
}

/// The inner service of one call, polled ready before each attempt after the first.
struct Sending<S> {
    inner: S,
    /// Whether `inner` is ready for the next call (the layered service's `poll_ready` made it
    /// so for the first attempt).
    ready: bool,
}

impl<S, B, R> Sender<Tower<B, R>> for Sending<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>> + Send,
    S::Error: Into<BoxError>,
    S::Future: Send,
    B: ReplayBody + Send + 'static,
    R: 'static,
{
    async fn send(&mut self, request: http::Request<B>) -> Result<http::Response<R>, BoxError> {
        if !self.ready {
            core::future::poll_fn(|cx| self.inner.poll_ready(cx))
                .await
                .map_err(Into::into)?;
        }
        self.ready = false;
        self.inner.call(request).await.map_err(Into::into)
    }
}

impl<E, S, B, R> Service<http::Request<B>> for RetryService<E, S>
where
    E: StatusError,
    S: Service<http::Request<B>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
    B: ReplayBody + Send + 'static,
    R: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<R>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // the service made ready goes with the call; a clone takes its place
        let clone = self.inner.clone();
        let inner = core::mem::replace(&mut self.inner, clone);
        let retrier = Arc::clone(&self.retrier);
        let transport = self.transport;
        let idempotency = request
            .extensions()
            .get::<Idempotency>()
            .copied()
            .unwrap_or_else(|| is_idempotent(request.method()).into());
        Box::pin(async move {
            let sending = Sending { inner, ready: true };
            let sent = stack::drive::<E, Tower<B, R>, _>(
                &retrier,
                idempotency,
                transport,
                request,
                sending,
            )
            .await;
            match sent {
                Ok(response) => Ok(response),
                Err(Ended::Failure(failure)) => Err(failure),
                Err(Ended::Error(error)) => Err(Box::new(error) as BoxError),
            }
        })
    }
}
