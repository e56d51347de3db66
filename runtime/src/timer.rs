//! The timer behind [`ThreadSleeper`](crate::ThreadSleeper)'s async waits: one thread for the
//! whole process, started by the first wait that needs it, that wakes each wait at its
//! deadline.
//!
//! The pending waits are a map ordered by deadline, each with the waker of its last poll,
//! behind one mutex; the thread sleeps on a condition variable until the earliest deadline
//! or until a wait with an earlier one arrives. A wait enters the map on its first poll and
//! leaves it when it is due or dropped, so a cancelled wait costs nothing once gone.
//!
//! Polling never blocks. If the thread cannot be started, a wait asks to be polled again at
//! once, checks its deadline on each poll and tries to start the thread again: a busy wait,
//! which keeps the executor free and is never early.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// A pending wait's place in the map: its deadline, then a number that tells apart waits
/// with the same deadline.
type WaitKey = (Instant, u64);

/// The timer thread runs no code of its own beyond wakers: a small stack does.
const TIMER_STACK: usize = 256 * 1024;

/// A timer: its pending waits and how its thread is started.
pub(crate) struct Timer {
    state: Mutex<State>,
    /// Signalled when a wait arrives with a deadline earlier than all others.
    earlier: Condvar,
    /// Starts the thread that runs [`Timer::run`]; a parameter so tests can make it fail.
    start: fn(&'static Timer) -> std::io::Result<()>,
}

struct State {
    waits: BTreeMap<WaitKey, Waker>,
    next_id: u64,
    /// Whether the thread is running (it never ends once started).
    started: bool,
}

impl Timer {
    /// A timer whose thread `start` starts.
    pub(crate) const fn new(start: fn(&'static Timer) -> std::io::Result<()>) -> Self {
        Self {
            state: Mutex::new(State {
                waits: BTreeMap::new(),
                next_id: 0,
                started: false,
            }),
            earlier: Condvar::new(),
            start,
        }
    }

    /// The process's timer (its thread starts with the first wait that needs it).
    pub(crate) fn global() -> &'static Timer {
        static TIMER: Timer = Timer::new(spawn_thread);
        &TIMER
    }

    /// A future that completes once `duration` has passed, counted from now.
    pub(crate) fn sleep(&'static self, duration: Duration) -> Wait {
        Wait {
            timer: self,
            // A deadline past what `Instant` holds is never reached.
            deadline: Instant::now().checked_add(duration),
            key: None,
        }
    }

