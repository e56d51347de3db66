//! The server's hold: a time a server named for one call holds every call of the retrier
//! (see "The server's hold" on `Retrier`). It only ever adds delay after a server-stated time.

mod common;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::TestError;
use errspec::{Jitter, Retrier, RetryConfig, RetryPolicy};
use errspec_test_support::{RecordingSleeper, block_on};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

fn config() -> RetryConfig {
    RetryConfig::new().with_jitter(Jitter::None)
}

fn limited(wait: Duration) -> TestError {
    TestError::new(429, RetryPolicy::AfterHeader).wait(wait)
}

fn unavailable() -> TestError {
    TestError::new(503, RetryPolicy::Idempotent)
}

#[test]
fn a_retry_decided_during_a_hold_waits_until_it_ends() {
    let sleeper = RecordingSleeper::new();
    let hooks = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&hooks);
    let retrier = Retrier::new(config())
        .with_sleeper(sleeper.clone())
        .on_retry(move |_, _, delay| record.lock().unwrap().push(delay));
    let mut a = retrier.attempts(true);
    let mut b = retrier.attempts(true);
    assert!(
        matches!(a.after::<(), _>(Err(limited(2 * SEC))), ControlFlow::Continue(d) if d == 2 * SEC)
    );
    sleeper.advance(500 * MS);
    // B's backoff is 100 ms, but the server said to come back 1.5 s from now.
    assert!(
        matches!(b.after::<(), _>(Err(unavailable())), ControlFlow::Continue(d) if d == 1500 * MS)
    );
    assert_eq!(*hooks.lock().unwrap(), [2 * SEC, 1500 * MS]);
}

#[test]
fn clones_share_the_hold_and_other_retriers_do_not() {
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(config()).with_sleeper(sleeper.clone());
    let clone = retrier.clone();
    let other = Retrier::new(config()).with_sleeper(sleeper.clone());
    let _ = retrier
        .attempts(true)
        .after::<(), _>(Err(limited(10 * SEC)));
    let mut on_clone = clone.attempts(true);
    assert!(
        matches!(on_clone.after::<(), _>(Err(unavailable())), ControlFlow::Continue(d) if d == 10 * SEC)
    );
    let mut on_other = other.attempts(true);
    assert!(
        matches!(on_other.after::<(), _>(Err(unavailable())), ControlFlow::Continue(d) if d == 100 * MS)
    );
}

#[test]
fn only_a_retry_after_a_server_wait_sets_a_hold() {
    for first in [
        unavailable(),                                         // backoff only
        limited(61 * SEC),                                     // above max_retry_after: stops
        TestError::new(400, RetryPolicy::Never).wait(5 * SEC), // not retried
    ] {
        let sleeper = RecordingSleeper::new();
        let retrier = Retrier::new(config()).with_sleeper(sleeper.clone());
        let _ = retrier.attempts(true).after::<(), _>(Err(first.clone()));
        let mut next = retrier.attempts(true);
        assert!(
            matches!(next.after::<(), _>(Err(unavailable())), ControlFlow::Continue(d) if d == 100 * MS),
            "{first:?}"
        );
    }
}

#[test]
fn run_makes_a_first_attempt_wait_for_the_hold() {
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(config()).with_sleeper(sleeper.clone());
    let mut calls = 0;
    let first: Result<(), _> = block_on(retrier.run(false, || {
        calls += 1;
        std::future::ready(if calls == 1 {
            Err(limited(3 * SEC))
        } else {
            Ok(())
        })
    }));
    assert!(first.is_ok());
    assert_eq!(sleeper.sleeps(), [3 * SEC]);
    // Another call, 3 s later on the virtual clock: the hold has passed.
    let _: Result<(), TestError> = block_on(retrier.run(false, || std::future::ready(Ok(()))));
    assert_eq!(sleeper.sleeps(), [3 * SEC]);

    // A call started while a hold lasts waits for it first, blocking or not.
    let _ = retrier.attempts(true).after::<(), _>(Err(limited(2 * SEC)));
    sleeper.advance(500 * MS);
    let _: Result<(), TestError> = retrier.run_blocking(false, || Ok(()));
    assert_eq!(sleeper.sleeps(), [3 * SEC, 1500 * MS]);
}

