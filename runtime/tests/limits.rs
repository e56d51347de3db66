//! The ten rate-limit behaviours issue 15 found broken in the old engine (commit 7efa77f), one
//! test each, through the public API only: `Retrier` on Tokio's paused clock against servers
//! simulated in the test (their responses reported with `errspec::observe`), or the
//! `LimitStore` seam of a `LocalStore` directly. Each test says how the old engine failed it.

mod common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::TestError;
use errspec::http::{HeaderMap, HeaderValue, StatusCode};
use errspec::{
    Ask, BucketName, Grant, Jitter, LimitStore, LocalStore, Outcome, Pause, RateLimitConfig,
    Report, Retrier, RetryBudget, RetryConfig, RetryPolicy, Scope, StatusError, Ticket, WaitField,
    WaitFormat,
};
use errspec_test_support::{RecordingSleeper, header};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);
const CAP: Duration = Duration::from_secs(60);

fn config() -> RetryConfig {
    RetryConfig::new().with_jitter(Jitter::None)
}

fn limited(wait: Duration) -> TestError {
    TestError::new(429, RetryPolicy::AfterHeader).wait(wait)
}

fn unavailable() -> TestError {
    TestError::new(503, RetryPolicy::Idempotent)
}

/// GitHub-style quota headers: `x-ratelimit-remaining`, and the reset in `reset_format` in
/// `x-ratelimit-reset`.
fn quota_config(reset_format: WaitFormat) -> RateLimitConfig {
    RateLimitConfig::new()
        .with_remaining(Some("x-ratelimit-remaining"))
        .with_reset(Some(WaitField::new("x-ratelimit-reset", reset_format)))
}

/// `d` as decimal seconds with millisecond precision, rounded up (what `Seconds` and a
/// `Retry-After` with a fraction read).
fn decimal_seconds(d: Duration) -> String {
    let ms = d.as_nanos().div_ceil(1_000_000);
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The paused clock as a std `Instant`: what the retrier's `TokioSleeper` reads.
fn tokio_now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// A fixed window of 40 requests per 200 ms on the paused clock that states its quota on every
/// response (`x-ratelimit-remaining`, and the sub-second time to the window's end in
/// `x-ratelimit-reset-after`, decimal seconds), and refuses with a 429 whose `Retry-After` is
/// that same time when the window is spent.
struct Window {
    start: tokio::time::Instant,
    /// (window index, admitted in it)
    count: Mutex<(u128, u32)>,
    sent: AtomicU32,
    refused: AtomicU32,
}

const WINDOW: Duration = Duration::from_millis(200);
const PER_WINDOW: u32 = 40;

impl Window {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: tokio::time::Instant::now(),
            count: Mutex::new((0, 0)),
            sent: AtomicU32::new(0),
            refused: AtomicU32::new(0),
        })
    }

    /// One request: 1 ms on the way, then admitted or refused.
    async fn send(&self) -> Result<(), TestError> {
        tokio::time::sleep(MS).await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        let elapsed = self.start.elapsed();
        let index = elapsed.as_nanos() / WINDOW.as_nanos();
        let mut count = self.count.lock().unwrap();
        if count.0 != index {
            *count = (index, 0);
        }
        let admitted = count.1 < PER_WINDOW;
        if admitted {
            count.1 += 1;
        }
        let remaining = PER_WINDOW - count.1;
        drop(count);
        let window_end = WINDOW * u32::try_from(index + 1).unwrap();
        let to_end = window_end.saturating_sub(elapsed);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("x-ratelimit-reset-after", header(decimal_seconds(to_end)));
        errspec::observe(&headers);
        if admitted {
            return Ok(());
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        headers.insert("retry-after", header(decimal_seconds(to_end)));
        Err(TestError::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            None,
        ))
    }
}

