//! Resolution: `extends`, field-by-field overrides, class defaults, policies, defaults.

use core::time::Duration;

use errspec_spec::{
    BudgetConfig, HTTP_SPEC, Jitter, RetryConfig, RetryPolicy, Segment, Spec, Template, WaitField,
    WaitFormat, parse_str,
};

fn spec(source: &str) -> Spec {
    match parse_str(source, "spec/test.toml") {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    }
}

fn header(name: &str, format: WaitFormat) -> WaitField {
    WaitField::owned(name.to_owned(), format)
}

#[test]
fn minimal_spec_takes_every_default() {
    let spec = spec("[api]\nname = \"Shop\"\n");
    assert_eq!(spec.api_name, "Shop");
    assert_eq!(spec.enum_name, "ShopError");
    assert_eq!(spec.fallback, "Other");
    assert_eq!(spec.docs, None);
    assert_eq!(spec.extends, None);
    assert_eq!(spec.display, Template::default());
    assert_eq!(
        spec.display.segments,
        [
            Segment::Code,
            Segment::Literal(" ".to_owned()),
            Segment::Reason,
            Segment::Literal(": ".to_owned()),
            Segment::Message
        ]
    );
    assert!(spec.statuses.is_empty());
    let retry = &spec.retry;
    // The runtime's defaults are the spec's: every field, compared by `PartialEq`.
    assert_eq!(*retry, RetryConfig::new());
    assert_eq!(retry.max_attempts, 3);
    assert_eq!(retry.initial_backoff, Duration::from_millis(100));
    assert_eq!(retry.max_backoff, Duration::from_secs(20));
    assert!((retry.multiplier - 2.0).abs() < f64::EPSILON);
    assert_eq!(retry.jitter, Jitter::Full);
    assert_eq!(retry.max_retry_after, Duration::from_secs(60));
    assert_eq!(retry.max_elapsed, None);
    assert_eq!(
        *retry.wait_headers,
        [header("retry-after", WaitFormat::Http)]
    );
    assert_eq!(retry.budget, None);
}

#[test]
fn builtin_class_defaults() {
    let spec = spec("[api]\nname = \"Shop\"\n");
    let policies: Vec<RetryPolicy> = spec.classes.iter().map(|c| c.policy).collect();
    assert_eq!(
        policies,
        [
            RetryPolicy::Never,
            RetryPolicy::Never,
            RetryPolicy::Never,
            RetryPolicy::Never,
            RetryPolicy::Idempotent
        ]
    );
    assert_eq!(spec.classes[0].message, "unexpected informational response");
    assert_eq!(spec.classes[1].message, "unexpected success status");
    assert_eq!(spec.classes[2].message, "unexpected redirection");
    assert_eq!(spec.classes[3].message, "client error");
    assert_eq!(spec.classes[4].message, "server error");
    assert!(spec.classes.iter().all(|c| c.hint.is_none()));
    assert_eq!(spec.class_of(404), Some(&spec.classes[3]));
    assert_eq!(spec.class_of(599), Some(&spec.classes[4]));
    assert_eq!(spec.class_of(600), None);
}

#[test]
fn user_classes_override_builtins() {
    let spec = spec(
        r#"[api]
name = "Shop"
[class.4xx]
retry = "always"
[class.5xx]
message = "the shop is down"
hint = "try later"
"#,
    );
    let client = &spec.classes[3];
    assert_eq!(client.policy, RetryPolicy::Always);
    assert_eq!(client.message, "client error");
    assert_eq!(client.hint, None);
    let server = &spec.classes[4];
    assert_eq!(server.policy, RetryPolicy::Idempotent);
    assert_eq!(server.message, "the shop is down");
    assert_eq!(server.hint.as_deref(), Some("try later"));
}

