//! A hostile server cannot make a client panic or sleep past `max_retry_after` with its wait
//! headers.
//!
//! Wait-header values (negative, overflowing, fractional, padded, repeated, non-ASCII, dates far
//! in the future and the past, empty, huge) go through `from_parts` of generated enums, for
//! every wait-header format and policy, and then through the retry engine with a recording
//! sleeper: every wait is at most `max_retry_after`, and a longer requested wait stops the
//! engine at once. The same values then come over real HTTP from a scripted server on
//! 127.0.0.1. (`hostile_bodies.rs` does the same for bodies.)

use std::time::{Duration, SystemTime};

use axum::http::{HeaderName, HeaderValue, StatusCode};
use errspec::http::HeaderMap;
use errspec::{Retrier, RetryPolicy, StatusError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

// ----- the generated enums --------------------------------------------------------------------

/// 429 reads `retry-after` in seconds; cap 60 s; 5xx idempotent with RFC 9110 `retry-after`.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

/// 403's rate-limit cases read `retry-after` (RFC 9110) then `x-ratelimit-reset` (epoch
/// seconds), the secondary one with a 1 s floor; cap 2 min.
#[errspec::errors(spec = "specs/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

/// 503 reads `x-retry-in-ms` in milliseconds; cap 60 s.
#[errspec::errors(spec = "specs/template.toml")]
#[derive(Debug)]
pub enum ShopError {}

// ----- hostile values -------------------------------------------------------------------------

/// How the value reads in the `seconds` format: the oracle for Ardoq's 429.
#[derive(Debug, Clone, Copy)]
enum Seconds {
    /// Not a valid value, or a zero wait: the header counts as absent.
    Invalid,
    /// A valid wait (saturating at `Duration::MAX`).
    Is(Duration),
    /// Not checked against an exact value (dates: valid only in the `http` format).
    Unchecked,
}

/// A header sent once per value listed (a repeated header when more than one).
struct Hostile {
    what: &'static str,
    values: Vec<Vec<u8>>,
    seconds: Seconds,
}

fn one(what: &'static str, value: &[u8], seconds: Seconds) -> Hostile {
    Hostile {
        what,
        values: vec![value.to_vec()],
        seconds,
    }
}

fn repeated(what: &'static str, values: &[&[u8]], seconds: Seconds) -> Hostile {
    Hostile {
        what,
        values: values.iter().map(|v| v.to_vec()).collect(),
        seconds,
    }
}

fn hostile_values() -> Vec<Hostile> {
    use Seconds::{Invalid, Unchecked};
    let secs = |n: u64| Seconds::Is(Duration::from_secs(n));
    let millis = |ms| Seconds::Is(Duration::from_millis(ms));
    let longest = Seconds::Is(Duration::MAX);
    let long_digits = "9".repeat(10_000);
    let long_text = "a".repeat(8_192);
    let values = vec![
        one("empty", b"", Invalid),
        one("blank", b"   ", Invalid),
        one("tab only", b"\t", Invalid),
        one("zero", b"0", Invalid),
        one("negative", b"-1", Invalid),
        one("negative zero", b"-0", Invalid),
        one("plus sign", b"+5", Invalid),
        one("fractional", b"1.5", millis(1500)),
        one("fraction below one", b"0.5", millis(500)),
        one("fraction of zero", b"0.000", Invalid),
        one("trailing dot", b"1.", Invalid),
        one("leading dot", b".5", Invalid),
        one("exponent", b"1e3", Invalid),
        one("hexadecimal", b"0x10", Invalid),
        one("padded", b"  5  ", secs(5)),
        one("padded with tabs", b"\t7\t", secs(7)),
        one(
            "leading zeros",
            b"000000000000000000000000000000120",
            secs(120),
        ),
        one("inside a space", b"1 2", Invalid),
        one("a list", b"1, 2", Invalid),
        one("with a unit", b"120 seconds", Invalid),
        one("just at the Ardoq cap", b"60", secs(60)),
        one("just past the Ardoq cap", b"61", secs(61)),
        one("an hour", b"3600", secs(3600)),
        one("u32 max + 1", b"4294967296", secs(4_294_967_296)),
        one(
            "i64 max + 1",
            b"9223372036854775808",
            secs(9_223_372_036_854_775_808),
        ),
        one("u64 max", b"18446744073709551615", secs(u64::MAX)),
        one("u64 max + 1", b"18446744073709551616", longest),
        one("ten thousand digits", long_digits.as_bytes(), longest),
        one("eight KiB of text", long_text.as_bytes(), Invalid),
        one("NaN", b"NaN", Invalid),
        one("infinity", b"inf", Invalid),
        one("a word", b"soon", Invalid),
        one("latin-1 byte", b"1\xe9", Invalid),
        one("invalid UTF-8 only", b"\xff\xfe\xfd", Invalid),
        one(
            "UTF-8 digit lookalike",
            "\u{0661}\u{0662}".as_bytes(),
            Invalid,
        ),
        one("fullwidth digits", "\u{ff15}".as_bytes(), Invalid),
        one(
            "far-future date",
            b"Fri, 31 Dec 9999 23:59:59 GMT",
            Unchecked,
        ),
        one("far-past date", b"Thu, 01 Jan 1970 00:00:00 GMT", Unchecked),
        one("RFC 850 date", b"Sunday, 06-Nov-94 08:49:37 GMT", Unchecked),
        one("asctime date", b"Sun Nov  6 08:49:37 1994", Unchecked),
        one("impossible date", b"Mon, 32 Dec 2099 25:61:61 GMT", Invalid),
        one(
            "date in UTC not GMT",
            b"Wed, 21 Oct 2015 07:28:00 UTC",
            Invalid,
        ),
        one(
            "date with a bad weekday",
            b"Xyz, 21 Oct 2015 07:28:00 GMT",
            Invalid,
        ),
        repeated("invalid then valid", &[b"soon", b"5"], secs(5)),
        repeated("huge then small", &[b"99999999", b"1"], secs(99_999_999)),
        repeated("three invalid", &[b"", b"-1", b"x"], Invalid),
        repeated("many valid", &[&b"1"[..]; 50], secs(1)),
    ];
    assert!(values.len() >= 30);
    values
}

fn header_map(name: &'static str, values: &[Vec<u8>]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    // GitHub's rate-limited 403s say so; without it a 403 is a permission error.
    if name == "x-ratelimit-reset" {
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    }
    for value in values {
        let value = HeaderValue::from_bytes(value).expect("a value a server can send");
        headers.append(HeaderName::from_static(name), value);
    }
    headers
}

// ----- the retry engine with a recording sleeper ----------------------------------------------

/// One kind of response a hostile value is put in: an error type, a status and the header
/// its wait is read from.
struct Target {
    what: &'static str,
    status: u16,
    header: &'static str,
    run: fn(u16, &HeaderMap) -> Outcome,
}

/// What `from_parts` and the engine made of one response.
#[derive(Debug)]
struct Outcome {
    retry_after: Option<Duration>,
    policy: RetryPolicy,
    /// `min_wait`: the floor of every wait, the config's or the error's.
    floor: Duration,
    cap: Duration,
    max_backoff: Duration,
    /// Attempts and waits of the blocking engine, then of the async one.
    blocking: (u32, Vec<Duration>),
    async_: (u32, Vec<Duration>),
}

const ATTEMPTS: u32 = 4;

/// `from_parts`, then the same error from every attempt through `run_blocking` and `run`.
fn outcome<E: StatusError>(status: u16, headers: &HeaderMap) -> Outcome {
    let status = StatusCode::from_u16(status).expect("a status");
    let error = E::from_parts(status, headers, None);
    let config = E::retry_config().with_max_attempts(ATTEMPTS);
    let (cap, max_backoff) = (config.max_retry_after, config.max_backoff);

    let recorder = RecordingSleeper::real();
    let retrier = Retrier::new(config.clone()).with_sleeper(recorder.clone());
    let mut calls = 0;
    let result: Result<(), E> = retrier.run_blocking(true, || {
        calls += 1;
        Err(E::from_parts(status, headers, None))
    });
    assert!(result.is_err());
    let blocking = (calls, recorder.sleeps());

    let recorder = RecordingSleeper::real();
    let retrier = Retrier::new(config).with_sleeper(recorder.clone());
    let mut calls = 0;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let result: Result<(), E> = runtime.block_on(retrier.run(true, || {
        calls += 1;
        std::future::ready(Err(E::from_parts(status, headers, None)))
    }));
    assert!(result.is_err());
    let async_ = (calls, recorder.sleeps());

    Outcome {
        retry_after: error.retry_after(),
        policy: error.policy(),
        floor: E::retry_config()
            .min_wait
            .max(error.min_wait())
            .unwrap_or_default(),
        cap,
        max_backoff,
        blocking,
        async_,
    }
}

fn targets() -> [Target; 6] {
    [
        Target {
            what: "Ardoq 429 (after-header, seconds)",
            status: 429,
            header: "retry-after",
            run: outcome::<ArdoqError>,
        },
        Target {
            what: "Ardoq 503 (fallback, idempotent, http)",
            status: 503,
            header: "retry-after",
            run: outcome::<ArdoqError>,
        },
        Target {
            what: "GitHub 403 with retry-after (a case: after-header, min_wait 1s, http)",
            status: 403,
            header: "retry-after",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "GitHub 403 with x-ratelimit-remaining 0 (a case: after-header, unix)",
            status: 403,
            header: "x-ratelimit-reset",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "GitHub 503 (inherited after-header, http)",
            status: 503,
            header: "retry-after",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "Shop 503 (after-header, millis)",
            status: 503,
            header: "x-retry-in-ms",
            run: outcome::<ShopError>,
        },
    ]
}

/// The engine's promises for one outcome; `Err` says which was broken.
fn check_engine(o: &Outcome) -> Result<(), String> {
    for (engine, (calls, waits)) in [("blocking", &o.blocking), ("async", &o.async_)] {
        if waits.iter().any(|w| *w > o.cap) {
            return Err(format!(
                "{engine}: waited {waits:?}, past the cap {:?}",
                o.cap
            ));
        }
        if *calls > ATTEMPTS || waits.len() + 1 != *calls as usize {
            return Err(format!("{engine}: {calls} calls with waits {waits:?}"));
        }
        match o.retry_after {
            Some(asked) if asked > o.cap => {
                if *calls != 1 {
                    return Err(format!(
                        "{engine}: asked {asked:?} over the cap {:?}, yet {calls} calls",
                        o.cap
                    ));
                }
            }
            Some(asked) => {
                if o.policy == RetryPolicy::AfterHeader
                    && waits.iter().any(|w| *w != asked.max(o.floor))
                {
                    return Err(format!("{engine}: asked {asked:?}, waited {waits:?}"));
                }
                // Never before the server's stated time, whatever the policy.
                if waits.iter().any(|w| *w < asked) {
                    return Err(format!("{engine}: asked {asked:?}, waited {waits:?}"));
                }
            }
            None => {
                if waits.iter().any(|w| *w > o.max_backoff.max(o.floor)) {
                    return Err(format!("{engine}: no wait asked, yet waited {waits:?}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn hostile_wait_headers_never_panic_nor_pass_the_cap() {
    let values = hostile_values();
    let mut failures = Vec::new();
    let mut checked = 0;
    for target in targets() {
        for value in &values {
            let headers = header_map(target.header, &value.values);
            let run = target.run;
            let outcome =
                std::panic::catch_unwind(|| run(target.status, &headers)).map_err(|_| "panicked");
            let verdict = outcome
                .map_err(str::to_owned)
                .and_then(|o| check_engine(&o).map(|()| o));
            match verdict {
                Ok(_) => checked += 1,
                Err(why) => failures.push(format!("{} / {}: {why}", target.what, value.what)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, values.len() * targets().len());
}

#[test]
fn seconds_values_read_as_rfc_9110_delay_seconds() {
    // The oracle for the `seconds` format, through Ardoq's 429: digits only, optional
    // whitespace around, first valid of repeated headers; anything else is no wait.
    for value in hostile_values() {
        let headers = header_map("retry-after", &value.values);
        let e = ArdoqError::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers, None);
        match value.seconds {
            Seconds::Invalid => assert_eq!(e.retry_after(), None, "{}", value.what),
            Seconds::Is(wait) => assert_eq!(e.retry_after(), Some(wait), "{}", value.what),
            Seconds::Unchecked => {}
        }
    }
}

#[test]
fn dates_wait_until_then_or_not_at_all() {
    let status = StatusCode::FORBIDDEN;
    let wait = |value: &str| {
        let headers = header_map("retry-after", &[value.as_bytes().to_vec()]);
        GitHubError::from_parts(status, &headers, None).retry_after()
    };
    // Past dates are no wait (the engine backs off); the far future is far past the cap, so
    // the engine stops.
    assert_eq!(wait("Thu, 01 Jan 1970 00:00:00 GMT"), None);
    assert_eq!(wait("Sun Nov  6 08:49:37 1994"), None);
    let far = wait("Fri, 31 Dec 9999 23:59:59 GMT").expect("a valid date");
    assert!(far > Duration::from_secs(200 * 365 * 24 * 3600));
    assert_eq!(wait("Sat, 01 Jan 10000 00:00:00 GMT"), Some(Duration::MAX));
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let soon = wait(&soon).expect("a valid date");
    assert!(
        soon <= Duration::from_secs(30) && soon >= Duration::from_secs(28),
        "{soon:?}"
    );
    // An epoch second past what SystemTime holds is a huge wait, not a panic nor no wait.
    let headers = header_map("x-ratelimit-reset", &[b"18446744073709551615".to_vec()]);
    let e = GitHubError::from_parts(status, &headers, None);
    assert!(
        e.retry_after()
            .is_some_and(|w| w > Duration::from_secs(120))
    );
}

// ----- over real HTTP -------------------------------------------------------------------------

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// A current-thread runtime: the client's connection task runs on the test's thread.
fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn hostile_wait_headers_over_http_read_as_from_parts_reads_them() {
    let values = hostile_values();
    let server = ScriptServer::start_on_thread();
    for (index, value) in values.iter().enumerate() {
        let reply = value
            .values
            .iter()
            .fold(Reply::new(429).body("slow down"), |reply, value| {
                reply.header("retry-after", value)
            });
        server.always(&format!("/wait/{index}"), reply);
    }
    let http = client();
    client_runtime().block_on(async {
        for (index, value) in values.iter().enumerate() {
            let url = format!("{}/wait/{index}", server.url());
            let response = http.get(&url).send().await.expect("a response");
            let sent = response.headers().clone();
            let e = errspec::reqwest::check::<ArdoqError>(response)
                .await
                .expect_err("429 is an error");
            let local = ArdoqError::from_parts(StatusCode::TOO_MANY_REQUESTS, &sent, None);
            assert_eq!(e.retry_after(), local.retry_after(), "{}", value.what);
            assert_eq!(e.body(), Some("slow down"), "{}", value.what);
            if let Seconds::Is(wait) = value.seconds {
                assert_eq!(e.retry_after(), Some(wait), "{}", value.what);
            }
        }
    });
}
