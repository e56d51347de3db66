//! Pacing against in-memory rate limiters on Tokio's paused clock: 16 concurrent clients share
//! a retrier and send 600 requests to a fixed window of 50 a second that answers 429 with
//! `Retry-After` (whole seconds to the window's end, rounded up), with and without quota
//! headers, and with a quota that drops and rises mid-run; and 200 to a token bucket. The client
//! sees no quota at first: it learns one from its refusals (or reads the one stated), and
//! refuses less than without.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::TestError;
use errspec::http::{HeaderMap, HeaderValue, StatusCode};
use errspec::{
    Jitter, Pacing, RateLimitConfig, Retrier, RetryConfig, Sleeper, StatusError, WaitField,
    WaitFormat,
};

const SEC: Duration = Duration::from_secs(1);

/// A fixed window of `limit(elapsed)` requests a second on the paused clock.
struct Window {
    start: tokio::time::Instant,
    limit: fn(Duration) -> u32,
    /// (window index, admitted in it)
    count: Mutex<(u64, u32)>,
    sent: AtomicU32,
    refused: AtomicU32,
    /// Whether answers state the quota (GitHub-style headers).
    headers: bool,
}

impl Window {
    fn new(limit: fn(Duration) -> u32, headers: bool) -> Arc<Self> {
        Arc::new(Self {
            start: tokio::time::Instant::now(),
            limit,
            count: Mutex::new((0, 0)),
            sent: AtomicU32::new(0),
            refused: AtomicU32::new(0),
            headers,
        })
    }

    /// One request: 1 ms on the way, then admitted or refused.
    async fn send(&self) -> Result<(), TestError> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        let elapsed = self.start.elapsed();
        let index = elapsed.as_secs();
        let limit = (self.limit)(elapsed);
        let mut count = self.count.lock().unwrap();
        if count.0 != index {
            *count = (index, 0);
        }
        let window_end = self.start + SEC * u32::try_from(index + 1).unwrap();
        let to_end = window_end - tokio::time::Instant::now();
        let mut headers = HeaderMap::new();
        let admitted = count.1 < limit;
        if admitted {
            count.1 += 1;
        }
        if self.headers {
            let remaining = limit.saturating_sub(count.1);
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            let reset_ms = paused_wall().duration_since(std::time::UNIX_EPOCH).unwrap() + to_end;
            headers.insert(
                "x-ratelimit-reset-ms",
                HeaderValue::from(u64::try_from(reset_ms.as_millis()).unwrap()),
            );
        }
        drop(count);
        errspec::observe(&headers);
        if admitted {
            return Ok(());
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        // whole seconds to the window's end, rounded up
        let seconds = to_end.as_secs() + u64::from(to_end.subsec_nanos() > 0);
        headers.insert("retry-after", HeaderValue::from(seconds.max(1)));
        Err(TestError::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            None,
        ))
    }
}

/// The wall time on the paused clock: the system's at the thread's first reading, moved on by
/// the paused clock since. Server and client both read it, so a machine too busy to run the
/// test promptly cannot shift a stated reset against the paused clock.
fn paused_wall() -> SystemTime {
    thread_local! {
        static ANCHOR: (tokio::time::Instant, SystemTime) =
            (tokio::time::Instant::now(), SystemTime::now());
    }
    ANCHOR.with(|(at, wall)| *wall + at.elapsed())
}

/// Tokio's sleeper with [`paused_wall`] for its wall time.
struct PausedClock;

impl Sleeper for PausedClock {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now(&self) -> std::time::Instant {
        tokio::time::Instant::now().into_std()
    }

    fn wall(&self) -> SystemTime {
        paused_wall()
    }
}

/// A token bucket of `burst` refilled at 50 a second on the paused clock, full at the start,
/// stating nothing but `Retry-After` (whole seconds to the next token, rounded up).
struct Bucket {
    start: tokio::time::Instant,
    /// (tokens, when last refilled)
    tokens: Mutex<(f64, tokio::time::Instant)>,
    burst: f64,
    sent: AtomicU32,
    refused: AtomicU32,
}

impl Bucket {
    fn new(burst: u32) -> Arc<Self> {
        let now = tokio::time::Instant::now();
        Arc::new(Self {
            start: now,
            tokens: Mutex::new((f64::from(burst), now)),
            burst: f64::from(burst),
            sent: AtomicU32::new(0),
            refused: AtomicU32::new(0),
        })
    }

    /// One request: 1 ms on the way, then admitted or refused.
    async fn send(&self) -> Result<(), TestError> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        let now = tokio::time::Instant::now();
        let mut tokens = self.tokens.lock().unwrap();
        let refilled = tokens.0 + 50.0 * (now - tokens.1).as_secs_f64();
        *tokens = (refilled.min(self.burst), now);
        if tokens.0 >= 1.0 {
            tokens.0 -= 1.0;
            return Ok(());
        }
        drop(tokens);
        self.refused.fetch_add(1, Ordering::SeqCst);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from(1));
        Err(TestError::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            None,
        ))
    }
}

/// A server on the paused clock: its start, and requests sent to it and refused.
trait Server: Send + Sync + 'static {
    fn send(&self) -> impl Future<Output = Result<(), TestError>> + Send;
    fn counts(&self) -> (tokio::time::Instant, &AtomicU32, &AtomicU32);
}

