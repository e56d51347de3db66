//! Wait values in every format and from every source: RFC 9110 `Retry-After`, what real APIs
//! send, and hostile values.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::http::{HeaderMap, HeaderValue};
use errspec::{WaitField, WaitFormat, parse_wait, wait_from_headers, wait_from_response};
use errspec_test_support::headers;

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
/// 2026-12-01 10:00:00 UTC.
const DEC_2026: u64 = 1_796_119_200;

/// A hundred years: any wait longer is "huge", far above every cap.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

fn http(value: &str, now: SystemTime) -> Option<Duration> {
    parse_wait(value.as_bytes(), WaitFormat::Http, now)
}

/// Whether the `rfc3339` format is read in this build.
const RFC3339: bool = cfg!(feature = "rfc3339");

/// A value of `format` asking for a 30 s wait at 2026-12-01 10:00:00 UTC.
fn thirty_seconds(format: WaitFormat) -> Option<&'static str> {
    Some(match format {
        WaitFormat::Http | WaitFormat::Seconds => "30",
        WaitFormat::Millis => "30000",
        WaitFormat::Unix => "1796119230",
        WaitFormat::UnixMillis => "1796119230000",
        WaitFormat::Rfc3339 => "2026-12-01T10:00:30Z",
        WaitFormat::Iso8601 => "2026-12-01T10:00.5Z",
        WaitFormat::Duration => "30s",
        WaitFormat::Ratelimit => "\"default\";r=0;t=30",
        _ => return None,
    })
}

#[test]
fn every_format_is_read() {
    for (name, format) in WaitFormat::ALL {
        let value = thirty_seconds(*format)
            .unwrap_or_else(|| panic!("no sample value for wait format `{name}`: add one here"));
        let needs_rfc3339 = matches!(*format, WaitFormat::Rfc3339 | WaitFormat::Iso8601);
        let expected = if needs_rfc3339 && !RFC3339 {
            None // read only with the `rfc3339` feature
        } else {
            Some(Duration::from_secs(30))
        };
        assert_eq!(
            parse_wait(value.as_bytes(), *format, at(DEC_2026)),
            expected,
            "`{name}` does not read {value:?}: is it parsed in runtime/src/wait/?"
        );
    }
}

// ----- what real APIs send --------------------------------------------------------------------

#[test]
fn discord() {
    // X-RateLimit-Reset-After: seconds, with a fraction; X-RateLimit-Reset: epoch seconds.
    let now = at(1_470_173_022);
    assert_eq!(
        parse_wait(b"1.234", WaitFormat::Seconds, now),
        Some(Duration::from_millis(1234))
    );
    assert_eq!(
        parse_wait(b"64.57", WaitFormat::Seconds, now),
        Some(Duration::from_millis(64_570))
    );
    assert_eq!(
        parse_wait(b"1470173023.123", WaitFormat::Unix, now),
        Some(Duration::from_millis(1123))
    );
    assert_eq!(
        parse_wait(b"1470173023", WaitFormat::Unix, now),
        Some(Duration::from_secs(1))
    );
}

#[test]
fn openai() {
    let now = at(DEC_2026);
    // retry-after-ms: milliseconds, sometimes with a fraction.
    assert_eq!(
        parse_wait(b"1500", WaitFormat::Millis, now),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        parse_wait(b"20.5", WaitFormat::Millis, now),
        Some(Duration::from_micros(20_500))
    );
    // x-ratelimit-reset-requests and -tokens: Go durations.
    for (value, expected) in [
        ("6m0s", Duration::from_secs(360)),
        ("1s", Duration::from_secs(1)),
        ("1.5s", Duration::from_millis(1500)),
        ("20ms", Duration::from_millis(20)),
        ("1h2m3.5s", Duration::from_millis(3_723_500)),
        ("500us", Duration::from_micros(500)),
        ("500µs", Duration::from_micros(500)),
        ("59m59.999s", Duration::from_millis(3_599_999)),
    ] {
        assert_eq!(
            parse_wait(value.as_bytes(), WaitFormat::Duration, now),
            Some(expected),
            "{value}"
        );
    }
    assert_eq!(parse_wait(b"0s", WaitFormat::Duration, now), None);
    assert_eq!(parse_wait(b"0", WaitFormat::Duration, now), None);
    assert_eq!(parse_wait(b"-1s", WaitFormat::Duration, now), None);
}

