//! Tokens out for `#[errspec::errors]`: the enum filled from the spec, and its impls.
//!
//! Everything is referred to by absolute path, generated locals are `__`-named, and anything
//! non-trivial (header parsing, body excerpts) is a call into the runtime so it is written and
//! tested once.

use std::path::Path;

use errspec_spec::{Policy, Segment, Spec, Status, WaitFormat, WaitHeader};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::Ident;

use crate::Errors;
use crate::input::{UserEnum, UserVariant};

/// A spec status with its variant identifier.
struct Generated<'a> {
    status: &'a Status,
    ident: Ident,
}

/// Checks that the spec's names can be Rust identifiers and do not collide with the user's
/// variants; returns the generated variants' identifiers and the fallback's.
fn idents<'a>(
    user: &UserEnum,
    spec: &'a Spec,
    errors: &mut Errors,
) -> Option<(Vec<Generated<'a>>, Ident)> {
    let mut ok = true;
    let mut to_ident = |name: &str, what: &str| match syn::parse_str::<Ident>(name) {
        Ok(ident) => Some(ident),
        Err(_) => {
            errors.push(syn::Error::new(
                user.ident.span(),
                format!("{what} `{name}` from the spec is not a Rust identifier"),
            ));
            ok = false;
            None
        }
    };
    let generated: Vec<Generated<'a>> = spec
        .statuses
        .iter()
        .filter_map(|status| {
            to_ident(&status.name, "variant name").map(|ident| Generated { status, ident })
        })
        .collect();
    let fallback = to_ident(&spec.fallback, "fallback name");
    for v in &user.variants {
        let name = v.variant.ident.to_string();
        if let Some(g) = generated.iter().find(|g| g.status.name == name) {
            errors.push(syn::Error::new(
                v.variant.ident.span(),
                format!(
                    "variant `{name}` is already generated from status {} of the spec; rename \
                     yours",
                    g.status.code
                ),
            ));
            ok = false;
        } else if name == spec.fallback {
            errors.push(syn::Error::new(
                v.variant.ident.span(),
                format!(
                    "variant `{name}` is already generated as the spec's fallback for unlisted \
                     statuses; rename yours, or set `fallback = \"...\"` in the spec's `[api]`"
                ),
            ));
            ok = false;
        }
    }
    match (ok, fallback) {
        (true, Some(fallback)) => Some((generated, fallback)),
        _ => None,
    }
}

pub(crate) fn errors(
    user: &UserEnum,
    spec: &Spec,
    spec_file: &Path,
    spec_name: &str,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let (generated, fallback) = idents(user, spec, errors)?;
    let ty = &user.ident;
    let vis = &user.vis;
    let attrs = &user.attrs;
    let spec_file = spec_file.to_string_lossy();

    let enum_doc = enum_doc(spec, spec_name);
    let variants = generated.iter().map(|g| {
        let ident = &g.ident;
        let doc = variant_doc(g.status);
        quote! {
            #(#[doc = #doc])*
            #ident {
                /// The wait header's value and a body excerpt, when built from a response.
                details: ::errspec::Details,
            },
        }
    });
    let fallback_doc = " A status the spec does not list; its message and policy are those of its \
                        class in the spec (codes 600 and above belong to no class and are never \
                        retried).";
    let user_variants = user.variants.iter().map(|v| &v.variant);

    let from_status = from_status(&generated, &fallback);
    let from_parts = from_parts(&generated, spec);
    let display = display(spec, &generated, &fallback, &user.variants);
    let source = source(&user.variants);
    let status_error = status_error(spec, &generated, &fallback, &user.variants);
    let statuses = statuses(&generated);
    let retry_config = retry_config(spec);

    Some(quote! {
        #(#attrs)*
        #(#[doc = #enum_doc])*
        #vis enum #ty {
            #(#variants)*
            #[doc = #fallback_doc]
            #fallback {
                /// The status as received.
                status: ::errspec::http::StatusCode,
                /// The wait header's value and a body excerpt, when built from a response.
                details: ::errspec::Details,
            },
            #(#user_variants,)*
        }

        // Makes cargo rebuild this crate when the spec file changes.
        const _: &[u8] = ::core::include_bytes!(#spec_file);

        #[automatically_derived]
        impl #ty {
            /// Every status of the spec, in code order (the fallback variant has no entry).
            #vis const STATUSES: &'static [::errspec::StatusInfo] = &[#(#statuses),*];

            /// The spec's `[retry]` settings.
            #[must_use]
            #vis const fn retry_config() -> ::errspec::RetryConfig {
                #retry_config
            }

            /// The error for a response: its status, the wait its wait header asks for, and an
            /// excerpt of its body (at most 4 KiB, lossy UTF-8).
            #[must_use]
            #vis fn from_parts(
                status: ::errspec::http::StatusCode,
                headers: &::errspec::http::HeaderMap,
                body: ::core::option::Option<&[u8]>,
            ) -> Self {
                #from_parts
            }

            fn __from_status(
                status: ::errspec::http::StatusCode,
                details: ::errspec::Details,
            ) -> Self {
                #from_status
            }
        }

        #[automatically_derived]
        impl ::core::convert::From<::errspec::http::StatusCode> for #ty {
            fn from(status: ::errspec::http::StatusCode) -> Self {
                Self::__from_status(status, ::errspec::Details::NONE)
            }
        }

        #[automatically_derived]
        impl ::core::convert::TryFrom<u16> for #ty {
            type Error = ::errspec::http::status::InvalidStatusCode;

            fn try_from(code: u16) -> ::core::result::Result<Self, Self::Error> {
                ::core::result::Result::map(
                    ::errspec::http::StatusCode::from_u16(code),
                    <Self as ::core::convert::From<::errspec::http::StatusCode>>::from,
                )
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for #ty {
            fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #display
            }
        }

        #[automatically_derived]
        impl ::std::error::Error for #ty {
            #source
        }

        #[automatically_derived]
        impl ::errspec::StatusError for #ty {
            #status_error
        }
    })
}

