//! Decimal numbers and instants: the arithmetic every format shares, saturating and exact.

use core::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// `value` without leading and trailing OWS (RFC 9110: spaces and horizontal tabs).
pub(super) fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// `1*DIGIT [ "." 1*DIGIT ]` as a count of 10^-`scale` units: `decimal(b"1.5", 3)` is 1500.
///
/// Fraction digits past `scale` are dropped; a whole part too large for a `u128` saturates, so a
/// huge value stays huge. `None` for anything else: an empty value, a sign, an exponent, a
/// comma, a lone or trailing dot, non-ASCII digits.
pub(super) fn decimal(text: &[u8], scale: u32) -> Option<u128> {
    if text.len() <= 19 && scale <= 9 {
        return short_decimal(text, scale);
    }
    let (whole, fraction) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
        None => (text, None),
    };
    let mut value = digits(whole)?.saturating_mul(ten_to(scale));
    if let Some(fraction) = fraction {
        // the digits past `scale` count no unit, but must be digits all the same
        let kept = fraction
            .len()
            .min(usize::try_from(scale).unwrap_or(usize::MAX));
        let (counted, dropped) = fraction.split_at(kept);
        if fraction.is_empty() || !dropped.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if !counted.is_empty() {
            // `kept` digits after the dot count 10^(scale - kept) units each
            let left = scale - u32::try_from(kept).unwrap_or(scale);
            value = value.saturating_add(digits(counted)?.saturating_mul(ten_to(left)));
        }
    }
    Some(value)
}

/// [`decimal`] of at most 19 bytes at a scale of at most 9, in one pass of `u64` arithmetic:
/// the whole part is below 10^19 and the kept fraction below 10^9, so nothing saturates.
fn short_decimal(text: &[u8], scale: u32) -> Option<u128> {
    let (whole, fraction) = short_parts(text, scale)?;
    let unit = POWERS.get(usize::try_from(scale).ok()?).copied()?;
    Some(u128::from(whole) * u128::from(unit) + u128::from(fraction))
}

/// 10^0 to 10^9.
const POWERS: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// A decimal of at most 19 bytes as its whole part and its fraction in 10^-`scale` units
/// (`scale` at most 9): `short_parts(b"1.5", 3)` is `(1, 500)`. `None` for a longer text and
/// for anything [`decimal`] does not read.
fn short_parts(text: &[u8], scale: u32) -> Option<(u64, u64)> {
    if text.len() > 19 || scale > 9 {
        return None;
    }
    // the whole part, up to the first byte that is no digit
    let mut whole = 0_u64;
    let mut rest = text;
    while let [b, tail @ ..] = rest {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        whole = whole * 10 + u64::from(digit);
        rest = tail;
    }
    if rest.len() == text.len() {
        return None;
    }
    // then nothing, or a dot and at least one digit
    let (mut fraction, mut kept) = (0_u64, 0_u32);
    match rest {
        [] => {}
        [b'.', digits @ ..] if !digits.is_empty() => {
            for &b in digits {
                let digit = b.wrapping_sub(b'0');
                if digit > 9 {
                    return None;
                }
                if kept < scale {
                    fraction = fraction * 10 + u64::from(digit);
                    kept += 1;
                }
            }
        }
        _ => return None,
    }
    // `kept` is at most `scale`, at most 9: the power is in the table
    let left = POWERS.get(usize::try_from(scale - kept).ok()?).copied()?;
    Some((whole, fraction * left))
}

/// A delay of at most 19 bytes in seconds (`scale` 9) or milliseconds (6), straight to the
/// `Duration` that [`from_nanos`] of [`decimal`] gives (below 10^19 units, it always fits);
/// `None` for anything else, which `decimal` may still read.
#[inline]
pub(super) fn short_delay(text: &[u8], scale: u32) -> Option<Duration> {
    let (whole, fraction) = short_parts(text, scale)?;
    // the fraction is below one unit: below 10^9 nanoseconds, and 10^6 for milliseconds
    let fraction = u32::try_from(fraction).ok()?;
    match scale {
        9 => Some(Duration::new(whole, fraction)),
        6 => {
            let (secs, millis) = (whole / 1_000, whole % 1_000);
            let nanos = u32::try_from(millis).ok()? * 1_000_000 + fraction;
            Some(Duration::new(secs, nanos))
        }
        _ => None,
    }
}

