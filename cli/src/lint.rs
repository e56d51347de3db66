//! Warnings for specs that are valid but probably wrong: `errspec check` prints them and still
//! succeeds. The macro does not warn (a proc macro cannot, on stable Rust), so this is the
//! place to ask.

use errspec_core::{WaitSyntax, WaitUnit};
#[cfg(test)]
use errspec_spec::WaitFormat;
use errspec_spec::{RetryPolicy, Spec, WaitField};

/// What a header's name suggests its value is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Suggests {
    /// A delay: `*-after`, `*-after-ms`.
    Delay,
    /// The time of a reset: `*-reset` (but not `*-reset-after` or a Go-duration reset).
    Instant,
    /// Milliseconds: `*-ms`.
    Millis,
    /// An IETF `RateLimit` field.
    Ratelimit,
}

fn suggests(name: &str) -> Option<Suggests> {
    if name == "ratelimit" || name == "ratelimit-policy" {
        return Some(Suggests::Ratelimit);
    }
    if name.ends_with("-ms") || name.ends_with("_ms") {
        return Some(Suggests::Millis);
    }
    if name.contains("reset-after") || name.ends_with("-after") {
        return Some(Suggests::Delay);
    }
    if name.ends_with("-reset") || name.ends_with("_reset") {
        return Some(Suggests::Instant);
    }
    None
}

/// Whether a value written in `syntax` can be what a header named so carries. By syntax, not
/// by format, and without a catch-all arm: a new syntax is a compile error here until it says.
fn fits(suggests: Suggests, syntax: WaitSyntax) -> bool {
    match syntax {
        WaitSyntax::Delay(unit) => {
            suggests == Suggests::Delay
                || (suggests == Suggests::Millis && unit == WaitUnit::Millis)
        }
        WaitSyntax::Epoch(unit) => {
            suggests == Suggests::Instant
                || (suggests == Suggests::Millis && unit == WaitUnit::Millis)
        }
        // delay-seconds or a date; a Go duration can be either's value
        WaitSyntax::DelayOrHttpDate | WaitSyntax::GoDuration => {
            matches!(suggests, Suggests::Delay | Suggests::Instant)
        }
        WaitSyntax::Rfc3339 | WaitSyntax::Iso8601 => suggests == Suggests::Instant,
        WaitSyntax::RateLimitField => suggests == Suggests::Ratelimit,
    }
}

/// Why reading `header` in its format looks wrong, if it does.
fn suspicious(header: &WaitField) -> Option<String> {
    let name = header.header_name()?;
    let format = header.format;
    let suggests = suggests(name)?;
    let reads_as = match suggests {
        Suggests::Delay => "a delay (`seconds`, `millis`, `http` or `duration`)",
        Suggests::Instant => {
            "the time of the reset (`unix`, `unix-millis`, `rfc3339` or `iso8601`), not a delay"
        }
        Suggests::Millis => "milliseconds (`millis` or `unix-millis`)",
        Suggests::Ratelimit => "an IETF RateLimit field (`ratelimit`)",
    };
    (!fits(suggests, format.syntax())).then(|| {
        format!(
            "`{name}` is read as `{format}`, but its name suggests {reads_as}; a value in \
             another form counts as no wait at all"
        )
    })
}

/// Every warning for `spec`, each naming where the wait source is written.
pub(crate) fn warnings(spec: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |place: &str, headers: &[WaitField]| {
        for header in headers {
            if let Some(why) = suspicious(header) {
                let line = format!("{place}: {why}");
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
    };
    check("`[retry] wait_sources`", &spec.retry.wait_headers);
    for status in spec.statuses.iter().filter(|s| s.span.is_some()) {
        check(&format!("`[status.{}]`", status.code), &status.wait_headers);
        for case in &status.cases {
            check(
                &format!("case `{}` of `[status.{}]`", case.name, status.code),
                &case.wait_headers,
            );
        }
    }
    out.extend(sourceless(spec));
    out
}

/// `retry = "after-header"` on a status or case with no wait source at all (its own, its
/// status's or `[retry]`'s, which the resolved spec has already given it): no server wait can
/// ever be read, so it is retried after backoff alone, as `always` is.
fn sourceless(spec: &Spec) -> Vec<String> {
    let warn = |place: String| {
        format!(
            "{place}: `retry = \"after-header\"` with no wait source (none of its own, its \
             status's or `[retry]`'s): no server wait is ever read, so it is retried after backoff \
             alone, as `always` is; add `wait_headers = [{{ name = \"retry-after\", format = \
             \"http\" }}]`, or write `retry = \"always\"`"
        )
    };
    let mut out = Vec::new();
    for status in spec.statuses.iter().filter(|s| s.span.is_some()) {
        if status.policy == RetryPolicy::AfterHeader && status.wait_headers.is_empty() {
            out.push(warn(format!("`[status.{}]`", status.code)));
        }
        for case in &status.cases {
            if case.policy == RetryPolicy::AfterHeader && case.wait_headers.is_empty() {
                out.push(warn(format!(
                    "case `{}` of `[status.{}]`",
                    case.name, status.code
                )));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warns(name: &'static str, format: WaitFormat) -> bool {
        suspicious(&WaitField::new(name, format)).is_some()
    }

    #[test]
    fn names_that_suggest_another_format() {
        assert!(warns("x-ratelimit-reset", WaitFormat::Seconds));
        assert!(warns("x-ratelimit-reset-after", WaitFormat::Unix));
        assert!(warns("retry-after-ms", WaitFormat::Seconds));
        assert!(warns("ratelimit", WaitFormat::Seconds));
        assert!(!warns("x-ratelimit-reset-after", WaitFormat::Seconds));
        assert!(!warns("x-ratelimit-reset", WaitFormat::Unix));
        assert!(!warns("retry-after", WaitFormat::Seconds));
        assert!(!warns("retry-after-ms", WaitFormat::Millis));
        assert!(!warns("x-ratelimit-reset-requests", WaitFormat::Duration));
        assert!(!warns("x-wait", WaitFormat::Seconds));
    }
}