impl Server for Window {
    fn send(&self) -> impl Future<Output = Result<(), TestError>> + Send {
        Window::send(self)
    }
    fn counts(&self) -> (tokio::time::Instant, &AtomicU32, &AtomicU32) {
        (self.start, &self.sent, &self.refused)
    }
}

impl Server for Bucket {
    fn send(&self) -> impl Future<Output = Result<(), TestError>> + Send {
        Bucket::send(self)
    }
    fn counts(&self) -> (tokio::time::Instant, &AtomicU32, &AtomicU32) {
        (self.start, &self.sent, &self.refused)
    }
}

/// 600 requests from 16 clients through one retrier; (wall, sent, refused).
async fn load(window: Arc<impl Server>, retrier: Retrier) -> (Duration, u32, u32) {
    load_n(window, retrier, 600).await
}

/// `n` requests from 16 clients through one retrier; (wall, sent, refused).
async fn load_n(server: Arc<impl Server>, retrier: Retrier, n: u32) -> (Duration, u32, u32) {
    let next = Arc::new(AtomicU32::new(0));
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let (server, retrier, next) = (Arc::clone(&server), retrier.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::SeqCst) < n {
                    let server = Arc::clone(&server);
                    let result = retrier.run(true, || {
                        let server = Arc::clone(&server);
                        async move { server.send().await }
                    });
                    result.await.expect("every request completes");
                }
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let (start, sent, refused) = server.counts();
    let load = |count: &AtomicU32| count.load(Ordering::SeqCst);
    (start.elapsed(), load(sent), load(refused))
}

fn retrier(pacing: Pacing, stated: bool) -> Retrier {
    let mut rate_limit = RateLimitConfig::new().with_pacing(pacing);
    if stated {
        rate_limit = rate_limit
            .with_remaining(Some("x-ratelimit-remaining"))
            .with_reset(Some(WaitField::new(
                "x-ratelimit-reset-ms",
                WaitFormat::UnixMillis,
            )));
    }
    Retrier::new(
        RetryConfig::new()
            .with_max_attempts(100)
            .with_jitter(Jitter::None),
    )
    .with_rate_limit(rate_limit)
    .with_sleeper(PausedClock)
}

fn fifty(_: Duration) -> u32 {
    50
}

fn percent(part: u32, whole: u32) -> f64 {
    100.0 * f64::from(part) / f64::from(whole)
}

#[tokio::test(start_paused = true)]
async fn learned_pacing_refuses_less_than_holds_alone_and_loses_no_time() {
    let (wall_off, sent_off, refused_off) =
        load(Window::new(fifty, false), retrier(Pacing::Off, false)).await;
    let (wall, sent, refused) = load(Window::new(fifty, false), retrier(Pacing::Auto, false)).await;
    let ideal = 11 * SEC;
    eprintln!(
        "off: {wall_off:?}, {refused_off}/{sent_off} refused; auto: {wall:?}, {refused}/{sent} refused"
    );
    assert!(percent(refused, sent) <= 5.0, "{refused} of {sent} refused");
    assert!(
        refused < refused_off,
        "{refused} refused with pacing, {refused_off} without"
    );
    assert!(
        wall.as_secs_f64() <= ideal.as_secs_f64() * 1.05,
        "{wall:?} for an ideal of {ideal:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stated_quota_is_paced_to_from_every_response() {
    let (wall, sent, refused) = load(Window::new(fifty, true), retrier(Pacing::Auto, true)).await;
    eprintln!("stated: {wall:?}, {refused}/{sent} refused");
    assert!(percent(refused, sent) <= 1.0, "{refused} of {sent} refused");
    assert!(wall.as_secs_f64() <= 11.0 * 1.02 + 0.1, "{wall:?}");
}

#[tokio::test(start_paused = true)]
async fn learned_pacing_follows_a_quota_that_drops_and_rises() {
    fn changing(elapsed: Duration) -> u32 {
        if (5..10).contains(&elapsed.as_secs()) {
            25
        } else {
            50
        }
    }
    let (wall, sent, refused) =
        load(Window::new(changing, false), retrier(Pacing::Auto, false)).await;
    eprintln!("changing: {wall:?}, {refused}/{sent} refused");
    assert!(
        percent(refused, sent) <= 10.0,
        "{refused} of {sent} refused"
    );
    // 50 x 5 + 25 x 5 = 375 in the first 10 s; the other 225 at 50 a second: 5 more windows
    assert!(wall <= 15 * SEC + SEC, "{wall:?}");
}

#[tokio::test(start_paused = true)]
async fn learned_pacing_spaces_requests_out_to_a_token_bucket() {
    let (wall_off, sent_off, refused_off) =
        load_n(Bucket::new(10), retrier(Pacing::Off, false), 200).await;
    let (wall, sent, refused) = load_n(Bucket::new(10), retrier(Pacing::Auto, false), 200).await;
    eprintln!(
        "bucket off: {wall_off:?}, {refused_off}/{sent_off} refused; auto: {wall:?}, {refused}/{sent} refused"
    );
    // each refusal holds every client for a second, after which the bucket holds only 10:
    // holds alone send about 10 a second; spaced out, the rate rises toward 50
    assert!(
        wall.as_secs_f64() <= wall_off.as_secs_f64() * 0.6,
        "{wall:?} paced, {wall_off:?} with holds alone"
    );
    assert!(
        refused < refused_off,
        "{refused} refused with pacing, {refused_off} without"
    );
}
