//! Stage 2: checks that need more than one value: required keys (which depend on what the
//! base already says), variant names unique across the merged spec, the fallback name, and
//! `max_backoff >= initial_backoff`.

use core::ops::Range;
use core::time::Duration;
use std::collections::HashMap;

use crate::RetryConfig;
use crate::base::Base;
use crate::diag::Ctxt;
use crate::ident::upper_camel;
use crate::names::{DEFAULT_FALLBACK, DEFAULT_TRANSPORT, variant_name};
use crate::raw::{Field, RawSpec, RawStatus};

/// Reports what `spec` gets wrong; `http` is the built-in base (also the IANA registry).
pub(crate) fn check(spec: &RawSpec, http: &RawSpec, cx: &mut Ctxt<'_>) {
    check_api(spec, cx);
    let base = Base::of(spec);
    for status in &spec.statuses {
        check_required(status, &base, http, cx);
    }
    check_names(spec, &base, http, cx);
    check_backoff(spec, cx);
    check_min_wait(spec, cx);
    check_rate_limit(spec, cx);
    crate::quota::check(spec, cx);
}

fn check_api(spec: &RawSpec, cx: &mut Ctxt<'_>) {
    match &spec.api {
        // Written but not a table, misspelt, or lost to a syntax error: reported already.
        None if spec.written.contains(&"api") || cx.has_syntax_errors() => {}
        None => cx.error(
            0..0,
            "missing `[api]` section",
            "start the spec with `[api]` and `name = \"MyApi\"`: the error enum is named \
             `{name}Error`",
        ),
        Some(api) if !api.name.written() => cx.error(
            api.span.clone(),
            "missing `name` in `[api]`",
            "add `name = \"MyApi\"`: the error enum is named `{name}Error`",
        ),
        Some(_) => {}
    }
}

/// `message`, and for codes the IANA registry lacks, `name` and `reason`.
fn check_required(status: &RawStatus, base: &Base, http: &RawSpec, cx: &mut Ctxt<'_>) {
    let code = status.code;
    if crate::is_success_code(code) {
        check_success(status, base, cx);
        return;
    }
    let inherited = base.status(code).next().is_some();
    let table = &status.table;
    if !inherited && !table.message.written() {
        cx.error(
            table.span.clone(),
            format!("missing `message` in `[status.{code}]`"),
            "add what the status means, Rust error style, e.g. `message = \"rate limit exceeded\"`",
        );
    }
    if http.status(code).is_some() {
        return;
    }
    let name = (!table.name.written()).then(|| {
        let suggestion = table
            .reason
            .value()
            .map(|r| upper_camel(r))
            .filter(|n| crate::ident::check(n).is_ok())
            .unwrap_or_else(|| format!("Status{code}"));
        format!("`name = \"{suggestion}\"` (the variant name)")
    });
    let reason =
        (!table.reason.written()).then(|| "`reason = \"...\"` (the reason phrase)".to_owned());
    let (message, help) = match (name, reason) {
        (Some(name), Some(reason)) => ("`name` and `reason`", format!("add {name} and {reason}")),
        (Some(name), None) => ("`name`", format!("add {name}")),
        (None, Some(reason)) => ("`reason`", format!("add {reason}")),
        (None, None) => return,
    };
    cx.error(
        table.span.clone(),
        format!("status {code} has no IANA reason phrase, so it needs {message}"),
        help,
    );
}

