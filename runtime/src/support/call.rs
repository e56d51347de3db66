//! What the methods `#[errspec::client]` generates call: the choice between the retry engine
//! and a plain forward, the one trait both answer ([`CallAttempts`]), the attempts' arguments,
//! and the bound that asks for `StatusError`.

use core::future::Future;
use core::ops::ControlFlow;
use core::time::Duration;

use super::argument::{RetryArgument, take_argument};
use super::sealed;
use crate::{Attempts, Idempotency, Retrying, ScopeValue, StatusError};

/// Asks for `E: StatusError` where the user asked for retries (`#[errspec(idempotent)]`).
pub const fn assert_status_error<E: StatusError>() {}

/// Picks, at compile time, how a client method returning `Result<T, E>` runs: under the retry
/// engine when `E: StatusError` ([`RetryWithStatus`], found first by method lookup), forwarded
/// once otherwise ([`ForwardOtherErrors`], found through one more autoref).
pub struct Engine<E>(core::marker::PhantomData<fn() -> E>);

impl<E> Engine<E> {
    /// The tag for error type `E`.
    pub const NEW: Self = Self(core::marker::PhantomData);
}

impl<E> sealed::Engine for Engine<E> {}
impl<E> sealed::Engine for &Engine<E> {}

/// The retrying choice of [`Engine`].
pub trait RetryWithStatus<E>: sealed::Engine {
    /// The call's attempts, under the client's retrier.
    fn begin<'r, C>(
        &self,
        client: &'r Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Attempts<'r>;
    /// The same for a `&mut self` method, with the client apart.
    fn begin_mut<'r, C>(
        &self,
        client: &'r mut Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> (Attempts<'r>, &'r mut C);
}

impl<E: StatusError> RetryWithStatus<E> for Engine<E> {
    fn begin<'r, C>(
        &self,
        client: &'r Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Attempts<'r> {
        client.attempts_for::<E>(idempotency, method)
    }

    fn begin_mut<'r, C>(
        &self,
        client: &'r mut Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> (Attempts<'r>, &'r mut C) {
        client.attempts_for_mut::<E>(idempotency, method)
    }
}

/// The forwarding choice of [`Engine`], for error types that are no `StatusError`.
pub trait ForwardOtherErrors<E>: sealed::Engine {
    /// One attempt, never retried.
    fn begin<C>(
        &self,
        client: &Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Forward;
    /// The same for a `&mut self` method, with the client apart.
    fn begin_mut<'r, C>(
        &self,
        client: &'r mut Retrying<C>,
        idempotency: Idempotency,
        method: &'static str,
    ) -> (Forward, &'r mut C);
}

impl<E> ForwardOtherErrors<E> for &Engine<E> {
    fn begin<C>(&self, _: &Retrying<C>, _: Idempotency, _: &'static str) -> Forward {
        Forward
    }

    fn begin_mut<'r, C>(
        &self,
        client: &'r mut Retrying<C>,
        _: Idempotency,
        _: &'static str,
    ) -> (Forward, &'r mut C) {
        (Forward, client.inner_mut())
    }
}

/// What generated code calls on a call's attempts, whichever [`Engine`] chose: [`Attempts`]
/// (retried) or [`Forward`] (sent once). Generated code calls these methods through this trait
/// (and its supertrait [`PassArguments`]) only, so a method it needs exists for both, or
/// neither compiles.
pub trait CallAttempts<E>: PassArguments {
    /// Puts the call in the scope of its `#[errspec(scope)]` argument's value, before its
    /// first attempt.
    fn scope_by(&mut self, value: ScopeValue);

    /// Whether the first attempt may go at once, counted as sent if so; when not, [`ready`](Self::ready)
    /// waits. Lets the method skip `ready`'s future on the fast path.
    fn ready_now(&mut self) -> bool;

    /// Waits before the first attempt (see [`Attempts::ready`]).
    fn ready(&mut self) -> impl Future<Output = Result<(), E>> + Send + '_;

    /// [`ready`](Self::ready), blocking the thread.
    ///
    /// # Errors
    ///
    /// The error of the status that holds the call, when it is not sent.
    fn ready_blocking(&mut self) -> Result<(), E>;

    /// Runs an attempt's future as the call's (see [`Attempts::observing`]).
    fn observing<'s, F: Future + 's>(
        &'s mut self,
        attempt: F,
    ) -> impl Future<Output = F::Output> + 's;

    /// Runs a blocking attempt as the call's.
    fn observing_blocking<R>(&mut self, attempt: impl FnOnce() -> R) -> R;

    /// Takes an attempt's result: return it, or wait this long and try again.
    fn after<T>(&mut self, result: Result<T, E>) -> ControlFlow<Result<T, E>, Duration>;

    /// Waits before the next attempt (see [`Attempts::sleep`]).
    fn sleep(&mut self, duration: Duration) -> impl Future<Output = ()> + Send + '_;

