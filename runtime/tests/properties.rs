//! Properties of backoff, jitter, the engine's waits and header parsing, over arbitrary input.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::TestError;
use errspec::{Jitter, Retrier, RetryConfig, RetryPolicy, WaitFormat, parse_wait};
use errspec_test_support::{RecordingSleeper, block_on};
use proptest::prelude::*;

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated),
    ]
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    prop_oneof![
        Just(RetryPolicy::Never),
        Just(RetryPolicy::Always),
        Just(RetryPolicy::Idempotent),
        Just(RetryPolicy::AfterHeader),
    ]
}

fn millis(max: u64) -> impl Strategy<Value = Duration> {
    (0..=max).prop_map(Duration::from_millis)
}

/// Any duration at all, extremes included.
fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        millis(100_000),
        (any::<u64>(), 0..1_000_000_000_u32).prop_map(|(s, n)| Duration::new(s, n)),
        Just(Duration::ZERO),
        Just(Duration::MAX),
    ]
}

fn multiplier() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..10.0_f64,
        Just(1.0),
        Just(2.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-1.0),
        Just(f64::MAX),
    ]
}

fn backoff_config() -> impl Strategy<Value = RetryConfig> {
    (any_duration(), any_duration(), multiplier(), jitter()).prop_map(
        |(initial, max, multiplier, jitter)| {
            RetryConfig::new()
                .with_initial_backoff(initial)
                .with_max_backoff(max)
                .with_multiplier(multiplier)
                .with_jitter(jitter)
        },
    )
}

proptest! {
    #[test]
    fn backoff_never_exceeds_max_backoff(
        config in backoff_config(),
        retry in any::<u32>(),
        prev in any_duration(),
    ) {
        prop_assert!(config.base_backoff(retry) <= config.max_backoff);
        prop_assert!(config.backoff(retry, prev) <= config.max_backoff);
    }

    #[test]
    fn each_jitter_stays_in_its_bounds(
        config in backoff_config(),
        retry in 0_u32..80,
        prev in any_duration(),
    ) {
        let d = config.base_backoff(retry);
        for &(_, jitter) in Jitter::ALL {
            let config = config.clone().with_jitter(jitter);
            let delay = config.backoff(retry, prev);
            match jitter {
                Jitter::None => prop_assert_eq!(delay, d),
                Jitter::Full => prop_assert!(delay <= d),
                Jitter::Equal => prop_assert!(delay >= d / 2 && delay <= d),
                Jitter::Decorrelated => {
                    let low = config.initial_backoff.min(config.max_backoff);
                    let high = prev
                        .max(config.initial_backoff)
                        .saturating_mul(3)
                        .min(config.max_backoff);
                    prop_assert!(delay >= low && delay <= high, "{delay:?} not in {low:?}..={high:?}");
                }
                other => prop_assert!(false, "no bounds written for jitter {other}"),
            }
        }
    }

    #[test]
    fn base_backoff_grows_then_holds(
        initial in millis(10_000),
        max in millis(100_000),
        multiplier in 1.0..4.0_f64,
        retry in 1_u32..200,
    ) {
        let config = RetryConfig::new()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_multiplier(multiplier);
        prop_assert!(config.base_backoff(retry) <= config.base_backoff(retry + 1));
        prop_assert_eq!(config.base_backoff(1), initial.min(max));
        prop_assert_eq!(config.base_backoff(0), config.base_backoff(1));
    }

    #[test]
    fn integer_multipliers_are_exact(
        initial_ms in 1_u64..10_000,
        multiplier in 1_u32..5,
        retry in 1_u32..20,
    ) {
        let config = RetryConfig::new()
            .with_initial_backoff(Duration::from_millis(initial_ms))
            .with_max_backoff(Duration::MAX)
            .with_multiplier(f64::from(multiplier));
        let expected = u64::from(multiplier)
            .checked_pow(retry - 1)
            .and_then(|f| f.checked_mul(initial_ms));
        // Exact while the nanoseconds fit in an f64 mantissa (2^53 ns, 104 days).
        if let Some(ms) = expected.filter(|ms| *ms < (1 << 53) / 1_000_000) {
            prop_assert_eq!(config.base_backoff(retry), Duration::from_millis(ms));
        }
    }
}

/// One attempt's error in an engine run.
fn attempt_error() -> impl Strategy<Value = TestError> {
    (policy(), prop::option::of(millis(120_000)), 400_u16..600).prop_map(
        |(policy, wait, status)| {
            let e = TestError::new(status, policy);
            match wait {
                Some(w) => e.wait(w),
                None => e,
            }
        },
    )
}

fn engine_config() -> impl Strategy<Value = RetryConfig> {
    (
        0_u32..8,
        millis(3_000),
        millis(30_000),
        0.5..4.0_f64,
        jitter(),
        millis(60_000),
        prop::option::of(millis(120_000)),
    )
        .prop_map(
            |(attempts, initial, max, multiplier, jitter, max_retry_after, max_elapsed)| {
                RetryConfig::new()
                    .with_max_attempts(attempts)
                    .with_initial_backoff(initial)
                    .with_max_backoff(max)
                    .with_multiplier(multiplier)
                    .with_jitter(jitter)
                    .with_max_retry_after(max_retry_after)
                    .with_max_elapsed(max_elapsed)
            },
        )
}

