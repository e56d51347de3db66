//! One call's state across its attempts, for loops that the engine does not drive itself.

use core::cell::RefCell;
use core::future::Future;
use core::ops::{ControlFlow, Deref};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use crate::budget::Withdrawal;
use crate::clock::ReadOnce;
use crate::decide::{Call, Next};
use crate::limits::{Outcome, QuotaSet, Report, ScopeKey, ScopeValue, Ticket};
use crate::observe::Seen;
use crate::{Idempotency, Retrier, StatusError};

mod waits;

/// The retrier a call runs under: borrowed from the caller, or shared with a
/// [`Retrying`](crate::Retrying)'s cache.
pub(crate) enum RetrierRef<'r> {
    Borrowed(&'r Retrier),
    Shared(Arc<Retrier>),
}

impl Deref for RetrierRef<'_> {
    type Target = Retrier;

    fn deref(&self) -> &Retrier {
        match self {
            Self::Borrowed(r) => r,
            Self::Shared(r) => r,
        }
    }
}

/// What an attempt's responses said, borrowed where its call keeps it (when the call reads
/// responses), and cleared for the next attempt when dropped.
struct Kept<'s>(Option<&'s mut Option<Seen>>);

impl Kept<'_> {
    fn seen(&self) -> &Seen {
        match self.0.as_deref() {
            Some(Some(seen)) => seen,
            _ => &Seen::EMPTY,
        }
    }
}

impl Drop for Kept<'_> {
    fn drop(&mut self) {
        if let Some(kept) = &mut self.0 {
            **kept = None;
        }
    }
}

/// One call's retry state; see [`Retrier::attempts`].
///
/// It borrows the [`Retrier`] it came from ([`Retrier::attempts`]), or shares the engine a
/// [`Retrying`](crate::Retrying) keeps for the call's error type.
pub struct Attempts<'r> {
    retrier: RetrierRef<'r>,
    call: Call,
    /// The most attempts the call can make, whatever its errors say: `max_attempts`, or more
    /// where an error type's status or case allows more.
    most: u32,
    /// The client method the call is of (`""` outside a generated client).
    method: &'static str,
    /// The scope of `[rate_limit]` the call is in.
    scope: ScopeKey,
    /// The value of the method's `#[errspec(scope)]` argument, which divides its scope.
    argument: Option<ScopeValue>,
    /// Whether the first attempt was sent (and counted against the budget).
    deposited: bool,
    /// Whether an attempt is out (sent, not yet come back).
    out: bool,
    /// The reservation the attempt out holds in the store, in `scope`.
    ticket: Option<Ticket>,
    /// The quotas that reservation counts against.
    counted: QuotaSet,
    /// Whether the call is counted in `scope` among the refused calls due to retry when its
    /// hold ends (their turn comes before first attempts').
    retrying: bool,
    /// The budget's grant of the retry to come, given back if it is never sent.
    withdrawal: Option<Withdrawal>,
    /// What the responses of the attempt out said (written by [`observe`](crate::observe)
    /// during its polls).
    seen: RefCell<Option<Seen>>,
}

impl<'r> Attempts<'r> {
    /// A call of `method` (`""` outside a generated client) that may make up to `most`
    /// attempts when its errors allow more than the config's `max_attempts`.
    pub(crate) fn new(
        retrier: RetrierRef<'r>,
        idempotency: Idempotency,
        method: &'static str,
        most: u32,
    ) -> Self {
        let mut call = Call::new(&retrier, idempotency);
        call.quotas = retrier.context.counting(method);
        Self {
            most: retrier.config.max_attempts.max(most).max(1),
            scope: retrier.links.key(&retrier.rate_limit, method),
            retrier,
            call,
            method,
            argument: None,
            deposited: false,
            out: false,
            ticket: None,
            counted: QuotaSet::ALL,
            retrying: false,
            withdrawal: None,
            seen: RefCell::new(None),
        }
    }

    /// The attempts of a call of `method` whose errors are `E`s, some of which may allow more
    /// attempts than the config. Built in place, so a generated method's future is written
    /// once, not moved.
    #[inline]
    pub(crate) fn for_error<E: StatusError>(
        retrier: RetrierRef<'r>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Self {
        Self::new(retrier, idempotency, method, E::most_attempts())
    }

