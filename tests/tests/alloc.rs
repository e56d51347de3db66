//! Conversions, policy lookups and Display into a reused buffer allocate nothing.

use std::fmt::Write as _;

use errspec::StatusError;
use errspec::http::StatusCode;
use errspec_test_support::alloc::allocations;
use errspec_test_support::{CountingAllocator, headers};

/// Counts this thread's allocations.
#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[errspec::errors(spec = "specs/template.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

#[test]
fn conversions_and_display_do_not_allocate() {
    let mut buf = String::with_capacity(4096);
    let codes: Vec<StatusCode> = (100..=999)
        .filter_map(|c| StatusCode::from_u16(c).ok())
        .collect();
    let mut retryable = 0;
    let before = allocations();
    for &status in &codes {
        let e = ArdoqError::from(status);
        retryable += usize::from(e.policy().allows(true));
        buf.clear();
        write!(buf, "{e}").unwrap();
        let e = ShopError::from(status);
        retryable += usize::from(e.is_retryable(false));
        buf.clear();
        write!(buf, "{e}").unwrap();
        let _ = (e.hint(), e.status(), e.retry_after());
    }
    let after = allocations();
    assert_eq!(
        after - before,
        0,
        "allocations during {} conversions",
        codes.len() * 2
    );
    assert!(retryable > 0);
    // the counter does count: a boxed value is one allocation
    let before = allocations();
    let boxed = Box::new(retryable);
    assert_eq!(allocations() - before, 1);
    drop(boxed);
}

/// A status with cases told apart by headers (`specs/github.toml`).
#[errspec::errors(spec = "specs/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

#[test]
fn from_parts_tells_cases_apart_without_allocating() {
    let rate_limited = headers(&[
        ("x-ratelimit-remaining", "0"),
        ("x-github-request-id", "CAFE:1"),
    ]);
    let permission = headers(&[("x-ratelimit-remaining", "4999")]);
    let forbidden = StatusCode::FORBIDDEN;
    let mut seen = Vec::with_capacity(4);
    let before = allocations();
    for _ in 0..100 {
        let e = GitHubError::from_parts(forbidden, &rate_limited, None);
        let f = GitHubError::from_parts(forbidden, &permission, None);
        if seen.len() < 2 {
            seen.push((e.policy(), f.policy()));
        }
        let _ = (e.retry_after(), f.retry_after(), e.hint(), f.status());
    }
    let after = allocations();
    assert_eq!(after - before, 0, "allocations during 200 from_parts");
    assert!(matches!(
        GitHubError::from_parts(forbidden, &rate_limited, None),
        GitHubError::RateLimited { .. }
    ));
    assert!(matches!(
        GitHubError::from_parts(forbidden, &permission, None),
        GitHubError::Forbidden { .. }
    ));
    assert_eq!(
        seen[0],
        (
            errspec::RetryPolicy::AfterHeader,
            errspec::RetryPolicy::Never
        )
    );
}

/// Cases that test a header's prefix and JSON fields (`specs/matching.toml`).
#[errspec::errors(spec = "specs/matching.toml")]
#[derive(Debug)]
pub enum MatchingError {}

#[test]
fn a_header_prefix_case_without_a_body_does_not_allocate() {
    let throttled = headers(&[(
        "x-amzn-errortype",
        "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
    )]);
    let other = headers(&[("x-amzn-errortype", "ValidationException:http://internal/")]);
    let bad = StatusCode::BAD_REQUEST;
    let before = allocations();
    let mut throttling = 0;
    for _ in 0..100 {
        let e = MatchingError::from_parts(bad, &throttled, None);
        let f = MatchingError::from_parts(bad, &other, None);
        throttling += usize::from(matches!(e, MatchingError::Throttling { .. }));
        throttling += usize::from(matches!(f, MatchingError::Throttling { .. }));
        let _ = (e.retry_after(), f.policy());
    }
    assert_eq!(
        allocations() - before,
        0,
        "allocations during 200 from_parts"
    );
    assert_eq!(throttling, 100);
    assert!(matches!(
        MatchingError::from_parts(bad, &other, None),
        MatchingError::BadRequest { .. }
    ));
}

#[errspec::errors(spec = "specs/parsed-once/one-case.toml")]
#[derive(Debug)]
pub enum OneCaseError {}

#[errspec::errors(spec = "specs/parsed-once/many-cases.toml")]
#[derive(Debug)]
pub enum ManyCasesError {}

/// A Google AIP-193 429 (`error.details[]` holds the reason and the delay).
const GOOGLE_429: &[u8] = br#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"},
    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}"#;

#[test]
fn a_body_is_parsed_once_however_many_cases_and_sources_read_it() {
    let no_headers = errspec::http::HeaderMap::new();
    let status = StatusCode::TOO_MANY_REQUESTS;
    let count = |f: &dyn Fn() -> Option<std::time::Duration>| {
        let before = allocations();
        let wait = f();
        (allocations() - before, wait)
    };
    let one =
        count(&|| OneCaseError::from_parts(status, &no_headers, Some(GOOGLE_429)).retry_after());
    let many =
        count(&|| ManyCasesError::from_parts(status, &no_headers, Some(GOOGLE_429)).retry_after());
    let wait = Some(std::time::Duration::from_millis(1500));
    assert_eq!((one.1, many.1), (wait, wait));
    // four case tests and three wait sources allocate what one of each does: one parse
    assert_eq!(
        many.0, one.0,
        "allocations: one case {}, five cases {}",
        one.0, many.0
    );
    // a parse is many allocations, and one conversion makes fewer than two parses do
    let before = allocations();
    let parsed: Option<serde_json::Value> = serde_json::from_slice(GOOGLE_429).ok();
    let parse = allocations() - before;
    assert!(
        parsed.is_some() && parse >= 10,
        "{parse} allocations for a parse"
    );
    assert!(
        one.0 < 2 * parse,
        "{} allocations for one conversion, {parse} for a parse",
        one.0
    );
}
