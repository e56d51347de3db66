//! Wait-header parsing: RFC 9110 `Retry-After` and the other formats, against hostile values.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::http::{HeaderMap, HeaderValue};
use errspec::{WaitFormat, WaitHeader, parse_wait, wait_from_headers};

/// Every format there is: the hostile-value tests below run over each.
fn formats() -> impl Iterator<Item = WaitFormat> {
    WaitFormat::ALL.iter().map(|&(_, format)| format)
}

fn at(epoch_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(epoch_secs)
}

/// 1994-11-06 08:49:00 UTC, 37 s before RFC 9110's example date.
const NOV_1994: u64 = 784_111_740;
/// 1999-12-31 23:59:59 UTC.
const END_1999: u64 = 946_684_799;

fn http(value: &str, now: SystemTime) -> Option<Duration> {
    parse_wait(value.as_bytes(), WaitFormat::Http, now)
}

/// A value of `format` asking for a 30 s wait at `now`, if this test knows the format.
fn thirty_seconds(format: WaitFormat, now: u64) -> Option<String> {
    Some(match format {
        WaitFormat::Http | WaitFormat::Seconds => "30".to_owned(),
        WaitFormat::Millis => "30000".to_owned(),
        WaitFormat::Unix => (now + 30).to_string(),
        _ => return None,
    })
}

#[test]
fn every_format_is_read() {
    let now = END_1999;
    for (name, format) in WaitFormat::ALL {
        let value = thirty_seconds(*format, now)
            .unwrap_or_else(|| panic!("no sample value for wait format `{name}`: add one here"));
        assert_eq!(
            parse_wait(value.as_bytes(), *format, at(now)),
            Some(Duration::from_secs(30)),
            "`{name}` does not read {value:?}: is it parsed in runtime/src/wait.rs?"
        );
    }
}

#[test]
fn rfc_9110_examples() {
    let now = at(END_1999 - 100);
    assert_eq!(
        http("Fri, 31 Dec 1999 23:59:59 GMT", now),
        Some(Duration::from_secs(100))
    );
    assert_eq!(http("120", now), Some(Duration::from_secs(120)));
}

#[test]
fn all_three_http_date_forms() {
    let now = at(NOV_1994);
    let expected = Some(Duration::from_secs(37));
    assert_eq!(
        http("Sun, 06 Nov 1994 08:49:37 GMT", now),
        expected,
        "IMF-fixdate"
    );
    assert_eq!(
        http("Sunday, 06-Nov-94 08:49:37 GMT", now),
        expected,
        "RFC 850"
    );
    assert_eq!(http("Sun Nov  6 08:49:37 1994", now), expected, "asctime");
}