/// A 1xx-3xx status holds cases and generates no variant of its own: it needs a case (its
/// own or its base's), and neither a `message` nor a `name`; a code the IANA registry lacks
/// needs a `reason`, which its cases' messages show.
fn check_success(status: &RawStatus, base: &Base, cx: &mut Ctxt<'_>) {
    let code = status.code;
    let table = &status.table;
    let why = "a response of a 1xx-3xx status is a success unless one of the status's cases \
               matches it";
    if let Some(message) = table.message.get() {
        cx.error(
            message.span.clone(),
            format!("`[status.{code}]` is a success status: it has no `message` of its own"),
            format!(
                "{why}, and each case is an error with its own `message`: move this one into a \
                 `[[status.{code}.case]]` with a `when`, or remove it"
            ),
        );
    }
    if let Some(name) = table.name.get() {
        cx.error(
            name.span.clone(),
            format!("`[status.{code}]` is a success status: it generates no variant to name"),
            format!(
                "{why}, and each case is a variant named by its own `name`: remove `name` from \
                 `[status.{code}]`"
            ),
        );
    }
    let inherited = base
        .status(code)
        .any(|s| s.table.case.value().is_some_and(|cases| !cases.is_empty()));
    if !table.case.written() && !inherited {
        cx.error(
            table.span.clone(),
            format!("success status {code} has no case, so it can never be an error"),
            format!(
                "{why}: add one, e.g. `[[status.{code}.case]]` with `name = \"NotOk\"`, \
                 `when = {{ body = \"/ok\", equals = \"false\" }}` and a `message`, or remove \
                 `[status.{code}]`"
            ),
        );
    }
    if crate::names::success_reason(code).is_none() && !table.reason.written() {
        cx.error(
            table.span.clone(),
            format!("status {code} has no IANA reason phrase, so it needs `reason`"),
            "add `reason = \"...\"` (the reason phrase its cases' messages show)",
        );
    }
}

/// Where a variant name comes from, for messages about duplicates.
struct Claim {
    code: u16,
    /// Where it is written; `None` for a status inherited and not overridden.
    at: Option<Range<usize>>,
}

/// The tables that say what status `code` is: the user's (if any), then each base's.
fn layers<'s>(user: Option<&'s RawStatus>, base: &'s Base, code: u16) -> Vec<&'s RawStatus> {
    user.into_iter().chain(base.status(code)).collect()
}

/// Variant names unique across the merged statuses, and not the fallback's.
fn check_names(spec: &RawSpec, base: &Base, http: &RawSpec, cx: &mut Ctxt<'_>) {
    let mut claims: HashMap<String, Claim> = HashMap::new();
    let from = base.name.as_deref().unwrap_or("http");
    // Inherited statuses the file does not mention come first: they are there before any
    // line of the user's file.
    for code in base.codes() {
        if spec.status(code).is_some() || crate::is_success_code(code) {
            continue;
        }
        if let Some(name) = variant_name(&layers(None, base, code), http, code) {
            claims.entry(name).or_insert(Claim { code, at: None });
        }
    }
    for status in &spec.statuses {
        if crate::is_success_code(status.code) {
            // no variant of its own (a `name` in it is an error of its own)
            continue;
        }
        let Some(name) = variant_name(&layers(Some(status), base, status.code), http, status.code)
        else {
            continue;
        };
        // An explicit name is pointed at; an implied one at the status's key.
        let (at, implied) = match status.table.name.get() {
            Some(name) => (name.span.clone(), false),
            None => (status.table.span.clone(), true),
        };
        if let Some(first) = claims.get(&name) {
            let code = status.code;
            let (message, help) = match &first.at {
                None => (
                    format!(
                        "duplicate variant name `{name}`: status {} inherited from `{from}` \
                         already has it",
                        first.code
                    ),
                    format!(
                        "give status {code} another `name`, or rename status {0} with \
                         `[status.{0}] name = \"...\"`",
                        first.code
                    ),
                ),
                Some(first_at) => {
                    let (line, _) = cx.locate(first_at.start);
                    (
                        format!(
                            "duplicate variant name `{name}`: status {} on line {line} already \
                             has it",
                            first.code
                        ),
                        format!("give status {code} or status {} another `name`", first.code),
                    )
                }
            };
            let message = if implied {
                format!("{message} (status {code} takes it from the IANA registry)")
            } else {
                message
            };
            cx.error(at, message, help);
        } else {
            claims.insert(
                name,
                Claim {
                    code: status.code,
                    at: Some(at),
                },
            );
        }
    }
    check_fallback(spec, &claims, cx);
    check_other_names(spec, base, &claims, cx);
}

