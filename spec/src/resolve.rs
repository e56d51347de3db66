//! Stage 3: a checked [`RawSpec`] to the resolved [`Spec`]: the base merged in field by
//! field, every default applied. Runs only on specs without problems, so it cannot fail; where
//! a value is missing anyway it falls back to something harmless rather than panicking.

use std::collections::BTreeMap;

use crate::ident::upper_camel;
use crate::raw::{Field, RawSpec, RawStatus, RawTable};
use crate::{
    Case, Class, RetryConfig, RetryPolicy, Spec, Status, Template, Transport, TransportKind,
};

/// The transport variant's name when `[transport] name` is not given.
pub(crate) const DEFAULT_TRANSPORT: &str = "Transport";

/// The fallback variant's name when `[api] fallback` is not given.
pub(crate) const DEFAULT_FALLBACK: &str = "Other";

/// Built-in class defaults (`[class.Nxx]` overrides them): only 5xx is retried, and only for
/// idempotent requests, since the server may have acted on the request before failing.
const BUILTIN_CLASSES: [(RetryPolicy, &str); 5] = [
    (RetryPolicy::Never, "unexpected informational response"),
    (RetryPolicy::Never, "unexpected success status"),
    (RetryPolicy::Never, "unexpected redirection"),
    (RetryPolicy::Never, "client error"),
    (RetryPolicy::Idempotent, "server error"),
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
        .find_map(|s| s.table.name.value());
    explicit.cloned().or_else(|| {
        iana.and_then(|s| s.table.reason.value())
            .map(|r| upper_camel(r))
    })
}

/// Sets `target` to the field's value, if it was given.
fn set<T: Clone>(target: &mut T, field: &Field<T>) {
    if let Some(value) = field.value() {
        target.clone_from(value);
    }
}

/// Resolves a spec that [`valid::check`](crate::valid::check) found no problem with.
pub(crate) fn resolve(spec: &RawSpec, http: &RawSpec) -> Spec {
    let api = spec.api.as_ref();
    let text = |field: fn(&RawTable) -> &Field<String>| api.and_then(|a| field(a).value()).cloned();
    let api_name = text(|a| &a.name).unwrap_or_default();
    let extends = text(|a| &a.extends);
    let base = extends.as_ref().map(|_| http);
    let retry = resolve_retry(&spec.retry);
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

    let transport = spec
        .transport
        .as_ref()
        .map(|t| resolve_transport(t, &api_name));
    Spec {
        enum_name: format!("{api_name}Error"),
        api_name,
        display: api
            .and_then(|a| a.display.value())
            .map_or_else(Template::default, Clone::clone),
        fallback: text(|a| &a.fallback).unwrap_or_else(|| DEFAULT_FALLBACK.to_owned()),
        docs: text(|a| &a.docs),
        transport,
        extends,
        retry,
        classes,
        statuses,
    }
}

fn resolve_transport(raw: &RawTable, api_name: &str) -> Transport {
    let policy = |field: &Field<RetryPolicy>, kind: TransportKind| {
        field.value().copied().unwrap_or(kind.default_policy())
    };
    Transport {
        name: raw
            .name
            .value()
            .cloned()
            .unwrap_or_else(|| DEFAULT_TRANSPORT.to_owned()),
        message: raw
            .message
            .value()
            .cloned()
            .unwrap_or_else(|| format!("could not reach the {api_name} API")),
        hint: raw.hint.value().cloned(),
        connect: policy(&raw.connect, TransportKind::Connect),
        timeout: policy(&raw.timeout, TransportKind::Timeout),
        other: policy(&raw.other, TransportKind::Other),
    }
}

/// `[retry]` written over the runtime's defaults, key by key.
fn resolve_retry(raw: &RawTable) -> RetryConfig {
    let mut retry = RetryConfig::new();
    set(&mut retry.max_attempts, &raw.max_attempts);
    set(&mut retry.initial_backoff, &raw.initial_backoff);
    set(&mut retry.max_backoff, &raw.max_backoff);
    set(&mut retry.multiplier, &raw.multiplier);
    set(&mut retry.jitter, &raw.jitter);
    set(&mut retry.max_retry_after, &raw.max_retry_after);
    retry.max_elapsed = raw.max_elapsed.value().copied();
    retry.min_wait = raw.min_wait.value().copied();
    if let Some(headers) = raw.wait_headers.value() {
        retry.wait_headers = headers.clone().into();
    }
    retry.should_retry_header = raw.should_retry_header.value().cloned().map(Into::into);
    retry.budget = raw.budget.value().copied();
    retry
}

fn resolve_classes(spec: &RawSpec) -> [Class; 5] {
    let mut classes = BUILTIN_CLASSES.map(|(policy, message)| Class {
        policy,
        message: message.to_owned(),
        hint: None,
    });
    for (class, raw) in classes.iter_mut().zip(&spec.classes) {
        let Some(raw) = raw else { continue };
        set(&mut class.policy, &raw.retry);
        set(&mut class.message, &raw.message);
        class.hint = raw.hint.value().cloned();
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
    retry: &RetryConfig,
    classes: &[Class; 5],
) -> Status {
    /// The first of the user's and the base's tables that gives the field.
    fn pick<T>(tables: [Option<&RawStatus>; 2], field: fn(&RawTable) -> &Field<T>) -> Option<&T> {
        tables
            .into_iter()
            .flatten()
            .find_map(|s| field(&s.table).value())
    }
    let tables = [user, base];
    let iana = http.status(code);
    let class_policy = crate::class_index(code)
        .and_then(|i| classes.get(i))
        .map_or(RetryPolicy::Never, |c| c.policy);
    let policy = pick(tables, |t| &t.retry).copied().unwrap_or(class_policy);
    let wait_headers = pick(tables, |t| &t.wait_headers)
        .cloned()
        .unwrap_or_else(|| retry.wait_headers.to_vec());
    let hint = pick(tables, |t| &t.hint).cloned();
    let max_attempts = pick(tables, |t| &t.max_attempts).copied();
    let min_wait = pick(tables, |t| &t.min_wait).copied();
    let cases = pick(tables, |t| &t.case)
        .map(|cases| {
            cases
                .iter()
                .filter_map(|case| {
                    Some(Case {
                        name: case.name.value()?.clone(),
                        when: case.when.value()?.clone(),
                        message: case.message.value()?.clone(),
                        hint: case.hint.value().cloned().or_else(|| hint.clone()),
                        policy: case.retry.value().copied().unwrap_or(policy),
                        wait_headers: case
                            .wait_headers
                            .value()
                            .cloned()
                            .unwrap_or_else(|| wait_headers.clone()),
                        max_attempts: case.max_attempts.value().copied().or(max_attempts),
                        min_wait: case.min_wait.value().copied().or(min_wait),
                        span: case.span.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Status {
        code,
        name: variant_name(user, base, http, code).unwrap_or_else(|| format!("Status{code}")),
        reason: pick(tables, |t| &t.reason)
            .or_else(|| iana.and_then(|s| s.table.reason.value()))
            .cloned()
            .unwrap_or_default(),
        message: pick(tables, |t| &t.message).cloned().unwrap_or_default(),
        hint,
        policy,
        wait_headers,
        max_attempts,
        min_wait,
        cases,
        span: user.map(|s| s.table.span.clone()),
    }
}
