//! The pipeline's entry points: TOML text -> `read` (typed, spanned, checked value by value)
//! -> `valid` (checks across tables and against the base) -> `resolve` (base merged, defaults
//! applied) -> [`Spec`].

use core::ops::Range;
use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

use toml::de::DeTable;

use crate::ast::RawSpec;
use crate::diag::Ctxt;
use crate::{Diagnostic, Diagnostics, Spec, base, read, resolve, valid};

/// The built-in `http` base spec (`spec/http.toml`): every IANA-registered status.
pub const HTTP_SPEC: &str = include_str!("../http.toml");

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
    let raw = read_source(source, &mut cx);
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
    let source = read_file(path, file).map_err(|d| Diagnostics(vec![d]))?;
    parse_str(&source, file)
}

/// TOML syntax errors and stage 1.
pub(crate) fn read_source(source: &str, cx: &mut Ctxt<'_>) -> RawSpec {
    let (root, errors) = DeTable::parse_recoverable(source);
    let mut headers: Option<Headers<'_>> = None;
    // Table headers written twice: the keys under such a header are duplicates only because
    // the table is, and are not reported again.
    let mut repeated: Vec<usize> = Vec::new();
    for e in &errors {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        let message = message.strip_suffix('.').unwrap_or(message);
        if !message.contains("duplicate key") {
            cx.syntax_error(
                span,
                format!("invalid TOML: {message}"),
                "fix the TOML syntax (https://toml.io/en/v1.0.0)",
            );
            continue;
        }
        let headers = headers.get_or_insert_with(|| Headers::new(source));
        match headers.enclosing(span.start) {
            Some((index, header, on_its_line)) if on_its_line => {
                repeated.push(index);
                let first = headers
                    .first_line_of(header)
                    .filter(|&start| start < span.start)
                    .map(|start| format!(" (first on line {})", cx.locate(start).0))
                    .unwrap_or_default();
                cx.syntax_error(
                    span,
                    format!("invalid TOML: table `{header}` is defined twice{first}"),
                    format!("merge the two `{header}` tables into one: a table can appear once"),
                );
            }
            Some((index, ..)) if repeated.contains(&index) => {}
            _ => {
                let key = source.get(span.clone()).unwrap_or("");
                let key = key.trim_matches(['"', '\'']);
                cx.syntax_error(
                    span,
                    format!("invalid TOML: duplicate key `{}`", clip(key)),
                    "a key can appear once per table: remove or rename one of them",
                );
            }
        }
    }
    read::read(source, root.get_ref(), cx)
}

/// `text` cut to a length fit for a message.
fn clip(text: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// The table-header lines of a TOML file (`[status.404]`, `[[x]]`), found with one scan so
/// that placing many errors stays linear.
struct Headers<'s> {
    /// Byte range of each header line with the header's text, in file order.
    lines: Vec<(Range<usize>, &'s str)>,
    /// Where each header is first written.
    first: HashMap<&'s str, usize>,
}

impl<'s> Headers<'s> {
    fn new(source: &'s str) -> Headers<'s> {
        let mut lines = Vec::new();
        let mut first = HashMap::new();
        let mut start = 0;
        for line in source.split_inclusive('\n') {
            let end = start + line.len();
            let text = line.trim();
            let close = if text.starts_with("[[") { "]]" } else { "]" };
            if text.starts_with('[')
                && let Some(at) = text.find(close)
                && let Some(header) = text.get(..at + close.len())
            {
                lines.push((start..end, header));
                first.entry(header).or_insert(start);
            }
            start = end;
        }
        Headers { lines, first }
    }

    /// The header whose table holds byte `offset`: its index, its text, and whether `offset`
    /// is on the header's own line.
    fn enclosing(&self, offset: usize) -> Option<(usize, &'s str, bool)> {
        let index = self
            .lines
            .partition_point(|(line, _)| line.start <= offset)
            .checked_sub(1)?;
        let (line, header) = self.lines.get(index)?;
        Some((index, header, line.contains(&offset)))
    }

    /// Where the first header written as `header` starts.
    fn first_line_of(&self, header: &str) -> Option<usize> {
        self.first.get(header).copied()
    }
}

/// Reads at most [`MAX_SPEC_BYTES`] of `path` as UTF-8.
fn read_file(path: &Path, file: &str) -> Result<String, Diagnostic> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let whole_file = |message: String, help: &str| Diagnostic {
        file: file.to_owned(),
        location: None,
        span: None,
        message,
        help: Some(help.to_owned()),
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
        let (line, column) = crate::diag::LineIndex::new(prefix).locate(valid_up_to);
        Diagnostic {
            file: file.to_owned(),
            location: Some((line, column)),
            span: Some(valid_up_to..valid_up_to + 1),
            message: "spec file is not valid UTF-8".to_owned(),
            help: Some("save the file as UTF-8, as TOML requires".to_owned()),
        }
    })
}
