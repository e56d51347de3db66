//! Generated code is lint-clean in a crate that denies every warning (thiserror's
//! `test_lints` idea); clippy in CI checks the same expansion with pedantic lints on.
#![deny(
    warnings,
    unused_qualifications,
    missing_docs,
    unreachable_pub,
    rust_2018_idioms
)]
#![deny(missing_debug_implementations, trivial_casts, unused_results)]

/// The API's errors.
pub mod api {
    /// Errors of the GitHub-like test API.
    #[errspec::errors(spec = "specs/github.toml")]
    #[derive(Debug)]
    pub enum GitHubError {
        /// The transport failed.
        #[errspec(message = "transport failed", retry = "idempotent")]
        Transport(#[source] std::io::Error),
    }

    /// Errors of the template test API, crate-private.
    #[errspec::errors(spec = "specs/template.toml")]
    #[derive(Debug)]
    pub(crate) enum ShopError {}

    /// A spec that lists no status: the fallback is the only variant.
    #[errspec::errors(spec = "specs/two-attempts.toml")]
    #[derive(Debug)]
    pub enum OtherError {}
}

#[test]
fn expansions_compile_under_strict_lints() {
    let e = api::GitHubError::from(errspec::http::StatusCode::NOT_FOUND);
    assert_eq!(
        e.to_string(),
        "404 Not Found: ".to_owned()
            + api::GitHubError::STATUSES
                .iter()
                .find(|s| s.code == 404)
                .map(|s| s.message)
                .unwrap_or_default()
    );
    let e = api::ShopError::from(errspec::http::StatusCode::NOT_FOUND);
    assert!(e.to_string().starts_with("[NotFound]"));
    let e = api::OtherError::from(errspec::http::StatusCode::BAD_GATEWAY);
    assert_eq!(e.to_string(), "502 Bad Gateway: server error");
}
