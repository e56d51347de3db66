//! Why a value that is present gives no wait: what every format's reader returns.

/// Why a value that is present gives no wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreadable(pub(crate) &'static str);

impl Unreadable {
    /// The value does not follow its format's grammar.
    pub(crate) const MALFORMED: Self = Self("not well-formed");
    /// An RFC 3339 value, without the feature that reads them.
    #[cfg(not(feature = "rfc3339"))]
    pub(crate) const NEEDS_RFC3339: Self =
        Self("RFC 3339 values are read with errspec's `rfc3339` feature, which is off");
}
