//! What a response's headers say of its scope: the bucket it names and the quota it states,
//! every line of a repeated header read.

use core::time::Duration;
use std::borrow::Cow;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName};

use super::key::BucketName;
use super::store::StatedQuota;
use crate::{RateLimitConfig, Scope, WaitFormat};

/// The headers a `[rate_limit]` reads, parsed once.
#[derive(Debug, Default)]
pub(crate) struct Names {
    bucket: Option<HeaderName>,
    remaining: Option<HeaderName>,
    reset: Option<(HeaderName, WaitFormat)>,
    ietf: bool,
}

impl Names {
    /// The headers `config` reads (a name that is no valid header name is never present).
    pub(crate) fn new(config: &RateLimitConfig) -> Self {
        let parse = |name: &str| HeaderName::from_bytes(name.as_bytes()).ok();
        Self {
            bucket: config
                .bucket_header
                .as_deref()
                .filter(|_| config.scope == Scope::Bucket)
                .and_then(parse),
            remaining: config.remaining.as_deref().and_then(parse),
            reset: config
                .reset
                .as_ref()
                .and_then(|r| Some((parse(r.header_name()?)?, r.format))),
            ietf: config.ietf,
        }
    }
}

/// The bucket a response names.
pub(crate) fn bucket(names: &Names, headers: &HeaderMap) -> Option<BucketName> {
    let value = headers.get(names.bucket.as_ref()?)?;
    Some(BucketName::new(value.as_bytes()))
}

/// The quota a response states at wall time `wall`: the requests left (the fewest any line
/// says), when they reset (the latest any readable line says; a second from now when none
/// does) and the period's limit if stated. `None` when it states no count, or a reset already
/// past (a late answer of a period that is over).
pub(crate) fn stated_quota(
    names: &Names,
    headers: &HeaderMap,
    wall: impl FnOnce() -> SystemTime,
) -> Option<StatedQuota> {
    if let Some(name) = &names.remaining
        && let Some(remaining) = fewest(headers, name)
    {
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
        return Some(StatedQuota::new(remaining, reset_in));
    }
    if names.ietf {
        return ietf(headers);
    }
    None
}

/// The fewest requests left that any line (or comma-separated value) of header `name` states.
fn fewest(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|line| line.as_bytes().split(|b| *b == b','))
        .filter_map(crate::wait::count)
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
    use crate::WaitHeader;
    use crate::wait::count;
    use http::HeaderValue;

    fn github() -> RateLimitConfig {
        RateLimitConfig::new()
            .with_remaining(Some("x-ratelimit-remaining"))
            .with_reset(Some(WaitHeader::new(
                "x-ratelimit-reset-after",
                WaitFormat::Seconds,
            )))
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
        let quota = stated_quota(&Names::new(&github()), &h, SystemTime::now).unwrap();
        assert_eq!(quota.remaining, 0);
        assert_eq!(quota.reset_in, Duration::from_secs(3));
        let h = headers(&[("x-ratelimit-remaining", "7, 2")]);
        assert_eq!(
            stated_quota(&Names::new(&github()), &h, SystemTime::now)
                .unwrap()
                .remaining,
            2
        );
    }

    #[test]
    fn a_ratelimit_list_spans_lines_and_the_policy_fills_in() {
        let config = RateLimitConfig::new().with_ietf(true);
        let h = headers(&[
            ("ratelimit", "\"hour\";r=90;t=3000"),
            ("ratelimit", "\"minute\";r=0;t=20"),
        ]);
        let quota = stated_quota(&Names::new(&config), &h, SystemTime::now).unwrap();
        assert_eq!(
            (quota.remaining, quota.reset_in),
            (0, Duration::from_secs(20))
        );
        let h = headers(&[
            ("ratelimit", "\"default\";r=0"),
            ("ratelimit-policy", "\"default\";q=100;w=60"),
        ]);
        let quota = stated_quota(&Names::new(&config), &h, SystemTime::now).unwrap();
        assert_eq!(quota.reset_in, Duration::from_secs(60));
        assert_eq!(quota.limit, Some(100));
    }
}
