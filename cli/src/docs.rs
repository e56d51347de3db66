//! `errspec docs`: a spec as Markdown, for a README or an API's error page.

use core::fmt::Write as _;

use errspec_spec::{RetryPolicy, Spec, WaitField};

use crate::describe;
use crate::load::Loaded;

/// The statuses, the class defaults and the retry settings, as Markdown tables.
pub(crate) fn docs(loaded: &Loaded) -> String {
    let spec = &loaded.spec;
    let mut out = String::new();
    let _ = writeln!(out, "# {} API errors\n", cell(&spec.api_name));
    let _ = write!(
        out,
        "The statuses of `{}`, as `#[errspec::errors]` turns them into variants of `{}`.",
        loaded.name, spec.enum_name
    );
    if let Some(docs) = &spec.docs {
        let _ = write!(out, " API documentation: <{docs}>.");
    }
    out.push_str("\n\n");

    out.push_str("| code | variant | reason | message | hint | retry |\n");
    out.push_str("|---:|---|---|---|---|---|\n");
    for s in &spec.statuses {
        if s.is_success() {
            let cases: Vec<String> = s.cases.iter().map(|c| format!("`{}`", c.name)).collect();
            let _ = writeln!(
                out,
                "| {} | none | {} | a success unless it is one of its cases: {} | {} | {} |",
                s.code,
                cell(&s.reason),
                cases.join(", "),
                s.hint.as_deref().map(cell).unwrap_or_default(),
                retry(s.policy, &s.wait_headers),
            );
            continue;
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            s.code,
            s.name,
            cell(&s.reason),
            cell(&s.message),
            s.hint.as_deref().map(cell).unwrap_or_default(),
            retry(s.policy, &s.wait_headers),
        );
    }

    let _ = write!(
        out,
        "\nAny other status becomes `{}::{} {{ status, .. }}`, with its class's defaults:\n\n",
        spec.enum_name, spec.fallback
    );
    out.push_str("| class | message | hint | retry |\n|---|---|---|---|\n");
    for (i, class) in spec.classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {}xx | {} | {} | {} |",
            i + 1,
            cell(&class.message),
            class.hint.as_deref().map(cell).unwrap_or_default(),
            retry(class.policy, &spec.retry.wait_headers),
        );
    }
    let unclassified = spec.defaults_for(600);
    let _ = writeln!(
        out,
        "| 600-999 | {} | {} | {} |",
        cell(unclassified.message),
        unclassified.hint.map(cell).unwrap_or_default(),
        retry(unclassified.policy, &[]),
    );

    out.push_str("\n## Retries\n\n");
    settings(&mut out, spec);
    out
}

/// The `[retry]` settings in force, defaults included.
fn settings(out: &mut String, spec: &Spec) {
    let r = &spec.retry;
    let rows = [
        (
            "max_attempts",
            format!("{} (tries in all, the first included)", r.max_attempts),
        ),
        ("initial_backoff", describe::duration(r.initial_backoff)),
        ("max_backoff", describe::duration(r.max_backoff)),
        ("multiplier", r.multiplier.to_string()),
        ("jitter", r.jitter.as_str().to_owned()),
        (
            "max_retry_after",
            format!(
                "{} (a longer requested wait fails at once)",
                describe::duration(r.max_retry_after)
            ),
        ),
        (
            "max_elapsed",
            r.max_elapsed
                .map_or_else(|| "none".to_owned(), describe::duration),
        ),
        ("wait_headers", describe::wait_headers(&r.wait_headers)),
        (
            "budget",
            r.budget.map_or_else(
                || "none".to_owned(),
                |b| format!("ratio {}, min_per_second {}", b.ratio, b.min_per_second),
            ),
        ),
    ];
    out.push_str("| setting | value |\n|---|---|\n");
    for (key, value) in rows {
        let _ = writeln!(out, "| `{key}` | {value} |");
    }
}

/// A policy for the table; `after-header` names the headers it reads.
fn retry(policy: RetryPolicy, wait_headers: &[WaitField]) -> String {
    match policy {
        RetryPolicy::AfterHeader => {
            format!("after-header: {}", describe::wait_headers(wait_headers))
        }
        other => other.as_str().to_owned(),
    }
}

/// Text made safe for a Markdown table cell: pipes escaped, lines joined.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}
