//! The engine's one clock: a sleeper's monotonic time, and the wall time that goes with it.
//!
//! Waits, holds, the retry budget and the parsing of wall-clock waits (an HTTP-date, an epoch
//! second) all read the call's [`Sleeper`](crate::Sleeper): its [`now`](crate::Sleeper::now)
//! gives the monotonic instant and its [`wall`](crate::Sleeper::wall) the wall time. The default
//! wall time is the monotonic instant carried onto the system clock from one anchor taken once
//! per process, so a sleeper whose clock is virtual (Tokio's paused clock) has a virtual wall
//! time that moves with it.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

/// The instant and the system time read together once, the first time either is asked for.
fn anchor() -> (Instant, SystemTime) {
    static ANCHOR: OnceLock<(Instant, SystemTime)> = OnceLock::new();
    *ANCHOR.get_or_init(|| (Instant::now(), SystemTime::now()))
}

/// The wall time at monotonic instant `at`: the anchor's system time moved by `at`'s distance
/// from the anchor's instant (saturating at the ends of `SystemTime`).
pub(crate) fn wall_at(at: Instant) -> SystemTime {
    let (instant, system) = anchor();
    if at >= instant {
        system
            .checked_add(at.duration_since(instant))
            .unwrap_or(system)
    } else {
        system
            .checked_sub(instant.duration_since(at))
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

/// The longest wait a stated time is kept as: ten years. A reset further off than this is as
/// good as never, and keeping it this short keeps every `Instant` it is added to in range.
pub(crate) const FAR: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// `at + wait`, with `wait` cut to [`FAR`]: never `None` on the platforms errspec runs on, and
/// `at` itself if the platform's `Instant` cannot reach that far.
pub(crate) fn later(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait.min(FAR))
        .or_else(|| at.checked_add(Duration::from_secs(24 * 3600)))
        .unwrap_or(at)
}

/// The time, read from a clock at most once and only if asked for: what a caller that may or
/// may not need the time passes on, and reads back after.
pub(crate) struct ReadOnce<'a> {
    read: core::cell::Cell<Option<Instant>>,
    clock: &'a dyn Fn() -> Instant,
}

impl<'a> ReadOnce<'a> {
    /// The time `read` already, else read from `clock` when first asked for.
    pub(crate) fn new(read: Option<Instant>, clock: &'a dyn Fn() -> Instant) -> Self {
        Self {
            read: core::cell::Cell::new(read),
            clock,
        }
    }

    /// The time, read now if it was not yet.
    pub(crate) fn get(&self) -> Instant {
        let at = self.read.get().unwrap_or_else(self.clock);
        self.read.set(Some(at));
        at
    }

    /// The time, if it was read.
    pub(crate) fn read(&self) -> Option<Instant> {
        self.read.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_time_moves_with_the_instant() {
        let now = Instant::now();
        let later = now + Duration::from_secs(90);
        let gap = wall_at(later).duration_since(wall_at(now)).unwrap();
        assert_eq!(gap, Duration::from_secs(90));
        let real = SystemTime::now();
        let here = wall_at(Instant::now());
        let skew = here.duration_since(real).unwrap_or_else(|e| e.duration());
        assert!(skew < Duration::from_secs(1), "{skew:?}");
    }

    #[test]
    fn the_time_is_read_once_and_only_if_asked_for() {
        let reads = core::cell::Cell::new(0);
        let clock = || {
            reads.set(reads.get() + 1);
            Instant::now()
        };
        let time = ReadOnce::new(None, &clock);
        assert_eq!((time.read(), reads.get()), (None, 0));
        let at = time.get();
        assert_eq!((time.get(), time.read(), reads.get()), (at, Some(at), 1));
        let known = Instant::now();
        assert_eq!(ReadOnce::new(Some(known), &clock).get(), known);
        assert_eq!(reads.get(), 1);
    }

    #[test]
    fn far_waits_stay_in_range() {
        let now = Instant::now();
        assert_eq!(later(now, Duration::MAX), now + FAR);
        assert_eq!(
            later(now, Duration::from_secs(3)),
            now + Duration::from_secs(3)
        );
    }
}
