//! Warnings for specs that are valid but probably wrong: `errspec check` prints them and still
//! succeeds. The macro does not warn (a proc macro cannot, on stable Rust), so this is the
//! place to ask.

use errspec_spec::{Spec, WaitFormat, WaitHeader};

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

/// Why reading `header` in its format looks wrong, if it does.
fn suspicious(header: &WaitHeader) -> Option<String> {
    let name = header.header_name()?;
    let format = header.format;
    let (fits, reads_as): (&[WaitFormat], &str) = match suggests(name)? {
        Suggests::Delay => (
            &[
                WaitFormat::Http,
                WaitFormat::Seconds,
                WaitFormat::Millis,
                WaitFormat::Duration,
            ],
            "a delay (`seconds`, `millis`, `http` or `duration`)",
        ),
        Suggests::Instant => (
            &[
                WaitFormat::Unix,
                WaitFormat::UnixMillis,
                WaitFormat::Rfc3339,
                WaitFormat::Http,
                WaitFormat::Duration,
            ],
            "the time of the reset (`unix`, `unix-millis` or `rfc3339`), not a delay",
        ),
        Suggests::Millis => (
            &[WaitFormat::Millis, WaitFormat::UnixMillis],
            "milliseconds (`millis` or `unix-millis`)",
        ),
        Suggests::Ratelimit => (
            &[WaitFormat::Ratelimit],
            "an IETF RateLimit field (`ratelimit`)",
        ),
    };
    (!fits.contains(&format)).then(|| {
        format!(
            "`{name}` is read as `{format}`, but its name suggests {reads_as}; a value in \
             another form counts as no wait at all"
        )
    })
}

/// Every warning for `spec`, each naming where the wait source is written.
pub(crate) fn warnings(spec: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |place: &str, headers: &[WaitHeader]| {
        for header in headers {
            if let Some(why) = suspicious(header) {
                let line = format!("{place}: {why}");
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
    };
    check("`[retry] wait_headers`", &spec.retry.wait_headers);
    for status in spec.statuses.iter().filter(|s| s.span.is_some()) {
        check(&format!("`[status.{}]`", status.code), &status.wait_headers);
        for case in &status.cases {
            check(
                &format!("case `{}` of `[status.{}]`", case.name, status.code),
                &case.wait_headers,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warns(name: &'static str, format: WaitFormat) -> bool {
        suspicious(&WaitHeader::new(name, format)).is_some()
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
