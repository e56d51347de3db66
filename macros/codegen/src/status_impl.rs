//! The generated `impl StatusError`, the `STATUSES` table, `retry_config()` and
//! `rate_limit()`.

use errspec_spec::{Spec, TransportKind};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::Ident;

use crate::generated::{Generated, transport_ident};
use crate::input::UserVariant;
use crate::tokens::{
    class_match, code_lit, option_str, optional_duration, policy_tokens, variant_path,
    wait_header_tokens, wait_headers_tokens,
};

/// Arms of a `match` giving each generated variant `value(g)`, variants with equal values
/// grouped into one arm.
fn grouped<'a, T: PartialEq>(
    generated: &[Generated<'a>],
    value: impl Fn(&Generated<'a>) -> T,
    tokens: impl Fn(&T) -> TokenStream,
) -> Vec<TokenStream> {
    per_error(generated, |g| Some(value(g)), tokens).unwrap_or_default()
}

pub(crate) fn status_error(
    spec: &Spec,
    generated: &[Generated<'_>],
    fallback: &Ident,
    user: &[UserVariant],
) -> TokenStream {
    let status_arms = grouped(
        generated,
        |g| g.status.code,
        |code| {
            let code = code_lit(*code);
            quote! {
                ::core::option::Option::Some(const { ::errspec::__private::status_code(#code) })
            }
        },
    );
    let none = quote!(::core::option::Option::None);
    let user_none: TokenStream = user.iter().map(|v| v.arm(&none)).collect();
    let transport = transport_ident(spec);
    let transport_none = transport
        .as_ref()
        .map(|ident| quote!(Self::#ident { .. } => ::core::option::Option::None,));

    let policy_arms = grouped(generated, Generated::policy, |p| policy_tokens(*p));
    let transport_policy = spec
        .transport
        .as_ref()
        .zip(transport.as_ref())
        .map(|(t, ident)| {
            let kinds = TransportKind::ALL.iter().map(|(_, kind)| {
                let policy = policy_tokens(t.policy(*kind));
                let kind = variant_path("TransportKind", kind.variant_name());
                quote!(#kind => #policy,)
            });
            let other = policy_tokens(t.policies.other);
            quote! {
                Self::#ident { kind, .. } => match kind {
                    #(#kinds)*
                    #[allow(unreachable_patterns)]
                    _ => #other,
                },
            }
        });
    let user_policies: TokenStream = user
        .iter()
        .map(|v| v.arm(&policy_tokens(v.policy)))
        .collect();
    let class_policy = class_match(spec, |d| d.policy, policy_tokens);

    let hint_arms = grouped(
        generated,
        |g| g.hint().map(str::to_owned),
        |h| option_str(h.as_deref()),
    );
    let transport_hint = spec
        .transport
        .as_ref()
        .zip(transport.as_ref())
        .map(|(t, ident)| {
            let hint = option_str(t.hint.as_deref());
            quote!(Self::#ident { .. } => #hint,)
        });
    let class_hint = class_match(spec, |d| d.hint, option_str);

    let details_pats: Vec<TokenStream> = generated
        .iter()
        .map(|g| {
            let ident = &g.ident;
            quote!(Self::#ident { details })
        })
        .collect();
    let details = |method: TokenStream| {
        quote! {
            match self {
                #(#details_pats)|* | Self::#fallback { details, .. } => details.#method(),
                #transport_none
                #user_none
            }
        }
    };
    let retry_after = details(quote!(retry_after));
    let body = details(quote!(body));
    let should_retry = details(quote!(should_retry));

    // per-error settings: only variants that say them get an arm
    let max_attempts = per_error(generated, Generated::max_attempts, |n| {
        let n = Literal::u32_unsuffixed(*n);
        quote!(::core::option::Option::Some(#n))
    })
    .map(|arms| {
        quote! {
            fn max_attempts(&self) -> ::core::option::Option<u32> {
                match self {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let most = generated
        .iter()
        .filter_map(Generated::max_attempts)
        .fold(spec.retry.max_attempts, u32::max);
    // always a constant: the default builds the whole `retry_config()` on every call
    let most_attempts = {
        let most = Literal::u32_unsuffixed(most);
        quote! {
            fn most_attempts() -> u32 {
                #most
            }
        }
    };
    let min_wait = per_error(generated, Generated::min_wait, |d| {
        optional_duration(Some(*d))
    })
    .map(|arms| {
        quote! {
            fn min_wait(&self) -> ::core::option::Option<::core::time::Duration> {
                match self {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });

    let rate_limited = rate_limited(generated);
    let success = success(spec);
    let rate_limit = rate_limit(spec);
    quote! {
        fn status(&self) -> ::core::option::Option<::errspec::http::StatusCode> {
            match self {
                #(#status_arms)*
                Self::#fallback { status, .. } => ::core::option::Option::Some(*status),
                #transport_none
                #user_none
            }
        }

        fn policy(&self) -> ::errspec::RetryPolicy {
            match self {
                #(#policy_arms)*
                Self::#fallback { status, .. } => #class_policy,
                #transport_policy
                #user_policies
            }
        }

        fn retry_after(&self) -> ::core::option::Option<::core::time::Duration> {
            #retry_after
        }

        fn hint(&self) -> ::core::option::Option<&'static str> {
            match self {
                #(#hint_arms)*
                Self::#fallback { status, .. } => #class_hint,
                #transport_hint
                #user_none
            }
        }

        fn body(&self) -> ::core::option::Option<&str> {
            #body
        }

        fn should_retry(&self) -> ::core::option::Option<bool> {
            #should_retry
        }

        #max_attempts
        #min_wait
        #most_attempts
        #rate_limited

        fn retry_config() -> ::errspec::RetryConfig {
            Self::retry_config()
        }

        #rate_limit

        fn from_parts(
            status: ::errspec::http::StatusCode,
            headers: &::errspec::http::HeaderMap,
            body: ::core::option::Option<&[u8]>,
        ) -> Self {
            Self::from_parts(status, headers, body)
        }

        #success
    }
}

/// The trait's `from_success` (the inherent one's, so that it is used even when the spec has
/// no success status) and, for a spec with success statuses, `has_success_cases` (the default
/// says `false` for every status).
fn success(spec: &Spec) -> TokenStream {
    let has_success_cases = spec
        .statuses
        .iter()
        .any(errspec_spec::Status::is_success)
        .then(|| {
            quote! {
                fn has_success_cases(status: ::errspec::http::StatusCode) -> bool {
                    Self::__has_success_cases(status)
                }
            }
        });
    quote! {
        fn from_success(
            status: ::errspec::http::StatusCode,
            headers: &::errspec::http::HeaderMap,
            body: ::core::option::Option<&[u8]>,
        ) -> ::core::option::Option<Self> {
            Self::from_success(status, headers, body)
        }

        #has_success_cases
    }
}

/// `fn rate_limited()`, when a variant's `rate_limited` differs from the trait's default rule
/// (a 429 is a refusal of the rate limit, nothing else is): an arm for each such variant, and
/// the rule for the rest, the fallback and the user's variants included.
fn rate_limited(generated: &[Generated<'_>]) -> Option<TokenStream> {
    let arms = per_error(
        generated,
        |g| {
            let by_default = errspec_spec::rate_limited_by_default(g.status.code);
            (g.rate_limited() != by_default).then_some(g.rate_limited())
        },
        |limited| quote!(#limited),
    )?;
    Some(quote! {
        fn rate_limited(&self) -> bool {
            match self {
                #(#arms)*
                _ => {
                    ::errspec::StatusError::status(self)
                        == ::core::option::Option::Some(
                            ::errspec::http::StatusCode::TOO_MANY_REQUESTS,
                        )
                }
            }
        }
    })
}

/// Arms for the variants that have a `value`, grouped by it; `None` when none has one.
fn per_error<'a, T: PartialEq>(
    generated: &[Generated<'a>],
    value: impl Fn(&Generated<'a>) -> Option<T>,
    tokens: impl Fn(&T) -> TokenStream,
) -> Option<Vec<TokenStream>> {
    let with: Vec<&Generated<'a>> = generated.iter().filter(|g| value(g).is_some()).collect();
    if with.is_empty() {
        return None;
    }
    let mut groups: Vec<(T, Vec<TokenStream>)> = Vec::new();
    for g in with {
        let Some(v) = value(g) else { continue };
        let pat = g.pattern();
        match groups.iter_mut().find(|(other, _)| *other == v) {
            Some((_, pats)) => pats.push(pat),
            None => groups.push((v, vec![pat])),
        }
    }
    Some(
        groups
            .iter()
            .map(|(v, pats)| {
                let v = tokens(v);
                quote!(#(#pats)|* => #v,)
            })
            .collect(),
    )
}

/// `impl TransportError`, for a spec with `[transport]`.
pub(crate) fn transport_error(spec: &Spec, ty: &Ident) -> Option<TokenStream> {
    let ident = transport_ident(spec)?;
    Some(quote! {
        #[automatically_derived]
        impl ::errspec::TransportError for #ty {
            fn from_transport(kind: ::errspec::TransportKind, source: ::errspec::BoxError) -> Self {
                Self::#ident { kind, source }
            }

            fn transport_kind(&self) -> ::core::option::Option<::errspec::TransportKind> {
                match self {
                    Self::#ident { kind, .. } => ::core::option::Option::Some(*kind),
                    #[allow(unreachable_patterns)]
                    _ => ::core::option::Option::None,
                }
            }
        }
    })
}

pub(crate) fn statuses(generated: &[Generated<'_>]) -> Vec<TokenStream> {
    generated
        .iter()
        .map(|g| {
            let code = code_lit(g.status.code);
            let name = g.name();
            let reason = &g.status.reason;
            let message = g.message();
            let hint = option_str(g.hint());
            let policy = policy_tokens(g.policy());
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

pub(crate) fn retry_config(spec: &Spec) -> TokenStream {
    let r = &spec.retry;
    let max_attempts = Literal::u32_unsuffixed(r.max_attempts);
    let initial = crate::tokens::duration(r.initial_backoff);
    let max = crate::tokens::duration(r.max_backoff);
    let multiplier = Literal::f64_suffixed(r.multiplier);
    let jitter = variant_path("Jitter", r.jitter.variant_name());
    let max_retry_after = crate::tokens::duration(r.max_retry_after);
    let max_elapsed = optional_duration(r.max_elapsed);
    let min_wait = optional_duration(r.min_wait);
    let wait_headers = wait_headers_tokens(&r.wait_headers);
    let should_retry_header = option_str(r.should_retry_header.as_deref());
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
            .with_min_wait(#min_wait)
            .with_wait_headers(#wait_headers)
            .with_should_retry_header(#should_retry_header)
            .with_budget(#budget)
    }
}

/// `fn rate_limit()` from `[rate_limit]` and the API's name.
fn rate_limit(spec: &Spec) -> TokenStream {
    let r = &spec.rate_limit;
    let api = spec.api_name.as_str();
    let scope = variant_path("Scope", r.scope.variant_name());
    let pacing = variant_path("Pacing", r.pacing.variant_name());
    let ietf = r.ietf;
    let bucket_header = option_str(r.bucket_header.as_deref());
    let remaining = option_str(r.remaining.as_deref());
    let option_wait = |reset: Option<&errspec_spec::WaitField>| match reset {
        Some(reset) => {
            let reset = wait_header_tokens(reset);
            quote!(::core::option::Option::Some(#reset))
        }
        None => quote!(::core::option::Option::None),
    };
    let reset = option_wait(r.reset.as_ref());
    let remaining_format = variant_path("CountFormat", r.remaining_format.variant_name());
    let quotas = r.quotas.iter().map(|quota| {
        let name = quota.remaining.as_ref();
        let format = variant_path("CountFormat", quota.format.variant_name());
        let reset = option_wait(quota.reset.as_ref());
        let methods = (!quota.methods.is_empty()).then(|| {
            let methods = quota.methods.iter().map(AsRef::<str>::as_ref);
            quote!(.with_methods([#(#methods),*]))
        });
        quote! {
            .with_quota(
                ::errspec::Quota::new(#name)
                    .with_format(#format)
                    .with_reset(#reset)
                    #methods
            )
        }
    });
    quote! {
        fn rate_limit() -> ::errspec::RateLimitConfig {
            ::errspec::RateLimitConfig::new()
                .with_api(::core::option::Option::Some(#api))
                .with_scope(#scope)
                .with_pacing(#pacing)
                .with_ietf(#ietf)
                .with_bucket_header(#bucket_header)
                .with_remaining(#remaining)
                .with_remaining_format(#remaining_format)
                .with_reset(#reset)
                #(#quotas)*
        }
    }
}
