//! The errspec spec: a TOML file listing an HTTP API's status codes, their messages and retry
//! policies. This crate parses it (keeping spans), validates it (collecting every problem),
//! and resolves `extends` and class defaults into one [`Spec`] that code generators consume.

mod diag;
mod model;
mod parse;

pub use diag::{Diagnostic, Diagnostics};
pub use model::*;
pub use parse::{HTTP_SPEC, load, parse_str};