#[test]
fn everything_written_is_kept() {
    let spec = spec(
        r#"[api]
name = "Shop"
display = "{{{code}}} {name}: {message} ({hint})"
fallback = "Unlisted"
docs = "https://shop.example/errors"

[retry]
max_attempts = 5
initial_backoff = "250ms"
max_backoff = "2m"
multiplier = 3
jitter = "decorrelated"
max_retry_after = "5m"
max_elapsed = "10m"
wait_headers = [{ name = "X-RateLimit-Reset", format = "unix" }, { name = "retry-after-ms", format = "millis" }]
budget = { ratio = 0.5, min_per_second = 3 }
"#,
    );
    assert_eq!(spec.fallback, "Unlisted");
    assert_eq!(spec.docs.as_deref(), Some("https://shop.example/errors"));
    assert_eq!(
        spec.display.segments,
        [
            Segment::Literal("{".to_owned()),
            Segment::Code,
            Segment::Literal("} ".to_owned()),
            Segment::Name,
            Segment::Literal(": ".to_owned()),
            Segment::Message,
            Segment::Literal(" (".to_owned()),
            Segment::Hint,
            Segment::Literal(")".to_owned()),
        ]
    );
    assert_eq!(
        spec.retry,
        RetryConfig::new()
            .with_max_attempts(5)
            .with_initial_backoff(Duration::from_millis(250))
            .with_max_backoff(Duration::from_secs(120))
            .with_multiplier(3.0)
            .with_jitter(Jitter::Decorrelated)
            .with_max_retry_after(Duration::from_secs(300))
            .with_max_elapsed(Some(Duration::from_secs(600)))
            // Header names are lowercased.
            .with_wait_headers(vec![
                header("x-ratelimit-reset", WaitFormat::Unix),
                header("retry-after-ms", WaitFormat::Millis)
            ])
            .with_budget(Some(BudgetConfig::new(0.5, 3)))
    );
}

#[test]
fn budget_defaults() {
    let spec = spec("[api]\nname = \"Shop\"\n[retry]\nbudget = {}\n");
    assert_eq!(spec.retry.budget, Some(BudgetConfig::new(0.2, 10)));
}

#[test]
fn iana_names_and_reasons_without_extends() {
    let spec = spec(
        r#"[api]
name = "Shop"
[status.429]
message = "slow down"
[status.404]
reason = "Nothing Here"
message = "no such product"
[status.499]
name = "ClientClosed"
reason = "Client Closed Request"
message = "the client went away"
"#,
    );
    // Sorted by code, whatever the file order.
    let codes: Vec<u16> = spec.statuses.iter().map(|s| s.code).collect();
    assert_eq!(codes, [404, 429, 499]);
    let not_found = spec.status(404).unwrap();
    assert_eq!(not_found.name, "NotFound");
    assert_eq!(not_found.reason, "Nothing Here");
    let too_many = spec.status(429).unwrap();
    assert_eq!(too_many.name, "TooManyRequests");
    assert_eq!(too_many.reason, "Too Many Requests");
    // Without `extends`, http.toml's policies are not inherited: 429 takes the 4xx default.
    assert_eq!(too_many.policy, RetryPolicy::Never);
    assert_eq!(spec.status(499).unwrap().name, "ClientClosed");
}

#[test]
fn status_span_is_its_key() {
    let source = "[api]\nname = \"Shop\"\n[status.404]\nmessage = \"gone\"\n";
    let spec = spec(source);
    let span = spec.status(404).unwrap().span.clone().unwrap();
    assert_eq!(&source[span], "404");
}

#[test]
fn extends_inherits_every_status() {
    let http = spec(HTTP_SPEC);
    let spec = spec("[api]\nname = \"Shop\"\nextends = \"http\"\n");
    assert_eq!(spec.extends.as_deref(), Some("http"));
    assert_eq!(spec.statuses.len(), http.statuses.len());
    for (mine, base) in spec.statuses.iter().zip(&http.statuses) {
        assert_eq!(mine.code, base.code);
        assert_eq!(mine.name, base.name);
        assert_eq!(mine.reason, base.reason);
        assert_eq!(mine.message, base.message);
        assert_eq!(mine.policy, base.policy);
        // Inherited only: not in the user's file.
        assert_eq!(mine.span, None);
    }
}

