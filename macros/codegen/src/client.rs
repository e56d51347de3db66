//! Tokens out for `#[errspec::client]`: the user's trait as written (less errspec's
//! attributes) and `impl Trait for errspec::Retrying<C>`, whose methods run the inner client's
//! under the retry engine.
//!
//! Each retried method is a loop over the engine's per-call state:
//! `attempts.after(result)` says return or sleep this long, so sync, async, `&self` and
//! `&mut self` methods all expand the same way, without closures borrowing the client.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    FnArg, GenericArgument, GenericParam, ItemTrait, Pat, PathArguments, ReceiverKind, ReturnType,
    TraitItem, TraitItemFn, Type, TypeParamBound,
};

use crate::errors::Errors;

/// How a method's result comes back.
enum Shape {
    /// `fn f(..) -> T`
    Sync,
    /// `async fn f(..) -> T`
    Async,
    /// `fn f(..) -> impl Future<Output = T> (+ Send ..)`
    ImplFuture,
}

/// What the receiver is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Receiver {
    Ref,
    Mut,
    Value,
    None,
}

pub(crate) fn expand(mut item: ItemTrait, error: &syn::Path, errors: &mut Errors) -> TokenStream {
    let mut methods = Vec::new();
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            let idempotent = take_attribute(method, errors);
            methods.push((method.clone(), idempotent));
        }
    }
    let trait_ident = &item.ident;
    let (_, trait_ty_generics, _) = item.generics.split_for_impl();
    let mut impl_generics = item.generics.clone();
    impl_generics
        .params
        .push(syn::parse_quote!(__C: #trait_ident #trait_ty_generics + ::core::marker::Send + ::core::marker::Sync));
    let (impl_generics, _, where_clause) = impl_generics.split_for_impl();

    let mut items = Vec::new();
    for trait_item in &item.items {
        match trait_item {
            TraitItem::Type(ty) => {
                let ident = &ty.ident;
                let (_, generics, where_clause) = ty.generics.split_for_impl();
                let cfgs = ty.attrs.iter().filter(|a| a.path().is_ident("cfg"));
                items.push(quote! {
                    #(#cfgs)*
                    type #ident #generics = <__C as #trait_ident #trait_ty_generics>::#ident #generics #where_clause;
                });
            }
            TraitItem::Const(c) => {
                let ident = &c.ident;
                let ty = &c.ty;
                let cfgs = c.attrs.iter().filter(|a| a.path().is_ident("cfg"));
                items.push(quote! {
                    #(#cfgs)*
                    const #ident: #ty = <__C as #trait_ident #trait_ty_generics>::#ident;
                });
            }
            _ => {}
        }
    }
    for (method, idempotent) in &methods {
        if let Some(tokens) = method_impl(method, *idempotent, &item, error, errors) {
            items.push(tokens);
        }
    }

    quote! {
        #item

        #[automatically_derived]
        impl #impl_generics #trait_ident #trait_ty_generics for ::errspec::Retrying<__C> #where_clause {
            #(#items)*
        }
    }
}

