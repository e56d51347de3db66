//! The retry engine, rule by rule (the rules `Retrier`'s rustdoc lists), async and blocking
//! alike.

mod common;

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestError;
use errspec::{BudgetConfig, Jitter, Retrier, RetryBudget, RetryConfig, RetryPolicy};
use errspec_test_support::{RecordingSleeper, block_on};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

/// A deterministic config: 100 ms, x2, no jitter, 3 attempts.
fn config() -> RetryConfig {
    RetryConfig::new().with_jitter(Jitter::None)
}

#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<u32, TestError>,
    calls: u32,
    sleeps: Vec<Duration>,
    /// (attempt, status, delay) per `on_retry` call.
    hooks: Vec<(u32, u16, Duration)>,
}

/// Runs a call whose attempt `i` fails with `errors[i - 1]` (tagged with `id = i`) and succeeds
/// with `Ok(i)` once the errors run out, through `run` and through `run_blocking`; both must
/// agree.
fn scenario(
    retrier: &dyn Fn(RecordingSleeper) -> Retrier,
    idempotent: bool,
    errors: &[TestError],
) -> Outcome {
    let attempt = |calls: &Cell<u32>| {
        calls.set(calls.get() + 1);
        let i = calls.get();
        match errors.get(i as usize - 1) {
            Some(e) => Err(e.clone().id(i)),
            None => Ok(i),
        }
    };
    let run = |blocking: bool| {
        let sleeper = RecordingSleeper::new();
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&hooks);
        let retrier = retrier(sleeper.clone()).on_retry(move |attempt, err, delay| {
            let status = err.status().map_or(0, |s| s.as_u16());
            record.lock().unwrap().push((attempt, status, delay));
        });
        let calls = Cell::new(0);
        let result = if blocking {
            retrier.run_blocking(idempotent, || attempt(&calls))
        } else {
            block_on(retrier.run(idempotent, || std::future::ready(attempt(&calls))))
        };
        let hooks = hooks.lock().unwrap().clone();
        Outcome {
            result,
            calls: calls.get(),
            sleeps: sleeper.sleeps(),
            hooks,
        }
    };
    let outcome = run(false);
    assert_eq!(outcome, run(true), "run and run_blocking disagree");
    outcome
}

fn with(config: RetryConfig) -> impl Fn(RecordingSleeper) -> Retrier {
    move |sleeper| Retrier::new(config.clone()).with_sleeper(sleeper)
}

fn err(policy: RetryPolicy) -> TestError {
    TestError::new(503, policy)
}

#[test]
fn success_at_once_needs_no_wait() {
    let out = scenario(&with(config()), true, &[]);
    assert_eq!(out.result, Ok(1));
    assert_eq!(out.calls, 1);
    assert!(out.sleeps.is_empty() && out.hooks.is_empty());
}

#[test]
fn retries_with_exponential_backoff_until_success() {
    let cfg = config().with_max_attempts(5);
    let out = scenario(&with(cfg), true, &vec![err(RetryPolicy::Always); 3]);
    assert_eq!(out.result, Ok(4));
    assert_eq!(out.sleeps, [100 * MS, 200 * MS, 400 * MS]);
}

#[test]
fn backoff_is_capped_at_max_backoff() {
    let cfg = config().with_max_attempts(6).with_max_backoff(300 * MS);
    let out = scenario(&with(cfg), true, &vec![err(RetryPolicy::Always); 5]);
    assert_eq!(
        out.sleeps,
        [100 * MS, 200 * MS, 300 * MS, 300 * MS, 300 * MS]
    );
}

#[test]
fn stops_at_max_attempts_returning_the_last_error_unchanged() {
    let out = scenario(&with(config()), true, &vec![err(RetryPolicy::Always); 10]);
    assert_eq!(out.calls, 3);
    assert_eq!(out.result, Err(err(RetryPolicy::Always).id(3)));
    assert_eq!(out.sleeps.len(), 2);
}

