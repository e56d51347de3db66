//! A retrying call made inside another's attempt is the current call while it runs: what its
//! responses state goes to its own retrier's store, and what the outer attempt read before
//! and after it goes to the outer's.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestError;
use errspec::http::{HeaderMap, HeaderValue};
use errspec::{
    LimitStore, LocalStore, Pause, RateLimitConfig, Retrier, RetryConfig, ScopeKey, WaitField,
    WaitFormat,
};

const CAP: Duration = Duration::from_secs(600);

/// A retrier reading `x-left` (requests left) and `x-reset` (seconds), its state in `store`.
fn reading(store: &Arc<LocalStore>) -> Retrier {
    let quota = RateLimitConfig::new()
        .with_remaining(Some("x-left"))
        .with_reset(Some(WaitField::new("x-reset", WaitFormat::Seconds)));
    Retrier::new(RetryConfig::new())
        .with_rate_limit(quota)
        .with_store(Arc::clone(store))
}

/// A response's headers stating `left` requests left, resetting in 30 s.
fn stating(left: u32) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-left", HeaderValue::from(left));
    headers.insert("x-reset", HeaderValue::from_static("30"));
    headers
}

/// What `store` says a call in the client scope waits for, if anything.
fn waits(store: &LocalStore) -> Option<(Duration, Pause)> {
    store.peek(ScopeKey::Client, Instant::now(), CAP)
}

#[test]
fn a_call_inside_an_attempt_reports_to_its_own_store() {
    let (outer_store, inner_store) = (Arc::new(LocalStore::new()), Arc::new(LocalStore::new()));
    let (outer, inner) = (reading(&outer_store), reading(&inner_store));
    let result: Result<(), TestError> = outer.run_blocking(true, || {
        errspec::observe(&stating(0));
        let nested: Result<(), TestError> = inner.run_blocking(true, || {
            errspec::observe(&stating(7));
            Ok(())
        });
        nested
    });
    result.unwrap();
    // the outer read "none left" before the inner call: kept across it, and its own
    let (wait, pause) = waits(&outer_store).expect("the outer scope's quota is spent");
    assert_eq!(pause, Pause::StatedQuota);
    assert!(
        wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
    // the inner read 7 left: nothing to wait for
    assert_eq!(waits(&inner_store), None);
}

#[test]
fn what_the_inner_call_reads_does_not_reach_the_outer() {
    let (outer_store, inner_store) = (Arc::new(LocalStore::new()), Arc::new(LocalStore::new()));
    let (outer, inner) = (reading(&outer_store), reading(&inner_store));
    let result: Result<(), TestError> = outer.run_blocking(true, || {
        let nested: Result<(), TestError> = inner.run_blocking(true, || {
            errspec::observe(&stating(0));
            Ok(())
        });
        nested?;
        errspec::observe(&stating(9));
        Ok(())
    });
    result.unwrap();
    assert_eq!(waits(&outer_store), None);
    let (_, pause) = waits(&inner_store).expect("the inner scope's quota is spent");
    assert_eq!(pause, Pause::StatedQuota);
}

#[tokio::test(flavor = "current_thread")]
async fn an_attempt_polled_many_times_keeps_what_each_poll_read() {
    let store = Arc::new(LocalStore::new());
    let retrier = reading(&store);
    let result: Result<(), TestError> = retrier
        .run(true, || async {
            errspec::observe(&stating(0));
            // later polls read nothing: the first poll's word stands
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            Ok(())
        })
        .await;
    result.unwrap();
    let (_, pause) = waits(&store).expect("the first poll's spent quota is kept");
    assert_eq!(pause, Pause::StatedQuota);
}

#[tokio::test(flavor = "current_thread")]
async fn a_later_poll_s_word_wins() {
    let store = Arc::new(LocalStore::new());
    let retrier = reading(&store);
    let result: Result<(), TestError> = retrier
        .run(true, || async {
            errspec::observe(&stating(0));
            tokio::task::yield_now().await;
            errspec::observe(&stating(9));
            Ok(())
        })
        .await;
    result.unwrap();
    assert_eq!(waits(&store), None);
    // outside a call, observe changes nothing
    errspec::observe(&stating(0));
    assert_eq!(waits(&store), None);
}
