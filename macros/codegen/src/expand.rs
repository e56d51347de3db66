//! Tokens out for `#[errspec::errors]`: the enum filled from the spec, its conversions and
//! `Display`; `cases` writes the conversions that test cases (`from_parts`, `from_success`),
//! `status_impl` its `StatusError` impl and tables, `stub` what stands in for it beside
//! compile errors.
//!
//! Everything is referred to by absolute path, generated locals are `__`-named, and anything
//! non-trivial (header parsing, body excerpts) is a call into the runtime so it is written and
//! tested once.

use std::path::Path;

use errspec_spec::{Segment, Spec, TransportKind};
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use crate::cases::{from_parts, from_success, has_success_cases};
use crate::errors::Errors;
use crate::generated::{Generated, all_waits, needs_json, transport_ident};
use crate::input::{UserEnum, UserVariant};
use crate::status_impl::{retry_config, status_error, statuses, transport_error};
use crate::tokens::{class_match, code_lit};
use crate::valid::idents;

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
        let doc = variant_doc(g);
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
    let transport_variant = spec
        .transport
        .as_ref()
        .zip(transport_ident(spec))
        .map(|(t, ident)| {
            let mut doc = vec![format!(" {}: the request got no response.", t.message)];
            if let Some(hint) = &t.hint {
                doc.push(String::new());
                doc.push(format!(" Hint: {hint}."));
            }
            doc.push(String::new());
            let policies: Vec<String> = TransportKind::ALL
                .iter()
                .map(|(_, kind)| format!("`{}` {}", t.policy(*kind), kind.when()))
                .collect();
            doc.push(format!(" Retry policies: {}.", policies.join(", ")));
            quote! {
                #(#[doc = #doc])*
                #ident {
                    /// What failed: connecting, waiting for the response, or something else.
                    kind: ::errspec::TransportKind,
                    /// The transport's error.
                    source: ::errspec::BoxError,
                },
            }
        });
    let transport_impl = transport_error(spec, &user.ident);
    let needs_json = needs_json(spec).then(|| {
        quote! {
            const _: () = ::errspec::__private::require_json::<::errspec::__private::Json>();
        }
    });
    let limit = &spec.rate_limit;
    let resets = limit
        .reset
        .iter()
        .chain(limit.quotas.iter().filter_map(|q| q.reset.as_ref()));
    let needs_rfc3339 = all_waits(spec)
        .chain(resets)
        .any(|w| {
            matches!(
                w.format,
                errspec_spec::WaitFormat::Rfc3339 | errspec_spec::WaitFormat::Iso8601
            )
        })
        .then(|| {
            quote! {
                const _: () =
                    ::errspec::__private::require_rfc3339::<::errspec::__private::Rfc3339>();
            }
        });

    let from_status = from_status(&generated, &fallback);
    let from_parts = from_parts(&generated, spec);
    let from_success = from_success(&generated, spec);
    let has_success_cases = has_success_cases(spec);
    let display = display(spec, &generated, &fallback, &user.variants);
    let source = source(spec, &user.variants);
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
            #transport_variant
            #(#user_variants,)*
        }

        // Makes cargo rebuild this crate when the spec file changes.
        const _: &[u8] = ::core::include_bytes!(#spec_file);
        #needs_json
        #needs_rfc3339

        #[automatically_derived]
        impl #ty {
            /// Every status of the spec, in code order (the fallback variant has no entry).
            // a user that never lists the statuses should not be warned about a constant it
            // did not write
            #[allow(dead_code)]
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

            /// The error inside a successful response, if it is one: the first case of its
            /// status (a 1xx-3xx status of the spec) that the response matches, with its wait
            /// and a body excerpt (at most 4 KiB, lossy UTF-8). `None` for a response that
            /// matches none, and for any status the spec lists no cases for below 400 (error
            /// statuses are `from_parts`'s).
            #[must_use]
            #vis fn from_success(
                status: ::errspec::http::StatusCode,
                headers: &::errspec::http::HeaderMap,
                body: ::core::option::Option<&[u8]>,
            ) -> ::core::option::Option<Self> {
                #from_success
            }

            #has_success_cases

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

        #transport_impl
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

fn variant_doc(g: &Generated<'_>) -> Vec<String> {
    let status = g.status;
    let mut doc = vec![format!(
        " `{} {}`: {}.",
        status.code,
        status.reason,
        g.message()
    )];
    if let Some(case) = g.case {
        doc.push(String::new());
        doc.push(format!(
            " A case of status {}: a response with `when = {}`.",
            status.code, case.when
        ));
    }
    if let Some(hint) = g.hint() {
        doc.push(String::new());
        doc.push(format!(" Hint: {hint}."));
    }
    if g.rate_limited() {
        doc.push(String::new());
        doc.push(
            " A refusal of the rate limit: it teaches the client's learned pacing.".to_owned(),
        );
    } else if errspec_spec::rate_limited_by_default(status.code) {
        doc.push(String::new());
        doc.push(
            " Not a refusal of the rate limit, though a 429: it teaches pacing nothing.".to_owned(),
        );
    }
    doc.push(String::new());
    let policy = g.policy();
    doc.push(format!(
        " Retry policy `{}` ({}).",
        policy.as_str(),
        policy.describe()
    ));
    doc
}

fn from_status(generated: &[Generated<'_>], fallback: &Ident) -> TokenStream {
    let arms = generated.iter().filter(|g| g.case.is_none()).map(|g| {
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
        let text = match g.case {
            Some(case) => spec.display.render_case(g.status, case),
            None => spec.display.render(g.status),
        };
        quote!(Self::#ident { .. } => __f.write_str(#text),)
    });
    let transport_arm = spec
        .transport
        .as_ref()
        .zip(transport_ident(spec))
        .map(|(t, ident)| {
            let message = &t.message;
            quote!(Self::#ident { .. } => __f.write_str(#message),)
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
            #transport_arm
            #(#user_arms)*
        }
    }
}

fn source(spec: &Spec, user: &[UserVariant]) -> TokenStream {
    let transport = transport_ident(spec).map(|ident| {
        quote! {
            Self::#ident { source, .. } => ::core::option::Option::Some(&**source),
        }
    });
    let arms: Vec<TokenStream> = transport
        .into_iter()
        .chain(user.iter().filter_map(|v| {
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
        }))
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
