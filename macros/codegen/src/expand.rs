//! Tokens out for `#[errspec::errors]`: the enum filled from the spec, its conversions and
//! `Display`; `status_impl` writes its `StatusError` impl and tables, `stub` what stands in
//! for it beside compile errors.
//!
//! Everything is referred to by absolute path, generated locals are `__`-named, and anything
//! non-trivial (header parsing, body excerpts) is a call into the runtime so it is written and
//! tested once.

use std::path::Path;

use errspec_spec::{RetryPolicy, Segment, Spec, Status, WaitHeader};
use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::Ident;

use crate::Errors;
use crate::input::{UserEnum, UserVariant};
use crate::status_impl::{class_match, retry_config, status_error, statuses};

/// A spec status with its variant identifier.
pub(crate) struct Generated<'a> {
    pub(crate) status: &'a Status,
    pub(crate) ident: Ident,
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
            #vis fn retry_config() -> ::errspec::RetryConfig {
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
        " Retry policy `{}` ({}).",
        status.policy.as_str(),
        status.policy.describe()
    ));
    doc
}

pub(crate) fn code_lit(code: u16) -> Literal {
    Literal::u16_unsuffixed(code)
}

/// `::errspec::{ty}::{variant}` for a value of one of errspec-core's spelled enums.
pub(crate) fn variant_path(ty: &str, variant: &str) -> TokenStream {
    let ty = Ident::new(ty, Span::call_site());
    let variant = Ident::new(variant, Span::call_site());
    quote!(::errspec::#ty::#variant)
}

pub(crate) fn policy_tokens(policy: RetryPolicy) -> TokenStream {
    variant_path("RetryPolicy", policy.variant_name())
}

pub(crate) fn option_str(s: Option<&str>) -> TokenStream {
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

pub(crate) fn wait_headers_tokens(headers: &[WaitHeader]) -> TokenStream {
    let items = headers.iter().map(|h| {
        let format = variant_path("WaitFormat", h.format.variant_name());
        match (h.header_name(), h.body_pointer()) {
            (Some(name), _) => quote!(::errspec::WaitHeader::new(#name, #format)),
            (None, Some(pointer)) => quote!(::errspec::WaitHeader::body(#pointer, #format)),
            (None, None) => quote!(::core::compile_error!(
                "errspec: a wait source this code generator does not know"
            )),
        }
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
        if list == &*spec.retry.wait_headers {
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
        let text = spec.display.render(g.status);
        quote!(Self::#ident { .. } => __f.write_str(#text),)
    });
    let user_arms = user.iter().map(|v| {
        let message = &v.message;
        v.arm(&quote!(__f.write_str(#message)))
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
            let message = class_match(spec, |d| d.message, |m| quote!(#m));
            quote!(__f.write_str(#message)?;)
        }
        Segment::Hint => {
            let hint = class_match(spec, |d| d.hint.unwrap_or(""), |h| quote!(#h));
            quote!(__f.write_str(#hint)?;)
        }
        // A placeholder this version does not know: the spec crate parsed it, so it is newer.
        _ => quote!(::core::compile_error!(
            "errspec: a `display` placeholder this code generator does not know"
        );),
    });
    quote! {
        match self {
            #(#arms)*
            Self::#fallback { status, .. } => {
                #(#fallback_pieces)*
                ::core::result::Result::Ok(())
            }
            #(#user_arms)*
        }
    }
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
