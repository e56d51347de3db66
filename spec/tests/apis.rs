//! The shipped specs of well-known APIs resolve without problems, say what their pages say,
//! and can be extended by name.

use std::path::Path;

use errspec_spec::{
    CountFormat, MatchTest, RetryPolicy, Spec, WaitField, WaitFormat, WhenSource, load, parse_str,
};

const APIS: [&str; 12] = [
    "github",
    "stripe",
    "openai",
    "anthropic",
    "discord",
    "gitlab",
    "google",
    "aws",
    "slack",
    "azure",
    "shopify",
    "jira",
];

fn shipped(name: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{name}.toml"));
    load(&path, &format!("spec/{name}.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn spec(source: &str) -> Spec {
    parse_str(source, "spec/test.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_shipped_spec_resolves_and_cites_its_documentation() {
    for name in APIS {
        let spec = shipped(name);
        let docs = spec.docs.as_deref().unwrap_or_default();
        assert!(docs.starts_with("https://"), "{name}: docs = {docs:?}");
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{name}.toml")),
        )
        .expect("read spec");
        assert!(
            text.lines()
                .take(5)
                .any(|l| l.starts_with('#') && l.contains("https://")),
            "{name}: the opening comment cites no page"
        );
        assert!(spec.transport.is_some(), "{name} has no [transport]");
    }
}

/// The variants of `spec` that are refusals of the rate limit, statuses and cases alike.
fn rate_limits(spec: &Spec) -> Vec<(u16, &str)> {
    let mut out = Vec::new();
    for status in &spec.statuses {
        if status.rate_limited {
            out.push((status.code, status.name.as_str()));
        }
        for case in status.cases.iter().filter(|c| c.rate_limited) {
            out.push((status.code, case.name.as_str()));
        }
    }
    out
}

#[test]
fn every_shipped_spec_marks_exactly_its_rate_limit_refusals() {
    // billing limits, lock contention and overload are no refusals of the rate limit
    let expected: [(&str, &[(u16, &str)]); 12] = [
        (
            "github",
            &[
                (403, "RateLimited"),
                (403, "SecondaryRateLimited"),
                (429, "TooManyRequests"),
                (429, "PrimaryRateLimited"),
            ],
        ),
        ("stripe", &[(429, "TooManyRequests")]),
        ("openai", &[(429, "TooManyRequests"), (429, "SlowDown")]),
        ("anthropic", &[(429, "TooManyRequests")]),
        (
            "discord",
            &[
                (429, "TooManyRequests"),
                (429, "GlobalRateLimited"),
                (429, "SharedRateLimited"),
            ],
        ),
        ("gitlab", &[(429, "TooManyRequests")]),
        (
            "google",
            &[
                (403, "UserRateLimitExceeded"),
                (429, "TooManyRequests"),
                (429, "RateLimitExceeded"),
            ],
        ),
        (
            "aws",
            &[
                (400, "Throttling"),
                (400, "ThrottlingInBody"),
                (400, "ThrottlingInXml"),
                (429, "TooManyRequests"),
                (503, "SlowDown"),
            ],
        ),
        ("slack", &[(200, "RateLimited"), (429, "TooManyRequests")]),
        (
            "azure",
            &[(429, "TooManyRequests"), (509, "BandwidthLimitExceeded")],
        ),
        ("shopify", &[(429, "TooManyRequests")]),
        (
            "jira",
            &[
                (429, "TooManyRequests"),
                (429, "QuotaExceeded"),
                (429, "BurstLimited"),
                (429, "IssueWriteLimited"),
            ],
        ),
    ];
    for (name, want) in expected {
        assert_eq!(rate_limits(&shipped(name)), want, "{name}");
    }
    assert_eq!(
        rate_limits(&shipped("ardoq")),
        [(429, "TooManyRequests")],
        "ardoq"
    );
}

#[test]
fn github_tells_rate_limits_from_permission_errors() {
    let spec = shipped("github");
    let forbidden = spec.status(403).expect("403");
    assert_eq!(forbidden.policy, RetryPolicy::Never);
    let names: Vec<&str> = forbidden.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["RateLimited", "SecondaryRateLimited"]);
    let primary = &forbidden.cases[0];
    assert_eq!(
        primary.when.source,
        WhenSource::Header("x-ratelimit-remaining".into())
    );
    assert_eq!(
        primary.when.to_string(),
        r#"{ header = "x-ratelimit-remaining", equals = "0" }"#
    );
    assert_eq!(primary.policy, RetryPolicy::AfterHeader);
    assert!(
        primary
            .wait_headers
            .contains(&WaitField::new("x-ratelimit-reset", WaitFormat::Unix))
    );
    let secondary = &forbidden.cases[1];
    assert_eq!(secondary.min_wait, Some(std::time::Duration::from_secs(60)));
}

#[test]
fn openai_never_retries_an_exhausted_quota() {
    let spec = shipped("openai");
    let too_many = spec.status(429).expect("429");
    let quota = too_many
        .cases
        .iter()
        .find(|c| c.name == "InsufficientQuota")
        .expect("the quota case");
    assert_eq!(quota.policy, RetryPolicy::Never);
    assert_eq!(quota.when.source, WhenSource::Body("/error/code".into()));
    let test = quota.when.test.as_ref().expect("a test");
    assert!(test.values.iter().any(|v| v == "insufficient_quota"));
    assert_eq!(
        spec.retry.should_retry_header.as_deref(),
        Some("x-should-retry")
    );
    assert!(
        too_many
            .wait_headers
            .iter()
            .any(|w| w.format == WaitFormat::Duration)
    );
}

#[test]
fn discord_reads_its_wait_from_the_body() {
    let spec = shipped("discord");
    let too_many = spec.status(429).expect("429");
    assert_eq!(
        too_many.wait_headers.first(),
        Some(&WaitField::body("/retry_after", WaitFormat::Seconds))
    );
}

#[test]
fn gitlab_reads_its_own_ratelimit_headers_as_a_count_and_an_epoch() {
    let spec = shipped("gitlab");
    assert_eq!(
        spec.rate_limit.remaining.as_deref(),
        Some("ratelimit-remaining")
    );
    assert_eq!(
        spec.rate_limit.reset,
        Some(WaitField::new("ratelimit-reset", WaitFormat::Unix))
    );
    assert!(
        !spec.rate_limit.ietf,
        "GitLab's RateLimit-* are not the IETF fields"
    );
    assert_eq!(
        spec.status(429).expect("429").wait_headers,
        [
            WaitField::new("retry-after", WaitFormat::Http),
            WaitField::new("ratelimit-reset", WaitFormat::Unix),
        ]
    );
    assert_eq!(spec.status(412).expect("412").name, "PreconditionFailed");
}

#[test]
fn anthropic_reads_rfc3339_resets_and_lists_529() {
    let spec = shipped("anthropic");
    assert!(
        spec.status(429)
            .expect("429")
            .wait_headers
            .iter()
            .any(|w| w.format == WaitFormat::Rfc3339)
    );
    assert_eq!(spec.status(529).expect("529").name, "Overloaded");
}

#[test]
fn extending_a_shipped_spec_inherits_its_statuses_cases_retry_and_transport() {
    let github = shipped("github");
    let mine = spec(
        "[api]\nname = \"MyHub\"\nextends = \"github\"\n[status.404]\nmessage = \"no such repository\"\n",
    );
    assert_eq!(mine.enum_name, "MyHubError");
    assert_eq!(mine.extends.as_deref(), Some("github"));
    assert_eq!(mine.retry, github.retry);
    assert_eq!(
        mine.transport.as_ref().map(|t| t.policies.connect),
        github.transport.as_ref().map(|t| t.policies.connect)
    );
    let (mine_403, github_403) = (
        mine.status(403).expect("403"),
        github.status(403).expect("403"),
    );
    let names = |status: &errspec_spec::Status| -> Vec<(String, RetryPolicy)> {
        status
            .cases
            .iter()
            .map(|c| (c.name.clone(), c.policy))
            .collect()
    };
    assert_eq!(names(mine_403), names(github_403));
    assert!(mine_403.cases.iter().all(|c| c.span.is_none()));
    assert_eq!(mine_403.message, github_403.message);
    assert_eq!(
        mine_403.span, None,
        "inherited, written nowhere in the user's file"
    );
    assert_eq!(mine.status(404).expect("404").message, "no such repository");
    // and through github, every IANA status
    assert!(mine.status(418).is_none() && mine.status(451).is_some());
}

#[test]
fn overriding_a_status_keeps_its_cases_unless_it_writes_its_own() {
    let kept = spec(
        "[api]\nname = \"MyHub\"\nextends = \"github\"\n[status.403]\nmessage = \"not yours\"\n",
    );
    let forbidden = kept.status(403).expect("403");
    assert_eq!(forbidden.message, "not yours");
    assert_eq!(forbidden.cases.len(), 2);
    let replaced = spec(
        r#"[api]
name = "MyHub"
extends = "github"
[[status.403.case]]
name = "Blocked"
when = { header = "x-blocked" }
message = "the account is blocked"
"#,
    );
    let names: Vec<&str> = replaced
        .status(403)
        .expect("403")
        .cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Blocked"]);
}

#[test]
fn a_case_named_like_an_inherited_case_is_an_error() {
    let errors = parse_str(
        r#"[api]
name = "MyHub"
extends = "github"
[status.418]
message = "teapot"
[[status.418.case]]
name = "RateLimited"
when = { header = "x-tea" }
message = "too much tea"
"#,
        "spec/mine.toml",
    )
    .expect_err("a duplicate variant");
    let text = errors.to_string();
    assert!(
        text.contains(
            "variant name `RateLimited` of case 1 of status 418 is already the name of a case \
             of status 403 in `github`"
        ),
        "{text}"
    );
}

#[test]
fn google_finds_the_reason_and_the_retry_delay_anywhere_in_details() {
    let spec = shipped("google");
    let too_many = spec.status(429).expect("429");
    let names: Vec<&str> = too_many.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ResourceQuotaExceeded",
            "ResourceUnavailable",
            "RateLimitExceeded"
        ]
    );
    assert!(
        too_many
            .cases
            .iter()
            .all(|c| c.when.source == WhenSource::Body("/error/details/*/reason".into()))
    );
    assert_eq!(
        spec.retry.wait_headers.first(),
        Some(&WaitField::body(
            "/error/details/*/retryDelay",
            WaitFormat::Duration
        ))
    );
    // AIP-194: UNAVAILABLE is retried for idempotent requests, INTERNAL is not retried
    assert_eq!(
        spec.status(503).expect("503").policy,
        RetryPolicy::Idempotent
    );
    assert_eq!(spec.status(500).expect("500").policy, RetryPolicy::Never);
    assert_eq!(spec.status(499).expect("499").name, "Cancelled");
}