/// 10^`exp`, from a table (no `u128` division or loop on the hot path); saturating past 10^38.
fn ten_to(exp: u32) -> u128 {
    const POWERS: [u128; 39] = {
        let mut powers = [1_u128; 39];
        let mut i = 1;
        while i < powers.len() {
            powers[i] = powers[i - 1] * 10;
            i += 1;
        }
        powers
    };
    usize::try_from(exp)
        .ok()
        .and_then(|i| POWERS.get(i))
        .copied()
        .unwrap_or(u128::MAX)
}

/// `1*DIGIT` as a `u128`, saturating; `None` if empty or if anything but ASCII digits appears.
pub(super) fn digits(text: &[u8]) -> Option<u128> {
    if text.is_empty() {
        return None;
    }
    // 19 digits always fit a u64: most values are read without u128 or saturating arithmetic
    if text.len() <= 19 {
        return short_digits(text).map(u128::from);
    }
    text.iter().try_fold(0_u128, |acc, &b| {
        b.is_ascii_digit()
            .then(|| acc.saturating_mul(10).saturating_add(u128::from(b - b'0')))
    })
}

/// [`digits`] of 1 to 19 bytes, in `u64` arithmetic (19 digits always fit); `None` for
/// anything else.
#[inline]
pub(super) fn short_digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    let mut value = 0_u64;
    for &b in text {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    Some(value)
}

/// `nanos` nanoseconds as a `Duration`; [`Duration::MAX`] when they do not fit.
pub(super) fn from_nanos(nanos: u128) -> Duration {
    // most waits fit in 64 bits of nanoseconds (584 years), where division is cheap
    if let Ok(nanos) = u64::try_from(nanos) {
        return Duration::from_nanos(nanos);
    }
    match u64::try_from(nanos / NANOS_PER_SEC) {
        Ok(secs) => {
            let subsec = u32::try_from(nanos % NANOS_PER_SEC).unwrap_or(0);
            Duration::new(secs, subsec)
        }
        Err(_) => Duration::MAX,
    }
}

/// `n` as an `i128`, saturating.
pub(super) fn signed(n: u128) -> i128 {
    i128::try_from(n).unwrap_or(i128::MAX)
}

/// `time` in nanoseconds since the Unix epoch, negative before it.
pub(super) fn epoch_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => signed(after.as_nanos()),
        Err(before) => -signed(before.duration().as_nanos()),
    }
}

