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
    // 503 comes from the base with `after-header`; 403 is overridden by the spec
    assert_eq!(GitHubError::from(StatusCode::SERVICE_UNAVAILABLE).policy(), errspec::RetryPolicy::AfterHeader);
    assert_eq!(GitHubError::from(StatusCode::FORBIDDEN).policy(), errspec::RetryPolicy::AfterHeader);
    assert_eq!(GitHubError::retry_config().max_attempts, 4);
}
