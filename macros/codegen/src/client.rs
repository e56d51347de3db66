//! Tokens out for `#[errspec::client]`: the user's trait as written (less errspec's
//! attributes) and `impl Trait for errspec::Retrying<C>`, whose methods run the inner client's
//! under the retry engine.
//!
//! Each retried method is a loop over the engine's per-call state:
//! `attempts.after(result)` says return or sleep this long, so sync, async, `&self` and
//! `&mut self` methods all expand the same way, without closures borrowing the client.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, ItemTrait, Pat, ReceiverKind, ReturnType, TraitItem, TraitItemFn};

use crate::errors::Errors;
use crate::method_attr::{self, MethodAttrs};
use crate::signature::{
    Receiver, borrows_receiver, impl_future_output, mentions_impl, result_error_type,
    self_reference,
};

/// How a method's result comes back.
enum Shape {
    /// `fn f(..) -> T`
    Sync,
    /// `async fn f(..) -> T`
    Async,
    /// `fn f(..) -> impl Future<Output = T> (+ Send ..)`
    ImplFuture,
}

pub(crate) fn expand(mut item: ItemTrait, error: &syn::Path, errors: &mut Errors) -> TokenStream {
    let mut methods = Vec::new();
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            let attrs = method_attr::take(method, errors);
            methods.push((method.clone(), attrs));
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
    for (method, attrs) in &methods {
        if let Some(tokens) = method_impl(method, attrs, &item, error, errors) {
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

fn method_impl(
    method: &TraitItemFn,
    attrs: &MethodAttrs,
    item: &ItemTrait,
    default_error: &syn::Path,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let idempotent = attrs.idempotent;
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
    // the `#[errspec(scope)]` argument's name, and the span its type's errors are reported at
    let mut scope = None;
    for (i, input) in sig.inputs.iter_mut().enumerate() {
        if let FnArg::Typed(pat_type) = input {
            let span = pat_type.span();
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
            if attrs.scope.is_some_and(|(at, _)| at == i) {
                scope = Some((name.clone(), span));
            }
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
    // every call on the attempts goes through the one trait `Attempts` and `Forward` implement
    let calls = error
        .as_ref()
        .map(|(error_ty, _)| quote!(::errspec::__private::CallAttempts::<#error_ty>));
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
    if let (Some((_, span)), false) = (attrs.scope, retried) {
        errors.push(syn::Error::new(
            span,
            "`#[errspec(scope)]` only applies to parameters of methods with a `&self` or \
             `&mut self` receiver that return `Result<T, E>` (or a future of one): other \
             methods are forwarded once, under no rate limit",
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
        // each attempt's arguments, taken before the attempt borrows the call to run as its
        let passed: Vec<syn::Ident> = (0..call_args.len())
            .map(|i| quote::format_ident!("__pass{}", i))
            .collect();
        let pass = quote!(#(let #passed = #call_args;)*);
        let call = quote!(#path(#inner #(#passed),*));
        // the attempt runs as the call's, so the responses it reads teach its scope
        let awaited = match shape {
            Shape::Sync => {
                quote!({ #pass #calls::observing_blocking(&mut __attempts, || #call) })
            }
            Shape::Async | Shape::ImplFuture => {
                quote!({ #pass #calls::observing(&mut __attempts, #call).await })
            }
        };
        let sleep = match shape {
            Shape::Sync => quote!(#calls::sleep_blocking(&mut __attempts, __delay)),
            Shape::Async | Shape::ImplFuture => {
                quote!(#calls::sleep(&mut __attempts, __delay).await)
            }
        };
        let reborrow = match receiver {
            Receiver::Mut => quote!(let __inner = &mut *__inner;),
            _ => quote!(),
        };
        // the first attempt waits while a server-stated wait holds the retrier; a call whose
        // deadline would pass during a hold is not sent: it returns the error
        let ready = match shape {
            Shape::Sync => quote! {
                if let ::core::result::Result::Err(__error) =
                    #calls::ready_blocking(&mut __attempts)
                {
                    return ::core::result::Result::Err(__error);
                }
            },
            // the fast path: a call nothing holds goes without building `ready`'s future
            Shape::Async | Shape::ImplFuture => quote! {
                if !#calls::ready_now(&mut __attempts)
                    && let ::core::result::Result::Err(__error) =
                        #calls::ready(&mut __attempts).await
                {
                    return ::core::result::Result::Err(__error);
                }
            },
        };
        // the `#[errspec(scope)]` argument's value, read before it is kept for the attempts
        let scope_by = scope.as_ref().map(|(name, span)| {
            quote_spanned! {*span=>
                #calls::scope_by(&mut __attempts, {
                    #[allow(unused_imports)]
                    use ::errspec::__private::{ByDisplay as _, ByNeither as _, ByText as _};
                    (&&::errspec::__private::ScopeArgument(&#name)).scope_value()
                });
            }
        });
        let slots = args
            .iter()
            .map(|(name, _)| quote!(let mut #name = ::core::option::Option::Some(#name);));
        quote! {
            #[allow(unused_imports)]
            use ::errspec::__private::{
                ForwardOtherErrors as _, PassArguments as _, RetryWithStatus as _,
            };
            #error_items
            #strict
            #begin
            #scope_by
            #(#slots)*
            #ready
            loop {
                #reborrow
                let __result = #awaited;
                match #calls::after(&mut __attempts, __result) {
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

/// The trait as written less errspec's attributes (on methods and their parameters): what is
/// emitted beside compile errors.
pub(crate) fn strip(mut item: ItemTrait) -> TokenStream {
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            method.attrs.retain(|a| !a.path().is_ident("errspec"));
            for input in &mut method.sig.inputs {
                let attrs = match input {
                    FnArg::Receiver(r) => &mut r.attrs,
                    FnArg::Typed(t) => &mut t.attrs,
                };
                attrs.retain(|a| !a.path().is_ident("errspec"));
            }
        }
    }
    item.into_token_stream()
}