fn check_fallback(spec: &RawSpec, claims: &HashMap<String, Claim>, cx: &mut Ctxt<'_>) {
    let Some(api) = &spec.api else { return };
    let fallback = api
        .fallback
        .value()
        .map_or(DEFAULT_FALLBACK, String::as_str);
    let Some(claim) = claims.get(fallback) else {
        return;
    };
    let code = claim.code;
    match (api.fallback.get(), &claim.at) {
        (Some(written), _) => cx.error(
            written.span.clone(),
            format!("fallback variant name `{fallback}` is already the name of status {code}"),
            format!("choose another `fallback`, or give status {code} another `name`"),
        ),
        (None, Some(at)) => cx.error(
            at.clone(),
            format!("variant name `{fallback}` of status {code} is the default fallback variant's name"),
            format!(
                "give status {code} another `name`, or set `fallback = \"...\"` in `[api]` to \
                 name the variant for unlisted statuses"
            ),
        ),
        (None, None) => cx.error(
            api.span.clone(),
            format!("the default fallback variant name `{fallback}` is already the name of status {code}"),
            "set `fallback = \"...\"` in `[api]` to another name",
        ),
    }
}

/// `max_backoff >= initial_backoff`, either of them possibly the default. A key written with
/// a bad value has been reported already and is not compared.
fn check_backoff(spec: &RawSpec, cx: &mut Ctxt<'_>) {
    let retry = &spec.retry;
    let defaults = RetryConfig::new();
    let effective = |value: &Field<Duration>, default: Duration| match value {
        Field::Given(v) => Some((v.value, Some(v.span.clone()))),
        Field::Invalid => None,
        Field::Absent => Some((default, None)),
    };
    let initial = effective(&retry.initial_backoff, defaults.initial_backoff);
    let max = effective(&retry.max_backoff, defaults.max_backoff);
    let (Some((initial, initial_at)), Some((max, max_at))) = (initial, max) else {
        return;
    };
    if max >= initial {
        return;
    }
    let show = |d: Duration| humantime::format_duration(d).to_string();
    match (max_at, initial_at) {
        (Some(max_at), initial_at) => {
            let default = if initial_at.is_some() {
                ""
            } else {
                "the default "
            };
            cx.error(
                max_at,
                format!(
                    "`retry.max_backoff` ({}) is less than {default}`retry.initial_backoff` ({})",
                    show(max),
                    show(initial)
                ),
                format!(
                    "raise `max_backoff` to at least {}, or lower `initial_backoff`",
                    show(initial)
                ),
            );
        }
        (None, Some(initial_at)) => cx.error(
            initial_at,
            format!(
                "`retry.initial_backoff` ({}) is more than the default `retry.max_backoff` ({})",
                show(initial),
                show(max)
            ),
            format!(
                "add `max_backoff = \"{}\"` (or more) to `[retry]`, or lower `initial_backoff`",
                show(initial)
            ),
        ),
        (None, None) => {}
    }
}

