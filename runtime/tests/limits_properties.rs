//! Properties of the rate-limit state over random interleavings of up to 256 calls on Tokio's
//! paused clock: random statuses (200, 429 with `Retry-After`, 503 with or without it, 404),
//! stated quotas (`x-ratelimit-remaining` / `x-ratelimit-reset-after`, reported through
//! `errspec::observe`), holds, bucket names, start delays and `JoinHandle::abort`s.
//!
//! - no call waits past `max_retry_after` for the state (its `on_pause` waits in all), and a
//!   completed call's time is its attempts, its retry waits and those pauses, nothing unreported;
//! - every reservation is released once every call has ended, completed or aborted;
//! - the retries sent stay within the budget (`ratio` x first attempts + `min_per_second` x 10,
//!   in runs shorter than its 10 s window), and the budget has counted exactly the retries sent:
//!   none granted to an aborted call and never sent.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::TestError;
use errspec::http::{HeaderMap, HeaderValue};
use errspec::{
    BucketName, Jitter, LocalStore, Pacing, Pause, RateLimitConfig, Retrier, RetryBudget,
    RetryConfig, RetryPolicy, Scope, ScopeKey, WaitField, WaitFormat,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

/// Cases per property: each runs up to 256 calls; about 5 s per property in a debug build.
const CASES: u32 = 256;

/// The bucket names responses may state.
const BUCKETS: [&str; 3] = ["core", "search", "graphql"];

/// The budget's window: runs shorter than this are checked against its whole-run bound.
const WINDOW: Duration = Duration::from_secs(10);

/// What one attempt gets back.
#[derive(Debug, Clone, Copy)]
enum Status {
    Ok,
    /// 429, with the `Retry-After` the error carries.
    TooMany(Duration),
    /// 503, with or without a `Retry-After`.
    Unavailable(Option<Duration>),
    NotFound,
}

/// One attempt's answer.
#[derive(Debug, Clone, Copy)]
struct Answer {
    status: Status,
    /// Time on the way, before the answer.
    latency: Duration,
    /// The stated quota: requests left, and the reset (`x-ratelimit-reset-after`).
    quota: Option<(u64, Duration)>,
    /// The bucket the response names (an index into [`BUCKETS`]).
    bucket: Option<usize>,
}

impl Answer {
    /// What attempts past a call's script get: a plain 200.
    const PLAIN: Self = Self {
        status: Status::Ok,
        latency: Duration::from_millis(1),
        quota: None,
        bucket: None,
    };

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some((remaining, reset)) = self.quota {
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            let reset = format!("{}.{:03}", reset.as_secs(), reset.subsec_millis());
            headers.insert(
                "x-ratelimit-reset-after",
                HeaderValue::from_str(&reset).expect("digits"),
            );
        }
        if let Some(bucket) = self.bucket {
            headers.insert(
                "x-ratelimit-bucket",
                HeaderValue::from_static(BUCKETS[bucket]),
            );
        }
        headers
    }

    fn result(&self) -> Result<(), TestError> {
        match self.status {
            Status::Ok => Ok(()),
            Status::TooMany(wait) => Err(TestError::new(429, RetryPolicy::AfterHeader).wait(wait)),
            Status::Unavailable(wait) => {
                let error = TestError::new(503, RetryPolicy::Idempotent);
                Err(match wait {
                    Some(wait) => error.wait(wait),
                    None => error,
                })
            }
            Status::NotFound => Err(TestError::new(404, RetryPolicy::Never)),
        }
    }
}

/// One call: when it starts, what each attempt gets, and when (from its start) it is aborted,
/// if it is.
#[derive(Debug, Clone)]
struct Script {
    start: Duration,
    answers: Vec<Answer>,
    abort: Option<Duration>,
}

/// One run.
#[derive(Debug, Clone)]
struct Case {
    bucket_scope: bool,
    quota_headers: bool,
    pacing: Pacing,
    max_attempts: u32,
    initial_backoff: Duration,
    max_retry_after: Duration,
    max_elapsed: Option<Duration>,
    ratio: f64,
    min_per_second: u32,
    calls: Vec<Script>,
}

