//! What responses say about rate limits, reported to the call they belong to.
//!
//! While an attempt runs, its call is this thread's current call (set around each poll of the
//! attempt's future, or around a blocking attempt), so `errspec::reqwest::check` and `send`,
//! or a transport's own code through [`observe`], can report each response's headers without
//! being handed anything.

use core::cell::RefCell;
use core::future::Future;
use core::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderMap;

use crate::limits::Limits;
use crate::{RateLimitConfig, Sleeper};

/// A call that reads its responses' rate-limit headers.
pub(crate) struct Observer {
    pub(crate) limits: Arc<Limits>,
    pub(crate) config: RateLimitConfig,
    pub(crate) method: &'static str,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// The number of the call's attempt out (see `Limits::next_attempt`).
    pub(crate) attempt: AtomicU64,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Observer>>> = const { RefCell::new(None) };
}

/// Reports a response's headers to the retrying call this code runs in, if any, so that its
/// scope learns the quota they state (`[rate_limit]`'s `remaining`, `reset` and IETF fields)
/// and the bucket they name: what client-side pacing works from. Outside a retrying call, or
/// for a spec whose `[rate_limit]` reads nothing from responses, it does nothing.
///
/// `errspec::reqwest::check` and `send` call it for every response, successes included; a
/// client on another HTTP library calls it once per response, inside the attempt:
///
/// ```
/// use errspec::http::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ratelimit-remaining", HeaderValue::from_static("41"));
/// errspec::observe(&headers); // outside a retrying call: nothing to do
/// ```
pub fn observe(headers: &HeaderMap) {
    CURRENT.with(|current| {
        if let Some(observer) = &*current.borrow() {
            let now = observer.sleeper.now();
            let attempt = observer.attempt.load(Ordering::Relaxed);
            observer
                .limits
                .observe(&observer.config, observer.method, attempt, headers, now);
        }
    });
}

/// Puts back the current call it replaced when dropped, so a panic cannot leave the thread
/// with the wrong call.
struct Restore(Option<Arc<Observer>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// Runs `f` with `observer` as this thread's current call.
pub(crate) fn within<R>(observer: Option<&Arc<Observer>>, f: impl FnOnce() -> R) -> R {
    let Some(observer) = observer else {
        return f();
    };
    let previous = CURRENT.with(|current| current.replace(Some(Arc::clone(observer))));
    let _restore = Restore(previous);
    f()
}

/// Awaits `future` with `observer` as the current call during each of its polls.
pub(crate) async fn observing<F: Future>(observer: Option<Arc<Observer>>, future: F) -> F::Output {
    let mut future = pin!(future);
    core::future::poll_fn(|cx| within(observer.as_ref(), || future.as_mut().poll(cx))).await
}
