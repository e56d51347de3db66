//! Every error of one expansion, reported together (serde's `Ctxt` idea): the one place
//! codegen combines `syn::Error`s.

use errspec_spec::Diagnostics;
use proc_macro2::Span;

/// The errors found so far; empty until the first [`push`](Self::push).
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Each of a spec's diagnostics, spanned on the `spec = "..."` literal at `span`.
    pub(crate) fn push_diagnostics(&mut self, span: Span, diagnostics: Diagnostics) {
        for d in diagnostics.0 {
            self.push(syn::Error::new(span, d.to_string()));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn into_result(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }

    /// The errors, or `otherwise` when there are none.
    pub(crate) fn into_error(self, otherwise: &str) -> syn::Error {
        self.0
            .unwrap_or_else(|| syn::Error::new(Span::call_site(), otherwise))
    }
}
