//! The pipeline's entry points: a file or its text -> `syntax` (TOML parsed, syntax errors
//! reported) -> `walk` (every table and key read and checked where it is written) -> `valid`
//! (checks across tables and against the base) -> `resolve` (base merged, defaults applied)
//! -> [`Spec`].

use std::io::Read as _;
use std::path::Path;

use crate::diag::Ctxt;
use crate::{
    Diagnostic, DiagnosticKind, Diagnostics, LineIndex, Spec, base, resolve, syntax, valid,
};

/// Largest spec file [`load`] reads: far past any real spec, small enough that pointing
/// `spec` at a huge file (or `/dev/zero`) fails fast instead of exhausting memory.
pub const MAX_SPEC_BYTES: u64 = 4 * 1024 * 1024;

/// Parses, validates and resolves a spec held in `source`; `file` names it in diagnostics.
///
/// Every problem is collected: the error holds one [`Diagnostic`] per problem, in file order,
/// TOML syntax errors included. This never panics, whatever `source` holds.
///
/// ```
/// let spec = errspec_spec::parse_str(
///     r#"
///     [api]
///     name = "Shop"
///     [status.404]
///     message = "no such product"
///     "#,
///     "shop.toml",
/// )
/// .unwrap();
/// assert_eq!(spec.enum_name, "ShopError");
/// assert_eq!(spec.statuses[0].name, "NotFound"); // from the IANA registry
///
/// let errors = errspec_spec::parse_str("[api]\nname = \"Shop\"\n[status.404]\n", "shop.toml")
///     .unwrap_err();
/// assert_eq!(errors.to_string(), "shop.toml:3:9: missing `message` in `[status.404]`\n  \
///     help: add what the status means, Rust error style, e.g. `message = \"rate limit exceeded\"`");
/// ```
pub fn parse_str(source: &str, file: &str) -> Result<Spec, Diagnostics> {
    let mut cx = Ctxt::new(source, file);
    let raw = syntax::read(source, &mut cx);
    let http = base::http();
    valid::check(&raw, http, &mut cx);
    let diagnostics = cx.finish();
    if diagnostics.is_empty() {
        Ok(resolve::resolve(&raw, http))
    } else {
        Err(Diagnostics(diagnostics))
    }
}

/// Reads the spec file at `path` and parses it; `file` names it in diagnostics.
///
/// A file that cannot be read (missing, a directory, not UTF-8, over [`MAX_SPEC_BYTES`]) is
/// one diagnostic naming the absolute path tried.
pub fn load(path: &Path, file: &str) -> Result<Spec, Diagnostics> {
    let source = read_file(path, file)?;
    parse_str(&source, file)
}

/// Reads the spec file at `path` (at most [`MAX_SPEC_BYTES`], UTF-8), for [`parse_str`]:
/// what [`load`] does first, for tools that keep the text (to show snippets of diagnostics).
/// `file` names it in the one diagnostic of a failure, a [`DiagnosticKind::Unreadable`] naming
/// the absolute path tried.
pub fn read_file(path: &Path, file: &str) -> Result<String, Diagnostics> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let whole_file = |message: String, help: &str| {
        Diagnostics(vec![Diagnostic {
            kind: DiagnosticKind::Unreadable,
            file: file.to_owned(),
            location: None,
            span: None,
            message,
            help: Some(help.to_owned()),
        }])
    };
    let not_read = |e: std::io::Error| {
        whole_file(
            format!("cannot read spec file `{}`: {e}", absolute.display()),
            "check the path: a relative `spec` path is resolved against the directory of the \
             crate's Cargo.toml (CARGO_MANIFEST_DIR); an absolute path works too",
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes))
        .map_err(not_read)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_SPEC_BYTES {
        return Err(whole_file(
            format!(
                "spec file `{}` is larger than {} MiB",
                absolute.display(),
                MAX_SPEC_BYTES / (1024 * 1024)
            ),
            "point `spec` at the TOML spec file; a spec is a few KiB",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = bytes
            .get(..valid_up_to)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        let (line, column) = LineIndex::new(prefix).locate(valid_up_to);
        Diagnostics(vec![Diagnostic {
            kind: DiagnosticKind::Unreadable,
            file: file.to_owned(),
            location: Some((line, column)),
            span: Some(valid_up_to..valid_up_to + 1),
            message: "spec file is not valid UTF-8".to_owned(),
            help: Some("save the file as UTF-8, as TOML requires".to_owned()),
        }])
    })
}
