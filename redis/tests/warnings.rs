//! One `tracing` warning per outage and process, not one per call, and one `info` when
//! sharing resumes: counted by a subscriber of the test's own (the store logs from its own
//! thread too, so the subscriber is the process's global one: one test in this file).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{acquire, ask, server, store, success, until_sharing};
use errspec::{Grant, LimitStore, ScopeKey};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

static WARNINGS: AtomicUsize = AtomicUsize::new(0);
static INFOS: AtomicUsize = AtomicUsize::new(0);

/// Counts the store's warnings and infos.
struct Counter;

impl Subscriber for Counter {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        if meta.target() != "errspec_redis" {
            return;
        }
        match *meta.level() {
            Level::WARN => WARNINGS.fetch_add(1, Ordering::SeqCst),
            Level::INFO => INFOS.fetch_add(1, Ordering::SeqCst),
            _ => 0,
        };
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Many calls and reports through one outage.
async fn calls(store: &errspec_redis::RedisStore, from: u64) {
    let scope = ScopeKey::Method("m");
    for ticket in from..from + 30 {
        assert_eq!(acquire(store, &ask("w", scope, ticket)).await, Grant::Go);
        store.report(&success("w", scope, ticket));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_warning_per_outage_and_one_info_when_sharing_resumes() {
    let Some(mut server) = server() else { return };
    tracing::subscriber::set_global_default(Counter).unwrap();
    let store = store(&server).await;
    calls(&store, 0).await;
    assert_eq!(WARNINGS.load(Ordering::SeqCst), 0, "no outage yet");

    server.kill();
    calls(&store, 100).await;
    assert_eq!(
        WARNINGS.load(Ordering::SeqCst),
        1,
        "one outage, one warning"
    );
    assert_eq!(INFOS.load(Ordering::SeqCst), 0);

    server.run();
    until_sharing(&store).await;
    calls(&store, 200).await;
    assert_eq!(INFOS.load(Ordering::SeqCst), 1, "sharing resumed, once");
    assert_eq!(WARNINGS.load(Ordering::SeqCst), 1);

    server.kill();
    calls(&store, 300).await;
    server.run();
    until_sharing(&store).await;
    calls(&store, 400).await;
    assert_eq!(
        WARNINGS.load(Ordering::SeqCst),
        2,
        "a second outage, a second warning"
    );
    assert_eq!(INFOS.load(Ordering::SeqCst), 2);
}
