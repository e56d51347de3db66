//! How the retry engine waits and tells the time.

use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::timer::Timer;

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

    /// The wall time on this sleeper's clock, against which wall-clock waits (an HTTP-date, an
    /// epoch second) are read. The default carries [`now`](Self::now) onto the system clock
    /// from one anchor taken once per process, so a virtual clock has a virtual wall time that
    /// moves with it.
    fn wall(&self) -> SystemTime {
        crate::clock::wall_at(self.now())
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

    fn wall(&self) -> SystemTime {
        (**self).wall()
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

    /// The system's wall time: Tokio's paused clock moves its instants only, and a server
    /// under test states its times on the system clock.
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Sleeps in real time on any executor: [`sleep_blocking`](Sleeper::sleep_blocking) blocks
/// the calling thread, and the async [`sleep`](Sleeper::sleep) waits on one timer thread that
/// the whole process shares (named `errspec-timer`, started by the first wait), which wakes
/// the task when the time is up.
///
/// A wait is counted from the call to `sleep`; a zero wait is ready at once. Dropping a wait
/// (cancelling the call that awaits it) takes it off the timer, so cancelled waits leave
/// nothing behind. Polling never blocks the executor: if the timer thread cannot be started,
/// the wait asks to be polled again at once and checks the time on each poll (a busy wait,
/// never an early one) while it tries to start the thread again.
///
/// Its clock is the real one, whatever the executor's: Tokio's paused clock does not make its
/// waits virtual (use `TokioSleeper`, feature `tokio`, for that).
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
        Box::pin(Timer::global().sleep(duration))
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Runs a store's answer to completion on this thread, for blocking calls: at once when the
/// store answered at once (the in-process store always does), else parking the thread until
/// the answer's future wakes it.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    use core::task::{Context, Poll, Waker};
    use std::task::Wake;

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let mut future = core::pin::pin!(future);
    let mut waker: Option<Waker> = None;
    loop {
        let noop = Waker::noop();
        let mut cx = Context::from_waker(waker.as_ref().unwrap_or(noop));
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if waker.is_none() {
            // polled once with no waker to keep: poll again with one that unparks this thread
            waker = Some(Waker::from(Arc::new(Unpark(std::thread::current()))));
            continue;
        }
        std::thread::park();
    }
}