/// Issue 15, item 1. The old engine dropped a spent stated quota at its reset, so every call
/// waiting for it rushed in at once, and retries were not paced at all: against this window it
/// refused 2,656 requests for 320 served, and only 320 of 512 calls succeeded.
#[tokio::test(start_paused = true)]
async fn five_hundred_twelve_calls_at_once_keep_to_a_stated_quota() {
    let window = Window::new();
    let rate_limit = RateLimitConfig::new()
        .with_remaining(Some("x-ratelimit-remaining"))
        .with_reset(Some(WaitField::new(
            "x-ratelimit-reset-after",
            WaitFormat::Seconds,
        )));
    let retrier = Retrier::new(config().with_max_attempts(100)).with_rate_limit(rate_limit);
    let calls: Vec<_> = (0..512)
        .map(|_| {
            let (window, retrier) = (Arc::clone(&window), retrier.clone());
            tokio::spawn(async move {
                retrier
                    .run(true, || {
                        let window = Arc::clone(&window);
                        async move { window.send().await }
                    })
                    .await
            })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        if call.await.unwrap().is_err() {
            failed += 1;
        }
    }
    let sent = window.sent.load(Ordering::SeqCst);
    let refused = window.refused.load(Ordering::SeqCst);
    let wall = window.start.elapsed();
    let percent = 100.0 * f64::from(refused) / f64::from(sent);
    // 512 at 40 per 200 ms: the last 32 go in the 13th window, which opens at 2.4 s
    eprintln!(
        "512 callers: {failed} failed, {refused}/{sent} refused ({percent:.2} %), wall {wall:?} (ideal {:?})",
        WINDOW * 12 + MS
    );
    assert_eq!(failed, 0, "every call succeeds");
    assert!(percent <= 1.0, "{refused} of {sent} refused");
}

/// A retrier reading `quota_config(format)` whose first call succeeds with a response stating
/// `remaining: 0` and `reset`; then a second call's sends and how long it took.
async fn after_a_spent_quota(format: WaitFormat, reset: String) -> (u32, StatusCode, Duration) {
    let retrier = Retrier::new(config()).with_rate_limit(quota_config(format));
    let first: Result<(), TestError> = retrier
        .run(true, || {
            let reset = reset.clone();
            async move {
                let mut headers = HeaderMap::new();
                headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
                headers.insert("x-ratelimit-reset", header(reset));
                errspec::observe(&headers);
                Ok(())
            }
        })
        .await;
    assert!(first.is_ok());
    let start = tokio::time::Instant::now();
    let mut sends = 0;
    let second: Result<(), TestError> = retrier
        .run(true, || {
            sends += 1;
            async { Ok(()) }
        })
        .await;
    let err = second.expect_err("a spent quota past the cap fails the call");
    (sends, err.status().unwrap(), start.elapsed())
}

/// Issue 15, item 2. The old engine paused each call for the whole `max_retry_after` and then
/// sent it into the spent quota when the reset was beyond the cap (a year ahead, in any
/// format), and dropped a reset so large that an `Instant` overflowed, so that quota was not
/// paced at all. A well-formed reset past the cap must fail the call at once, as a
/// server-stated retry wait above `max_retry_after` does.
#[tokio::test(start_paused = true)]
async fn a_spent_quota_resetting_past_the_cap_fails_at_once_without_sending() {
    const YEAR: u64 = 365 * 24 * 3600;
    let unix_in_a_year = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + YEAR;
    let cases = [
        (WaitFormat::Seconds, YEAR.to_string()),
        (WaitFormat::Unix, unix_in_a_year.to_string()),
        // as an Instant, now + u64::MAX seconds overflows
        (WaitFormat::Seconds, u64::MAX.to_string()),
        (WaitFormat::Unix, u64::MAX.to_string()),
    ];
    for (format, reset) in cases {
        let (sends, status, took) = after_a_spent_quota(format, reset.clone()).await;
        eprintln!("reset `{reset}` ({format}): {sends} sent, {status}, after {took:?}");
        assert_eq!(sends, 0, "`{reset}` ({format}): nothing is sent");
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "`{reset}` ({format})"
        );
        assert_eq!(took, Duration::ZERO, "`{reset}` ({format}): no wait");
    }
}

