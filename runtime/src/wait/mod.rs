//! Reading a server-requested wait: every [`WaitFormat`], from a header or a JSON body field.
//!
//! One file a concern: `number` (decimals and instants, shared by the numeric formats), `date`
//! (HTTP-date and RFC 3339), `go` (Go durations), `sf` and `ratelimit` (the RateLimit field),
//! `source` (which header or body field is read, and the warning for an unreadable one),
//! `parsed` (a body's JSON document, parsed once per response) and `json` (what a JSON pointer
//! reaches in it, feature `json`).

mod date;
mod go;
#[cfg(feature = "json")]
mod json;
mod number;
mod parsed;
pub(crate) mod ratelimit;
mod sf;
mod source;
mod unreadable;

use core::time::Duration;
use std::time::SystemTime;

#[cfg(feature = "json")]
pub use json::body_field;
pub(crate) use parsed::ParsedBody;
pub(crate) use source::wait_from;
pub use source::{wait_from_headers, wait_from_response};

use crate::WaitFormat;
use errspec_core::{WaitSyntax, WaitUnit};
use number::{decimal, from_nanos, short_delay, signed, trim_ows, until};
pub(crate) use unreadable::Unreadable;

/// A count (a quota header's requests left): ASCII digits between optional spaces and tabs,
/// saturating at `u64::MAX`; `None` for anything else (a sign, a fraction, an empty value).
pub(crate) fn count(value: &[u8]) -> Option<u64> {
    number::digits(trim_ows(value)).map(|n| u64::try_from(n).unwrap_or(u64::MAX))
}

/// [`count`] of a value of 1 to 19 ASCII digits and nothing else, in one pass; `None` for any
/// other value (which `count` may still read).
#[inline]
pub(crate) fn short_count(value: &[u8]) -> Option<u64> {
    number::short_digits(value)
}

/// The delay `value` states, when it is one of 1 to 19 bytes with no spaces around it, read in
/// one pass and without the time (zero included, which [`read_at`] reads as no wait); `None`
/// for any other value or format, which `read_at` still reads.
#[inline]
pub(crate) fn short_wait(value: &[u8], format: WaitFormat) -> Option<Duration> {
    let WaitSyntax::Delay(unit) = format.syntax() else {
        return None;
    };
    short_delay(value, scale(unit))
}

/// The decimal places a wait in `unit` is read to: each decimal is read in nanoseconds, 10^-9
/// seconds or 10^-6 milliseconds.
fn scale(unit: WaitUnit) -> u32 {
    match unit {
        WaitUnit::Seconds => 9,
        WaitUnit::Millis => 6,
    }
}

/// The requests left of a `used/limit` value (Shopify's `32/40`): the limit less those used,
/// none when more are used; two counts around a `/`, optional spaces and tabs around each.
/// `None` for anything else.
pub(crate) fn used_of_limit(value: &[u8]) -> Option<u64> {
    let slash = value.iter().position(|b| *b == b'/')?;
    let used = count(&value[..slash])?;
    let limit = count(&value[slash + 1..])?;
    Some(limit.saturating_sub(used))
}

/// Parses one wait value (a header's, or a body field's text) into the wait it asks for,
/// measured from `now`.
///
/// Each format reads what its [`WaitFormat`] variant's [`describe`](WaitFormat::describe) text
/// says (the first paragraph of its rustdoc); this table adds the wait each gives and what the
/// parser's grammar holds beyond those words.
///
/// | format | wait | grammar beyond the description |
/// |---|---|---|
/// | [`Http`](WaitFormat::Http) | the delay, or the date minus `now` | dates as IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 or asctime |
/// | [`Seconds`](WaitFormat::Seconds) | the delay | |
/// | [`Millis`](WaitFormat::Millis) | the delay | |
/// | [`Unix`](WaitFormat::Unix) | the reset minus `now` | |
/// | [`UnixMillis`](WaitFormat::UnixMillis) | the reset minus `now` | a fraction is accepted, as in the other numeric formats |
/// | [`Rfc3339`](WaitFormat::Rfc3339) | the reset minus `now` | `T`, `t` or a space between date and time, `Z`, `z` or a `±hh:mm` offset, any number of fraction digits; read only with feature `rfc3339` |
/// | [`Iso8601`](WaitFormat::Iso8601) | the reset minus `now` | RFC 3339's grammar, or the extended form `YYYY-MM-DDTHH:MM` with an optional fraction of the minute, then `Z` or `±hh:mm`; read only with feature `rfc3339` |
/// | [`Duration`](WaitFormat::Duration) | the sum of the terms | as Go's `time.ParseDuration` reads it: also `µs`, `.5s`, `0` and a leading `+` |
/// | [`Ratelimit`](WaitFormat::Ratelimit) | the largest `t` of the items whose `r` is 0; `reset` when `remaining` is 0 | RFC 9651 Structured Fields: the List `"default";r=0;t=30, "hourly";r=10;t=3000`, or the Dictionary `limit=100, remaining=0, reset=30` |
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
    read_at(value, format, || now)
}

