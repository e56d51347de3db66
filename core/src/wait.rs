//! Where a server-requested wait is read, and how its value reads.

use std::borrow::Cow;

spelled! {
    /// The formats a wait source's value can take. The runtime's `parse_wait` reads each;
    /// [`describe`](Self::describe) says exactly what each accepts.
    pub enum WaitFormat {
        /// RFC 9110 `Retry-After`: delay-seconds (a decimal fraction accepted), or an
        /// HTTP-date (IMF-fixdate, RFC 850 or asctime).
        Http = "http",
        /// A delay in seconds, a decimal fraction accepted (`1.234`): Discord's
        /// `X-RateLimit-Reset-After`.
        Seconds = "seconds",
        /// A delay in milliseconds, a fraction accepted: OpenAI's `retry-after-ms`.
        Millis = "millis",
        /// The epoch second of the reset, a fraction accepted (`1470173023.123`): GitHub's
        /// and Discord's `x-ratelimit-reset`.
        Unix = "unix",
        /// The epoch millisecond of the reset.
        UnixMillis = "unix-millis",
        /// An RFC 3339 timestamp of the reset (`2026-12-01T10:00:00Z`, offsets and fractions
        /// accepted): Anthropic's `anthropic-ratelimit-*-reset`.
        Rfc3339 = "rfc3339",
        /// A Go `time.Duration` string (`6m0s`, `1.5s`, `20ms`, `1h2m3.5s`, `500us`): OpenAI's
        /// `x-ratelimit-reset-requests`.
        Duration = "duration",
        /// An IETF RateLimit field (draft-ietf-httpapi-ratelimit-headers): `"default";r=0;t=30`
        /// (the wait is the largest `t` of the items whose `r` is 0), or the older dictionary
        /// form `limit=100, remaining=0, reset=30`.
        Ratelimit = "ratelimit",
    }
}

impl WaitFormat {
    /// What values this format accepts, in words.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Http => {
                "RFC 9110 Retry-After: delay-seconds, a decimal fraction accepted, or an HTTP-date"
            }
            Self::Seconds => "a delay in seconds, a decimal fraction accepted, e.g. `1.234`",
            Self::Millis => "a delay in milliseconds, a decimal fraction accepted",
            Self::Unix => {
                "the epoch second of the reset, a decimal fraction accepted, e.g. \
                 `1470173023.123`"
            }
            Self::UnixMillis => "the epoch millisecond of the reset",
            Self::Rfc3339 => {
                "an RFC 3339 timestamp of the reset, e.g. `2026-12-01T10:00:00Z`, offsets and \
                 fractions accepted"
            }
            Self::Duration => {
                "a Go duration: numbers with units `h`, `m`, `s`, `ms`, `us` or `ns`, fractions \
                 accepted, e.g. `6m0s`, `1.5s`, `20ms`"
            }
            Self::Ratelimit => {
                "an IETF RateLimit field: items like `\"default\";r=0;t=30`, the wait being the \
                 largest `t` of those whose `r` is 0, or `limit=100, remaining=0, reset=30`"
            }
        }
    }
}

/// Where a wait is read: a response header, or a field of a JSON error body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitSource {
    /// A header, by lowercase name (header names match case-insensitively).
    Header(Cow<'static, str>),
    /// A field of a JSON body, by RFC 6901 JSON pointer (`/retry_after`), read from the body
    /// excerpt; a string or a number there is read in the wait's format.
    Body(Cow<'static, str>),
}

/// Where a server-requested wait is read (a header or a body field), and how its value reads:
/// an entry of a spec's `wait_headers`.
///
/// ```
/// use errspec_core::{WaitFormat, WaitHeader, WaitSource};
///
/// const RESET: WaitHeader = WaitHeader::new("x-ratelimit-reset", WaitFormat::Unix);
/// const DISCORD: WaitHeader = WaitHeader::body("/retry_after", WaitFormat::Seconds);
/// let from_config = WaitHeader::owned(String::from("x-retry-in-ms"), WaitFormat::Millis);
/// assert_eq!(RESET.header_name(), Some("x-ratelimit-reset"));
/// assert_eq!(DISCORD.source, WaitSource::Body("/retry_after".into()));
/// assert_eq!(from_config.format, WaitFormat::Millis);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct WaitHeader {
    /// Where the value is read.
    pub source: WaitSource,
    /// How the value is read.
    pub format: WaitFormat,
}

impl WaitHeader {
    /// `Retry-After` in RFC 9110 form: delay-seconds or an HTTP-date.
    pub const RETRY_AFTER: Self = Self::new("retry-after", WaitFormat::Http);

    /// A wait header with a name known at compile time; `name` should be lowercase.
    pub const fn new(name: &'static str, format: WaitFormat) -> Self {
        Self {
            source: WaitSource::Header(Cow::Borrowed(name)),
            format,
        }
    }

    /// A wait read from the JSON body at `pointer` (RFC 6901, e.g. `/retry_after`).
    pub const fn body(pointer: &'static str, format: WaitFormat) -> Self {
        Self {
            source: WaitSource::Body(Cow::Borrowed(pointer)),
            format,
        }
    }

    /// A wait header whose name is known only at run time (read from a configuration file,
    /// say); `name` should be lowercase.
    pub fn owned(name: String, format: WaitFormat) -> Self {
        Self {
            source: WaitSource::Header(Cow::Owned(name)),
            format,
        }
    }

    /// A wait read from a JSON body at a pointer known only at run time.
    pub fn owned_body(pointer: String, format: WaitFormat) -> Self {
        Self {
            source: WaitSource::Body(Cow::Owned(pointer)),
            format,
        }
    }

    /// The header name, for a header source.
    pub fn header_name(&self) -> Option<&str> {
        match &self.source {
            WaitSource::Header(name) => Some(name),
            WaitSource::Body(_) => None,
        }
    }

    /// The JSON pointer, for a body source.
    pub fn body_pointer(&self) -> Option<&str> {
        match &self.source {
            WaitSource::Body(pointer) => Some(pointer),
            WaitSource::Header(_) => None,
        }
    }
}

impl core::fmt::Display for WaitHeader {
    /// `` `retry-after` (http) `` or `` body `/retry_after` (seconds) ``.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.source {
            WaitSource::Header(name) => write!(f, "`{name}` ({})", self.format),
            WaitSource::Body(pointer) => write!(f, "body `{pointer}` ({})", self.format),
        }
    }
}