/// The fallback's message for codes 600..=999, which belong to no class (RFC 9110 defines
/// classes 1xx to 5xx only); they are never retried.
const UNCLASSIFIED_MESSAGE: &str = "unexpected status code outside the standard classes";

fn enum_doc(spec: &Spec, spec_name: &str) -> Vec<String> {
    let mut doc = vec![
        String::new(),
        format!(
            " Errors of the {} API, generated by errspec from `{spec_name}`.",
            spec.api_name
        ),
    ];
    if let Some(url) = &spec.docs {
        doc.push(String::new());
        doc.push(format!(" API documentation: <{url}>"));
    }
    doc
}

fn variant_doc(status: &Status) -> Vec<String> {
    let mut doc = vec![format!(
        " `{} {}`: {}.",
        status.code, status.reason, status.message
    )];
    if let Some(hint) = &status.hint {
        doc.push(String::new());
        doc.push(format!(" Hint: {hint}."));
    }
    doc.push(String::new());
    doc.push(format!(
        " Retry policy `{}`: {}.",
        status.policy.as_str(),
        policy_words(status.policy)
    ));
    doc
}

fn policy_words(policy: Policy) -> &'static str {
    match policy {
        Policy::Never => "never retried",
        Policy::Always => "retried with backoff whatever the request method",
        Policy::Idempotent => "retried with backoff for idempotent requests only",
        Policy::AfterHeader => {
            "retried for any request after the wait the response's wait header asks for, or \
             after backoff when no valid header came"
        }
    }
}

fn code_lit(code: u16) -> Literal {
    Literal::u16_unsuffixed(code)
}

fn policy_tokens(policy: Policy) -> TokenStream {
    match policy {
        Policy::Never => quote!(::errspec::RetryPolicy::Never),
        Policy::Always => quote!(::errspec::RetryPolicy::Always),
        Policy::Idempotent => quote!(::errspec::RetryPolicy::Idempotent),
        Policy::AfterHeader => quote!(::errspec::RetryPolicy::AfterHeader),
    }
}

