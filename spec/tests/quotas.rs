//! `[[rate_limit.quota]]`, `methods`, the `used/limit` count and the `iso8601` format: what
//! resolves, and each problem's message, place and help.

use errspec_spec::{CountFormat, Diagnostic, Quota, WaitField, WaitFormat, parse_str};

const API: &str = "[api]\nname = \"Test\"\n";

fn diagnostics(source: &str) -> Vec<Diagnostic> {
    match parse_str(source, "spec/test.toml") {
        Ok(spec) => panic!("expected problems, got {:#?}", spec.rate_limit),
        Err(d) => d.0,
    }
}

/// The one diagnostic of `source`: its message, line and column, and help.
#[track_caller]
fn one(source: &str, message: &str, line: usize, column: usize) -> String {
    let all = diagnostics(source);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].message, message);
    assert_eq!(all[0].location, Some((line, column)), "{all:#?}");
    all[0]
        .help
        .clone()
        .expect("every diagnostic says what to do")
}

#[test]
fn arm_and_shopify_quotas_resolve_in_order() {
    let source = format!(
        "{API}[rate_limit]\nscope = \"method\"\n\
         [[rate_limit.quota]]\nremaining = {{ name = \"x-ms-ratelimit-remaining-subscription-reads\" }}\nmethods = [\"GET\", \"HEAD\"]\n\
         [[rate_limit.quota]]\nremaining = {{ name = \"X-Ms-Ratelimit-Remaining-Subscription-Writes\" }}\nmethods = [\"PUT\", \"POST\", \"PATCH\", \"DELETE\"]\n\
         [[rate_limit.quota]]\nremaining = {{ name = \"x-shopify-shop-api-call-limit\", format = \"used/limit\" }}\nreset = {{ name = \"x-reset\", format = \"iso8601\" }}\n"
    );
    let spec = parse_str(&source, "spec/test.toml").expect("valid");
    let limit = &spec.rate_limit;
    assert_eq!(limit.remaining, None);
    let quotas = limit.quota_list();
    assert_eq!(quotas.len(), 3);
    assert_eq!(
        quotas[0],
        Quota::new("x-ms-ratelimit-remaining-subscription-reads").with_methods(["GET", "HEAD"])
    );
    assert_eq!(
        quotas[1].remaining,
        "x-ms-ratelimit-remaining-subscription-writes"
    );
    assert!(quotas[1].counts("DELETE") && !quotas[1].counts("GET"));
    assert_eq!(quotas[2].format, CountFormat::UsedLimit);
    assert_eq!(
        quotas[2].reset,
        Some(WaitField::new("x-reset", WaitFormat::Iso8601))
    );
    assert!(quotas[2].methods.is_empty(), "no methods: every request");
}

#[test]
fn the_shorthand_takes_a_count_format_and_a_plain_name() {
    let source = format!(
        "{API}[rate_limit]\nremaining = {{ name = \"x-shopify-shop-api-call-limit\", format = \"used/limit\" }}\n"
    );
    let spec = parse_str(&source, "spec/test.toml").expect("valid");
    assert_eq!(spec.rate_limit.remaining_format, CountFormat::UsedLimit);
    assert_eq!(spec.rate_limit.quota_list().len(), 1);
    let source = format!("{API}[rate_limit]\nremaining = \"X-RateLimit-Remaining\"\n");
    let spec = parse_str(&source, "spec/test.toml").expect("valid");
    assert_eq!(
        spec.rate_limit.remaining.as_deref(),
        Some("x-ratelimit-remaining")
    );
    assert_eq!(spec.rate_limit.remaining_format, CountFormat::Count);
}

#[test]
fn a_quota_needs_remaining() {
    let help = one(
        &format!("{API}[rate_limit]\n[[rate_limit.quota]]\nmethods = [\"GET\"]\n"),
        "missing `remaining` in `rate_limit.quota[0]`",
        4,
        1,
    );
    assert!(
        help.contains("remaining = { name = \"x-ratelimit-remaining\" }"),
        "{help}"
    );
}

#[test]
fn an_unknown_count_format_suggests_one() {
    let help = one(
        &format!(
            "{API}[rate_limit]\nremaining = {{ name = \"x-left\", format = \"used-limit\" }}\n"
        ),
        "unknown count format `used-limit` for `rate_limit.remaining.format`",
        4,
        41,
    );
    assert!(help.starts_with("did you mean `used/limit`?"), "{help}");
}