/// Reads and removes `#[errspec(idempotent)]` from a method.
fn take_attribute(method: &mut TraitItemFn, errors: &mut Errors) -> Option<Span> {
    let mut idempotent = None;
    for attr in method.attrs.iter().filter(|a| a.path().is_ident("errspec")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("idempotent") {
                idempotent = Some(meta.path.span());
                Ok(())
            } else {
                Err(meta.error(
                    "unknown key in `#[errspec(...)]` on a method; the only one is `idempotent` \
                     (retry this method's failures that are retried for idempotent requests)",
                ))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    method.attrs.retain(|a| !a.path().is_ident("errspec"));
    idempotent
}

fn method_impl(
    method: &TraitItemFn,
    idempotent: Option<Span>,
    item: &ItemTrait,
    default_error: &syn::Path,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let trait_ident = &item.ident;
    let (_, trait_ty_generics, _) = item.generics.split_for_impl();
    let mut sig = method.sig.clone();
    let cfgs: Vec<_> = method
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .collect();

    let receiver = match sig.receiver() {
        None => Receiver::None,
        Some(r) => match &r.kind {
            ReceiverKind::Value => Receiver::Value,
            ReceiverKind::Reference(_, _, Some(_)) => Receiver::Mut,
            ReceiverKind::Reference(_, _, None) => Receiver::Ref,
            ReceiverKind::Typed(_, ty) => match self_reference(ty) {
                Some(receiver) => receiver,
                None => {
                    errors.push(syn::Error::new_spanned(
                        r,
                        "`errspec::client` implements the trait for `errspec::Retrying<C>`, which \
                         it can only do for methods taking `&self`, `&mut self` or `self`; \
                         write the receiver as one of those",
                    ));
                    return None;
                }
            },
            _ => {
                errors.push(syn::Error::new_spanned(
                    r,
                    "`errspec::client` supports methods taking `&self`, `&mut self` or `self`",
                ));
                return None;
            }
        },
    };

    // Arguments get fresh names so any pattern works; each is passed by clone.
    let mut args = Vec::new();
    for (i, input) in sig.inputs.iter_mut().enumerate() {
        if let FnArg::Typed(pat_type) = input {
            let name = match &*pat_type.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    format_ident!("__arg_{}", p.ident.to_string().trim_start_matches("r#"))
                }
                _ => format_ident!("__arg{i}"),
            };
            *pat_type.pat = syn::parse_quote!(#name);
            // An `impl Trait` argument's type cannot be named in the body.
            let ty =
                (!mentions_impl(pat_type.ty.to_token_stream())).then(|| (*pat_type.ty).clone());
            args.push((name, ty));
        }
    }

    let shape = if sig.asyncness.is_some() {
        Shape::Async
    } else if impl_future_output(&sig.output).is_some() {
        Shape::ImplFuture
    } else {
        Shape::Sync
    };
    let output = match (&shape, &sig.output) {
        (Shape::ImplFuture, out) => impl_future_output(out).cloned(),
        (_, ReturnType::Type(_, ty)) => Some((**ty).clone()),
        (_, ReturnType::Default) => None,
    };
    let error = output
        .as_ref()
        .and_then(|ty| result_error_type(ty, default_error));
    let (error_ty, error_items) = error.unzip();
    let retried = error_ty.is_some() && matches!(receiver, Receiver::Ref | Receiver::Mut);
    if let (Some(span), false) = (idempotent, retried) {
        errors.push(syn::Error::new(
            span,
            "`#[errspec(idempotent)]` only applies to methods with a `&self` or `&mut self` \
             receiver that return `Result<T, E>` (or a future of one)",
        ));
        return None;
    }
    if retried
        && receiver == Receiver::Mut
        && let Some(output) = &output
    {
        let receiver_lifetime = match sig.receiver().map(|r| &r.kind) {
            Some(ReceiverKind::Reference(_, lifetime, _)) => lifetime.clone(),
            _ => None,
        };
        if borrows_receiver(output.to_token_stream(), receiver_lifetime.as_ref()) {
            errors.push(syn::Error::new_spanned(
                output,
                "a retried `&mut self` method cannot return a borrow of the client: the \
                 attempts run in a loop, and the borrow checker cannot see that a failed \
                 attempt's borrow has ended before the next; return owned data, or take `&self`",
            ));
            return None;
        }
    }

    let ident = &sig.ident;
    let call_args = args.iter().map(|(name, ty)| match ty {
        // The type, written where the user wrote it, carries the `Clone` requirement of a
        // retried method, so an argument that is not `Clone` is reported at its type.
        Some(ty) if retried => quote!(__attempts.pass::<#ty>(&mut #name)),
        None if retried => quote!(__attempts.pass(&mut #name)),
        _ => quote!(#name),
    });
    let call_args: Vec<TokenStream> = call_args.collect();
    // The method's own type and const parameters are passed on explicitly: one that only the
    // caller names (`fn f<T: Tag>(&self)`) cannot be inferred. Lifetimes are left to inference,
    // since a late-bound one may not be named.
    let turbofish: Vec<TokenStream> = sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(t) => Some(t.ident.to_token_stream()),
            GenericParam::Const(c) => Some(c.ident.to_token_stream()),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = if turbofish.is_empty() {
        quote!()
    } else {
        quote!(::<#(#turbofish),*>)
    };
    let path = quote!(<__C as #trait_ident #trait_ty_generics>::#ident #turbofish);
    let inner = match receiver {
        Receiver::Ref => quote!(::errspec::Retrying::inner(self),),
        Receiver::Mut => quote!(__inner,),
        Receiver::Value => quote!(::errspec::Retrying::into_inner(self),),
        Receiver::None => quote!(),
    };
    let call = quote!(#path(#inner #(#call_args),*));
    let awaited = match shape {
        Shape::Sync => call.clone(),
        Shape::Async | Shape::ImplFuture => quote!(#call.await),
    };

    let body = if retried {
        // `#[errspec(idempotent)]` asks for retries, so its error type must be a `StatusError`;
        // otherwise the `Engine` tag picks retrying or forwarding by the error type.
        let strict =
            idempotent.map(|_| quote!(::errspec::__private::assert_status_error::<#error_ty>();));
        let idempotency = if idempotent.is_some() {
            quote!(::errspec::Idempotency::Idempotent)
        } else {
            quote!(::errspec::Idempotency::NonIdempotent)
        };
        let engine = quote!((&::errspec::__private::Engine::<#error_ty>::NEW));
        let method_name = ident.to_string();
        let method_name = method_name.trim_start_matches("r#");
        let begin = match receiver {
            Receiver::Mut => quote! {
                let (mut __attempts, __inner) =
                    #engine.begin_mut(self, #idempotency, #method_name);
            },
            _ => quote!(let mut __attempts = #engine.begin(self, #idempotency, #method_name);),
        };
        // the attempt runs as the call's, so the responses it reads teach its scope
        let awaited = match shape {
            Shape::Sync => quote!(__attempts.observing_blocking(|| #call)),
            Shape::Async | Shape::ImplFuture => quote!(__attempts.observing(#call).await),
        };
        let sleep = match shape {
            Shape::Sync => quote!(__attempts.sleep_blocking(__delay)),
            Shape::Async | Shape::ImplFuture => quote!(__attempts.sleep(__delay).await),
        };
        let reborrow = match receiver {
            Receiver::Mut => quote!(let __inner = &mut *__inner;),
            _ => quote!(),
        };
        // the first attempt waits while a server-stated wait holds the retrier
        let ready = match shape {
            Shape::Sync => quote!(__attempts.ready_blocking::<#error_ty>()),
            Shape::Async | Shape::ImplFuture => quote!(__attempts.ready::<#error_ty>().await),
        };
        // a call whose deadline would pass during a hold is not sent: it returns the error
        let ready = quote! {
            if let ::core::result::Result::Err(__error) = #ready {
                return ::core::result::Result::Err(__error);
            }
        };
        let slots = args
            .iter()
            .map(|(name, _)| quote!(let mut #name = ::core::option::Option::Some(#name);));
        quote! {
            #[allow(unused_imports)]
            use ::errspec::__private::{ForwardOtherErrors as _, RetryWithStatus as _};
            #error_items
            #strict
            #begin
            #(#slots)*
            #ready
            loop {
                #reborrow
                let __result = #awaited;
                match __attempts.after::<_, #error_ty>(__result) {
                    ::core::ops::ControlFlow::Break(__result) => return __result,
                    ::core::ops::ControlFlow::Continue(__delay) => #sleep,
                }
            }
        }
    } else {
        match receiver {
            Receiver::Mut => quote! {
                let __inner = ::errspec::Retrying::inner_mut(self);
                #awaited
            },
            _ => awaited,
        }
    };

    let body = match shape {
        Shape::ImplFuture => quote!(async move { #body }),
        _ => body,
    };
    Some(quote! {
        #(#cfgs)*
        #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
        #sig {
            #body
        }
    })
}

/// Whether a return type borrows from the receiver: a reference with an elided lifetime, `'_`,
/// or the receiver's own lifetime.
fn borrows_receiver(tokens: TokenStream, receiver: Option<&syn::Lifetime>) -> bool {
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
fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}

/// `self: &Self` and `self: &mut Self`, the long forms of `&self` and `&mut self`.
fn self_reference(ty: &Type) -> Option<Receiver> {
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
fn impl_future_output(output: &ReturnType) -> Option<&Type> {
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
fn result_error_type(ty: &Type, default_error: &syn::Path) -> Option<(TokenStream, TokenStream)> {
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

/// The trait as written less errspec's attributes: what is emitted beside compile errors.
pub(crate) fn strip(mut item: ItemTrait) -> TokenStream {
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            method.attrs.retain(|a| !a.path().is_ident("errspec"));
        }
    }
    item.into_token_stream()
}
