//! The seam between the engine and its rate-limit state: [`LimitStore`].

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::time::Instant;

use http::StatusCode;

use super::Pause;
use super::key::ScopeKey;
use super::quotas::{QuotaSet, StatedQuota, StatedQuotas};
use crate::Pacing;

/// Where a [`Retrier`](crate::Retrier) keeps what it knows of the server's rate limits, per
/// scope ([`ScopeKey`]): the hold (the latest end of a wait the server stated on a refusal),
/// the stated quota (what responses say is left, and when it resets) with the requests in
/// flight as reservations of it, and the quota learned from refusals.
///
/// The engine asks the store once before each attempt is sent ([`acquire`](Self::acquire):
/// go, wait, or fail at once) and tells it once what each attempt's answer taught
/// ([`report`](Self::report)). The store decides with the algorithm the in-process
/// [`LocalStore`](crate::LocalStore) runs, or with the same rules over state shared by many
/// processes. Times cross the seam as durations from the moment of the call (a hold "for
/// 2 s", a reset "in 800 ms"), so a store may keep them on its own clock (one that many
/// processes share, say); the caller's monotonic instant comes along for a store that uses the
/// caller's clock, as the in-process one does.
///
/// A store must not block: `acquire` answers at once when it can ([`Acquire::ready`]) and
/// otherwise with a future; `report` returns at once (a store that talks to another process
/// sends the report in the background). A store that cannot answer (a shared store that is
/// down) lets the call go: rate-limit state only ever delays calls, and no call may fail or
/// wait past its limits for the store's sake.
///
/// Reservations: `acquire` answering [`Grant::Go`] reserves a slot for the attempt under its
/// [`Ticket`]; the report of that ticket frees it. A store shared by processes should let a
/// reservation expire if its report never comes (its process died).
///
/// ```
/// use std::time::{Duration, Instant};
/// use errspec::{Acquire, Ask, Grant, LimitStore, LocalStore, Outcome, Report, ScopeKey, Ticket};
///
/// let store = LocalStore::new();
/// let now = Instant::now();
/// let ask = Ask::new(ScopeKey::Client, Ticket(1), now);
/// assert_eq!(store.acquire(&ask).ready(), Some(Grant::Go));
/// // the answer: a 429 whose Retry-After holds the scope for 2 s
/// let refused = Outcome::Refused { hold: Some(Duration::from_secs(2)), status: None, rate_limited: true, retrying: false };
/// store.report(&Report::new(ScopeKey::Client, Some(Ticket(1)), now, refused));
/// let next = Ask::new(ScopeKey::Client, Ticket(2), now);
/// assert!(matches!(store.acquire(&next).ready(), Some(Grant::Wait { wait, .. }) if wait == Duration::from_secs(2)));
/// ```
pub trait LimitStore: Send + Sync + 'static {
    /// May the attempt `ask` describes be sent now? [`Grant::Go`] reserves it a slot under
    /// `ask.ticket`.
    fn acquire<'a>(&'a self, ask: &'a Ask) -> Acquire<'a>;

    /// What an attempt's answer taught (or that it ended without one), once per attempt that
    /// was granted, and once for a refused call's later cancellation. Returns at once.
    fn report(&self, report: &Report);

    /// What the store knows, without asking anyone, of a server-stated wait in `scope` at
    /// `now`: the hold, or a stated quota spent until its reset; what the engine adds to a
    /// retry's wait when it decides it. The default knows nothing.
    fn peek(&self, scope: ScopeKey, now: Instant, cap: Duration) -> Option<(Duration, Pause)> {
        let _ = (scope, now, cap);
        None
    }

    /// [`peek`](Self::peek) for a request that counts against `quotas` only (see
    /// [`Ask::quotas`]): a spent quota it does not count against is no wait of its. The
    /// default asks `peek`.
    fn peek_for(
        &self,
        scope: ScopeKey,
        quotas: QuotaSet,
        now: Instant,
        cap: Duration,
    ) -> Option<(Duration, Pause)> {
        let _ = quotas;
        self.peek(scope, now, cap)
    }

    /// Lets a call in `scope` go without a full [`Ask`] when nothing there can make it wait (or
    /// the store can tell at once that what can has room for it), and reserves it a slot under
    /// the ticket returned: a [quick](Ticket::quick) one, which may carry a note of the store's
    /// (where the slot is, say), or [`Ticket::QUICK`]. `now` tells the time if the store needs
    /// it; `reads_quota` and `quotas` are [`Ask::reads_quota`] and [`Ask::quotas`]; the slot
    /// counts against every quota ([`Report::counted`] is [`QuotaSet::ALL`]). The engine asks
    /// this first and, when it says `None`, asks [`acquire`](Self::acquire). A call let go this
    /// way that succeeds with nothing to report ends with
    /// [`release_quick`](Self::release_quick) (or [`report_quick`](Self::report_quick)); any
    /// other end is a [`report`](Self::report) with that ticket. The default never lets a call
    /// go this way.
    fn acquire_quick(
        &self,
        scope: &ScopeKey,
        reads_quota: bool,
        quotas: QuotaSet,
        now: &dyn Fn() -> Instant,
    ) -> Option<Ticket> {
        let _ = (scope, reads_quota, quotas, now);
        None
    }

    /// A call let go by [`acquire_quick`](Self::acquire_quick) in `scope` under `ticket`
    /// succeeded, and its response stated nothing: frees its slot. The default does nothing.
    fn release_quick(&self, scope: &ScopeKey, ticket: Ticket) {
        let _ = (scope, ticket);
    }

    /// A call let go by [`acquire_quick`](Self::acquire_quick) under `ticket` succeeded, and a
    /// response was read in `scope` (the one it was let go in) stating `stated` (perhaps
    /// nothing) at `now()` (the time, read only if the store needs it): frees its slot and
    /// learns what the response stated, as the [`report`](Self::report) of an
    /// [`Outcome::Success`] with that ticket would, and says `true`; or does nothing and says
    /// `false`, and the engine sends that report. Lets a store skip the report's making (and
    /// the clock read) on the fast path. The default says `false`.
    fn report_quick(
        &self,
        scope: &ScopeKey,
        ticket: Ticket,
        stated: &StatedQuotas,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        let _ = (scope, ticket, stated, now);
        false
    }

    /// The status of the response that set `scope`'s hold, if the store knows it: what a call
    /// not sent because of the hold returns. The default knows nothing (429 is returned).
    fn hold_status(&self, scope: ScopeKey) -> Option<StatusCode> {
        let _ = scope;
        None
    }
}

