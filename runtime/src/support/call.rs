//! What the methods `#[errspec::client]` generates call: the choice between the retry engine
//! and a plain forward, the attempts' arguments, and the bound that asks for `StatusError`.

use core::future::Future;
use core::time::Duration;

use super::argument::take_argument;
use super::sealed;
use crate::{Attempts, Idempotency, Retrying, StatusError};

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

/// The attempts of a forwarded method: exactly one. It answers every method generated code
/// calls on [`Attempts`], with nothing to wait for.
#[derive(Debug)]
pub struct Forward;

impl Forward {
    /// Always returns the result.
    pub fn after<T, E>(
        &mut self,
        result: Result<T, E>,
    ) -> core::ops::ControlFlow<Result<T, E>, Duration> {
        core::ops::ControlFlow::Break(result)
    }

    /// The argument itself: there is only one attempt.
    pub fn pass<A>(&self, slot: &mut Option<A>) -> A {
        take_argument(slot)
    }

    /// Nothing to wait for: a forwarded call is sent at once.
    pub fn ready<E>(&mut self) -> core::future::Ready<Result<(), E>> {
        core::future::ready(Ok(()))
    }

    /// Nothing to wait for: a forwarded call is sent at once.
    pub fn ready_blocking<E>(&mut self) -> Result<(), E> {
        Ok(())
    }

    /// The attempt itself: a forwarded call reads no rate limits.
    pub fn observing<F: Future>(&self, attempt: F) -> F {
        attempt
    }

    /// The attempt itself: a forwarded call reads no rate limits.
    pub fn observing_blocking<R>(&self, attempt: impl FnOnce() -> R) -> R {
        attempt()
    }

    /// Never called: `after` never asks for a wait.
    pub fn sleep(&self, _: Duration) -> core::future::Ready<()> {
        core::future::ready(())
    }

    /// Never called: `after` never asks for a wait.
    pub fn sleep_blocking(&self, _: Duration) {}
}
