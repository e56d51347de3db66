use errspec::StatusError;
use errspec::http::StatusCode;

#[errspec::errors(spec = "specs/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

fn main() {
    // every IANA status is a variant, plus the spec's own 599
    assert!(matches!(GitHubError::from(StatusCode::IM_A_TEAPOT), GitHubError::Other { .. }));
    assert!(matches!(GitHubError::from(StatusCode::GONE), GitHubError::Gone { .. }));
    let e = GitHubError::try_from(599).unwrap();
    assert!(matches!(e, GitHubError::NetworkConnectTimeout { .. }));
    assert_eq!(e.policy(), errspec::RetryPolicy::Idempotent);
    // 503 comes from the base with `after-header`; 403 is overridden by the spec, and its
    // rate limits are cases
    assert_eq!(GitHubError::from(StatusCode::SERVICE_UNAVAILABLE).policy(), errspec::RetryPolicy::AfterHeader);
    assert_eq!(GitHubError::from(StatusCode::FORBIDDEN).policy(), errspec::RetryPolicy::Never);
    let mut headers = errspec::http::HeaderMap::new();
    headers.insert("x-ratelimit-remaining", errspec::http::HeaderValue::from_static("0"));
    let e = GitHubError::from_parts(StatusCode::FORBIDDEN, &headers, None);
    assert!(matches!(e, GitHubError::RateLimited { .. }));
    assert_eq!(e.policy(), errspec::RetryPolicy::AfterHeader);
    assert_eq!(e.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(GitHubError::retry_config().max_attempts, 4);
}