impl<S: LimitStore + ?Sized> LimitStore for std::sync::Arc<S> {
    fn acquire<'a>(&'a self, ask: &'a Ask) -> Acquire<'a> {
        (**self).acquire(ask)
    }

    fn report(&self, report: &Report) {
        (**self).report(report);
    }

    fn peek(&self, scope: ScopeKey, now: Instant, cap: Duration) -> Option<(Duration, Pause)> {
        (**self).peek(scope, now, cap)
    }

    fn peek_for(
        &self,
        scope: ScopeKey,
        quotas: QuotaSet,
        now: Instant,
        cap: Duration,
    ) -> Option<(Duration, Pause)> {
        (**self).peek_for(scope, quotas, now, cap)
    }

    fn hold_status(&self, scope: ScopeKey) -> Option<StatusCode> {
        (**self).hold_status(scope)
    }

    fn acquire_quick(
        &self,
        scope: &ScopeKey,
        reads_quota: bool,
        quotas: QuotaSet,
        now: &dyn Fn() -> Instant,
    ) -> Option<Ticket> {
        (**self).acquire_quick(scope, reads_quota, quotas, now)
    }

    fn release_quick(&self, scope: &ScopeKey, ticket: Ticket) {
        (**self).release_quick(scope, ticket);
    }

    fn report_quick(
        &self,
        scope: &ScopeKey,
        ticket: Ticket,
        stated: &StatedQuotas,
        now: &dyn Fn() -> Instant,
    ) -> bool {
        (**self).report_quick(scope, ticket, stated, now)
    }
}

