//! Reading a server-requested wait: every [`WaitFormat`], from a header or a JSON body field.
//!
//! One file a concern: `number` (decimals and instants, shared by the numeric formats), `date`
//! (HTTP-date and RFC 3339), `go` (Go durations), `sf` and `ratelimit` (the RateLimit field),
//! `source` (which header or body field is read, and the warning for an unreadable one) and
//! `json` (body fields, feature `json`).

mod date;
mod go;
#[cfg(feature = "json")]
mod json;
mod number;
pub(crate) mod ratelimit;
mod sf;
mod source;

use core::time::Duration;
use std::time::SystemTime;

#[cfg(feature = "json")]
pub use json::body_field;
pub use source::{wait_from_headers, wait_from_response};

use crate::WaitFormat;
use number::{decimal, from_nanos, signed, trim_ows, until};

/// Why a value that is present gives no wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreadable(pub(crate) &'static str);

impl Unreadable {
    /// The value does not follow its format's grammar.
    pub(crate) const MALFORMED: Self = Self("not well-formed");
    /// An RFC 3339 value, without the feature that reads them.
    #[cfg(not(feature = "rfc3339"))]
    pub(crate) const NEEDS_RFC3339: Self =
        Self("RFC 3339 values are read with errspec's `rfc3339` feature, which is off");
    /// A format added to `WaitFormat` after this reader was written.
    pub(crate) const UNKNOWN_FORMAT: Self = Self("a format this errspec does not read");
}

/// Parses one wait value (a header's, or a body field's text) into the wait it asks for,
/// measured from `now`.
///
/// | format | value | wait |
/// |---|---|---|
/// | [`Http`](WaitFormat::Http) | RFC 9110 `Retry-After`: delay-seconds, a decimal fraction accepted (`120`, `1.5`), or an HTTP-date: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 or asctime | the delay, or the date minus `now` |
/// | [`Seconds`](WaitFormat::Seconds) | a decimal number of seconds (`30`, `1.234`) | the delay |
/// | [`Millis`](WaitFormat::Millis) | a decimal number of milliseconds (`1500`, `20.5`) | the delay |
/// | [`Unix`](WaitFormat::Unix) | a decimal number of seconds since the Unix epoch (`1470173023.123`) | the reset minus `now` |
/// | [`UnixMillis`](WaitFormat::UnixMillis) | a decimal number of milliseconds since the epoch (`1470173023123`; a fraction is accepted, as in the other numeric formats) | the reset minus `now` |
/// | [`Rfc3339`](WaitFormat::Rfc3339) | an RFC 3339 `date-time` (`2026-12-01T10:00:00Z`, `2026-12-01T12:00:00.5+02:00`): `T`, `t` or a space between date and time, `Z`, `z` or a `±hh:mm` offset, any number of fraction digits; read only with feature `rfc3339` | the reset minus `now` |
/// | [`Duration`](WaitFormat::Duration) | a Go `time.Duration` string, as Go's `time.ParseDuration` reads it: `6m0s`, `1.5s`, `20ms`, `1h2m3.5s`, `500us` (or `µs`), `.5s`, `0`; units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`; a leading `+` is accepted, as in Go | the sum of the terms |
/// | [`Ratelimit`](WaitFormat::Ratelimit) | an IETF RateLimit field (RFC 9651 Structured Fields): the List `"default";r=0;t=30, "hourly";r=10;t=3000`, or the Dictionary `limit=100, remaining=0, reset=30` | the largest `t` of the items whose `r` is 0; `reset` when `remaining` is 0 |
///
/// What counts as valid, for every format:
///
/// - Optional whitespace (spaces and tabs) around the value is ignored; nothing else is.
/// - A decimal number is ASCII digits with an optional fraction, with a digit on each side of
///   the dot (`1.5`; not `.5`, `1.` or `1,5`). There is no sign (`+1`, `-1`), exponent (`1e3`),
///   `nan`, `inf`, hexadecimal or non-ASCII digit: each makes the value invalid. Go durations
///   follow Go's grammar instead (`.5s` and `+1s` are valid there), and a negative Go duration
///   is invalid. RateLimit numbers are RFC 9651 Integers: at most 15 digits, else the whole
///   field is invalid.
/// - Invalid UTF-8 is invalid in every format (only Go's `µs` unit is not ASCII).
/// - Precision is the nanosecond: finer digits are dropped.
///
/// Invalid values give `None`. So do a zero wait and a reset or date at or before `now`: a stale
/// reset must not look like "retry at once". A valid wait too long for a `Duration`, or a date
/// past the year 9999 (HTTP-date and RFC 3339 years have four digits; a longer year reads as a
/// date past any cap), gives [`Duration::MAX`], never `None`: capping it is the engine's job
/// (`max_retry_after`), and a wait above the cap fails the call at once. No value panics,
/// overflows or allocates more than its own length.
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
/// assert_eq!(parse_wait(b"1.234", WaitFormat::Seconds, now), Some(Duration::from_millis(1234)));
/// assert_eq!(parse_wait(b"946684030", WaitFormat::Unix, now), Some(Duration::from_secs(30)));
/// assert_eq!(parse_wait(b"6m0s", WaitFormat::Duration, now), Some(Duration::from_secs(360)));
/// assert_eq!(
///     parse_wait(br#""default";r=0;t=30"#, WaitFormat::Ratelimit, now),
///     Some(Duration::from_secs(30)),
/// );
/// // Invalid, zero, past: no wait.
/// assert_eq!(parse_wait(b"-1", WaitFormat::Seconds, now), None);
/// assert_eq!(parse_wait(b"0", WaitFormat::Seconds, now), None);
/// assert_eq!(parse_wait(b"946684000", WaitFormat::Unix, now), None);
/// // Too long for a Duration: the longest wait, which every cap refuses.
/// assert_eq!(
///     parse_wait(b"18446744073709551616", WaitFormat::Seconds, now),
///     Some(Duration::MAX),
/// );
/// ```
pub fn parse_wait(value: &[u8], format: WaitFormat, now: SystemTime) -> Option<Duration> {
    read(value, format, now).ok().flatten()
}

