//! RFC 9110 idempotency of request methods.

use http::Method;

/// Whether `method` is idempotent in RFC 9110 terms (section 9.2.2): GET, HEAD, OPTIONS,
/// TRACE, PUT or DELETE, errspec-core's `IDEMPOTENT_METHODS` (the example checks that list).
///
/// ```
/// use errspec::http::Method;
/// assert!(errspec::is_idempotent(&Method::PUT));
/// assert!(!errspec::is_idempotent(&Method::POST));
/// # assert_eq!(errspec_core::IDEMPOTENT_METHODS, ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    errspec_core::Idempotency::of_method(method.as_str()).is_idempotent()
}