/// A reservation's number: one per attempt, unique within a retrier and its clones, below
/// 2^63 for an [`Ask`]'s (the tickets of [`LimitStore::acquire_quick`] have the top bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

impl Ticket {
    /// A ticket of a call let go by [`LimitStore::acquire_quick`] that tells the store nothing
    /// more: a store that keeps no note of where it reserved such a call's slot gives this one.
    pub const QUICK: Self = Self(u64::MAX);

    /// The bit set in the ticket of every call let go by [`LimitStore::acquire_quick`] (and in
    /// no ticket of an [`Ask`]).
    const QUICK_BIT: u64 = 1 << 63;

    /// The ticket of a call let go by [`LimitStore::acquire_quick`] under the store's note
    /// `note` (its low 63 bits): handed back to the store with the call's end, so that it can
    /// find the slot again without looking the scope up.
    ///
    /// ```
    /// use errspec::Ticket;
    ///
    /// let ticket = Ticket::quick(42);
    /// assert!(ticket.is_quick() && Ticket::QUICK.is_quick() && !Ticket(7).is_quick());
    /// assert_eq!(ticket.note(), Some(42));
    /// assert_eq!(Ticket(7).note(), None);
    /// ```
    pub const fn quick(note: u64) -> Self {
        Self(Self::QUICK_BIT | note)
    }

    /// Whether this is the ticket of a call let go by [`LimitStore::acquire_quick`].
    pub const fn is_quick(self) -> bool {
        self.0 & Self::QUICK_BIT != 0
    }

    /// The store's note in the ticket of a call let go by [`LimitStore::acquire_quick`].
    pub const fn note(self) -> Option<u64> {
        if self.is_quick() {
            Some(self.0 & !Self::QUICK_BIT)
        } else {
            None
        }
    }
}

/// What the engine asks before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ask {
    /// The API's name ([`RateLimitConfig::api`](crate::RateLimitConfig::api)), `""` when the
    /// config names none: a store shared by several APIs keeps their states apart by it.
    pub api: &'static str,
    /// The call's scope.
    pub scope: ScopeKey,
    /// The reservation the attempt holds if it may go.
    pub ticket: Ticket,
    /// The caller's monotonic time.
    pub now: Instant,
    /// Whether this is the call's first attempt (learned pacing spaces first attempts only).
    pub first: bool,
    /// Whether this attempt is a retry counted among the refused calls due when a hold ends
    /// (their turn comes before first attempts').
    pub retrying: bool,
    /// Whether the client paces itself.
    pub pacing: Pacing,
    /// Whether the spec reads a stated quota from responses (`remaining` or the IETF fields):
    /// until a response of the scope has been read, few requests go at once.
    pub reads_quota: bool,
    /// The longest wait for a server-stated time the call accepts (`max_retry_after`, less what
    /// it has waited already): a spent quota resetting later than this fails the call at once.
    pub cap: Duration,
    /// The quotas of the scope this request counts against, by the HTTP method's place in
    /// each quota's `methods` ([`QuotaSet::ALL`] when the method is unknown): only these can
    /// make it wait, and its reservation counts in these only.
    pub quotas: QuotaSet,
}

impl Ask {
    /// A first attempt in `scope` at `now`, of an unnamed API, paced, reading no quota, with a
    /// cap of 60 s.
    pub fn new(scope: ScopeKey, ticket: Ticket, now: Instant) -> Self {
        Self {
            api: "",
            scope,
            ticket,
            now,
            first: true,
            retrying: false,
            pacing: Pacing::Auto,
            reads_quota: false,
            cap: Duration::from_secs(60),
            quotas: QuotaSet::ALL,
        }
    }
}

/// The answer to an [`Ask`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// Send; a slot is reserved under the ask's ticket.
    Go,
    /// Ask again after `wait`, for `pause`.
    Wait {
        /// How long.
        wait: Duration,
        /// Why.
        pause: Pause,
    },
    /// A wait the server stated is longer than the call accepts ([`Ask::cap`]): fail at once
    /// with `status` (the one that set the hold; 429 when none is known), as a server-stated
    /// retry wait above `max_retry_after` does.
    Refuse {
        /// Why.
        pause: Pause,
        /// The status whose wait this is, if known.
        status: Option<StatusCode>,
    },
}

