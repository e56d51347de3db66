//! The retry loop the middleware (feature `reqwest-middleware`) and the tower layer (feature
//! `tower`) share: one request through the engine, its response kept whole.

use core::future::Future;
use core::marker::PhantomData;
use core::ops::ControlFlow;
use std::sync::Arc;

use http::{HeaderMap, StatusCode};

use crate::attempts::RetrierRef;
use crate::{Attempts, BoxError, Idempotency, Retrier, StatusError, TransportError, TransportKind};

/// What one HTTP stack's requests, responses and failures are, for [`drive`].
pub(crate) trait Exchange: 'static {
    /// A request, as the stack sends it.
    type Request;
    /// A response, returned to the caller as it came.
    type Response;
    /// A failure to get a response.
    type Failure: Send + Sync + 'static;

    /// A copy of `request` for an attempt that another may follow; `None` when its body
    /// cannot be copied (then it is sent once).
    fn try_clone(request: &Self::Request) -> Option<Self::Request>;
    /// A request's HTTP method: which of the spec's quotas it counts against.
    fn method(request: &Self::Request) -> &http::Method;
    /// A response's status and headers.
    fn parts(response: &Self::Response) -> (StatusCode, &HeaderMap);
    /// What kind of transport failure `failure` is.
    fn kind(failure: &Self::Failure) -> TransportKind;
    /// `failure` as an error, for the source of `E`'s transport variant.
    fn as_error(failure: &Self::Failure) -> &(dyn std::error::Error + Send + Sync + 'static);
}

/// Sends one attempt of a stack's request.
pub(crate) trait Sender<X: Exchange> {
    /// Sends `request`, answering with its response or why there was none.
    fn send(
        &mut self,
        request: X::Request,
    ) -> impl Future<Output = Result<X::Response, X::Failure>> + Send + '_;
}

/// The kind of transport failure `error` is, from its source chain: a refused connection (or
/// one reqwest says failed) is `Connect`, an elapsed timeout (reqwest's, Tokio's, tower's, or
/// an I/O `TimedOut`) is `Timeout`, anything else `Other`.
pub(crate) fn transport_kind(error: &(dyn std::error::Error + 'static)) -> TransportKind {
    let mut next = Some(error);
    while let Some(error) = next {
        #[cfg(feature = "reqwest")]
        if let Some(e) = error.downcast_ref::<::reqwest::Error>() {
            if e.is_connect() {
                return TransportKind::Connect;
            }
            if e.is_timeout() {
                return TransportKind::Timeout;
            }
        }
        #[cfg(feature = "tower")]
        if error.is::<::tower::timeout::error::Elapsed>() {
            return TransportKind::Timeout;
        }
        #[cfg(feature = "tokio")]
        if error.is::<::tokio::time::error::Elapsed>() {
            return TransportKind::Timeout;
        }
        if let Some(e) = error.downcast_ref::<std::io::Error>() {
            match e.kind() {
                std::io::ErrorKind::ConnectionRefused => return TransportKind::Connect,
                std::io::ErrorKind::TimedOut => return TransportKind::Timeout,
                _ => {}
            }
        }
        next = error.source();
    }
    TransportKind::Other
}

/// How a stack makes `E` from a transport failure: `E`'s `[transport]` variant, or nothing
/// (the failure is returned at once) for an error type without one.
pub(crate) struct Transport<E>(Option<fn(TransportKind, BoxError) -> E>);

impl<E> Clone for Transport<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Transport<E> {}

impl<E: TransportError> Transport<E> {
    /// By `E`'s `[transport]` section.
    pub(crate) fn classified() -> Self {
        Self(Some(E::from_transport))
    }
}

impl<E> Transport<E> {
    /// Transport failures are returned at once.
    pub(crate) fn returned() -> Self {
        Self(None)
    }

    /// Whether failures are classified.
    pub(crate) fn is_classified(self) -> bool {
        self.0.is_some()
    }
}

/// Why [`drive`] ended without a response.
pub(crate) enum Ended<F, E> {
    /// The last attempt's transport failure, as the stack gave it.
    Failure(F),
    /// The engine's error: the server's hold forbade sending the request at all (see
    /// [`Attempts::ready`]).
    Error(E),
}

/// The source of a transport variant made from a failure the caller may still get back: the
/// failure itself, shared, so that it can be unwrapped once `E` is dropped.
struct Shared<X: Exchange>(Arc<X::Failure>, PhantomData<fn() -> X>);

impl<X: Exchange> core::fmt::Debug for Shared<X> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(X::as_error(&self.0), f)
    }
}

