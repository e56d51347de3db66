//! The support of generated code, re-exported as `errspec::__private` (see `private.rs`).

pub(crate) mod argument;
pub(crate) mod call;
pub(crate) mod error;
pub(crate) mod features;
pub(crate) mod scope;

/// Implemented only for the types the hidden traits of `__private` are for, so that no other
/// crate can implement them.
mod sealed {
    /// Sealing `RetryArgument`.
    pub trait Argument {}
    /// Sealing `RetryWithStatus` and `ForwardOtherErrors`.
    pub trait Engine {}
    /// Sealing `CallAttempts`.
    pub trait Attempts {}
    /// Sealing `ScopeArgumentType`, which no type implements.
    pub trait ScopeArgument {}
    /// Sealing `AsDynError`.
    pub trait DynError {}
}

/// How many [`ThreadSleeper`](crate::ThreadSleeper) waits the process's timer holds: polled,
/// not yet due, not dropped. For tests that check cancelled waits leave nothing.
pub fn thread_sleeper_pending() -> usize {
    crate::timer::Timer::global().pending()
}
