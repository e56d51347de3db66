//! reqwest integration (feature `reqwest`).

mod body;

use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use self::body::Replayed;
use crate::{
    BODY_EXCERPT_LIMIT, BoxError, Sleeper, StatusError, ThreadSleeper, TransportError,
    TransportKind,
};

/// How long [`check`] reads an error body (or the body of a success whose status has cases)
/// before it keeps what it has, in real time.
///
/// An error body usually arrives with the headers; the limit stops a server that trickles its
/// body (or never ends it) from holding the call. It is timed by [`ThreadSleeper`]'s timer
/// thread, not Tokio's timer: it holds in a runtime without a timer, and a paused Tokio clock
/// (which jumps ahead whenever the runtime idles, as it does while a body trickles in) neither
/// shortens nor lengthens it.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// The error-for-status step: a response with a status of 400 or more becomes `E` via
/// [`StatusError::from_parts`], with its headers (so its wait headers are read) and an excerpt
/// of its body; a success (below 400) is returned as it is, unless its status holds cases in
/// `E`'s spec (errors inside successful responses, Slack's `200 {"ok": false}` say): then the
/// body's head is read and tested by [`StatusError::from_success`], and a response that
/// matches a case becomes that case's `E`.
///
/// The body is read chunk by chunk and reading stops once [`BODY_EXCERPT_LIMIT`] bytes are in
/// hand, after [`BODY_READ_TIMEOUT`], or at a transport error (which just ends the excerpt): a
/// huge, endless or slow body cannot exhaust memory or stall the call. The read limit is
/// real time, kept by [`ThreadSleeper`]'s timer thread, so `check` needs no Tokio timer (it
/// runs in a runtime built without `enable_time`) and reads the same excerpt under a paused
/// Tokio clock as in real time.
///
/// A success that matches no case is handed back whole: its status, headers, URL and
/// extensions as they came, and a body that yields the bytes read for the test and then the
/// rest of the stream (or the error that ended it), so `text()`, `bytes()` and `chunk()` read
/// it all. A success whose status has no cases is not read at all.
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
    if at_once::<E>(&response) {
        return Ok(response);
    }
    if status.as_u16() < 400 {
        return check_success(response).await;
    }
    let headers = core::mem::take(response.headers_mut());
    let body = read_excerpt(&mut response).await;
    Err(E::from_parts(status, &headers, Some(&body)))
}

/// A success whose status has cases: its body's head tested, the response handed back whole
/// when no case matches.
async fn check_success<E: StatusError>(
    response: ::reqwest::Response,
) -> Result<::reqwest::Response, E> {
    use ::reqwest::ResponseBuilderExt as _;

    let url = response.url().clone();
    let (mut parts, body) = http::Response::<::reqwest::Body>::from(response).into_parts();
    let (excerpt, body) = Replayed::read(body, BODY_READ_TIMEOUT).await;
    if let Some(error) = E::from_success(parts.status, &parts.headers, Some(&excerpt)) {
        return Err(error);
    }
    // the URL travels in an extension that only reqwest's builder can set
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    let response = http::Response::from_parts(parts, ::reqwest::Body::wrap(body));
    Ok(::reqwest::Response::from(response))
}

/// Sends `request` and [`check`]s its response: the whole exchange as one step that gives
/// `E` for anything but a success.
///
/// A request that got no response becomes `E`'s transport variant, with its
/// [`TransportKind`]: `Connect` when the connection failed (nothing was sent), `Timeout` when
/// no response came in time, `Other` otherwise; the reqwest error is its source. `E` needs
/// one: a spec with a `[transport]` section (a compile error says so otherwise).
///
/// The answer is a [`Sending`] future: `.await` it.
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
pub fn send<E: TransportError>(request: ::reqwest::RequestBuilder) -> Sending<E> {
    // the request itself, so the retrying call knows its method (which quotas it counts)
    let (client, request) = request.build_split();
    let sending: Pin<Box<dyn Future<Output = ::reqwest::Result<::reqwest::Response>> + Send>> =
        match request {
            Ok(request) => {
                crate::observe::tell_method(request.method());
                Box::pin(client.execute(request))
            }
            Err(error) => Box::pin(core::future::ready(Err(error))),
        };
    Sending {
        state: State::Sending(sending),
        transport: E::from_transport,
    }
}

/// The future [`send`] returns: the request's response, [`check`]ed, or `E`.
///
/// A type of its own, whose `Future` impl asks only `E: StatusError`, so that an `E` without a
/// transport variant is one compile error, at `send::<E>`, not one at each place the future's
/// type appears. It boxes reqwest's future (one allocation beside reqwest's own) and, for a
/// response that `check` must read, `check`'s.
///
/// ```no_run
/// #[errspec::errors(spec = "tests/specs/transport.toml")] // has `[transport]`
/// #[derive(Debug)]
/// pub enum ShopError {}
///
/// # async fn demo() -> Result<(), ShopError> {
/// let client = reqwest::Client::new();
/// let sending: errspec::reqwest::Sending<ShopError> =
///     errspec::reqwest::send(client.get("http://127.0.0.1:8080/items"));
/// let items = sending.await?.text().await;
/// # Ok(())
/// # }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sending<E> {
    state: State<E>,
    transport: fn(TransportKind, BoxError) -> E,
}

enum State<E> {
    Sending(Pin<Box<dyn Future<Output = ::reqwest::Result<::reqwest::Response>> + Send>>),
    Checking(Pin<Box<dyn Future<Output = Result<::reqwest::Response, E>> + Send>>),
    Done,
}

impl<E> core::fmt::Debug for Sending<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state {
            State::Sending(_) => "sending",
            State::Checking(_) => "checking",
            State::Done => "done",
        };
        f.debug_struct("Sending")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<E: StatusError> Future for Sending<E> {
    type Output = Result<::reqwest::Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Sending(sending) => {
                    let Poll::Ready(sent) = sending.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    match sent {
                        Ok(response) if at_once::<E>(&response) => {
                            this.state = State::Done;
                            crate::observe(response.headers());
                            return Poll::Ready(Ok(response));
                        }
                        Ok(response) => {
                            this.state = State::Checking(Box::pin(check::<E>(response)));
                        }
                        Err(error) => {
                            this.state = State::Done;
                            let kind = if error.is_connect() {
                                TransportKind::Connect
                            } else if error.is_timeout() {
                                TransportKind::Timeout
                            } else {
                                TransportKind::Other
                            };
                            return Poll::Ready(Err((this.transport)(kind, Box::new(error))));
                        }
                    }
                }
                State::Checking(checking) => {
                    let Poll::Ready(checked) = checking.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    this.state = State::Done;
                    return Poll::Ready(checked);
                }
                State::Done => panic!("`errspec::reqwest::Sending` polled after it completed"),
            }
        }
    }
}

/// Whether `check` returns `response` as it is: a success whose status has no cases.
fn at_once<E: StatusError>(response: &::reqwest::Response) -> bool {
    let status = response.status();
    status.as_u16() < 400 && !E::has_success_cases(status)
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
    body::first(read, ThreadSleeper.sleep(BODY_READ_TIMEOUT)).await;
    body
}