#[test]
fn a_past_date_is_a_zero_wait() {
    let now = at(END_1999 + 3600);
    assert_eq!(
        http("Fri, 31 Dec 1999 23:59:59 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(
        http("Sun, 06 Nov 1994 08:49:37 GMT", now),
        Some(Duration::ZERO)
    );
    // The very instant: zero too.
    assert_eq!(
        http("Fri, 31 Dec 1999 23:59:59 GMT", at(END_1999)),
        Some(Duration::ZERO)
    );
}

#[test]
fn far_future_values_are_returned_as_they_are() {
    let now = at(END_1999);
    let wait = http("Fri, 31 Dec 9999 23:59:59 GMT", now).unwrap();
    assert_eq!(wait, Duration::from_secs(253_402_300_799 - END_1999));
    assert_eq!(
        http("18446744073709551615", now),
        Some(Duration::from_secs(u64::MAX))
    );
    assert_eq!(
        parse_wait(b"18446744073709551615", WaitFormat::Millis, now),
        Some(Duration::from_millis(u64::MAX))
    );
}

#[test]
fn seconds_unix_and_millis() {
    let now = at(1_000_000);
    assert_eq!(
        parse_wait(b"30", WaitFormat::Seconds, now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        parse_wait(b"1000060", WaitFormat::Unix, now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_wait(b"999999", WaitFormat::Unix, now),
        Some(Duration::ZERO)
    );
    assert_eq!(
        parse_wait(b"0", WaitFormat::Unix, now),
        Some(Duration::ZERO)
    );
    assert_eq!(
        parse_wait(b"1500", WaitFormat::Millis, now),
        Some(Duration::from_millis(1500))
    );
    // A reset between whole seconds of `now` is measured exactly.
    let now = at(1_000_000) + Duration::from_millis(250);
    assert_eq!(
        parse_wait(b"1000001", WaitFormat::Unix, now),
        Some(Duration::from_millis(750))
    );
}

#[test]
fn dates_are_only_for_the_http_format() {
    let now = at(NOV_1994);
    for format in [WaitFormat::Seconds, WaitFormat::Unix, WaitFormat::Millis] {
        assert_eq!(
            parse_wait(b"Sun, 06 Nov 1994 08:49:37 GMT", format, now),
            None
        );
    }
}

#[test]
fn leading_zeros_are_digits() {
    assert_eq!(http("0120", at(0)), Some(Duration::from_secs(120)));
    assert_eq!(http("0", at(0)), Some(Duration::ZERO));
}

#[test]
fn optional_whitespace_is_trimmed() {
    let now = at(NOV_1994);
    for value in [" 120", "120 ", "\t120\t", "  \t 120 \t  "] {
        assert_eq!(
            http(value, now),
            Some(Duration::from_secs(120)),
            "{value:?}"
        );
    }
    assert_eq!(
        http("  Sun, 06 Nov 1994 08:49:37 GMT\t", now),
        Some(Duration::from_secs(37))
    );
    for format in formats() {
        assert!(parse_wait(b" 5 ", format, at(0)).is_some(), "{format:?}");
    }
}

#[test]
fn garbage_is_absent() {
    let now = at(NOV_1994);
    let garbage: &[&[u8]] = &[
        b"",
        b" ",
        b"\t\t",
        b"soon",
        b"-1",
        b"+1",
        b"+120",
        b"1.5",
        b"1,5",
        b"1e3",
        b"0x10",
        b"1 2",
        b"12s",
        b"\n120",
        b"120\r\n",
        "１２０".as_bytes(), // full-width digits
        "١٢٠".as_bytes(),    // Arabic-Indic digits
        b"\xff\xfe",
        b"12\x00",
        b"Sun, 06 Nov 1994 08:49:37 UTC", // not GMT
        b"Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
        b"Sun, 31 Feb 1994 08:49:37 GMT", // no such day
        b"Sun, 06 Nov 1994 25:49:37 GMT", // no such hour
        b"Sun, 06 Nov 1969 08:49:37 GMT", // before the epoch
        b"Sun, 06 Nov 1994",
        b"Sun, 06 Nov 1994 08:49:37 GMT garbage",
        b"Sunday, 06-Nov-94 08:49:37",
        b"Sun Nov 6 08:49:37 1994", // asctime pads the day with a space
        b"Wednesday, 06-Nov-94 08:49:37 GMT; also more",
    ];
    for value in garbage {
        for format in formats() {
            assert_eq!(
                parse_wait(value, format, now),
                None,
                "{:?} as {format:?}",
                String::from_utf8_lossy(value)
            );
        }
    }
}

#[test]
fn overflowing_numbers_are_absent() {
    let now = at(0);
    for value in [
        "18446744073709551616",
        "99999999999999999999999999999999",
        "340282366920938463463374607431768211456",
    ] {
        for format in formats() {
            assert_eq!(
                parse_wait(value.as_bytes(), format, now),
                None,
                "{value} {format:?}"
            );
        }
    }
    // An epoch second that no SystemTime can hold: absent, not a panic.
    assert_eq!(
        parse_wait(b"18446744073709551615", WaitFormat::Unix, now),
        None
    );
}

#[test]
fn any_now_is_fine() {
    // `now` before the epoch, or far ahead: no panic, sensible answers.
    for now in [
        UNIX_EPOCH - Duration::from_secs(10),
        at(u64::from(u32::MAX) * 100),
    ] {
        for format in formats() {
            let _ = parse_wait(b"12345", format, now);
        }
        let _ = http("Fri, 31 Dec 1999 23:59:59 GMT", now);
    }
    assert_eq!(
        parse_wait(b"0", WaitFormat::Unix, UNIX_EPOCH - Duration::from_secs(10)),
        Some(Duration::from_secs(10))
    );
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_static(value));
    }
    map
}

const RESET: WaitHeader = WaitHeader::new("x-ratelimit-reset", WaitFormat::Unix);

#[test]
fn repeated_headers_first_valid_value_wins() {
    let now = at(1_000);
    let map = headers(&[
        ("retry-after", "later"),
        ("retry-after", "7"),
        ("retry-after", "9"),
    ]);
    assert_eq!(
        wait_from_headers(&map, &[WaitHeader::RETRY_AFTER], now),
        Some(Duration::from_secs(7))
    );
}

#[test]
fn the_first_present_valid_header_wins() {
    let now = at(1_000);
    let both = headers(&[("x-ratelimit-reset", "1030"), ("retry-after", "5")]);
    assert_eq!(
        wait_from_headers(&both, &[WaitHeader::RETRY_AFTER, RESET], now),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        wait_from_headers(&both, &[RESET, WaitHeader::RETRY_AFTER], now),
        Some(Duration::from_secs(30))
    );
    // An invalid first header counts as absent.
    let bad_first = headers(&[("retry-after", "-5"), ("x-ratelimit-reset", "1030")]);
    assert_eq!(
        wait_from_headers(&bad_first, &[WaitHeader::RETRY_AFTER, RESET], now),
        Some(Duration::from_secs(30))
    );
}

#[test]
fn header_names_match_case_insensitively() {
    let map = headers(&[("retry-after", "3")]);
    let upper = [WaitHeader::new("Retry-After", WaitFormat::Http)];
    assert_eq!(
        wait_from_headers(&map, &upper, at(0)),
        Some(Duration::from_secs(3))
    );
}

#[test]
fn nothing_usable_is_none() {
    let now = at(0);
    assert_eq!(
        wait_from_headers(&HeaderMap::new(), &[WaitHeader::RETRY_AFTER], now),
        None
    );
    assert_eq!(
        wait_from_headers(&headers(&[("retry-after", "3")]), &[], now),
        None
    );
    let map = headers(&[("retry-after", "nope"), ("retry-after", "")]);
    assert_eq!(
        wait_from_headers(&map, &[WaitHeader::RETRY_AFTER, RESET], now),
        None
    );
    // A name that is not a valid header name matches nothing, and does not panic.
    let odd = [WaitHeader::new("not a header\n", WaitFormat::Http)];
    assert_eq!(wait_from_headers(&map, &odd, now), None);
}

#[test]
fn opaque_header_bytes_do_not_panic() {
    let mut map = HeaderMap::new();
    map.append(
        "retry-after",
        HeaderValue::from_bytes(b"\xff\x80 12").unwrap(),
    );
    map.append("retry-after", HeaderValue::from_bytes(b"\xc3\xa9").unwrap());
    assert_eq!(
        wait_from_headers(&map, &[WaitHeader::RETRY_AFTER], at(0)),
        None
    );
}
