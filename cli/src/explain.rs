//! `errspec explain`: what one status code means under a spec, and how and why it is retried.

use core::fmt::Write as _;

use errspec::http::StatusCode;
use errspec::{Decision, Failure};
use errspec_spec::{
    Jitter, Pacing, RateLimitConfig, RetryConfig, RetryPolicy, Scope, UNKNOWN_REASON, WaitField,
};

use crate::describe;
use crate::load::Loaded;

/// Most backoff waits listed; the rest are summed up.
const SCHEDULE_SHOWN: u32 = 6;

/// The explanation of `code`, one fact a line, each labelled.
pub(crate) fn explain(loaded: &Loaded, code: u16) -> String {
    let spec = &loaded.spec;
    let mut out = String::new();
    let mut line = |label: &str, text: &str| {
        let _ = writeln!(out, "  {label:<9} {text}");
    };
    let mut settings = spec.retry.clone();
    let mut cases_differ = false;
    let (policy, wait_headers, policy_origin, heading, rate_limited) = match spec.status(code) {
        Some(status) => {
            let origin = match &status.span {
                Some(span) => format!(
                    "listed in {}, line {}",
                    loaded.name,
                    loaded.lines().locate(span.start).0
                ),
                None => format!(
                    "inherited from the `http` base spec (`extends = \"http\"` in {})",
                    loaded.name
                ),
            };
            let heading = format!("{code} {}: {origin}", status.reason);
            let success = status.is_success();
            if success {
                line("variant", "none: a success status, whose cases are errors");
            } else {
                line("variant", &format!("{}::{}", spec.enum_name, status.name));
                line("message", &status.message);
            }
            if let Some(hint) = &status.hint {
                line("hint", hint);
            }
            if success {
                line(
                    "cases",
                    "tried in order; a response that matches none is a success",
                );
            } else if !status.cases.is_empty() {
                line(
                    "cases",
                    &format!(
                        "tried in order; a response that matches none is {}::{}",
                        spec.enum_name, status.name
                    ),
                );
            }
            for (i, case) in status.cases.iter().enumerate() {
                let mut text = format!(
                    "{}::{} when {}: {}; retry {}",
                    spec.enum_name, case.name, case.when, case.message, case.policy
                );
                if case.wait_headers != status.wait_headers {
                    let sources = describe::sources(&case.wait_headers).join(", then ");
                    let _ = write!(text, "; waits read from {sources}");
                }
                if let Some(min) = case.min_wait {
                    let _ = write!(text, "; min_wait {}", describe::duration(min));
                }
                if let Some(n) = case.max_attempts {
                    let _ = write!(text, "; max_attempts {n}");
                }
                if case.rate_limited != status.rate_limited {
                    cases_differ = true;
                    let yes = if case.rate_limited { "yes" } else { "no" };
                    let _ = write!(text, "; rate limit {yes}");
                }
                line(&format!("case {}", i + 1), &text);
            }
            settings.max_attempts = status.max_attempts.unwrap_or(settings.max_attempts);
            settings.min_wait = settings.min_wait.max(status.min_wait);
            (
                status.policy,
                status.wait_headers.as_slice(),
                if success {
                    " (its cases' default)".to_owned()
                } else {
                    String::new()
                },
                heading,
                status.rate_limited,
            )
        }
        None => {
            let reason = StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or(UNKNOWN_REASON);
            let heading = format!("{code} {reason}: not listed in {}", loaded.name);
            if code < 400 {
                // what `check`, `send`, the middleware and the layer do with a status below 400
                line(
                    "response",
                    "a success: `check` and `send` hand it back, and no error is made of it",
                );
                line(
                    "variant",
                    &format!(
                        "{}::{} {{ status, .. }} only when converted with `From<StatusCode>`, \
                         the fallback for statuses the spec does not list",
                        spec.enum_name, spec.fallback
                    ),
                );
            } else {
                line(
                    "variant",
                    &format!(
                        "{}::{} {{ status, .. }}, the fallback for statuses the spec does not list",
                        spec.enum_name, spec.fallback
                    ),
                );
            }
            let defaults = spec.defaults_for(code);
            let origin = match defaults.class {
                Some(_) => format!(" (the {}xx class default)", code / 100),
                None => " (outside the classes)".to_owned(),
            };
            let message = match defaults.class {
                Some(_) => format!("{}{origin}", defaults.message),
                None => format!(
                    "{} (codes 600 and above belong to no class)",
                    defaults.message
                ),
            };
            line("message", &message);
            if let Some(hint) = defaults.hint {
                line("hint", hint);
            }
            let wait_headers = match defaults.class {
                Some(_) => &*spec.retry.wait_headers,
                None => &[][..],
            };
            (
                defaults.policy,
                wait_headers,
                origin,
                heading,
                errspec_spec::rate_limited_by_default(code),
            )
        }
    };
    line(
        "retry",
        &format!("{}{policy_origin}: {}", policy.as_str(), policy.describe()),
    );
    if policy != RetryPolicy::Never {
        retries(&mut line, &settings, policy, wait_headers);
    }
    let mut limited = if rate_limited {
        "yes: a refusal of the rate limit, which teaches learned pacing"
    } else {
        "no: not a refusal of the rate limit, so it teaches pacing nothing"
    }
    .to_owned();
    if cases_differ {
        let other = if rate_limited { "no" } else { "yes" };
        let _ = write!(
            limited,
            " (a case marked `rate limit {other}` says otherwise)"
        );
    }
    line("limited", &limited);
    rate_limit(&mut line, &spec.rate_limit);
    if let Some(header) = &spec.retry.should_retry_header {
        line(
            "override",
            &format!(
                "a response with `{header}: true` is retried whatever the policy, one with \
                 `{header}: false` is not retried"
            ),
        );
    }
    format!("{heading}\n{out}")
}

