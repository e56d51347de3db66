//! Problems found in a spec, each with the file, line and column it is about.

use core::fmt;
use core::ops::Range;

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file as the user named it (e.g. `spec/ardoq.toml`).
    pub file: String,
    /// 1-based line and column (in characters) of the problem; `None` when it is about the
    /// whole file (it could not be read, say).
    pub location: Option<(usize, usize)>,
    /// Byte range in the file.
    pub span: Option<Range<usize>>,
    /// What is wrong, Rust error style.
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
}

/// Every problem of one spec, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostic {
    /// `file:line:col: message` and, on a second line, `help: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            fmt::Display::fmt(d, f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
