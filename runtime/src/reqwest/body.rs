//! Reading the head of a response body and handing the whole body back: what
//! `errspec::reqwest::check` does with a success whose status has cases.

use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::VecDeque;

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};

use core::time::Duration;

use crate::{BODY_EXCERPT_LIMIT, Sleeper, ThreadSleeper};

/// Runs `a` and `b` until either completes.
pub(super) async fn first(a: impl Future<Output = ()>, b: impl Future<Output = ()>) {
    let mut a = core::pin::pin!(a);
    let mut b = core::pin::pin!(b);
    core::future::poll_fn(|cx| {
        if a.as_mut().poll(cx).is_ready() || b.as_mut().poll(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

/// The frames of a body read so far, then the rest of it: a body that yields what it was
/// made from, whole, in order (data, trailers, and the error that ended the read, if one did).
pub(super) struct Replayed {
    /// Frames read already, still to yield.
    frames: VecDeque<Frame<Bytes>>,
    /// The error that ended the read, yielded after the frames.
    error: Option<::reqwest::Error>,
    /// The body past the frames; `None` once it has ended (or failed).
    rest: Option<::reqwest::Body>,
}

impl Replayed {
    /// Reads `body` for at most `timeout` of real time (`BODY_READ_TIMEOUT`), until
    /// [`BODY_EXCERPT_LIMIT`] bytes of data are in hand, it ends or it fails; returns the data's
    /// first bytes (at most the limit) and the body to hand back.
    pub(super) async fn read(body: ::reqwest::Body, timeout: Duration) -> (Vec<u8>, Replayed) {
        let mut replayed = Replayed {
            frames: VecDeque::new(),
            error: None,
            rest: Some(body),
        };
        let mut excerpt = Vec::new();
        let read = async {
            while excerpt.len() < BODY_EXCERPT_LIMIT {
                let Some(body) = replayed.rest.as_mut() else {
                    break;
                };
                match core::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
                    Some(Ok(frame)) => {
                        if let Some(data) = frame.data_ref() {
                            let room = BODY_EXCERPT_LIMIT - excerpt.len();
                            excerpt.extend_from_slice(&data[..data.len().min(room)]);
                        }
                        replayed.frames.push_back(frame);
                    }
                    Some(Err(error)) => {
                        replayed.error = Some(error);
                        replayed.rest = None;
                    }
                    None => replayed.rest = None,
                }
            }
        };
        first(read, ThreadSleeper.sleep(timeout)).await;
        (excerpt, replayed)
    }
}

impl http_body::Body for Replayed {
    type Data = Bytes;
    type Error = ::reqwest::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ::reqwest::Error>>> {
        let this = self.get_mut();
        if let Some(frame) = this.frames.pop_front() {
            return Poll::Ready(Some(Ok(frame)));
        }
        if let Some(error) = this.error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        let Some(rest) = this.rest.as_mut() else {
            return Poll::Ready(None);
        };
        let next = Pin::new(rest).poll_frame(cx);
        if let Poll::Ready(None | Some(Err(_))) = next {
            this.rest = None;
        }
        next
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
            && self.error.is_none()
            && self
                .rest
                .as_ref()
                .is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let read: u64 = self
            .frames
            .iter()
            .filter_map(Frame::data_ref)
            .map(|data| u64::try_from(data.len()).unwrap_or(u64::MAX))
            .fold(0, u64::saturating_add);
        let rest = self
            .rest
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), http_body::Body::size_hint);
        let mut hint = SizeHint::new();
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(read));
        }
        hint.set_lower(rest.lower().saturating_add(read));
        hint
    }
}