impl Case {
    fn rate_limit(&self) -> RateLimitConfig {
        let mut rate_limit = RateLimitConfig::new().with_pacing(self.pacing);
        if self.bucket_scope {
            rate_limit = rate_limit
                .with_scope(Scope::Bucket)
                .with_bucket_header(Some("x-ratelimit-bucket"));
        }
        if self.quota_headers {
            rate_limit = rate_limit
                .with_remaining(Some("x-ratelimit-remaining"))
                .with_reset(Some(WaitField::new(
                    "x-ratelimit-reset-after",
                    WaitFormat::Seconds,
                )));
        }
        rate_limit
    }

    fn config(&self) -> RetryConfig {
        RetryConfig::new()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(Duration::from_secs(2))
            .with_multiplier(2.0)
            // no jitter: a case runs the same way each time, so it shrinks
            .with_jitter(Jitter::None)
            .with_max_retry_after(self.max_retry_after)
            .with_max_elapsed(self.max_elapsed)
    }
}

fn millis(range: std::ops::RangeInclusive<u64>) -> impl Strategy<Value = Duration> {
    range.prop_map(Duration::from_millis)
}

/// A `Retry-After` of 0-5 s: whole seconds, as servers send, or any millisecond.
fn retry_after() -> impl Strategy<Value = Duration> {
    prop_oneof![(0..=5_u64).prop_map(Duration::from_secs), millis(0..=5_000)]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        3 => Just(Status::Ok),
        3 => retry_after().prop_map(Status::TooMany),
        2 => prop::option::of(retry_after()).prop_map(Status::Unavailable),
        1 => Just(Status::NotFound),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        status(),
        millis(0..=200),
        prop::option::weighted(0.6, (0..=20_u64, millis(0..=8_000))),
        prop::option::weighted(0.7, 0..BUCKETS.len()),
    )
        .prop_map(|(status, latency, quota, bucket)| Answer {
            status,
            latency,
            quota,
            bucket,
        })
}

fn script() -> impl Strategy<Value = Script> {
    (
        millis(0..=3_000),
        prop::collection::vec(answer(), 1..=5),
        // from the call's start: during its first wait, an attempt, a retry's wait
        prop::option::weighted(0.25, millis(0..=4_000)),
    )
        .prop_map(|(start, answers, abort)| Script {
            start,
            answers,
            abort,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            any::<bool>(),
            any::<bool>(),
            prop_oneof![4 => Just(Pacing::Auto), 1 => Just(Pacing::Off)],
        ),
        (1..=5_u32, millis(0..=500), millis(0..=6_000)),
        prop::option::weighted(0.75, millis(1_000..=6_000)),
        (
            prop_oneof![Just(0.0), 0.0..1.0_f64, 1.0..20.0_f64],
            0..=3_u32,
        ),
        prop::collection::vec(script(), 1..=256),
    )
        .prop_map(
            |(
                (bucket_scope, quota_headers, pacing),
                (max_attempts, initial_backoff, max_retry_after),
                max_elapsed,
                (ratio, min_per_second),
                calls,
            )| Case {
                bucket_scope,
                quota_headers,
                pacing,
                max_attempts,
                initial_backoff,
                max_retry_after,
                max_elapsed,
                ratio,
                min_per_second,
                calls,
            },
        )
}

/// What one call did.
#[derive(Debug, Default)]
struct CallRecord {
    /// Its `on_pause` waits.
    pauses: Vec<(Pause, Duration)>,
    /// Its `on_retry` waits.
    retry_waits: Vec<Duration>,
    /// The latencies of the attempts it started.
    latencies: Vec<Duration>,
    /// From its start (after the start delay) to its return, if it returned.
    elapsed: Option<Duration>,
}

/// What a run did.
#[derive(Debug)]
struct Run {
    calls: Vec<CallRecord>,
    aborted: usize,
    firsts_sent: u32,
    retries_sent: u32,
    /// The reservations left in each scope the run used.
    in_flight: Vec<(ScopeKey, u32)>,
    /// When the last call ended, from the run's start.
    end: Duration,
    /// Retries the budget still granted after the run, when it ended inside the window.
    left_in_budget: Option<u64>,
    /// The most reservations out at once in the scopes used, as the attempts saw them.
    peak_reservations: u32,
}

fn run(case: &Case) -> Run {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(run_calls(case))
}

