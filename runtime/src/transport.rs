//! Errors that never got a response: what a spec's `[transport]` section generates.

use crate::{StatusError, TransportKind};

/// A transport error's source, boxed: any error type.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error type with a transport variant: generated for specs with a `[transport]` section,
/// so that a request that got no response (refused, timed out, broken) becomes an error the
/// retry engine knows how to retry, by the section's `connect`, `timeout` and `other`
/// policies.
///
/// ```
/// use errspec::{RetryPolicy, StatusError, TransportError, TransportKind};
///
/// // tests/specs/transport.toml: `[transport]` with `message = "could not reach the shop"`
/// #[errspec::errors(spec = "tests/specs/transport.toml")]
/// #[derive(Debug)]
/// pub enum ShopError {}
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let e = ShopError::from_transport(TransportKind::Connect, refused.into());
/// assert_eq!(e.to_string(), "could not reach the shop");
/// assert!(std::error::Error::source(&e).is_some());
/// assert_eq!(e.transport_kind(), Some(TransportKind::Connect));
/// assert_eq!(e.status(), None);
/// assert_eq!(e.policy(), RetryPolicy::Always); // nothing was sent
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no transport variant, so a request that got no response cannot become one",
    label = "its spec has no `[transport]` section",
    note = "add `[transport]` to the spec (e.g. `[transport]` with `message = \"could not reach the API\"`) to generate the variant"
)]
pub trait TransportError: StatusError {
    /// The error for a request that got no response, of `kind`, caused by `source`.
    fn from_transport(kind: TransportKind, source: BoxError) -> Self
    where
        Self: Sized;

    /// The kind of transport failure, for the transport variant; `None` for the others.
    fn transport_kind(&self) -> Option<TransportKind>;
}
