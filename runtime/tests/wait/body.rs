//! Body sources: a field of a JSON error body, read with feature `json`.

use super::*;
use errspec::Details;

const DISCORD: WaitField = WaitField::body("/retry_after", WaitFormat::Seconds);

fn from_body(body: &str, source: &WaitField) -> Option<Duration> {
    wait_from_response(
        &HeaderMap::new(),
        Some(body),
        std::slice::from_ref(source),
        at(DEC_2026),
    )
}

#[cfg(feature = "json")]
#[test]
fn discord_bodies() {
    let limited =
        r#"{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}"#;
    assert_eq!(
        from_body(limited, &DISCORD),
        Some(Duration::from_millis(64_570))
    );
    assert_eq!(
        from_body(r#"{"retry_after": 1.234}"#, &DISCORD),
        Some(Duration::from_millis(1234))
    );
}

#[cfg(feature = "json")]
#[test]
fn a_string_reads_as_its_text_a_number_as_its_values_json_text() {
    let seconds = |body: &str| from_body(body, &DISCORD);
    assert_eq!(
        seconds(r#"{"retry_after": "1.5"}"#),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        seconds(r#"{"retry_after": " 2\t"}"#),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        seconds(r#"{"retry_after": "\u0033"}"#),
        Some(Duration::from_secs(3)),
        "escapes are resolved"
    );
    assert_eq!(
        seconds(r#"{"retry_after": 18446744073709551615}"#),
        Some(Duration::from_secs(u64::MAX))
    );
    // A number is read as its value's JSON text: `1e3` is `1000.0`, a number past u64 an
    // `f64` with an exponent (which no decimal format reads); no sign, no zero wait.
    assert_eq!(
        seconds(r#"{"retry_after": 1e3}"#),
        Some(Duration::from_secs(1000))
    );
    assert_eq!(
        seconds(r#"{"retry_after": 1.5E2}"#),
        Some(Duration::from_secs(150))
    );
    for absent in [
        r#"{"retry_after": 18446744073709551616}"#,
        r#"{"retry_after": -1}"#,
        r#"{"retry_after": 0}"#,
        r#"{"retry_after": 0.0}"#,
        r#"{"retry_after": "soon"}"#,
    ] {
        assert_eq!(seconds(absent), None, "{absent}");
    }
    let reset = WaitField::body("/reset", WaitFormat::Rfc3339);
    assert_eq!(
        from_body(r#"{"reset": "2026-12-01T10:00:30Z"}"#, &reset),
        RFC3339.then_some(Duration::from_secs(30))
    );
    let go = WaitField::body("/wait", WaitFormat::Duration);
    assert_eq!(
        from_body(r#"{"wait": "6m0s"}"#, &go),
        Some(Duration::from_secs(360))
    );
    let unix = WaitField::body("/reset", WaitFormat::Unix);
    assert_eq!(
        from_body(r#"{"reset": 1796119230.5}"#, &unix),
        Some(Duration::from_millis(30_500))
    );
}

#[cfg(feature = "json")]
#[test]
fn anything_else_is_absent() {
    for body in [
        r#"{"retry_after": null}"#,
        r#"{"retry_after": true}"#,
        r#"{"retry_after": [1]}"#,
        r#"{"retry_after": {"seconds": 1}}"#,
        r#"{"retry": 1}"#,
        r#"[{"retry_after": 1}]"#,
        "retry_after: 1",
        "<html><body>429 Too Many Requests</body></html>",
        r#"{"retry_after": 1"#,
        r#"{"retry_after": 1} {"retry_after": 2}"#,
        "",
    ] {
        assert_eq!(from_body(body, &DISCORD), None, "{body}");
    }
    // No body at all, and a pointer that is not one.
    assert_eq!(
        wait_from_response(&HeaderMap::new(), None, &[DISCORD], at(DEC_2026)),
        None
    );
    let not_a_pointer = WaitField::body("retry_after", WaitFormat::Seconds);
    assert_eq!(from_body(r#"{"retry_after": 1}"#, &not_a_pointer), None);
}

#[cfg(feature = "json")]
#[test]
fn pointers_reach_into_objects_and_arrays() {
    let nested = WaitField::body("/error/retry-after", WaitFormat::Seconds);
    assert_eq!(
        from_body(r#"{"error": {"retry-after": 3, "code": 429}}"#, &nested),
        Some(Duration::from_secs(3))
    );
    let escaped = WaitField::body("/a~1b/m~0n", WaitFormat::Seconds);
    assert_eq!(
        from_body(r#"{"a/b": {"m~n": 4}}"#, &escaped),
        Some(Duration::from_secs(4))
    );
    let indexed = WaitField::body("/errors/1/wait_ms", WaitFormat::Millis);
    assert_eq!(
        from_body(
            r#"{"errors": [{"wait_ms": 1}, {"wait_ms": 250}]}"#,
            &indexed
        ),
        Some(Duration::from_millis(250))
    );
}

#[cfg(feature = "json")]
#[test]
fn sources_are_tried_in_order() {
    let body = r#"{"retry_after": 2}"#;
    let header_first = [WaitField::RETRY_AFTER, DISCORD];
    let body_first = [DISCORD, WaitField::RETRY_AFTER];
    let map = headers(&[("retry-after", "9")]);
    let now = at(DEC_2026);
    assert_eq!(
        wait_from_response(&map, Some(body), &header_first, now),
        Some(Duration::from_secs(9))
    );
    assert_eq!(
        wait_from_response(&map, Some(body), &body_first, now),
        Some(Duration::from_secs(2))
    );
    // An unreadable or zero body value falls through to the header.
    for body in [r#"{"retry_after": "x"}"#, r#"{"retry_after": 0}"#, "oops"] {
        assert_eq!(
            wait_from_response(&map, Some(body), &body_first, now),
            Some(Duration::from_secs(9)),
            "{body}"
        );
    }
    assert_eq!(
        wait_from_response(&HeaderMap::new(), None, &body_first, now),
        None
    );
}

#[cfg(feature = "json")]
#[test]
fn details_read_body_waits_from_the_excerpt() {
    let details = Details::from_response(
        &HeaderMap::new(),
        &[DISCORD],
        Some(br#"{"retry_after": 2.5}"#),
    );
    assert_eq!(details.retry_after(), Some(Duration::from_millis(2500)));
    assert_eq!(details.body(), Some(r#"{"retry_after": 2.5}"#));
    // A body longer than the excerpt is JSON no more once cut: its fields are absent.
    let long = format!(
        r#"{{"retry_after": 2.5, "padding": "{}"}}"#,
        "x".repeat(errspec::BODY_EXCERPT_LIMIT)
    );
    let details = Details::from_response(&HeaderMap::new(), &[DISCORD], Some(long.as_bytes()));
    assert_eq!(details.retry_after(), None);
    assert_eq!(
        details.body().map(str::len),
        Some(errspec::BODY_EXCERPT_LIMIT)
    );
    // Headers are still read.
    let map = headers(&[("retry-after", "3")]);
    let sources = [DISCORD, WaitField::RETRY_AFTER];
    let details = Details::from_response(&map, &sources, Some(long.as_bytes()));
    assert_eq!(details.retry_after(), Some(Duration::from_secs(3)));
}

#[cfg(feature = "json")]
#[test]
fn body_field_reads_what_cases_match_on() {
    use errspec::body_field;
    let openai = r#"{"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"}}"#;
    assert_eq!(
        body_field(openai, "/error/code").as_deref(),
        Some("insufficient_quota")
    );
    let anthropic = r#"{"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}}"#;
    assert_eq!(
        body_field(anthropic, "/error/type").as_deref(),
        Some("rate_limit_error")
    );
    let stripe = r#"{"error": {"code": "rate_limit", "doc_url": "https://stripe.com/docs/error-codes/rate-limit", "status": 429}}"#;
    assert_eq!(body_field(stripe, "/error/status").as_deref(), Some("429"));
    assert_eq!(body_field(stripe, "/error"), None);
    assert_eq!(body_field(stripe, "/error/code/x"), None);
}

#[cfg(not(feature = "json"))]
#[test]
fn without_the_json_feature_body_sources_are_absent() {
    assert_eq!(from_body(r#"{"retry_after": 1.234}"#, &DISCORD), None);
    let map = headers(&[("retry-after", "3")]);
    assert_eq!(
        wait_from_response(
            &map,
            Some(r#"{"retry_after": 1}"#),
            &[DISCORD, WaitField::RETRY_AFTER],
            at(0)
        ),
        Some(Duration::from_secs(3))
    );
    let details = Details::from_response(&map, &[DISCORD], Some(br#"{"retry_after": 2.5}"#));
    assert_eq!(details.retry_after(), None);
    assert_eq!(details.body(), Some(r#"{"retry_after": 2.5}"#));
}

#[cfg(feature = "json")]
#[test]
fn a_wildcard_reads_the_first_value_it_reaches_that_is_a_wait() {
    // Google's AIP-193: the RetryInfo is one of `details`, in no fixed order.
    let google = WaitField::body("/error/details/*/retryDelay", WaitFormat::Duration);
    let body = r#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}"#;
    assert_eq!(from_body(body, &google), Some(Duration::from_millis(1500)));
    // an unreadable value, null, a zero wait and an object are passed over for the next
    let body = r#"{"error": {"details": [{"retryDelay": "soon"}, {"retryDelay": null},
        {"retryDelay": "0s"}, {"retryDelay": {"seconds": 1}}, {"retryDelay": "2s"},
        {"retryDelay": "3s"}]}}"#;
    assert_eq!(from_body(body, &google), Some(Duration::from_secs(2)));
    // members of an object too
    let any_member = WaitField::body("/limits/*", WaitFormat::Seconds);
    assert_eq!(
        from_body(r#"{"limits": {"a": "x", "b": 4}}"#, &any_member),
        Some(Duration::from_secs(4))
    );
    for absent in [
        r#"{"error": {"details": []}}"#,
        r#"{"error": {"details": {}}}"#,
        r#"{"error": {"details": [{"reason": "x"}]}}"#,
        r#"{"error": {"details": "1.5s"}}"#,
        "<Error><Code>SlowDown</Code></Error>",
    ] {
        assert_eq!(from_body(absent, &google), None, "{absent}");
    }
}

#[cfg(feature = "json")]
#[test]
fn wildcards_over_hostile_bodies_are_bounded() {
    let every = WaitField::owned_body("/*".repeat(64), WaitFormat::Seconds);
    let deep = format!("{}7{}", "[".repeat(64), "]".repeat(64));
    assert_eq!(from_body(&deep, &every), Some(Duration::from_secs(7)));
    let too_deep = format!("{}7{}", "[".repeat(5_000), "]".repeat(5_000));
    assert_eq!(from_body(&too_deep, &every), None);
    let wide = format!("[{}5]", "\"x\",".repeat(1_000));
    let first = WaitField::body("/*", WaitFormat::Seconds);
    assert_eq!(from_body(&wide, &first), Some(Duration::from_secs(5)));
    let details = Details::from_response(&HeaderMap::new(), &[first], Some(b"\xff\xfe[1]"));
    assert_eq!(details.retry_after(), None, "lossy UTF-8 is not JSON");
}