fn option_str(s: Option<&String>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn from_status(generated: &[Generated<'_>], fallback: &Ident) -> TokenStream {
    let arms = generated.iter().map(|g| {
        let code = code_lit(g.status.code);
        let ident = &g.ident;
        quote!(#code => Self::#ident { details },)
    });
    quote! {
        match status.as_u16() {
            #(#arms)*
            _ => Self::#fallback { status, details },
        }
    }
}

fn wait_headers_tokens(headers: &[WaitHeader]) -> TokenStream {
    let items = headers.iter().map(|h| {
        let name = &h.name;
        let format = match h.format {
            WaitFormat::Http => quote!(Http),
            WaitFormat::Seconds => quote!(Seconds),
            WaitFormat::Unix => quote!(Unix),
            WaitFormat::Millis => quote!(Millis),
        };
        quote!(::errspec::WaitHeader::new(#name, ::errspec::WaitFormat::#format))
    });
    // a `const` item, since a const fn body does not promote `&[..]` of calls to 'static
    quote!({
        const __WAIT_HEADERS: &[::errspec::WaitHeader] = &[#(#items),*];
        __WAIT_HEADERS
    })
}

/// Groups the statuses whose wait headers differ from `[retry] wait_headers` by list, so each
/// distinct list appears once.
fn from_parts(generated: &[Generated<'_>], spec: &Spec) -> TokenStream {
    let mut groups: Vec<(&[WaitHeader], Vec<u16>)> = Vec::new();
    for g in generated {
        let list = g.status.wait_headers.as_slice();
        if list == spec.retry.wait_headers.as_slice() {
            continue;
        }
        match groups.iter_mut().find(|(l, _)| *l == list) {
            Some((_, codes)) => codes.push(g.status.code),
            None => groups.push((list, vec![g.status.code])),
        }
    }
    let default = wait_headers_tokens(&spec.retry.wait_headers);
    let arms = groups.iter().map(|(list, codes)| {
        let codes = codes.iter().map(|c| code_lit(*c));
        let list = wait_headers_tokens(list);
        quote!(#(#codes)|* => #list,)
    });
    let select = if groups.is_empty() {
        default
    } else {
        quote! {
            match status.as_u16() {
                #(#arms)*
                _ => #default,
            }
        }
    };
    quote! {
        let __wait_headers: &[::errspec::WaitHeader] = #select;
        Self::__from_status(
            status,
            ::errspec::Details::from_response(headers, __wait_headers, body),
        )
    }
}

/// Display: one `write_str` of a precomputed string for spec variants, the template's pieces for
/// the fallback, the user's message for user variants.
fn display(
    spec: &Spec,
    generated: &[Generated<'_>],
    fallback: &Ident,
    user: &[UserVariant],
) -> TokenStream {
    let arms = generated.iter().map(|g| {
        let ident = &g.ident;
        let text = render(spec, g.status);
        quote!(Self::#ident { .. } => #text,)
    });
    let user_arms = user.iter().map(|v| {
        let message = &v.message;
        v.arm(&quote!(#message))
    });
    let fallback_pieces = spec.display.segments.iter().map(|seg| match seg {
        Segment::Literal(text) => quote!(__f.write_str(#text)?;),
        Segment::Code => quote!(::core::fmt::Display::fmt(&status.as_u16(), __f)?;),
        Segment::Reason => quote! {
            __f.write_str(::errspec::__private::reason_phrase(*status))?;
        },
        Segment::Name => {
            let name = fallback.to_string();
            quote!(__f.write_str(#name)?;)
        }
        Segment::Message => {
            let messages = spec.classes.iter().map(|c| c.message.as_str());
            let messages = messages.chain([UNCLASSIFIED_MESSAGE]);
            quote! {
                __f.write_str([#(#messages),*][::errspec::__private::class_index(*status)])?;
            }
        }
        Segment::Hint => {
            let hints = spec.classes.iter().map(|c| c.hint.as_deref().unwrap_or(""));
            let hints = hints.chain([""]);
            quote! {
                __f.write_str([#(#hints),*][::errspec::__private::class_index(*status)])?;
            }
        }
    });
    quote! {
        __f.write_str(match self {
            #(#arms)*
            Self::#fallback { status, .. } => {
                #(#fallback_pieces)*
                return ::core::result::Result::Ok(());
            }
            #(#user_arms)*
        })
    }
}

/// The display template applied to a listed status, at compile time.
fn render(spec: &Spec, status: &Status) -> String {
    let mut out = String::new();
    for seg in &spec.display.segments {
        match seg {
            Segment::Literal(text) => out.push_str(text),
            Segment::Code => out.push_str(&status.code.to_string()),
            Segment::Reason => out.push_str(&status.reason),
            Segment::Name => out.push_str(&status.name),
            Segment::Message => out.push_str(&status.message),
            Segment::Hint => out.push_str(status.hint.as_deref().unwrap_or("")),
        }
    }
    out
}

fn source(user: &[UserVariant]) -> TokenStream {
    let arms: Vec<TokenStream> = user
        .iter()
        .filter_map(|v| {
            let member = v.source.as_ref()?;
            let ident = &v.variant.ident;
            let cfgs = v.cfgs();
            Some(quote! {
                #(#cfgs)*
                Self::#ident { #member: __source, .. } => ::core::option::Option::Some({
                    use ::errspec::__private::AsDynError as _;
                    __source.as_dyn_error()
                }),
            })
        })
        .collect();
    if arms.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn source(&self) -> ::core::option::Option<&(dyn ::std::error::Error + 'static)> {
            #[allow(unreachable_patterns)]
            match self {
                #(#arms)*
                _ => ::core::option::Option::None,
            }
        }
    }
}

fn status_error(
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
    let mut by_policy: Vec<(Policy, Vec<TokenStream>)> = Vec::new();
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
    let class_policy = class_match(
        spec.classes.iter().map(|c| c.policy),
        Policy::Never,
        policy_tokens,
    );

    let mut by_hint: Vec<(Option<&String>, Vec<TokenStream>)> = Vec::new();
    for g in generated {
        let ident = &g.ident;
        let hint = g.status.hint.as_ref();
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
    let class_hint = class_match(
        spec.classes.iter().map(|c| c.hint.as_ref()),
        None,
        option_str,
    );

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

/// A `match` on the fallback's status code giving each class's value, with equal neighbouring
/// classes merged into one range and codes 600..=999 (no class) given `unclassified`: as fast
/// as a hand-written range check.
fn class_match<T: PartialEq + Copy>(
    classes: impl Iterator<Item = T>,
    unclassified: T,
    tokens: impl Fn(T) -> TokenStream,
) -> TokenStream {
    let mut ranges: Vec<(u16, u16, T)> = Vec::new();
    for (i, value) in (1u16..).zip(classes) {
        let (start, end) = (i * 100, i * 100 + 99);
        match ranges.last_mut() {
            Some((_, last_end, last)) if *last == value && *last_end + 1 == start => {
                *last_end = end;
            }
            _ => ranges.push((start, end, value)),
        }
    }
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

fn statuses(generated: &[Generated<'_>]) -> Vec<TokenStream> {
    generated
        .iter()
        .map(|g| {
            let s = g.status;
            let code = code_lit(s.code);
            let name = &s.name;
            let reason = &s.reason;
            let message = &s.message;
            let hint = option_str(s.hint.as_ref());
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

fn retry_config(spec: &Spec) -> TokenStream {
    let r = &spec.retry;
    let max_attempts = Literal::u32_unsuffixed(r.max_attempts);
    let initial = duration(r.initial_backoff);
    let max = duration(r.max_backoff);
    let multiplier = Literal::f64_suffixed(r.multiplier);
    let jitter = match r.jitter {
        errspec_spec::Jitter::None => quote!(None),
        errspec_spec::Jitter::Full => quote!(Full),
        errspec_spec::Jitter::Equal => quote!(Equal),
        errspec_spec::Jitter::Decorrelated => quote!(Decorrelated),
    };
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
            .with_jitter(::errspec::Jitter::#jitter)
            .with_max_retry_after(#max_retry_after)
            .with_max_elapsed(#max_elapsed)
            .with_wait_headers(#wait_headers)
            .with_budget(#budget)
    }
}

/// What is emitted next to the errors when expansion fails: the user's enum with its own
/// variants and impls whose bodies never run, so the user sees the real error and not a cascade
/// of "trait not implemented" ones.
pub(crate) fn stub(user: &UserEnum) -> TokenStream {
    let ty = &user.ident;
    let vis = &user.vis;
    let attrs = &user.attrs;
    let variants = user.variants.iter().map(|v| &v.variant);
    // Without variants the stub would be uninhabited, and every use of a value of it would
    // draw "unreachable code" and "unused variable" warnings on top of the real error.
    let inhabited = user.variants.is_empty().then(|| {
        quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            __ErrspecStub,
        }
    });
    let unreachable = quote!(::errspec::__private::unreachable_stub());
    quote! {
        #(#attrs)*
        #vis enum #ty {
            #(#variants,)*
            #inhabited
        }

        #[automatically_derived]
        impl #ty {
            #vis const STATUSES: &'static [::errspec::StatusInfo] = &[];
            #vis fn retry_config() -> ::errspec::RetryConfig { #unreachable }
            #vis fn from_parts(
                _: ::errspec::http::StatusCode,
                _: &::errspec::http::HeaderMap,
                _: ::core::option::Option<&[u8]>,
            ) -> Self { #unreachable }
        }
        #[automatically_derived]
        impl ::core::convert::From<::errspec::http::StatusCode> for #ty {
            fn from(_: ::errspec::http::StatusCode) -> Self { #unreachable }
        }
        #[automatically_derived]
        impl ::core::convert::TryFrom<u16> for #ty {
            type Error = ::errspec::http::status::InvalidStatusCode;
            fn try_from(_: u16) -> ::core::result::Result<Self, Self::Error> { #unreachable }
        }
        #[automatically_derived]
        impl ::core::fmt::Display for #ty {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result { #unreachable }
        }
        #[automatically_derived]
        impl ::std::error::Error for #ty {}
        #[automatically_derived]
        impl ::errspec::StatusError for #ty {
            fn status(&self) -> ::core::option::Option<::errspec::http::StatusCode> { #unreachable }
            fn policy(&self) -> ::errspec::RetryPolicy { #unreachable }
            fn retry_after(&self) -> ::core::option::Option<::core::time::Duration> { #unreachable }
            fn hint(&self) -> ::core::option::Option<&'static str> { #unreachable }
            fn retry_config() -> ::errspec::RetryConfig { #unreachable }
            fn from_parts(
                _: ::errspec::http::StatusCode,
                _: &::errspec::http::HeaderMap,
                _: ::core::option::Option<&[u8]>,
            ) -> Self { #unreachable }
        }
    }
}
