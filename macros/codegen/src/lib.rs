//! errspec's code generator: a normal library that turns (attribute arguments, user item) into
//! tokens, so every expansion can be unit-tested. The `errspec-macros` crate is a thin shim.

use std::path::PathBuf;

use proc_macro2::TokenStream;

/// Where the macro was invoked from, for resolving a relative spec path.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The user crate's `CARGO_MANIFEST_DIR`.
    pub manifest_dir: Option<PathBuf>,
    /// The source file holding the attribute, when the compiler knows it.
    pub source_file: Option<PathBuf>,
}

/// Expands `#[errspec::errors(...)]`.
pub fn errors(args: TokenStream, item: TokenStream, cx: &Context) -> TokenStream {
    let _ = (args, cx);
    item
}
