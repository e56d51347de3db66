//! Stage 3: a checked [`RawSpec`] to the resolved [`Spec`]: the base merged in field by
//! field, every default applied. Runs only on specs without problems, so it cannot fail; where
//! a value is missing anyway it falls back to something harmless rather than panicking.

use crate::base::Base;
use crate::names::{DEFAULT_FALLBACK, DEFAULT_TRANSPORT, success_reason, variant_name};
use crate::raw::{Field, RawSpec, RawStatus, RawTable};
use crate::{
    Case, Class, RateLimitConfig, RetryConfig, RetryPolicy, Spec, Status, Template, Transport,
    TransportKind, TransportPolicies,
};

/// Built-in class defaults (`[class.Nxx]` overrides them): only 5xx is retried, and only for
/// idempotent requests, since the server may have acted on the request before failing.
const BUILTIN_CLASSES: [(RetryPolicy, &str); 5] = [
    (RetryPolicy::Never, "unexpected informational response"),
    (RetryPolicy::Never, "unexpected success status"),
    (RetryPolicy::Never, "unexpected redirection"),
    (RetryPolicy::Never, "client error"),
    (RetryPolicy::Idempotent, "server error"),
];

/// Sets `target` to the first value `field` gives among `tables`, nearest first.
fn set<T: Clone>(target: &mut T, tables: &[&RawTable], field: fn(&RawTable) -> &Field<T>) {
    if let Some(value) = first(tables, field) {
        target.clone_from(value);
    }
}

/// The first value `field` gives among `tables`, nearest first.
fn first<'t, T>(tables: &[&'t RawTable], field: fn(&RawTable) -> &Field<T>) -> Option<&'t T> {
    tables.iter().find_map(|t| field(t).value())
}

/// Resolves a spec that [`valid::check`](crate::valid::check) found no problem with: each
/// value is the user's, else the nearest base's (`extends`), else the default.
pub(crate) fn resolve(spec: &RawSpec, http: &RawSpec) -> Spec {
    let base = Base::of(spec);
    let layers: Vec<&RawSpec> = core::iter::once(spec)
        .chain(base.layers.iter().copied())
        .collect();
    let apis: Vec<&RawTable> = layers.iter().filter_map(|l| l.api.as_ref()).collect();
    let api_name = spec
        .api
        .as_ref()
        .and_then(|a| a.name.value())
        .cloned()
        .unwrap_or_default();
    let retry = resolve_retry(&layers.iter().map(|l| &l.retry).collect::<Vec<_>>());
    let classes = resolve_classes(&layers);

    let mut codes: Vec<u16> = spec.statuses.iter().map(|s| s.code).collect();
    codes.extend(base.codes());
    codes.sort_unstable();
    codes.dedup();
    let statuses = codes
        .into_iter()
        .map(|code| {
            let user = spec.status(code);
            let tables: Vec<&RawStatus> = user.into_iter().chain(base.status(code)).collect();
            resolve_status(code, &tables, user.is_some(), http, &retry, &classes)
        })
        // a success status is there for its cases only (`valid` asks for one)
        .filter(|status| !status.is_success() || !status.cases.is_empty())
        .collect();

    let limits: Vec<&RawTable> = layers
        .iter()
        .filter_map(|l| l.rate_limit.as_ref())
        .collect();
    let rate_limit = resolve_rate_limit(&limits);
    let transports: Vec<&RawTable> = layers.iter().filter_map(|l| l.transport.as_ref()).collect();
    let transport = (!transports.is_empty()).then(|| resolve_transport(&transports, &api_name));
    Spec {
        enum_name: format!("{api_name}Error"),
        api_name,
        display: first(&apis, |a| &a.display).map_or_else(Template::default, Clone::clone),
        fallback: first(&apis, |a| &a.fallback)
            .cloned()
            .unwrap_or_else(|| DEFAULT_FALLBACK.to_owned()),
        docs: first(&apis, |a| &a.docs).cloned(),
        transport,
        rate_limit,
        extends: base.name,
        retry,
        classes,
        statuses,
    }
}

fn resolve_transport(tables: &[&RawTable], api_name: &str) -> Transport {
    let policy = |field: fn(&RawTable) -> &Field<RetryPolicy>, kind: TransportKind| {
        first(tables, field)
            .copied()
            .unwrap_or(kind.default_policy())
    };
    Transport {
        name: first(tables, |t| &t.name)
            .cloned()
            .unwrap_or_else(|| DEFAULT_TRANSPORT.to_owned()),
        message: first(tables, |t| &t.message)
            .cloned()
            .unwrap_or_else(|| format!("could not reach the {api_name} API")),
        hint: first(tables, |t| &t.hint).cloned(),
        // one field a kind: a kind added to errspec-core is a missing field here
        policies: TransportPolicies {
            connect: policy(|t| &t.connect, TransportKind::Connect),
            timeout: policy(|t| &t.timeout, TransportKind::Timeout),
            other: policy(|t| &t.other, TransportKind::Other),
        },
    }
}

