//! What a response's headers say of its scope: the bucket it names and the quota it states,
//! of each quota, every line of a repeated header read, and which quotas a request counts
//! against.

use core::time::Duration;
use std::borrow::Cow;
use std::time::SystemTime;

use errspec_core::CountSyntax;
use http::{HeaderMap, HeaderName, Method};

use super::key::Named;
use super::quotas::{MAX_QUOTAS, QuotaSet, StatedQuota, StatedQuotas};
use crate::{CountFormat, RateLimitConfig, Scope, WaitFormat};

/// The headers a `[rate_limit]` reads, parsed once.
#[derive(Debug, Default)]
pub(crate) struct Names {
    bucket: Option<HeaderName>,
    /// Each quota of [`RateLimitConfig::quota_list`], by index.
    quotas: Vec<QuotaNames>,
    ietf: bool,
    /// Each name read (its text), with what its lines say and whether the next entry is of the
    /// same name (a name read twice, by two quotas say, is two entries side by side): what a
    /// pass over a response's lines looks for, done with a line once its name is found.
    lines: Vec<(Box<str>, Line, bool)>,
    /// The lengths of the names in `lines`, a bit each (bit 63 for 63 bytes or more): most of
    /// a response's lines are passed over on their length alone.
    lengths: u64,
}

/// What the lines of a header read say.
#[derive(Debug, Clone, Copy)]
enum Line {
    Bucket,
    /// The count of the quota of this index.
    Count(usize),
    /// The reset of the quota of this index.
    Reset(usize),
}

/// The bit of [`Names::lengths`] for a name of `len` bytes.
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
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
        let quotas: Vec<QuotaNames> = config
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
        let bucket = config
            .bucket_header
            .as_deref()
            .filter(|_| config.scope == Scope::Bucket)
            .and_then(parse);
        let mut lines: Vec<(Box<str>, Line, bool)> = Vec::new();
        let text = |name: &HeaderName| Box::<str>::from(name.as_str());
        if let Some(name) = &bucket {
            lines.push((text(name), Line::Bucket, false));
        }
        for (index, quota) in quotas.iter().enumerate() {
            if let Some(name) = &quota.remaining {
                lines.push((text(name), Line::Count(index), false));
            }
            if let Some((name, _)) = &quota.reset {
                lines.push((text(name), Line::Reset(index), false));
            }
        }
        // a name's entries side by side (a stable sort keeps their order)
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        for at in 1..lines.len() {
            lines[at - 1].2 = lines[at - 1].0 == lines[at].0;
        }
        let lengths = lines
            .iter()
            .fold(0, |bits, (name, ..)| bits | length_bit(name.len()));
        Self {
            bucket,
            quotas,
            ietf: config.ietf,
            lines,
            lengths,
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

/// A header map of at most this many names is read in one pass over its lines; a larger one
/// is looked up by name. A lookup hashes the name byte by byte (about 200 instructions for an
/// `x-ratelimit-*` name), a pass compares each line's name with the few a config reads.
const ONE_PASS: usize = 16;

/// What a response says of its scope: the bucket it names (its first line, told to `bucket`),
/// and in `stated` what it states of each quota at wall time `wall` (see [`Reading::finish`]),
/// leaving the quotas it does not state as they were: a later response's word wins. The first
/// quota's, when its header is absent, from the IETF fields if the config reads them.
pub(crate) fn read_response(
    names: &Names,
    headers: &HeaderMap,
    wall: impl Fn() -> SystemTime,
    stated: &mut StatedQuotas,
    bucket: &mut Named,
) {
    let one_pass = headers.keys_len() <= ONE_PASS;
    read_with(names, headers, wall, stated, bucket, one_pass);
}

/// [`read_response`], in one pass over `headers` or by looking names up.
fn read_with(
    names: &Names,
    headers: &HeaderMap,
    wall: impl Fn() -> SystemTime,
    stated: &mut StatedQuotas,
    bucket: &mut Named,
    one_pass: bool,
) {
    let mut readings = [Reading::default(); MAX_QUOTAS];
    // the wall time, told once and only if a reset's format needs it
    let mut now = None;
    let mut wall = || *now.get_or_insert_with(&wall);
    let mut bucket_read = false;
    if one_pass {
        for (name, value) in headers {
            let text = name.as_str();
            if names.lengths & length_bit(text.len()) == 0 {
                continue;
            }
            for (wanted, line, more) in &names.lines {
                if **wanted != *text {
                    continue;
                }
                let value = value.as_bytes();
                match *line {
                    Line::Bucket => {
                        if !bucket_read {
                            bucket_read = true;
                            bucket.name(value);
                        }
                    }
                    Line::Count(index) => {
                        if let (Some(reading), Some(quota)) =
                            (readings.get_mut(index), names.quotas.get(index))
                        {
                            reading.count_line(value, quota.format);
                        }
                    }
                    Line::Reset(index) => {
                        if let (Some(reading), Some(Some((_, format)))) = (
                            readings.get_mut(index),
                            names.quotas.get(index).map(|q| &q.reset),
                        ) {
                            reading.reset_line(value, *format, &mut wall);
                        }
                    }
                }
                if !more {
                    break;
                }
            }
        }
    } else {
        if let Some(value) = (names.bucket.as_ref()).and_then(|name| headers.get(name)) {
            bucket.name(value.as_bytes());
        }
        for (quota, reading) in names.quotas.iter().zip(&mut readings) {
            let Some(remaining) = &quota.remaining else {
                continue;
            };
            for value in headers.get_all(remaining) {
                reading.count_line(value.as_bytes(), quota.format);
            }
            if let Some((reset, format)) = &quota.reset
                && reading.fewest.is_some()
            {
                for value in headers.get_all(reset) {
                    reading.reset_line(value.as_bytes(), *format, &mut wall);
                }
            }
        }
    }
    let mut first = None;
    for (index, reading) in readings.iter().enumerate().take(names.quotas.len()) {
        let quota = reading.finish();
        if index == 0 {
            first = quota;
        }
        if quota.is_some() {
            stated.set(index, quota);
        }
    }
    if names.ietf
        && first.is_none()
        && let Some(quota) = ietf(headers)
    {
        stated.set(0, Some(quota));
    }
}

/// What a response states of each quota (see [`read_response`]).
#[cfg(test)]
pub(crate) fn stated_quotas(
    names: &Names,
    headers: &HeaderMap,
    wall: impl Fn() -> SystemTime,
) -> StatedQuotas {
    let (mut stated, mut bucket) = (StatedQuotas::default(), Named::NONE);
    read_response(names, headers, wall, &mut stated, &mut bucket);
    stated
}

/// One quota's lines of a response, read as they come.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Reading {
    /// The fewest requests left any line (or comma-separated value) states.
    fewest: Option<u64>,
    /// The latest reset any readable line states.
    reset: Reset,
}

