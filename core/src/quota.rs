//! One quota a server states on its responses: a `[[rate_limit.quota]]` of a spec, or the
//! `[rate_limit]` shorthand's `remaining`/`reset`.

use std::borrow::Cow;

use crate::WaitField;

spelled! {
    /// How a quota's `remaining` header states the requests left.
    pub enum CountFormat {
        /// Most APIs' `x-ratelimit-remaining` (`count`).
        Count = "count" =>
            "the requests left, in digits (`41`); a comma-separated list or repeated lines \
             count the fewest",
        /// Shopify's `X-Shopify-Shop-Api-Call-Limit` (`used/limit`).
        UsedLimit = "used/limit" =>
            "the requests used and the period's limit, `32/40`: the requests left are the \
             limit less those used (none when more are used)",
    }
}

/// How a count format's value is written: what the runtime's reader dispatches on
/// (exhaustive, as [`WaitSyntax`](crate::WaitSyntax) is, so a new format is a compile error
/// there until it is read).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountSyntax {
    /// Digits: the requests left.
    Left,
    /// Digits, `/`, digits: the requests used, and the period's limit.
    UsedOfLimit,
}

impl CountFormat {
    /// How values of this format are written, for the runtime's reader.
    #[doc(hidden)]
    pub const fn syntax(self) -> CountSyntax {
        match self {
            Self::Count => CountSyntax::Left,
            Self::UsedLimit => CountSyntax::UsedOfLimit,
        }
    }
}

/// The standard HTTP methods (RFC 9110 §9, RFC 5789), what a quota's `methods` may name;
/// uppercase, as methods are case-sensitive.
pub const HTTP_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// A quota a server states on its responses: where its count is read and how, where its reset
/// is read, and which requests it counts.
///
/// ```
/// use errspec_core::{CountFormat, Quota, WaitFormat, WaitField};
///
/// let writes = Quota::new("x-ms-ratelimit-remaining-subscription-writes")
///     .with_methods(["PUT", "POST", "PATCH", "DELETE"]);
/// assert!(writes.counts("POST"));
/// assert!(!writes.counts("GET"));
/// let shopify = Quota::new("x-shopify-shop-api-call-limit").with_format(CountFormat::UsedLimit);
/// assert!(shopify.counts("GET"), "no methods: every request");
/// let github = Quota::new("x-ratelimit-remaining")
///     .with_reset(Some(WaitField::new("x-ratelimit-reset", WaitFormat::Unix)));
/// assert_eq!(github.format, CountFormat::Count);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// The response header stating the requests left (lowercase).
    pub remaining: Cow<'static, str>,
    /// How its value states them.
    pub format: CountFormat,
    /// Where the quota's reset is read, and in which format; without it, a spent quota is
    /// looked at again a second at a time until a response says some are left.
    pub reset: Option<WaitField>,
    /// The HTTP methods whose requests the quota counts (uppercase); empty: every request.
    pub methods: Cow<'static, [Cow<'static, str>]>,
}

impl Quota {
    /// A quota whose requests left are a count in header `remaining`, with no reset, counting
    /// every request.
    pub fn new(remaining: impl Into<Cow<'static, str>>) -> Self {
        Self {
            remaining: remaining.into(),
            format: CountFormat::Count,
            reset: None,
            methods: Cow::Borrowed(&[]),
        }
    }

    /// Sets `format`.
    #[must_use]
    pub const fn with_format(mut self, format: CountFormat) -> Self {
        self.format = format;
        self
    }

    /// Sets `reset`.
    #[must_use]
    pub fn with_reset(mut self, reset: Option<WaitField>) -> Self {
        self.reset = reset;
        self
    }

    /// Sets `methods` (none: every request).
    #[must_use]
    pub fn with_methods<M: Into<Cow<'static, str>>>(
        mut self,
        methods: impl IntoIterator<Item = M>,
    ) -> Self {
        self.methods = methods.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the quota counts a request of HTTP method `method` (an unknown method, `None`
    /// to the runtime, counts against every quota).
    pub fn counts(&self, method: &str) -> bool {
        self.methods.is_empty() || self.methods.iter().any(|m| m == method)
    }
}
