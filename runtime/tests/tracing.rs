//! Feature `tracing`: one event per retry, with the attempt, status, delay and reason; one
//! warning per wait value that is present but unreadable.
#![cfg(feature = "tracing")]

mod common;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::TestError;
use errspec::http::HeaderMap;
use errspec::{
    Jitter, Retrier, RetryConfig, RetryPolicy, WaitField, WaitFormat, wait_from_headers,
    wait_from_response,
};
use errspec_test_support::RecordingSleeper;
use errspec_test_support::headers;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Keeps every event's fields as `name=value` strings.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<Vec<String>>>>);

struct Fields(Vec<String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(format!("{}={value}", field.name()));
    }
}

impl Subscriber for Collect {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn one_event_per_retry() {
    let collect = Collect::default();
    let retrier = Retrier::new(RetryConfig::new().with_jitter(Jitter::None))
        .with_sleeper(RecordingSleeper::new());
    let mut calls = 0;
    tracing::subscriber::with_default(collect.clone(), || {
        let _ = retrier.run_blocking(true, || {
            calls += 1;
            Err::<(), _>(if calls == 1 {
                TestError::new(503, RetryPolicy::Idempotent)
            } else {
                TestError::new(429, RetryPolicy::AfterHeader).wait(Duration::from_secs(2))
            })
        });
    });
    let events = collect.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    for (event, expected) in events.iter().zip([
        ["attempt=1", "status=503", "delay_ms=100", "reason=backoff"],
        [
            "attempt=2",
            "status=429",
            "delay_ms=2000",
            "reason=wait header",
        ],
    ]) {
        for field in expected {
            assert!(event.iter().any(|f| f == field), "{field} not in {event:?}");
        }
    }
}

/// The events `f` logs.
fn events_of(f: impl FnOnce()) -> Vec<Vec<String>> {
    let collect = Collect::default();
    tracing::subscriber::with_default(collect.clone(), f);
    collect.0.lock().unwrap().clone()
}

fn field<'e>(event: &'e [String], name: &str) -> &'e str {
    let prefix = format!("{name}=");
    event
        .iter()
        .find_map(|f| f.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {event:?}"))
}

#[test]
fn an_unreadable_wait_value_warns_once_naming_its_source() {
    let map = headers(&[("retry-after", "soon"), ("retry-after", "7")]);
    let events = events_of(|| {
        let wait = wait_from_headers(&map, &[WaitField::RETRY_AFTER], SystemTime::now());
        assert_eq!(wait, Some(Duration::from_secs(7)));
    });
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(field(event, "source"), "`retry-after` (http)");
    assert_eq!(field(event, "value"), "\"soon\"");
    assert_eq!(field(event, "value_len"), "4");
    assert_eq!(field(event, "reason"), "not well-formed");
}

#[test]
fn the_warning_shows_64_bytes_escaped() {
    let mut hostile = b"a\t\"\xff\xfe".to_vec();
    hostile.extend(std::iter::repeat_n(b'x', 8192));
    let map = headers(&[("x-reset", &hostile)]);
    let source = [WaitField::new("x-reset", WaitFormat::Unix)];
    let events = events_of(|| {
        assert_eq!(wait_from_headers(&map, &source, SystemTime::now()), None);
    });
    assert_eq!(events.len(), 1, "{events:?}");
    let value = field(&events[0], "value");
    // Quoted and escaped: the tab, the quote and the two invalid bytes, then 59 `x`s.
    let expected = format!("\"a\\t\\\"\u{fffd}\u{fffd}{}\"", "x".repeat(59));
    assert_eq!(value, expected);
    assert_eq!(field(&events[0], "value_len"), "8197");
}

#[test]
fn zero_past_and_absent_values_do_not_warn() {
    let map = headers(&[
        ("retry-after", "0"),
        ("x-ratelimit-reset", "1"),
        ("ratelimit", "\"default\";r=5;t=30"),
    ]);
    let sources = [
        WaitField::RETRY_AFTER,
        WaitField::new("x-ratelimit-reset", WaitFormat::Unix),
        WaitField::new("ratelimit", WaitFormat::Ratelimit),
        WaitField::new("not-sent", WaitFormat::Seconds),
        WaitField::body("/retry_after", WaitFormat::Seconds),
    ];
    let events = events_of(|| {
        let wait = wait_from_response(&map, Some("not json"), &sources, SystemTime::now());
        assert_eq!(wait, None);
    });
    assert!(events.is_empty(), "{events:?}");
}

#[cfg(feature = "json")]
#[test]
fn an_unreadable_body_field_warns_naming_its_pointer() {
    let sources = [WaitField::body("/retry_after", WaitFormat::Seconds)];
    let events = events_of(|| {
        let body = r#"{"retry_after": "in a bit"}"#;
        let wait = wait_from_response(&HeaderMap::new(), Some(body), &sources, SystemTime::now());
        assert_eq!(wait, None);
    });
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(field(&events[0], "source"), "body `/retry_after` (seconds)");
    assert_eq!(field(&events[0], "value"), "\"in a bit\"");
    // Control characters a JSON string can hold are escaped in the warning.
    let events = events_of(|| {
        let body = r#"{"retry_after": "1\u0007\n\u001b[2J"}"#;
        let wait = wait_from_response(&HeaderMap::new(), Some(body), &sources, SystemTime::now());
        assert_eq!(wait, None);
    });
    assert_eq!(field(&events[0], "value"), "\"1\\u{7}\\n\\u{1b}[2J\"");
}

#[cfg(not(feature = "rfc3339"))]
#[test]
fn an_rfc3339_value_without_the_feature_says_so() {
    let map = headers(&[("reset", "2026-12-01T10:00:30Z")]);
    let source = [WaitField::new("reset", WaitFormat::Rfc3339)];
    let events = events_of(|| {
        assert_eq!(wait_from_headers(&map, &source, SystemTime::now()), None);
    });
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(field(&events[0], "reason").contains("`rfc3339` feature"));
}