#[test]
fn max_attempts_zero_and_one_never_retry() {
    for max in [0, 1] {
        let cfg = config().with_max_attempts(max);
        let out = scenario(&with(cfg), true, &vec![err(RetryPolicy::Always); 3]);
        assert_eq!(out.calls, 1, "max_attempts = {max}");
        assert_eq!(out.result, Err(err(RetryPolicy::Always).id(1)));
        assert!(out.sleeps.is_empty() && out.hooks.is_empty());
    }
}

#[test]
fn never_is_not_retried() {
    for idempotent in [true, false] {
        let out = scenario(&with(config()), idempotent, &[err(RetryPolicy::Never)]);
        assert_eq!(out.calls, 1);
        assert_eq!(out.result, Err(err(RetryPolicy::Never).id(1)));
    }
}

#[test]
fn idempotent_policy_retries_only_idempotent_requests() {
    let errors = [err(RetryPolicy::Idempotent)];
    let out = scenario(&with(config()), true, &errors);
    assert_eq!((out.result, out.calls), (Ok(2), 2));
    let out = scenario(&with(config()), false, &errors);
    assert_eq!(out.result, Err(err(RetryPolicy::Idempotent).id(1)));
    assert_eq!(out.calls, 1);
}

#[test]
fn always_and_after_header_retry_non_idempotent_requests() {
    for policy in [RetryPolicy::Always, RetryPolicy::AfterHeader] {
        let out = scenario(&with(config()), false, &[err(policy)]);
        assert_eq!((out.result, out.calls), (Ok(2), 2), "{policy}");
    }
}

#[test]
fn the_error_decides_on_each_attempt() {
    // A retryable error, then one that is not: the second ends the call.
    let errors = [
        err(RetryPolicy::Always),
        TestError::new(400, RetryPolicy::Never),
    ];
    let out = scenario(&with(config().with_max_attempts(5)), true, &errors);
    assert_eq!(out.calls, 2);
    assert_eq!(
        out.result,
        Err(TestError::new(400, RetryPolicy::Never).id(2))
    );
}

#[test]
fn after_header_waits_exactly_what_the_server_asked() {
    // Far above the backoff, and far below it: the header decides either way.
    for wait in [30 * SEC, MS, Duration::ZERO] {
        let e = TestError::new(429, RetryPolicy::AfterHeader).wait(wait);
        let out = scenario(&with(config()), false, &[e.clone(), e]);
        assert_eq!(out.result, Ok(3));
        assert_eq!(out.sleeps, [wait, wait]);
    }
}

#[test]
fn after_header_without_a_header_backs_off() {
    let e = TestError::new(429, RetryPolicy::AfterHeader);
    let out = scenario(&with(config()), false, &[e.clone(), e]);
    assert_eq!(out.sleeps, [100 * MS, 200 * MS]);
}

#[test]
fn after_header_above_max_retry_after_fails_at_once() {
    let e = TestError::new(429, RetryPolicy::AfterHeader).wait(61 * SEC);
    let out = scenario(&with(config()), true, std::slice::from_ref(&e));
    assert_eq!(out.calls, 1);
    assert_eq!(out.result, Err(e.id(1)));
    assert!(out.sleeps.is_empty() && out.hooks.is_empty());

    // At the limit exactly, it is honoured.
    let e = TestError::new(429, RetryPolicy::AfterHeader).wait(60 * SEC);
    let out = scenario(&with(config()), true, &[e]);
    assert_eq!(out.sleeps, [60 * SEC]);
}

#[test]
fn a_server_wait_is_a_floor_for_backoff_policies() {
    for policy in [RetryPolicy::Always, RetryPolicy::Idempotent] {
        // Header above the backoff: the header wins.
        let out = scenario(&with(config()), true, &[err(policy).wait(3 * SEC)]);
        assert_eq!(out.sleeps, [3 * SEC], "{policy}");
        // Header below the backoff: the backoff wins.
        let out = scenario(&with(config()), true, &[err(policy).wait(10 * MS)]);
        assert_eq!(out.sleeps, [100 * MS], "{policy}");
        // Header above max_retry_after: stop at once.
        let out = scenario(&with(config()), true, &[err(policy).wait(120 * SEC)]);
        assert_eq!(out.calls, 1, "{policy}");
        assert!(out.sleeps.is_empty());
    }
}

