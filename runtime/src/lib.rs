//! errspec turns a TOML spec of an HTTP API's status codes into a client's error handling.
//!
//! See the crate README for the spec format; this crate holds what generated code calls.
#![doc(html_root_url = "https://docs.rs/errspec/0.1.0")]

mod backoff;
mod budget;
mod config;
mod method;
mod policy;
#[cfg(feature = "reqwest")]
pub mod reqwest;
mod retrier;
mod retrying;
mod sleep;
mod status_error;
mod wait;

pub use budget::RetryBudget;
pub use config::{BudgetConfig, RetryConfig, WaitFormat, WaitHeader};
pub use errspec_macros::{client, errors};
pub use http;
pub use method::is_idempotent;
pub use policy::{Jitter, RetryPolicy, StatusInfo};
pub use retrier::{Attempts, Retrier, retry, retry_blocking};
pub use retrying::Retrying;
#[cfg(feature = "tokio")]
pub use sleep::TokioSleeper;
pub use sleep::{DefaultSleeper, Sleeper, ThreadSleeper};
pub use status_error::{BODY_EXCERPT_LIMIT, Details, StatusError, body_excerpt};
pub use wait::{parse_wait, wait_from_headers};

/// Not public API: what generated code refers to.
#[doc(hidden)]
pub mod __private {
    pub use core::fmt::{Formatter, Result as FmtResult};
    pub use core::time::Duration;
    pub use http::{HeaderMap, StatusCode};

    pub use crate::{
        BudgetConfig, Details, Jitter, RetryConfig, RetryPolicy, StatusError, StatusInfo,
        WaitFormat, WaitHeader,
    };

    /// The status with this code; used in `const` blocks, where an invalid code (which the
    /// spec's validation rules out) is a compile error rather than a panic.
    pub const fn status_code(code: u16) -> StatusCode {
        match StatusCode::from_u16(code) {
            Ok(status) => status,
            Err(_) => panic!("status codes are 100..=999"),
        }
    }

    /// The index of a status's class: 0 to 4 for 1xx to 5xx, 5 for codes 600 and above,
    /// which RFC 9110 puts in no class.
    pub const fn class_index(status: StatusCode) -> usize {
        let class = (status.as_u16() / 100) as usize;
        if class >= 6 {
            5
        } else {
            class.saturating_sub(1)
        }
    }

    /// The reason phrase of a status the spec does not list (the `http` crate's, or
    /// "Unknown Status").
    pub fn reason_phrase(status: StatusCode) -> &'static str {
        status.canonical_reason().unwrap_or("Unknown Status")
    }

    /// The body of a stub impl emitted beside a compile error; never runs, since the crate does
    /// not compile.
    #[cold]
    pub fn unreachable_stub() -> ! {
        unreachable!("errspec emitted this stub beside a compile error")
    }

    /// What `#[errspec::client]` asks of a retried method's arguments: each attempt gets a
    /// clone.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not `Clone`, but errspec passes a clone of each argument of a retried method to every attempt",
        label = "this argument's type is not `Clone`",
        note = "derive or implement `Clone` for it, take it by reference, or wrap it in an `Arc`"
    )]
    pub trait RetryArgument {
        /// A copy for the next attempt.
        #[must_use]
        fn clone_for_attempt(&self) -> Self;
    }

    impl<T: Clone> RetryArgument for T {
        fn clone_for_attempt(&self) -> Self {
            self.clone()
        }
    }

    /// A clone of `value` for one attempt of a retried method.
    pub fn clone_argument<T: RetryArgument>(value: &T) -> T {
        value.clone_for_attempt()
    }

    /// Lets a `#[source]` field of any error type, sized or not, be returned from
    /// `Error::source`.
    pub trait AsDynError<'a> {
        /// `self` as a trait object.
        fn as_dyn_error(&self) -> &(dyn std::error::Error + 'a);
    }

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
}
