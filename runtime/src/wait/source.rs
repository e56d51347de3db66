//! Which wait source is read: headers in order, body fields, and the warning for a value that is
//! present but unreadable.

use core::time::Duration;
use std::time::SystemTime;

use http::HeaderMap;

use super::{ParsedBody, read};
use crate::{WaitField, WaitSource};

/// The wait asked for by the first of `wait_headers` that is present with a valid value,
/// measured from `now`. Header names match case-insensitively; where a header is repeated, its
/// first valid value counts. Body sources are skipped: [`wait_from_response`] reads them too.
///
/// A value that is present but unreadable counts as absent (with feature `tracing`, it logs a
/// warning); so does a zero wait or a reset already past. See [`parse_wait`](crate::parse_wait)
/// for what each format accepts.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use errspec::http::HeaderMap;
/// use errspec::{WaitFormat, WaitField, wait_from_headers};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "soon".parse().unwrap());
/// headers.insert("x-ratelimit-reset-ms", "1500".parse().unwrap());
/// let wait_headers = [
///     WaitField::RETRY_AFTER,
///     WaitField::new("x-ratelimit-reset-ms", WaitFormat::Millis),
/// ];
/// // "soon" is not a valid Retry-After, so the next header wins.
/// assert_eq!(
///     wait_from_headers(&headers, &wait_headers, SystemTime::now()),
///     Some(Duration::from_millis(1500)),
/// );
/// ```
pub fn wait_from_headers(
    headers: &HeaderMap,
    wait_headers: &[WaitField],
    now: SystemTime,
) -> Option<Duration> {
    wait_from_response(headers, None, wait_headers, now)
}

/// The wait asked for by the first of `sources` that is present with a valid value, measured
/// from `now`: a header, or a field of a JSON `body`.
///
/// - A header source matches names case-insensitively; where a header is repeated, its first
///   valid value counts.
/// - A body source reads `body` only if it is JSON (feature `json`; without it, body sources
///   are skipped). Its RFC 6901 pointer selects a value: a string is read as its text, a number
///   as its value's JSON text (`{"retry_after": 1.234}` in format `seconds` is 1.234 s), and
///   anything else (`null`, `true`, an array, an object, nothing there) is absent. A `*` token
///   reaches every element of an array and every member of an object, and the first value
///   reached that reads as a wait counts (Google's `/error/details/*/retryDelay`); see
///   [`body_field`](crate::body_field). `body` is meant to be
///   the error's body excerpt ([`body_excerpt`](crate::body_excerpt)): at most 4 KiB, so a huge
///   body cannot make reading expensive, and a JSON body cut short by the excerpt has no fields.
///
/// A value that is present but unreadable counts as absent; with feature `tracing` it logs one
/// warning naming the source and the value's first 64 bytes. A zero wait or a reset already
/// past counts as absent too, without a warning. See [`parse_wait`](crate::parse_wait) for what
/// each format accepts.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use errspec::http::HeaderMap;
/// use errspec::{WaitFormat, WaitField, wait_from_response};
///
/// let sources = [
///     WaitField::new("retry-after-ms", WaitFormat::Millis),
///     WaitField::RETRY_AFTER,
///     WaitField::body("/retry_after", WaitFormat::Seconds),
/// ];
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "7".parse().unwrap());
/// let body = r#"{"message": "You are being rate limited.", "retry_after": 1.234}"#;
/// // The headers come first in `sources`: `retry-after` wins.
/// assert_eq!(
///     wait_from_response(&headers, Some(body), &sources, SystemTime::now()),
///     Some(Duration::from_secs(7)),
/// );
/// // Without a header, the body's field is read (with feature `json`).
/// # #[cfg(feature = "json")]
/// assert_eq!(
///     wait_from_response(&HeaderMap::new(), Some(body), &sources, SystemTime::now()),
///     Some(Duration::from_millis(1234)),
/// );
/// ```
pub fn wait_from_response(
    headers: &HeaderMap,
    body: Option<&str>,
    sources: &[WaitField],
    now: SystemTime,
) -> Option<Duration> {
    wait_from(headers, body, &ParsedBody::default(), sources, now)
}

/// [`wait_from_response`] with the body's JSON document parsed once for the whole response:
/// `parsed` is `body`'s, shared with the response's case tests.
pub(crate) fn wait_from(
    headers: &HeaderMap,
    body: Option<&str>,
    parsed: &ParsedBody,
    sources: &[WaitField],
    now: SystemTime,
) -> Option<Duration> {
    sources.iter().find_map(|source| match &source.source {
        WaitSource::Header(name) => headers
            .get_all(name.as_ref())
            .iter()
            .find_map(|value| read_or_warn(value.as_bytes(), source, now)),
        // the first value the pointer reaches that reads as a wait
        WaitSource::Body(pointer) => parsed.find_map(body?, pointer, |text| {
            read_or_warn(text.as_bytes(), source, now)
        }),
        // `WaitSource` is non-exhaustive: a source this version does not know is absent.
        _ => None,
    })
}

/// The wait `value` asks for; an unreadable value is absent, and logs a warning.
fn read_or_warn(value: &[u8], source: &WaitField, now: SystemTime) -> Option<Duration> {
    match read(value, source.format, now) {
        Ok(wait) => wait,
        Err(why) => {
            warn(value, source, why);
            None
        }
    }
}

/// The most bytes of an unreadable value a warning shows.
#[cfg(feature = "tracing")]
const WARNING_EXCERPT: usize = 64;

#[cfg(feature = "tracing")]
fn warn(value: &[u8], source: &WaitField, why: super::Unreadable) {
    // Lossy, and shown with `?` (escaped and quoted): invalid UTF-8, quotes and control
    // characters cannot break the log line.
    let head = String::from_utf8_lossy(&value[..value.len().min(WARNING_EXCERPT)]);
    tracing::warn!(
        source = %source,
        value = ?head,
        value_len = value.len(),
        reason = why.0,
        "wait value not read; it counts as absent",
    );
}

#[cfg(not(feature = "tracing"))]
fn warn(_: &[u8], _: &WaitField, _: super::Unreadable) {}
