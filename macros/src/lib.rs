//! errspec's attribute macros. Use them through the `errspec` crate, which re-exports them and
//! documents them; this crate only hands the tokens to `errspec-codegen`.

// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
use proc_macro::TokenStream;

/// Generates an error enum from a spec; see `errspec::errors`.
#[proc_macro_attribute]
pub fn errors(args: TokenStream, item: TokenStream) -> TokenStream {
    errspec_codegen::errors(args.into(), item.into(), &context()).into()
}

/// Implements a client trait for `errspec::Retrying<C>`; see `errspec::client`.
#[proc_macro_attribute]
pub fn client(args: TokenStream, item: TokenStream) -> TokenStream {
    errspec_codegen::client(args.into(), item.into(), &context()).into()
}

/// Where the spec path is resolved from: the user crate's manifest directory and the file the
/// attribute is in (which locates the crate under trybuild, whose manifest directory is a
/// generated project).
fn context() -> errspec_codegen::Context {
    errspec_codegen::Context {
        manifest_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(Into::into),
        source_file: proc_macro::Span::call_site().local_file(),
    }
}
