//! The value of a client method's `#[errspec(scope)]` argument: its text as a
//! [`ScopeValue`], read through `AsRef<str>` when its type has it, else through `Display`.
//!
//! Generated code writes `(&&ScopeArgument(&value)).scope_value()`, and method lookup picks
//! the first of three impls that applies, in order: [`ByText`] on `&&ScopeArgument<T>` (for
//! `T: AsRef<str>`), [`ByDisplay`] on `&ScopeArgument<T>` (for `T: Display`), and
//! [`ByNeither`] on `ScopeArgument<T>`, whose method asks for [`ScopeArgumentType`], which no
//! type implements: its message names the two traits, at the parameter.

use core::fmt::Display;

use super::sealed;
use crate::ScopeValue;

/// A `#[errspec(scope)]` argument, borrowed.
pub struct ScopeArgument<'a, T: ?Sized>(pub &'a T);

impl<T: ?Sized> Clone for ScopeArgument<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for ScopeArgument<'_, T> {}

/// The argument's key from its `&str`.
pub trait ByText {
    /// The argument's value as a key.
    fn scope_value(self) -> ScopeValue;
}

impl<T: ?Sized + AsRef<str>> ByText for &&ScopeArgument<'_, T> {
    fn scope_value(self) -> ScopeValue {
        ScopeValue::new(self.0.as_ref())
    }
}

/// The argument's key from what its `Display` writes.
pub trait ByDisplay {
    /// The argument's value as a key.
    fn scope_value(self) -> ScopeValue;
}

impl<T: ?Sized + Display> ByDisplay for &ScopeArgument<'_, T> {
    fn scope_value(self) -> ScopeValue {
        ScopeValue::of_display(self.0)
    }
}

/// What a type that is neither `AsRef<str>` nor `Display` gets: a compile error, since the
/// method asks for a [`ScopeArgumentType`] (the impl itself asks nothing, so that method lookup
/// finds it).
pub trait ByNeither<T: ?Sized> {
    /// Never compiles: no type is a [`ScopeArgumentType`].
    fn scope_value(self) -> ScopeValue
    where
        T: ScopeArgumentType;
}

impl<T: ?Sized> ByNeither<T> for ScopeArgument<'_, T> {
    fn scope_value(self) -> ScopeValue
    where
        T: ScopeArgumentType,
    {
        ScopeValue::new("")
    }
}

/// Implemented by no type (it is sealed): what a `#[errspec(scope)]` argument whose type is
/// neither `AsRef<str>` nor `Display` is asked for, so that the error says why.
#[diagnostic::on_unimplemented(
    message = "a `#[errspec(scope)]` argument's type must implement `AsRef<str>` or `Display`, and `{Self}` implements neither",
    label = "the calls are scoped by this argument's text, which `{Self}` does not give",
    note = "implement `Display` (or `AsRef<str>`) for it, or mark a parameter whose type has one"
)]
pub trait ScopeArgumentType: sealed::ScopeArgument {}
