//! Generated code against the hand-written equivalent: `From<StatusCode>`, `policy()` and
//! `Display` into a reused `String`, with allocations counted.
//!
//! `cargo bench -p errspec-tests --bench micro`. The generated enum comes from the Ardoq spec
//! through `#[errspec::errors]`; the hand-written one is what a careful user writes with
//! thiserror: the same variants, each holding the same one-pointer box of response details, the
//! same messages, and a `match` per question. Before timing, the two are checked to agree on
//! every status code 100..=999.
//!
//! `from_parts_wildcard` times a case that searches a JSON body: Google's AIP-193 429, whose
//! reason and retry delay are somewhere in `error.details[]` (`/error/details/*/reason` and
//! `/error/details/*/retryDelay` in `specs/matching.toml`), against serde_json's `Value` searched
//! by hand.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use errspec::http::StatusCode;
use errspec::{RetryPolicy, StatusError as _};
use errspec_test_support::CountingAllocator;
use errspec_test_support::alloc::all_allocations;

/// Counts allocations (and reallocations) made through the system allocator.
#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// Allocations made by one run of `f`.
fn allocations_of<R>(mut f: impl FnMut() -> R) -> usize {
    let before = all_allocations();
    black_box(f());
    all_allocations() - before
}

/// Generated from a GitHub-like spec whose 403 has two cases told apart by headers.
#[errspec::errors(spec = "specs/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

/// The same three meanings of a 403, written by hand: a `match` on the status, a header
/// lookup per case, and the wait headers read the way a careful user reads them.
#[allow(missing_docs, reason = "named as the generated variants")]
#[derive(Debug)]
pub enum HandGitHub {
    RateLimited(Extra),
    SecondaryRateLimited(Extra),
    Forbidden(Extra),
    Other(StatusCode, Extra),
}

/// A wait from `retry-after` (seconds or an HTTP-date) or `x-ratelimit-reset` (epoch seconds).
fn hand_wait(headers: &errspec::http::HeaderMap, reset: bool) -> Extra {
    let now = std::time::SystemTime::now();
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let retry_after = text("retry-after").and_then(|v| {
        v.parse::<u64>().map(Duration::from_secs).ok().or_else(|| {
            httpdate::parse_http_date(v)
                .ok()
                .and_then(|at| at.duration_since(now).ok())
        })
    });
    let wait = retry_after.or_else(|| {
        reset
            .then(|| text("x-ratelimit-reset"))
            .flatten()
            .and_then(|v| v.parse::<u64>().ok())
            .and_then(|at| {
                (std::time::UNIX_EPOCH + Duration::from_secs(at))
                    .duration_since(now)
                    .ok()
            })
    });
    Extra(wait.map(|retry_after| {
        Box::new(ExtraInner {
            retry_after: Some(retry_after),
            body: None,
        })
    }))
}

impl HandGitHub {
    fn from_parts(status: StatusCode, headers: &errspec::http::HeaderMap) -> Self {
        match status.as_u16() {
            403 => {
                if headers
                    .get_all("x-ratelimit-remaining")
                    .iter()
                    .any(|v| v.as_bytes() == b"0")
                {
                    Self::RateLimited(hand_wait(headers, true))
                } else if headers.contains_key("retry-after") {
                    Self::SecondaryRateLimited(hand_wait(headers, false))
                } else {
                    Self::Forbidden(hand_wait(headers, false))
                }
            }
            _ => Self::Other(status, hand_wait(headers, false)),
        }
    }

    fn retry_policy(&self) -> RetryPolicy {
        match self {
            Self::RateLimited(_) | Self::SecondaryRateLimited(_) => RetryPolicy::AfterHeader,
            Self::Other(status, _) if status.is_server_error() => RetryPolicy::Idempotent,
            Self::Forbidden(_) | Self::Other(..) => RetryPolicy::Never,
        }
    }
}

/// Responses a GitHub client meets: a primary limit, a secondary limit, a permission error, an
/// outage; none with a wait header, so neither side allocates.
fn github_responses() -> Vec<(StatusCode, errspec::http::HeaderMap)> {
    use errspec::http::HeaderValue;
    let headers = |pairs: &[(&'static str, &'static str)]| {
        let mut map = errspec::http::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    };
    vec![
        (
            StatusCode::FORBIDDEN,
            headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-limit", "5000"),
            ]),
        ),
        (
            StatusCode::FORBIDDEN,
            headers(&[("x-ratelimit-remaining", "4000"), ("retry-after-x", "1")]),
        ),
        (
            StatusCode::FORBIDDEN,
            headers(&[
                ("x-ratelimit-remaining", "4999"),
                ("x-github-request-id", "CAFE"),
            ]),
        ),
        (
            StatusCode::BAD_GATEWAY,
            headers(&[("x-github-request-id", "BEEF")]),
        ),
    ]
}