    /// Takes an attempt's result: `Break` with the result to return (a success, or an error
    /// the engine will not retry, unchanged), or `Continue` with the wait before the next
    /// attempt (the `on_retry` hook has been called and the error dropped).
    pub fn after<T, E: StatusError>(
        &mut self,
        result: Result<T, E>,
    ) -> ControlFlow<Result<T, E>, Duration> {
        let quick = self.ticket.is_some_and(Ticket::is_quick);
        if quick
            && result.is_ok()
            && !self.retrier.context.reads
            && (self.deposited || self.retrier.budget.is_none())
        {
            // the fast path's success: nothing to read, count or learn, only a slot to free
            self.deposited = true;
            self.out = false;
            if let Some(ticket) = self.ticket.take() {
                self.retrier.release_quick(&self.scope, ticket);
            }
            return ControlFlow::Break(result);
        }
        // a quick success's answer is read without the time if the store needs none
        let needs_time = result.is_err()
            || (self.retrier.budget.is_some() && !self.deposited)
            || (self.ticket.is_some() && !quick);
        let mut now = needs_time.then(|| self.retrier.sleeper.now());
        // an attempt came back, so it was sent: a loop that never called `ready` deposits here
        self.deposit(now);
        self.out = false;
        if quick && result.is_ok() && self.learned_quickly(&mut now) {
            return ControlFlow::Break(result);
        }
        let api = self.api();
        // the call is not polled now: what its responses said is read in place
        let kept = Kept((self.retrier.context.reads).then_some(self.seen.get_mut()));
        let seen = kept.seen();
        if let Some(quotas) = seen.counting {
            // the request's HTTP method was told: later attempts (and the method's later
            // calls) count against its quotas
            self.call.quotas = quotas;
            self.retrier.context.counted(self.method, quotas);
        }
        // the answer's scope: the bucket its response named, else the call's; `moved` when
        // the call was in another
        let (scope, moved) = match seen.bucket.named().copied() {
            Some(bucket) => {
                let scope = match self.argument {
                    Some(value) => ScopeKey::BucketArgument(bucket, value),
                    None => ScopeKey::Bucket(bucket),
                };
                // a call that started in the bucket found its method linked to it already
                let moved = self.scope != scope;
                if moved {
                    self.retrier.links.link(self.method, bucket);
                }
                (scope, moved)
            }
            None => (self.scope, false),
        };
        let release = self.ticket.take().map(|ticket| (self.scope, ticket));
        let counted = self.counted;
        let report = |now, outcome| {
            let mut report = Report::new(scope, None, now, outcome)
                .with_api(api)
                .with_quotas(seen.quotas);
            report.release = release;
            report.counted = counted;
            report.answered = seen.answered;
            report
        };
        match result {
            Ok(value) => {
                let retrier = &self.retrier;
                // read at most once, by the quick report or the full one
                let clock = || retrier.sleeper.now();
                let time = ReadOnce::new(now, &clock);
                let quick = release.filter(|_| quick).map(|(_, ticket)| ticket);
                if let Some(ticket) = quick
                    && !seen.answered
                {
                    retrier.release_quick(&self.scope, ticket);
                } else if let Some(ticket) = quick
                    && !moved
                    && retrier.report_quick(&scope, ticket, &seen.quotas, &|| time.get())
                {
                    // freed, and what the response stated learned, without a report
                } else if release.is_some() || seen.answered {
                    self.retrier
                        .store
                        .report(&report(time.get(), Outcome::Success));
                }
                ControlFlow::Break(Ok(value))
            }
            Err(err) => {
                let now = now.unwrap_or_else(|| self.retrier.sleeper.now());
                let (next, withdrawal) = self.retrier.next(&mut self.call, &err, scope, now);
                let wait = match next {
                    Next::Stop => {
                        self.retrier.store.report(&report(now, Outcome::Failure));
                        return ControlFlow::Break(Err(err));
                    }
                    Next::Retry(wait) => wait,
                };
                self.withdrawal = withdrawal;
                let outcome = match err.retry_after() {
                    Some(hold) => {
                        if self.retrying {
                            cancel_retrying(&self.retrier, api, self.scope, now);
                        }
                        self.retrying = true;
                        Outcome::Refused {
                            hold: Some(hold),
                            status: err.status(),
                            rate_limited: err.rate_limited(),
                            retrying: true,
                        }
                    }
                    None => Outcome::Failure,
                };
                self.retrier.store.report(&report(now, outcome));
                // the retry goes in the answer's scope, where a hold it set waits for it
                self.scope = scope;
                ControlFlow::Continue(wait)
            }
        }
    }

    /// The common end of a call let go on the fast path: a success whose response named no
    /// other scope and told no HTTP method, its slot freed and what it stated learnt by
    /// [`LimitStore::report_quick`](crate::LimitStore::report_quick). `false` (nothing done)
    /// leaves it to the rest of [`after`](Self::after).
    #[inline]
    fn learned_quickly(&mut self, now: &mut Option<Instant>) -> bool {
        // borrowed field by field, not copied: a scope and a bucket are large
        let (scope, argument) = (&self.scope, &self.argument);
        let (kept, Some(ticket)) = (self.seen.get_mut(), self.ticket) else {
            return false;
        };
        let Some(seen) = kept else {
            return false;
        };
        // the answer's scope is the call's: no bucket named but the one the call is in (the
        // one `observing` told the attempt), which the answer's scope keys as the call's does
        let same_scope = match seen.bucket.named() {
            None => true,
            Some(_) if seen.bucket.other() => false,
            Some(_) => match scope {
                ScopeKey::Bucket(_) => argument.is_none(),
                ScopeKey::BucketArgument(_, value) => *argument == Some(*value),
                _ => false,
            },
        };
        if !(seen.answered && seen.counting.is_none() && same_scope) {
            return false;
        }
        // the time, read at most once, if the store asks for it: kept in `now` for the rest
        // of `after` when the store did not take the answer
        let sleeper = &self.retrier.sleeper;
        let clock = || sleeper.now();
        let time = ReadOnce::new(*now, &clock);
        let learned = self
            .retrier
            .report_quick(scope, ticket, &seen.quotas, &|| time.get());
        *now = time.read();
        if !learned {
            return false;
        }
        *kept = None;
        self.ticket = None;
        true
    }

