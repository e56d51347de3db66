//! Where a server-requested wait is read, and how its value reads.

use std::borrow::Cow;

spelled! {
    /// The formats a wait header's value can take. The runtime's `parse_wait` reads each.
    pub enum WaitFormat {
        /// RFC 9110 `Retry-After`: delay-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or
        /// asctime).
        Http = "http",
        /// A delay in whole seconds.
        Seconds = "seconds",
        /// The epoch second at which to try again (GitHub's `x-ratelimit-reset`).
        Unix = "unix",
        /// A delay in milliseconds.
        Millis = "millis",
    }
}

impl WaitFormat {
    /// What values this format accepts, in words.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Http => "RFC 9110 Retry-After: delay-seconds or an HTTP-date",
            Self::Seconds => "a delay in seconds",
            Self::Unix => "the epoch second of the reset",
            Self::Millis => "a delay in milliseconds",
        }
    }
}

/// Which response header carries a server-requested wait, and how its value reads.
///
/// ```
/// use errspec_core::{WaitFormat, WaitHeader};
///
/// const RESET: WaitHeader = WaitHeader::new("x-ratelimit-reset", WaitFormat::Unix);
/// let from_config = WaitHeader::owned(String::from("x-retry-in-ms"), WaitFormat::Millis);
/// assert_eq!(RESET.name(), "x-ratelimit-reset");
/// assert_eq!(from_config.format, WaitFormat::Millis);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct WaitHeader {
    /// Header name, lowercase (header names match case-insensitively).
    pub name: Cow<'static, str>,
    /// How the value is read.
    pub format: WaitFormat,
}

impl WaitHeader {
    /// `Retry-After` in RFC 9110 form: delay-seconds or an HTTP-date.
    pub const RETRY_AFTER: Self = Self::new("retry-after", WaitFormat::Http);

    /// A wait header with a name known at compile time; `name` should be lowercase.
    pub const fn new(name: &'static str, format: WaitFormat) -> Self {
        Self {
            name: Cow::Borrowed(name),
            format,
        }
    }

    /// A wait header whose name is known only at run time (read from a configuration file,
    /// say); `name` should be lowercase.
    pub fn owned(name: String, format: WaitFormat) -> Self {
        Self {
            name: Cow::Owned(name),
            format,
        }
    }

    /// The header name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
