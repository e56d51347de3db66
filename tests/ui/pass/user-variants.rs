use std::error::Error as _;

use errspec::StatusError;

#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {
    /// The connection failed.
    #[errspec(message = "could not reach the server", retry = "idempotent")]
    Transport(#[source] std::io::Error),
    /// The body did not decode.
    #[errspec(message = "the response did not decode")]
    Decode {
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
        what: &'static str,
    },
    /// No source at all.
    #[errspec(message = "the client was shut down", retry = "never")]
    Closed,
}

fn main() {
    let e = SmallError::Transport(std::io::Error::other("refused"));
    assert_eq!(e.to_string(), "could not reach the server");
    assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("refused"));
    assert_eq!(e.status(), None);
    assert!(e.is_retryable(true));
    assert!(!e.is_retryable(false));
    let e = SmallError::Decode { cause: "bad json".into(), what: "user" };
    assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("bad json"));
    assert!(SmallError::Closed.source().is_none());
    assert!(matches!(SmallError::from(errspec::http::StatusCode::NOT_FOUND), SmallError::NotFound { .. }));
}
