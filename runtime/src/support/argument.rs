//! The arguments of a retried method: a clone for each attempt but the last, which gets the
//! value itself (`Attempts::pass`).

use super::sealed;

/// What `#[errspec::client]` asks of a retried method's arguments: each attempt gets a clone.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Clone`, but errspec passes a clone of each argument of a retried method to every attempt",
    label = "this argument's type is not `Clone`",
    note = "derive or implement `Clone` for it, take it by reference, or wrap it in an `Arc`"
)]
pub trait RetryArgument: sealed::Argument {
    /// A copy for the next attempt.
    #[must_use]
    fn clone_for_attempt(&self) -> Self;
}

impl<T: Clone> sealed::Argument for T {}

impl<T: Clone> RetryArgument for T {
    fn clone_for_attempt(&self) -> Self {
        self.clone()
    }
}

/// The argument kept for the last attempt. Generated code takes each slot once, on the last
/// attempt (after which `after` returns), so the slot is never empty here.
pub fn take_argument<A>(slot: &mut Option<A>) -> A {
    match slot.take() {
        Some(value) => value,
        None => unreachable!("errspec takes a method argument once, on its last attempt"),
    }
}