    /// [`sleep`](Self::sleep), blocking the thread.
    fn sleep_blocking(&mut self, duration: Duration);
}

/// The part of [`CallAttempts`] that does not depend on the error type, so that generated code
/// calls it as a method: the call's type is then known before its argument's bound is checked,
/// and an argument that is not `Clone` is reported as such.
pub trait PassArguments: sealed::Attempts {
    /// An argument for the attempt about to start (see [`PassArgument`]).
    fn pass<A: PassArgument<Self>>(&self, slot: &mut Option<A>) -> A;
}

impl PassArguments for Attempts<'_> {
    fn pass<A: PassArgument<Self>>(&self, slot: &mut Option<A>) -> A {
        A::pass_to(self, slot)
    }
}

impl PassArguments for Forward {
    fn pass<A: PassArgument<Self>>(&self, slot: &mut Option<A>) -> A {
        A::pass_to(self, slot)
    }
}

/// What a call's attempts ask of an argument: [`Attempts`] a clone for each attempt but the
/// last ([`RetryArgument`]), [`Forward`] nothing (it moves the value into its one attempt).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Clone`, but errspec passes a clone of each argument of a retried method to every attempt",
    label = "this argument's type is not `Clone`",
    note = "derive or implement `Clone` for it, take it by reference, or wrap it in an `Arc`"
)]
pub trait PassArgument<C: ?Sized>: Sized {
    /// The argument for `call`'s attempt about to start.
    fn pass_to(call: &C, slot: &mut Option<Self>) -> Self;
}

impl<A: RetryArgument> PassArgument<Attempts<'_>> for A {
    fn pass_to(call: &Attempts<'_>, slot: &mut Option<Self>) -> Self {
        match slot {
            Some(value) if !call.is_last() => value.clone_for_attempt(),
            _ => take_argument(slot),
        }
    }
}

impl<A> PassArgument<Forward> for A {
    fn pass_to(_: &Forward, slot: &mut Option<Self>) -> Self {
        take_argument(slot)
    }
}

impl sealed::Attempts for Attempts<'_> {}
impl sealed::Attempts for Forward {}

impl<E: StatusError> CallAttempts<E> for Attempts<'_> {
    fn scope_by(&mut self, value: ScopeValue) {
        Attempts::scope_by(self, value);
    }

    fn ready_now(&mut self) -> bool {
        Attempts::ready_now(self)
    }

    fn ready(&mut self) -> impl Future<Output = Result<(), E>> + Send + '_ {
        Attempts::ready::<E>(self)
    }

    fn ready_blocking(&mut self) -> Result<(), E> {
        Attempts::ready_blocking::<E>(self)
    }

    fn observing<'s, F: Future + 's>(
        &'s mut self,
        attempt: F,
    ) -> impl Future<Output = F::Output> + 's {
        Attempts::observing(self, attempt)
    }

    fn observing_blocking<R>(&mut self, attempt: impl FnOnce() -> R) -> R {
        Attempts::observing_blocking(self, attempt)
    }

    fn after<T>(&mut self, result: Result<T, E>) -> ControlFlow<Result<T, E>, Duration> {
        Attempts::after(self, result)
    }

    fn sleep(&mut self, duration: Duration) -> impl Future<Output = ()> + Send + '_ {
        Attempts::sleep(self, duration)
    }

    fn sleep_blocking(&mut self, duration: Duration) {
        Attempts::sleep_blocking(self, duration);
    }
}

/// The attempts of a forwarded method: exactly one, sent at once, its arguments moved, its
/// result returned as it is.
#[derive(Debug)]
pub struct Forward;

impl<E> CallAttempts<E> for Forward {
    /// Nothing to scope: a forwarded call reads no rate limits.
    fn scope_by(&mut self, _: ScopeValue) {}

    fn ready_now(&mut self) -> bool {
        true
    }

    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` would capture `E`, which need not outlive the borrow"
    )]
    fn ready(&mut self) -> impl Future<Output = Result<(), E>> + Send + '_ {
        async { Ok(()) }
    }

    fn ready_blocking(&mut self) -> Result<(), E> {
        Ok(())
    }

    fn observing<'s, F: Future + 's>(
        &'s mut self,
        attempt: F,
    ) -> impl Future<Output = F::Output> + 's {
        attempt
    }

    fn observing_blocking<R>(&mut self, attempt: impl FnOnce() -> R) -> R {
        attempt()
    }

    fn after<T>(&mut self, result: Result<T, E>) -> ControlFlow<Result<T, E>, Duration> {
        ControlFlow::Break(result)
    }

    /// Never called: `after` never asks for a wait.
    fn sleep(&mut self, _: Duration) -> impl Future<Output = ()> + Send + '_ {
        core::future::ready(())
    }

    /// Never called: `after` never asks for a wait.
    fn sleep_blocking(&mut self, _: Duration) {}
}
