//! errspec's code generator: a normal library that turns (attribute arguments, user item) into
//! tokens, so every expansion can be unit-tested. The `errspec-macros` crate is a thin shim.
//!
//! The pipeline, one stage a file: [`attr`] reads the macro's arguments, [`locate`] finds the
//! spec file, `errspec_spec` parses, validates and resolves it, [`input`] reads the user's item,
//! and [`expand`] writes the tokens.

mod attr;
mod expand;
mod input;
mod locate;

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use syn::LitStr;

/// Where the macro was invoked from, for resolving a relative spec path.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The user crate's `CARGO_MANIFEST_DIR`.
    pub manifest_dir: Option<PathBuf>,
    /// The source file holding the attribute, when the compiler knows it.
    pub source_file: Option<PathBuf>,
}

/// Every error of one expansion, reported together (serde's `Ctxt` idea).
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn into_tokens(self) -> TokenStream {
        self.0
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
    }
}

/// Expands `#[errspec::errors(spec = "...")]` on `item`.
///
/// Never panics: every problem, in the arguments, the spec or the item, becomes a
/// `compile_error!`, emitted beside a stub of the enum so no follow-on errors appear.
pub fn errors(args: TokenStream, item: TokenStream, cx: &Context) -> TokenStream {
    let mut errors = Errors::default();
    let spec_lit = match attr::parse(args, attr::Macro::Errors) {
        Ok(args) => {
            if args.spec.is_none() {
                errors.push(syn::Error::new(
                    Span::call_site(),
                    "missing spec file: write `#[errspec::errors(spec = \"path/to/spec.toml\")]` \
                     with a path relative to the crate's Cargo.toml",
                ));
            }
            args.spec
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let user = input::parse(item.clone(), &mut errors);
    let loaded = spec_lit.and_then(|lit| load_spec(&lit, cx, &mut errors).map(|s| (lit, s)));
    if let (Some(user), Some((lit, (spec, path)))) = (&user, &loaded) {
        if errors.is_empty() {
            if let Some(tokens) = expand::errors(user, spec, path, &lit.value(), &mut errors) {
                if errors.is_empty() {
                    return tokens;
                }
            }
        }
    }
    let stub = match &user {
        Some(user) => expand::stub(user),
        None => item,
    };
    let mut out = errors.into_tokens();
    out.extend(stub);
    out
}

/// Finds, reads and resolves the spec a `spec = "..."` literal names; problems are spanned on
/// the literal.
fn load_spec(
    lit: &LitStr,
    cx: &Context,
    errors: &mut Errors,
) -> Option<(errspec_spec::Spec, PathBuf)> {
    let name = lit.value();
    let path = match locate::locate(&name, cx) {
        Ok(path) => path,
        Err(tried) => {
            let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "{name}: spec file not found (tried {}); a relative path is resolved against \
                     the directory of the crate's Cargo.toml",
                    tried.join(", ")
                ),
            ));
            return None;
        }
    };
    match errspec_spec::load(&path, &name) {
        Ok(spec) => Some((spec, path)),
        Err(diagnostics) => {
            for d in diagnostics.0 {
                errors.push(syn::Error::new(lit.span(), d.to_string()));
            }
            if errors.is_empty() {
                errors.push(syn::Error::new(lit.span(), format!("{name}: invalid spec")));
            }
            None
        }
    }
}
