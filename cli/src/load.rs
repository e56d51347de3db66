//! Reading a spec file once, as the macro would: the spec, and its text for messages.

use std::fmt::Write as _;
use std::path::Path;

use errspec_spec::{DiagnosticKind, Diagnostics, LineIndex, Spec};

/// A spec that loaded without problems.
pub(crate) struct Loaded {
    pub(crate) spec: Spec,
    /// The path as given on the command line: how messages name the file.
    pub(crate) name: String,
    /// The file's text, for line numbers.
    pub(crate) source: String,
}

impl Loaded {
    /// Lines and columns of the spec file, as diagnostics count them.
    pub(crate) fn lines(&self) -> LineIndex<'_> {
        LineIndex::new(&self.source)
    }
}

/// Loads the spec at `path` as the macro would, reading the file once; on problems, returns
/// them rendered the way rustc renders errors, with a source snippet and a caret under each.
pub(crate) fn load(path: &Path) -> Result<Loaded, String> {
    let name = path.display().to_string();
    let (source, result) = match errspec_spec::read_file(path, &name) {
        Ok(source) => {
            let result = errspec_spec::parse_str(&source, &name);
            (source, result)
        }
        Err(unreadable) => (String::new(), Err(unreadable)),
    };
    match result {
        Ok(spec) => Ok(Loaded { spec, name, source }),
        Err(Diagnostics(mut problems)) => {
            for d in &mut problems {
                // The library's help speaks of the macro's CARGO_MANIFEST_DIR.
                if d.kind == DiagnosticKind::Unreadable && d.location.is_none() {
                    d.help = Some(
                        "check the path: a relative path is taken from the current directory"
                            .to_owned(),
                    );
                }
            }
            let mut out = String::new();
            for d in &problems {
                out.push_str(&d.render(&source));
                out.push('\n');
            }
            let count = problems.len();
            let plural = if count == 1 { "" } else { "s" };
            let _ = writeln!(out, "error: `{name}` has {count} problem{plural}");
            Err(out)
        }
    }
}
