//! RFC 9110 idempotency of request methods.

use http::Method;

/// Whether `method` is idempotent in RFC 9110 terms (section 9.2.2): one of errspec-core's
/// `IDEMPOTENT_METHODS` (GET, HEAD, OPTIONS, TRACE, PUT and DELETE).
///
/// ```
/// use errspec::http::Method;
/// assert!(errspec::is_idempotent(&Method::PUT));
/// assert!(!errspec::is_idempotent(&Method::POST));
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    errspec_core::Idempotency::of_method(method.as_str()).is_idempotent()
}