/// The lines on how a retried status is retried: attempts, wait headers, backoff, deadline and
/// budget.
fn retries(
    line: &mut impl FnMut(&str, &str),
    retry: &RetryConfig,
    policy: RetryPolicy,
    wait_headers: &[WaitField],
) {
    let retries = retry.max_attempts.saturating_sub(1);
    if retries == 0 {
        line(
            "attempts",
            "1 in all (`max_attempts = 1`): never retried, whatever the policy",
        );
        return;
    }
    let plural = if retries == 1 { "y" } else { "ies" };
    line(
        "attempts",
        &format!(
            "{} in all, the first included: up to {retries} retr{plural}",
            retry.max_attempts
        ),
    );
    let cap = describe::duration(retry.max_retry_after);
    let headers = describe::sources(wait_headers);
    let read = match headers.as_slice() {
        [] => None,
        [one] => Some(format!("read from {one}")),
        many => Some(format!(
            "read from {}: the first present and valid one counts",
            many.join(", then ")
        )),
    };
    match (read, policy) {
        (None, _) => line("wait", "no wait header is read: every wait is a backoff"),
        (Some(read), RetryPolicy::AfterHeader) => line(
            "wait",
            &format!(
                "{read}; the wait it asks for is slept as asked, but one above {cap} \
                 (`max_retry_after`) fails the call at once instead"
            ),
        ),
        (Some(read), _) => line(
            "wait",
            &format!(
                "{read}; a valid wait is a floor for the backoff (never retry before the \
                 server's stated time), and one above {cap} (`max_retry_after`) fails the call \
                 at once"
            ),
        ),
    }
    let when = if policy == RetryPolicy::AfterHeader && !wait_headers.is_empty() {
        "when no valid header came: "
    } else {
        ""
    };
    line("backoff", &format!("{when}{}", backoff(retry, retries)));
    if let Some(min) = retry.min_wait {
        line(
            "floor",
            &format!(
                "every wait is at least {} (`min_wait`), the server's or the backoff's",
                describe::duration(min)
            ),
        );
    }
    line(
        "deadline",
        &match retry.max_elapsed {
            Some(d) => format!(
                "a retry whose wait would end more than {} after the first attempt is not made \
                 (`max_elapsed`)",
                describe::duration(d)
            ),
            None => "none (`max_elapsed` is not set)".to_owned(),
        },
    );
    line(
        "budget",
        &match retry.budget {
            Some(b) => format!(
                "retries of every call share a budget: over any 10 s, at most {} per first \
                 attempt plus {} a second",
                b.ratio, b.min_per_second
            ),
            None => "none (`budget` is not set)".to_owned(),
        },
    );
}