/// The wait from `now` until `reset` (nanoseconds since the epoch); `None` if `reset` is not
/// after `now`.
pub(super) fn until(reset: i128, now: SystemTime) -> Option<Duration> {
    let left = reset.saturating_sub(epoch_nanos(now));
    u128::try_from(left).ok().filter(|&n| n > 0).map(from_nanos)
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
    fn decimals() {
        assert_eq!(decimal(b"0", 9), Some(0));
        assert_eq!(decimal(b"007", 0), Some(7));
        assert_eq!(decimal(b"1.5", 3), Some(1500));
        assert_eq!(decimal(b"1.234", 9), Some(1_234_000_000));
        assert_eq!(decimal(b"0.0000000019", 9), Some(1));
        assert_eq!(decimal(b"1.2345", 2), Some(123));
        assert_eq!(
            decimal(b"18446744073709551615", 0),
            Some(u128::from(u64::MAX))
        );
        // the widest value the u64 path reads, and the narrowest past it
        assert_eq!(
            decimal(b"9999999999999999999", 0),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(
            decimal(b"99999999999999999999", 0),
            Some(99_999_999_999_999_999_999)
        );
        assert_eq!(digits(b"123456789012345678x"), None);
        assert_eq!(digits(b"12/"), None);
        let huge = "9".repeat(100);
        assert_eq!(decimal(huge.as_bytes(), 9), Some(u128::MAX));
        assert_eq!(decimal(format!("{huge}.5").as_bytes(), 9), Some(u128::MAX));
        for bad in [
            &b""[..],
            b".",
            b".5",
            b"1.",
            b"1..2",
            b"1.2.3",
            b"+1",
            b"-1",
            b"1e3",
            b"1,5",
            b"1 ",
            b"nan",
        ] {
            assert_eq!(decimal(bad, 9), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_short_path_reads_as_the_long_one() {
        // the long path, forced by leading zeros past 19 bytes, reads the same value
        for (text, scale) in [
            ("0", 9),
            ("60.000", 9),
            ("1.5", 6),
            ("0.0000000019", 9),
            ("1.2345", 2),
            ("9999999999999999999", 9),
            ("123456789.987654321", 9),
            ("7", 0),
            ("7.25", 0),
        ] {
            let padded = format!("{}{text}", "0".repeat(20));
            assert_eq!(
                short_decimal(text.as_bytes(), scale),
                decimal(padded.as_bytes(), scale),
                "{text} at scale {scale}"
            );
        }
        for bad in ["", ".", ".5", "1.", "1..2", "+1", "1e3", "1 ", "\u{ff}"] {
            assert_eq!(short_decimal(bad.as_bytes(), 9), None, "{bad:?}");
        }
    }

    /// The one-pass digits read what a digit-by-digit reading does: every text of up to
    /// two bytes, and random texts of up to 20 bytes of digits and the bytes around them.
    #[test]
    fn short_digits_read_digit_by_digit() {
        let naive = |text: &[u8]| -> Option<u64> {
            if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(text.iter().fold(0, |n, b| n * 10 + u64::from(b - b'0')))
        };
        for a in 0..=u8::MAX {
            assert_eq!(short_digits(&[a]), naive(&[a]), "{a}");
            for b in 0..=u8::MAX {
                assert_eq!(short_digits(&[a, b]), naive(&[a, b]), "{a} {b}");
            }
        }
        let mut rng = fastrand::Rng::with_seed(31);
        let bytes = b"01234567899999/:\x00\xff\xb0\xc9 .";
        let mut read = 0;
        for _ in 0..50_000 {
            let len = rng.usize(0..=20);
            let text: Vec<u8> = if rng.bool() {
                (0..len).map(|_| rng.u8(b'0'..=b'9')).collect()
            } else {
                (0..len).map(|_| bytes[rng.usize(..bytes.len())]).collect()
            };
            let got = short_digits(&text);
            read += usize::from(got.is_some());
            assert_eq!(got, naive(&text), "{text:?}");
        }
        assert!(read > 20_000, "{read} read");
        assert_eq!(
            short_digits(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(short_digits(b"00000000000000000001"), None, "20 bytes");
    }

    #[test]
    fn nanos_saturate() {
        assert_eq!(from_nanos(1_500_000_000), Duration::from_millis(1500));
        assert_eq!(
            from_nanos(u128::from(u64::MAX) * NANOS_PER_SEC + 999_999_999),
            Duration::MAX
        );
        assert_eq!(
            from_nanos(u128::from(u64::MAX) * NANOS_PER_SEC + NANOS_PER_SEC),
            Duration::MAX
        );
        assert_eq!(from_nanos(u128::MAX), Duration::MAX);
    }

    #[test]
    fn instants() {
        let now = UNIX_EPOCH + Duration::from_secs(10);
        assert_eq!(until(11_000_000_000, now), Some(Duration::from_secs(1)));
        assert_eq!(until(10_000_000_000, now), None);
        assert_eq!(until(0, now), None);
        assert_eq!(until(i128::MIN, now), None);
        assert_eq!(until(i128::MAX, now), Some(Duration::MAX));
        let before = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(epoch_nanos(before), -5_000_000_000);
        assert_eq!(until(0, before), Some(Duration::from_secs(5)));
        assert_eq!(signed(u128::MAX), i128::MAX);
    }
}
