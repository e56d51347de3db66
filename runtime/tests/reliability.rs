//! The engine's reliability promises (`Retrier`'s rustdoc states them): the budget counts
//! only attempts that were sent, `max_elapsed` covers waits for holds, no call waits longer
//! than `max_retry_after` for holds in all, a well-formed far-future wait fails fast, holds are
//! capped when read on another clock, and `Debug` keeps error bodies out of logs.

mod common;

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::TestError;
use errspec::{
    Details, Jitter, Retrier, RetryBudget, RetryConfig, RetryPolicy, Sleeper, WaitFormat,
    parse_wait,
};
use errspec_test_support::RecordingSleeper;

const SEC: Duration = Duration::from_secs(1);

fn limited(wait: Duration) -> TestError {
    TestError::new(429, RetryPolicy::AfterHeader).wait(wait)
}

fn unavailable() -> TestError {
    TestError::new(503, RetryPolicy::Idempotent)
}

fn fast() -> RetryConfig {
    RetryConfig::new()
        .with_jitter(Jitter::None)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(1))
}

#[tokio::test(start_paused = true)]
async fn the_budget_counts_only_calls_that_were_sent() {
    // half a retry per first attempt, and a reserve of 10 over the window
    let budget = RetryBudget::new(0.5, 1);
    let held = Retrier::new(fast()).with_budget(budget.clone());
    // a 20 s hold: one attempt, sent
    let _ = held.attempts(true).after::<(), _>(Err(limited(20 * SEC)));
    // 64 calls queue behind the hold and are cancelled before they send anything
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let held = held.clone();
            tokio::spawn(async move { held.run(true, || async { Ok::<_, TestError>(()) }).await })
        })
        .collect();
    tokio::task::yield_now().await;
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        assert!(task.await.unwrap_err().is_cancelled());
    }
    // a call on another retrier sharing the budget, retrying 503s
    let other = Retrier::new(fast().with_max_attempts(1000)).with_budget(budget);
    let mut calls = 0;
    let _: Result<(), _> = other
        .run(true, || {
            calls += 1;
            async { Err(unavailable()) }
        })
        .await;
    // two first attempts were sent (the hold's and this one): 0.5 x 2 + 10 retries (the hold's
    // call was dropped before its retry, which gave its grant back); counting the 64 cancelled
    // calls would allow 42
    assert_eq!(calls, 12, "retries granted: {}", calls - 1);
}

#[tokio::test(start_paused = true)]
async fn max_elapsed_counts_the_wait_for_a_hold() {
    let config = fast()
        .with_max_attempts(1000)
        .with_initial_backoff(SEC)
        .with_max_backoff(SEC)
        .with_max_elapsed(Some(10 * SEC));
    let retrier = Retrier::new(config);
    let _ = retrier.attempts(true).after::<(), _>(Err(limited(9 * SEC)));
    let start = tokio::time::Instant::now();
    let mut calls = 0;
    let result: Result<(), _> = retrier
        .run(true, || {
            calls += 1;
            async { Err(unavailable()) }
        })
        .await;
    assert!(result.is_err());
    let took = start.elapsed();
    assert!(
        took <= 10 * SEC,
        "the call took {took:?}, past its max_elapsed of 10s"
    );
    assert!(calls >= 1, "sent after the hold");
}

/// `TestError` with a 5 s deadline: a second error type of one client.
#[derive(Debug)]
struct Hurried(TestError);

impl std::fmt::Display for Hurried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Hurried {}

impl errspec::StatusError for Hurried {
    fn status(&self) -> Option<http::StatusCode> {
        self.0.status()
    }
    fn policy(&self) -> RetryPolicy {
        self.0.policy()
    }
    fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after()
    }
    fn hint(&self) -> Option<&'static str> {
        None
    }
    fn retry_config() -> RetryConfig {
        fast().with_max_elapsed(Some(5 * SEC))
    }
    fn from_parts(
        status: http::StatusCode,
        headers: &http::HeaderMap,
        body: Option<&[u8]>,
    ) -> Self {
        Self(TestError::from_parts(status, headers, body))
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_deadline_passes_during_a_hold_is_not_sent() {
    // one client: a TestError call (no deadline) learns a 30 s hold, then a Hurried call
    // (5 s deadline) starts
    let client = errspec::Retrying::new(());
    let mut first = 0;
    let _: Result<(), TestError> = tokio::time::timeout(
        Duration::from_millis(10),
        client.run(true, || {
            first += 1;
            async { Err(limited(30 * SEC)) }
        }),
    )
    .await
    .unwrap_or(Ok(()));
    assert_eq!(first, 1);
    let start = tokio::time::Instant::now();
    let mut calls = 0;
    let result: Result<(), Hurried> = client
        .run(true, || {
            calls += 1;
            async { Ok(()) }
        })
        .await;
    assert_eq!(calls, 0, "nothing is sent during the hold");
    assert_eq!(
        result.unwrap_err().0.status,
        429,
        "the error of the status that set the hold"
    );
    assert_eq!(start.elapsed(), Duration::ZERO, "and it fails at once");
}

/// What runs during each wait.
type Hook = Box<dyn Fn() + Send>;

/// A virtual clock whose sleeps run a hook: another call learning a later hold meanwhile.
#[derive(Clone, Default)]
struct Meddling {
    clock: RecordingSleeper,
    hook: Arc<Mutex<Option<Hook>>>,
}

impl Sleeper for Meddling {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.sleep_blocking(d);
        Box::pin(std::future::ready(()))
    }

    fn sleep_blocking(&self, d: Duration) {
        self.clock.sleep_blocking(d);
        if let Some(hook) = &*self.hook.lock().unwrap() {
            hook();
        }
    }

    fn now(&self) -> Instant {
        self.clock.now()
    }
}

