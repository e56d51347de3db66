//! Spec values in words, shared by `explain` and `docs`.

use core::time::Duration;

use errspec_spec::{Jitter, Policy, WaitFormat, WaitHeader};

/// A duration as a spec would write it: `100ms`, `20s`, `2m`.
pub(crate) fn duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// What a policy does, and why it is safe.
pub(crate) fn policy(policy: Policy) -> &'static str {
    match policy {
        Policy::Never => "not retried: the error is returned at once, whatever the request",
        Policy::Always => "backed off and retried whatever the request method",
        Policy::Idempotent => {
            "backed off and retried for idempotent requests only (GET, HEAD, OPTIONS, TRACE, \
             PUT, DELETE, or methods marked `#[errspec(idempotent)]`): the server may have acted \
             on the request before failing, so other requests are not repeated"
        }
        Policy::AfterHeader => {
            "retried for any request after the wait the response's wait header asks for (the \
             server said when to come back), or after backoff when no valid header came"
        }
    }
}

/// How a wait-header format reads its value.
pub(crate) fn format(format: WaitFormat) -> &'static str {
    match format {
        WaitFormat::Http => "RFC 9110 Retry-After: delay-seconds or an HTTP-date",
        WaitFormat::Seconds => "a delay in seconds",
        WaitFormat::Unix => "the epoch second of the reset",
        WaitFormat::Millis => "a delay in milliseconds",
    }
}

/// `` `retry-after` (http), `x-reset` (unix) ``, or "none".
pub(crate) fn wait_headers(headers: &[WaitHeader]) -> String {
    if headers.is_empty() {
        return "none".to_owned();
    }
    let named: Vec<String> = headers
        .iter()
        .map(|h| format!("`{}` ({})", h.name, h.format.as_str()))
        .collect();
    named.join(", ")
}

/// How a jitter kind spreads a backoff `d`.
pub(crate) fn jitter(jitter: Jitter) -> &'static str {
    match jitter {
        Jitter::None => "no jitter: each wait exactly that",
        Jitter::Full => "full jitter: each wait random between zero and that",
        Jitter::Equal => "equal jitter: each wait random between half of that and all of it",
        Jitter::Decorrelated => {
            "decorrelated jitter: each wait random between `initial_backoff` and three times \
             the previous wait, at most `max_backoff`"
        }
    }
}
