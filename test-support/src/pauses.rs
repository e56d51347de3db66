//! The pauses a retrier's calls make for rate limits, as its `on_pause` hook reports them.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use errspec::Pause;

/// The pauses a retrier's calls made for rate limits: give [`hook`](Self::hook) to
/// `on_pause`, then [`take`](Self::take) what was recorded. Clones share one record.
///
/// ```
/// use std::time::Duration;
/// use errspec::Pause;
/// use errspec_test_support::Pauses;
///
/// let pauses = Pauses::default();
/// let hook = pauses.hook();
/// hook(Pause::Hold, Duration::from_secs(2));
/// assert_eq!(pauses.take(), [(Pause::Hold, Duration::from_secs(2))]);
/// assert_eq!(pauses.take(), []);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pauses(Arc<Mutex<Vec<(Pause, Duration)>>>);

impl Pauses {
    /// The pauses recorded since the last take, in order; the record is left empty.
    pub fn take(&self) -> Vec<(Pause, Duration)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A hook for `on_pause` that records each pause here.
    pub fn hook(&self) -> impl Fn(Pause, Duration) + Send + Sync + 'static {
        let pauses = self.clone();
        move |pause, wait| {
            let mut all = pauses.0.lock().unwrap_or_else(PoisonError::into_inner);
            all.push((pause, wait));
        }
    }
}