impl<X: Exchange> core::fmt::Display for Shared<X> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(X::as_error(&self.0), f)
    }
}

impl<X: Exchange> std::error::Error for Shared<X> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        X::as_error(&self.0).source()
    }
}

/// The engine's retrier for `E`: its spec's `[retry]` and `[rate_limit]`.
pub(crate) fn retrier_for<E: StatusError>() -> Retrier {
    Retrier::new(E::retry_config()).with_rate_limit(E::rate_limit())
}

/// Sends `request` through `send` under `retrier` until the engine stops: each response is
/// reported to pacing ([`observe`](crate::observe)), and one with a status of 400 or more is
/// `E::from_parts(status, headers, None)` for the decision, one below 400 whose status holds
/// cases `E::from_success(status, headers, None)` (so only cases that test headers match: the
/// body is not read). The final answer is the last
/// response, whatever its status, or the last transport failure.
pub(crate) async fn drive<E, X, S>(
    retrier: &Retrier,
    idempotency: Idempotency,
    transport: Transport<E>,
    request: X::Request,
    mut sender: S,
) -> Result<X::Response, Ended<X::Failure, E>>
where
    E: StatusError,
    X: Exchange + 'static,
    S: Sender<X>,
{
    let mut attempts = Attempts::for_error::<E>(RetrierRef::Borrowed(retrier), idempotency, "");
    attempts.count_method(X::method(&request));
    if !attempts.ready_now() {
        attempts.ready::<E>().await.map_err(Ended::Error)?;
    }
    let mut request = request;
    loop {
        // a copy while another attempt may follow; the request itself for the last one, or
        // when it cannot be copied (then no attempt follows)
        let copy = if attempts.is_last() {
            None
        } else {
            X::try_clone(&request)
        };
        let (this, kept) = match copy {
            Some(copy) => (copy, Some(request)),
            None => (request, None),
        };
        // the response is read as the call's: its quota reported, its wall-clock waits read
        // on the retrier's clock
        let (sent, error) = attempts
            .observing(async {
                let sent = sender.send(this).await;
                let mut error = None;
                if let Ok(response) = &sent {
                    let (status, headers) = X::parts(response);
                    crate::observe(headers);
                    if status.as_u16() >= 400 {
                        error = Some(E::from_parts(status, headers, None));
                    } else if E::has_success_cases(status) {
                        // the stack's body is the caller's, unread: only cases that test
                        // headers can match
                        error = E::from_success(status, headers, None);
                    }
                }
                (sent, error)
            })
            .await;
        let wait = match sent {
            Ok(response) => {
                let Some(error) = error else {
                    let _ = attempts.after::<(), E>(Ok(()));
                    return Ok(response);
                };
                match (attempts.after::<(), E>(Err(error)), kept) {
                    (ControlFlow::Continue(wait), Some(kept)) => {
                        request = kept;
                        wait
                    }
                    // the engine's stop, or a retry the request cannot have (its body could
                    // not be copied): dropping `attempts` gives back the retry's budget grant
                    // and its turn
                    _ => return Ok(response),
                }
            }
            Err(failure) => {
                let Some(classify) = transport.0 else {
                    // no transport variant: the failure is returned as it is, and the
                    // attempt's reservation is freed when `attempts` drops
                    return Err(Ended::Failure(failure));
                };
                let kind = X::kind(&failure);
                let failure = Arc::new(failure);
                let error = classify(
                    kind,
                    Box::new(Shared::<X>(Arc::clone(&failure), PhantomData)),
                );
                match (attempts.after::<(), E>(Err(error)), kept) {
                    (ControlFlow::Continue(wait), Some(kept)) => {
                        request = kept;
                        wait
                    }
                    (decision, _) => {
                        // dropping the error made from the failure makes the failure the
                        // caller's again
                        drop(decision);
                        return Err(match Arc::try_unwrap(failure) {
                            Ok(failure) => Ended::Failure(failure),
                            // something kept a share of it: the engine's error, made afresh
                            Err(failure) => Ended::Error(classify(
                                kind,
                                Box::new(Shared::<X>(failure, PhantomData)),
                            )),
                        });
                    }
                }
            }
        };
        attempts.sleep(wait).await;
    }
}
