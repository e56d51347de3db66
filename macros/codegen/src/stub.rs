//! What stands in for the generated enum beside compile errors.

use proc_macro2::TokenStream;
use quote::quote;

use crate::input::UserEnum;

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
