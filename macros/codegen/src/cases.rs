//! The conversions from a response that test a status's cases: `from_parts` (error statuses,
//! and success statuses' cases, the fallback after) and `from_success` (success statuses'
//! cases only), each case test written by one function, `case_test`.

use errspec_spec::{Case, Spec, Status, WaitField};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::generated::Generated;
use crate::tokens::{case_test, code_lit, option_str, wait_headers_tokens};

/// Statuses with cases test them in order, each case its own variant; statuses whose wait
/// sources differ from `[retry]`'s read their own; all others read `[retry]`'s. A success
/// status has no variant of its own: a response of it that matches no case goes to the
/// fallback, as its class says (`from_parts` is total).
pub(crate) fn from_parts(generated: &[Generated<'_>], spec: &Spec) -> TokenStream {
    let should_retry = option_str(spec.retry.should_retry_header.as_deref());
    let details = |waits: &[WaitField]| {
        let waits = wait_headers_tokens(waits);
        quote!(__response.details(#waits, #should_retry))
    };
    let mut arms = Vec::new();
    for status in &spec.statuses {
        if status.cases.is_empty() && *status.wait_headers == *spec.retry.wait_headers {
            continue;
        }
        let code = code_lit(status.code);
        let cases = cases_of(generated, status).map(|(c, case)| {
            let ident = &c.ident;
            let test = case_test(&case.when);
            let details = details(c.wait_headers());
            quote! {
                if #test {
                    return Self::#ident { details: #details };
                }
            }
        });
        let own = details(&status.wait_headers);
        let end = match generated
            .iter()
            .find(|g| g.case.is_none() && std::ptr::eq(g.status, status))
        {
            Some(g) => {
                let ident = &g.ident;
                quote!(Self::#ident { details: #own })
            }
            None => quote!(Self::__from_status(status, #own)),
        };
        arms.push(quote! {
            #code => {
                #(#cases)*
                #end
            }
        });
    }
    let default = details(&spec.retry.wait_headers);
    quote! {
        let __response = ::errspec::__private::Response::new(headers, body);
        match status.as_u16() {
            #(#arms)*
            _ => Self::__from_status(status, #default),
        }
    }
}

/// `from_success`: the cases of each success status, tested in order as `from_parts` tests an
/// error status's; `None` for a response that matches none, and for every other status. The
/// body is cut to its excerpt only for a status that has cases.
pub(crate) fn from_success(generated: &[Generated<'_>], spec: &Spec) -> TokenStream {
    let should_retry = option_str(spec.retry.should_retry_header.as_deref());
    let arms: Vec<TokenStream> = spec
        .statuses
        .iter()
        .filter(|s| Status::is_success(s))
        .map(|status| {
            let code = code_lit(status.code);
            let cases = cases_of(generated, status).map(|(c, case)| {
                let ident = &c.ident;
                let test = case_test(&case.when);
                let waits = wait_headers_tokens(c.wait_headers());
                quote! {
                    if #test {
                        return ::core::option::Option::Some(Self::#ident {
                            details: __response.details(#waits, #should_retry),
                        });
                    }
                }
            });
            quote! {
                #code => {
                    let __response = ::errspec::__private::Response::new(headers, body);
                    #(#cases)*
                }
            }
        })
        .collect();
    if arms.is_empty() {
        return quote! {
            let _ = (status, headers, body);
            ::core::option::Option::None
        };
    }
    quote! {
        match status.as_u16() {
            #(#arms)*
            _ => {}
        }
        ::core::option::Option::None
    }
}

/// `__has_success_cases`, for a spec with success statuses (the trait's default says `false`
/// for the others): whether a status is one of them.
pub(crate) fn has_success_cases(spec: &Spec) -> Option<TokenStream> {
    let codes: Vec<Literal> = spec
        .statuses
        .iter()
        .filter(|s| Status::is_success(s))
        .map(|s| code_lit(s.code))
        .collect();
    if codes.is_empty() {
        return None;
    }
    Some(quote! {
        fn __has_success_cases(status: ::errspec::http::StatusCode) -> bool {
            ::core::matches!(status.as_u16(), #(#codes)|*)
        }
    })
}

/// The case variants of `status`, in order, with their cases.
fn cases_of<'g, 'a>(
    generated: &'g [Generated<'a>],
    status: &'a Status,
) -> impl Iterator<Item = (&'g Generated<'a>, &'a Case)> {
    generated
        .iter()
        .filter(move |c| std::ptr::eq(c.status, status))
        .filter_map(|c| Some((c, c.case?)))
}
