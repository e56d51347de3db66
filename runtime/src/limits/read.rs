//! What a response's headers say of its scope: the bucket it names and the quota it states,
//! of each quota, every line of a repeated header read, and which quotas a request counts
//! against.

use core::time::Duration;
use std::borrow::Cow;
use std::time::SystemTime;

use errspec_core::CountSyntax;
use http::{HeaderMap, HeaderName, Method};

use super::key::BucketName;
use super::quotas::{QuotaSet, StatedQuota, StatedQuotas};
use crate::{CountFormat, RateLimitConfig, Scope, WaitFormat};

/// The headers a `[rate_limit]` reads, parsed once.
#[derive(Debug, Default)]
pub(crate) struct Names {
    bucket: Option<HeaderName>,
    /// Each quota of [`RateLimitConfig::quota_list`], by index.
    quotas: Vec<QuotaNames>,
    ietf: bool,
}

/// One quota's headers, and the methods it counts.
#[derive(Debug)]
struct QuotaNames {
    remaining: Option<HeaderName>,
    format: CountFormat,
    reset: Option<(HeaderName, WaitFormat)>,
    /// The quota's `methods` (empty: every request).
    methods: Vec<Method>,
}

impl Names {
    /// The headers `config` reads (a name that is no valid header name is never present).
    pub(crate) fn new(config: &RateLimitConfig) -> Self {
        let parse = |name: &str| HeaderName::from_bytes(name.as_bytes()).ok();
        let quotas = config
            .quota_list()
            .iter()
            .map(|quota| QuotaNames {
                remaining: parse(&quota.remaining),
                format: quota.format,
                reset: quota
                    .reset
                    .as_ref()
                    .and_then(|r| Some((parse(r.header_name()?)?, r.format))),
                methods: quota
                    .methods
                    .iter()
                    .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
                    .collect(),
            })
            .collect();
        Self {
            bucket: config
                .bucket_header
                .as_deref()
                .filter(|_| config.scope == Scope::Bucket)
                .and_then(parse),
            quotas,
            ietf: config.ietf,
        }
    }

    /// The quotas a request of HTTP method `method` counts against ([`QuotaSet::ALL`] for a
    /// method that is not known).
    pub(crate) fn counting(&self, method: Option<&Method>) -> QuotaSet {
        let Some(method) = method else {
            return QuotaSet::ALL;
        };
        // indices past the quotas stay in: nothing is stated there
        let mut set = QuotaSet::ALL;
        for (index, quota) in self.quotas.iter().enumerate() {
            if !quota.methods.is_empty() && !quota.methods.contains(method) {
                set = QuotaSet::from_bits(set.bits() & !QuotaSet::NONE.with(index).bits());
            }
        }
        set
    }
}

/// The bucket a response names.
pub(crate) fn bucket(names: &Names, headers: &HeaderMap) -> Option<BucketName> {
    let value = headers.get(names.bucket.as_ref()?)?;
    Some(BucketName::new(value.as_bytes()))
}

/// What a response states of each quota at wall time `wall` (see [`stated_quota`]); the first
/// quota's, when its header is absent, from the IETF fields if the config reads them.
pub(crate) fn stated_quotas(
    names: &Names,
    headers: &HeaderMap,
    wall: impl Fn() -> SystemTime,
) -> StatedQuotas {
    let mut stated = StatedQuotas::default();
    for (index, quota) in names.quotas.iter().enumerate() {
        stated.set(index, stated_quota(quota, headers, &wall));
    }
    if names.ietf && stated.get(0).is_none() {
        stated.set(0, ietf(headers));
    }
    stated
}

/// The quota a response states at wall time `wall`: the requests left (the fewest any line
/// says), when they reset (the latest any readable line says; a second from now when none
/// does) and the period's limit if stated. `None` when it states no count, or a reset already
/// past (a late answer of a period that is over).
fn stated_quota(
    names: &QuotaNames,
    headers: &HeaderMap,
    wall: impl Fn() -> SystemTime,
) -> Option<StatedQuota> {
    let remaining = fewest(headers, names.remaining.as_ref()?, names.format)?;
    let mut reset: Option<Option<Duration>> = None;
    if let Some((name, format)) = &names.reset {
        let mut lines = headers.get_all(name).iter().peekable();
        if lines.peek().is_some() {
            let wall = wall();
            for value in lines {
                if let Ok(wait) = crate::wait::read(value.as_bytes(), *format, wall) {
                    reset = Some(reset.flatten().max(wait));
                }
            }
        }
    }
    let reset_in = match reset {
        Some(Some(wait)) => wait,
        Some(None) => return None,
        // without a readable reset, a spent quota is waited for a second at a time
        None => Duration::from_secs(1),
    };
    Some(StatedQuota::new(remaining, reset_in))
}

