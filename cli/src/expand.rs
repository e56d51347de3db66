//! `errspec expand`: the codegen library's output for a spec, pretty-printed.

use std::fmt::Write as _;
use std::path::Path;

use quote::quote;

use crate::load::Loaded;

/// The expansion of `#[errspec::errors(spec = "...")]` on `#[derive(Debug)] pub enum
/// {name}Error {}`, exactly as the macro would produce it for the spec already loaded (the
/// `include_bytes!` names the path as given, resolved against the current directory as the
/// macro resolves it against the crate's).
pub(crate) fn expand(loaded: &Loaded, path: &Path) -> Result<String, String> {
    let ident = syn::parse_str::<syn::Ident>(&loaded.spec.enum_name).map_err(|_| {
        format!(
            "error: `{}` is not a Rust identifier\n",
            loaded.spec.enum_name
        )
    })?;
    let spec_file = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let item = quote! {
        #[derive(Debug)]
        pub enum #ident {}
    };
    let tokens = errspec_codegen::errors_for_spec(&loaded.spec, &spec_file, &loaded.name, item)
        .map_err(|errors| {
            errors.into_iter().fold(String::new(), |mut out, e| {
                let _ = writeln!(out, "error: {e}");
                out
            })
        })?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("error: the expansion is not valid Rust: {e}\n"))?;
    Ok(prettyplease::unparse(&file))
}
