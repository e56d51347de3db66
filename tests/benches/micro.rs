//! Generated code against the hand-written equivalent: `From<StatusCode>`, `policy()` and
//! `Display` into a reused `String`, with allocations counted.
//!
//! `cargo bench -p errspec-tests --bench micro`. The generated enum comes from the Ardoq spec
//! through `#[errspec::errors]`; the hand-written one is what a careful user writes with
//! thiserror: the same variants, each holding the same one-pointer box of response details, the
//! same messages, and a `match` per question. Before timing, the two are checked to agree on
//! every status code 100..=999.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use divan::{AllocProfiler, Bencher};
use errspec::http::StatusCode;
use errspec::{RetryPolicy, StatusError as _};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

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
    divan::main();
}

/// `From<StatusCode>` + `policy()` + `Display` into a reused buffer, for the 12 statuses.
mod convert_policy_display {
    use std::fmt::Write as _;

    use errspec::StatusError as _;

    use super::{ArdoqError, Bencher, HandError, black_box, policy_byte, statuses};

    #[divan::bench]
    fn generated(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        let mut buf = String::with_capacity(256);
        bencher.bench_local(|| {
            let mut sum = 0_u32;
            for &status in &codes {
                let e = ArdoqError::from(black_box(status));
                sum += u32::from(policy_byte(e.policy()));
                buf.clear();
                write!(buf, "{e}").expect("write to a String");
                sum += u32::try_from(buf.len()).unwrap_or(u32::MAX);
            }
            sum
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        let mut buf = String::with_capacity(256);
        bencher.bench_local(|| {
            let mut sum = 0_u32;
            for &status in &codes {
                let e = HandError::from(black_box(status));
                sum += u32::from(policy_byte(e.policy()));
                buf.clear();
                write!(buf, "{e}").expect("write to a String");
                sum += u32::try_from(buf.len()).unwrap_or(u32::MAX);
            }
            sum
        });
    }
}

/// `From<StatusCode>` + `policy()` alone, for the 12 statuses.
mod convert_policy {
    use errspec::StatusError as _;

    use super::{ArdoqError, Bencher, HandError, black_box, policy_byte, statuses};

    #[divan::bench]
    fn generated(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        bencher.bench_local(|| {
            let mut sum = 0_u32;
            for &status in &codes {
                sum += u32::from(policy_byte(ArdoqError::from(black_box(status)).policy()));
            }
            sum
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        bencher.bench_local(|| {
            let mut sum = 0_u32;
            for &status in &codes {
                sum += u32::from(policy_byte(HandError::from(black_box(status)).policy()));
            }
            sum
        });
    }
}

/// For contrast, and to show the allocation counter works: `to_string()` allocates a `String`
/// per error, generated or hand-written alike.
mod to_string_allocates {
    use super::{ArdoqError, Bencher, HandError, black_box, statuses};

    #[divan::bench]
    fn generated(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        bencher.bench_local(|| {
            codes
                .iter()
                .map(|&status| ArdoqError::from(black_box(status)).to_string().len())
                .sum::<usize>()
        });
    }

    #[divan::bench]
    fn hand_written(bencher: Bencher<'_, '_>) {
        let codes = statuses();
        bencher.bench_local(|| {
            codes
                .iter()
                .map(|&status| HandError::from(black_box(status)).to_string().len())
                .sum::<usize>()
        });
    }
}