#[test]
fn methods_are_standard_and_uppercase() {
    let quota = |methods: &str| {
        format!(
            "{API}[rate_limit]\n[[rate_limit.quota]]\nremaining = {{ name = \"x-left\" }}\nmethods = {methods}\n"
        )
    };
    let help = one(
        &quota("[\"get\"]"),
        "unknown HTTP method `get` in `rate_limit.quota[0].methods`",
        6,
        12,
    );
    assert!(help.starts_with("did you mean `GET`?"), "{help}");
    assert!(help.contains("case-sensitive"), "{help}");
    let help = one(
        &quota("[\"GET\", \"PTACH\"]"),
        "unknown HTTP method `PTACH` in `rate_limit.quota[0].methods`",
        6,
        19,
    );
    assert!(help.starts_with("did you mean `PATCH`?"), "{help}");
    let help = one(
        &quota("[\"FETCH\"]"),
        "unknown HTTP method `FETCH` in `rate_limit.quota[0].methods`",
        6,
        12,
    );
    assert!(help.contains("`GET`"), "{help}");
    let help = one(
        &quota("[]"),
        "`rate_limit.quota[0].methods` lists no method",
        6,
        11,
    );
    assert!(help.contains("leave `methods` out"), "{help}");
    one(
        &quota("\"GET\""),
        "expected an array of HTTP methods for `rate_limit.quota[0].methods`, found a string",
        6,
        11,
    );
}

#[test]
fn the_shorthand_and_quotas_are_not_both_given() {
    let help = one(
        &format!(
            "{API}[rate_limit]\nremaining = {{ name = \"x-left\" }}\n[[rate_limit.quota]]\nremaining = {{ name = \"x-reads\" }}\n"
        ),
        "`[rate_limit]` has both `remaining` and `[[rate_limit.quota]]`",
        4,
        22,
    );
    assert!(help.contains("one-quota shorthand"), "{help}");
    let help = one(
        &format!(
            "{API}[rate_limit]\nreset = {{ name = \"x-reset\", format = \"unix\" }}\n[[rate_limit.quota]]\nremaining = {{ name = \"x-reads\" }}\n"
        ),
        "`reset` in `[rate_limit]` is the shorthand's, and `[[rate_limit.quota]]` is given",
        4,
        18,
    );
    assert!(help.contains("its own `reset`"), "{help}");
}

#[test]
fn at_most_four_quotas() {
    let quotas = "[[rate_limit.quota]]\nremaining = { name = \"x-left\" }\n".repeat(5);
    let source = format!("{API}[rate_limit]\n{quotas}");
    let help = one(
        &source,
        "`[rate_limit]` has 5 quotas; at most 4 are kept apart",
        12,
        1,
    );
    assert!(help.contains("merge"), "{help}");
}

#[test]
fn a_quota_reset_is_a_wait_source() {
    let help = one(
        &format!(
            "{API}[rate_limit]\n[[rate_limit.quota]]\nremaining = {{ name = \"x-left\" }}\nreset = {{ name = \"x-reset\", format = \"iso-8601\" }}\n"
        ),
        "unknown wait format `iso-8601` for `rate_limit.quota[0].reset.format`",
        6,
        38,
    );
    assert!(help.starts_with("did you mean `iso8601`?"), "{help}");
    let help = one(
        &format!(
            "{API}[rate_limit]\n[[rate_limit.quota]]\nremaining = {{ name = \"x-left\" }}\nrest = {{ name = \"x-reset\", format = \"unix\" }}\n"
        ),
        "unknown key `rest` in `rate_limit.quota[0]`",
        6,
        1,
    );
    assert!(help.starts_with("did you mean `reset`?"), "{help}");
}

#[test]
fn a_specs_quotas_replace_its_bases() {
    // github.toml states one quota, the shorthand, with a `unix` reset
    let quotas = |child: &str| {
        let source = format!("[api]\nname = \"Gh\"\nextends = \"github\"\n{child}");
        parse_str(&source, "spec/test.toml")
            .expect("valid")
            .rate_limit
            .quota_list()
    };
    let inherited = quotas("");
    assert_eq!(inherited.len(), 1);
    assert_eq!(inherited[0].remaining, "x-ratelimit-remaining");
    let mine = quotas(
        "[rate_limit]\n[[rate_limit.quota]]\nremaining = { name = \"x-reads\" }\nmethods = [\"GET\"]\n",
    );
    assert_eq!(mine, [Quota::new("x-reads").with_methods(["GET"])]);
    // the shorthand of the nearer layer, with the base's reset
    let shorthand =
        quotas("[rate_limit]\nremaining = { name = \"x-left\", format = \"used/limit\" }\n");
    assert_eq!(
        shorthand,
        [Quota::new("x-left")
            .with_format(CountFormat::UsedLimit)
            .with_reset(Some(WaitField::new("x-ratelimit-reset", WaitFormat::Unix)))]
    );
}