/// A retrier reading `rate_limit` whose first call's response has `headers`; then how long a
/// second call waited before its attempt, and the pauses it reported.
async fn wait_after(rate_limit: RateLimitConfig, headers: HeaderMap) -> (Duration, Vec<Pause>) {
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&pauses);
    let retrier = Retrier::new(config())
        .with_rate_limit(rate_limit)
        .on_pause(move |pause, _| record.lock().unwrap().push(pause));
    let first: Result<(), TestError> = retrier
        .run(true, || {
            let headers = headers.clone();
            async move {
                errspec::observe(&headers);
                Ok(())
            }
        })
        .await;
    assert!(first.is_ok());
    let start = tokio::time::Instant::now();
    let sent_at = Arc::new(Mutex::new(None));
    let at = Arc::clone(&sent_at);
    let second: Result<(), TestError> = retrier
        .run(true, || {
            *at.lock().unwrap() = Some(start.elapsed());
            async { Ok(()) }
        })
        .await;
    assert!(second.is_ok());
    let waited = sent_at.lock().unwrap().expect("sent");
    let pauses = pauses.lock().unwrap().clone();
    (waited, pauses)
}

/// Issue 15, item 3. The old engine read only the first line of a repeated
/// `x-ratelimit-remaining` (a `5` then a `0` meant no pause), did not combine a `RateLimit`
/// list split over two lines (RFC 9110 §5.3), and never read `RateLimit-Policy`, though
/// `ietf = true` promises it.
#[tokio::test(start_paused = true)]
async fn every_line_of_a_quota_header_is_read_and_the_policy_gives_the_window() {
    // `5` then `0`: the quota is spent until the reset, 3 s
    let mut headers = HeaderMap::new();
    headers.append("x-ratelimit-remaining", HeaderValue::from(5));
    headers.append("x-ratelimit-remaining", HeaderValue::from(0));
    headers.insert("x-ratelimit-reset", HeaderValue::from(3));
    let (waited, pauses) = wait_after(quota_config(WaitFormat::Seconds), headers).await;
    eprintln!("remaining 5, 0: waited {waited:?}, {pauses:?}");
    assert_eq!(waited, 3 * SEC);
    assert_eq!(pauses, [Pause::StatedQuota]);

    // a RateLimit list over two lines: the second line's quota is spent for 2 s
    let ietf = RateLimitConfig::new().with_ietf(true);
    let mut headers = HeaderMap::new();
    headers.append("ratelimit", header("\"hour\";r=90;t=3000"));
    headers.append("ratelimit", header("\"minute\";r=0;t=2"));
    let (waited, pauses) = wait_after(ietf.clone(), headers).await;
    eprintln!("RateLimit over two lines: waited {waited:?}, {pauses:?}");
    assert_eq!(waited, 2 * SEC);
    assert_eq!(pauses, [Pause::StatedQuota]);

    // no `t` in RateLimit: the policy's window, 5 s (not the 1 s a reset no one states gets)
    let mut headers = HeaderMap::new();
    headers.insert("ratelimit", header("\"default\";r=0"));
    headers.insert("ratelimit-policy", header("\"default\";q=100;w=5"));
    let (waited, pauses) = wait_after(ietf, headers).await;
    eprintln!("RateLimit-Policy w=5: waited {waited:?}, {pauses:?}");
    assert_eq!(waited, 5 * SEC);
    assert_eq!(pauses, [Pause::StatedQuota]);
}

fn bucket_config() -> RateLimitConfig {
    RateLimitConfig::new()
        .with_scope(Scope::Bucket)
        .with_bucket_header(Some("x-ratelimit-bucket"))
}

fn naming(bucket: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-ratelimit-bucket",
        HeaderValue::from_bytes(bucket).unwrap(),
    );
    headers
}

