//! Finding and loading the spec file a `spec = "..."` argument names.

use std::path::{Path, PathBuf};

use syn::LitStr;

use crate::errors::Errors;

/// Where the macro was invoked from, for resolving a relative spec path.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The user crate's `CARGO_MANIFEST_DIR`.
    pub manifest_dir: Option<PathBuf>,
    /// The source file holding the attribute, when the compiler knows it.
    pub source_file: Option<PathBuf>,
}

/// Resolves `spec` to an existing file: an absolute path as is; a relative one against the user
/// crate's `CARGO_MANIFEST_DIR`, else against the directory of the nearest `Cargo.toml` above
/// the source file holding the attribute. The second rule is what makes specs work under
/// trybuild, whose `CARGO_MANIFEST_DIR` is a generated project while the source file is the
/// user's own. On failure, returns the paths tried.
pub(crate) fn locate(spec: &str, cx: &Context) -> Result<PathBuf, Vec<PathBuf>> {
    let spec = Path::new(spec);
    if spec.is_absolute() {
        return if spec.is_file() {
            Ok(spec.to_path_buf())
        } else {
            Err(vec![spec.to_path_buf()])
        };
    }
    let mut tried = Vec::new();
    if let Some(dir) = &cx.manifest_dir {
        let candidate = dir.join(spec);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate);
    }
    if let Some(crate_dir) = cx.source_file.as_deref().and_then(crate_dir_of) {
        let candidate = crate_dir.join(spec);
        if candidate.is_file() {
            return Ok(candidate);
        }
        if !tried.contains(&candidate) {
            tried.push(candidate);
        }
    }
    if tried.is_empty() {
        tried.push(spec.to_path_buf());
    }
    Err(tried)
}

/// The directory of the nearest `Cargo.toml` at or above `source`'s directory.
fn crate_dir_of(source: &Path) -> Option<PathBuf> {
    let source = if source.is_relative() {
        std::env::current_dir().ok()?.join(source)
    } else {
        source.to_path_buf()
    };
    source
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Finds, reads and resolves the spec a `spec = "..."` literal names; problems are spanned on
/// the literal.
pub(crate) fn load_spec(
    lit: &LitStr,
    cx: &Context,
    errors: &mut Errors,
) -> Option<(errspec_spec::Spec, PathBuf)> {
    let name = lit.value();
    let path = match locate(&name, cx) {
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
            errors.push_diagnostics(lit.span(), diagnostics);
            if errors.is_empty() {
                errors.push(syn::Error::new(lit.span(), format!("{name}: invalid spec")));
            }
            None
        }
    }
}
