//! What generated code refers to, as `errspec::__private`: re-exports only. The items live in
//! `support/`, by what they support; none is public API.

pub use crate::response::Response;
pub use crate::support::argument::{RetryArgument, take_argument};
pub use crate::support::call::{
    CallAttempts, Engine, Forward, ForwardOtherErrors, PassArgument, PassArguments,
    RetryWithStatus, assert_status_error,
};
pub use crate::support::error::{AsDynError, reason_phrase, status_code, unreachable_stub};
pub use crate::support::features::{
    Json, JsonFeature, Rfc3339, Rfc3339Feature, require_json, require_rfc3339,
};
pub use crate::support::scope::{ByDisplay, ByNeither, ByText, ScopeArgument, ScopeArgumentType};
pub use crate::support::thread_sleeper_pending;
