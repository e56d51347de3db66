//! The vocabulary errspec's two halves share: what a spec can say about retries, as values.
//!
//! The spec reader (`errspec-spec`, at compile time) parses a spec's `retry`, `jitter` and
//! `format` spellings into these types and resolves `[retry]` into a [`RetryConfig`]; the
//! runtime (`errspec`, which re-exports the types its users name) retries by them. Each
//! spelling, each default and each description is written once, here, so the spec and the
//! runtime cannot drift apart: a new wait format or policy is one variant of one enum.
//!
//! The enums are `#[non_exhaustive]`, so other crates' matches on them need a catch-all arm;
//! every decision about a variant (its description, a format's syntax, a transport kind's
//! policy) is therefore an exhaustive `match` here, and a new variant is a compile error until
//! each answers. `tests/every_variant.rs` lists those places.
//!
//! The crate depends on nothing but `fastrand` (for jitter), so the proc-macro side of a
//! user's build pays almost nothing for it.
//!
//! ```
//! use errspec_core::{Idempotency, RetryConfig, RetryPolicy};
//!
//! assert_eq!(RetryPolicy::from_spelling("after-header"), Some(RetryPolicy::AfterHeader));
//! assert!(RetryPolicy::Idempotent.allows(Idempotency::Idempotent));
//! assert!(!RetryPolicy::Idempotent.allows(Idempotency::NonIdempotent));
//! assert_eq!(RetryConfig::new().max_attempts, 3);
//! ```

// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
#[macro_use]
mod spelled;

mod backoff;
mod class;
mod config;
mod decide;
mod policy;
mod quota;
mod rate_limit;
mod wait;
mod when;

pub use class::{UNCLASSIFIED_MESSAGE, UNKNOWN_REASON, class_index};
pub use config::{BudgetConfig, RetryConfig};
pub use decide::{Decision, Failure, PauseBound, Stop, WaitReason};
pub use policy::{
    IDEMPOTENT_METHODS, Idempotency, Jitter, RetryPolicy, TransportKind, TransportPolicies,
};
pub use quota::{CountFormat, CountSyntax, HTTP_METHODS, Quota};
pub use rate_limit::{Pacing, RateLimitConfig, Scope};
#[allow(deprecated)]
pub use wait::WaitHeader;
pub use wait::{WaitField, WaitFormat, WaitSource, WaitSyntax, WaitUnit};
pub use when::{MatchTest, POINTER_WILDCARD, pointer_has_wildcard};
