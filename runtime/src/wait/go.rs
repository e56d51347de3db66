//! Go `time.Duration` strings, as Go's `time.ParseDuration` reads them: `6m0s`, `1.5s`, `20ms`.
//!
//! No crate fits: `go-parse-duration` (last released in 2021) returns Go's `int64` nanoseconds,
//! so a duration past 292 years is an error where a wait must saturate, and it reads negative
//! durations. The grammar is small: `[+-]? ( digits? ( "." digits? )? unit )+`, or `0` alone.

use core::time::Duration;

use super::number::{digits, from_nanos};

/// The duration `value` states, saturating at [`Duration::MAX`]; `None` if Go would reject it,
/// or if it is negative.
///
/// Precision is the nanosecond, as in Go: finer fraction digits are dropped.
pub(super) fn duration(value: &[u8]) -> Option<Duration> {
    let mut rest = match value.split_first() {
        Some((b'-', _)) => return None,
        Some((b'+', rest)) => rest,
        _ => value,
    };
    if rest == b"0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0_u128;
    while !rest.is_empty() {
        let (nanos, after) = term(rest)?;
        total = total.saturating_add(nanos);
        rest = after;
    }
    Some(from_nanos(total))
}

/// One `digits? ( "." digits? )? unit` term, in nanoseconds, and what follows it.
fn term(text: &[u8]) -> Option<(u128, &[u8])> {
    let whole_end = text
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    let (whole, mut rest) = text.split_at(whole_end);
    let mut fraction: &[u8] = &[];
    if let Some((b'.', after)) = rest.split_first() {
        let end = after
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(after.len());
        (fraction, rest) = after.split_at(end);
    }
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let unit_end = rest
        .iter()
        .position(|&b| b == b'.' || b.is_ascii_digit())
        .unwrap_or(rest.len());
    let (unit, rest) = rest.split_at(unit_end);
    let per_unit = nanos_per(unit)?;
    let whole = if whole.is_empty() { 0 } else { digits(whole)? };
    let nanos = whole
        .saturating_mul(per_unit)
        .saturating_add(fraction_of(fraction, per_unit));
    Some((nanos, rest))
}

/// Nanoseconds in one `unit`; `None` for an unknown or missing unit.
fn nanos_per(unit: &[u8]) -> Option<u128> {
    Some(match unit {
        b"ns" => 1,
        // `us`, and `µs` with U+00B5 MICRO SIGN or U+03BC GREEK SMALL LETTER MU, as Go.
        b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
        b"ms" => 1_000_000,
        b"s" => 1_000_000_000,
        b"m" => 60_000_000_000,
        b"h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// `0.fraction` of `per_unit` nanoseconds, rounded down. Digits past the twentieth weigh less
/// than a nanosecond even for hours, and are dropped.
fn fraction_of(fraction: &[u8], per_unit: u128) -> u128 {
    let kept = &fraction[..fraction.len().min(20)];
    let (numerator, denominator) = kept.iter().fold((0_u128, 1_u128), |(n, d), &b| {
        (n * 10 + u128::from(b - b'0'), d * 10)
    });
    numerator * per_unit / denominator
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(text: &str) -> Option<Duration> {
        duration(text.as_bytes())
    }

    #[test]
    fn go_examples() {
        assert_eq!(go("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(go("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(go("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(go("1h2m3.5s"), Some(Duration::from_millis(3_723_500)));
        assert_eq!(go("500us"), Some(Duration::from_micros(500)));
        assert_eq!(go("500µs"), Some(Duration::from_micros(500)));
        assert_eq!(go("500μs"), Some(Duration::from_micros(500)));
        assert_eq!(go("3ns"), Some(Duration::from_nanos(3)));
        assert_eq!(go("2h45m"), Some(Duration::from_secs(9900)));
        assert_eq!(go("0"), Some(Duration::ZERO));
        assert_eq!(go("+0"), Some(Duration::ZERO));
        assert_eq!(go("0s"), Some(Duration::ZERO));
        assert_eq!(go("+5s"), Some(Duration::from_secs(5)));
    }

    #[test]
    fn the_grammar_s_corners_as_go_reads_them() {
        // A fraction without whole digits, or a dot without fraction digits.
        assert_eq!(go(".5s"), Some(Duration::from_millis(500)));
        assert_eq!(go("1.s"), Some(Duration::from_secs(1)));
        // Terms in any order, units repeated.
        assert_eq!(go("1s1s"), Some(Duration::from_secs(2)));
        assert_eq!(go("1s1h"), Some(Duration::from_secs(3601)));
        // Leading zeros, and fractions of minutes and hours.
        assert_eq!(go("007s"), Some(Duration::from_secs(7)));
        assert_eq!(go("0.5h"), Some(Duration::from_secs(1800)));
        assert_eq!(go("1.25m"), Some(Duration::from_secs(75)));
        assert_eq!(go("0.3333333333h"), Some(Duration::new(1199, 999_999_880)));
        // Finer than a nanosecond: dropped.
        assert_eq!(go("1.9ns"), Some(Duration::from_nanos(1)));
        assert_eq!(go("0.1ns"), Some(Duration::ZERO));
        let long_fraction = format!("1.{}s", "9".repeat(100));
        assert_eq!(go(&long_fraction), Some(Duration::new(1, 999_999_999)));
    }

    #[test]
    fn huge_durations_saturate() {
        assert_eq!(
            go("2562047h47m16.854775807s"),
            Some(Duration::from_nanos(9_223_372_036_854_775_807))
        );
        assert_eq!(
            go("18446744073709551615s"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(go("18446744073709551616s"), Some(Duration::MAX));
        assert_eq!(go(&format!("{}h", "9".repeat(1000))), Some(Duration::MAX));
        assert_eq!(go("99999999999999999999h1ns"), Some(Duration::MAX));
    }

    #[test]
    fn what_go_rejects_and_negatives_are_none() {
        for bad in [
            "",
            "+",
            "-",
            "-1s",
            "-0",
            "-0s",
            "1",
            "12",
            "s",
            ".s",
            ".",
            "1.5",
            "1 s",
            " 1s",
            "1s ",
            "1S",
            "1sec",
            "1d",
            "1w",
            "1e3s",
            "1,5s",
            "1_000s",
            "0x10s",
            "1.2.3s",
            "1s-1s",
            "1s+1s",
            "++1s",
            "1..5s",
            "nan",
            "inf",
            "1m0",
            "\u{b5}s",
            "1\u{b5}",
            "1\u{3bc}",
            "1\u{2009}s",
        ] {
            assert_eq!(go(bad), None, "{bad:?}");
        }
        assert_eq!(duration(b"1\xffs"), None);
        assert_eq!(duration(b"1\xc2s"), None);
    }
}