/// Issue 15, item 4. The old engine keyed a bucket by its name's first 128 bytes, as lossy
/// UTF-8: names that differ after byte 128, or only in invalid UTF-8, shared one hold.
#[tokio::test(start_paused = true)]
async fn buckets_whose_names_differ_late_or_in_invalid_utf8_do_not_share_a_hold() {
    let long = |tail: &[u8]| [vec![b'b'; 200], tail.to_vec()].concat();
    let pairs: [(Vec<u8>, Vec<u8>); 3] = [
        (long(b"x"), long(b"y")),
        (
            [vec![b'c'; 129], b"1".to_vec()].concat(),
            [vec![b'c'; 129], b"2".to_vec()].concat(),
        ),
        (b"core\xff".to_vec(), b"core\xfe".to_vec()),
    ];
    for (held, other) in pairs {
        let store = LocalStore::new();
        let retrier = Retrier::new(config())
            .with_rate_limit(bucket_config())
            .with_store(store.clone());
        // a call whose 429 names `held` is told to come back in 30 s
        let mut a = retrier.attempts(true);
        let result = a
            .observing(async {
                errspec::observe(&naming(&held));
                Err::<(), _>(limited(30 * SEC))
            })
            .await;
        assert!(matches!(a.after(result), ControlFlow::Continue(w) if w == 30 * SEC));
        // a call whose 503 names `other`: its retry waits its backoff, not the other's hold
        let mut b = retrier.attempts(true);
        let result = b
            .observing(async {
                errspec::observe(&naming(&other));
                Err::<(), _>(unavailable())
            })
            .await;
        let ControlFlow::Continue(wait) = b.after(result) else {
            panic!("a 503 is retried");
        };
        assert_eq!(
            wait,
            100 * MS,
            "{:?} held by {:?}",
            BucketName::new(&other),
            BucketName::new(&held)
        );
        let now = tokio_now();
        let of =
            |name: &[u8]| store.peek(errspec::ScopeKey::Bucket(BucketName::new(name)), now, CAP);
        assert_eq!(of(&held), Some((30 * SEC, Pause::Hold)));
        assert_eq!(of(&other), None);
    }
}

/// Issue 15, item 5. The old engine put a refused call's hold on the bucket the method's latest
/// response named: when call B's 200 (bucket `core`) was reported while call A's 429 (bucket
/// `search`) was being decided, the hold went to `core`, so one generic `get(path)` reaching
/// two buckets held the wrong one.
#[tokio::test(start_paused = true)]
async fn a_hold_lands_on_the_bucket_the_refused_calls_own_response_named() {
    let store = LocalStore::new();
    // one retrier, one method: every call of `Retrier::run` is of the same (unnamed) method
    let retrier = Retrier::new(config())
        .with_rate_limit(bucket_config())
        .with_store(store.clone());
    let sends = Arc::new(AtomicU32::new(0));
    // A: its response names `search` at once, the 429 is decided 10 ms later
    let a = {
        let (retrier, sends) = (retrier.clone(), Arc::clone(&sends));
        tokio::spawn(async move {
            retrier
                .run(true, || {
                    let first = sends.fetch_add(1, Ordering::SeqCst) == 0;
                    async move {
                        errspec::observe(&naming(b"search"));
                        if !first {
                            return Ok(());
                        }
                        tokio::time::sleep(10 * MS).await;
                        Err::<(), _>(limited(2 * SEC))
                    }
                })
                .await
        })
    };
    // B: its 200 names `core`, reported 5 ms in, between A's response and A's decision
    let b = {
        let retrier = retrier.clone();
        tokio::spawn(async move {
            retrier
                .run(true, || async {
                    tokio::time::sleep(5 * MS).await;
                    errspec::observe(&naming(b"core"));
                    Ok::<(), TestError>(())
                })
                .await
        })
    };
    b.await.unwrap().unwrap();
    tokio::time::sleep(20 * MS).await;
    let now = tokio_now();
    let search = store.peek(
        errspec::ScopeKey::Bucket(BucketName::new(b"search")),
        now,
        CAP,
    );
    let core_key = errspec::ScopeKey::Bucket(BucketName::new(b"core"));
    let core = store.peek(core_key, now, CAP);
    eprintln!("at 25 ms: search {search:?}, core {core:?}");
    // the 429 came at 10 ms with a 2 s wait; it is 25 ms now
    assert_eq!(
        search,
        Some((Duration::from_millis(1985), Pause::Hold)),
        "search is held"
    );
    assert_eq!(core, None, "core is not");
    // a call in `core` may go now
    let ask = Ask::new(core_key, Ticket(u64::MAX), now);
    assert_eq!(store.acquire(&ask).ready(), Some(Grant::Go));
    store.report(&Report::new(
        core_key,
        Some(ask.ticket),
        now,
        Outcome::Success,
    ));
    a.await.unwrap().unwrap();
    assert_eq!(sends.load(Ordering::SeqCst), 2);
}