#[test]
fn anthropic() {
    // anthropic-ratelimit-*-reset: RFC 3339, in UTC or with an offset, with fractions.
    let now = at(DEC_2026);
    for (value, expected) in [
        ("2026-12-01T10:00:30Z", Duration::from_secs(30)),
        ("2026-12-01T10:00:30.5Z", Duration::from_millis(30_500)),
        ("2026-12-01T12:01:00+02:00", Duration::from_secs(60)),
        ("2026-12-01T05:00:01-05:00", Duration::from_secs(1)),
        ("2026-12-01t10:00:30z", Duration::from_secs(30)),
        ("2026-12-01 10:00:30Z", Duration::from_secs(30)),
        (
            "2026-12-01T10:00:00.123456789123Z",
            Duration::from_nanos(123_456_789),
        ),
    ] {
        let expected = RFC3339.then_some(expected);
        assert_eq!(
            parse_wait(value.as_bytes(), WaitFormat::Rfc3339, now),
            expected,
            "{value}"
        );
    }
    for bad in [
        "2026-12-01T10:00:30",
        "2026-12-01T10:00Z",
        "2026-12-01T10:00:30+0200",
        "2026-12-01T10:00:30,5Z",
        "2026-12-01T10:00:30Z[UTC]",
        "20261201T100030Z",
        "2026-02-29T10:00:00Z",
        "2026-12-01T24:00:00Z",
        "2026-12-01T10:00:30+24:00",
        "1796119230",
    ] {
        assert_eq!(
            parse_wait(bad.as_bytes(), WaitFormat::Rfc3339, now),
            None,
            "{bad}"
        );
    }
}

