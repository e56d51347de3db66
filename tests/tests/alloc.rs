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
