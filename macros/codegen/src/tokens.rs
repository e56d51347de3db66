//! Small pieces of generated code shared by `expand`, `status_impl` and `client`: values of
//! errspec-core's enums, optional strings, durations, wait sources, case tests and per-class
//! matches.

use core::time::Duration;

use errspec_spec::{Defaults, MatchTest, RetryPolicy, Spec, WaitField, When, WhenSource};
use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::Ident;

/// A status code as an unsuffixed literal.
pub(crate) fn code_lit(code: u16) -> Literal {
    Literal::u16_unsuffixed(code)
}

/// `::errspec::{ty}::{variant}` for a value of one of errspec-core's spelled enums.
pub(crate) fn variant_path(ty: &str, variant: &str) -> TokenStream {
    let ty = Ident::new(ty, Span::call_site());
    let variant = Ident::new(variant, Span::call_site());
    quote!(::errspec::#ty::#variant)
}

/// `::errspec::RetryPolicy::{variant}`.
pub(crate) fn policy_tokens(policy: RetryPolicy) -> TokenStream {
    variant_path("RetryPolicy", policy.variant_name())
}

/// `Some("..")` or `None` for an `Option<&'static str>` (typed, so it stands anywhere).
pub(crate) fn option_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::<&'static str>::None),
    }
}

/// `::errspec::WaitField::new(..)` (or `::body(..)`) for one wait source, a const expression.
pub(crate) fn wait_header_tokens(h: &WaitField) -> TokenStream {
    let format = variant_path("WaitFormat", h.format.variant_name());
    match (h.header_name(), h.body_pointer()) {
        (Some(name), _) => quote!(::errspec::WaitField::new(#name, #format)),
        (None, Some(pointer)) => quote!(::errspec::WaitField::body(#pointer, #format)),
        (None, None) => quote!(::core::compile_error!(
            "errspec: a wait source this code generator does not know"
        )),
    }
}

/// A `&'static [WaitField]` expression for `headers`.
pub(crate) fn wait_headers_tokens(headers: &[WaitField]) -> TokenStream {
    let items = headers.iter().map(wait_header_tokens);
    // a `const` item, since a const fn body does not promote `&[..]` of calls to 'static
    quote!({
        const __WAIT_HEADERS: &[::errspec::WaitField] = &[#(#items),*];
        __WAIT_HEADERS
    })
}

/// The test of a case's `when` on `__response`: a call of `Response::header`, `body` or
/// `text` with the test's kind and values (none: the source is present).
pub(crate) fn case_test(when: &When) -> TokenStream {
    let (kind, values) = match &when.test {
        Some(test) => (test.kind, test.values.as_slice()),
        None => (MatchTest::Equals, &[][..]),
    };
    let kind = variant_path("MatchTest", kind.variant_name());
    match &when.source {
        WhenSource::Header(name) => quote!(__response.header(#name, #kind, &[#(#values),*])),
        WhenSource::Body(pointer) => quote!(__response.body(#pointer, #kind, &[#(#values),*])),
        WhenSource::Text => quote!(__response.text(#kind, &[#(#values),*])),
        _ => quote!(::core::compile_error!(
            "errspec: a case condition this code generator does not know"
        )),
    }
}

/// A `match` on the fallback's status code giving the value `pick` takes from each class's
/// [`Defaults`], with equal neighbouring classes merged into one range and codes in no class
/// (600..=999) in the last arm: as fast as a hand-written range check.
pub(crate) fn class_match<'s, T: PartialEq + Copy>(
    spec: &'s Spec,
    pick: impl Fn(Defaults<'s>) -> T,
    tokens: impl Fn(T) -> TokenStream,
) -> TokenStream {
    let mut ranges: Vec<(u16, u16, T)> = Vec::new();
    for start in (100..600).step_by(100) {
        let value = pick(spec.defaults_for(start));
        match ranges.last_mut() {
            Some((_, end, last)) if *last == value => *end = start + 99,
            _ => ranges.push((start, start + 99, value)),
        }
    }
    let unclassified = pick(spec.defaults_for(600));
    let arms = ranges
        .iter()
        .filter(|(_, _, value)| *value != unclassified)
        .map(|(start, end, value)| {
            let (start, end) = (
                Literal::u16_unsuffixed(*start),
                Literal::u16_unsuffixed(*end),
            );
            let value = tokens(*value);
            quote!(#start..=#end => #value,)
        });
    let rest = tokens(unclassified);
    quote! {
        match status.as_u16() {
            #(#arms)*
            _ => #rest,
        }
    }
}

/// `::core::time::Duration::new(secs, nanos)`.
pub(crate) fn duration(d: Duration) -> TokenStream {
    let secs = Literal::u64_unsuffixed(d.as_secs());
    let nanos = Literal::u32_unsuffixed(d.subsec_nanos());
    quote!(::core::time::Duration::new(#secs, #nanos))
}

/// `Some(duration)` or `None`.
pub(crate) fn optional_duration(d: Option<Duration>) -> TokenStream {
    match d {
        Some(d) => {
            let d = duration(d);
            quote!(::core::option::Option::Some(#d))
        }
        None => quote!(::core::option::Option::None),
    }
}