/// [`read`], telling the time only for a format that needs it (a delay is read without it).
pub(crate) fn read_at(
    value: &[u8],
    format: WaitFormat,
    now: impl FnOnce() -> SystemTime,
) -> Result<Option<Duration>, Unreadable> {
    let value = trim_ows(value);
    let delay = |scale| {
        if let Some(delay) = short_delay(value, scale) {
            return Ok(Some(delay));
        }
        decimal(value, scale)
            .map(|nanos| Some(from_nanos(nanos)))
            .ok_or(Unreadable::MALFORMED)
    };
    // `WaitSyntax` is exhaustive and `WaitFormat::syntax` matches every format: a new format
    // is a compile error in errspec-core until it has a syntax, and a new syntax one here.
    let wait = match format.syntax() {
        WaitSyntax::DelayOrHttpDate => delay(9).or_else(|_| date::http_date(value, now())),
        WaitSyntax::Delay(unit) => delay(scale(unit)),
        WaitSyntax::Epoch(unit) => decimal(value, scale(unit))
            .map(|nanos| until(signed(nanos), now()))
            .ok_or(Unreadable::MALFORMED),
        WaitSyntax::Rfc3339 => date::rfc3339(value, now()),
        WaitSyntax::Iso8601 => date::iso8601(value, now()),
        WaitSyntax::GoDuration => go::duration(value).map(Some).ok_or(Unreadable::MALFORMED),
        WaitSyntax::RateLimitField => ratelimit::wait(value),
    }?;
    Ok(wait.filter(|wait| !wait.is_zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass delay reads what a decimal's nanoseconds read, or leaves it to them.
    #[test]
    fn a_short_delay_reads_as_the_decimal_does() {
        let mut rng = fastrand::Rng::with_seed(23);
        let bytes = b"0123456789999.. x";
        let mut read = 0;
        for _ in 0..20_000 {
            let value: Vec<u8> = (0..rng.usize(0..22))
                .map(|_| bytes[rng.usize(..bytes.len())])
                .collect();
            for scale in [6, 9] {
                if let Some(delay) = short_delay(&value, scale) {
                    read += 1;
                    let nanos = decimal(&value, scale).map(from_nanos);
                    assert_eq!(Some(delay), nanos, "{value:?} at scale {scale}");
                }
            }
        }
        assert!(read > 1_000, "{read} read");
        assert_eq!(
            short_delay(b"9999999999999999999", 9),
            Some(Duration::from_secs(9_999_999_999_999_999_999))
        );
        assert_eq!(
            short_delay(b"1234.5678", 6),
            Some(Duration::from_nanos(1_234_567_800))
        );
        assert_eq!(short_delay(b"60.000", 9), Some(Duration::from_secs(60)));
    }

    /// A short wait is what `read_at` reads of the same value (a zero delay as no wait), for
    /// every format: `None` for the formats that are no delay, and for values it leaves to
    /// `read_at`.
    #[test]
    fn a_short_wait_reads_as_read_at_does() {
        let mut rng = fastrand::Rng::with_seed(29);
        let bytes = b"0123456789.. \tx";
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut read = 0;
        for _ in 0..20_000 {
            let value: Vec<u8> = (0..rng.usize(0..22))
                .map(|_| bytes[rng.usize(..bytes.len())])
                .collect();
            for (_, format) in WaitFormat::ALL {
                let Some(wait) = short_wait(&value, *format) else {
                    continue;
                };
                read += 1;
                assert!(matches!(format, WaitFormat::Seconds | WaitFormat::Millis));
                let full = read_at(&value, *format, || now);
                assert_eq!(
                    Ok(Some(wait).filter(|w| !w.is_zero())),
                    full,
                    "{value:?} {format:?}"
                );
            }
        }
        assert!(read > 1_000, "{read} read");
        assert_eq!(
            short_wait(b"60.000", WaitFormat::Seconds),
            Some(Duration::from_secs(60))
        );
        assert_eq!(short_wait(b" 60", WaitFormat::Seconds), None);
        assert_eq!(short_wait(b"60", WaitFormat::Unix), None);
    }

    /// The one-pass count of a line of digits reads what `count` reads, or leaves it to it.
    #[test]
    fn a_short_count_reads_as_count_does() {
        let mut rng = fastrand::Rng::with_seed(19);
        let bytes = b"0123456789 \t,+-.x";
        for _ in 0..5_000 {
            let value: Vec<u8> = (0..rng.usize(0..24))
                .map(|_| bytes[rng.usize(..bytes.len())])
                .collect();
            if let Some(left) = short_count(&value) {
                assert_eq!(Some(left), count(&value), "{value:?}");
            }
        }
        assert_eq!(short_count(b"1000000"), Some(1_000_000));
        assert_eq!(
            short_count(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(
            short_count(b"99999999999999999999"),
            None,
            "20 digits: `count`'s"
        );
    }
}