/// `from_parts` + `policy()` over the responses, generated.
#[inline(never)]
fn cases_generated(responses: &[(StatusCode, errspec::http::HeaderMap)]) -> u32 {
    responses
        .iter()
        .map(|(status, headers)| {
            let e = GitHubError::from_parts(black_box(*status), black_box(headers), None);
            u32::from(policy_byte(e.policy()))
        })
        .sum()
}

/// The same, hand-written.
#[inline(never)]
fn cases_hand_written(responses: &[(StatusCode, errspec::http::HeaderMap)]) -> u32 {
    responses
        .iter()
        .map(|(status, headers)| {
            let e = HandGitHub::from_parts(black_box(*status), black_box(headers));
            u32::from(policy_byte(e.retry_policy()))
        })
        .sum()
}

/// Generated from a spec whose 429 has a wildcard case (`specs/matching.toml`): Google's
/// AIP-193 `details[]` searched for the reason, and for the `RetryInfo`'s delay as the wait.
#[errspec::errors(spec = "specs/matching.toml")]
#[derive(Debug)]
pub enum MatchingError {}

/// A Google AIP-193 429: the reason and the retry delay are in `details`, in no fixed order.
const GOOGLE_BODY: &[u8] = br#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"quota_metric":"sheets.googleapis.com/read_requests","service":"sheets.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}"#;

/// The same 429 told apart by hand: the body parsed with serde_json, `details` searched for
/// the reason and the delay, `"1.5s"` parsed; the body kept, as `Details` keeps its excerpt.
#[allow(missing_docs, reason = "named as the generated variants")]
#[derive(Debug)]
pub enum HandGoogle {
    QuotaExceeded(Extra),
    TooManyRequests(Extra),
    Other(StatusCode, Extra),
}

impl HandGoogle {
    fn from_parts(status: StatusCode, body: &[u8]) -> Self {
        let keep = |retry_after: Option<Duration>| {
            let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
            Extra(Some(Box::new(ExtraInner {
                retry_after,
                body: Some(text.into()),
            })))
        };
        if status != StatusCode::TOO_MANY_REQUESTS {
            return Self::Other(status, keep(None));
        }
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let details = parsed
            .as_ref()
            .and_then(|v| v.pointer("/error/details"))
            .and_then(serde_json::Value::as_array);
        let Some(details) = details else {
            return Self::TooManyRequests(keep(None));
        };
        let quota = details.iter().any(|d| {
            matches!(
                d.get("reason").and_then(serde_json::Value::as_str),
                Some("RATE_LIMIT_EXCEEDED" | "RESOURCE_EXHAUSTED")
            )
        });
        if !quota {
            return Self::TooManyRequests(keep(None));
        }
        let wait = details.iter().find_map(|d| {
            let delay = d.get("retryDelay")?.as_str()?.strip_suffix('s')?;
            Duration::try_from_secs_f64(delay.parse().ok()?).ok()
        });
        Self::QuotaExceeded(keep(wait))
    }

    fn retry_policy(&self) -> RetryPolicy {
        match self {
            Self::QuotaExceeded(_) => RetryPolicy::AfterHeader,
            Self::TooManyRequests(_) | Self::Other(..) => RetryPolicy::Never,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        let (Self::QuotaExceeded(extra) | Self::TooManyRequests(extra) | Self::Other(_, extra)) =
            self;
        extra.0.as_ref().and_then(|inner| inner.retry_after)
    }
}

/// `from_parts` of the Google 429 + `policy()` + the wait, generated.
#[inline(never)]
fn wildcard_generated(headers: &errspec::http::HeaderMap) -> u128 {
    let e = MatchingError::from_parts(
        black_box(StatusCode::TOO_MANY_REQUESTS),
        black_box(headers),
        Some(black_box(GOOGLE_BODY)),
    );
    u128::from(policy_byte(e.policy())) + e.retry_after().map_or(0, |d| d.as_millis())
}

/// The same, hand-written.
#[inline(never)]
fn wildcard_hand_written() -> u128 {
    let e = HandGoogle::from_parts(
        black_box(StatusCode::TOO_MANY_REQUESTS),
        black_box(GOOGLE_BODY),
    );
    u128::from(policy_byte(e.retry_policy())) + e.retry_after().map_or(0, |d| d.as_millis())
}

/// Generated from the Ardoq spec.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

/// What a response adds to a status, kept behind one pointer as errspec's `Details` is.
#[derive(Debug, Default)]
pub struct Extra(
    #[allow(
        dead_code,
        reason = "there for size parity; the bench converts bare statuses"
    )]
    Option<Box<ExtraInner>>,
);