#[test]
fn a_server_wait_is_a_floor_under_every_jitter() {
    for jitter in [
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ] {
        let cfg = config().with_jitter(jitter).with_max_attempts(10);
        let errors = vec![err(RetryPolicy::Always).wait(150 * MS); 9];
        let sleeper = RecordingSleeper::new();
        let retrier = Retrier::new(cfg.clone()).with_sleeper(sleeper.clone());
        let mut i = 0;
        let _ = retrier.run_blocking(true, || {
            i += 1;
            errors.get(i - 1).cloned().map_or(Ok(()), Err)
        });
        assert_eq!(sleeper.sleeps().len(), 9);
        assert!(
            sleeper.sleeps().iter().all(|s| *s >= 150 * MS),
            "{jitter:?}"
        );
    }
}

#[test]
fn stops_when_the_wait_would_pass_max_elapsed() {
    // Waits 1 s, 2 s, 4 s...: after 1 + 2 s, a 4 s wait would end at 7 s > 5 s.
    let cfg = config()
        .with_max_attempts(10)
        .with_initial_backoff(SEC)
        .with_max_elapsed(Some(5 * SEC));
    let out = scenario(&with(cfg), true, &vec![err(RetryPolicy::Always); 10]);
    assert_eq!(out.sleeps, [SEC, 2 * SEC]);
    assert_eq!(out.calls, 3);
    assert_eq!(out.result, Err(err(RetryPolicy::Always).id(3)));
}

#[test]
fn a_wait_ending_exactly_at_max_elapsed_is_allowed() {
    let cfg = config()
        .with_max_attempts(10)
        .with_initial_backoff(SEC)
        .with_max_elapsed(Some(3 * SEC));
    let out = scenario(&with(cfg), true, &vec![err(RetryPolicy::Always); 10]);
    assert_eq!(out.sleeps, [SEC, 2 * SEC]);
}

#[test]
fn max_elapsed_counts_time_spent_in_attempts() {
    let cfg = config()
        .with_max_attempts(10)
        .with_initial_backoff(SEC)
        .with_multiplier(1.0)
        .with_max_elapsed(Some(10 * SEC));
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(cfg).with_sleeper(sleeper.clone());
    let result: Result<(), _> = retrier.run_blocking(true, || {
        sleeper.advance(3 * SEC); // each attempt takes 3 s
        Err(err(RetryPolicy::Always))
    });
    assert!(result.is_err());
    // 3 + 1, 7 + 1, then 11 s is already past 10 s.
    assert_eq!(sleeper.sleeps(), [SEC, SEC]);
}

#[test]
fn a_server_wait_past_max_elapsed_stops() {
    let cfg = config().with_max_elapsed(Some(10 * SEC));
    let e = TestError::new(429, RetryPolicy::AfterHeader).wait(11 * SEC);
    let out = scenario(&with(cfg), true, &[e]);
    assert_eq!(out.calls, 1);
    assert!(out.sleeps.is_empty() && out.hooks.is_empty());
}

#[test]
fn on_retry_sees_each_retry_before_its_wait() {
    let e = TestError::new(429, RetryPolicy::AfterHeader).wait(2 * SEC);
    let out = scenario(
        &with(config()),
        true,
        &[err(RetryPolicy::Always), e, err(RetryPolicy::Always)],
    );
    assert_eq!(out.hooks, [(1, 503, 100 * MS), (2, 429, 2 * SEC)]);
    assert_eq!(out.sleeps, [100 * MS, 2 * SEC]);
    assert_eq!(out.result, Err(err(RetryPolicy::Always).id(3)));
}