#[test]
fn a_sleeper_whose_clock_stands_still_waits_only_what_was_decided() {
    // records waits and returns at once, its clock the real one: waits do not move it
    let recorder = RecordingSleeper::real();
    let retrier = Retrier::new(config().with_max_attempts(4)).with_sleeper(recorder.clone());
    let mut calls = 0;
    let result: Result<(), _> = retrier.run_blocking(true, || {
        calls += 1;
        if calls < 4 {
            Err(limited(5 * SEC))
        } else {
            Ok(())
        }
    });
    assert!(result.is_ok());
    assert_eq!(recorder.sleeps(), [5 * SEC; 3]);
}

/// Attempt times, in ms since the test began, of calls run concurrently on Tokio's paused clock.
#[cfg(feature = "tokio")]
mod concurrent {
    use super::*;

    /// A call through `retrier` that starts after `delay`, fails its first attempt with
    /// `first` and then succeeds; returns when each attempt began.
    async fn call(
        retrier: Retrier,
        start: tokio::time::Instant,
        delay: Duration,
        first: TestError,
    ) -> Vec<u128> {
        tokio::time::sleep(delay).await;
        let times = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&times);
        let _ = retrier
            .run(true, || {
                let mut times = record.lock().unwrap();
                times.push(start.elapsed().as_millis());
                let result = if times.len() == 1 {
                    Err(first.clone())
                } else {
                    Ok(())
                };
                std::future::ready(result)
            })
            .await;
        times.lock().unwrap().clone()
    }

    /// Like [`call`], driving the attempts as `#[errspec::client]` does: its first attempt
    /// does not wait for a hold.
    async fn own_loop(
        retrier: Retrier,
        start: tokio::time::Instant,
        delay: Duration,
        first: TestError,
    ) -> Vec<u128> {
        tokio::time::sleep(delay).await;
        let mut times = Vec::new();
        let mut attempts = retrier.attempts(true);
        loop {
            times.push(start.elapsed().as_millis());
            let result = if times.len() == 1 {
                Err(first.clone())
            } else {
                Ok(())
            };
            match attempts.after(result) {
                ControlFlow::Break(_) => return times,
                ControlFlow::Continue(wait) => attempts.sleep(wait).await,
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_retry_follows_a_later_hold_when_it_wakes() {
        let start = tokio::time::Instant::now();
        let retrier = Retrier::new(config());
        let a = tokio::spawn(call(retrier.clone(), start, Duration::ZERO, limited(SEC)));
        let b = tokio::spawn(own_loop(retrier.clone(), start, 300 * MS, limited(SEC)));
        // A would come back at 1 s, but B was told 1.3 s: they come back together.
        assert_eq!(a.await.unwrap(), [0, 1300]);
        assert_eq!(b.await.unwrap(), [300, 1300]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_first_attempt_during_a_hold_waits_for_it() {
        let start = tokio::time::Instant::now();
        let retrier = Retrier::new(config());
        let a = tokio::spawn(call(retrier.clone(), start, Duration::ZERO, limited(SEC)));
        let b = tokio::spawn(call(retrier.clone(), start, 200 * MS, unavailable()));
        assert_eq!(a.await.unwrap(), [0, 1000]);
        // B's first attempt waits for the hold; its own 503 then backs off 100 ms.
        assert_eq!(b.await.unwrap(), [1000, 1100]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_hold_never_makes_a_call_pass_max_elapsed() {
        let start = tokio::time::Instant::now();
        let short = Retrier::new(config().with_max_elapsed(Some(1100 * MS)));
        let a = tokio::spawn(call(short.clone(), start, Duration::ZERO, limited(SEC)));
        let b = tokio::spawn(own_loop(short.clone(), start, 300 * MS, limited(SEC)));
        // Waiting for B's 1.3 s would end A's call past 1.1 s: A comes back at its own time.
        assert_eq!(a.await.unwrap(), [0, 1000]);
        assert_eq!(b.await.unwrap(), [300, 1300]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_hold_never_brings_a_retry_earlier() {
        let start = tokio::time::Instant::now();
        let retrier = Retrier::new(config());
        let a = tokio::spawn(call(
            retrier.clone(),
            start,
            Duration::ZERO,
            limited(5 * SEC),
        ));
        let b = tokio::spawn(call(retrier.clone(), start, 100 * MS, limited(SEC)));
        assert_eq!(a.await.unwrap(), [0, 5000]);
        // B started while A's hold lasted, so it waited for it before its first attempt.
        assert_eq!(b.await.unwrap(), [5000, 6000]);
    }
}
