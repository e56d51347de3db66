//! errspec's code generator: a normal library that turns (attribute arguments, user item) into
//! tokens, so every expansion can be unit-tested. The `errspec-macros` crate is a thin shim.
//!
//! The pipeline, one stage a file: `attr` reads the macro's arguments, `locate` finds the spec
//! file and `errspec_spec` parses, validates and resolves it, `input` reads the user's item,
//! `valid` checks the spec's names against it (giving the `generated` variants), and `expand`
//! (with `status_impl`, over the pieces in `tokens`) writes the enum's tokens, `client` the
//! client trait's; `stub` stands in for the enum beside compile errors, and `crate_path` reads
//! the expansion's `::errspec` paths through `crate = path`. `errors` collects every problem.
//!
//! Each macro has two entry points: [`errors`] and [`client`] return tokens as the compiler
//! wants them (problems as `compile_error!`, beside stubs that keep follow-on errors away);
//! [`try_errors`], [`try_client`] and [`errors_for_spec`] return `Err(syn::Error)` instead, for
//! tools that report problems themselves (the `errspec` command).

// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
mod attr;
mod cases;
mod client;
mod crate_path;
mod errors;
mod expand;
mod generated;
mod input;
mod locate;
mod method_attr;
mod signature;
mod status_impl;
mod stub;
mod tokens;
mod valid;

use std::path::Path;

use proc_macro2::{Span, TokenStream};
use syn::LitStr;

use crate::errors::Errors;
pub use crate::locate::Context;
use crate::locate::load_spec;

/// A failed expansion: every problem, and what to emit beside them.
struct Failed {
    errors: syn::Error,
    /// The stub or the item as written, so the user sees the real errors only.
    beside: TokenStream,
}

impl Failed {
    /// The failure of an expansion that found `errors` (at least one, else a generic one).
    fn new(errors: Errors, beside: TokenStream) -> Failed {
        let errors = errors.into_error("errspec could not expand this item");
        Failed { errors, beside }
    }
}

/// An expansion's result, with every `::errspec` path read through `crate = path` if given.
fn through(
    krate: Option<&syn::Path>,
    result: Result<TokenStream, Failed>,
) -> Result<TokenStream, Failed> {
    let Some(krate) = krate else { return result };
    match result {
        Ok(tokens) => Ok(crate_path::reroute(tokens, krate)),
        Err(Failed { errors, beside }) => Err(Failed {
            errors,
            beside: crate_path::reroute(beside, krate),
        }),
    }
}

/// `compile_error!`s beside the stub.
fn emit(result: Result<TokenStream, Failed>) -> TokenStream {
    result.unwrap_or_else(|failed| {
        let mut out = failed.errors.to_compile_error();
        out.extend(failed.beside);
        out
    })
}

/// Expands `#[errspec::errors(spec = "...")]` on `item`.
///
/// Never panics: every problem, in the arguments, the spec or the item, becomes a
/// `compile_error!`, emitted beside a stub of the enum so no follow-on errors appear.
pub fn errors(args: TokenStream, item: TokenStream, cx: &Context) -> TokenStream {
    emit(expand_errors(args, item, cx))
}

/// [`errors`], with every problem returned as one (combined) `syn::Error` instead of emitted.
pub fn try_errors(
    args: TokenStream,
    item: TokenStream,
    cx: &Context,
) -> Result<TokenStream, syn::Error> {
    expand_errors(args, item, cx).map_err(|failed| failed.errors)
}

/// `#[errspec::errors]`'s expansion of `item` for a spec already loaded from `spec_file`, which
/// messages name `spec_name`: what a tool holding a [`Spec`](errspec_spec::Spec) asks, without
/// reading the file again. The expansion still `include_bytes!`s `spec_file`.
pub fn errors_for_spec(
    spec: &errspec_spec::Spec,
    spec_file: &Path,
    spec_name: &str,
    item: TokenStream,
) -> Result<TokenStream, syn::Error> {
    let mut errors = Errors::default();
    let user = input::parse(item, &mut errors);
    let tokens =
        user.and_then(|user| expand::errors(&user, spec, spec_file, spec_name, &mut errors));
    match tokens {
        Some(tokens) if errors.is_empty() => Ok(tokens),
        _ => Err(errors.into_error("errspec could not expand the enum")),
    }
}

fn expand_errors(
    args: TokenStream,
    item: TokenStream,
    cx: &Context,
) -> Result<TokenStream, Failed> {
    let mut errors = Errors::default();
    let args = match attr::parse(args, attr::Macro::Errors) {
        Ok(args) => {
            if args.spec.is_none() {
                errors.push(syn::Error::new(
                    Span::call_site(),
                    "missing spec file: write `#[errspec::errors(spec = \"path/to/spec.toml\")]` \
                     with a path relative to the crate's Cargo.toml",
                ));
            }
            args
        }
        Err(e) => {
            errors.push(e);
            attr::Args::default()
        }
    };
    let result = expand_errors_with(args.spec, item, cx, errors);
    through(args.krate.as_ref(), result)
}

