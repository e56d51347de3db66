//! Compile errors for a spec that needs a feature that is off.

/// Asked for by the code generated for a spec that reads JSON error bodies (a `body` wait
/// source or a case `when = { body = .. }`): implemented only with the `json` feature.
#[diagnostic::on_unimplemented(
    message = "this spec reads JSON error bodies, which needs errspec's `json` feature",
    label = "a `body` wait source or a case's `when = {{ body = .. }}` reads the body",
    note = "enable it: `errspec = {{ version = \"0.1\", features = [\"json\"] }}`"
)]
pub trait JsonFeature {}

/// The type the `json` feature implements [`JsonFeature`] for.
#[derive(Debug)]
pub struct Json;

#[cfg(feature = "json")]
impl JsonFeature for Json {}

/// Fails to compile, with [`JsonFeature`]'s message, unless the `json` feature is on.
pub const fn require_json<J: JsonFeature>() {}

/// Asked for by the code generated for a spec with an `rfc3339` or `iso8601` wait source (a
/// quota's `reset` included): implemented only with the `rfc3339` feature.
#[diagnostic::on_unimplemented(
    message = "this spec reads `rfc3339` or `iso8601` waits, which needs errspec's `rfc3339` feature",
    label = "a wait source has `format = \"rfc3339\"` or `format = \"iso8601\"`",
    note = "enable it: `errspec = {{ version = \"0.1\", features = [\"rfc3339\"] }}`"
)]
pub trait Rfc3339Feature {}

/// The type the `rfc3339` feature implements [`Rfc3339Feature`] for.
#[derive(Debug)]
pub struct Rfc3339;

#[cfg(feature = "rfc3339")]
impl Rfc3339Feature for Rfc3339 {}

/// Fails to compile, with [`Rfc3339Feature`]'s message, unless the `rfc3339` feature is on.
pub const fn require_rfc3339<R: Rfc3339Feature>() {}