proptest! {
    #[test]
    fn engine_waits_respect_every_bound(
        config in engine_config(),
        errors in prop::collection::vec(attempt_error(), 0..10),
        idempotent in any::<bool>(),
        blocking in any::<bool>(),
    ) {
        let sleeper = RecordingSleeper::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let retrier = Retrier::new(config.clone())
            .with_sleeper(sleeper.clone())
            .on_retry(move |attempt, err, delay| {
                record.lock().unwrap().push((attempt, err.policy(), err.retry_after(), delay));
            });
        let mut calls = 0_u32;
        let mut attempt = || {
            calls += 1;
            match errors.get(calls as usize - 1) {
                Some(e) => Err(e.clone().id(calls)),
                None => Ok(calls),
            }
        };
        let result = if blocking {
            retrier.run_blocking(idempotent, attempt)
        } else {
            block_on(retrier.run(idempotent, || std::future::ready(attempt())))
        };
        let seen = seen.lock().unwrap().clone();
        let sleeps = sleeper.sleeps();

        prop_assert!(calls >= 1 && calls <= config.max_attempts.max(1));
        prop_assert_eq!(seen.len(), calls as usize - 1);
        prop_assert_eq!(seen.iter().map(|s| s.3).collect::<Vec<_>>(), sleeps.clone());
        for (i, (attempt, policy, server, delay)) in seen.iter().enumerate() {
            prop_assert_eq!(*attempt as usize, i + 1);
            prop_assert!(policy.allows(idempotent));
            match server {
                // A server's wait is honoured, never beyond max_retry_after.
                Some(server) => {
                    prop_assert!(*server <= config.max_retry_after);
                    prop_assert!(delay >= server);
                    if *policy == RetryPolicy::AfterHeader {
                        prop_assert_eq!(delay, server);
                    } else {
                        prop_assert!(*delay <= config.max_backoff.max(*server));
                    }
                }
                None => prop_assert!(*delay <= config.max_backoff),
            }
        }
        if let Some(max_elapsed) = config.max_elapsed {
            prop_assert!(sleeps.iter().sum::<Duration>() <= max_elapsed);
        }
        match result {
            Ok(n) => prop_assert_eq!(n, calls),
            // The final error is the last attempt's, unchanged.
            Err(e) => prop_assert_eq!(e, errors[calls as usize - 1].clone().id(calls)),
        }
    }
}

/// Every wait format.
fn format() -> impl Strategy<Value = WaitFormat> {
    prop::sample::select(WaitFormat::ALL).prop_map(|(_, format)| format)
}

fn now() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        (0_u64..10_000_000_000).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        Just(UNIX_EPOCH),
        Just(SystemTime::now()),
    ]
}

fn ows() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

/// Values close to each format's grammar: numbers, dates, Go durations, RateLimit fields.
fn near_miss() -> impl Strategy<Value = String> {
    prop_oneof![
        r"[ \t]?[+-]?[0-9]{0,25}[.,e]?[0-9]{0,3}[ \t]?",
        r"[A-Za-z]{3,9},? [0-9 ]{1,2}[- ][A-Za-z]{3}[- ][0-9]{2,6} [0-9]{2}:[0-9]{2}:[0-9]{2}( GMT| [0-9]{4,6})?",
        r"[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:?[0-9]{2})?",
        r"[+-]?([0-9]{0,22}(\.[0-9]{0,22})?(h|m|s|ms|us|µs|μs|ns|x|)){1,4}",
        r#"(("[a-z]{0,5}"|[a-z*][a-z]{0,3}|\([0-9 ]{0,5}\))(;[rtq]=(-?[0-9]{1,17}(\.[0-9]{0,4})?|"[0-9]{1,3}"|\?[01]))*[ ,\t]{0,3}){0,4}"#,
        r"((limit|remaining|reset|[a-z]{1,3})(=-?[0-9]{0,17}(\.[0-9]{1,4})?)?(;w=[0-9]{1,3})?[ ,]{0,3}){0,4}",
    ]
}

