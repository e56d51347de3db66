//! [`RecordingSleeper`]: records each wait instead of waiting, on the clock a test chooses.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use errspec::Sleeper;

/// How a wait was taken: which of the [`Sleeper`] methods the engine called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SleepKind {
    /// [`Sleeper::sleep`]: an async call's wait.
    Async,
    /// [`Sleeper::sleep_blocking`]: a blocking call's wait.
    Blocking,
}

/// What [`Sleeper::now`] reads.
#[derive(Debug, Clone, Copy)]
enum Clock {
    /// The instant of creation, moved on by the waits and by `advance` only.
    Virtual(Instant),
    /// The real clock, `ahead` in front, and moved on by the waits and by `advance` too when
    /// `moved`.
    Real { ahead: Duration, moved: bool },
}

/// A [`Sleeper`] that records each wait (and whether it was async or blocking) and returns at
/// once. Clones share the record and the clock.
///
/// The constructor chooses the clock a retrier reads through [`Sleeper::now`]:
/// [`new`](Self::new) a virtual one that the waits and [`advance`](Self::advance) move,
/// [`real`](Self::real) the real one (waits do not move it), [`real_moved`](Self::real_moved)
/// the real one moved on by the waits as if they had been slept, and [`ahead`](Self::ahead)
/// the real one some time in front. [`Sleeper::wall`] follows `now` (the trait's default)
/// unless fixed with [`with_wall`](Self::with_wall).
#[derive(Clone)]
pub struct RecordingSleeper {
    clock: Clock,
    wall: Option<SystemTime>,
    state: Arc<Mutex<State>>,
}

/// Virtual time moved on so far, and the waits.
#[derive(Default)]
struct State {
    elapsed: Duration,
    sleeps: Vec<(Duration, SleepKind)>,
}

impl Default for RecordingSleeper {
    /// [`RecordingSleeper::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl RecordingSleeper {
    fn on(clock: Clock) -> Self {
        Self {
            clock,
            wall: None,
            state: Arc::default(),
        }
    }

    /// On a virtual clock started now: sleeping records the wait and moves the clock on at once;
    /// nothing else moves it but [`advance`](Self::advance).
    pub fn new() -> Self {
        Self::on(Clock::Virtual(Instant::now()))
    }

    /// On the real clock: waits are recorded and do not move it.
    pub fn real() -> Self {
        Self::on(Clock::Real {
            ahead: Duration::ZERO,
            moved: false,
        })
    }

    /// On the real clock plus the waits recorded (and [`advance`](Self::advance)), as if they
    /// had been slept.
    pub fn real_moved() -> Self {
        Self::on(Clock::Real {
            ahead: Duration::ZERO,
            moved: true,
        })
    }

    /// On the real clock `by` ahead (a paused Tokio clock moved on, another machine's clock);
    /// waits do not move it.
    pub fn ahead(by: Duration) -> Self {
        Self::on(Clock::Real {
            ahead: by,
            moved: false,
        })
    }

    /// The same sleeper with its wall time ([`Sleeper::wall`]) fixed at `wall`, whatever the
    /// clock and the system say.
    #[must_use]
    pub fn with_wall(mut self, wall: SystemTime) -> Self {
        self.wall = Some(wall);
        self
    }

    /// The waits slept so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.iter().map(|(d, _)| *d).collect()
    }

    /// How each wait of [`sleeps`](Self::sleeps) was taken.
    pub fn kinds(&self) -> Vec<SleepKind> {
        self.lock().sleeps.iter().map(|(_, k)| *k).collect()
    }

    /// Time the clock was moved on by the waits and by [`advance`](Self::advance) (whatever the
    /// clock: on [`real`](Self::real) and [`ahead`](Self::ahead), `now` does not follow it).
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    /// Moves the clock on without a recorded wait, as a slow request would.
    pub fn advance(&self, by: Duration) {
        self.lock().elapsed += by;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, duration: Duration, kind: SleepKind) {
        let mut state = self.lock();
        state.elapsed += duration;
        state.sleeps.push((duration, kind));
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.record(duration, SleepKind::Async);
        Box::pin(std::future::ready(()))
    }

    fn sleep_blocking(&self, duration: Duration) {
        self.record(duration, SleepKind::Blocking);
    }

    fn now(&self) -> Instant {
        match self.clock {
            Clock::Virtual(start) => start + self.elapsed(),
            Clock::Real { ahead, moved } => {
                let moved = if moved {
                    self.elapsed()
                } else {
                    Duration::ZERO
                };
                Instant::now() + ahead + moved
            }
        }
    }

    fn wall(&self) -> SystemTime {
        match self.wall {
            Some(wall) => wall,
            None => At(self.now()).wall(),
        }
    }
}

/// A clock stopped at an instant: its [`Sleeper::wall`] is the trait's default for that instant,
/// which [`RecordingSleeper`] cannot call itself once it overrides the method.
struct At(Instant);

impl Sleeper for At {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::ready(()))
    }

    fn now(&self) -> Instant {
        self.0
    }
}