/// The wait `value` asks for: `Ok(None)` when it is valid but asks for none (zero, a reset
/// already past, no exhausted RateLimit quota), `Err` when it cannot be read.
pub(crate) fn read(
    value: &[u8],
    format: WaitFormat,
    now: SystemTime,
) -> Result<Option<Duration>, Unreadable> {
    let value = trim_ows(value);
    let delay = |scale| {
        decimal(value, scale)
            .map(|nanos| Some(from_nanos(nanos)))
            .ok_or(Unreadable::MALFORMED)
    };
    let reset = |scale| {
        decimal(value, scale)
            .map(|nanos| until(signed(nanos), now))
            .ok_or(Unreadable::MALFORMED)
    };
    // Each decimal is read in nanoseconds: 10^-9 seconds, or 10^-6 milliseconds.
    let wait = match format {
        WaitFormat::Http => delay(9).or_else(|_| date::http_date(value, now)),
        WaitFormat::Seconds => delay(9),
        WaitFormat::Millis => delay(6),
        WaitFormat::Unix => reset(9),
        WaitFormat::UnixMillis => reset(6),
        WaitFormat::Rfc3339 => date::rfc3339(value, now),
        WaitFormat::Duration => go::duration(value).map(Some).ok_or(Unreadable::MALFORMED),
        WaitFormat::Ratelimit => ratelimit::wait(value),
        // `WaitFormat` is non-exhaustive, being defined in errspec-core; a test reads a value
        // of every format in `WaitFormat::ALL`, so a new one cannot go unread here unnoticed.
        _ => Err(Unreadable::UNKNOWN_FORMAT),
    }?;
    Ok(wait.filter(|wait| !wait.is_zero()))
}
