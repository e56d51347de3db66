//! `errspec expand`: the codegen library's output for a spec, pretty-printed.

use std::path::Path;

use errspec_codegen::Context;
use quote::quote;

use crate::Loaded;

/// The expansion of `#[errspec::errors(spec = "...")]` on `#[derive(Debug)] pub enum
/// {name}Error {}`, exactly as the macro would produce it (a relative path is resolved against
/// the current directory, as the macro resolves it against the crate's).
pub(crate) fn expand(loaded: &Loaded, path: &Path) -> Result<String, String> {
    let spec_path = path.to_string_lossy().into_owned();
    let ident = syn::parse_str::<syn::Ident>(&loaded.spec.enum_name).map_err(|_| {
        format!(
            "error: `{}` is not a Rust identifier\n",
            loaded.spec.enum_name
        )
    })?;
    let cx = Context {
        manifest_dir: std::env::current_dir().ok(),
        source_file: None,
    };
    let tokens = errspec_codegen::errors(
        quote!(spec = #spec_path),
        quote! {
            #[derive(Debug)]
            pub enum #ident {}
        },
        &cx,
    );
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("error: the expansion is not valid Rust: {e}\n"))?;
    // The spec loaded, so codegen should not fail; if it does, say why rather than print a stub.
    let errors: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => {
                let message: syn::LitStr = m.mac.parse_body().ok()?;
                Some(format!("error: {}\n", message.value()))
            }
            _ => None,
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors.concat());
    }
    Ok(prettyplease::unparse(&file))
}