    /// How many waits are in the map: polled, not yet due, not dropped.
    pub(crate) fn pending(&self) -> usize {
        self.lock().waits.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts a wait in the map, or updates its waker if it is there; starts the thread if it
    /// is not running, and if it cannot, has `waker` woken at once so the wait is polled
    /// again.
    fn register(&'static self, key: Option<WaitKey>, deadline: Instant, waker: &Waker) -> WaitKey {
        let mut state = self.lock();
        let known = key.and_then(|key| state.waits.get_mut(&key).map(|slot| (key, slot)));
        let key = match known {
            Some((key, slot)) => {
                if !slot.will_wake(waker) {
                    slot.clone_from(waker);
                }
                key
            }
            None => {
                let key = (deadline, state.next_id);
                state.next_id += 1;
                let earliest = state.waits.first_key_value().is_none_or(|(k, _)| key < *k);
                state.waits.insert(key, waker.clone());
                if earliest {
                    self.earlier.notify_one();
                }
                key
            }
        };
        if !state.started {
            // Started under the lock, so only once; the thread takes the lock when it is free.
            if (self.start)(self).is_ok() {
                state.started = true;
            } else {
                waker.wake_by_ref();
            }
        }
        key
    }

    /// Takes a wait out of the map, if it is still there.
    fn remove(&self, key: WaitKey) {
        self.lock().waits.remove(&key);
    }

    /// The timer thread: wakes each wait at its deadline, forever.
    fn run(&self) {
        let mut state = self.lock();
        let mut due = Vec::new();
        loop {
            let now = Instant::now();
            while let Some(entry) = state.waits.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                due.push(entry.remove());
            }
            if !due.is_empty() {
                // Wakers run executor code: not under the lock, and a waker that panics must
                // not stop the thread that every other wait relies on.
                drop(state);
                for waker in due.drain(..) {
                    let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
                }
                state = self.lock();
                continue;
            }
            state = match state.waits.first_key_value() {
                Some(((deadline, _), _)) => {
                    let timeout = deadline.saturating_duration_since(now);
                    let waited = self.earlier.wait_timeout(state, timeout);
                    waited.unwrap_or_else(PoisonError::into_inner).0
                }
                None => self
                    .earlier
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

/// Starts the thread of the process's timer.
fn spawn_thread(timer: &'static Timer) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("errspec-timer".into())
        .stack_size(TIMER_STACK)
        .spawn(move || timer.run())
        .map(drop)
}

/// A wait on a [`Timer`]: in its map from its first poll until it is due or dropped.
pub(crate) struct Wait {
    timer: &'static Timer,
    deadline: Option<Instant>,
    key: Option<WaitKey>,
}

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let Some(deadline) = this.deadline else {
            // Never due: nothing will wake it, nor needs to.
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            if let Some(key) = this.key.take() {
                this.timer.remove(key);
            }
            return Poll::Ready(());
        }
        this.key = Some(this.timer.register(this.key, deadline, cx.waker()));
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.timer.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// A timer of the test's own, so its pending count is the test's alone.
    fn timer() -> &'static Timer {
        Box::leak(Box::new(Timer::new(spawn_thread)))
    }

    /// A waker that counts its wakes and unparks the thread that made it.
    struct Count(AtomicUsize, std::thread::Thread);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
            self.1.unpark();
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0), std::thread::current()));
        (Arc::clone(&count), Waker::from(count))
    }

    fn poll(wait: &mut Wait, waker: &Waker) -> Poll<()> {
        Pin::new(wait).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn a_zero_wait_is_ready_at_once_and_starts_nothing() {
        let timer = timer();
        let (count, waker) = counter();
        assert_eq!(
            poll(&mut timer.sleep(Duration::ZERO), &waker),
            Poll::Ready(())
        );
        assert_eq!(timer.pending(), 0);
        assert!(!timer.lock().started);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }

    /// A waker that notes, when woken, its name and when.
    struct Note(u32, Instant, Arc<Mutex<Vec<(u32, Duration)>>>);

    impl Wake for Note {
        fn wake(self: Arc<Self>) {
            self.2.lock().unwrap().push((self.0, self.1.elapsed()));
        }
    }

    #[test]
    fn waits_are_woken_in_deadline_order_and_never_early() {
        let timer = timer();
        let woken = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let mut waits: Vec<_> = [30, 10, 20]
            .into_iter()
            .map(|ms| {
                let mut wait = timer.sleep(ms * MS);
                let waker = Waker::from(Arc::new(Note(ms, start, Arc::clone(&woken))));
                assert!(poll(&mut wait, &waker).is_pending());
                (wait, waker)
            })
            .collect();
        while woken.lock().unwrap().len() < 3 {
            assert!(start.elapsed() < 5000 * MS, "woken: {woken:?}");
            std::thread::sleep(MS);
        }
        let woken = woken.lock().unwrap().clone();
        assert_eq!(woken.iter().map(|w| w.0).collect::<Vec<_>>(), [10, 20, 30]);
        for (ms, at) in woken {
            assert!(at >= ms * MS, "the {ms} ms wait was woken after {at:?}");
        }
        for (wait, waker) in &mut waits {
            assert_eq!(poll(wait, waker), Poll::Ready(()));
        }
        assert_eq!(timer.pending(), 0);
    }

    #[test]
    fn the_waker_of_the_last_poll_is_woken() {
        let timer = timer();
        let (first, first_waker) = counter();
        let (second, second_waker) = counter();
        let mut wait = timer.sleep(20 * MS);
        assert!(poll(&mut wait, &first_waker).is_pending());
        assert!(poll(&mut wait, &second_waker).is_pending());
        assert_eq!(timer.pending(), 1);
        let start = Instant::now();
        while second.0.load(Ordering::SeqCst) == 0 {
            assert!(
                start.elapsed() < 5000 * MS,
                "the second waker was not woken"
            );
            std::thread::park_timeout(10 * MS);
        }
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(poll(&mut wait, &second_waker), Poll::Ready(()));
        assert_eq!(timer.pending(), 0);
    }

    #[test]
    fn a_dropped_wait_leaves_the_timer() {
        let timer = timer();
        let (count, waker) = counter();
        let mut waits: Vec<_> = (0..3).map(|_| timer.sleep(20 * MS)).collect();
        for wait in &mut waits {
            assert!(poll(wait, &waker).is_pending());
        }
        assert_eq!(timer.pending(), 3);
        drop(waits.pop());
        assert_eq!(timer.pending(), 2);
        drop(waits);
        assert_eq!(timer.pending(), 0);
        // Past the deadlines, nothing was woken.
        std::thread::sleep(40 * MS);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn without_its_thread_a_wait_polls_itself_without_blocking() {
        fn fail(_: &'static Timer) -> std::io::Result<()> {
            Err(std::io::Error::other("no threads today"))
        }
        let timer: &'static Timer = Box::leak(Box::new(Timer::new(fail)));
        let (count, waker) = counter();
        let mut wait = timer.sleep(50 * MS);
        let start = Instant::now();
        let mut polls = 0_u32;
        loop {
            let before = Instant::now();
            let ready = poll(&mut wait, &waker).is_ready();
            assert!(before.elapsed() < 25 * MS, "a poll blocked");
            polls += 1;
            if ready {
                break;
            }
            // Each pending poll asked to be polled again.
            assert_eq!(count.0.load(Ordering::SeqCst), polls as usize);
            assert!(start.elapsed() < 5000 * MS);
        }
        assert!(start.elapsed() >= 50 * MS);
        assert!(polls > 2);
        assert_eq!(timer.pending(), 0);
    }

    #[test]
    fn a_waker_that_panics_does_not_stop_the_timer() {
        struct Panics;
        impl Wake for Panics {
            fn wake(self: Arc<Self>) {
                panic!("this waker panics (on purpose)");
            }
        }
        let timer = timer();
        let mut first = timer.sleep(5 * MS);
        assert!(poll(&mut first, &Waker::from(Arc::new(Panics))).is_pending());
        std::thread::sleep(20 * MS);
        let (count, waker) = counter();
        let mut second = timer.sleep(5 * MS);
        assert!(poll(&mut second, &waker).is_pending());
        let start = Instant::now();
        while count.0.load(Ordering::SeqCst) == 0 {
            assert!(start.elapsed() < 5000 * MS, "the timer stopped");
            std::thread::park_timeout(10 * MS);
        }
    }

    #[test]
    fn a_deadline_past_what_instant_holds_never_ends() {
        let timer = timer();
        let (count, waker) = counter();
        let mut wait = timer.sleep(Duration::MAX);
        assert!(poll(&mut wait, &waker).is_pending());
        assert_eq!(timer.pending(), 0);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }
}