/// A well-formed value of some format that asks for a wait past ten thousand years.
fn far_future() -> impl Strategy<Value = (WaitFormat, String)> {
    // At least 4 * 10^11: past 12 000 years, as a delay or as an epoch second; up to 8 KiB.
    let secs = "[4-9][0-9]{11,30}|[1-9][0-9]{12,8000}";
    prop_oneof![
        secs.prop_map(|s| (WaitFormat::Http, s)),
        secs.prop_map(|s| (WaitFormat::Seconds, s)),
        (secs, "[0-9]{1,12}").prop_map(|(s, f)| (WaitFormat::Seconds, format!("{s}.{f}"))),
        secs.prop_map(|s| (WaitFormat::Unix, s)),
        (secs, "[0-9]{1,12}").prop_map(|(s, f)| (WaitFormat::Unix, format!("{s}.{f}"))),
        secs.prop_map(|s| (WaitFormat::Millis, format!("{s}000"))),
        secs.prop_map(|s| (WaitFormat::UnixMillis, format!("{s}000"))),
        secs.prop_map(|s| (WaitFormat::Duration, format!("{s}s"))),
        secs.prop_map(|s| (WaitFormat::Duration, format!("1h{s}m0.5s"))),
        "[4-9][0-9]{11,14}".prop_map(|t| (WaitFormat::Ratelimit, format!("\"default\";r=0;t={t}"))),
        "[4-9][0-9]{11,14}".prop_map(|t| (
            WaitFormat::Ratelimit,
            format!("limit=1, remaining=0, reset={t}")
        )),
        (10_000_u64..10_000_000, 1_u32..=12, 1_u32..=28)
            .prop_map(|(y, m, d)| (WaitFormat::Rfc3339, format!("{y}-{m:02}-{d:02}T12:00:00Z"))),
        (10_000_u64..10_000_000, 0_usize..7).prop_map(|(y, month)| {
            // Any day of the year a weekday matches: 400-year cycles keep weekdays.
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul"];
            let days = ["Sat", "Tue", "Wed", "Sat", "Mon", "Thu", "Sat"];
            let date = format!(
                "{}, 01 {} {} 00:00:00 GMT",
                days[month],
                months[month],
                10_000 + (y - 10_000) / 400 * 400
            );
            (WaitFormat::Http, date)
        }),
    ]
}

proptest! {
    #[test]
    fn parse_wait_never_panics(value in prop::collection::vec(any::<u8>(), 0..64), format in format(), now in now()) {
        let _ = parse_wait(&value, format, now);
    }

    #[test]
    fn parse_wait_never_panics_on_long_values(
        value in prop::collection::vec(any::<u8>(), 0..9000),
        format in format(),
        now in now(),
    ) {
        let _ = parse_wait(&value, format, now);
    }

    #[test]
    fn parse_wait_never_panics_on_near_misses(
        value in near_miss(),
        format in format(),
        now in now(),
    ) {
        let _ = parse_wait(value.as_bytes(), format, now);
    }

    #[test]
    fn delay_numbers_parse_exactly(n in any::<u64>(), before in ows(), after in ows(), now in now()) {
        let value = format!("{before}{n}{after}");
        let bytes = value.as_bytes();
        // A zero wait is no wait.
        let nonzero = |wait: Duration| (n > 0).then_some(wait);
        prop_assert_eq!(parse_wait(bytes, WaitFormat::Http, now), nonzero(Duration::from_secs(n)));
        prop_assert_eq!(parse_wait(bytes, WaitFormat::Seconds, now), nonzero(Duration::from_secs(n)));
        prop_assert_eq!(parse_wait(bytes, WaitFormat::Millis, now), nonzero(Duration::from_millis(n)));
        let go = format!("{before}{n}s{after}");
        prop_assert_eq!(parse_wait(go.as_bytes(), WaitFormat::Duration, now), nonzero(Duration::from_secs(n)));
    }

    #[test]
    fn decimal_fractions_parse_exactly(secs in 0_u64..1 << 40, nanos in 1_u32..1_000_000_000, now in now()) {
        let value = format!("{secs}.{nanos:09}");
        let expected = Some(Duration::new(secs, nanos));
        prop_assert_eq!(parse_wait(value.as_bytes(), WaitFormat::Seconds, now), expected);
        prop_assert_eq!(parse_wait(value.as_bytes(), WaitFormat::Http, now), expected);
        let go = format!("{value}s");
        prop_assert_eq!(parse_wait(go.as_bytes(), WaitFormat::Duration, now), expected);
        // The same instant as an epoch second, from a `now` just before it.
        let reset = UNIX_EPOCH + Duration::new(secs, nanos);
        let before = reset - Duration::from_nanos(1);
        prop_assert_eq!(parse_wait(value.as_bytes(), WaitFormat::Unix, before), Some(Duration::from_nanos(1)));
        prop_assert_eq!(parse_wait(value.as_bytes(), WaitFormat::Unix, reset), None);
    }

    #[test]
    fn far_future_values_are_never_absent(value in far_future(), now in now()) {
        let (format, text) = value;
        let wait = parse_wait(text.as_bytes(), format, now);
        if format == WaitFormat::Rfc3339 && !cfg!(feature = "rfc3339") {
            prop_assert_eq!(wait, None);
        } else {
            let shown = &text[..text.len().min(60)];
            prop_assert!(
                wait.is_some_and(|w| w > Duration::from_secs(10_000 * 365 * 24 * 3600)),
                "{} as {:?} gave {:?}", shown, format, wait
            );
        }
    }

    #[test]
    fn http_dates_round_trip(secs in 0_u64..253_402_300_799, offset in 0_u64..1_000_000) {
        let date = UNIX_EPOCH + Duration::from_secs(secs);
        let text = httpdate::fmt_http_date(date);
        let now = UNIX_EPOCH + Duration::from_secs(secs.saturating_sub(offset));
        prop_assert_eq!(
            parse_wait(text.as_bytes(), WaitFormat::Http, now),
            Some(Duration::from_secs(secs - secs.saturating_sub(offset)))
        );
    }
}
