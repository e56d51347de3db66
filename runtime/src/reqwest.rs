//! reqwest integration (feature `reqwest`).

use core::time::Duration;

use crate::{
    BODY_EXCERPT_LIMIT, Sleeper, StatusError, ThreadSleeper, TransportError, TransportKind,
};

/// How long [`check`] reads an error body before it keeps what it has, in real time.
///
/// An error body usually arrives with the headers; the limit stops a server that trickles its
/// body (or never ends it) from holding the call. It is timed by [`ThreadSleeper`]'s timer
/// thread, not Tokio's timer: it holds in a runtime without a timer, and a paused Tokio clock
/// (which jumps ahead whenever the runtime idles, as it does while a body trickles in) neither
/// shortens nor lengthens it.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// The error-for-status step: a response with a status below 400 is returned as it is; any
/// other becomes `E` via [`StatusError::from_parts`], with its headers (so its wait headers are
/// read) and an excerpt of its body.
///
/// The body is read chunk by chunk and reading stops once [`BODY_EXCERPT_LIMIT`] bytes are in
/// hand, after [`BODY_READ_TIMEOUT`], or at a transport error (which just ends the excerpt): a
/// huge, endless or slow body cannot exhaust memory or stall the call. The read limit is
/// real time, kept by [`ThreadSleeper`]'s timer thread, so `check` needs no Tokio timer (it
/// runs in a runtime built without `enable_time`) and reads the same excerpt under a paused
/// Tokio clock as in real time.
///
/// ```no_run
/// # #[derive(Debug)] struct MyError;
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("e") } }
/// # impl std::error::Error for MyError {}
/// # impl errspec::StatusError for MyError {
/// #     fn status(&self) -> Option<errspec::http::StatusCode> { None }
/// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Never }
/// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
/// #     fn hint(&self) -> Option<&'static str> { None }
/// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
/// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
/// # }
/// # async fn get_user(client: &reqwest::Client) -> Result<String, MyError> {
/// let response = client.get("http://example.com/users/1").send().await.map_err(|_| MyError)?;
/// let response = errspec::reqwest::check::<MyError>(response).await?;
/// response.text().await.map_err(|_| MyError)
/// # }
/// ```
pub async fn check<E: StatusError>(
    mut response: ::reqwest::Response,
) -> Result<::reqwest::Response, E> {
    // every response, successes included, tells the call's scope its quota
    crate::observe(response.headers());
    let status = response.status();
    if status.as_u16() < 400 {
        return Ok(response);
    }
    let headers = core::mem::take(response.headers_mut());
    let body = read_excerpt(&mut response).await;
    Err(E::from_parts(status, &headers, Some(&body)))
}

/// Sends `request` and [`check`]s its response: the whole exchange as one step that gives
/// `E` for anything but a success.
///
/// A request that got no response becomes `E`'s transport variant, with its
/// [`TransportKind`]: `Connect` when the connection failed (nothing was sent), `Timeout` when
/// no response came in time, `Other` otherwise; the reqwest error is its source. `E` needs
/// one: a spec with a `[transport]` section (a compile error says so otherwise).
///
/// ```no_run
/// # async fn demo() {
/// #[errspec::errors(spec = "tests/specs/transport.toml")] // has `[transport]`
/// #[derive(Debug)]
/// pub enum ShopError {}
///
/// let client = reqwest::Client::new();
/// let sent = errspec::reqwest::send::<ShopError>(client.get("http://127.0.0.1:1/items")).await;
/// assert!(matches!(sent, Err(ShopError::Transport { .. })));
/// # }
/// ```
pub async fn send<E: TransportError>(
    request: ::reqwest::RequestBuilder,
) -> Result<::reqwest::Response, E> {
    // the request itself, so the retrying call knows its method (which quotas it counts)
    let (client, request) = request.build_split();
    let sent = match request {
        Ok(request) => {
            crate::observe::tell_method(request.method());
            client.execute(request).await
        }
        Err(error) => Err(error),
    };
    match sent {
        Ok(response) => check(response).await,
        Err(error) => {
            let kind = if error.is_connect() {
                TransportKind::Connect
            } else if error.is_timeout() {
                TransportKind::Timeout
            } else {
                TransportKind::Other
            };
            Err(E::from_transport(kind, Box::new(error)))
        }
    }
}

/// At most [`BODY_EXCERPT_LIMIT`] bytes of the body, read for at most [`BODY_READ_TIMEOUT`] of
/// real time.
async fn read_excerpt(response: &mut ::reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    let read = async {
        while body.len() < BODY_EXCERPT_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = BODY_EXCERPT_LIMIT - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
    };
    first(read, ThreadSleeper.sleep(BODY_READ_TIMEOUT)).await;
    body
}

/// Runs `a` and `b` until either completes.
async fn first(a: impl Future<Output = ()>, b: impl Future<Output = ()>) {
    let mut a = core::pin::pin!(a);
    let mut b = core::pin::pin!(b);
    core::future::poll_fn(|cx| {
        if a.as_mut().poll(cx).is_ready() || b.as_mut().poll(cx).is_ready() {
            core::task::Poll::Ready(())
        } else {
            core::task::Poll::Pending
        }
    })
    .await;
}
