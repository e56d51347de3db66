//! A case's `when`: one source (`header`, `body` or `text = true`), at most one test (`equals`,
//! `starts_with`, `ends_with` or `contains`), `*` in pointers; and `wait_sources`, the name of
//! `wait_headers`.

use errspec_spec::{
    Diagnostic, MatchTest, Spec, WaitField, WaitFormat, When, WhenSource, parse_str,
};

const API: &str = "[api]\nname = \"Test\"\n";

fn spec(body: &str) -> Spec {
    match parse_str(&format!("{API}{body}"), "spec/test.toml") {
        Ok(spec) => spec,
        Err(d) => panic!("{d:#?}"),
    }
}

/// The `when` of the one case of `[status.400]`, written `when = {when}`.
fn when(when: &str) -> When {
    let spec = spec(&format!(
        "[status.400]\nmessage = \"bad\"\n[[status.400.case]]\nname = \"Case\"\nwhen = {when}\nmessage = \"case\"\n"
    ));
    spec.status(400).expect("400").cases[0].when.clone()
}

/// Every diagnostic of a case whose `when` is written `when = {when}` (on line 7).
fn problems(when: &str) -> Vec<Diagnostic> {
    let source = format!(
        "{API}[status.400]\nmessage = \"bad\"\n[[status.400.case]]\nname = \"Case\"\nwhen = {when}\nmessage = \"case\"\n"
    );
    match parse_str(&source, "spec/test.toml") {
        Ok(spec) => panic!("expected problems, got {spec:#?}"),
        Err(d) => d.0,
    }
}

/// The one diagnostic of `when = {when}`: its message, column (on line 7) and help.
#[track_caller]
fn one(when: &str) -> (String, usize, String) {
    let mut all = problems(when);
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = all.remove(0);
    let (line, column) = d.location.expect("a location");
    assert_eq!(line, 7, "{d:#?}");
    (d.message, column, d.help.expect("a help line"))
}

fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn every_test_on_every_source() {
    let header = || WhenSource::Header("x-amzn-errortype".into());
    assert_eq!(
        when(r#"{ header = "X-Amzn-ErrorType", starts_with = "ThrottlingException" }"#),
        When::new(
            header(),
            Some((MatchTest::StartsWith, values(&["ThrottlingException"])))
        )
    );
    assert_eq!(
        when(
            r##"{ body = "/__type", ends_with = ["#ThrottlingException", "#ProvisionedThroughputExceededException"] }"##
        ),
        When::new(
            WhenSource::Body("/__type".into()),
            Some((
                MatchTest::EndsWith,
                values(&[
                    "#ThrottlingException",
                    "#ProvisionedThroughputExceededException"
                ])
            ))
        )
    );
    assert_eq!(
        when(r#"{ text = true, contains = "<Code>SlowDown</Code>" }"#),
        When::new(
            WhenSource::Text,
            Some((MatchTest::Contains, values(&["<Code>SlowDown</Code>"])))
        )
    );
    assert_eq!(
        when(r#"{ text = true, equals = "busy" }"#),
        When::new(
            WhenSource::Text,
            Some((MatchTest::Equals, values(&["busy"])))
        )
    );
    assert_eq!(when("{ text = true }"), When::new(WhenSource::Text, None));
    assert_eq!(
        when(
            r#"{ body = "/error/details/*/reason", equals = ["RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"] }"#
        ),
        When::new(
            WhenSource::Body("/error/details/*/reason".into()),
            Some((
                MatchTest::Equals,
                values(&["RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"])
            ))
        )
    );
    assert_eq!(
        when(r#"{ header = "retry-after" }"#),
        When::new(WhenSource::Header("retry-after".into()), None)
    );
}

#[test]
fn a_when_is_said_as_it_is_written() {
    for written in [
        r#"{ header = "x-amzn-errortype", starts_with = "ThrottlingException" }"#,
        r#"{ body = "/error/details/*/reason", equals = ["RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"] }"#,
        r#"{ text = true, contains = "<Code>SlowDown</Code>" }"#,
        "{ text = true }",
        r##"{ body = "/__type", ends_with = "#ThrottlingException" }"##,
    ] {
        assert_eq!(when(written).to_string(), written);
    }
}

#[test]
fn two_sources() {
    let (message, column, help) = one(r#"{ text = true, header = "x-error" }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when` names two sources, `header` and `text`"
    );
    assert_eq!(column, 8);
    assert!(help.contains("one source"), "{help}");
    let (message, ..) = one(r#"{ body = "/a", text = true, contains = "x" }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when` names two sources, `body` and `text`"
    );
}

#[test]
fn no_source() {
    let (message, column, help) = one(r#"{ contains = "x" }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when` names no source: no header, body field or text"
    );
    assert_eq!(column, 8);
    assert!(help.contains("text = true"), "{help}");
}

#[test]
fn two_tests() {
    let (message, column, help) = one(r#"{ header = "x-e", equals = "a", starts_with = "b" }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when` has two tests, `equals` and `starts_with`"
    );
    assert_eq!(column, 54, "at the second test's value");
    assert!(help.contains("two cases"), "{help}");
    let (message, ..) = one(r#"{ body = "/a", contains = "a", ends_with = "b" }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when` has two tests, `ends_with` and `contains`"
    );
}

#[test]
fn text_takes_contains_equals_or_nothing() {
    for kind in ["starts_with", "ends_with"] {
        let (message, column, help) = one(&format!(r#"{{ text = true, {kind} = "<?xml" }}"#));
        assert_eq!(
            message,
            format!("`{kind}` cannot test `text = true`, in `status.400.case[0].when`")
        );
        assert_eq!(column, 26 + kind.len());
        assert!(help.contains("contains"), "{help}");
    }
    let (message, column, help) = one("{ text = false }");
    assert_eq!(
        message,
        "`status.400.case[0].when.text = false` names no source"
    );
    assert_eq!(column, 17);
    assert!(help.contains("text = true"), "{help}");
    let (message, _, help) = one(r#"{ text = "yes" }"#);
    assert_eq!(
        message,
        "expected a boolean for `status.400.case[0].when.text`, found a string"
    );
    assert!(help.contains("text = true"), "{help}");
}

#[test]
fn test_values_are_strings() {
    let (message, column, help) = one(r#"{ header = "x-e", starts_with = 5 }"#);
    assert_eq!(
        message,
        "expected a string or an array of strings for `status.400.case[0].when.starts_with`, found an integer"
    );
    assert_eq!(column, 40);
    assert_eq!(
        help,
        "header values and JSON fields compare as text: write `starts_with = \"5\"`"
    );
    let (message, _, help) = one(r#"{ header = "x-e", contains = [] }"#);
    assert_eq!(
        message,
        "`status.400.case[0].when.contains` is an empty array, which no value passes"
    );
    assert!(help.contains("leave `contains` out"), "{help}");
    let (message, ..) = one(r#"{ header = "x-e", ends_with = ["a", { b = 1 }] }"#);
    assert_eq!(
        message,
        "expected a string or an array of strings for `status.400.case[0].when.ends_with`, found a table"
    );
}

#[test]
fn misspelt_tests_are_suggested() {
    for (written, meant) in [
        ("startswith", "starts_with"),
        ("endswith", "ends_with"),
        ("contain", "contains"),
        ("equal", "equals"),
        ("txt", "text"),
    ] {
        let all = problems(&format!(r#"{{ header = "x-e", {written} = "a" }}"#));
        let d = all
            .iter()
            .find(|d| d.message.contains(&format!("unknown key `{written}`")))
            .unwrap_or_else(|| panic!("{all:#?}"));
        assert_eq!(
            d.help.as_deref(),
            Some(format!("did you mean `{meant}`?").as_str())
        );
    }
}

#[test]
fn a_malformed_pointer() {
    let (message, _, help) = one(r#"{ body = "error/details/*/reason" }"#);
    assert_eq!(
        message,
        "`error/details/*/reason` is not a JSON pointer, in `status.400.case[0].when.body`"
    );
    assert!(help.contains("/error/details/*/reason"), "{help}");
}

#[test]
fn wildcards_in_wait_sources_but_not_in_a_reset() {
    let spec = spec(
        "[status.429]\nmessage = \"slow down\"\nwait_sources = [{ body = \"/error/details/*/retryDelay\", format = \"duration\" }]\n",
    );
    assert_eq!(
        spec.status(429).expect("429").wait_headers,
        [WaitField::owned_body(
            "/error/details/*/retryDelay".into(),
            WaitFormat::Duration
        )]
    );
    let source = format!(
        "{API}[rate_limit]\nremaining = {{ name = \"x-left\" }}\nreset = {{ body = \"/limits/*/reset\", format = \"unix\" }}\n"
    );
    let all = parse_str(&source, "spec/test.toml")
        .expect_err("a wildcard reset")
        .0;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        all[0].message,
        "`/limits/*/reset` may reach many values, in `rate_limit.reset`, which reads one"
    );
    assert_eq!(all[0].location, Some((5, 18)));
}

#[test]
fn wait_sources_is_the_name_of_wait_headers() {
    let sources = "[{ name = \"x-wait\", format = \"seconds\" }]";
    for key in ["wait_sources", "wait_headers"] {
        for (table, status) in [
            ("[retry]", None),
            ("[status.503]\nmessage = \"down\"", Some(503)),
        ] {
            let spec = spec(&format!("{table}\n{key} = {sources}\n"));
            let waits = match status {
                Some(code) => spec.status(code).expect("listed").wait_headers.clone(),
                None => spec.retry.wait_headers.to_vec(),
            };
            assert_eq!(
                waits,
                [WaitField::new("x-wait", WaitFormat::Seconds)],
                "{key} in {table}"
            );
        }
    }
    let spec = spec(&format!(
        "[status.400]\nmessage = \"bad\"\n[[status.400.case]]\nname = \"Case\"\nwhen = {{ text = true }}\nmessage = \"case\"\nwait_sources = {sources}\n"
    ));
    assert_eq!(
        spec.status(400).expect("400").cases[0].wait_headers,
        [WaitField::new("x-wait", WaitFormat::Seconds)]
    );
    let source = format!("{API}[retry]\nwait_headers = {sources}\nwait_sources = {sources}\n");
    let all = parse_str(&source, "spec/test.toml")
        .expect_err("both names")
        .0;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        all[0].message,
        "`retry` sets both `wait_sources` and `wait_headers`"
    );
    assert_eq!(all[0].location, Some((5, 16)));
    assert!(
        all[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("older name"))
    );
}