/// Case names and the transport variant's name: each a variant of its own, so unique among
/// every variant name, the fallback's included.
fn check_other_names(
    spec: &RawSpec,
    base: &Base,
    statuses: &HashMap<String, Claim>,
    cx: &mut Ctxt<'_>,
) {
    let fallback = spec
        .api
        .as_ref()
        .and_then(|api| api.fallback.value())
        .map_or(DEFAULT_FALLBACK, String::as_str);
    // name -> (what has it, where)
    let mut seen: HashMap<String, (String, Range<usize>)> = HashMap::new();
    let mut inherited: Vec<(String, String)> = Vec::new();
    // Cases a base gives, where the file does not write its own, are there before the file's.
    let from = base.name.as_deref().unwrap_or("http");
    for code in base.codes() {
        if spec.status(code).is_some_and(|s| s.table.case.written()) {
            continue;
        }
        let cases = base.status(code).find_map(|s| s.table.case.value());
        for case in cases.map_or(&[][..], Vec::as_slice) {
            if let Some(name) = case.name.value() {
                inherited.push((name.clone(), format!("a case of status {code} in `{from}`")));
            }
        }
    }
    let mut check = |name: &str, at: Range<usize>, what: String, cx: &mut Ctxt<'_>| {
        let taken = if let Some(claim) = statuses.get(name) {
            Some(format!("status {}", claim.code))
        } else if name == fallback {
            Some("the fallback variant".to_owned())
        } else if let Some((_, what)) = inherited.iter().find(|(n, _)| n == name) {
            Some(what.clone())
        } else {
            seen.get(name)
                .map(|(other, first)| format!("{other} on line {}", cx.locate(first.start).0))
        };
        match taken {
            Some(other) => cx.error(
                at,
                format!("variant name `{name}` of {what} is already the name of {other}"),
                format!(
                    "give {what} another `name`: it is a variant of the enum, beside every \
                     status, case and the fallback"
                ),
            ),
            None => {
                seen.insert(name.to_owned(), (what, at));
            }
        }
    };
    for status in &spec.statuses {
        let cases = status.table.case.value().map_or(&[][..], Vec::as_slice);
        for (i, case) in cases.iter().enumerate() {
            if let Some(name) = case.name.get() {
                let what = format!("case {} of status {}", i + 1, status.code);
                check(&name.value, name.span.clone(), what, cx);
            }
        }
    }
    if let Some(transport) = &spec.transport {
        let (name, at) = match transport.name.get() {
            Some(name) => (name.value.as_str(), name.span.clone()),
            None if transport.name.written() => return,
            None => (DEFAULT_TRANSPORT, transport.span.clone()),
        };
        check(name, at, "the transport variant".to_owned(), cx);
    }
}

/// `min_wait` at most `max_retry_after` wherever it is written: a floor above the cap would
/// make every wait fail the call.
fn check_min_wait(spec: &RawSpec, cx: &mut Ctxt<'_>) {
    let cap = match &spec.retry.max_retry_after {
        Field::Given(cap) => cap.value,
        Field::Invalid => return,
        Field::Absent => RetryConfig::new().max_retry_after,
    };
    let show = |d: Duration| humantime::format_duration(d).to_string();
    let mut tables = vec![("retry".to_owned(), &spec.retry)];
    for status in &spec.statuses {
        tables.push((format!("status.{}", status.code), &status.table));
        let cases = status.table.case.value().map_or(&[][..], Vec::as_slice);
        for (i, case) in cases.iter().enumerate() {
            tables.push((format!("status.{}.case[{i}]", status.code), case));
        }
    }
    for (path, table) in tables {
        if let Some(min) = table.min_wait.get()
            && min.value > cap
        {
            cx.error(
                min.span.clone(),
                format!(
                    "`{path}.min_wait` ({}) is more than `retry.max_retry_after` ({})",
                    show(min.value),
                    show(cap)
                ),
                format!(
                    "every wait would be above the cap and fail the call at once: lower \
                     `min_wait`, or raise `max_retry_after` in `[retry]` to at least {}",
                    show(min.value)
                ),
            );
        }
    }
}

/// `scope = "bucket"` and `bucket_header` go together.
fn check_rate_limit(spec: &RawSpec, cx: &mut Ctxt<'_>) {
    let Some(limit) = &spec.rate_limit else {
        return;
    };
    let bucket = limit.scope.value() == Some(&crate::Scope::Bucket);
    match (bucket, limit.bucket_header.get()) {
        (true, None) if !limit.bucket_header.written() => {
            let at = limit
                .scope
                .get()
                .map_or(limit.span.clone(), |s| s.span.clone());
            cx.error(
                at,
                "`scope = \"bucket\"` needs `bucket_header` in `[rate_limit]`",
                "name the response header that names a request's bucket, e.g. \
                 `bucket_header = \"x-ratelimit-bucket\"`, or choose `scope = \"method\"`",
            );
        }
        (false, Some(header)) if limit.scope.value().is_some() || !limit.scope.written() => {
            cx.error(
                header.span.clone(),
                "`bucket_header` is read only with `scope = \"bucket\"`",
                "add `scope = \"bucket\"` to `[rate_limit]`, or leave `bucket_header` out",
            );
        }
        _ => {}
    }
}