#[test]
fn extends_overrides_field_by_field() {
    let source = r#"[api]
name = "Shop"
extends = "http"

[retry]
wait_headers = [{ name = "x-wait", format = "seconds" }]

[status.404]
message = "no such product"
hint = "check the product id"

[status.503]
retry = "never"

[status.429]
name = "RateLimited"
wait_headers = [{ name = "retry-after", format = "seconds" }]

[status.499]
name = "ClientClosed"
reason = "Client Closed Request"
message = "the client went away"
"#;
    let spec = spec(source);
    assert_eq!(spec.statuses.len(), 40); // the 39 error statuses of `http`, and 499

    let not_found = spec.status(404).unwrap();
    assert_eq!(not_found.name, "NotFound");
    assert_eq!(not_found.reason, "Not Found");
    assert_eq!(not_found.message, "no such product");
    assert_eq!(not_found.hint.as_deref(), Some("check the product id"));
    assert_eq!(not_found.policy, RetryPolicy::Never);
    assert_eq!(
        not_found.wait_headers,
        [header("x-wait", WaitFormat::Seconds)]
    );
    assert_eq!(&source[not_found.span.clone().unwrap()], "404");

    let unavailable = spec.status(503).unwrap();
    assert_eq!(unavailable.policy, RetryPolicy::Never);
    assert_eq!(
        unavailable.message,
        "the service is temporarily unavailable"
    );

    let too_many = spec.status(429).unwrap();
    assert_eq!(too_many.name, "RateLimited");
    assert_eq!(too_many.reason, "Too Many Requests");
    assert_eq!(too_many.policy, RetryPolicy::AfterHeader);
    assert_eq!(
        too_many.wait_headers,
        [header("retry-after", WaitFormat::Seconds)]
    );

    let closed = spec.status(499).unwrap();
    assert_eq!(closed.policy, RetryPolicy::Never);

    // Inherited statuses use the user's [retry] wait headers.
    assert_eq!(
        spec.status(500).unwrap().wait_headers,
        [header("x-wait", WaitFormat::Seconds)]
    );
}

#[test]
fn policy_precedence() {
    // own retry > base retry > user class > built-in class.
    let spec = spec(
        r#"[api]
name = "Shop"
extends = "http"
[class.5xx]
retry = "always"
[class.4xx]
retry = "idempotent"
[status.500]
retry = "never"
[status.599]
name = "NetworkTimeout"
reason = "Network Connect Timeout Error"
message = "the network timed out"
[status.499]
name = "ClientClosed"
reason = "Client Closed Request"
message = "the client went away"
[status.799]
name = "Weird"
reason = "Weird"
message = "a weird status"
"#,
    );
    let policy = |code| spec.status(code).unwrap().policy;
    assert_eq!(policy(500), RetryPolicy::Never); // its own
    assert_eq!(policy(503), RetryPolicy::AfterHeader); // the base's, over the user's class
    assert_eq!(policy(501), RetryPolicy::Never); // the base's
    assert_eq!(policy(599), RetryPolicy::Always); // the user's class
    assert_eq!(policy(499), RetryPolicy::Idempotent); // the user's class
    assert_eq!(policy(799), RetryPolicy::Never); // no class at all
}

#[test]
fn builtin_class_policy_for_unknown_codes() {
    let spec = spec(
        r#"[api]
name = "Shop"
[status.599]
name = "NetworkTimeout"
reason = "Network Connect Timeout Error"
message = "the network timed out"
[status.503]
message = "down for maintenance"
"#,
    );
    assert_eq!(spec.status(599).unwrap().policy, RetryPolicy::Idempotent);
    assert_eq!(spec.status(503).unwrap().policy, RetryPolicy::Idempotent);
}

#[test]
fn override_of_inherited_status_needs_no_message() {
    let spec = spec(
        "[api]\nname = \"Shop\"\nextends = \"http\"\n[status.418]\nname = \"Teapot\"\nreason = \"I'm a teapot\"\nmessage = \"short and stout\"\n[status.410]\nretry = \"always\"\n",
    );
    assert_eq!(spec.status(410).unwrap().policy, RetryPolicy::Always);
    assert_eq!(spec.status(418).unwrap().name, "Teapot");
}

