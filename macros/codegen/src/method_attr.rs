//! errspec's attributes on a client trait's methods and their parameters:
//! `#[errspec(idempotent)]` on a method, `#[errspec(scope)]` on one parameter. Each is read,
//! checked and removed, so the trait is emitted without them.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, Pat, TraitItemFn};

use crate::errors::Errors;

/// What errspec's attributes on one method asked for.
#[derive(Default)]
pub(crate) struct MethodAttrs {
    /// `#[errspec(idempotent)]` on the method.
    pub(crate) idempotent: Option<Span>,
    /// `#[errspec(scope)]`: the position of the parameter in the method's inputs (the
    /// receiver counted), and the attribute's span.
    pub(crate) scope: Option<(usize, Span)>,
}

/// Reads and removes errspec's attributes from a method and its parameters.
pub(crate) fn take(method: &mut TraitItemFn, errors: &mut Errors) -> MethodAttrs {
    let mut attrs = MethodAttrs::default();
    for attr in method.attrs.iter().filter(|a| a.path().is_ident("errspec")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("idempotent") {
                attrs.idempotent = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident("scope") {
                Err(meta.error(
                    "`scope` belongs on a parameter, not on the method: write \
                     `#[errspec(scope)]` before the parameter whose value scopes the method's \
                     calls (`fn post(&self, #[errspec(scope)] channel: &str, ..)`)",
                ))
            } else {
                Err(meta.error(format!(
                    "unknown key in `#[errspec(...)]` on a method; {}the only one is \
                     `idempotent` (retry this method's failures that are retried for \
                     idempotent requests)",
                    did_you_mean(&meta.path, "idempotent"),
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    method.attrs.retain(|a| !a.path().is_ident("errspec"));

    let name = method.sig.ident.to_string();
    let mut first: Option<String> = None;
    for (i, input) in method.sig.inputs.iter_mut().enumerate() {
        let param = match &*input {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(p) => format!("`{}`", p.ident),
                _ => format!("parameter {i}"),
            },
            FnArg::Receiver(_) => "`self`".to_owned(),
        };
        let (input_attrs, receiver) = match input {
            FnArg::Receiver(r) => (&mut r.attrs, true),
            FnArg::Typed(t) => (&mut t.attrs, false),
        };
        for attr in input_attrs.iter().filter(|a| a.path().is_ident("errspec")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("scope") {
                    if receiver {
                        return Err(meta.error(
                            "`#[errspec(scope)]` marks the parameter whose value scopes the \
                             method's calls; `self` is the client, not a value of the request: \
                             mark a parameter such as a channel or account id",
                        ));
                    }
                    if let Some(first) = &first {
                        return Err(meta.error(format!(
                            "`#[errspec(scope)]` on a second parameter of `{name}`: a method's \
                             calls are scoped by one argument's value, and {first} is marked \
                             already; keep one of the two"
                        )));
                    }
                    attrs.scope = Some((i, meta.path.span()));
                    Ok(())
                } else if meta.path.is_ident("idempotent") {
                    Err(meta.error(
                        "`idempotent` belongs on the method, not on a parameter: write \
                         `#[errspec(idempotent)]` above the `fn`",
                    ))
                } else {
                    Err(meta.error(format!(
                        "unknown key in `#[errspec(...)]` on a parameter; {}the only one is \
                         `scope` (scope the method's holds and quotas by this argument's value)",
                        did_you_mean(&meta.path, "scope"),
                    )))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        if attrs.scope.is_some_and(|(at, _)| at == i) && first.is_none() {
            first = Some(param);
        }
        input_attrs.retain(|a| !a.path().is_ident("errspec"));
    }
    attrs
}

/// "did you mean `known`? " when `path` is a likely misspelling of it, else nothing.
fn did_you_mean(path: &syn::Path, known: &'static str) -> String {
    let word = path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    match errspec_spec::did_you_mean(&word, [known]) {
        Some(known) => format!("did you mean `{known}`? "),
        None => String::new(),
    }
}
