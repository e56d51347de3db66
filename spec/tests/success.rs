//! Success statuses (1xx-3xx) hold cases only: the rules, and what they resolve to.

use errspec_spec::{Diagnostic, RetryPolicy, Spec, parse_str};

fn spec(source: &str) -> Spec {
    match parse_str(source, "spec/test.toml") {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    }
}

fn diagnostics(source: &str) -> Vec<Diagnostic> {
    match parse_str(source, "spec/test.toml") {
        Ok(spec) => panic!("expected problems, got {spec:#?}"),
        Err(d) => d.0,
    }
}

const SLACK: &str = r#"[api]
name = "Slack"

[status.200]
retry = "never"
hint = "see the `error` field"

[[status.200.case]]
name = "RateLimited"
when = { body = "/error", equals = "ratelimited" }
message = "the method's rate limit tier is spent"
retry = "after-header"
wait_headers = [{ name = "retry-after", format = "seconds" }]

[[status.200.case]]
name = "NotOk"
when = { body = "/ok", equals = "false" }
message = "the method failed"
"#;

#[test]
fn a_success_status_holds_its_cases() {
    let spec = spec(SLACK);
    let ok = spec.status(200).unwrap();
    assert!(ok.is_success());
    assert_eq!(ok.reason, "OK");
    assert_eq!(ok.message, "");
    let names: Vec<&str> = ok.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["RateLimited", "NotOk"]);
    // the status's keys are its cases' defaults
    assert_eq!(ok.cases[0].policy, RetryPolicy::AfterHeader);
    assert_eq!(ok.cases[1].policy, RetryPolicy::Never);
    assert_eq!(ok.cases[1].hint.as_deref(), Some("see the `error` field"));
}

#[test]
fn http_lists_no_success_status() {
    let spec = spec("[api]\nname = \"Shop\"\nextends = \"http\"\n");
    assert!(spec.statuses.iter().all(|s| s.code >= 400));
    assert!(spec.status(200).is_none() && spec.status(304).is_none());
    // a 2xx still has its class, for the fallback
    assert_eq!(spec.defaults_for(200).message, "unexpected success status");
    assert_eq!(spec.defaults_for(200).policy, RetryPolicy::Never);
}

#[test]
fn success_reasons_come_from_the_registry() {
    let source = "[api]\nname = \"Git\"\n\n[status.226]\n[[status.226.case]]\nname = \"Odd\"\n\
                  when = { header = \"x-odd\" }\nmessage = \"odd\"\n\n[status.304]\n\
                  [[status.304.case]]\nname = \"Stale\"\nwhen = { header = \"x-stale\" }\n\
                  message = \"stale\"\n";
    let spec = spec(source);
    assert_eq!(spec.status(226).unwrap().reason, "IM Used");
    assert_eq!(spec.status(304).unwrap().reason, "Not Modified");
}

#[test]
fn a_success_status_with_a_message_is_an_error() {
    let source = SLACK.replace("retry = \"never\"\n", "message = \"the call succeeded\"\n");
    let d = diagnostics(&source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "`[status.200]` is a success status: it has no `message` of its own"
    );
    assert_eq!(d[0].location, Some((5, 11)));
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("[[status.200.case]]")
    );
}

#[test]
fn a_success_status_with_a_name_is_an_error() {
    let source = SLACK.replace("retry = \"never\"\n", "name = \"Fine\"\n");
    let d = diagnostics(&source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "`[status.200]` is a success status: it generates no variant to name"
    );
    assert_eq!(d[0].location, Some((5, 8)));
}

#[test]
fn a_success_status_without_a_case_is_an_error() {
    let d = diagnostics("[api]\nname = \"X\"\n\n[status.204]\nretry = \"never\"\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "success status 204 has no case, so it can never be an error"
    );
    assert_eq!(d[0].location, Some((4, 9)));
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("[[status.204.case]]")
    );
}

#[test]
fn an_unregistered_success_status_needs_a_reason() {
    let source = "[api]\nname = \"X\"\n\n[status.299]\n[[status.299.case]]\nname = \"Odd\"\n\
                  when = { header = \"x-odd\" }\nmessage = \"odd\"\n";
    let d = diagnostics(source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "status 299 has no IANA reason phrase, so it needs `reason`"
    );
    let with_reason = source.replace("[status.299]\n", "[status.299]\nreason = \"Odd\"\n");
    assert_eq!(spec(&with_reason).status(299).unwrap().reason, "Odd");
}

#[test]
fn a_success_case_is_checked_like_any_case() {
    let source = SLACK.replace("message = \"the method failed\"\n", "mesage = \"x\"\n");
    let d = diagnostics(&source);
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("mesage")),
        "{messages:#?}"
    );
    assert!(d.iter().any(|d| {
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `message`"))
    }));
}

#[test]
fn a_case_name_may_be_what_http_calls_a_success() {
    // `Ok` and `NoContent` name no variant any more, so cases may take them
    let source = SLACK.replace("name = \"NotOk\"", "name = \"Ok\"");
    assert_eq!(spec(&source).status(200).unwrap().cases[1].name, "Ok");
}
