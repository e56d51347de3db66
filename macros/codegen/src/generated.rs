//! The variants a spec generates: one per status and one per case, with what each says.
//! `valid` makes them (checking their names), `expand` and `status_impl` write them out.

use core::time::Duration;

use errspec_spec::{Case, RetryPolicy, Spec, Status, WaitField, WhenSource};
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// A variant from the spec: a status, or one of its cases, with its identifier.
pub(crate) struct Generated<'a> {
    pub(crate) status: &'a Status,
    pub(crate) case: Option<&'a Case>,
    pub(crate) ident: Ident,
}

impl Generated<'_> {
    pub(crate) fn name(&self) -> &str {
        self.case.map_or(&self.status.name, |c| &c.name)
    }

    pub(crate) fn message(&self) -> &str {
        self.case.map_or(&self.status.message, |c| &c.message)
    }

    pub(crate) fn hint(&self) -> Option<&str> {
        self.case.map_or(&self.status.hint, |c| &c.hint).as_deref()
    }

    pub(crate) fn policy(&self) -> RetryPolicy {
        self.case.map_or(self.status.policy, |c| c.policy)
    }

    pub(crate) fn wait_headers(&self) -> &[WaitField] {
        self.case
            .map_or(&self.status.wait_headers, |c| &c.wait_headers)
    }

    pub(crate) fn max_attempts(&self) -> Option<u32> {
        self.case
            .map_or(self.status.max_attempts, |c| c.max_attempts)
    }

    pub(crate) fn min_wait(&self) -> Option<Duration> {
        self.case.map_or(self.status.min_wait, |c| c.min_wait)
    }

    /// Whether this variant is a refusal of the rate limit (the spec's `rate_limited`).
    pub(crate) fn rate_limited(&self) -> bool {
        self.case
            .map_or(self.status.rate_limited, |c| c.rate_limited)
    }

    /// `Self::Name { .. }`.
    pub(crate) fn pattern(&self) -> TokenStream {
        let ident = &self.ident;
        quote!(Self::#ident { .. })
    }
}

/// The transport variant's identifier, when the spec has `[transport]`.
pub(crate) fn transport_ident(spec: &Spec) -> Option<Ident> {
    let transport = spec.transport.as_ref()?;
    syn::parse_str::<Ident>(&transport.name).ok()
}

/// Every wait source the spec names, `[retry]`'s, the statuses' and the cases'.
pub(crate) fn all_waits(spec: &Spec) -> impl Iterator<Item = &WaitField> {
    spec.retry
        .wait_headers
        .iter()
        .chain(spec.statuses.iter().flat_map(|s| {
            s.wait_headers
                .iter()
                .chain(s.cases.iter().flat_map(|c| c.wait_headers.iter()))
        }))
}

/// Whether the spec reads JSON bodies: a `body` wait source or a case `when = { body }`.
pub(crate) fn needs_json(spec: &Spec) -> bool {
    all_waits(spec).any(|w| w.body_pointer().is_some())
        || spec.statuses.iter().any(|s| {
            s.cases
                .iter()
                .any(|c| matches!(c.when.source, WhenSource::Body(_)))
        })
}
