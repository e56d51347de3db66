//! Where a server-requested wait is read, and how its value reads.

use std::borrow::Cow;

spelled! {
    /// The formats a wait source's value can take. Each variant's first paragraph is its
    /// [`describe`](Self::describe) text; the runtime's `parse_wait` reads each, by the
    /// [`syntax`](Self::syntax) given here.
    pub enum WaitFormat {
        /// Most APIs' `Retry-After`; the dates are IMF-fixdate, RFC 850 or asctime.
        Http = "http" =>
            "RFC 9110 Retry-After: delay-seconds, a decimal fraction accepted, or an HTTP-date",
        /// Sent by Discord as `X-RateLimit-Reset-After`.
        Seconds = "seconds" => "a delay in seconds, a decimal fraction accepted, e.g. `1.234`",
        /// Sent by OpenAI as `retry-after-ms`.
        Millis = "millis" => "a delay in milliseconds, a decimal fraction accepted",
        /// Sent by GitHub and Discord as `x-ratelimit-reset`.
        Unix = "unix" =>
            "the epoch second of the reset, a decimal fraction accepted, e.g. `1470173023.123`",
        /// The epoch in milliseconds, as some APIs send their resets.
        UnixMillis = "unix-millis" => "the epoch millisecond of the reset",
        /// Sent by Anthropic as `anthropic-ratelimit-*-reset`; read with errspec's `rfc3339`
        /// feature.
        Rfc3339 = "rfc3339" =>
            "an RFC 3339 timestamp of the reset, e.g. `2026-12-01T10:00:00Z`, offsets and \
             fractions accepted",
        /// Sent by Jira Cloud as `X-RateLimit-Reset`; read with errspec's `rfc3339` feature.
        Iso8601 = "iso8601" =>
            "an ISO 8601 timestamp of the reset: RFC 3339, or without seconds or with a \
             fraction of a minute, `Z` or an offset, e.g. `2026-12-01T10:00Z`",
        /// Sent by OpenAI as `x-ratelimit-reset-requests`.
        Duration = "duration" =>
            "a Go duration: numbers with units `h`, `m`, `s`, `ms`, `us` or `ns`, fractions \
             accepted, e.g. `6m0s`, `1.5s`, `20ms`",
        /// Sent by servers of draft-ietf-httpapi-ratelimit-headers; `limit=100, remaining=0,
        /// reset=30` is the draft's older form.
        Ratelimit = "ratelimit" =>
            "an IETF RateLimit field: items like `\"default\";r=0;t=30`, the wait being the \
             largest `t` of those whose `r` is 0, or `limit=100, remaining=0, reset=30`",
    }
}

/// How a wait format's value is written: what the runtime's parser dispatches on.
///
/// [`WaitFormat::syntax`] matches every format and the runtime's parser every syntax, both
/// without a catch-all arm (this enum is deliberately exhaustive), so a new format is a compile
/// error in `syntax` and a new syntax one in the parser until each is handled.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitSyntax {
    /// A decimal delay in the unit.
    Delay(WaitUnit),
    /// A decimal delay in seconds, or an HTTP-date (RFC 9110 `Retry-After`).
    DelayOrHttpDate,
    /// A decimal instant since the Unix epoch, in the unit.
    Epoch(WaitUnit),
    /// An RFC 3339 `date-time`.
    Rfc3339,
    /// An ISO 8601 extended date-time: RFC 3339's, or with the minute last (whole or a
    /// fraction), and a `Z` or an offset.
    Iso8601,
    /// A Go `time.Duration` string.
    GoDuration,
    /// An IETF RateLimit field (RFC 9651 Structured Fields).
    RateLimitField,
}

/// The unit of a decimal wait.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
}

impl WaitFormat {
    /// How values of this format are written, for the runtime's parser.
    #[doc(hidden)]
    pub const fn syntax(self) -> WaitSyntax {
        match self {
            Self::Http => WaitSyntax::DelayOrHttpDate,
            Self::Seconds => WaitSyntax::Delay(WaitUnit::Seconds),
            Self::Millis => WaitSyntax::Delay(WaitUnit::Millis),
            Self::Unix => WaitSyntax::Epoch(WaitUnit::Seconds),
            Self::UnixMillis => WaitSyntax::Epoch(WaitUnit::Millis),
            Self::Rfc3339 => WaitSyntax::Rfc3339,
            Self::Iso8601 => WaitSyntax::Iso8601,
            Self::Duration => WaitSyntax::GoDuration,
            Self::Ratelimit => WaitSyntax::RateLimitField,
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
/// an entry of a spec's `wait_sources`.
///
/// ```
/// use errspec_core::{WaitFormat, WaitField, WaitSource};
///
/// const RESET: WaitField = WaitField::new("x-ratelimit-reset", WaitFormat::Unix);
/// const DISCORD: WaitField = WaitField::body("/retry_after", WaitFormat::Seconds);
/// let from_config = WaitField::owned(String::from("x-retry-in-ms"), WaitFormat::Millis);
/// assert_eq!(RESET.header_name(), Some("x-ratelimit-reset"));
/// assert_eq!(DISCORD.source, WaitSource::Body("/retry_after".into()));
/// assert_eq!(from_config.format, WaitFormat::Millis);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct WaitField {
    /// Where the value is read.
    pub source: WaitSource,
    /// How the value is read.
    pub format: WaitFormat,
}

impl WaitField {
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

/// The former name of [`WaitField`], kept for one release: the type also holds body sources,
/// which the old name hid.
///
/// ```
/// #[allow(deprecated)]
/// use errspec_core::WaitHeader;
/// use errspec_core::WaitField;
///
/// #[allow(deprecated)]
/// let old: WaitHeader = WaitField::RETRY_AFTER;
/// assert_eq!(old.header_name(), Some("retry-after"));
/// ```
#[deprecated(
    since = "0.1.0",
    note = "renamed to `WaitField`: it reads a header or a body field"
)]
pub type WaitHeader = WaitField;

impl core::fmt::Display for WaitField {
    /// `` `retry-after` (http) `` or `` body `/retry_after` (seconds) ``.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.source {
            WaitSource::Header(name) => write!(f, "`{name}` ({})", self.format),
            WaitSource::Body(pointer) => write!(f, "body `{pointer}` ({})", self.format),
        }
    }
}