/// Issue 15, item 6. With the scope table full, the old engine evicted a scope holding a live
/// 30 s hold before scopes with nothing in them.
#[test]
fn a_live_hold_outlasts_idle_scopes_when_the_table_is_full() {
    let store = LocalStore::new();
    let t0 = Instant::now();
    let key = |i: u32| errspec::ScopeKey::Bucket(BucketName::new(format!("bucket-{i}").as_bytes()));
    let mut ticket = 0;
    let mut call = |scope, outcome| {
        ticket += 1;
        let ask = Ask::new(scope, Ticket(ticket), t0);
        assert_eq!(store.acquire(&ask).ready(), Some(Grant::Go));
        store.report(&Report::new(scope, Some(ask.ticket), t0, outcome));
    };
    // the oldest scope, the least recently used: a 30 s hold
    let held = key(0);
    call(
        held,
        Outcome::Refused {
            hold: Some(30 * SEC),
            status: Some(StatusCode::TOO_MANY_REQUESTS),
            rate_limited: true,
            retrying: false,
        },
    );
    // 255 idle scopes fill the table; 300 more make it evict again and again
    for i in 1..256 {
        call(key(i), Outcome::Success);
    }
    assert_eq!(store.scopes(), 256);
    let mut fewest = usize::MAX;
    for i in 256..556 {
        call(key(i), Outcome::Success);
        fewest = fewest.min(store.scopes());
        assert!(store.scopes() <= 256);
    }
    eprintln!(
        "after 300 new scopes: {} kept (fewest {fewest})",
        store.scopes()
    );
    assert!(fewest < 256, "idle scopes were evicted");
    assert_eq!(
        store.peek(held, t0, CAP),
        Some((30 * SEC, Pause::Hold)),
        "the hold survives"
    );
    // and it still holds a call
    let ask = Ask::new(held, Ticket(u64::MAX), t0);
    assert!(matches!(
        store.acquire(&ask).ready(),
        Some(Grant::Wait { wait, pause: Pause::Hold }) if wait == 30 * SEC
    ));
}

/// Issue 15, item 7. The old budget counted retries that were never sent: a retry granted and
/// then cancelled during its backoff kept its withdrawal.
#[tokio::test(start_paused = true)]
async fn a_retry_cancelled_during_its_backoff_gives_its_withdrawal_back() {
    fn allowed(budget: &RetryBudget) -> usize {
        (0..100).take_while(|_| budget.try_withdraw()).count()
    }
    // no ratio, a reserve of 1 a second: 10 retries in the window
    assert_eq!(allowed(&RetryBudget::new(0.0, 1)), 10);
    let budget = RetryBudget::new(0.0, 1);
    let granted = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&granted);
    let retrier = Retrier::new(config().with_initial_backoff(SEC))
        .with_budget(budget.clone())
        .on_retry(move |_, _, _| {
            count.fetch_add(1, Ordering::SeqCst);
        });
    let call = tokio::spawn(async move {
        retrier
            .run(true, || async { Err::<(), _>(unavailable()) })
            .await
    });
    // the first attempt fails; the retry is granted, and its 1 s backoff starts
    tokio::time::sleep(100 * MS).await;
    assert_eq!(granted.load(Ordering::SeqCst), 1, "one retry granted");
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    let left = allowed(&budget);
    eprintln!("after a granted retry was cancelled: {left} retries allowed");
    assert_eq!(left, 10, "as if the retry had never been granted");
}