#[test]
fn on_retry_is_called_before_sleeping() {
    let sleeper = RecordingSleeper::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, record) = (sleeper.clone(), Arc::clone(&seen));
    let retrier = Retrier::new(config())
        .with_sleeper(sleeper.clone())
        .on_retry(move |_, _, _| record.lock().unwrap().push(s.sleeps().len()));
    let _ = retrier.run_blocking(true, || Err::<(), _>(err(RetryPolicy::Always)));
    assert_eq!(*seen.lock().unwrap(), [0, 1]);
}

#[test]
fn a_refusing_budget_stops_retries() {
    let budget = RetryBudget::new(0.0, 0);
    let out = scenario(
        &|s| {
            Retrier::new(config())
                .with_budget(budget.clone())
                .with_sleeper(s)
        },
        true,
        &[err(RetryPolicy::Always)],
    );
    assert_eq!(out.calls, 1);
    assert_eq!(out.result, Err(err(RetryPolicy::Always).id(1)));
    assert!(out.hooks.is_empty());
}

#[test]
fn the_config_budget_is_made_and_shared_by_clones() {
    // Reserve only: 1 a second, so 10 retries in a 10 s window for all clones together (the
    // backoff is 1 ms, so the waits on the sleeper's clock, which the budget reads, stay in one
    // window).
    let cfg = config()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(1))
        .with_max_attempts(100)
        .with_budget(Some(BudgetConfig::new(0.0, 1)));
    let retrier = Retrier::new(cfg).with_sleeper(RecordingSleeper::new());
    assert!(retrier.budget().is_some());
    let clone = retrier.clone();
    let mut calls = 0;
    let _ = retrier.run_blocking(true, || {
        calls += 1;
        Err::<(), _>(err(RetryPolicy::Always))
    });
    let _ = clone.run_blocking(true, || {
        calls += 1;
        Err::<(), _>(err(RetryPolicy::Always))
    });
    assert_eq!(calls, 2 + 10);
}

#[test]
fn first_attempts_earn_retries() {
    // ratio 0.5, no reserve: two first attempts earn one retry.
    let now = Instant::now();
    let budget = RetryBudget::with_clock(0.5, 0, move || now);
    let retrier = Retrier::new(config())
        .with_budget(budget)
        .with_sleeper(RecordingSleeper::new());
    let mut calls = 0;
    let mut call = || {
        retrier.run_blocking(true, || {
            calls += 1;
            Err::<(), _>(err(RetryPolicy::Always))
        })
    };
    let _ = call(); // deposit 1: no retry
    let _ = call(); // deposit 2: one retry
    assert_eq!(calls, 1 + 2);
}

#[test]
fn a_refused_retry_spends_no_budget() {
    // A server wait above max_retry_after stops before the budget is asked.
    let budget = RetryBudget::with_clock(0.0, 1, Instant::now);
    let retrier = Retrier::new(config())
        .with_budget(budget.clone())
        .with_sleeper(RecordingSleeper::new());
    for _ in 0..20 {
        let _ = retrier.run_blocking(true, || {
            Err::<(), _>(TestError::new(429, RetryPolicy::AfterHeader).wait(600 * SEC))
        });
    }
    for _ in 0..10 {
        assert!(budget.try_withdraw());
    }
}

#[test]
fn non_send_operations_are_accepted() {
    let counter = Rc::new(Cell::new(0));
    let retrier = Retrier::new(config()).with_sleeper(RecordingSleeper::new());
    let result = block_on(retrier.run(true, || {
        let counter = Rc::clone(&counter);
        async move {
            counter.set(counter.get() + 1);
            if counter.get() < 2 {
                Err(err(RetryPolicy::Always))
            } else {
                Ok(counter.get())
            }
        }
    }));
    assert_eq!(result, Ok(2));
}

#[test]
fn the_future_is_send_when_the_operation_is() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    let retrier = Retrier::new(config());
    let future = retrier.run(true, || async { Ok::<_, TestError>(1) });
    assert_send(&future);
    assert_send_sync::<Retrier>();
}

