//! Dates: the HTTP-date of `Retry-After`, RFC 3339 and ISO 8601 timestamps.

use core::fmt::Write as _;
use core::time::Duration;
use std::time::SystemTime;

use super::number::{epoch_nanos, until};
use super::unreadable::Unreadable;

/// An HTTP-date (IMF-fixdate, RFC 850 or asctime): the wait until it, `None` if it has passed.
pub(super) fn http_date(value: &[u8], now: SystemTime) -> Result<Option<Duration>, Unreadable> {
    let text = core::str::from_utf8(value).map_err(|_| Unreadable::MALFORMED)?;
    match httpdate::parse_http_date(text) {
        Ok(date) => Ok(until(epoch_nanos(date), now)),
        Err(_) => beyond_year_9999(text, |date| httpdate::parse_http_date(date).is_ok()),
    }
}

/// An RFC 3339 timestamp: the wait until it, `None` if it has passed.
#[cfg(feature = "rfc3339")]
pub(super) fn rfc3339(value: &[u8], now: SystemTime) -> Result<Option<Duration>, Unreadable> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    let text = core::str::from_utf8(value).map_err(|_| Unreadable::MALFORMED)?;
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(reset) => Ok(until(reset.unix_timestamp_nanos(), now)),
        Err(_) => beyond_year_9999(text, |date| OffsetDateTime::parse(date, &Rfc3339).is_ok()),
    }
}

/// Without the `rfc3339` feature, an RFC 3339 value cannot be read.
#[cfg(not(feature = "rfc3339"))]
pub(super) fn rfc3339(_: &[u8], _: SystemTime) -> Result<Option<Duration>, Unreadable> {
    Err(Unreadable::NEEDS_RFC3339)
}

/// An ISO 8601 timestamp in the extended format (`2026-12-01T10:00Z`, `2026-12-01T10:00:30.5+02:00`,
/// `2026-12-01T10:00.5Z`): RFC 3339's, or one whose time ends at the minute, whole or with a
/// fraction; a `Z` or an offset. The wait until it, `None` if it has passed.
#[cfg(feature = "rfc3339")]
pub(super) fn iso8601(value: &[u8], now: SystemTime) -> Result<Option<Duration>, Unreadable> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Iso8601;

    if rfc3339(value, now).is_ok() {
        return rfc3339(value, now);
    }
    // the extended format's shape, `YYYY-MM-DDTHH:MM`: the basic format, week and ordinal
    // dates are not what servers send, and are refused
    let extended = value.len() >= 16
        && value[..4].iter().all(u8::is_ascii_digit)
        && value[4] == b'-'
        && value[7] == b'-'
        && value[10] == b'T'
        && value[13] == b':';
    if !extended {
        return Err(Unreadable::MALFORMED);
    }
    let text = core::str::from_utf8(value).map_err(|_| Unreadable::MALFORMED)?;
    OffsetDateTime::parse(text, &Iso8601::DEFAULT)
        .map(|reset| until(reset.unix_timestamp_nanos(), now))
        .map_err(|_| Unreadable::MALFORMED)
}

/// Without the `rfc3339` feature, an ISO 8601 value cannot be read.
#[cfg(not(feature = "rfc3339"))]
pub(super) fn iso8601(_: &[u8], _: SystemTime) -> Result<Option<Duration>, Unreadable> {
    Err(Unreadable::NEEDS_RFC3339)
}

/// A date whose year has more than four digits, and is otherwise valid for `parses`: a wait
/// longer than any cap, so [`Duration::MAX`].
///
/// The date parsers read four-digit years only. The Gregorian calendar repeats every 400 years
/// (leap years and weekdays alike), so the date with its year moved by whole cycles into
/// 2000..=2399 is valid exactly when the original is.
fn beyond_year_9999(
    text: &str,
    parses: impl Fn(&str) -> bool,
) -> Result<Option<Duration>, Unreadable> {
    match year_in_cycle(text) {
        Some(moved) if parses(&moved) => Ok(Some(Duration::MAX)),
        _ => Err(Unreadable::MALFORMED),
    }
}