#[test]
fn aws_lists_every_throttling_code_of_the_sdks() {
    // aws-sdk-go-v2's retry.DefaultThrottleErrorCodes
    let codes = [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ];
    let spec = shipped("aws");
    let bad_request = spec.status(400).expect("400");
    let case = |name: &str| {
        bad_request
            .cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    let header = case("Throttling");
    assert_eq!(
        header.when.source,
        WhenSource::Header("x-amzn-errortype".into())
    );
    let test = |name: &str| {
        let test = case(name).when.test.clone().expect("a test");
        (test.kind, test.values)
    };
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(test("Throttling"), (MatchTest::StartsWith, codes.clone()));
    assert_eq!(
        test("ThrottlingInBody"),
        (MatchTest::EndsWith, codes.clone())
    );
    let xml: Vec<String> = codes.iter().map(|c| format!("<Code>{c}</Code>")).collect();
    assert_eq!(test("ThrottlingInXml"), (MatchTest::Contains, xml));
    assert_eq!(case("ThrottlingInXml").when.source, WhenSource::Text);
    for name in ["Throttling", "ThrottlingInBody", "ThrottlingInXml"] {
        assert!(case(name).rate_limited, "{name}");
        assert_eq!(case(name).policy, RetryPolicy::AfterHeader, "{name}");
    }
}

#[test]
fn slack_holds_its_errors_inside_200() {
    let spec = shipped("slack");
    let ok = spec.status(200).expect("200");
    let names: Vec<&str> = ok.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"RateLimited"));
    assert_eq!(names.last(), Some(&"NotOk"), "the catch-all comes last");
    assert!(ok.cases[0].rate_limited);
}

