//! A spec's `[rate_limit]` section: which calls a server-stated limit holds, and whether the
//! client paces itself to the quota it is told or learns.

use std::borrow::Cow;

use crate::{CountFormat, Quota, WaitField};

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
/// | `remaining` | none: the header stating the requests left in the window (the one-quota shorthand) |
/// | `remaining_format` | [`CountFormat::Count`]: how `remaining` states them |
/// | `reset` | none: where the window's reset is read, in any wait format |
/// | `quotas` | none: `[[rate_limit.quota]]`, each a [`Quota`] (at most [`MAX_QUOTAS`](Self::MAX_QUOTAS)) |
/// | `ietf` | `false`: also read the IETF `RateLimit` field on every response |
/// | `pacing` | [`Pacing::Auto`] |
///
/// ```
/// use errspec_core::{Pacing, RateLimitConfig, Scope, WaitFormat, WaitField};
///
/// let github = RateLimitConfig::new()
///     .with_remaining(Some("x-ratelimit-remaining"))
///     .with_reset(Some(WaitField::new("x-ratelimit-reset", WaitFormat::Unix)));
/// assert_eq!(github.scope, Scope::Client);
/// assert_eq!(github.pacing, Pacing::Auto);
/// assert!(github.reads_responses());
/// assert!(!RateLimitConfig::new().reads_responses());
/// assert_eq!(github.quota_list().len(), 1, "the shorthand is one quota");
///
/// // Azure Resource Manager: reads and writes counted apart
/// use errspec_core::Quota;
/// let arm = RateLimitConfig::new()
///     .with_quota(Quota::new("x-ms-ratelimit-remaining-subscription-reads").with_methods(["GET", "HEAD"]))
///     .with_quota(Quota::new("x-ms-ratelimit-remaining-subscription-writes").with_methods(["PUT", "POST", "PATCH", "DELETE"]));
/// assert_eq!(arm.quota_list().len(), 2);
/// ```
///
/// A quota with a `remaining` header and no `reset` (or a reset that cannot be read) is taken
/// to reset a second after each response: once a response says none are left, the calls it
/// counts wait a second, then as many go as the quota was seen to allow in a period (the most
/// left any response stated, plus one), and their answers say what is left.
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
    /// The response header stating the requests left before the reset (lowercase): the
    /// one-quota shorthand, the first of [`quota_list`](Self::quota_list).
    pub remaining: Option<Cow<'static, str>>,
    /// How `remaining` states the requests left.
    pub remaining_format: CountFormat,
    /// Where the reset of the shorthand's quota is read, and in which format.
    pub reset: Option<WaitField>,
    /// The quotas of `[[rate_limit.quota]]`, after the shorthand's if both are given (a spec
    /// gives one or the other); past [`MAX_QUOTAS`](Self::MAX_QUOTAS) in all, the rest are not
    /// read.
    pub quotas: Vec<Quota>,
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
    /// The most quotas a config keeps apart (a spec with more is refused).
    pub const MAX_QUOTAS: usize = 4;

    /// The defaults: client scope, no quota headers, pacing `auto` (learned from 429s).
    pub const fn new() -> Self {
        Self {
            api: None,
            scope: Scope::Client,
            bucket_header: None,
            remaining: None,
            remaining_format: CountFormat::Count,
            reset: None,
            quotas: Vec::new(),
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
    pub fn with_reset(mut self, reset: Option<WaitField>) -> Self {
        self.reset = reset;
        self
    }

    /// Sets `remaining_format`.
    #[must_use]
    pub const fn with_remaining_format(mut self, format: CountFormat) -> Self {
        self.remaining_format = format;
        self
    }

    /// Adds `quota` to `quotas`.
    #[must_use]
    pub fn with_quota(mut self, quota: Quota) -> Self {
        self.quotas.push(quota);
        self
    }

    /// Every quota the config reads, in order (what the rate-limit state numbers them by): the
    /// shorthand's (`remaining`, `remaining_format`, `reset`) if `remaining` is set, then
    /// `quotas`; at most [`MAX_QUOTAS`](Self::MAX_QUOTAS).
    pub fn quota_list(&self) -> Vec<Quota> {
        let shorthand = self.remaining.clone().map(|remaining| {
            Quota::new(remaining)
                .with_format(self.remaining_format)
                .with_reset(self.reset.clone())
        });
        shorthand
            .into_iter()
            .chain(self.quotas.iter().cloned())
            .take(Self::MAX_QUOTAS)
            .collect()
    }

    /// Whether responses have anything to tell: a quota header, the IETF field or a bucket.
    pub fn reads_responses(&self) -> bool {
        self.ietf
            || self.remaining.is_some()
            || self.reset.is_some()
            || !self.quotas.is_empty()
            || (self.scope == Scope::Bucket && self.bucket_header.is_some())
    }
}