async fn run_calls(case: &Case) -> Run {
    let t0 = tokio::time::Instant::now();
    let store = LocalStore::new();
    let budget = RetryBudget::new(case.ratio, case.min_per_second);
    let base = Retrier::new(case.config())
        .with_store(store.clone())
        .with_budget(budget.clone())
        .with_rate_limit(case.rate_limit());
    let scopes = scopes();
    let peak = Arc::new(AtomicU32::new(0));
    let firsts_sent = Arc::new(AtomicU32::new(0));
    let retries_sent = Arc::new(AtomicU32::new(0));
    let mut records = Vec::new();
    let mut handles = Vec::new();
    for script in &case.calls {
        let record = Arc::new(Mutex::new(CallRecord::default()));
        records.push(Arc::clone(&record));
        let (on_pause, on_retry) = (Arc::clone(&record), Arc::clone(&record));
        // a clone per call, sharing the store, budget and tickets, with hooks of its own
        let retrier = base
            .clone()
            .on_pause(move |pause, wait| on_pause.lock().unwrap().pauses.push((pause, wait)))
            .on_retry(move |_, _, wait| on_retry.lock().unwrap().retry_waits.push(wait));
        let (firsts_sent, retries_sent) = (Arc::clone(&firsts_sent), Arc::clone(&retries_sent));
        let (store, scopes, peak) = (store.clone(), scopes.clone(), Arc::clone(&peak));
        let abort_at = script.abort.map(|at| t0 + script.start + at);
        let script = script.clone();
        let handle = tokio::spawn(async move {
            tokio::time::sleep(script.start).await;
            let began = tokio::time::Instant::now();
            let mut sent = 0_usize;
            let result: Result<(), TestError> = retrier
                .run(true, || {
                    let answer = script.answers.get(sent).copied().unwrap_or(Answer::PLAIN);
                    let counter = if sent == 0 {
                        &firsts_sent
                    } else {
                        &retries_sent
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    sent += 1;
                    record.lock().unwrap().latencies.push(answer.latency);
                    let out = scopes.iter().map(|s| store.in_flight(*s)).sum();
                    peak.fetch_max(out, Ordering::SeqCst);
                    async move {
                        tokio::time::sleep(answer.latency).await;
                        errspec::observe(&answer.headers());
                        answer.result()
                    }
                })
                .await;
            record.lock().unwrap().elapsed = Some(began.elapsed());
            drop(result);
        });
        if let Some(at) = abort_at {
            let abort = handle.abort_handle();
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                abort.abort();
            });
        }
        handles.push(handle);
    }
    let mut aborted = 0;
    for handle in handles {
        match handle.await {
            Ok(()) => {}
            Err(e) if e.is_cancelled() => aborted += 1,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    let end = t0.elapsed();
    let in_flight = scopes
        .into_iter()
        .map(|scope| (scope, store.in_flight(scope)))
        .collect();
    // still in the budget's first window: what it grants now is what the run left of it
    let left_in_budget = (end < WINDOW).then(|| {
        let mut left = 0;
        while left < 100_000 && budget.try_withdraw() {
            left += 1;
        }
        left
    });
    drop(base);
    Run {
        calls: records
            .into_iter()
            .map(|r| std::mem::take(&mut *r.lock().unwrap()))
            .collect(),
        aborted,
        firsts_sent: firsts_sent.load(Ordering::SeqCst),
        retries_sent: retries_sent.load(Ordering::SeqCst),
        in_flight,
        end,
        left_in_budget,
        peak_reservations: peak.load(Ordering::SeqCst),
    }
}

/// Every scope a run's calls can be in: the client's, the method's (`run` calls are of method
/// `""`; bucket scope puts a call there until a response names its bucket) and each bucket.
fn scopes() -> Vec<ScopeKey> {
    let mut scopes = vec![ScopeKey::Client, ScopeKey::Method("")];
    scopes.extend(
        BUCKETS
            .iter()
            .map(|b| ScopeKey::Bucket(BucketName::new(b.as_bytes()))),
    );
    scopes
}

/// What the runs of a property covered, for its report.
#[derive(Debug, Default)]
struct Stats {
    runs: usize,
    calls: usize,
    aborted: usize,
    /// Calls aborted with an attempt out.
    aborted_sending: usize,
    /// Calls aborted in a retry's wait (granted by the budget, not sent).
    aborted_retrying: usize,
    firsts_sent: u64,
    retries_sent: u64,
    holds: usize,
    stated: usize,
    learned: usize,
    /// Runs that ended inside the budget's window.
    windowed: usize,
    /// Calls whose pauses came to `max_retry_after` exactly.
    paused_to_the_cap: usize,
    /// The most reservations out in any run, as an attempt saw them.
    peak_reservations: u32,
}

impl Stats {
    fn add(&mut self, case: &Case, run: &Run) {
        self.runs += 1;
        self.calls += case.calls.len();
        self.aborted += run.aborted;
        self.firsts_sent += u64::from(run.firsts_sent);
        self.retries_sent += u64::from(run.retries_sent);
        self.windowed += usize::from(run.left_in_budget.is_some());
        self.peak_reservations = self.peak_reservations.max(run.peak_reservations);
        for call in &run.calls {
            let paused: Duration = call.pauses.iter().map(|(_, w)| *w).sum();
            if !paused.is_zero() && paused == case.max_retry_after {
                self.paused_to_the_cap += 1;
            }
            if call.elapsed.is_none() && !call.latencies.is_empty() {
                if call.retry_waits.len() < call.latencies.len() {
                    self.aborted_sending += 1;
                } else {
                    self.aborted_retrying += 1;
                }
            }
            for (pause, _) in &call.pauses {
                match pause {
                    Pause::Hold => self.holds += 1,
                    Pause::StatedQuota => self.stated += 1,
                    _ => self.learned += 1,
                }
            }
        }
    }
}

/// Runs `CASES` cases through `check`, shrinking a failure to its smallest case.
fn check(name: &str, check: impl Fn(&Case, &Run) -> Result<(), TestCaseError>) {
    let config = Config {
        cases: CASES,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let stats = Mutex::new(Stats::default());
    let result = runner.run(&case(), |case| {
        let run = run(&case);
        stats.lock().unwrap().add(&case, &run);
        check(&case, &run)
    });
    eprintln!("{name}: {:?}", stats.lock().unwrap());
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

#[test]
fn no_call_waits_past_max_retry_after_for_the_state() {
    check("pauses", |case, run| {
        for (i, call) in run.calls.iter().enumerate() {
            let paused: Duration = call.pauses.iter().map(|(_, w)| *w).sum();
            prop_assert!(
                paused <= case.max_retry_after,
                "call {i} paused {paused:?} in all for the state, max_retry_after {:?}: {:?}",
                case.max_retry_after,
                call.pauses
            );
            // and waited for nothing it did not report: its time is its attempts, its retry
            // waits and its pauses (each sleep may end up to 1 ms late on Tokio's timer)
            if let Some(elapsed) = call.elapsed {
                let waits = call.latencies.iter().chain(&call.retry_waits);
                let known: Duration = waits.sum::<Duration>() + paused;
                let sleeps = call.latencies.len() + call.retry_waits.len() + call.pauses.len();
                let slack = Duration::from_millis(1) * u32::try_from(sleeps).unwrap();
                prop_assert!(
                    elapsed >= known && elapsed <= known + slack,
                    "call {i} took {elapsed:?}; attempts {:?}, retry waits {:?}, pauses {:?}",
                    call.latencies,
                    call.retry_waits,
                    call.pauses
                );
            }
        }
        Ok(())
    });
}

#[test]
fn every_reservation_is_released() {
    check("reservations", |_, run| {
        for (scope, left) in &run.in_flight {
            prop_assert_eq!(
                *left,
                0,
                "{:?} keeps {} reservations after every call ended ({} aborted)",
                scope,
                left,
                run.aborted
            );
        }
        Ok(())
    });
}

#[test]
fn the_budget_counts_the_retries_sent_and_no_others() {
    check("budget", |case, run| {
        let Some(left) = run.left_in_budget else {
            return Ok(());
        };
        prop_assert!(run.end < WINDOW);
        let reserve = f64::from(case.min_per_second) * 10.0;
        let allowed = case.ratio * f64::from(run.firsts_sent) + reserve;
        prop_assert!(
            f64::from(run.retries_sent) <= allowed,
            "{} retries sent for {} first attempts: ratio {} allows {allowed}",
            run.retries_sent,
            run.firsts_sent,
            case.ratio
        );
        // the budget's own count: what it still grants is what the retries sent left of it,
        // so a retry granted and never sent (its call aborted) was given back
        let mut expected = 0_u64;
        #[allow(clippy::cast_precision_loss)]
        while (u64::from(run.retries_sent) + expected) as f64 + 1.0 <= allowed {
            expected += 1;
        }
        prop_assert_eq!(
            left,
            expected,
            "the budget grants {} more after {} retries sent for {} first attempts ({} calls aborted)",
            left,
            run.retries_sent,
            run.firsts_sent,
            run.aborted
        );
        Ok(())
    });
}
