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

use crate::limits::{self, BucketName, QuotaSet, StatedQuotas};
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
    pub(crate) bucket: Option<BucketName>,
    /// What the responses stated of each quota.
    pub(crate) quotas: StatedQuotas,
    /// The quotas the attempt's request counts against, when its HTTP method was told.
    pub(crate) counting: Option<QuotaSet>,
}

impl Seen {
    /// Nothing seen.
    pub(crate) const EMPTY: Self = Self {
        answered: false,
        bucket: None,
        quotas: StatedQuotas::EMPTY,
        counting: None,
    };

    /// Whether nothing was seen: no response read and no HTTP method told.
    fn is_empty(&self) -> bool {
        !self.answered && self.counting.is_none()
    }

    /// Keeps what `later` saw over what this saw.
    fn update(&mut self, later: &Seen) {
        self.answered |= later.answered;
        if later.bucket.is_some() {
            self.bucket = later.bucket;
        }
        self.quotas.update(&later.quotas);
        if later.counting.is_some() {
            self.counting = later.counting;
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

/// The thread's current call, if any, and what its responses said during this poll (or this
/// blocking attempt): handed to the call's [`Seen`] when the poll ends, so that installing a
/// call moves a pointer, not what it saw.
struct Slot {
    context: Option<Arc<Context>>,
    seen: Seen,
}

thread_local! {
    static CURRENT: RefCell<Slot> = const {
        RefCell::new(Slot { context: None, seen: Seen::EMPTY })
    };
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
    CURRENT.with(|slot| {
        let slot = &mut *slot.borrow_mut();
        if let Some(context) = &slot.context
            && context.reads
        {
            let seen = &mut slot.seen;
            seen.answered = true;
            let wall = || context.sleeper.wall();
            if let Some(bucket) =
                limits::read_response(&context.names, headers, wall, &mut seen.quotas)
            {
                seen.bucket = Some(bucket);
            }
        }
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
    CURRENT.with(|slot| {
        let slot = &mut *slot.borrow_mut();
        if let Some(context) = &slot.context
            && context.reads
        {
            slot.seen.counting = Some(context.names.counting(Some(method)));
        }
    });
}

/// The wall time of the current call's clock ([`Sleeper::wall`]), or the system's outside a
/// call: what a wall-clock wait (an HTTP-date, an epoch second) is measured against.
pub(crate) fn wall_now() -> SystemTime {
    CURRENT
        .try_with(|slot| {
            slot.try_borrow()
                .ok()
                .and_then(|slot| slot.context.as_ref().map(|c| c.sleeper.wall()))
        })
        .ok()
        .flatten()
        .unwrap_or_else(SystemTime::now)
}

/// What a call made current put aside: the call it replaced, and what that call had seen in
/// its poll so far (boxed, since a call inside another's attempt after a response is rare).
struct Outer {
    context: Option<Arc<Context>>,
    seen: Option<Box<Seen>>,
}

/// Puts back the current call it replaced when dropped, and hands what this one saw to its
/// call, so a panic cannot leave the thread with the wrong call.
struct Restore<'s> {
    outer: Option<Outer>,
    seen: &'s mut Option<Seen>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let Some(outer) = self.outer.take() else {
            return;
        };
        let mine = CURRENT.with(|slot| {
            let slot = &mut *slot.borrow_mut();
            if slot.seen.is_empty() {
                if let Some(seen) = outer.seen {
                    slot.seen = *seen;
                }
            } else {
                match self.seen {
                    Some(seen) => seen.update(&slot.seen),
                    None => *self.seen = Some(slot.seen),
                }
                slot.seen = outer.seen.map_or(Seen::EMPTY, |seen| *seen);
            }
            core::mem::replace(&mut slot.context, outer.context)
        });
        // this call's context, dropped outside the thread-local's borrow
        drop(mine);
    }
}

/// Runs `f` as the call of `context`, keeping what its responses say in `seen`.
pub(crate) fn within<R>(
    context: &Arc<Context>,
    seen: &mut Option<Seen>,
    f: impl FnOnce() -> R,
) -> R {
    if !context.current {
        return f();
    }
    let outer = CURRENT.with(|slot| {
        let slot = &mut *slot.borrow_mut();
        let context = slot.context.replace(Arc::clone(context));
        let seen = (!slot.seen.is_empty())
            .then(|| Box::new(core::mem::replace(&mut slot.seen, Seen::EMPTY)));
        Outer { context, seen }
    });
    let _restore = Restore {
        outer: Some(outer),
        seen,
    };
    f()
}

pin_project_lite::pin_project! {
    /// An attempt's future run as the call of `context` during each of its polls, what its
    /// responses say ending up in `seen` ([`Attempts::observing`](crate::Attempts::observing)).
    /// Written by hand, so that an attempt of a call that reads nothing is polled directly.
    pub(crate) struct Observing<'s, F> {
        context: &'s Arc<Context>,
        seen: &'s mut Option<Seen>,
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
    context: &'s Arc<Context>,
    seen: &'s mut Option<Seen>,
    future: F,
) -> Observing<'s, F> {
    Observing {
        context,
        seen,
        future,
    }
}