/// `[rate_limit]` of each layer, nearest first, written over the runtime's defaults.
fn resolve_rate_limit(tables: &[&RawTable]) -> RateLimitConfig {
    let mut limit = RateLimitConfig::new();
    set(&mut limit.scope, tables, |t| &t.scope);
    set(&mut limit.ietf, tables, |t| &t.ietf);
    set(&mut limit.pacing, tables, |t| &t.pacing);
    limit.bucket_header = first(tables, |t| &t.bucket_header).cloned().map(Into::into);
    crate::quota::resolve(&mut limit, tables);
    limit
}

/// `[retry]` of each layer, nearest first, written over the runtime's defaults key by key.
fn resolve_retry(tables: &[&RawTable]) -> RetryConfig {
    let mut retry = RetryConfig::new();
    set(&mut retry.max_attempts, tables, |t| &t.max_attempts);
    set(&mut retry.initial_backoff, tables, |t| &t.initial_backoff);
    set(&mut retry.max_backoff, tables, |t| &t.max_backoff);
    set(&mut retry.multiplier, tables, |t| &t.multiplier);
    set(&mut retry.jitter, tables, |t| &t.jitter);
    set(&mut retry.max_retry_after, tables, |t| &t.max_retry_after);
    retry.max_elapsed = first(tables, |t| &t.max_elapsed).copied();
    retry.min_wait = first(tables, |t| &t.min_wait).copied();
    if let Some(headers) = first(tables, |t| &t.wait_headers) {
        retry.wait_headers = headers.clone().into();
    }
    retry.should_retry_header = first(tables, |t| &t.should_retry_header)
        .cloned()
        .map(Into::into);
    retry.budget = first(tables, |t| &t.budget).copied();
    retry
}

fn resolve_classes(layers: &[&RawSpec]) -> [Class; 5] {
    let mut classes = BUILTIN_CLASSES.map(|(policy, message)| Class {
        policy,
        message: message.to_owned(),
        hint: None,
    });
    for (i, class) in classes.iter_mut().enumerate() {
        let tables: Vec<&RawTable> = layers
            .iter()
            .filter_map(|l| l.classes.get(i).and_then(Option::as_ref))
            .collect();
        set(&mut class.policy, &tables, |t| &t.retry);
        set(&mut class.message, &tables, |t| &t.message);
        class.hint = first(&tables, |t| &t.hint).cloned();
    }
    classes
}

/// One status: the user's fields over the base's over the IANA registry's; the policy falls
/// back to the class's (user or built-in), the wait headers to `[retry]`'s.
fn resolve_status(
    code: u16,
    tables: &[&RawStatus],
    listed_by_user: bool,
    http: &RawSpec,
    retry: &RetryConfig,
    classes: &[Class; 5],
) -> Status {
    /// The first of the tables, nearest first, that gives the field.
    fn pick<'t, T>(tables: &[&'t RawStatus], field: fn(&RawTable) -> &Field<T>) -> Option<&'t T> {
        tables.iter().find_map(|s| field(&s.table).value())
    }
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
    let rate_limited = pick(tables, |t| &t.rate_limited)
        .copied()
        .unwrap_or_else(|| crate::rate_limited_by_default(code));
    let own_cases = tables
        .first()
        .filter(|_| listed_by_user)
        .and_then(|s| s.table.case.value());
    let cases = pick(tables, |t| &t.case)
        .map(|cases| {
            let own = own_cases.is_some_and(|own| std::ptr::eq(own, cases));
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
                        rate_limited: case.rate_limited.value().copied().unwrap_or(rate_limited),
                        span: own.then(|| case.span.clone()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Status {
        code,
        name: variant_name(tables, http, code).unwrap_or_else(|| format!("Status{code}")),
        reason: pick(tables, |t| &t.reason)
            .or_else(|| iana.and_then(|s| s.table.reason.value()))
            .map(String::as_str)
            .or_else(|| success_reason(code))
            .map(str::to_owned)
            .unwrap_or_default(),
        message: pick(tables, |t| &t.message).cloned().unwrap_or_default(),
        hint,
        policy,
        wait_headers,
        max_attempts,
        min_wait,
        rate_limited,
        cases,
        span: tables
            .first()
            .filter(|_| listed_by_user)
            .map(|s| s.table.span.clone()),
    }
}