#[test]
fn config_accessor_and_debug() {
    let retrier = Retrier::new(config().with_max_attempts(9));
    assert_eq!(retrier.config().max_attempts, 9);
    assert!(retrier.budget().is_none());
    let debug = format!("{retrier:?}");
    assert!(debug.contains("max_attempts: 9"), "{debug}");
}

#[test]
fn retry_blocking_shorthand_uses_the_defaults() {
    // Default config: 3 attempts. A zero server wait keeps this test instant.
    let mut calls = 0;
    let result: Result<(), _> = errspec::retry_blocking(false, || {
        calls += 1;
        Err(TestError::new(429, RetryPolicy::AfterHeader).wait(Duration::ZERO))
    });
    assert!(result.is_err());
    assert_eq!(calls, 3);
}

#[cfg(feature = "tokio")]
mod tokio_clock {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_follow_tokios_paused_clock() {
        let start = tokio::time::Instant::now();
        let real = Instant::now();
        let retrier =
            Retrier::new(config().with_max_attempts(4)).with_sleeper(errspec::TokioSleeper);
        let mut calls = 0;
        let result: Result<(), _> = retrier
            .run(false, || {
                calls += 1;
                async { Err(TestError::new(429, RetryPolicy::AfterHeader).wait(30 * SEC)) }
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls, 4);
        assert_eq!(start.elapsed(), 90 * SEC);
        assert!(real.elapsed() < 5 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn max_elapsed_is_measured_on_tokios_clock() {
        let start = tokio::time::Instant::now();
        let cfg = config()
            .with_max_attempts(100)
            .with_max_elapsed(Some(100 * SEC));
        // The default sleeper is Tokio's.
        let retrier = Retrier::new(cfg);
        let mut calls = 0;
        let _ = retrier
            .run(false, || {
                calls += 1;
                async { Err::<(), _>(TestError::new(429, RetryPolicy::AfterHeader).wait(30 * SEC)) }
            })
            .await;
        assert_eq!(calls, 4); // 0, 30, 60, 90: a fifth would start at 120 s
        assert_eq!(start.elapsed(), 90 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_shorthand_backs_off_on_tokio() {
        let start = tokio::time::Instant::now();
        let mut calls = 0;
        let result = errspec::retry(true, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(err(RetryPolicy::Idempotent))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result, Ok(3));
        // Full jitter on 100 ms then 200 ms.
        assert!(start.elapsed() <= 300 * MS);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_futures_can_be_spawned() {
        let retrier = Retrier::new(config()).with_sleeper(RecordingSleeper::new());
        let handle = tokio::spawn(async move {
            retrier
                .run(true, || async { Err::<(), _>(err(RetryPolicy::Always)) })
                .await
        });
        assert!(handle.await.unwrap().is_err());
    }
}

#[test]
fn thread_sleeper_async_sleep_works_without_a_runtime() {
    use errspec::{Sleeper, ThreadSleeper};
    let start = Instant::now();
    // A real executor-agnostic wait, kept to a few milliseconds.
    park_block_on(ThreadSleeper.sleep(5 * MS));
    assert!(start.elapsed() >= 5 * MS);
}

/// Waits on the shared timer thread end in deadline order, none before its time, whatever
/// order they were started in.
#[tokio::test]
async fn thread_sleeper_waits_end_in_order_and_never_early() {
    use errspec::{Sleeper, ThreadSleeper};
    let start = Instant::now();
    let ended = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = [30, 10, 20]
        .into_iter()
        .map(|ms| {
            let ended = Arc::clone(&ended);
            tokio::spawn(async move {
                ThreadSleeper.sleep(ms * MS).await;
                let took = start.elapsed();
                ended.lock().unwrap().push(ms);
                assert!(took >= ms * MS, "the {ms} ms wait ended after {took:?}");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*ended.lock().unwrap(), [10, 20, 30]);
}

/// Blocks on a future, parking the thread until its waker fires.
fn park_block_on<F: Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}
