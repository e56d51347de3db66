//! The errspec spec: a TOML file listing an HTTP API's status codes, their messages and retry
//! policies. This crate parses it (keeping spans), validates it (collecting every problem),
//! and resolves `extends` and class defaults into one [`Spec`] that code generators consume.
//!
//! The pipeline, one stage a module: [`parse_str`] feeds the TOML tree to `read` (every key
//! and value checked where it is written, into a spanned `ast`), then `valid` (checks across
//! tables and against the `http` base), then `resolve` (base merged, defaults applied).
//! Problems at any stage are collected as [`Diagnostic`]s with file, line and column.
//!
//! ```
//! let spec = errspec_spec::load(
//!     std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/ardoq.toml")),
//!     "spec/ardoq.toml",
//! )
//! .unwrap();
//! assert_eq!(spec.enum_name, "ArdoqError");
//! let too_many = spec.status(429).unwrap();
//! assert_eq!(too_many.policy, errspec_spec::Policy::AfterHeader);
//! ```

mod ast;
mod base;
mod diag;
mod ident;
mod model;
mod parse;
mod read;
mod resolve;
mod suggest;
mod template;
mod valid;

pub use diag::{Diagnostic, Diagnostics};
pub use model::*;
pub use parse::{HTTP_SPEC, MAX_SPEC_BYTES, load, parse_str};
