//! What the generated error enums call.

use http::StatusCode;

use super::sealed;

/// The status with this code; used in `const` blocks, where an invalid code (which the spec's
/// validation rules out) is a compile error rather than a panic.
///
/// # Panics
///
/// At compile time, for a code outside `100..=999`.
pub const fn status_code(code: u16) -> StatusCode {
    match StatusCode::from_u16(code) {
        Ok(status) => status,
        Err(_) => panic!("status codes are 100..=999"),
    }
}

/// The reason phrase of a status the spec does not list (the `http` crate's, or "Unknown
/// Status").
pub fn reason_phrase(status: StatusCode) -> &'static str {
    status
        .canonical_reason()
        .unwrap_or(errspec_core::UNKNOWN_REASON)
}

/// The body of a stub impl emitted beside a compile error; never runs, since the crate does not
/// compile.
#[cold]
pub fn unreachable_stub() -> ! {
    unreachable!("errspec emitted this stub beside a compile error")
}

/// Lets a `#[source]` field of any error type, sized or not, be returned from `Error::source`.
pub trait AsDynError<'a>: sealed::DynError {
    /// `self` as a trait object.
    fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a);
}

impl<T: std::error::Error> sealed::DynError for T {}
impl sealed::DynError for dyn std::error::Error + '_ {}
impl sealed::DynError for dyn std::error::Error + Send + '_ {}
impl sealed::DynError for dyn std::error::Error + Send + Sync + '_ {}

impl<'a, T: std::error::Error + 'a> AsDynError<'a> for T {
    fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
        self
    }
}

impl<'a> AsDynError<'a> for dyn std::error::Error + 'a {
    fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
        self
    }
}

impl<'a> AsDynError<'a> for dyn std::error::Error + Send + 'a {
    fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
        self
    }
}

impl<'a> AsDynError<'a> for dyn std::error::Error + Send + Sync + 'a {
    fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a) {
        self
    }
}