fn expand_errors_with(
    spec_lit: Option<LitStr>,
    item: TokenStream,
    cx: &Context,
    mut errors: Errors,
) -> Result<TokenStream, Failed> {
    let user = input::parse(item.clone(), &mut errors);
    let loaded = spec_lit.and_then(|lit| load_spec(&lit, cx, &mut errors).map(|s| (lit, s)));
    if let (Some(user), Some((lit, (spec, path)))) = (&user, &loaded)
        && errors.is_empty()
        && let Some(tokens) = expand::errors(user, spec, path, &lit.value(), &mut errors)
        && errors.is_empty()
    {
        return Ok(tokens);
    }
    let beside = match &user {
        Some(user) => stub::stub(user),
        None => item,
    };
    Err(Failed::new(errors, beside))
}

/// Expands `#[errspec::client(spec = "...")]` or `#[errspec::client(error = Path)]` on a trait.
///
/// With `spec`, the error enum (`{name}Error`, the trait's visibility, `#[derive(Debug)]`) is
/// generated beside the trait. Never panics; problems become `compile_error!`s emitted beside
/// the trait as written.
pub fn client(args: TokenStream, item: TokenStream, cx: &Context) -> TokenStream {
    emit(expand_client(args, item, cx))
}

/// [`client`], with every problem returned as one (combined) `syn::Error` instead of emitted.
pub fn try_client(
    args: TokenStream,
    item: TokenStream,
    cx: &Context,
) -> Result<TokenStream, syn::Error> {
    expand_client(args, item, cx).map_err(|failed| failed.errors)
}

fn expand_client(
    args: TokenStream,
    item: TokenStream,
    cx: &Context,
) -> Result<TokenStream, Failed> {
    let mut errors = Errors::default();
    let args = match attr::parse(args, attr::Macro::Client) {
        Ok(args) => {
            if args.spec.is_none() && args.error.is_none() {
                errors.push(syn::Error::new(
                    Span::call_site(),
                    "`errspec::client` needs the errors: write `spec = \"path/to/spec.toml\"` to \
                     generate the error enum here, or `error = path::to::ErrorEnum` to use one \
                     generated by `#[errspec::errors]`",
                ));
            }
            Some(args)
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let krate = args.as_ref().and_then(|a| a.krate.clone());
    let result = expand_client_with(args.as_ref(), item, cx, errors);
    through(krate.as_ref(), result)
}

fn expand_client_with(
    args: Option<&attr::Args>,
    item: TokenStream,
    cx: &Context,
    mut errors: Errors,
) -> Result<TokenStream, Failed> {
    let trait_item: syn::ItemTrait = match syn::parse2(item.clone()) {
        Ok(t) => t,
        Err(_) => {
            errors.push(syn::Error::new(
                Span::call_site(),
                "`errspec::client` goes on a trait: the client's methods, each returning \
                 `Result<T, E>`",
            ));
            return Err(Failed::new(errors, item));
        }
    };

    let mut out = TokenStream::new();
    let mut error_path: syn::Path = syn::parse_quote!(__ErrspecUnknownError);
    if let Some(args) = args {
        if let Some(path) = &args.error {
            error_path = path.clone();
        } else if let Some(lit) = &args.spec
            && let Some((tokens, ident)) = client_enum(lit, &trait_item.vis, cx, &mut errors)
        {
            out.extend(tokens);
            error_path = ident.into();
        }
    }
    let expanded = client::expand(trait_item.clone(), &error_path, &mut errors);
    if errors.is_empty() {
        out.extend(expanded);
        return Ok(out);
    }
    Err(Failed::new(errors, client::strip(trait_item)))
}

/// The error enum `#[errspec::client(spec = "...")]` generates beside the trait: `{name}Error`
/// with the trait's visibility and `#[derive(Debug)]`.
fn client_enum(
    lit: &LitStr,
    vis: &syn::Visibility,
    cx: &Context,
    errors: &mut Errors,
) -> Option<(TokenStream, syn::Ident)> {
    let (spec, path) = load_spec(lit, cx, errors)?;
    let Ok(ident) = syn::parse_str::<syn::Ident>(&spec.enum_name) else {
        errors.push(syn::Error::new(
            lit.span(),
            format!("`{}` is not a Rust identifier", spec.enum_name),
        ));
        return None;
    };
    let user = input::UserEnum {
        attrs: vec![syn::parse_quote!(#[derive(Debug)])],
        vis: vis.clone(),
        ident: ident.clone(),
        variants: Vec::new(),
    };
    let tokens = expand::errors(&user, &spec, &path, &lit.value(), errors)?;
    Some((tokens, ident))
}