/// The fewest requests left that any line (or comma-separated value) of header `name` states,
/// each read in `format`; values that do not read count as absent.
fn fewest(headers: &HeaderMap, name: &HeaderName, format: CountFormat) -> Option<u64> {
    // `CountSyntax` is exhaustive, and `CountFormat::syntax` matches every format
    let read = match format.syntax() {
        CountSyntax::Left => crate::wait::count,
        CountSyntax::UsedOfLimit => crate::wait::used_of_limit,
    };
    headers
        .get_all(name)
        .iter()
        .flat_map(|line| line.as_bytes().split(|b| *b == b','))
        .filter_map(read)
        .min()
}

/// The IETF fields: `RateLimit` (its lines one list, RFC 9110 §5.3) and, for what it leaves
/// out, `RateLimit-Policy`'s quota and window.
fn ietf(headers: &HeaderMap) -> Option<StatedQuota> {
    let (remaining, reset, limit) = crate::wait::ratelimit::quota(&joined(headers, "ratelimit")?)?;
    let policy = joined(headers, "ratelimit-policy")
        .and_then(|value| crate::wait::ratelimit::policy(&value));
    let reset = reset.or_else(|| policy.and_then(|(_, window)| window));
    let reset_in = reset.map_or(Duration::from_secs(1), Duration::from_secs);
    if reset == Some(0) {
        return None;
    }
    let mut quota = StatedQuota::new(remaining, reset_in);
    quota.limit = limit.or(policy.map(|(q, _)| q));
    Some(quota)
}

/// Every line of header `name` as one value, joined with `, `; borrowed when there is one line.
fn joined<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, [u8]>> {
    let mut lines = headers.get_all(name).iter();
    let first = lines.next()?;
    let Some(second) = lines.next() else {
        return Some(Cow::Borrowed(first.as_bytes()));
    };
    let mut all = first.as_bytes().to_vec();
    for line in core::iter::once(second).chain(lines) {
        all.extend_from_slice(b", ");
        all.extend_from_slice(line.as_bytes());
    }
    Some(Cow::Owned(all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WaitField;
    use crate::wait::count;
    use http::HeaderValue;

    fn github() -> RateLimitConfig {
        RateLimitConfig::new()
            .with_remaining(Some("x-ratelimit-remaining"))
            .with_reset(Some(WaitField::new(
                "x-ratelimit-reset-after",
                WaitFormat::Seconds,
            )))
    }

    fn first(config: &RateLimitConfig, headers: &HeaderMap) -> Option<StatedQuota> {
        stated_quotas(&Names::new(config), headers, SystemTime::now).get(0)
    }

    fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_count_is_digits_between_spaces() {
        assert_eq!(count(b" 42\t"), Some(42));
        assert_eq!(count(b"0"), Some(0));
        assert_eq!(count(b"99999999999999999999999"), Some(u64::MAX));
        for bad in [
            &b""[..],
            b"  ",
            b"+1",
            b"-1",
            b"1.5",
            b"4 2",
            b"\xff",
            b"1e3",
        ] {
            assert_eq!(count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_line_of_a_repeated_count_is_read() {
        let h = headers(&[
            ("x-ratelimit-remaining", "5"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset-after", "3"),
        ]);
        let quota = first(&github(), &h).unwrap();
        assert_eq!(quota.remaining, 0);
        assert_eq!(quota.reset_in, Duration::from_secs(3));
        let h = headers(&[("x-ratelimit-remaining", "7, 2")]);
        assert_eq!(first(&github(), &h).unwrap().remaining, 2);
    }

    #[test]
    fn a_ratelimit_list_spans_lines_and_the_policy_fills_in() {
        let config = RateLimitConfig::new().with_ietf(true);
        let h = headers(&[
            ("ratelimit", "\"hour\";r=90;t=3000"),
            ("ratelimit", "\"minute\";r=0;t=20"),
        ]);
        let quota = first(&config, &h).unwrap();
        assert_eq!(
            (quota.remaining, quota.reset_in),
            (0, Duration::from_secs(20))
        );
        let h = headers(&[
            ("ratelimit", "\"default\";r=0"),
            ("ratelimit-policy", "\"default\";q=100;w=60"),
        ]);
        let quota = first(&config, &h).unwrap();
        assert_eq!(quota.reset_in, Duration::from_secs(60));
        assert_eq!(quota.limit, Some(100));
    }
}