#[test]
fn renaming_an_inherited_status_frees_its_name() {
    let spec = spec(
        "[api]\nname = \"Shop\"\nextends = \"http\"\n[status.410]\nname = \"GoneForGood\"\n[status.404]\nname = \"Gone\"\n",
    );
    assert_eq!(spec.status(404).unwrap().name, "Gone");
    assert_eq!(spec.status(410).unwrap().name, "GoneForGood");
}

#[test]
fn crlf_and_bom_are_fine() {
    let spec = spec("\u{feff}[api]\r\nname = \"Shop\"\r\n[status.404]\r\nmessage = \"gone\"\r\n");
    assert_eq!(spec.statuses.len(), 1);
}

#[test]
fn only_429_is_a_rate_limit_by_default() {
    let spec = spec(
        r#"[api]
name = "Shop"
[status.403]
message = "forbidden"
[[status.403.case]]
name = "Blocked"
when = { header = "x-blocked" }
message = "blocked"
[status.429]
message = "slow down"
[[status.429.case]]
name = "Locked"
when = { header = "x-locked" }
message = "locked"
[status.503]
message = "down"
retry = "after-header"
"#,
    );
    let status = |code| spec.status(code).expect("listed");
    assert!(status(429).rate_limited);
    assert!(status(429).cases[0].rate_limited, "a case takes its 429's");
    assert!(!status(403).rate_limited);
    assert!(!status(403).cases[0].rate_limited);
    assert!(!status(503).rate_limited, "an outage is no rate limit");
}

#[test]
fn rate_limited_is_the_cases_else_its_statuss_else_the_bases() {
    let spec = spec(
        r#"[api]
name = "Hub"
[status.403]
message = "forbidden"
[[status.403.case]]
name = "RateLimited"
when = { header = "x-ratelimit-remaining", equals = "0" }
message = "rate limited"
rate_limited = true
[[status.403.case]]
name = "Blocked"
when = { header = "x-blocked" }
message = "blocked"
[status.420]
name = "EnhanceYourCalm"
reason = "Enhance Your Calm"
message = "calm down"
rate_limited = true
[[status.420.case]]
name = "Calm"
when = { header = "x-calm" }
message = "calm"
[[status.420.case]]
name = "NotCalm"
when = { header = "x-not-calm" }
message = "not calm"
rate_limited = false
[status.429]
message = "no quota"
rate_limited = false
"#,
    );
    let status = |code| spec.status(code).expect("listed");
    let forbidden = status(403);
    assert!(
        !forbidden.rate_limited,
        "the plain 403 is a permission error"
    );
    assert!(forbidden.cases[0].rate_limited, "marked");
    assert!(!forbidden.cases[1].rate_limited, "inherits its 403's");
    let calm = status(420);
    assert!(calm.rate_limited, "marked on the status");
    assert!(calm.cases[0].rate_limited, "inherits its status's");
    assert!(!calm.cases[1].rate_limited, "its own value wins");
    assert!(!status(429).rate_limited, "a 429 marked false is not one");

    // through `extends`: github's 403 rate-limit cases stay marked under an override that
    // keeps them, and a status the user lists again keeps the base's value unless it says one
    let mine = parse_str(
        r#"[api]
name = "MyHub"
extends = "github"
[status.403]
message = "not yours"
[status.429]
message = "slow down"
"#,
        "spec/test.toml",
    )
    .expect("resolves");
    let forbidden = mine.status(403).expect("403");
    assert!(!forbidden.rate_limited);
    assert!(forbidden.cases.iter().all(|c| c.rate_limited));
    assert!(mine.status(429).expect("429").rate_limited);
    let quota = parse_str(
        "[api]\nname = \"MyAI\"\nextends = \"openai\"\n[status.429]\nmessage = \"slow\"\n",
        "spec/test.toml",
    )
    .expect("resolves");
    let too_many = quota.status(429).expect("429");
    assert!(too_many.rate_limited);
    let quota_case = too_many
        .cases
        .iter()
        .find(|c| c.name == "InsufficientQuota")
        .expect("inherited");
    assert!(!quota_case.rate_limited, "the base's `false` is inherited");
}
