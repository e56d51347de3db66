//! The server's hold: the latest instant a server named for coming back, shared by the calls
//! of one retrier (see "The server's hold" on [`Retrier`](crate::Retrier)).

use core::time::Duration;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// The latest instant, on the sleeper's clock, that a server named for coming back.
#[derive(Debug, Default)]
pub(crate) struct Hold(Mutex<Option<Instant>>);

impl Hold {
    fn until(&self) -> Option<Instant> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the hold to `until` if that is later.
    pub(crate) fn extend(&self, until: Instant) {
        let mut hold = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if hold.is_none_or(|h| h < until) {
            *hold = Some(until);
        }
    }

    /// How far the hold reaches past `instant`, if it does.
    pub(crate) fn past(&self, instant: Instant) -> Option<Duration> {
        self.until()
            .map(|until| until.saturating_duration_since(instant))
            .filter(|d| !d.is_zero())
    }
}