#[test]
fn github() {
    // x-ratelimit-reset: epoch seconds; retry-after on secondary limits.
    let now = at(1_372_700_813);
    assert_eq!(
        parse_wait(b"1372700873", WaitFormat::Unix, now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_wait(b"1372700873000", WaitFormat::UnixMillis, now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_wait(b"60", WaitFormat::Http, now),
        Some(Duration::from_secs(60))
    );
}

#[test]
fn ietf_ratelimit() {
    let now = at(DEC_2026);
    let rl = |value: &str| parse_wait(value.as_bytes(), WaitFormat::Ratelimit, now);
    assert_eq!(rl("\"default\";r=0;t=30"), Some(Duration::from_secs(30)));
    assert_eq!(rl("\"default\";r=50;t=30"), None);
    assert_eq!(
        rl("\"default\";r=0;t=30, \"hourly\";r=10;t=3000"),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        rl("\"min\";r=0;t=10, \"day\";r=0;t=36000"),
        Some(Duration::from_secs(36000))
    );
    assert_eq!(
        rl("limit=100, remaining=0, reset=30"),
        Some(Duration::from_secs(30))
    );
    assert_eq!(rl("limit=100, remaining=1, reset=30"), None);
    assert_eq!(rl("\"default\";r=0;t=0"), None);
    assert_eq!(rl("\"default\";r=0;t=1.5"), None);
    assert_eq!(rl("\"default\";r=0;t=30,"), None);
}

// ----- RFC 9110 Retry-After -------------------------------------------------------------------

#[test]
fn rfc_9110_examples() {
    let now = at(END_1999 - 100);
    assert_eq!(
        http("Fri, 31 Dec 1999 23:59:59 GMT", now),
        Some(Duration::from_secs(100))
    );
    assert_eq!(http("120", now), Some(Duration::from_secs(120)));
    assert_eq!(http("1.5", now), Some(Duration::from_millis(1500)));
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
fn leading_zeros_are_digits() {
    assert_eq!(http("0120", at(0)), Some(Duration::from_secs(120)));
    assert_eq!(http("000.5", at(0)), Some(Duration::from_millis(500)));
}

// ----- zero, past and huge --------------------------------------------------------------------

#[test]
fn zero_and_past_waits_are_no_wait() {
    let now = at(DEC_2026);
    for (format, values) in [
        (
            WaitFormat::Http,
            &["0", "0.0", "000", "Fri, 31 Dec 1999 23:59:59 GMT"][..],
        ),
        (WaitFormat::Seconds, &["0", "0.000", "0.0000000001"]),
        (WaitFormat::Millis, &["0", "0.0000001"]),
        (
            WaitFormat::Unix,
            &["0", "1796119200", "1796119199.999", "1470173023"],
        ),
        (
            WaitFormat::UnixMillis,
            &["0", "1796119200000", "1796119199999"],
        ),
        (
            WaitFormat::Rfc3339,
            &[
                "2026-12-01T10:00:00Z",
                "2026-12-01T09:59:59.999Z",
                "1970-01-01T00:00:00Z",
            ],
        ),
        (WaitFormat::Duration, &["0", "0s", "0h0m0s", "0.1ns"]),
        (
            WaitFormat::Ratelimit,
            &["\"default\";r=0;t=0", "limit=100, remaining=0, reset=0"],
        ),
    ] {
        for value in values {
            assert_eq!(
                parse_wait(value.as_bytes(), format, now),
                None,
                "{value:?} as {format:?}"
            );
        }
    }
    // The very instant of a date: no wait.
    assert_eq!(http("Fri, 31 Dec 1999 23:59:59 GMT", at(END_1999)), None);
    assert_eq!(http("Sun, 06 Nov 1994 08:49:37 GMT", at(END_1999)), None);
}

/// Well-formed values of `format` asking for a wait longer than a century (or, for the
/// `ratelimit` format, about 31.7 million years: its Integers have at most 15 digits).
fn huge_values(format: WaitFormat) -> Vec<String> {
    let digits = |n: usize| format!("1{}", "0".repeat(n - 1));
    let numbers = || {
        vec![
            "18446744073709551615".to_owned(),
            "18446744073709551616".to_owned(),
            "9223372036854775808".to_owned(),
            "340282366920938463463374607431768211456".to_owned(),
            "99999999999999999999999999999999.5".to_owned(),
            digits(8192),
        ]
    };
    match format {
        WaitFormat::Http => {
            let mut values = numbers();
            values.extend([
                "Fri, 31 Dec 9999 23:59:59 GMT".to_owned(),
                "Sat, 01 Jan 10000 00:00:00 GMT".to_owned(),
                "Sat Jan  1 00:00:00 10000".to_owned(),
            ]);
            values
        }
        WaitFormat::Seconds | WaitFormat::Millis | WaitFormat::Unix | WaitFormat::UnixMillis => {
            numbers()
        }
        WaitFormat::Rfc3339 => vec![
            "9999-12-31T23:59:59Z".to_owned(),
            "9999-12-31T23:59:59.999999999-23:59".to_owned(),
            "10000-01-01T00:00:00Z".to_owned(),
            "99999-12-31T23:59:59+23:59".to_owned(),
        ],
        WaitFormat::Iso8601 => vec![
            "9999-12-31T23:59:59Z".to_owned(),
            "9999-12-31T23:59Z".to_owned(),
            "10000-01-01T00:00:00Z".to_owned(),
        ],
        WaitFormat::Duration => vec![
            "2562048h".to_owned(),
            "18446744073709551616s".to_owned(),
            "9223372036854775808h".to_owned(),
            format!("{}h", digits(8190)),
        ],
        WaitFormat::Ratelimit => vec![
            "\"default\";r=0;t=999999999999999".to_owned(),
            "limit=100, remaining=0, reset=999999999999999".to_owned(),
        ],
        _ => Vec::new(),
    }
}

#[test]
fn huge_waits_are_huge_never_absent() {
    let now = at(DEC_2026);
    for format in formats() {
        for value in huge_values(format) {
            let wait = parse_wait(value.as_bytes(), format, now);
            if matches!(format, WaitFormat::Rfc3339 | WaitFormat::Iso8601) && !RFC3339 {
                assert_eq!(wait, None);
                continue;
            }
            let shown = &value[..value.len().min(40)];
            let wait = wait.unwrap_or_else(|| panic!("{shown:?} as {format:?} gave no wait"));
            assert!(wait > CENTURY, "{shown:?} as {format:?} gave {wait:?}");
        }
    }
    let max = |value: &str, format| parse_wait(value.as_bytes(), format, now);
    assert_eq!(
        max("18446744073709551615", WaitFormat::Seconds),
        Some(Duration::from_secs(u64::MAX))
    );
    assert_eq!(
        max("18446744073709551615", WaitFormat::Millis),
        Some(Duration::from_millis(u64::MAX))
    );
    assert_eq!(
        max("18446744073709551616", WaitFormat::Http),
        Some(Duration::MAX)
    );
    assert_eq!(
        max("Sat, 01 Jan 10000 00:00:00 GMT", WaitFormat::Http),
        Some(Duration::MAX)
    );
    assert_eq!(
        max("Fri, 31 Dec 9999 23:59:59 GMT", WaitFormat::Http),
        Some(Duration::from_secs(253_402_300_799 - DEC_2026))
    );
}

// ----- hostile values -------------------------------------------------------------------------

#[test]
fn hostile_values_never_panic_nor_read_small() {
    let now = at(DEC_2026);
    let eight_kib_digits = "9".repeat(8192);
    let eight_kib_text = "a".repeat(8192);
    let eight_kib_mixed = "1.5s, ".repeat(1366);
    let mut invalid_utf8 = b"1\xff".repeat(4096);
    invalid_utf8.push(b's');
    let values: Vec<&[u8]> = vec![
        eight_kib_digits.as_bytes(),
        eight_kib_text.as_bytes(),
        eight_kib_mixed.as_bytes(),
        &invalid_utf8,
        b"18446744073709551615",
        b"18446744073709551616",
        b"-18446744073709551616",
        b"\xff\xfe\xfd",
        b"\xc3\x28",
        b"3\xc2",
    ];
    for value in values {
        for format in formats() {
            let wait = parse_wait(value, format, now);
            let shown = String::from_utf8_lossy(&value[..value.len().min(20)]);
            assert!(
                wait.is_none_or(|w| w > CENTURY),
                "{shown:?} as {format:?} gave {wait:?}"
            );
        }
    }
}

#[test]
fn negative_nan_like_and_signed_values_are_absent() {
    let now = at(DEC_2026);
    let values: &[&[u8]] = &[
        b"-1",
        b"-0",
        b"-0.5",
        b"-1s",
        b"-18446744073709551615",
        b"+1",
        b"+120",
        b"nan",
        b"NaN",
        b"inf",
        b"-inf",
        b"Infinity",
        b"1e400",
        b"1e3",
        b"1E3",
        b"1.5e3",
        b"0x10",
        b"1_000",
        b"\"default\";r=0;t=-30",
        b"limit=100, remaining=0, reset=-30",
        b"-2026-12-01T10:00:30Z",
    ];
    for value in values {
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
fn dates_are_only_for_the_date_formats() {
    let now = at(NOV_1994);
    for format in formats().filter(|f| *f != WaitFormat::Http) {
        assert_eq!(
            parse_wait(b"Sun, 06 Nov 1994 08:49:37 GMT", format, now),
            None
        );
    }
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
        let Some(value) = thirty_seconds(format) else {
            continue;
        };
        let bare = parse_wait(value.as_bytes(), format, at(DEC_2026));
        for padded in [
            format!(" {value}"),
            format!("{value}\t"),
            format!(" \t{value} \t"),
        ] {
            assert_eq!(
                parse_wait(padded.as_bytes(), format, at(DEC_2026)),
                bare,
                "{padded:?}"
            );
        }
        for padded in [
            format!("\n{value}"),
            format!("{value}\r\n"),
            format!("\u{a0}{value}"),
        ] {
            assert_eq!(
                parse_wait(padded.as_bytes(), format, at(DEC_2026)),
                None,
                "{padded:?}"
            );
        }
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
        b"1,5",
        b".5",
        b"1.",
        b"1..5",
        b"1 2",
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
fn any_now_is_fine() {
    // `now` before the epoch, or far ahead: no panic, sensible answers.
    for now in [
        UNIX_EPOCH - Duration::from_secs(10),
        at(u64::from(u32::MAX) * 100),
    ] {
        for format in formats() {
            let _ = parse_wait(b"12345", format, now);
            for value in huge_values(format) {
                let _ = parse_wait(value.as_bytes(), format, now);
            }
        }
        let _ = http("Fri, 31 Dec 1999 23:59:59 GMT", now);
    }
    let before_epoch = UNIX_EPOCH - Duration::from_secs(10);
    assert_eq!(
        parse_wait(b"0", WaitFormat::Unix, before_epoch),
        Some(Duration::from_secs(10))
    );
    assert_eq!(
        parse_wait(b"0.5", WaitFormat::UnixMillis, before_epoch),
        Some(Duration::new(10, 500_000))
    );
}

// ----- sources: headers -----------------------------------------------------------------------

const RESET: WaitField = WaitField::new("x-ratelimit-reset", WaitFormat::Unix);

#[test]
fn repeated_headers_first_valid_value_wins() {
    let now = at(1_000);
    let map = headers(&[
        ("retry-after", "later"),
        ("retry-after", "0"),
        ("retry-after", "7"),
        ("retry-after", "9"),
    ]);
    assert_eq!(
        wait_from_headers(&map, &[WaitField::RETRY_AFTER], now),
        Some(Duration::from_secs(7))
    );
}

#[test]
fn the_first_present_valid_header_wins() {
    let now = at(1_000);
    let both = headers(&[("x-ratelimit-reset", "1030"), ("retry-after", "5")]);
    assert_eq!(
        wait_from_headers(&both, &[WaitField::RETRY_AFTER, RESET], now),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        wait_from_headers(&both, &[RESET, WaitField::RETRY_AFTER], now),
        Some(Duration::from_secs(30))
    );
    // An invalid first header counts as absent, and so does a stale one.
    for first in ["-5", "999"] {
        let map = headers(&[("x-ratelimit-reset", first), ("retry-after", "30")]);
        assert_eq!(
            wait_from_headers(&map, &[RESET, WaitField::RETRY_AFTER], now),
            Some(Duration::from_secs(30)),
            "{first}"
        );
    }
}

#[test]
fn header_names_match_case_insensitively() {
    let map = headers(&[("retry-after", "3")]);
    let upper = [WaitField::new("Retry-After", WaitFormat::Http)];
    assert_eq!(
        wait_from_headers(&map, &upper, at(0)),
        Some(Duration::from_secs(3))
    );
}

#[test]
fn nothing_usable_is_none() {
    let now = at(0);
    assert_eq!(
        wait_from_headers(&HeaderMap::new(), &[WaitField::RETRY_AFTER], now),
        None
    );
    assert_eq!(
        wait_from_headers(&headers(&[("retry-after", "3")]), &[], now),
        None
    );
    let map = headers(&[("retry-after", "nope"), ("retry-after", "")]);
    assert_eq!(
        wait_from_headers(&map, &[WaitField::RETRY_AFTER, RESET], now),
        None
    );
    // A name that is not a valid header name matches nothing, and does not panic.
    let odd = [WaitField::new("not a header\n", WaitFormat::Http)];
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
    for format in formats() {
        let source = [WaitField::new("retry-after", format)];
        assert_eq!(wait_from_headers(&map, &source, at(0)), None, "{format:?}");
    }
}

#[test]
fn headers_only_skips_body_sources() {
    let body_first = [
        WaitField::body("/retry_after", WaitFormat::Seconds),
        WaitField::RETRY_AFTER,
    ];
    let map = headers(&[("retry-after", "4")]);
    assert_eq!(
        wait_from_headers(&map, &body_first, at(0)),
        Some(Duration::from_secs(4))
    );
    assert_eq!(
        wait_from_response(&map, Some(r#"{"retry_after": 1}"#), &[], at(0)),
        None
    );
}

#[path = "wait/body.rs"]
mod body;
