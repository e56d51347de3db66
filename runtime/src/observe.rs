//! What responses say about rate limits, reported to the call they belong to.
//!
//! While an attempt runs, its call is this thread's current call (set around each poll of the
//! attempt's future, or around a blocking attempt), so `errspec::reqwest::check` and `send`,
//! or a transport's own code through [`observe`], can report each response's headers without
//! being handed anything. What a response says is kept with the call and told to the
//! rate-limit store once, with the attempt's outcome. The current call also gives the clock
//! that wall-clock waits are read against ([`wall_now`]).

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{self, Poll};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use http::{HeaderMap, Method};

use crate::limits::{self, BucketName, Named, QuotaSet, StatedQuotas};
use crate::{RateLimitConfig, Sleeper};

/// What a retrier's calls need to read a response: its `[rate_limit]` and its clock.
pub(crate) struct Context {
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// Whether `config` reads anything from responses.
    pub(crate) reads: bool,
    /// The headers it reads.
    pub(crate) names: limits::Names,
    /// Whether an attempt must be the thread's current call: it reads responses, or its
    /// sleeper's wall time is not the system's (which wait parsing reads outside a call).
    current: bool,
    /// Whether some quota counts only some HTTP methods: then the quotas each client method's
    /// requests count against are remembered from its calls, in `counting`.
    filters: bool,
    /// Per client method of a generated client, the quotas its last call's requests counted
    /// against (at most [`MAX_SCOPES`](crate::limits::MAX_SCOPES) methods).
    counting: RwLock<HashMap<&'static str, QuotaSet>>,
}

/// What the responses of one attempt said.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    /// Whether a response was read.
    pub(crate) answered: bool,
    /// The bucket the responses named, told apart from the call's.
    pub(crate) bucket: Named,
    /// What the responses stated of each quota.
    pub(crate) quotas: StatedQuotas,
    /// The quotas the attempt's request counts against, when its HTTP method was told.
    pub(crate) counting: Option<QuotaSet>,
}

impl Seen {
    /// Nothing seen (yet: an attempt's `Seen` is made by its first report).
    pub(crate) const EMPTY: Self = Self {
        answered: false,
        bucket: Named::NONE,
        quotas: StatedQuotas::EMPTY,
        counting: None,
    };

    /// Nothing seen yet by an attempt of a call in `bucket`, if it is in one. Made field by field
    /// (each quota's `None` one word written), not copied whole from a constant.
    #[inline]
    pub(crate) fn by_call_in(bucket: Option<BucketName>) -> Self {
        Self {
            answered: false,
            bucket: Named::by_call_in(bucket),
            quotas: StatedQuotas::default(),
            counting: None,
        }
    }
}

impl Context {
    pub(crate) fn new(
        config: &RateLimitConfig,
        sleeper: &Arc<dyn Sleeper>,
        system_wall: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            current: config.reads_responses() || !system_wall,
            sleeper: Arc::clone(sleeper),
            reads: config.reads_responses(),
            filters: config.quota_list().iter().any(|q| !q.methods.is_empty()),
            counting: RwLock::default(),
            names: limits::Names::new(config),
        })
    }

    /// The quotas a call of client method `method` counts against before its HTTP method is
    /// told: what its method's last call told, else all of them.
    #[inline]
    pub(crate) fn counting(&self, method: &'static str) -> QuotaSet {
        if !self.filters || method.is_empty() {
            return QuotaSet::ALL;
        }
        let known = self.counting.read().unwrap_or_else(PoisonError::into_inner);
        known.get(method).copied().unwrap_or(QuotaSet::ALL)
    }

    /// A call of client method `method` told that its requests count against `quotas`.
    pub(crate) fn counted(&self, method: &'static str, quotas: QuotaSet) {
        if !self.filters || method.is_empty() || self.counting(method) == quotas {
            return;
        }
        let mut known = self
            .counting
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if known.len() < limits::MAX_SCOPES || known.contains_key(method) {
            known.insert(method, quotas);
        }
    }
}

/// The thread's current call: references to the call's context and, if it reads responses, to
/// where it keeps what they said.
#[derive(Clone, Copy)]
struct Current<'c> {
    context: &'c Context,
    seen: Option<&'c RefCell<Option<Seen>>>,
}

// The thread's current call, set around each poll of its attempt (or around a blocking
// attempt): making a call current stores two pointers, neither a count nor a copy. A call made
// current inside another's attempt puts the other back when it ends.
scoped_tls_hkt::scoped_thread_local!(static CURRENT: for<'c> Current<'c>);

/// `f` of the current call's context and what it has seen, if a call is current and reads
/// responses (a call that reads nothing, current inside another's attempt, hides the other).
fn current(f: impl FnOnce(&Context, &mut Seen)) {
    if !CURRENT.is_set() {
        return;
    }
    CURRENT.with(|current| {
        // never borrowed elsewhere during an attempt; a nested report is dropped, never a panic
        if let Some(seen) = current.seen
            && let Ok(mut seen) = seen.try_borrow_mut()
        {
            f(current.context, seen.get_or_insert(Seen::EMPTY));
        }
    });
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
    current(|context, seen| {
        seen.answered = true;
        let wall = || context.sleeper.wall();
        let names = &context.names;
        limits::read_response(names, headers, wall, &mut seen.quotas, &mut seen.bucket);
    });
}

