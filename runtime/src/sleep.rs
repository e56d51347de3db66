//! How the retry engine waits and tells the time.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// How a [`Retrier`](crate::Retrier) waits between attempts and measures elapsed time.
///
/// Swap it to run retries on another executor's timer, or to make time virtual in tests: a
/// sleeper that records the waits and returns at once makes a retry test instant.
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use errspec::Sleeper;
///
/// /// Records each wait instead of waiting.
/// #[derive(Default)]
/// struct Recorder(Mutex<Vec<Duration>>);
///
/// impl Sleeper for Recorder {
///     fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
///         self.0.lock().unwrap().push(d);
///         Box::pin(std::future::ready(()))
///     }
///     fn sleep_blocking(&self, d: Duration) {
///         self.0.lock().unwrap().push(d);
///     }
/// }
///
/// let recorder = Arc::new(Recorder::default());
/// let retrier = errspec::Retrier::new(errspec::RetryConfig::new()).with_sleeper(recorder.clone());
/// # let _ = retrier;
/// ```
pub trait Sleeper: Send + Sync {
    /// A future that completes once `duration` has passed.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// Blocks the current thread for `duration`; what [`Retrier::run_blocking`](crate::Retrier::run_blocking)
    /// calls. The default is [`std::thread::sleep`].
    fn sleep_blocking(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    /// The current instant on this sleeper's clock, against which `max_elapsed` is measured.
    /// The default is [`Instant::now`].
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl<S: Sleeper + ?Sized> Sleeper for Arc<S> {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        (**self).sleep(duration)
    }

    fn sleep_blocking(&self, duration: Duration) {
        (**self).sleep_blocking(duration);
    }

    fn now(&self) -> Instant {
        (**self).now()
    }
}

/// The sleeper a [`Retrier`](crate::Retrier) uses unless given another: [`TokioSleeper`] when
/// the `tokio` feature is on (the default), else [`ThreadSleeper`].
#[cfg(feature = "tokio")]
pub type DefaultSleeper = TokioSleeper;

/// The sleeper a [`Retrier`](crate::Retrier) uses unless given another: `TokioSleeper` when
/// the `tokio` feature is on (the default), else [`ThreadSleeper`].
#[cfg(not(feature = "tokio"))]
pub type DefaultSleeper = ThreadSleeper;

/// Sleeps on Tokio's timer, so a runtime with a paused clock (`tokio::time::pause`,
/// `#[tokio::test(start_paused = true)]`) makes retry waits virtual. Feature `tokio`.
///
/// [`now`](Sleeper::now) reads Tokio's clock too, so `max_elapsed` follows virtual time.
///
/// Like every Tokio timer, its waits must be polled inside a Tokio runtime with the timer
/// enabled (`#[tokio::main]` and `#[tokio::test]` enable it), or Tokio panics; on another
/// executor, give the retrier a [`ThreadSleeper`]. (errspec asks Tokio for its `time` feature
/// only, which keeps a user's clean build short; a runtime brings `rt` itself.) Blocking waits
/// ([`sleep_blocking`](Sleeper::sleep_blocking)) need no runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use errspec::{Sleeper, TokioSleeper};
///
/// tokio::time::pause();
/// let start = TokioSleeper.now();
/// TokioSleeper.sleep(Duration::from_secs(3600)).await; // returns at once: the clock is paused
/// assert!(TokioSleeper.now() - start >= Duration::from_secs(3600));
/// # }
/// ```
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokioSleeper;

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// Sleeps with the operating system's threads: [`sleep_blocking`](Sleeper::sleep_blocking)
/// blocks the calling thread, and the async [`sleep`](Sleeper::sleep) parks a short-lived helper
/// thread that wakes the task when the time is up, so it works on any executor without blocking
/// it. A helper thread per wait is fine for retry waits, which are few; on Tokio prefer
/// `TokioSleeper` (feature `tokio`).
///
/// ```
/// use std::time::{Duration, Instant};
/// use errspec::{Sleeper, ThreadSleeper};
///
/// let start = Instant::now();
/// ThreadSleeper.sleep_blocking(Duration::from_millis(5));
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(ThreadSleep {
            duration,
            shared: None,
        })
    }
}

/// The future of [`ThreadSleeper::sleep`]: the first poll starts the helper thread.
struct ThreadSleep {
    duration: Duration,
    shared: Option<Arc<Mutex<Wake>>>,
}

#[derive(Default)]
struct Wake {
    done: bool,
    waker: Option<Waker>,
}

/// The helper threads only sleep, so a small stack does.
const HELPER_STACK: usize = 64 * 1024;

impl Future for ThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.duration.is_zero() {
            return Poll::Ready(());
        }
        if let Some(shared) = &self.shared {
            let mut wake = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if wake.done {
                return Poll::Ready(());
            }
            match &mut wake.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                slot => *slot = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        let shared = Arc::new(Mutex::new(Wake {
            done: false,
            waker: Some(cx.waker().clone()),
        }));
        let helper = Arc::clone(&shared);
        let duration = self.duration;
        let spawned = std::thread::Builder::new()
            .name("errspec-sleep".into())
            .stack_size(HELPER_STACK)
            .spawn(move || {
                std::thread::sleep(duration);
                let waker = {
                    let mut wake = helper.lock().unwrap_or_else(PoisonError::into_inner);
                    wake.done = true;
                    wake.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            });
        if spawned.is_err() {
            // No thread to be had: waiting in place is late for the executor but never early
            // for the server.
            std::thread::sleep(duration);
            return Poll::Ready(());
        }
        self.shared = Some(shared);
        Poll::Pending
    }
}