/// The backoff schedule before jitter, from the runtime's own formula, and the jitter.
fn backoff(retry: &RetryConfig, retries: u32) -> String {
    if retry.jitter == Jitter::Decorrelated {
        return format!(
            "from {} up to {} ({})",
            describe::duration(retry.initial_backoff),
            describe::duration(retry.max_backoff),
            retry.jitter.describe()
        );
    }
    let shown = retries.min(SCHEDULE_SHOWN);
    // the engine's own decision, without jitter: the wait after each failed attempt
    let unjittered = retry.clone().with_jitter(Jitter::None);
    let mut waits: Vec<String> = (1..=shown)
        .filter_map(
            |n| match unjittered.decide(&Failure::new(n, true, RetryPolicy::Always)) {
                Decision::Retry { wait, .. } => Some(describe::duration(wait)),
                _ => None,
            },
        )
        .collect();
    if retries > shown {
        waits.push(format!(
            "... up to {}",
            describe::duration(retry.max_backoff)
        ));
    }
    format!(
        "{} before jitter ({}; x{} a retry, at most {})",
        waits.join(", "),
        retry.jitter.describe(),
        retry.multiplier,
        describe::duration(retry.max_backoff)
    )
}

/// The lines on `[rate_limit]`: what a hold holds, and how the client paces itself.
fn rate_limit(line: &mut impl FnMut(&str, &str), limit: &RateLimitConfig) {
    let scope = match limit.scope {
        Scope::Bucket => format!(
            "bucket: a server-stated wait holds only the calls whose responses name the same \
             `{}`",
            limit.bucket_header.as_deref().unwrap_or_default()
        ),
        scope => format!("{scope}: {}", scope.describe()),
    };
    line("scope", &scope);
    let pacing = if limit.pacing == Pacing::Auto {
        let stated: Vec<String> = limit
            .quota_list()
            .iter()
            .map(|q| format!("`{}`", q.remaining))
            .collect();
        let mut stated = stated;
        if limit.ietf {
            stated.push("the IETF `RateLimit` field".to_owned());
        }
        let learned = "what refusals teach: the requests a period let through at once, then \
                       more spaced out over the period, probing upward after each period \
                       without a refusal";
        if stated.is_empty() {
            format!(
                "auto: sends no more per period than {learned}; never slows a client that has not been refused"
            )
        } else {
            format!(
                "auto: waits while the quota stated on every response is spent ({}); without \
                 one, {learned}",
                stated.join(", ")
            )
        }
    } else {
        format!("{}: {}", limit.pacing, limit.pacing.describe())
    };
    line("pacing", &pacing);
    for quota in limit.quota_list() {
        let reset = quota.reset.as_ref().map_or_else(
            || "no reset stated: once spent, looked at again a second later".to_owned(),
            |r| {
                format!(
                    "reset read from {}",
                    describe::sources(core::slice::from_ref(r)).join("")
                )
            },
        );
        let counts = if quota.methods.is_empty() {
            "every request".to_owned()
        } else {
            format!("{} requests", quota.methods.join(", "))
        };
        line(
            "quota",
            &format!(
                "`{}` as `{}`: {}; counts {counts}; {reset}",
                quota.remaining,
                quota.format,
                quota.format.describe()
            ),
        );
    }
}