/// The requested wait and a body excerpt.
#[derive(Debug)]
pub struct ExtraInner {
    /// The wait the server asked for.
    pub retry_after: Option<Duration>,
    /// The start of the error body.
    pub body: Option<Box<str>>,
}

/// The same errors, written by hand with thiserror.
#[allow(missing_docs, reason = "each variant's message is its documentation")]
#[derive(Debug, thiserror::Error)]
pub enum HandError {
    #[error("400 Bad Request: the request was malformed or had invalid parameters")]
    BadRequest { extra: Extra },
    #[error("401 Unauthorized: the API token is missing, wrong or expired")]
    Unauthorized { extra: Extra },
    #[error("403 Forbidden: the API token is not allowed to access this resource")]
    Forbidden { extra: Extra },
    #[error("404 Not Found: the resource was not found")]
    NotFound { extra: Extra },
    #[error("409 Conflict: the request conflicts with the current state of the resource")]
    Conflict { extra: Extra },
    #[error(
        "422 Unprocessable Content: the request was understood but its data is incorrect or incomplete"
    )]
    UnprocessableContent { extra: Extra },
    #[error("429 Too Many Requests: rate limit exceeded")]
    TooManyRequests { extra: Extra },
    #[error("{} {}: {}", .status.as_u16(), reason(*.status), class_message(*.status))]
    Other { status: StatusCode, extra: Extra },
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Unknown Status")
}

fn class_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "unexpected informational response",
        200..=299 => "unexpected success status",
        300..=399 => "unexpected redirection",
        400..=499 => "client error",
        500..=599 => "the Ardoq API failed with a server error",
        _ => "unexpected status code outside the standard classes",
    }
}

impl From<StatusCode> for HandError {
    fn from(status: StatusCode) -> Self {
        let extra = Extra::default();
        match status.as_u16() {
            400 => Self::BadRequest { extra },
            401 => Self::Unauthorized { extra },
            403 => Self::Forbidden { extra },
            404 => Self::NotFound { extra },
            409 => Self::Conflict { extra },
            422 => Self::UnprocessableContent { extra },
            429 => Self::TooManyRequests { extra },
            _ => Self::Other { status, extra },
        }
    }
}

impl HandError {
    /// How this error is retried.
    pub fn policy(&self) -> RetryPolicy {
        match self {
            Self::TooManyRequests { .. } => RetryPolicy::AfterHeader,
            Self::Other { status, .. } if status.is_server_error() => RetryPolicy::Idempotent,
            _ => RetryPolicy::Never,
        }
    }
}

/// The statuses each iteration converts: every one the spec lists, and some it does not.
const CODES: [u16; 12] = [400, 401, 403, 404, 409, 422, 429, 418, 500, 502, 503, 302];

fn statuses() -> Vec<StatusCode> {
    CODES
        .iter()
        .map(|&c| StatusCode::from_u16(c).expect("valid code"))
        .collect()
}

fn policy_byte(policy: RetryPolicy) -> u8 {
    match policy {
        RetryPolicy::Never => 0,
        RetryPolicy::Always => 1,
        RetryPolicy::Idempotent => 2,
        RetryPolicy::AfterHeader => 3,
        // a policy newer than this bench: never in the Ardoq spec
        _ => 4,
    }
}

