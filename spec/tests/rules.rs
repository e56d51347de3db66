//! One test per validation rule: the message, where it points (line and column) and the help.

use errspec_spec::{Diagnostic, parse_str};

/// Every diagnostic of `source`, which must not resolve.
fn diagnostics(source: &str) -> Vec<Diagnostic> {
    match parse_str(source, "spec/test.toml") {
        Ok(spec) => panic!("expected problems, got {spec:#?}"),
        Err(d) => d.0,
    }
}

/// The one diagnostic of `source`.
fn one(source: &str) -> Diagnostic {
    let mut all = diagnostics(source);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

/// Asserts a diagnostic's message and position; returns its help.
#[track_caller]
fn check(d: &Diagnostic, message: &str, line: usize, column: usize) -> String {
    assert_eq!(d.message, message);
    assert_eq!(d.location, Some((line, column)), "{d:#?}");
    assert_eq!(d.file, "spec/test.toml");
    d.help.clone().expect("every diagnostic says what to do")
}

const API: &str = "[api]\nname = \"Test\"\n";

// ----- TOML itself ----------------------------------------------------------------------------

#[test]
fn invalid_toml() {
    let d = one("[api]\nname = \"Test\"\ndocs = tru\n");
    let help = check(&d, "invalid TOML: invalid boolean, expected `true`", 3, 8);
    assert!(help.contains("TOML"));
}

#[test]
fn duplicate_toml_key() {
    let d = one("[api]\nname = \"Test\"\nname = \"Again\"\n");
    let help = check(&d, "invalid TOML: duplicate key `name`", 3, 1);
    assert!(help.contains("once per table"));
    // A table written twice is one problem, not one more per key it repeats.
    let d = one(&format!(
        "{API}[status.404]\nmessage = \"a\"\n[status.404]\nmessage = \"b\"\n"
    ));
    let help = check(
        &d,
        "invalid TOML: table `[status.404]` is defined twice (first on line 3)",
        5,
        9,
    );
    assert_eq!(
        help,
        "merge the two `[status.404]` tables into one: a table can appear once"
    );
}

#[test]
fn syntax_errors_do_not_cause_follow_on_errors() {
    // The parser recovers `name = ` as an empty string; that is not reported again.
    let d = one("[api]\nname = \n");
    assert!(d.message.starts_with("invalid TOML: "), "{d:#?}");
    assert_eq!(d.location, Some((2, 8)));
    // A broken `[api` header is not also a missing `[api]` section.
    let d = one("[api\nname = \"X\"\n");
    check(&d, "invalid TOML: unclosed table, expected `]`", 1, 5);
}

// ----- [api] ----------------------------------------------------------------------------------

#[test]
fn missing_api_section() {
    let d = one("[status.404]\nmessage = \"gone\"\n");
    let help = check(&d, "missing `[api]` section", 1, 1);
    assert!(help.contains("name = \"MyApi\""));
}

#[test]
fn missing_api_name() {
    let d = one("\n[api]\ndocs = \"https://example.com\"\n");
    let help = check(&d, "missing `name` in `[api]`", 2, 2);
    assert!(help.contains("{name}Error"));
}

#[test]
fn unknown_section_suggests() {
    let d = one(&format!("{API}[stauts.404]\nmessage = \"gone\"\n"));
    let help = check(&d, "unknown section `[stauts]`", 3, 2);
    assert_eq!(help, "did you mean `[status]`?");
}

#[test]
fn unknown_top_level_key_says_where_it_belongs() {
    let d = one(&format!("max_attempts = 3\n{API}"));
    let help = check(&d, "unknown top-level key `max_attempts`", 1, 1);
    assert_eq!(help, "`max_attempts` belongs in `[retry]`");
}

#[test]
fn unknown_key_suggests() {
    let d = one("[api]\nnme = \"Test\"\n");
    let help = check(&d, "unknown key `nme` in `[api]`", 2, 1);
    assert_eq!(help, "did you mean `name`?");
}

#[test]
fn unknown_key_lists_keys() {
    let d = one(&format!("{API}colour = \"red\"\n"));
    let help = check(&d, "unknown key `colour` in `[api]`", 3, 1);
    assert_eq!(
        help,
        "the keys of `[api]` are `name`, `extends`, `display`, `fallback` and `docs`"
    );
}

#[test]
fn key_in_the_wrong_section() {
    let d = one(&format!("{API}retry = \"always\"\n"));
    let help = check(&d, "unknown key `retry` in `[api]`", 3, 1);
    assert_eq!(help, "`retry` belongs in a `[status.N]` table");
}

#[test]
fn wrong_type() {
    let d = one("[api]\nname = 42\n");
    let help = check(
        &d,
        "expected a string for `api.name`, found an integer",
        2,
        8,
    );
    assert_eq!(help, "write, e.g., `name = \"Ardoq\"`");
    let d = one(&format!("{API}docs = [\"a\"]\n"));
    check(&d, "expected a string for `api.docs`, found an array", 3, 8);
    let d = one("api = 1\n");
    check(&d, "expected a table for `api`, found an integer", 1, 7);
}

#[test]
fn api_name_not_an_identifier() {
    let d = one("[api]\nname = \"My Api\"\n");
    let help = check(&d, "API name `My Api` is not a Rust identifier", 2, 8);
    assert_eq!(help, "write `MyApi`, a Rust identifier");
    let d = one("[api]\nname = \"1Password\"\n");
    check(&d, "API name `1Password` is not a Rust identifier", 2, 8);
    let d = one("[api]\nname = \"\"\n");
    check(&d, "API name `` is empty, not a Rust identifier", 2, 8);
}

#[test]
fn keywords_are_rejected_raw_or_not() {
    for keyword in ["Self", "self", "crate", "super", "type", "async"] {
        let d = one(&format!("[api]\nname = \"{keyword}\"\n"));
        check(&d, &format!("API name `{keyword}` is a Rust keyword"), 2, 8);
        let d = one(&format!("[api]\nname = \"r#{keyword}\"\n"));
        check(
            &d,
            &format!("API name `r#{keyword}` is a raw identifier, which cannot be used here"),
            2,
            8,
        );
    }
}

#[test]
fn unknown_base() {
    let d = one(&format!("{API}extends = \"https\"\n"));
    let help = check(&d, "unknown base spec `https`", 3, 11);
    assert!(help.starts_with("did you mean `http`?"), "{help}");
    let d = one(&format!("{API}extends = \"githb\"\n"));
    let help = check(&d, "unknown base spec `githb`", 3, 11);
    assert!(help.starts_with("did you mean `github`?"), "{help}");
    let d = one(&format!("{API}extends = \"grpc\"\n"));
    let help = check(&d, "unknown base spec `grpc`", 3, 11);
    assert_eq!(
        help,
        "the base specs are `http`, `github`, `stripe`, `openai`, `anthropic`, `discord`, \
         `gitlab`, `google`, `aws`, `slack`, `azure`, `shopify` or `jira`: write, e.g., \
         `extends = \"http\"`, or leave `extends` out"
    );
}

#[test]
fn unknown_placeholder_points_inside_the_template() {
    let d = one(&format!("{API}display = \"{{code}}: {{msg}}\"\n"));
    let help = check(&d, "unknown placeholder `{msg}` in `display`", 3, 20);
    assert!(help.starts_with("did you mean `{message}`?"), "{help}");
}

#[test]
fn unbalanced_braces() {
    let d = one(&format!("{API}display = \"{{code\"\n"));
    let help = check(&d, "unclosed `{` in `display`", 3, 12);
    assert!(help.contains("`{{`"));
    let d = one(&format!("{API}display = \"code}}\"\n"));
    let help = check(&d, "unmatched `}` in `display`", 3, 16);
    assert_eq!(help, "write `}}` for a literal `}`");
}

#[test]
fn template_with_escapes_points_at_the_string() {
    // An escape in the TOML string makes offsets differ: point at the whole string.
    let d = one(&format!("{API}display = \"\\t{{nope}}\"\n"));
    check(&d, "unknown placeholder `{nope}` in `display`", 3, 11);
}

#[test]
fn fallback_not_an_identifier() {
    let d = one(&format!("{API}fallback = \"Not Listed\"\n"));
    let help = check(
        &d,
        "fallback variant name `Not Listed` is not a Rust identifier",
        3,
        12,
    );
    assert_eq!(help, "write `NotListed`, a Rust identifier");
}

#[test]
fn fallback_collides_with_a_status() {
    let d = one(&format!(
        "{API}fallback = \"NotFound\"\n[status.404]\nmessage = \"gone\"\n"
    ));
    let help = check(
        &d,
        "fallback variant name `NotFound` is already the name of status 404",
        3,
        12,
    );
    assert!(help.contains("another `fallback`"));
    // The default fallback name.
    let d = one(&format!(
        "{API}[status.500]\nname = \"Other\"\nmessage = \"boom\"\n"
    ));
    check(
        &d,
        "variant name `Other` of status 500 is the default fallback variant's name",
        4,
        8,
    );
    // An inherited name.
    let d = one(&format!("{API}extends = \"http\"\nfallback = \"Gone\"\n"));
    check(
        &d,
        "fallback variant name `Gone` is already the name of status 410",
        4,
        12,
    );
}

// ----- [retry] --------------------------------------------------------------------------------

#[test]
fn max_attempts_zero() {
    let d = one(&format!("{API}[retry]\nmax_attempts = 0\n"));
    let help = check(
        &d,
        "`retry.max_attempts` must be at least 1, found 0",
        4,
        16,
    );
    assert!(help.contains("`max_attempts = 1` to never retry"));
}

#[test]
fn max_attempts_out_of_range() {
    let d = one(&format!("{API}[retry]\nmax_attempts = -3\n"));
    check(
        &d,
        "`retry.max_attempts` must be at least 1, found -3",
        4,
        16,
    );
    let d = one(&format!("{API}[retry]\nmax_attempts = 4294967296\n"));
    check(
        &d,
        "`retry.max_attempts` must be at most 4294967295, found 4294967296",
        4,
        16,
    );
    let huge = "9".repeat(60);
    let d = one(&format!("{API}[retry]\nmax_attempts = {huge}\n"));
    assert!(
        d.message
            .starts_with("`retry.max_attempts` must be at most 4294967295, found 999")
    );
    assert!(
        d.message.ends_with('…'),
        "long values are clipped: {}",
        d.message
    );
    let d = one(&format!("{API}[retry]\nmax_attempts = 3.0\n"));
    check(
        &d,
        "expected an integer for `retry.max_attempts`, found a float",
        4,
        16,
    );
}

#[test]
fn bad_duration() {
    let d = one(&format!("{API}[retry]\nmax_backoff = \"20 parsecs\"\n"));
    assert!(
        d.message
            .starts_with("invalid duration `20 parsecs` for `retry.max_backoff`: "),
        "{}",
        d.message
    );
    assert_eq!(d.location, Some((4, 15)));
    assert!(d.help.unwrap().contains("\"250ms\", \"20s\" or \"2m\""));
    let d = one(&format!("{API}[retry]\nmax_elapsed = 120\n"));
    let help = check(
        &d,
        "expected a duration string for `retry.max_elapsed`, found an integer",
        4,
        15,
    );
    assert_eq!(
        help,
        "write the duration as a string with a unit, e.g. `max_elapsed = \"120ms\"` or \
         `max_elapsed = \"120s\"`"
    );
}

#[test]
fn max_backoff_below_initial_backoff() {
    let d = one(&format!(
        "{API}[retry]\ninitial_backoff = \"2s\"\nmax_backoff = \"1s\"\n"
    ));
    let help = check(
        &d,
        "`retry.max_backoff` (1s) is less than `retry.initial_backoff` (2s)",
        5,
        15,
    );
    assert_eq!(
        help,
        "raise `max_backoff` to at least 2s, or lower `initial_backoff`"
    );
    // Against the defaults.
    let d = one(&format!("{API}[retry]\nmax_backoff = \"50ms\"\n"));
    check(
        &d,
        "`retry.max_backoff` (50ms) is less than the default `retry.initial_backoff` (100ms)",
        4,
        15,
    );
    let d = one(&format!("{API}[retry]\ninitial_backoff = \"1m\"\n"));
    let help = check(
        &d,
        "`retry.initial_backoff` (1m) is more than the default `retry.max_backoff` (20s)",
        4,
        19,
    );
    assert!(help.starts_with("add `max_backoff = \"1m\"`"));
}

#[test]
fn bad_backoff_is_not_compared() {
    // Only the bad duration is reported, not also a comparison with the default.
    let d = one(&format!(
        "{API}[retry]\ninitial_backoff = \"soon\"\nmax_backoff = \"1ms\"\n"
    ));
    assert!(d.message.starts_with("invalid duration `soon`"));
}

#[test]
fn multiplier_range() {
    for (written, column) in [
        ("0.5", 14),
        ("nan", 14),
        ("inf", 14),
        ("-2", 14),
        ("1e999", 14),
    ] {
        let d = one(&format!("{API}[retry]\nmultiplier = {written}\n"));
        let help = check(
            &d,
            &format!("`retry.multiplier` must be a finite number of at least 1.0, found {written}"),
            4,
            column,
        );
        assert!(help.contains("`multiplier = 1.0`"));
    }
    let d = one(&format!("{API}[retry]\nmultiplier = \"2\"\n"));
    check(
        &d,
        "expected a number for `retry.multiplier`, found a string",
        4,
        14,
    );
}

#[test]
fn unknown_jitter() {
    let d = one(&format!("{API}[retry]\njitter = \"ful\"\n"));
    let help = check(&d, "unknown jitter `ful` for `retry.jitter`", 4, 10);
    assert_eq!(
        help,
        "did you mean `full`? write one of `none`, `full`, `equal` or `decorrelated`"
    );
}

#[test]
fn unknown_wait_header_format() {
    let d = one(&format!(
        "{API}[retry]\nwait_headers = [{{ name = \"retry-after\", format = \"epoch\" }}]\n"
    ));
    let help = check(
        &d,
        "unknown wait format `epoch` for `retry.wait_headers[0].format`",
        4,
        50,
    );
    assert_eq!(
        help,
        "write one of `http`, `seconds`, `millis`, `unix`, `unix-millis`, `rfc3339`, \
         `iso8601`, `duration` or `ratelimit`"
    );
}

#[test]
fn bad_header_name() {
    let d = one(&format!(
        "{API}[retry]\nwait_headers = [{{ name = \"Retry After\", format = \"http\" }}]\n"
    ));
    let help = check(&d, "`Retry After` is not a valid HTTP header name", 4, 26);
    assert_eq!(help, "write `retry-after`");
    let d = one(&format!(
        "{API}[retry]\nwait_headers = [{{ name = \"\", format = \"http\" }}]\n"
    ));
    check(&d, "`` is not a valid HTTP header name", 4, 26);
}

#[test]
fn wait_header_needs_name_and_format() {
    let all = diagnostics(&format!(
        "{API}[retry]\nwait_headers = [{{ name = \"x-wait\" }}, {{ format = \"unix\" }}]\n"
    ));
    assert_eq!(all.len(), 2, "{all:#?}");
    let help = check(
        &all[0],
        "missing `format` in `retry.wait_headers[0]`",
        4,
        17,
    );
    assert!(help.contains("`format = \"http\"`"));
    check(&all[1], "missing `name` in `retry.wait_headers[1]`", 4, 38);
}

#[test]
fn duplicate_wait_header() {
    let d = one(&format!(
        "{API}[status.429]\nmessage = \"slow down\"\nwait_headers = [\n  {{ name = \"Retry-After\", format = \"http\" }},\n  {{ name = \"retry-after\", format = \"seconds\" }},\n]\n"
    ));
    let help = check(
        &d,
        "duplicate wait header `retry-after` in `status.429.wait_headers`",
        7,
        12,
    );
    assert!(help.contains("first header present"));
}

#[test]
fn wait_headers_type() {
    let d = one(&format!("{API}[retry]\nwait_headers = \"retry-after\"\n"));
    check(
        &d,
        "expected an array for `retry.wait_headers`, found a string",
        4,
        16,
    );
    let d = one(&format!("{API}[retry]\nwait_headers = [\"retry-after\"]\n"));
    let help = check(
        &d,
        "expected a table for `retry.wait_headers[0]`, found a string",
        4,
        17,
    );
    assert_eq!(
        help,
        "write, e.g., `{ name = \"retry-after\", format = \"http\" }`"
    );
}

#[test]
fn budget_ranges() {
    let d = one(&format!("{API}[retry]\nbudget = {{ ratio = -0.5 }}\n"));
    let help = check(
        &d,
        "`retry.budget.ratio` must be a number from 0 to 1000, found -0.5",
        4,
        20,
    );
    assert!(help.contains("`ratio = 0.2`"));
    let d = one(&format!("{API}[retry]\nbudget = {{ ratio = nan }}\n"));
    check(
        &d,
        "`retry.budget.ratio` must be a number from 0 to 1000, found nan",
        4,
        20,
    );
    let d = one(&format!("{API}[retry]\nbudget = {{ ratio = 1001 }}\n"));
    check(
        &d,
        "`retry.budget.ratio` must be a number from 0 to 1000, found 1001",
        4,
        20,
    );
    let d = one(&format!(
        "{API}[retry]\nbudget = {{ min_per_second = -1 }}\n"
    ));
    check(
        &d,
        "`retry.budget.min_per_second` must be at least 0, found -1",
        4,
        29,
    );
    let d = one(&format!(
        "{API}[retry]\nbudget = {{ min_per_second = 0x1_0000_0000 }}\n"
    ));
    check(
        &d,
        "`retry.budget.min_per_second` must be at most 4294967295, found 0x1_0000_0000",
        4,
        29,
    );
    let d = one(&format!(
        "{API}[retry.budget]\nratio = 0.1\nper_second = 5\n"
    ));
    let help = check(&d, "unknown key `per_second` in `retry.budget`", 5, 1);
    assert_eq!(
        help,
        "the keys of `retry.budget` are `ratio` and `min_per_second`"
    );
}

// ----- [class] --------------------------------------------------------------------------------

#[test]
fn unknown_class() {
    let d = one(&format!("{API}[class.6xx]\nretry = \"never\"\n"));
    let help = check(&d, "unknown status class `6xx`", 3, 8);
    assert!(help.starts_with("the classes are `1xx`, `2xx`, `3xx`, `4xx` and `5xx`"));
    assert!(
        help.contains("codes 600 to 999 belong to no class"),
        "{help}"
    );
    let d = one(&format!("{API}[class.5XX]\nretry = \"never\"\n"));
    let help = check(&d, "unknown status class `5XX`", 3, 8);
    assert!(help.starts_with("did you mean `5xx`?"), "{help}");
}

#[test]
fn class_keys() {
    let d = one(&format!("{API}[class.5xx]\npolicy = \"always\"\n"));
    check(&d, "unknown key `policy` in `[class.5xx]`", 4, 1);
    let d = one(&format!("{API}[class.5xx]\nretry = \"sometimes\"\n"));
    let help = check(
        &d,
        "unknown retry policy `sometimes` for `class.5xx.retry`",
        4,
        9,
    );
    assert_eq!(
        help,
        "write one of `never`, `always`, `idempotent` or `after-header`"
    );
}

// ----- [status.N] -----------------------------------------------------------------------------

#[test]
fn status_key_not_a_code() {
    let d = one(&format!(
        "{API}[status.teapot]\nmessage = \"short and stout\"\n"
    ));
    let help = check(&d, "`teapot` is not a status code", 3, 9);
    assert_eq!(
        help,
        "key each status table by its numeric code, e.g. `[status.429]`"
    );
    let d = one(&format!("{API}[status.4xx]\nmessage = \"client error\"\n"));
    let help = check(&d, "`4xx` is not a status code", 3, 9);
    assert_eq!(help, "defaults for a whole class go in `[class.4xx]`");
}

#[test]
fn status_code_out_of_range() {
    for code in ["99", "1000", "0", "000099"] {
        let d = one(&format!("{API}[status.{code}]\nmessage = \"x\"\n"));
        let help = check(&d, &format!("status code `{code}` is out of range"), 3, 9);
        assert!(help.contains("100 to 999"));
    }
}

#[test]
fn duplicate_code() {
    let d = one(&format!(
        "{API}[status.429]\nmessage = \"slow down\"\n[status.0429]\nmessage = \"again\"\n"
    ));
    let help = check(
        &d,
        "duplicate status code `0429`: status 429 is already defined on line 3",
        5,
        9,
    );
    assert_eq!(help, "merge the two into one `[status.429]` table");
}

#[test]
fn status_must_be_a_table() {
    let d = one(&format!("{API}[status]\n404 = \"gone\"\n"));
    check(
        &d,
        "expected a table for `status.404`, found a string",
        4,
        7,
    );
    let d = one(&format!("{API}[[status]]\n"));
    let help = check(&d, "expected a table for `status`, found an array", 3, 1);
    assert_eq!(help, "write, e.g., `[status.429]`");
}

#[test]
fn missing_message() {
    let d = one(&format!("{API}[status.404]\nhint = \"check the id\"\n"));
    let help = check(&d, "missing `message` in `[status.404]`", 3, 9);
    assert!(help.contains("message = "));
}

#[test]
fn empty_message() {
    let d = one(&format!("{API}[status.404]\nmessage = \"  \"\n"));
    let help = check(&d, "`status.404.message` is empty", 4, 11);
    assert!(help.starts_with("write some text"));
}

#[test]
fn code_without_reason_phrase_needs_name_and_reason() {
    let d = one(&format!(
        "{API}[status.499]\nmessage = \"client went away\"\n"
    ));
    let help = check(
        &d,
        "status 499 has no IANA reason phrase, so it needs `name` and `reason`",
        3,
        9,
    );
    assert_eq!(
        help,
        "add `name = \"Status499\"` (the variant name) and `reason = \"...\"` (the reason phrase)"
    );
    let d = one(&format!(
        "{API}[status.499]\nreason = \"Client Closed Request\"\nmessage = \"client went away\"\n"
    ));
    let help = check(
        &d,
        "status 499 has no IANA reason phrase, so it needs `name`",
        3,
        9,
    );
    assert_eq!(
        help,
        "add `name = \"ClientClosedRequest\"` (the variant name)"
    );
    let d = one(&format!(
        "{API}[status.499]\nname = \"ClientClosed\"\nmessage = \"client went away\"\n"
    ));
    check(
        &d,
        "status 499 has no IANA reason phrase, so it needs `reason`",
        3,
        9,
    );
}

#[test]
fn rate_limited_is_a_boolean_of_statuses_and_cases() {
    let d = one(&format!(
        "{API}[status.403]\nmessage = \"no\"\nrate_limited = \"yes\"\n"
    ));
    let help = check(
        &d,
        "expected a boolean for `status.403.rate_limited`, found a string",
        5,
        16,
    );
    assert_eq!(help, "write, e.g., `rate_limited = true`");
    let d = one(&format!(
        "{API}[status.403]\nmessage = \"no\"\n[[status.403.case]]\nname = \"Limited\"\nwhen = {{ header = \"retry-after\" }}\nmessage = \"limited\"\nrate_limited = 1\n"
    ));
    check(
        &d,
        "expected a boolean for `status.403.case[0].rate_limited`, found an integer",
        9,
        16,
    );
    // the fallback keeps the rule (429 only), so a class has no `rate_limited`
    let d = one(&format!("{API}[class.4xx]\nrate_limited = true\n"));
    let help = check(&d, "unknown key `rate_limited` in `[class.4xx]`", 4, 1);
    assert!(
        help.contains("`rate_limited` belongs in a `[status.N]` table"),
        "{help}"
    );
}

#[test]
fn status_name_not_an_identifier() {
    let d = one(&format!(
        "{API}[status.404]\nname = \"not-found\"\nmessage = \"gone\"\n"
    ));
    let help = check(
        &d,
        "variant name `not-found` is not a Rust identifier",
        4,
        8,
    );
    assert_eq!(help, "write `NotFound`, a Rust identifier");
    let d = one(&format!(
        "{API}[status.404]\nname = \"Self\"\nmessage = \"gone\"\n"
    ));
    check(&d, "variant name `Self` is a Rust keyword", 4, 8);
}

#[test]
fn unknown_policy() {
    let d = one(&format!(
        "{API}[status.429]\nmessage = \"slow down\"\nretry = \"after_header\"\n"
    ));
    let help = check(
        &d,
        "unknown retry policy `after_header` for `status.429.retry`",
        5,
        9,
    );
    assert!(help.starts_with("did you mean `after-header`?"));
}

#[test]
fn unknown_status_key() {
    let d = one(&format!("{API}[status.404]\nmesage = \"gone\"\n"));
    // The misspelt `message` is not also reported missing.
    let help = check(&d, "unknown key `mesage` in `[status.404]`", 4, 1);
    assert_eq!(help, "did you mean `message`?");
}

#[test]
fn duplicate_variant_names() {
    let d = one(&format!(
        "{API}[status.404]\nname = \"Missing\"\nmessage = \"gone\"\n[status.410]\nname = \"Missing\"\nmessage = \"gone for good\"\n"
    ));
    let help = check(
        &d,
        "duplicate variant name `Missing`: status 404 on line 4 already has it",
        7,
        8,
    );
    assert_eq!(help, "give status 410 or status 404 another `name`");
}

#[test]
fn duplicate_of_an_iana_name() {
    // 410's name comes from the registry; 499 takes it explicitly first.
    let d = one(&format!(
        "{API}[status.499]\nname = \"Gone\"\nreason = \"Gone Away\"\nmessage = \"x\"\n[status.410]\nmessage = \"gone\"\n"
    ));
    check(
        &d,
        "duplicate variant name `Gone`: status 499 on line 4 already has it (status 410 takes it from the IANA registry)",
        7,
        9,
    );
}

#[test]
fn duplicate_of_an_inherited_name() {
    let d = one(&format!(
        "{API}extends = \"http\"\n[status.404]\nname = \"Gone\"\n"
    ));
    let help = check(
        &d,
        "duplicate variant name `Gone`: status 410 inherited from `http` already has it",
        5,
        8,
    );
    assert!(help.contains("`[status.410] name = \"...\"`"));
}

#[test]
fn three_mistakes_three_diagnostics() {
    let all = diagnostics(
        "[api]\nname = \"Shop\"\n\n[retry]\nmax_attempts = 0\njitter = \"fulll\"\n\n[status.404]\nretry = \"never\"\n",
    );
    let found: Vec<(&str, Option<(usize, usize)>)> = all
        .iter()
        .map(|d| (d.message.as_str(), d.location))
        .collect();
    assert_eq!(
        found,
        [
            (
                "`retry.max_attempts` must be at least 1, found 0",
                Some((5, 16))
            ),
            ("unknown jitter `fulll` for `retry.jitter`", Some((6, 10))),
            ("missing `message` in `[status.404]`", Some((8, 9))),
        ]
    );
}

#[test]
fn diagnostics_are_in_file_order() {
    let all = diagnostics(
        "[status.404]\nmessage = 1\n[api]\nname = \"x y\"\n[retry]\njitter = \"no\"\n[class.5xx]\nretry = \"maybe\"\n",
    );
    let lines: Vec<usize> = all.iter().filter_map(|d| d.location).map(|l| l.0).collect();
    assert_eq!(lines, [2, 4, 6, 8]);
}

#[test]
fn columns_count_characters() {
    let d = one("[api]\nname = \"Tést\" ; x\n");
    assert!(d.message.starts_with("invalid TOML"), "{d:#?}");
    // `;` is the 15th character but the 16th byte.
    assert_eq!(d.location, Some((2, 15)));
}

#[test]
fn display_shows_file_line_column_and_help() {
    let d = one("[api]\nnme = \"Test\"\n");
    assert_eq!(
        d.to_string(),
        "spec/test.toml:2:1: unknown key `nme` in `[api]`\n  help: did you mean `name`?"
    );
}

#[test]
fn quoted_numbers_are_told_to_drop_the_quotes() {
    let d = one(&format!("{API}[retry]\nmax_attempts = \"3\"\n"));
    let help = check(
        &d,
        "expected an integer for `retry.max_attempts`, found a string",
        4,
        16,
    );
    assert_eq!(help, "write the number without quotes: `max_attempts = 3`");
    let d = one(&format!("{API}[retry]\nbudget = {{ ratio = \"0.5\" }}\n"));
    let help = check(
        &d,
        "expected a number for `retry.budget.ratio`, found a string",
        4,
        20,
    );
    assert_eq!(help, "write the number without quotes: `ratio = 0.5`");
    // A quoted fraction is no integer: the usual example instead.
    let d = one(&format!("{API}[retry]\nmax_attempts = \"2.5\"\n"));
    assert_eq!(d.help.unwrap(), "write, e.g., `max_attempts = 3`");
}

#[test]
fn a_plural_section_suggests_the_singular() {
    let d = one(&format!("{API}[retries]\nmax_attempts = 5\n"));
    let help = check(&d, "unknown section `[retries]`", 3, 2);
    assert_eq!(help, "did you mean `[retry]`?");
}