/// A store's answer: at once, or later.
pub enum Acquire<'a> {
    /// Answered at once.
    Ready(Grant),
    /// To be awaited.
    Pending(Pin<Box<dyn Future<Output = Grant> + Send + 'a>>),
}

impl Acquire<'_> {
    /// The grant, if it came at once.
    pub fn ready(self) -> Option<Grant> {
        match self {
            Self::Ready(grant) => Some(grant),
            Self::Pending(_) => None,
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Grant;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Grant> {
        match self.get_mut() {
            Self::Ready(grant) => Poll::Ready(*grant),
            Self::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl core::fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Ready(grant) => f.debug_tuple("Ready").field(grant).finish(),
            Self::Pending(_) => f.write_str("Pending(..)"),
        }
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It succeeded.
    Success,
    /// It failed, and is not retried after a wait the server stated.
    Failure,
    /// It failed, and the engine retries after `hold`, a wait the server stated (or none):
    /// the scope is held until then.
    Refused {
        /// The server's wait.
        hold: Option<Duration>,
        /// The response's status.
        status: Option<StatusCode>,
        /// Whether it is a refusal of the rate limit, which teaches learned pacing (an outage
        /// does not): [`StatusError::rate_limited`](crate::StatusError::rate_limited).
        rate_limited: bool,
        /// Whether the call retries when the hold ends (it then takes its turn before first
        /// attempts').
        retrying: bool,
    },
    /// It was dropped before an answer, or (with no ticket) a call counted as retrying after a
    /// hold is gone.
    Cancelled {
        /// Whether the call was counted among those retrying after a hold.
        retrying: bool,
    },
}

/// What the engine tells a store after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The API's name, as in [`Ask::api`].
    pub api: &'static str,
    /// The scope the answer belongs to (a bucket the response named, say).
    pub scope: ScopeKey,
    /// The reservation to free, if the attempt held one: its ticket and the scope it was
    /// granted in (which `scope` may not be, when the response named another bucket).
    pub release: Option<(ScopeKey, Ticket)>,
    /// The caller's monotonic time.
    pub now: Instant,
    /// What the response stated of each quota of the scope, by index: the first (the
    /// `[rate_limit]` shorthand's, or the IETF fields') at 0.
    pub quotas: StatedQuotas,
    /// The quotas the freed reservation counted against: the [`Ask::quotas`] it was granted
    /// for ([`QuotaSet::ALL`] for a [quick](Ticket::is_quick) ticket).
    pub counted: QuotaSet,
    /// Whether a response was read (a quota stated or not); `false` for an attempt that ended
    /// without one.
    pub answered: bool,
    /// How the attempt ended.
    pub outcome: Outcome,
}

impl Report {
    /// A report of `outcome` in `scope` at `now`, freeing `ticket`'s reservation in that scope,
    /// with no stated quota.
    pub fn new(scope: ScopeKey, ticket: Option<Ticket>, now: Instant, outcome: Outcome) -> Self {
        Self {
            api: "",
            scope,
            release: ticket.map(|t| (scope, t)),
            now,
            quotas: StatedQuotas::default(),
            counted: QuotaSet::ALL,
            answered: !matches!(outcome, Outcome::Cancelled { .. }),
            outcome,
        }
    }

    /// The same report, of the API named `api`.
    #[must_use]
    pub fn with_api(mut self, api: &'static str) -> Self {
        self.api = api;
        self
    }

    /// The same report, stating `quota` of the scope's first quota.
    #[must_use]
    pub fn with_quota(mut self, quota: Option<StatedQuota>) -> Self {
        self.quotas.set(0, quota);
        self
    }

    /// The same report, stating `quotas`.
    #[must_use]
    pub fn with_quotas(mut self, quotas: StatedQuotas) -> Self {
        self.quotas = quotas;
        self
    }
}
