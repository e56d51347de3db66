use errspec::StatusError;
use errspec::http::StatusCode;

#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

fn main() {
    let e = ArdoqError::from(StatusCode::NOT_FOUND);
    assert!(matches!(e, ArdoqError::NotFound { .. }));
    assert_eq!(e.status(), Some(StatusCode::NOT_FOUND));
    let e = ArdoqError::from(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(e.policy(), errspec::RetryPolicy::AfterHeader);
    assert_eq!(ArdoqError::STATUSES.len(), 7);
    assert!(core::mem::size_of::<ArdoqError>() <= 24);
}
