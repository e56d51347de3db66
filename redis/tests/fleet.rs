//! Two "processes" (two `RedisStore`s, each with its own connection, retrier and 8 callers)
//! against one server's fixed window that states its quota on every response (GitHub-style
//! `x-ratelimit-remaining` and the seconds to the window's end), or only refuses with a
//! Retry-After, in real time: through Redis, the two keep to the one quota between them.
//! Responses reach the engine as a generated client's do, through `errspec::observe`. Each
//! test prints the same run with two in-process stores beside it.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{MS, server, store};
use errspec::http::{HeaderMap, HeaderValue, StatusCode};
use errspec::{
    Jitter, LimitStore, RateLimitConfig, Retrier, RetryConfig, RetryPolicy, StatusError, WaitField,
    WaitFormat,
};

const WINDOW: Duration = Duration::from_millis(200);
const PER_WINDOW: u32 = 20;
/// Callers per process.
const CALLERS: u32 = 8;
const CALLS: u32 = 96;
/// Learning takes a few periods.
const LEARNED_CALLS: u32 = 224;

/// A fixed window of `PER_WINDOW` requests per `WINDOW`, counted at the server.
struct Window {
    start: Instant,
    count: Mutex<(u128, u32)>,
    sent: AtomicU32,
    refused: AtomicU32,
}

/// A refusal, with the server's wait.
#[derive(Debug)]
struct TooMany(Duration);

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("429")
    }
}

impl std::error::Error for TooMany {}

impl StatusError for TooMany {
    fn status(&self) -> Option<StatusCode> {
        Some(StatusCode::TOO_MANY_REQUESTS)
    }
    fn policy(&self) -> RetryPolicy {
        RetryPolicy::AfterHeader
    }
    fn retry_after(&self) -> Option<Duration> {
        Some(self.0)
    }
    fn hint(&self) -> Option<&'static str> {
        None
    }
    fn retry_config() -> RetryConfig {
        RetryConfig::new()
    }
    fn from_parts(_: StatusCode, _: &HeaderMap, _: Option<&[u8]>) -> Self {
        TooMany(WINDOW)
    }
}

impl Window {
    /// One request: 1 ms on the way, then admitted or refused.
    async fn send(&self) -> Result<(), TooMany> {
        tokio::time::sleep(MS).await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        let elapsed = self.start.elapsed();
        let index = elapsed.as_nanos() / WINDOW.as_nanos();
        let (admitted, remaining) = {
            let mut count = self.count.lock().unwrap();
            if count.0 != index {
                *count = (index, 0);
            }
            let admitted = count.1 < PER_WINDOW;
            if admitted {
                count.1 += 1;
            }
            (admitted, PER_WINDOW - count.1)
        };
        let to_end = (WINDOW * u32::try_from(index + 1).unwrap()).saturating_sub(elapsed);
        let seconds = format!("{:.3}", to_end.as_secs_f64() + 0.0005);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert(
            "x-ratelimit-reset-after",
            HeaderValue::from_str(&seconds).unwrap(),
        );
        errspec::observe(&headers);
        if admitted {
            Ok(())
        } else {
            self.refused.fetch_add(1, Ordering::SeqCst);
            Err(TooMany(to_end))
        }
    }
}

/// `calls` calls split between two processes of `CALLERS` callers each, each process with `stores`'s
/// store: (failed, refused, sent, wall).
async fn run(
    stores: [Arc<dyn LimitStore>; 2],
    stated: bool,
    calls: u32,
) -> (u32, u32, u32, Duration) {
    let window = Arc::new(Window {
        start: Instant::now(),
        count: Mutex::new((0, 0)),
        sent: AtomicU32::new(0),
        refused: AtomicU32::new(0),
    });
    let mut rate_limit = RateLimitConfig::new().with_api(Some("fleet"));
    if stated {
        rate_limit = rate_limit
            .with_remaining(Some("x-ratelimit-remaining"))
            .with_reset(Some(WaitField::new(
                "x-ratelimit-reset-after",
                WaitFormat::Seconds,
            )));
    }
    let mut callers = Vec::new();
    for store in stores {
        let retrier = Retrier::new(
            RetryConfig::new()
                .with_jitter(Jitter::None)
                .with_max_attempts(20),
        )
        .with_rate_limit(rate_limit.clone())
        .with_store(store);
        for _ in 0..CALLERS {
            let (retrier, window) = (retrier.clone(), Arc::clone(&window));
            callers.push(tokio::spawn(async move {
                let mut failed = 0;
                for _ in 0..calls / (2 * CALLERS) {
                    let window = Arc::clone(&window);
                    let result = retrier
                        .run(true, move || {
                            let window = Arc::clone(&window);
                            async move { window.send().await }
                        })
                        .await;
                    failed += u32::from(result.is_err());
                }
                failed
            }));
        }
    }
    let mut failed = 0;
    for caller in callers {
        failed += caller.await.unwrap();
    }
    let wall = window.start.elapsed();
    (
        failed,
        window.refused.load(Ordering::SeqCst),
        window.sent.load(Ordering::SeqCst),
        wall,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_keep_to_one_stated_quota_through_redis() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let (failed, refused, sent, wall) = run([Arc::new(a), Arc::new(b)], true, CALLS).await;
    let local = run(
        [
            Arc::new(errspec::LocalStore::new()),
            Arc::new(errspec::LocalStore::new()),
        ],
        true,
        CALLS,
    )
    .await;
    eprintln!(
        "redis: {failed} failed, {refused}/{sent} refused, wall {wall:?}; \
         in-process: {} failed, {}/{} refused, wall {:?} (ideal about {:?})",
        local.0,
        local.1,
        local.2,
        local.3,
        WINDOW * (CALLS.div_ceil(PER_WINDOW) - 1)
    );
    assert_eq!(failed, 0);
    // the window's boundary on the server's clock and the stated reset can differ by a
    // rounding: a refusal at a window's edge is possible, not a burst of them
    // (measured: 0 of 96 through Redis; 9-10 of about 105 with in-process state)
    assert!(refused <= 3, "{refused} of {sent} refused through Redis");
    assert!(wall < Duration::from_secs(2), "{wall:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_learn_one_quota_from_refusals_through_redis() {
    let Some(server) = server() else { return };
    let (a, b) = (store(&server).await, store(&server).await);
    let (failed, refused, sent, wall) = run([Arc::new(a), Arc::new(b)], false, LEARNED_CALLS).await;
    let local = run(
        [
            Arc::new(errspec::LocalStore::new()),
            Arc::new(errspec::LocalStore::new()),
        ],
        false,
        LEARNED_CALLS,
    )
    .await;
    eprintln!(
        "learned, redis: {failed} failed, {refused}/{sent} refused, wall {wall:?}; \
         in-process: {} failed, {}/{} refused, wall {:?}",
        local.0, local.1, local.2, local.3
    );
    assert_eq!(failed, 0);
    // learning costs refusals in the first periods and at each probe, through Redis as for
    // one process with all the callers (measured: 25-29 of about 250, and as many in-process
    // with 8 callers per process); not a burst
    assert!(
        refused * 100 <= sent * 16,
        "{refused} of {sent} refused through Redis"
    );
}
