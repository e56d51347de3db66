//! Stage 3: a checked [`RawSpec`] to the resolved [`Spec`]: the base merged in field by
//! field, every default applied. Runs only on specs without problems, so it cannot fail; where
//! a value is missing anyway it falls back to something harmless rather than panicking.

use std::collections::BTreeMap;

use crate::ast::{RawSpec, RawStatus, Sp};
use crate::ident::upper_camel;
use crate::{Class, Policy, Retry, Spec, Status, Template};

/// The fallback variant's name when `[api] fallback` is not given.
pub(crate) const DEFAULT_FALLBACK: &str = "Other";

/// Built-in class defaults (`[class.Nxx]` overrides them): only 5xx is retried, and only for
/// idempotent requests, since the server may have acted on the request before failing.
const BUILTIN_CLASSES: [(Policy, &str); 5] = [
    (Policy::Never, "unexpected informational response"),
    (Policy::Never, "unexpected success status"),
    (Policy::Never, "unexpected redirection"),
    (Policy::Never, "client error"),
    (Policy::Idempotent, "server error"),
];

/// The variant name of `code`: the user's `name`, else the base's, else the IANA registry's
/// (`http.toml` names every code it lists; its reason phrase in UpperCamelCase would do too).
pub(crate) fn variant_name(
    user: Option<&RawStatus>,
    base: Option<&RawStatus>,
    http: &RawSpec,
    code: u16,
) -> Option<String> {
    let iana = http.status(code);
    let explicit = [user, base, iana]
        .into_iter()
        .flatten()
        .find_map(|s| s.name.as_ref());
    explicit.map(|n| n.value.clone()).or_else(|| {
        iana.and_then(|s| s.reason.as_ref())
            .map(|r| upper_camel(&r.value))
    })
}

/// Resolves a spec that [`valid::check`](crate::valid::check) found no problem with.
pub(crate) fn resolve(spec: &RawSpec, http: &RawSpec) -> Spec {
    let api = spec.api.as_ref();
    let api_name = api
        .and_then(|a| a.name.as_ref())
        .map_or_else(String::new, |n| n.value.clone());
    let extends = api
        .and_then(|a| a.extends.as_ref())
        .map(|e| e.value.clone());
    let base = extends.as_ref().map(|_| http);
    let retry = resolve_retry(spec);
    let classes = resolve_classes(spec);

    let mut user: BTreeMap<u16, &RawStatus> = BTreeMap::new();
    for status in &spec.statuses {
        user.entry(status.code).or_insert(status);
    }
    let mut inherited: BTreeMap<u16, &RawStatus> = BTreeMap::new();
    for status in base.map_or(&[][..], |b| b.statuses.as_slice()) {
        inherited.entry(status.code).or_insert(status);
    }
    let mut codes: Vec<u16> = user.keys().chain(inherited.keys()).copied().collect();
    codes.sort_unstable();
    codes.dedup();

    let statuses = codes
        .into_iter()
        .map(|code| {
            let user = user.get(&code).copied();
            let base = inherited.get(&code).copied();
            resolve_status(code, user, base, http, &retry, &classes)
        })
        .collect();

    Spec {
        enum_name: format!("{api_name}Error"),
        api_name,
        display: api
            .and_then(|a| a.display.as_ref())
            .map_or_else(Template::default, |d| d.value.clone()),
        fallback: api
            .and_then(|a| a.fallback.as_ref())
            .map_or_else(|| DEFAULT_FALLBACK.to_owned(), |f| f.value.clone()),
        docs: api.and_then(|a| a.docs.as_ref()).map(|d| d.value.clone()),
        extends,
        retry,
        classes,
        statuses,
    }
}

fn resolve_retry(spec: &RawSpec) -> Retry {
    let raw = &spec.retry;
    let defaults = Retry::default();
    Retry {
        max_attempts: or(raw.max_attempts.as_ref(), defaults.max_attempts),
        initial_backoff: or(raw.initial_backoff.as_ref(), defaults.initial_backoff),
        max_backoff: or(raw.max_backoff.as_ref(), defaults.max_backoff),
        multiplier: raw
            .multiplier
            .as_ref()
            .map_or(defaults.multiplier, |m| m.value),
        jitter: raw.jitter.as_ref().map_or(defaults.jitter, |j| j.value),
        max_retry_after: or(raw.max_retry_after.as_ref(), defaults.max_retry_after),
        max_elapsed: raw.max_elapsed.as_ref().map(|d| d.value),
        wait_headers: raw
            .wait_headers
            .as_ref()
            .map_or(defaults.wait_headers, |w| w.value.clone()),
        budget: raw.budget.as_ref().map(|b| b.value),
    }
}

/// The value written, else `default`.
fn or<T: Copy>(value: Option<&Sp<T>>, default: T) -> T {
    value.map_or(default, |v| v.value)
}

fn resolve_classes(spec: &RawSpec) -> [Class; 5] {
    let mut classes = BUILTIN_CLASSES.map(|(policy, message)| Class {
        policy,
        message: message.to_owned(),
        hint: None,
    });
    for (class, raw) in classes.iter_mut().zip(&spec.classes) {
        let Some(raw) = raw else { continue };
        if let Some(policy) = &raw.retry {
            class.policy = policy.value;
        }
        if let Some(message) = &raw.message {
            class.message.clone_from(&message.value);
        }
        class.hint = raw.hint.as_ref().map(|h| h.value.clone());
    }
    classes
}

/// One status: the user's fields over the base's over the IANA registry's; the policy falls
/// back to the class's (user or built-in), the wait headers to `[retry]`'s.
fn resolve_status(
    code: u16,
    user: Option<&RawStatus>,
    base: Option<&RawStatus>,
    http: &RawSpec,
    retry: &Retry,
    classes: &[Class; 5],
) -> Status {
    let pick = |field: fn(&RawStatus) -> Option<&Sp<String>>| {
        [user, base]
            .into_iter()
            .flatten()
            .find_map(field)
            .map(|v| v.value.clone())
    };
    let iana = http.status(code);
    let class_policy = usize::from(code / 100)
        .checked_sub(1)
        .and_then(|i| classes.get(i))
        .map_or(Policy::Never, |c| c.policy);
    Status {
        code,
        name: variant_name(user, base, http, code).unwrap_or_else(|| format!("Status{code}")),
        reason: pick(|s| s.reason.as_ref())
            .or_else(|| {
                iana.and_then(|s| s.reason.as_ref())
                    .map(|r| r.value.clone())
            })
            .unwrap_or_default(),
        message: pick(|s| s.message.as_ref()).unwrap_or_default(),
        hint: pick(|s| s.hint.as_ref()),
        policy: [user, base]
            .into_iter()
            .flatten()
            .find_map(|s| s.retry.as_ref())
            .map_or(class_policy, |p| p.value),
        wait_headers: [user, base]
            .into_iter()
            .flatten()
            .find_map(|s| s.wait_headers.as_ref())
            .map_or_else(|| retry.wait_headers.clone(), |w| w.value.clone()),
        span: user.map(|s| s.span.clone()),
    }
}
