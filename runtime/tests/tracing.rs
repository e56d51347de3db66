//! Feature `tracing`: one event per retry, with the attempt, status, delay and reason.
#![cfg(feature = "tracing")]

mod common;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{RecordingSleeper, TestError};
use errspec::{Jitter, Retrier, RetryConfig, RetryPolicy};
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