fn main() {
    // The two must be the same code, or the timing compares nothing.
    let (mut generated, mut hand) = (String::new(), String::new());
    for code in 100..=999 {
        let status = StatusCode::from_u16(code).expect("100..=999 are valid");
        let (g, h) = (ArdoqError::from(status), HandError::from(status));
        generated.clear();
        hand.clear();
        write!(generated, "{g}").expect("write to a String");
        write!(hand, "{h}").expect("write to a String");
        assert_eq!(generated, hand, "Display of {code}");
        assert_eq!(g.policy(), h.policy(), "policy of {code}");
    }
    println!(
        "size_of::<ArdoqError>() = {} bytes (generated), size_of::<HandError>() = {} bytes (thiserror)\n",
        size_of::<ArdoqError>(),
        size_of::<HandError>()
    );
    let responses = github_responses();
    for (status, headers) in &responses {
        let (g, h) = (
            GitHubError::from_parts(*status, headers, None),
            HandGitHub::from_parts(*status, headers),
        );
        assert_eq!(
            g.policy(),
            h.retry_policy(),
            "policy of {status} {headers:?}"
        );
    }
    let no_headers = errspec::http::HeaderMap::new();
    assert_eq!(
        wildcard_generated(&no_headers),
        3 + 1500,
        "QuotaExceeded, 1.5 s"
    );
    assert_eq!(wildcard_hand_written(), 3 + 1500, "QuotaExceeded, 1.5 s");
    let codes = statuses();
    let mut buf = String::with_capacity(256);
    println!("allocations per pass over the {} statuses:", codes.len());
    println!(
        "  convert + policy + display: generated {}, hand-written {}",
        allocations_of(|| convert_policy_display::<ArdoqError>(&codes, &mut buf)),
        allocations_of(|| convert_policy_display::<HandError>(&codes, &mut buf)),
    );
    println!(
        "  convert + policy:           generated {}, hand-written {}",
        allocations_of(|| convert_policy::<ArdoqError>(&codes)),
        allocations_of(|| convert_policy::<HandError>(&codes)),
    );
    println!(
        "  from_parts with cases:      generated {}, hand-written {}",
        allocations_of(|| cases_generated(&responses)),
        allocations_of(|| cases_hand_written(&responses)),
    );
    println!(
        "  from_parts, wildcard case:  generated {}, hand-written {}",
        allocations_of(|| wildcard_generated(&no_headers)),
        allocations_of(wildcard_hand_written),
    );
    println!(
        "  to_string (for contrast):   generated {}, hand-written {}\n",
        allocations_of(|| to_string::<ArdoqError>(&codes)),
        allocations_of(|| to_string::<HandError>(&codes)),
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("convert_policy_display");
    group.bench_function("generated", |b| {
        b.iter(|| convert_policy_display::<ArdoqError>(&codes, &mut buf));
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| convert_policy_display::<HandError>(&codes, &mut buf));
    });
    group.finish();
    let mut group = c.benchmark_group("convert_policy");
    group.bench_function("generated", |b| {
        b.iter(|| convert_policy::<ArdoqError>(&codes));
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| convert_policy::<HandError>(&codes));
    });
    group.finish();
    let mut group = c.benchmark_group("from_parts_cases");
    group.bench_function("generated", |b| {
        b.iter(|| cases_generated(&responses));
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| cases_hand_written(&responses));
    });
    group.finish();
    let mut group = c.benchmark_group("from_parts_wildcard");
    group.bench_function("generated", |b| {
        b.iter(|| wildcard_generated(&no_headers));
    });
    group.bench_function("hand_written", |b| {
        b.iter(wildcard_hand_written);
    });
    group.finish();
    let mut group = c.benchmark_group("to_string_allocates");
    group.bench_function("generated", |b| {
        b.iter(|| to_string::<ArdoqError>(&codes));
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| to_string::<HandError>(&codes));
    });
    group.finish();
    c.final_summary();
}

/// What both enums offer the benchmark.
trait Bench: From<StatusCode> + std::fmt::Display {
    fn retry_policy(&self) -> RetryPolicy;
}

impl Bench for ArdoqError {
    fn retry_policy(&self) -> RetryPolicy {
        self.policy()
    }
}

impl Bench for HandError {
    fn retry_policy(&self) -> RetryPolicy {
        self.policy()
    }
}

/// `From<StatusCode>` + `policy()` + `Display` into a reused buffer, for the 12 statuses.
#[inline(never)]
fn convert_policy_display<E: Bench>(codes: &[StatusCode], buf: &mut String) -> u32 {
    let mut sum = 0_u32;
    for &status in codes {
        let e = E::from(black_box(status));
        sum += u32::from(policy_byte(e.retry_policy()));
        buf.clear();
        write!(buf, "{e}").expect("write to a String");
        sum += u32::try_from(buf.len()).unwrap_or(u32::MAX);
    }
    sum
}

/// `From<StatusCode>` + `policy()` alone, for the 12 statuses.
#[inline(never)]
fn convert_policy<E: Bench>(codes: &[StatusCode]) -> u32 {
    codes
        .iter()
        .map(|&status| u32::from(policy_byte(E::from(black_box(status)).retry_policy())))
        .sum()
}

/// For contrast, and to show the allocation counter works: `to_string()` allocates a `String`
/// per error, generated or hand-written alike.
#[inline(never)]
fn to_string<E: Bench>(codes: &[StatusCode]) -> usize {
    codes
        .iter()
        .map(|&status| E::from(black_box(status)).to_string().len())
        .sum()
}
