//! The errspec spec: a TOML file listing an HTTP API's status codes, their messages and retry
//! policies. This crate parses it (keeping spans), validates it (collecting every problem),
//! and resolves `extends` and class defaults into one [`Spec`] that code generators consume.
//!
//! The pipeline, one stage a module: [`load`] and [`parse_str`] (`load.rs`) hand the text to
//! `syntax` (TOML parsed, syntax errors reported), then `walk` (the sections; every table
//! read key by key into a spanned `raw` model, each key by the reader the key table in
//! `keys.rs` names, the value readers being methods of `reader.rs`'s `Reader` in `value.rs`,
//! `number.rs` and `inline.rs`), then `valid` (checks across tables and against the `http`
//! base), then `resolve` (base merged, defaults applied). Problems at any stage are collected
//! as [`Diagnostic`]s with file, line and column.
//!
//! The values a spec can take (policies, jitter kinds, wait formats, the `[retry]` defaults)
//! are `errspec-core`'s, re-exported here: the runtime uses the same types, so the two agree
//! by construction.
//!
//! # Choices where the spec format leaves room
//!
//! - A 1xx-3xx status holds cases only: it needs at least one (its own or its base's), and
//!   `message` and `name` are errors in it, since it generates no variant of its own; `retry`,
//!   `hint`, `wait_headers` and the other error keys are its cases' defaults.
//! - A status's `name` and `reason` default to the IANA registry's (from `spec/http.toml`,
//!   and for 1xx-3xx codes, which it does not list, a table of reasons) even without `extends`; `extends = "http"` additionally inherits every status with its
//!   message and retry policy. Without `extends`, a listed status's policy comes from its own
//!   `retry` or its class, never from `http.toml`.
//! - A variant name must be a plain Rust identifier: raw identifiers (`r#type`) and every
//!   keyword are refused, so `{name}Error` and generated paths always work.
//! - Codes 600..=999 belong to no class: unless listed with a `retry`, they are never retried.
//! - Status keys may have leading zeros (`[status.0429]` is 429), so writing a code twice
//!   that way is caught as a duplicate.
//! - `wait_sources` (or `wait_headers`, its older name) entries need both `name` and `format`: guessing a format could turn a
//!   reset timestamp into an hours-long delay. Naming the same header twice is an error, since
//!   the second could never be read.
//! - `budget = {}` takes Finagle's defaults, `ratio = 0.2` and `min_per_second = 10`; the ratio
//!   is at most 1000.
//! - `multiplier` and `ratio` accept integers (`multiplier = 2`).
//! - Empty (or blank) `message`, `reason`, `hint` and `docs` are errors: leave optional keys
//!   out instead.
//! - Durations are not capped; `max_retry_after` and `max_elapsed` can be as long as
//!   `humantime` parses.
//! - [`load`] reads at most [`MAX_SPEC_BYTES`]; past 100 problems the rest are summed up in
//!   one last diagnostic.
//!
//! ```
//! let spec = errspec_spec::load(
//!     std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/ardoq.toml")),
//!     "spec/ardoq.toml",
//! )
//! .unwrap();
//! assert_eq!(spec.enum_name, "ArdoqError");
//! let too_many = spec.status(429).unwrap();
//! assert_eq!(too_many.policy, errspec_spec::RetryPolicy::AfterHeader);
//! ```

// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
mod base;
mod diag;
mod ident;
mod inline;
mod keys;
mod load;
mod model;
mod names;
mod number;
mod quota;
mod raw;
mod reader;
mod resolve;
mod shipped;
mod suggest;
mod syntax;
mod tables;
mod template;
mod valid;
mod value;
mod walk;

pub use diag::{Diagnostic, DiagnosticKind, Diagnostics, LineIndex};
pub use errspec_core::{
    BudgetConfig, CountFormat, HTTP_METHODS, Jitter, MatchTest, POINTER_WILDCARD, Pacing, Quota,
    RateLimitConfig, RetryConfig, RetryPolicy, Scope, TransportKind, TransportPolicies,
    UNCLASSIFIED_MESSAGE, UNKNOWN_REASON, WaitField, WaitFormat, WaitSource, class_index,
    pointer_has_wildcard,
};
pub use load::{MAX_SPEC_BYTES, load, parse_str, read_file};
pub use model::{
    Case, Class, Defaults, Segment, Spec, Status, Template, Transport, When, WhenSource, WhenTest,
    is_success_code, rate_limited_by_default,
};
pub use shipped::HTTP_SPEC;
pub use suggest::did_you_mean;