/// 20 calls at once, the 10th refused once with `first_refusal` (then served), then after
/// 100 ms a burst of 60: the learned-pacing pauses of the burst.
async fn learned_pauses_after(first_refusal: TestError) -> u32 {
    let learned = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&learned);
    let retrier = Retrier::new(config()).on_pause(move |pause, _| {
        if pause == Pause::LearnedQuota {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    let sends = Arc::new(AtomicU32::new(0));
    let burst = |n: u32| {
        (0..n)
            .map(|_| {
                let (retrier, sends, refusal) =
                    (retrier.clone(), Arc::clone(&sends), first_refusal.clone());
                tokio::spawn(async move {
                    retrier
                        .run(true, || {
                            let refuse = sends.fetch_add(1, Ordering::SeqCst) == 9;
                            let refusal = refusal.clone();
                            async move {
                                tokio::time::sleep(MS).await;
                                if refuse { Err(refusal) } else { Ok(()) }
                            }
                        })
                        .await
                })
            })
            .collect::<Vec<_>>()
    };
    for call in burst(20) {
        call.await.unwrap().unwrap();
    }
    tokio::time::sleep(100 * MS).await;
    learned.store(0, Ordering::SeqCst);
    for call in burst(60) {
        call.await.unwrap().unwrap();
    }
    learned.load(Ordering::SeqCst)
}

/// Issue 15, item 8. The old engine learned pacing from a 503 with Retry-After: one such
/// answer among 20 calls made a later burst of 60 pause 130 times. Learned pacing learns from
/// refusals of the rate limit (a 429, or what a spec marks so), not from outages.
#[tokio::test(start_paused = true)]
async fn an_outage_with_retry_after_teaches_no_learned_pacing() {
    let after_503 = learned_pauses_after(unavailable().wait(SEC)).await;
    let after_429 = learned_pauses_after(limited(SEC)).await;
    eprintln!(
        "learned-pacing pauses of a burst of 60: {after_503} after a 503, {after_429} after a 429"
    );
    assert_eq!(after_503, 0, "a 503 teaches nothing");
    assert!(after_429 > 0, "a 429 does: the test can see learned pacing");
}

/// Issue 15, item 9. The old engine ignored a reset that moved backwards: after an answer `0`
/// with reset 20 s, a later answer `99` with reset 2 s still held the next call for 20 s. The
/// later answer wins.
#[tokio::test(start_paused = true)]
async fn a_reset_that_moves_back_lets_the_next_call_go() {
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&pauses);
    let retrier = Retrier::new(config())
        .with_rate_limit(quota_config(WaitFormat::Seconds))
        .on_pause(move |pause, wait| record.lock().unwrap().push((pause, wait)));
    let answer = |latency: Duration, remaining: u32, reset: u32| {
        let retrier = retrier.clone();
        tokio::spawn(async move {
            retrier
                .run(true, || async move {
                    tokio::time::sleep(latency).await;
                    let mut headers = HeaderMap::new();
                    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
                    headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
                    errspec::observe(&headers);
                    Ok::<(), TestError>(())
                })
                .await
        })
    };
    // sent together: `0`, reset 20 s, answers at 1 ms; `99`, reset 2 s, at 2 ms
    let spent = answer(MS, 0, 20);
    let later = answer(2 * MS, 99, 2);
    spent.await.unwrap().unwrap();
    later.await.unwrap().unwrap();
    let start = tokio::time::Instant::now();
    let sent_at = Arc::new(Mutex::new(None));
    let at = Arc::clone(&sent_at);
    let next: Result<(), TestError> = retrier
        .run(true, || {
            *at.lock().unwrap() = Some(start.elapsed());
            async { Ok(()) }
        })
        .await;
    assert!(next.is_ok());
    let waited = sent_at.lock().unwrap().unwrap();
    eprintln!(
        "after `0` (20 s) then `99` (2 s): the next call waited {waited:?}, pauses {:?}",
        pauses.lock().unwrap()
    );
    assert_eq!(waited, Duration::ZERO);
    assert!(pauses.lock().unwrap().is_empty());
}

/// A clock a day ahead of the real one.
fn day_ahead() -> RecordingSleeper {
    RecordingSleeper::ahead(Duration::from_secs(24 * 3600))
}

/// Issue 15, item 10. The old engine made a clone reading a hold set on another clock wait the
/// whole cap (`max_retry_after`) instead of what the server stated: a hold set a day ahead
/// ends, on the real clock, a day away.
#[test]
fn a_clone_on_another_clock_waits_what_the_server_stated() {
    /// A retrier on a clock a day ahead whose call was told to come back in 2 s, and a clone of
    /// it on a virtual clock started now (a day behind): the clone's sleeper.
    fn held_a_day_ahead() -> (Retrier, RecordingSleeper) {
        let ahead = Retrier::new(config()).with_sleeper(day_ahead());
        let _ = ahead.attempts(true).after::<(), _>(Err(limited(2 * SEC)));
        let sleeper = RecordingSleeper::new();
        (ahead.clone().with_sleeper(sleeper.clone()), sleeper)
    }

    // a new call on the clone: its first attempt waits 2 s, once
    let (clone, sleeper) = held_a_day_ahead();
    let result: Result<(), TestError> = clone.run_blocking(true, || Ok(()));
    assert!(result.is_ok());
    eprintln!(
        "a first attempt on the other clock waited {:?}",
        sleeper.sleeps()
    );
    assert_eq!(
        sleeper.sleeps(),
        [2 * SEC],
        "a new call waits what the server stated"
    );

    // a retry on the clone: decided to wait 2 s, and not held again after it
    let (clone, sleeper) = held_a_day_ahead();
    let mut retry = clone.attempts(true);
    let ControlFlow::Continue(wait) = retry.after::<(), _>(Err(unavailable())) else {
        panic!("a 503 is retried");
    };
    retry.sleep_blocking(wait);
    eprintln!(
        "a retry on the other clock: decided {wait:?}, waited {:?}",
        sleeper.sleeps()
    );
    assert_eq!(wait, 2 * SEC, "the retry waits what the server stated");
    assert_eq!(sleeper.sleeps(), [2 * SEC], "and no more");

    // read the other way (set on a virtual clock started now, read a day ahead): never longer
    let real = Retrier::new(config()).with_sleeper(RecordingSleeper::new());
    let _ = real.attempts(true).after::<(), _>(Err(limited(2 * SEC)));
    let ahead = real.clone().with_sleeper(day_ahead());
    let ControlFlow::Continue(wait) = ahead.attempts(true).after::<(), _>(Err(unavailable()))
    else {
        panic!("a 503 is retried");
    };
    assert!(wait <= 2 * SEC, "{wait:?}");
}

/// A sleeper whose clock is virtual: its instants are real, its wall time is 1,000 s after the
/// epoch, whatever the system says; it waits for nothing.
fn epoch_1000() -> RecordingSleeper {
    RecordingSleeper::real().with_wall(UNIX_EPOCH + Duration::from_secs(1000))
}

/// One clock: a wait stated as an epoch second is read against the sleeper's wall time, inside
/// the attempt, even with a `[rate_limit]` that reads no response headers. (The old engine read
/// `SystemTime::now()` there: the reset of 1,030 s after the epoch was long past, so no wait.)
#[test]
fn wall_clock_waits_are_read_on_the_sleepers_clock() {
    let sources = [WaitField::new("x-reset", WaitFormat::Unix)];
    let waits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&waits);
    let retrier = Retrier::new(
        RetryConfig::new()
            .with_max_attempts(2)
            .with_jitter(Jitter::None),
    )
    .with_sleeper(epoch_1000())
    .on_retry(move |_, err, _| seen.lock().unwrap().push(err.retry_after()));
    let mut headers = HeaderMap::new();
    headers.insert("x-reset", HeaderValue::from_static("1030"));
    let _ = retrier.run_blocking(true, || {
        let details = errspec::Details::from_response(&headers, &sources, None);
        let mut err = TestError::new(503, RetryPolicy::Always);
        err.retry_after = details.retry_after();
        Err::<(), _>(err)
    });
    assert_eq!(*waits.lock().unwrap(), [Some(Duration::from_secs(30))]);
}
