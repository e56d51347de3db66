//! Reading a client method's signature: its receiver, its return type's `Result` and future,
//! and whether that type borrows the client or names an `impl Trait`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

/// What the receiver is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    Ref,
    Mut,
    Value,
    None,
}

/// Whether a return type borrows from the receiver: a reference with an elided lifetime, `'_`,
/// or the receiver's own lifetime.
pub(crate) fn borrows_receiver(tokens: TokenStream, receiver: Option<&syn::Lifetime>) -> bool {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.iter().enumerate().any(|(i, token)| match token {
        TokenTree::Punct(p) if p.as_char() == '&' => {
            !matches!(tokens.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '\'')
        }
        TokenTree::Punct(p) if p.as_char() == '\'' => match tokens.get(i + 1) {
            Some(TokenTree::Ident(name)) => {
                name == "_" || receiver.is_some_and(|r| r.ident == *name)
            }
            _ => false,
        },
        // the arguments of `fn(&str)` or `Fn(&str)` have lifetimes of their own
        TokenTree::Group(group)
            if group.delimiter() == proc_macro2::Delimiter::Parenthesis
                && i > 0
                && matches!(&tokens[i - 1], TokenTree::Ident(f)
                    if ["fn", "Fn", "FnMut", "FnOnce"].iter().any(|name| f == name)) =>
        {
            false
        }
        TokenTree::Group(group) => borrows_receiver(group.stream(), receiver),
        _ => false,
    })
}

/// Whether a type has `impl Trait` in it.
pub(crate) fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}

/// `self: &Self` and `self: &mut Self`, the long forms of `&self` and `&mut self`.
pub(crate) fn self_reference(ty: &Type) -> Option<Receiver> {
    let Type::Reference(reference) = ty else {
        return None;
    };
    match &*reference.elem {
        Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self") => {
            Some(if reference.mutability.is_some() {
                Receiver::Mut
            } else {
                Receiver::Ref
            })
        }
        _ => None,
    }
}

/// `T` of `-> impl Future<Output = T> + ..`.
pub(crate) fn impl_future_output(output: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    imp.bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(t) = bound else {
            return None;
        };
        let last = t.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// `E` of `Result<T, E>` (any path ending in `Result`), or `None` when `ty` is no `Result`.
/// With the items the method body needs to name it: a one-argument alias (`Result<T>`,
/// `crate::Result<T>`, `io::Result<T>`) is resolved by the compiler through a local trait, so
/// the alias's own error type is used (and one that is no `StatusError` is reported at the
/// return type). Only an alias whose `T` has `impl Trait` in it, which the body cannot name, is
/// taken to mean the macro's error type.
pub(crate) fn result_error_type(
    ty: &Type,
    default_error: &syn::Path,
) -> Option<(TokenStream, TokenStream)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let types: Vec<&Type> = args
        .args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect();
    match types.as_slice() {
        [_, error] => Some((error.to_token_stream(), TokenStream::new())),
        [_] if mentions_impl(ty.to_token_stream()) => {
            Some((default_error.to_token_stream(), TokenStream::new()))
        }
        [_] => {
            let span = ty.span();
            let error = quote_spanned!(span=> <#ty as __ErrspecResult>::Error);
            let items = quote! {
                trait __ErrspecResult {
                    type Error;
                }
                impl<__T, __E> __ErrspecResult for ::core::result::Result<__T, __E> {
                    type Error = __E;
                }
            };
            Some((error, items))
        }
        _ => None,
    }
}
