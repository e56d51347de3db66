//! Finding the spec file a `spec = "..."` argument names.

use std::path::{Path, PathBuf};

use crate::Context;

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
