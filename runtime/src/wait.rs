//! Reading a server-requested wait from response headers.

use core::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use crate::{WaitFormat, WaitHeader};

/// The wait asked for by the first of `wait_headers` that is present with a valid value,
/// measured from `now`. Header names match case-insensitively; where a header is repeated, its
/// first valid value counts. An unparsable value counts as absent.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use errspec::http::HeaderMap;
/// use errspec::{WaitFormat, WaitHeader, wait_from_headers};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "soon".parse().unwrap());
/// headers.insert("x-ratelimit-reset-ms", "1500".parse().unwrap());
/// let wait_headers = [
///     WaitHeader::RETRY_AFTER,
///     WaitHeader::new("x-ratelimit-reset-ms", WaitFormat::Millis),
/// ];
/// // "soon" is not a valid Retry-After, so the next header wins.
/// assert_eq!(
///     wait_from_headers(&headers, &wait_headers, SystemTime::now()),
///     Some(Duration::from_millis(1500)),
/// );
/// ```
pub fn wait_from_headers(
    headers: &HeaderMap,
    wait_headers: &[WaitHeader],
    now: SystemTime,
) -> Option<Duration> {
    wait_headers.iter().find_map(|wh| {
        headers
            .get_all(wh.header_name()?)
            .iter()
            .find_map(|v| parse_wait(v.as_bytes(), wh.format, now))
    })
}

/// Parses one wait-header value into the wait it asks for, measured from `now`.
///
/// Optional whitespace (spaces and tabs) around the value is ignored. Numbers are plain ASCII
/// digits: a sign, a fraction, an exponent or a value that does not fit in a `u64` makes the
/// value invalid. Invalid values give `None`, never a panic, whatever the bytes.
///
/// | format | value | wait |
/// |---|---|---|
/// | [`Http`](WaitFormat::Http) | delay-seconds, or an HTTP-date (IMF-fixdate, RFC 850, asctime) | the delay, or the date minus `now` |
/// | [`Seconds`](WaitFormat::Seconds) | whole seconds | the delay |
/// | [`Unix`](WaitFormat::Unix) | epoch seconds of the reset | the reset minus `now` |
/// | [`Millis`](WaitFormat::Millis) | milliseconds | the delay |
///
/// A date or reset in the past is a zero wait. A far-future value is returned as it is: capping
/// it is the engine's job (`max_retry_after`).
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use errspec::{WaitFormat, parse_wait};
///
/// let now = UNIX_EPOCH + Duration::from_secs(946_684_000); // 1999-12-31 23:46:40 UTC
/// assert_eq!(parse_wait(b"120", WaitFormat::Http, now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_wait(b"Fri, 31 Dec 1999 23:59:59 GMT", WaitFormat::Http, now),
///     Some(Duration::from_secs(799)),
/// );
/// assert_eq!(parse_wait(b"-1", WaitFormat::Seconds, now), None);
/// ```
pub fn parse_wait(value: &[u8], format: WaitFormat, now: SystemTime) -> Option<Duration> {
    let value = trim_ows(value);
    match format {
        WaitFormat::Http => {
            if let Some(secs) = parse_digits(value) {
                return Some(Duration::from_secs(secs));
            }
            let text = core::str::from_utf8(value).ok()?;
            let date = httpdate::parse_http_date(text).ok()?;
            Some(until(date, now))
        }
        WaitFormat::Seconds => parse_digits(value).map(Duration::from_secs),
        WaitFormat::Millis => parse_digits(value).map(Duration::from_millis),
        WaitFormat::Unix => {
            let reset = UNIX_EPOCH.checked_add(Duration::from_secs(parse_digits(value)?))?;
            Some(until(reset, now))
        }
        // `WaitFormat` is non-exhaustive, being defined in errspec-core; a test reads a value
        // of every format in `WaitFormat::ALL`, so a new one cannot go unread here unnoticed.
        _ => None,
    }
}

/// The time from `now` until `then`; zero if `then` has passed.
fn until(then: SystemTime, now: SystemTime) -> Duration {
    then.duration_since(now).unwrap_or(Duration::ZERO)
}

/// `value` without leading and trailing OWS (RFC 9110: spaces and horizontal tabs).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// `1*DIGIT` as a `u64`; `None` if empty, if anything but ASCII digits appears (a sign
/// included, unlike `u64::from_str`), or on overflow.
fn parse_digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0_u64, |acc, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_only_ows() {
        assert_eq!(trim_ows(b" \t1 \t"), b"1");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"\n1"), b"\n1");
    }

    #[test]
    fn digits() {
        assert_eq!(parse_digits(b"0"), Some(0));
        assert_eq!(parse_digits(b"007"), Some(7));
        assert_eq!(parse_digits(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_digits(b"18446744073709551616"), None);
        assert_eq!(parse_digits(b"+1"), None);
        assert_eq!(parse_digits(b""), None);
        assert_eq!(parse_digits(b"1 2"), None);
    }
}