/// What a quota's reset lines said so far.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Reset {
    /// No line read.
    #[default]
    Unread,
    /// Each line read states a reset already past.
    Past,
    /// The latest reset a line states, from now.
    In(Duration),
}

impl Reading {
    /// A line of the quota's count, in `format`; values that do not read count as absent.
    fn count_line(&mut self, line: &[u8], format: CountFormat) {
        // `CountSyntax` is exhaustive, and `CountFormat::syntax` matches every format
        let read = match format.syntax() {
            CountSyntax::Left => {
                // the common line: one short count, digits only
                if let Some(left) = crate::wait::short_count(line) {
                    self.fewest = Some(self.fewest.map_or(left, |fewest| fewest.min(left)));
                    return;
                }
                crate::wait::count
            }
            CountSyntax::UsedOfLimit => crate::wait::used_of_limit,
        };
        for value in line.split(|b| *b == b',') {
            if let Some(left) = read(value) {
                self.fewest = Some(self.fewest.map_or(left, |fewest| fewest.min(left)));
            }
        }
    }

    /// A line of the quota's reset, in `format`, read at wall time `wall()`.
    fn reset_line(
        &mut self,
        line: &[u8],
        format: WaitFormat,
        wall: &mut impl FnMut() -> SystemTime,
    ) {
        // the common line: a short delay, read without the time
        let read = match crate::wait::short_wait(line, format) {
            Some(wait) => Ok(Some(wait).filter(|wait| !wait.is_zero())),
            None => crate::wait::read_at(line, format, wall),
        };
        if let Ok(wait) = read {
            self.reset = match (self.reset, wait) {
                (Reset::In(latest), Some(wait)) => Reset::In(latest.max(wait)),
                (Reset::In(latest), None) => Reset::In(latest),
                (_, Some(wait)) => Reset::In(wait),
                (_, None) => Reset::Past,
            };
        }
    }

    /// The quota the lines state: the requests left (the fewest any line says), when they
    /// reset (the latest any readable line says; a second from now when none does) and the
    /// period's limit if stated. `None` when they state no count, or a reset already past (a
    /// late answer of a period that is over).
    fn finish(self) -> Option<StatedQuota> {
        let remaining = self.fewest?;
        let reset_in = match self.reset {
            Reset::In(wait) => wait,
            Reset::Past => return None,
            // without a readable reset, a spent quota is waited for a second at a time
            Reset::Unread => Duration::from_secs(1),
        };
        Some(StatedQuota::new(remaining, reset_in))
    }
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
#[path = "read_tests.rs"]
mod tests;