/// `text` with its year moved into 2000..=2399, if it has a year of five or more digits: the
/// first run of five or more ASCII digits that starts the text or follows a space, and does not
/// start with `0`. The result is never longer than `text`.
fn year_in_cycle(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let year = &bytes[start..i];
        let after_space = start == 0 || bytes[start - 1] == b' ';
        if year.len() > 4 && year[0] != b'0' && after_space {
            let in_cycle = year
                .iter()
                .fold(0_u32, |acc, d| (acc * 10 + u32::from(d - b'0')) % 400);
            let mut moved = String::with_capacity(text.len());
            // The digits are ASCII, so `start` and `i` are character boundaries.
            moved.push_str(&text[..start]);
            write!(moved, "{}", 2000 + in_cycle).ok()?;
            moved.push_str(&text[i..]);
            return Some(moved);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_move_by_whole_cycles() {
        assert_eq!(
            year_in_cycle("Sat, 01 Jan 10000 00:00:00 GMT").as_deref(),
            Some("Sat, 01 Jan 2000 00:00:00 GMT")
        );
        assert_eq!(
            year_in_cycle("10401-03-01T00:00:00Z").as_deref(),
            Some("2001-03-01T00:00:00Z")
        );
        assert_eq!(
            year_in_cycle("Sun Nov  6 08:49:37 99999").as_deref(),
            Some("Sun Nov  6 08:49:37 2399")
        );
        // Four digits, a leading zero, a run after something else than a space: not a year.
        assert_eq!(year_in_cycle("Fri, 31 Dec 9999 23:59:59 GMT"), None);
        assert_eq!(year_in_cycle("Fri, 31 Dec 09999 23:59:59 GMT"), None);
        assert_eq!(year_in_cycle("2026-12-01T10:00:00.123456Z"), None);
    }

    #[cfg(feature = "rfc3339")]
    #[test]
    fn iso8601_reads_rfc3339_and_the_extended_forms_to_the_minute() {
        // 2026-12-01T10:00:00Z
        let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_119_200);
        let now = reset - Duration::from_secs(60);
        let wait = |text: &str| iso8601(text.as_bytes(), now);
        for (text, secs) in [
            ("2026-12-01T10:00Z", 60.0),
            ("2026-12-01T10:00:00Z", 60.0),
            ("2026-12-01T10:00:30.5Z", 90.5),
            ("2026-12-01T10:00.5Z", 90.0),
            ("2026-12-01T11:00+01:00", 60.0),
            ("2026-12-01T09:30-00:30", 60.0),
            ("2026-12-01t10:00:00z", 60.0),
        ] {
            assert_eq!(
                wait(text),
                Ok(Some(Duration::from_secs_f64(secs))),
                "{text}"
            );
        }
        assert_eq!(wait("2026-12-01T09:58Z"), Ok(None), "past");
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T10Z",
            "2026-12-01T10:00",
            "20261201T1000Z",
            "2026-W48-2T10:00Z",
            "2026-12-01T25:00Z",
            "2026-12-01T10:00Zjunk",
            "2026-12-01 10:00Z",
            "\u{e9}026-12-01T10:00Z",
        ] {
            assert_eq!(wait(bad), Err(Unreadable::MALFORMED), "{bad}");
        }
    }

    #[test]
    fn http_dates_past_year_9999_are_the_longest_wait() {
        let now = SystemTime::UNIX_EPOCH;
        for date in [
            "Sat, 01 Jan 10000 00:00:00 GMT",
            "Sat Jan  1 00:00:00 10000",
            "Tue, 29 Feb 10400 12:00:00 GMT",
        ] {
            assert_eq!(
                http_date(date.as_bytes(), now),
                Ok(Some(Duration::MAX)),
                "{date}"
            );
        }
        for bad in [
            "Sun, 01 Jan 10000 00:00:00 GMT", // the wrong weekday
            "Thu, 29 Feb 10100 12:00:00 GMT", // 10100 is not a leap year
            "Sat, 01 Jan 10000 24:00:00 GMT",
            "Sat, 01 Jan 010000 00:00:00 GMT",
            "Saturday, 01-Jan-10000 00:00:00 GMT",
        ] {
            assert_eq!(
                http_date(bad.as_bytes(), now),
                Err(Unreadable::MALFORMED),
                "{bad}"
            );
        }
    }
}
