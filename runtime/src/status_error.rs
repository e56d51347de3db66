//! The trait every generated error enum implements, and the response details its variants keep.

use core::time::Duration;
use std::time::SystemTime;

use http::{HeaderMap, StatusCode};

use crate::{RetryConfig, RetryPolicy, WaitHeader};

/// The most bytes of a response body an error keeps (4 KiB).
pub const BODY_EXCERPT_LIMIT: usize = 4096;

/// An error that knows its HTTP status and how it is retried.
///
/// `#[errspec::errors]` implements it for the enums it generates; the retry engine needs only
/// this trait, so a hand-written error type can implement it too.
pub trait StatusError: std::error::Error + Send + Sync + 'static {
    /// The HTTP status this error came from; `None` for errors that did not come from a
    /// response (a user-written transport variant, say).
    fn status(&self) -> Option<StatusCode>;

    /// How this error is retried.
    fn policy(&self) -> RetryPolicy;

    /// The wait the server asked for in a wait header, if the response had a valid one.
    fn retry_after(&self) -> Option<Duration>;

    /// Advice for the user from the spec, if any.
    fn hint(&self) -> Option<&'static str>;

    /// Whether this error may be retried for a request of the given idempotency.
    fn is_retryable(&self, idempotent: bool) -> bool {
        self.policy().allows(idempotent)
    }

    /// The error body's first bytes (at most [`BODY_EXCERPT_LIMIT`], lossy UTF-8), if kept.
    fn body(&self) -> Option<&str> {
        None
    }

    /// The retry settings of the spec this type was generated from.
    fn retry_config() -> RetryConfig
    where
        Self: Sized;

    /// Builds the error for a response: reads the wait headers and keeps a body excerpt.
    fn from_parts(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self
    where
        Self: Sized;
}

/// What a generated variant keeps of the response beyond its status: the requested wait and a
/// body excerpt. Empty (and allocation-free) for errors made from a bare status code.
///
/// It is one pointer wide, so a generated enum stays small.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Details(Option<Box<DetailsInner>>);

#[derive(Clone, PartialEq, Eq, Hash)]
struct DetailsInner {
    retry_after: Option<Duration>,
    body: Option<Box<str>>,
}

impl Details {
    /// No details; what `From<StatusCode>` uses.
    pub const NONE: Self = Self(None);

    /// Details with the given wait and a body excerpt of at most [`BODY_EXCERPT_LIMIT`] bytes
    /// (lossy UTF-8, cut at a character boundary). An empty body is kept as no body.
    pub fn new(retry_after: Option<Duration>, body: Option<&[u8]>) -> Self {
        let body = body.filter(|b| !b.is_empty()).map(body_excerpt);
        if retry_after.is_none() && body.is_none() {
            return Self::NONE;
        }
        Self(Some(Box::new(DetailsInner { retry_after, body })))
    }

    /// Details read from a response: the first present and valid header of `wait_headers`
    /// (measured against the current time) and a body excerpt.
    pub fn from_response(
        headers: &HeaderMap,
        wait_headers: &[WaitHeader],
        body: Option<&[u8]>,
    ) -> Self {
        let retry_after = crate::wait::wait_from_headers(headers, wait_headers, SystemTime::now());
        Self::new(retry_after, body)
    }

    /// The wait the server asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.as_ref().and_then(|d| d.retry_after)
    }

    /// The body excerpt.
    pub fn body(&self) -> Option<&str> {
        self.0.as_ref().and_then(|d| d.body.as_deref())
    }
}

impl core::fmt::Debug for Details {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = f.debug_struct("Details");
        if let Some(wait) = self.retry_after() {
            s.field("retry_after", &wait);
        }
        if let Some(body) = self.body() {
            s.field("body", &body);
        }
        s.finish()
    }
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of `body` as text: invalid UTF-8 is replaced, and the
/// result is cut back to a character boundary so it never exceeds the limit.
pub fn body_excerpt(body: &[u8]) -> Box<str> {
    let head = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
    let text = String::from_utf8_lossy(head);
    let mut end = text.len().min(BODY_EXCERPT_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Box::from(&text[..end])
}
