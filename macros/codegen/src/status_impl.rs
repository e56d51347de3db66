//! The generated `impl StatusError`, the `STATUSES` table and `retry_config()`.

use errspec_spec::{Defaults, RetryPolicy, Spec};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::Ident;

use crate::expand::{
    Generated, code_lit, option_str, policy_tokens, variant_path, wait_headers_tokens,
};
use crate::input::UserVariant;

pub(crate) fn status_error(
    spec: &Spec,
    generated: &[Generated<'_>],
    fallback: &Ident,
    user: &[UserVariant],
) -> TokenStream {
    let status_arms = generated.iter().map(|g| {
        let ident = &g.ident;
        let code = code_lit(g.status.code);
        quote! {
            Self::#ident { .. } => ::core::option::Option::Some(
                const { ::errspec::__private::status_code(#code) },
            ),
        }
    });
    let none = quote!(::core::option::Option::None);
    let user_none: TokenStream = user.iter().map(|v| v.arm(&none)).collect();

    // policy(): variants grouped by policy
    let mut by_policy: Vec<(RetryPolicy, Vec<TokenStream>)> = Vec::new();
    let pats = generated.iter().map(|g| {
        let ident = &g.ident;
        (g.status.policy, quote!(Self::#ident { .. }))
    });
    for (policy, pat) in pats {
        match by_policy.iter_mut().find(|(p, _)| *p == policy) {
            Some((_, list)) => list.push(pat),
            None => by_policy.push((policy, vec![pat])),
        }
    }
    let policy_arms = by_policy.iter().map(|(policy, pats)| {
        let policy = policy_tokens(*policy);
        quote!(#(#pats)|* => #policy,)
    });
    let user_policies: TokenStream = user
        .iter()
        .map(|v| v.arm(&policy_tokens(v.policy)))
        .collect();
    let class_policy = class_match(spec, |d| d.policy, policy_tokens);

    let mut by_hint: Vec<(Option<&str>, Vec<TokenStream>)> = Vec::new();
    for g in generated {
        let ident = &g.ident;
        let hint = g.status.hint.as_deref();
        let pat = quote!(Self::#ident { .. });
        match by_hint.iter_mut().find(|(h, _)| *h == hint) {
            Some((_, list)) => list.push(pat),
            None => by_hint.push((hint, vec![pat])),
        }
    }
    let hint_arms = by_hint.iter().map(|(hint, pats)| {
        let hint = option_str(*hint);
        quote!(#(#pats)|* => #hint,)
    });
    let class_hint = class_match(spec, |d| d.hint, option_str);

    let details_pats: Vec<TokenStream> = generated
        .iter()
        .map(|g| {
            let ident = &g.ident;
            quote!(Self::#ident { details })
        })
        .collect();

    quote! {
        fn status(&self) -> ::core::option::Option<::errspec::http::StatusCode> {
            match self {
                #(#status_arms)*
                Self::#fallback { status, .. } => ::core::option::Option::Some(*status),
                #user_none
            }
        }

        fn policy(&self) -> ::errspec::RetryPolicy {
            match self {
                #(#policy_arms)*
                Self::#fallback { status, .. } => #class_policy,
                #user_policies
            }
        }

        fn retry_after(&self) -> ::core::option::Option<::core::time::Duration> {
            match self {
                #(#details_pats)|* | Self::#fallback { details, .. } => details.retry_after(),
                #user_none
            }
        }

        fn hint(&self) -> ::core::option::Option<&'static str> {
            match self {
                #(#hint_arms)*
                Self::#fallback { status, .. } => #class_hint,
                #user_none
            }
        }

        fn body(&self) -> ::core::option::Option<&str> {
            match self {
                #(#details_pats)|* | Self::#fallback { details, .. } => details.body(),
                #user_none
            }
        }

        fn retry_config() -> ::errspec::RetryConfig {
            Self::retry_config()
        }

        fn from_parts(
            status: ::errspec::http::StatusCode,
            headers: &::errspec::http::HeaderMap,
            body: ::core::option::Option<&[u8]>,
        ) -> Self {
            Self::from_parts(status, headers, body)
        }
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

pub(crate) fn statuses(generated: &[Generated<'_>]) -> Vec<TokenStream> {
    generated
        .iter()
        .map(|g| {
            let s = g.status;
            let code = code_lit(s.code);
            let name = &s.name;
            let reason = &s.reason;
            let message = &s.message;
            let hint = option_str(s.hint.as_deref());
            let policy = policy_tokens(s.policy);
            quote! {
                ::errspec::StatusInfo {
                    code: #code,
                    name: #name,
                    reason: #reason,
                    message: #message,
                    hint: #hint,
                    policy: #policy,
                }
            }
        })
        .collect()
}

fn duration(d: core::time::Duration) -> TokenStream {
    let secs = Literal::u64_unsuffixed(d.as_secs());
    let nanos = Literal::u32_unsuffixed(d.subsec_nanos());
    quote!(::core::time::Duration::new(#secs, #nanos))
}

pub(crate) fn retry_config(spec: &Spec) -> TokenStream {
    let r = &spec.retry;
    let max_attempts = Literal::u32_unsuffixed(r.max_attempts);
    let initial = duration(r.initial_backoff);
    let max = duration(r.max_backoff);
    let multiplier = Literal::f64_suffixed(r.multiplier);
    let jitter = variant_path("Jitter", r.jitter.variant_name());
    let max_retry_after = duration(r.max_retry_after);
    let max_elapsed = match r.max_elapsed {
        Some(d) => {
            let d = duration(d);
            quote!(::core::option::Option::Some(#d))
        }
        None => quote!(::core::option::Option::None),
    };
    let wait_headers = wait_headers_tokens(&r.wait_headers);
    let budget = match r.budget {
        Some(b) => {
            let ratio = Literal::f64_suffixed(b.ratio);
            let min = Literal::u32_unsuffixed(b.min_per_second);
            quote!(::core::option::Option::Some(::errspec::BudgetConfig::new(#ratio, #min)))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::errspec::RetryConfig::new()
            .with_max_attempts(#max_attempts)
            .with_initial_backoff(#initial)
            .with_max_backoff(#max)
            .with_multiplier(#multiplier)
            .with_jitter(#jitter)
            .with_max_retry_after(#max_retry_after)
            .with_max_elapsed(#max_elapsed)
            .with_wait_headers(#wait_headers)
            .with_budget(#budget)
    }
}