    /// Puts the call in the scope of its method's `#[errspec(scope)]` argument's `value`
    /// ([`ScopeKey::with_argument`]), before its first attempt.
    pub(crate) fn scope_by(&mut self, value: ScopeValue) {
        self.argument = Some(value);
        self.scope = self.scope.with_argument(self.method, value);
    }

    /// The call's requests are of HTTP method `method`: they count against the quotas whose
    /// `methods` name it.
    #[cfg(any(feature = "reqwest-middleware", feature = "tower"))]
    pub(crate) fn count_method(&mut self, method: &http::Method) {
        if self.retrier.context.reads {
            self.call.quotas = self.retrier.context.names.counting(Some(method));
        }
    }

    /// Whether the attempt about to start is the last one `max_attempts` allows.
    ///
    /// An error whose status or case says `max_attempts` can allow more or fewer attempts
    /// than the config; a call of a generated client knows its error type's most, other
    /// loops count the config's.
    pub fn is_last(&self) -> bool {
        self.call.attempt.saturating_add(1) >= self.most
    }

    /// Runs an attempt's future with this call as the current one, so that the responses it
    /// reports through [`observe`](crate::observe) (as `errspec::reqwest::check` does) teach
    /// the call's scope their quota, and wall-clock waits are read on the retrier's clock.
    pub fn observing<'s, F: Future + 's>(
        &'s mut self,
        attempt: F,
    ) -> impl Future<Output = F::Output> + 's {
        self.expect_bucket();
        crate::observe::observing(&self.retrier.context, &mut self.seen, attempt)
    }

    /// [`observing`](Self::observing) for a blocking attempt.
    pub fn observing_blocking<R>(&mut self, attempt: impl FnOnce() -> R) -> R {
        self.expect_bucket();
        crate::observe::within(&self.retrier.context, &self.seen, attempt)
    }

    /// Tells the attempt about to run the bucket the call is in, if any: a response naming it
    /// again is told from one naming another without a copy of the name.
    #[inline]
    fn expect_bucket(&mut self) {
        if self.retrier.context.reads {
            let bucket = match self.scope {
                ScopeKey::Bucket(bucket) | ScopeKey::BucketArgument(bucket, _) => Some(bucket),
                _ => None,
            };
            *self.seen.get_mut() = Some(Seen::by_call_in(bucket));
        }
    }

    /// The attempt about to start is out: a retry's budget grant is spent.
    fn sent(&mut self) {
        self.out = true;
        self.withdrawal = None;
    }

    /// The API's name, for the store.
    fn api(&self) -> &'static str {
        self.retrier.rate_limit.api.unwrap_or("")
    }

    /// Tells `scope` that this call no longer waits there to retry.
    fn cancel_retrying(&self, scope: ScopeKey, now: Instant) {
        cancel_retrying(&self.retrier, self.api(), scope, now);
    }

    /// Counts the call's first attempt against the budget, once, when it is sent.
    fn deposit(&mut self, now: Option<Instant>) {
        if !self.deposited {
            self.deposited = true;
            if let Some(budget) = &self.retrier.budget {
                budget.deposit_at(Some(now.unwrap_or_else(|| self.retrier.sleeper.now())));
            }
        }
    }
}

/// Tells `scope` of API `api` that a call of `retrier` no longer waits there to retry.
fn cancel_retrying(retrier: &Retrier, api: &'static str, scope: ScopeKey, now: Instant) {
    let outcome = Outcome::Cancelled { retrying: true };
    retrier
        .store
        .report(&Report::new(scope, None, now, outcome).with_api(api));
}

impl Drop for Attempts<'_> {
    /// A call dropped with an attempt out (cancelled mid-request) frees its reservation; one
    /// dropped before its retry no longer waits for its turn, and gives back the retry's
    /// budget grant.
    fn drop(&mut self) {
        if let (Some(withdrawal), Some(budget)) = (self.withdrawal.take(), &self.retrier.budget) {
            budget.refund(withdrawal);
        }
        if self.ticket.is_none() && !self.retrying {
            return;
        }
        let now = self.retrier.sleeper.now();
        if let Some(ticket) = self.ticket.take() {
            let outcome = Outcome::Cancelled { retrying: false };
            let mut report =
                Report::new(self.scope, Some(ticket), now, outcome).with_api(self.api());
            report.counted = self.counted;
            self.retrier.store.report(&report);
        }
        if self.retrying {
            self.retrying = false;
            self.cancel_retrying(self.scope, now);
        }
    }
}

impl core::fmt::Debug for Attempts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Attempts")
            .field("idempotency", &self.call.idempotency)
            .field("failed", &self.call.attempt)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