/// [`observe`], for a response to a request of HTTP method `method`: the call also learns
/// which of the spec's quotas (`[[rate_limit.quota]]`'s `methods`) its requests count
/// against, so that its later attempts wait only for those. A request whose method is never
/// told counts against every quota.
///
/// `errspec::reqwest::send`, the middleware and the tower layer tell the method themselves;
/// a client on another HTTP library calls this instead of `observe`, once per response:
///
/// ```
/// use errspec::http::{HeaderMap, HeaderValue, Method};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ms-ratelimit-remaining-subscription-reads", HeaderValue::from_static("11999"));
/// errspec::observe_method(&Method::GET, &headers); // outside a retrying call: nothing to do
/// ```
pub fn observe_method(method: &Method, headers: &HeaderMap) {
    tell_method(method);
    observe(headers);
}

/// Tells the retrying call this code runs in the HTTP method of the request it sends.
pub(crate) fn tell_method(method: &Method) {
    current(|context, seen| seen.counting = Some(context.names.counting(Some(method))));
}

/// The wall time of the current call's clock ([`Sleeper::wall`]), or the system's outside a
/// call: what a wall-clock wait (an HTTP-date, an epoch second) is measured against.
pub(crate) fn wall_now() -> SystemTime {
    if CURRENT.is_set() {
        CURRENT.with(|current| current.context.sleeper.wall())
    } else {
        SystemTime::now()
    }
}

/// Runs `f` as the call of `context`, keeping what its responses say in `seen`.
pub(crate) fn within<R>(
    context: &Context,
    seen: &RefCell<Option<Seen>>,
    f: impl FnOnce() -> R,
) -> R {
    if !context.current {
        return f();
    }
    // a call that reads nothing has only its clock current: responses inside it are no one's
    let seen = context.reads.then_some(seen);
    CURRENT.set(Current { context, seen }, f)
}

pin_project_lite::pin_project! {
    /// An attempt's future run as the call of `context` during each of its polls, what its
    /// responses say ending up in `seen` ([`Attempts::observing`](crate::Attempts::observing)).
    /// Written by hand, so that an attempt of a call that reads nothing is polled directly.
    pub(crate) struct Observing<'s, F> {
        context: &'s Context,
        // `&mut`, so that the future is `Send`: it is shared with the thread only in a poll
        seen: &'s mut RefCell<Option<Seen>>,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Observing<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut task::Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        // `within` checks this too; asked here, the common case skips a call (12 instructions of
        // a generated method's success)
        if !this.context.current {
            return future.poll(cx);
        }
        within(this.context, this.seen, || future.poll(cx))
    }
}

/// Awaits `future` as the call of `context` during each of its polls; what its responses say
/// ends up in `seen`.
pub(crate) fn observing<'s, F: Future>(
    context: &'s Context,
    seen: &'s mut RefCell<Option<Seen>>,
    future: F,
) -> Observing<'s, F> {
    Observing {
        context,
        seen,
        future,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scope, ThreadSleeper};

    fn named(bucket: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("b", http::HeaderValue::from_static(bucket));
        headers
    }

    /// A call made current inside another's attempt keeps its own responses, and the other
    /// call is current again once it ends; outside any call a report goes nowhere.
    #[test]
    fn each_call_keeps_the_responses_of_its_own_attempt() {
        let config = RateLimitConfig::new()
            .with_scope(Scope::Bucket)
            .with_bucket_header(Some("b"));
        let sleeper: Arc<dyn Sleeper> = Arc::new(ThreadSleeper);
        let context = Context::new(&config, &sleeper, true);
        let quiet = Context::new(&RateLimitConfig::new(), &sleeper, false);
        let (outer, inner, hidden) = (RefCell::new(None), RefCell::new(None), RefCell::new(None));
        let bucket = |seen: &RefCell<Option<Seen>>| {
            seen.borrow()
                .and_then(|seen| seen.bucket.named().copied())
                .map(|b| b.as_bytes().to_vec())
        };
        observe(&named("nowhere"));
        within(&context, &outer, || {
            within(&context, &inner, || observe(&named("inner")));
            observe(&named("outer"));
            // a call that reads nothing, current inside: responses inside it are no one's
            within(&quiet, &hidden, || observe(&named("hidden")));
        });
        observe(&named("nowhere"));
        assert_eq!(bucket(&outer), Some(b"outer".to_vec()));
        assert_eq!(bucket(&inner), Some(b"inner".to_vec()));
        assert!(hidden.borrow().is_none());
        assert!(!CURRENT.is_set());
    }
}
