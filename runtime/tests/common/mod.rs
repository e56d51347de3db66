//! What the runtime's behaviour tests share: a hand-written error type and a sleeper that
//! records waits on a virtual clock.

#![allow(dead_code)] // each test file uses a different part

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use errspec::http::{HeaderMap, StatusCode};
use errspec::{RetryConfig, RetryPolicy, Sleeper, StatusError, WaitHeader};

/// An error as a generated enum would give it, with every engine input settable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestError {
    pub status: u16,
    pub policy: RetryPolicy,
    pub retry_after: Option<Duration>,
    /// Which attempt made it, so a test can tell the final error apart.
    pub id: u32,
    /// The body bytes `from_parts` was given, kept whole so tests can see what was read.
    pub body: Option<Vec<u8>>,
}

impl TestError {
    pub fn new(status: u16, policy: RetryPolicy) -> Self {
        Self {
            status,
            policy,
            retry_after: None,
            id: 0,
            body: None,
        }
    }

    pub fn wait(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    pub fn id(mut self, id: u32) -> Self {
        self.id = id;
        self
    }
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {} (attempt {})", self.status, self.id)
    }
}

impl std::error::Error for TestError {}

/// What `TestError::retry_config` gives; distinctive, so tests can tell it from the default.
pub const TEST_MAX_ATTEMPTS: u32 = 7;

impl StatusError for TestError {
    fn status(&self) -> Option<StatusCode> {
        StatusCode::from_u16(self.status).ok()
    }

    fn policy(&self) -> RetryPolicy {
        self.policy
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn hint(&self) -> Option<&'static str> {
        None
    }

    fn retry_config() -> RetryConfig {
        RetryConfig::new().with_max_attempts(TEST_MAX_ATTEMPTS)
    }

    fn from_parts(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self {
        let policy = match status.as_u16() {
            429 => RetryPolicy::AfterHeader,
            500..=599 => RetryPolicy::Idempotent,
            _ => RetryPolicy::Never,
        };
        Self {
            status: status.as_u16(),
            policy,
            retry_after: errspec::wait_from_headers(
                headers,
                &[WaitHeader::RETRY_AFTER],
                std::time::SystemTime::now(),
            ),
            id: 0,
            body: body.map(<[u8]>::to_vec),
        }
    }
}

/// A sleeper on a virtual clock: sleeping records the wait and moves the clock on at once.
/// Clones share the record and the clock.
#[derive(Clone)]
pub struct RecordingSleeper {
    start: Instant,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl Default for RecordingSleeper {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            state: Arc::default(),
        }
    }
}

impl RecordingSleeper {
    pub fn new() -> Self {
        Self::default()
    }

    /// The waits slept so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// Virtual time since creation.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    /// Moves the clock on without a recorded sleep, as a slow request would.
    pub fn advance(&self, by: Duration) {
        self.lock().elapsed += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, d: Duration) {
        let mut state = self.lock();
        state.elapsed += d;
        state.sleeps.push(d);
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.record(duration);
        Box::pin(std::future::ready(()))
    }

    fn sleep_blocking(&self, duration: Duration) {
        self.record(duration);
    }

    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }
}

/// Polls a future that never waits on anything (every sleep above is ready at once) to its end,
/// so async engine tests need no runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