#[test]
fn no_call_waits_longer_than_max_retry_after_for_holds() {
    let sleeper = Meddling::default();
    let retrier =
        Retrier::new(RetryConfig::new().with_jitter(Jitter::None)).with_sleeper(sleeper.clone());
    let meddler = retrier.clone();
    // during every wait, another call is told to come back in 60 s
    *sleeper.hook.lock().unwrap() = Some(Box::new(move || {
        let _ = meddler
            .attempts(true)
            .after::<(), _>(Err(limited(60 * SEC)));
    }));

    let mut retry = retrier.attempts(true);
    let ControlFlow::Continue(wait) = retry.after::<(), _>(Err(unavailable())) else {
        panic!("a 503 is retried");
    };
    retry.sleep_blocking(wait);
    let waited: Duration = sleeper.clock.sleeps().iter().sum();
    assert!(
        waited <= wait + 60 * SEC,
        "one retry waited {waited:?}: {:?}",
        sleeper.clock.sleeps()
    );

    // a new call too: its first attempt waits for holds 60 s at most
    let before: Duration = sleeper.clock.sleeps().iter().sum();
    let _: Result<(), TestError> = retrier.run_blocking(true, || Ok(()));
    let waited = sleeper
        .clock
        .sleeps()
        .iter()
        .sum::<Duration>()
        .saturating_sub(before);
    assert!(waited <= 60 * SEC, "a new call waited {waited:?} for holds");
}

#[test]
fn a_well_formed_far_future_wait_fails_fast_in_every_format() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let huge: [(&[u8], WaitFormat); 8] = [
        (b"18446744073709551616", WaitFormat::Http),
        (b"Fri, 31 Dec 9999 23:59:59 GMT", WaitFormat::Http),
        (b"18446744073709551615", WaitFormat::Seconds),
        (b"9223372036854775808", WaitFormat::Millis),
        (b"18446744073709551615", WaitFormat::Unix),
        (b"18446744073709551615", WaitFormat::UnixMillis),
        (b"9999-12-31T23:59:59Z", WaitFormat::Rfc3339),
        (b"2562047h", WaitFormat::Duration),
    ];
    let cap = RetryConfig::new().max_retry_after;
    // the `rfc3339` format reads nothing without its feature, which `cargo test -p errspec` alone
    // leaves off (the workspace turns it on)
    let enabled = |format: &WaitFormat| cfg!(feature = "rfc3339") || *format != WaitFormat::Rfc3339;
    for (value, format) in huge.into_iter().filter(|(_, format)| enabled(format)) {
        let text = String::from_utf8_lossy(value);
        let wait = parse_wait(value, format, now)
            .unwrap_or_else(|| panic!("`{text}` ({format}) read as no wait"));
        assert!(wait > cap, "`{text}` ({format}) read as {wait:?}");
        let retrier = Retrier::new(RetryConfig::new()).with_sleeper(RecordingSleeper::new());
        let mut attempts = retrier.attempts(false);
        assert!(
            matches!(
                attempts.after::<(), _>(Err(limited(wait))),
                ControlFlow::Break(Err(_))
            ),
            "`{text}` ({format}) was retried"
        );
    }
}

/// A clock an hour ahead of the real one, as a paused Tokio clock moved on would be.
fn hour_ahead() -> RecordingSleeper {
    RecordingSleeper::ahead(Duration::from_secs(3600))
}

#[test]
fn a_hold_set_on_another_clock_is_capped_when_read() {
    let ahead =
        Retrier::new(RetryConfig::new().with_jitter(Jitter::None)).with_sleeper(hour_ahead());
    let _ = ahead.attempts(true).after::<(), _>(Err(limited(60 * SEC)));
    // a clone on the real clock shares the hold
    let real = ahead.clone().with_sleeper(RecordingSleeper::new());
    let mut attempts = real.attempts(true);
    let ControlFlow::Continue(wait) = attempts.after::<(), _>(Err(unavailable())) else {
        panic!("a 503 is retried");
    };
    assert!(wait <= 60 * SEC, "a wait of {wait:?} for a hold");
}

#[test]
fn debug_shows_a_body_excerpts_length_not_its_text() {
    let body = br#"{"echo": {"authorization": "Bearer s3cr3t-token", "cookie": "session=abc"}}"#;
    let details = Details::new(Some(SEC), Some(body));
    assert_eq!(details.body().map(str::len), Some(body.len()));
    let debug = format!("{details:?}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(
        debug.contains(&format!("<{} bytes>", body.len())),
        "{debug}"
    );
    let _ = SystemTime::now();
}
