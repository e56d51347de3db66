//! The server's hold: the latest instant a server named for coming back, shared by the calls
//! of one retrier (see "The server's hold" on [`Retrier`](crate::Retrier)).

use core::time::Duration;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use http::StatusCode;

/// The latest instant, on the sleeper's clock, that a server named for coming back, with the
/// status of the response that named it.
#[derive(Debug, Default)]
pub(crate) struct Hold(Mutex<Option<(Instant, Option<StatusCode>)>>);

impl Hold {
    fn get(&self) -> Option<(Instant, Option<StatusCode>)> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the hold to `until` if that is later.
    pub(crate) fn extend(&self, until: Instant, status: Option<StatusCode>) {
        let mut hold = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if hold.is_none_or(|(h, _)| h < until) {
            *hold = Some((until, status));
        }
    }

    /// How far the hold reaches past `instant`, if it does, at most `cap`: a hold is capped
    /// when read, so one set on another clock (a paused Tokio clock moved far ahead, say) can
    /// never make a wait longer than `max_retry_after`.
    pub(crate) fn past(&self, instant: Instant, cap: Duration) -> Option<Duration> {
        self.get()
            .map(|(until, _)| until.saturating_duration_since(instant).min(cap))
            .filter(|d| !d.is_zero())
    }

    /// The status of the response that set the hold.
    pub(crate) fn status(&self) -> Option<StatusCode> {
        self.get().and_then(|(_, status)| status)
    }
}