#[test]
fn shopify_and_jira_name_their_own_statuses_and_reasons() {
    let shopify = shipped("shopify");
    let names: Vec<(u16, &str)> = [430, 530, 540, 783]
        .into_iter()
        .map(|code| (code, shopify.status(code).expect("listed").name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (430, "SecurityRejection"),
            (530, "OriginDnsError"),
            (540, "TemporarilyDisabled"),
            (783, "UnexpectedToken"),
        ]
    );
    let jira = shipped("jira");
    let reasons: Vec<&str> = jira
        .status(429)
        .expect("429")
        .cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        reasons,
        ["QuotaExceeded", "BurstLimited", "IssueWriteLimited"]
    );
    assert_eq!(
        jira.status(429).expect("429").cases[0].when.source,
        WhenSource::Header("ratelimit-reason".into())
    );
}

#[test]
fn azure_retries_a_busy_resource_but_learns_nothing_from_it() {
    let spec = shipped("azure");
    let busy = spec
        .status(429)
        .expect("429")
        .cases
        .iter()
        .find(|c| c.name == "RetryableErrorDueToAnotherOperation")
        .expect("the case");
    assert_eq!(busy.policy, RetryPolicy::AfterHeader);
    assert!(!busy.rate_limited);
    assert_eq!(
        spec.status(509).expect("509").name,
        "BandwidthLimitExceeded"
    );
}
#[test]
fn azure_counts_reads_writes_and_deletes_apart() {
    let spec = shipped("azure");
    let quotas = spec.rate_limit.quota_list();
    let methods: Vec<(&str, Vec<&str>)> = quotas
        .iter()
        .map(|q| {
            (
                q.remaining.as_ref(),
                q.methods.iter().map(AsRef::as_ref).collect(),
            )
        })
        .collect();
    assert_eq!(
        methods,
        [
            (
                "x-ms-ratelimit-remaining-subscription-reads",
                vec!["GET", "HEAD"]
            ),
            (
                "x-ms-ratelimit-remaining-subscription-writes",
                vec!["PUT", "POST", "PATCH"]
            ),
            (
                "x-ms-ratelimit-remaining-subscription-deletes",
                vec!["DELETE"]
            ),
        ]
    );
}

#[test]
fn shopify_reads_its_call_limit_as_used_of_limit() {
    let spec = shipped("shopify");
    assert_eq!(
        spec.rate_limit.remaining.as_deref(),
        Some("x-shopify-shop-api-call-limit")
    );
    assert_eq!(spec.rate_limit.remaining_format, CountFormat::UsedLimit);
    assert_eq!(spec.status(430).expect("430").name, "SecurityRejection");
}

#[test]
fn jira_reads_its_reset_as_iso_8601() {
    let spec = shipped("jira");
    assert_eq!(
        spec.rate_limit.reset,
        Some(WaitField::new("x-ratelimit-reset", WaitFormat::Iso8601))
    );
    let names: Vec<&str> = spec
        .status(429)
        .expect("429")
        .cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["QuotaExceeded", "BurstLimited", "IssueWriteLimited"]
    );
}
