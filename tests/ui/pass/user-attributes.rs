//! The user's derives, docs, visibility and cfgs survive the expansion.

mod api {
    /// Errors of the small API.
    #[errspec::errors(spec = "specs/small.toml")]
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub(crate) enum SmallError {
        #[cfg(any())]
        #[errspec(message = "never compiled")]
        Gone,
        #[errspec(message = "cancelled")]
        Cancelled,
    }
}

fn main() {
    use errspec::http::StatusCode;
    let a = api::SmallError::from(StatusCode::NOT_FOUND);
    let b = a.clone();
    assert_eq!(a, b);
    assert_ne!(a, api::SmallError::Cancelled);
    assert!(format!("{a:?}").contains("NotFound"));
    assert_eq!(api::SmallError::STATUSES[1].code, 429);
}
