//! A spec's `[rate_limit]` section: which calls a server-stated limit holds, and whether the
//! client paces itself to the quota it is told or learns.

use std::borrow::Cow;

use crate::WaitHeader;

spelled! {
    /// What a server-stated wait (a hold) and a quota apply to.
    pub enum Scope {
        /// Every call of the client (`client`).
        Client = "client" => "a server-stated wait holds every call of the client",
        /// The calls of one method of the client trait (`method`).
        Method = "method" =>
            "a server-stated wait holds only the calls of the method that got it",
        /// A method's calls join its bucket once a response names it (`bucket`).
        Bucket = "bucket" =>
            "a server-stated wait holds only the calls whose responses name the same bucket \
             in `bucket_header`",
    }
}

spelled! {
    /// Whether the client paces itself.
    pub enum Pacing {
        /// The IETF fields count as a stated quota when `ietf = true` (`auto`).
        Auto = "auto" =>
            "paced by the quota responses state (`remaining`/`reset`, the IETF fields), else \
             by what 429s teach",
        /// No pacing (`off`).
        Off = "off" => "only holds; the client never slows itself",
    }
}

/// The `[rate_limit]` section of a spec.
///
/// | field | default |
/// |---|---|
/// | `api` | none; the generated `rate_limit()` sets the spec's `[api] name` |
/// | `scope` | [`Scope::Client`] |
/// | `bucket_header` | none (needed with `scope = "bucket"`) |
/// | `remaining` | none: the header stating the requests left in the window |
/// | `reset` | none: where the window's reset is read, in any wait format |
/// | `ietf` | `false`: also read the IETF `RateLimit` field on every response |
/// | `pacing` | [`Pacing::Auto`] |
///
/// ```
/// use errspec_core::{Pacing, RateLimitConfig, Scope, WaitFormat, WaitHeader};
///
/// let github = RateLimitConfig::new()
///     .with_remaining(Some("x-ratelimit-remaining"))
///     .with_reset(Some(WaitHeader::new("x-ratelimit-reset", WaitFormat::Unix)));
/// assert_eq!(github.scope, Scope::Client);
/// assert_eq!(github.pacing, Pacing::Auto);
/// assert!(github.reads_responses());
/// assert!(!RateLimitConfig::new().reads_responses());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// The API's name (a spec's `[api] name`), which a store shared by several APIs keys its
    /// state by; `None` for a config that names none.
    pub api: Option<&'static str>,
    /// What a hold and a quota apply to.
    pub scope: Scope,
    /// With [`Scope::Bucket`]: the response header naming the bucket (lowercase).
    pub bucket_header: Option<Cow<'static, str>>,
    /// The response header stating the requests left before the reset (lowercase).
    pub remaining: Option<Cow<'static, str>>,
    /// Where the reset of the quota is read, and in which format.
    pub reset: Option<WaitHeader>,
    /// Whether to read the IETF `RateLimit` field (draft-ietf-httpapi-ratelimit-headers) on
    /// every response.
    pub ietf: bool,
    /// Whether the client paces itself.
    pub pacing: Pacing,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimitConfig {
    /// The defaults: client scope, no quota headers, pacing `auto` (learned from 429s).
    pub const fn new() -> Self {
        Self {
            api: None,
            scope: Scope::Client,
            bucket_header: None,
            remaining: None,
            reset: None,
            ietf: false,
            pacing: Pacing::Auto,
        }
    }

    /// Sets `api`.
    #[must_use]
    pub const fn with_api(mut self, api: Option<&'static str>) -> Self {
        self.api = api;
        self
    }

    /// Sets `scope`.
    #[must_use]
    pub const fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets `ietf`.
    #[must_use]
    pub const fn with_ietf(mut self, ietf: bool) -> Self {
        self.ietf = ietf;
        self
    }

    /// Sets `pacing`.
    #[must_use]
    pub const fn with_pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Sets `bucket_header`.
    #[must_use]
    pub fn with_bucket_header(mut self, header: Option<impl Into<Cow<'static, str>>>) -> Self {
        self.bucket_header = header.map(Into::into);
        self
    }

    /// Sets `remaining`.
    #[must_use]
    pub fn with_remaining(mut self, header: Option<impl Into<Cow<'static, str>>>) -> Self {
        self.remaining = header.map(Into::into);
        self
    }

    /// Sets `reset`.
    #[must_use]
    pub fn with_reset(mut self, reset: Option<WaitHeader>) -> Self {
        self.reset = reset;
        self
    }

    /// Whether responses have anything to tell: a quota header, the IETF field or a bucket.
    pub fn reads_responses(&self) -> bool {
        self.ietf
            || self.remaining.is_some()
            || self.reset.is_some()
            || (self.scope == Scope::Bucket && self.bucket_header.is_some())
    }
}
