//! Problems found in a spec, each with the file, line and column it is about.

use core::fmt;
use core::ops::Range;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// What kind of problem a [`Diagnostic`] is, for tools that treat them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file could not be read: missing, a directory, too large, or not UTF-8. Its help
    /// speaks of where the macro looks for the file (relative to `CARGO_MANIFEST_DIR`).
    Unreadable,
    /// The file is not valid TOML.
    Syntax,
    /// The TOML is valid but the spec is not: an unknown key, a bad value, a duplicate name.
    Invalid,
    /// Not a problem of its own: says how many more were left out past the first 100.
    Truncated,
}

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem it is.
    pub kind: DiagnosticKind,
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

impl Diagnostic {
    /// Renders the diagnostic the way rustc does, with the offending source line and a caret
    /// under the span, for tools that print to a terminal:
    ///
    /// ```text
    /// error: unknown key `nme` in `[api]`
    ///  --> spec/ardoq.toml:2:1
    ///   |
    /// 2 | nme = "Ardoq"
    ///   | ^^^
    ///   |
    ///   = help: did you mean `name`?
    /// ```
    ///
    /// `source` should be the text the diagnostic was made from; when the span does not fit in
    /// it, the snippet is left out rather than guessed.
    ///
    /// ```
    /// let source = "[api]\nnme = \"Ardoq\"\n";
    /// let diagnostics = errspec_spec::parse_str(source, "ardoq.toml").unwrap_err();
    /// let rendered = diagnostics.0[0].render(source);
    /// assert!(rendered.starts_with("error: unknown key `nme` in `[api]`\n --> ardoq.toml:2:1\n"));
    /// assert!(rendered.contains("2 | nme = \"Ardoq\"\n  | ^^^\n"));
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}\n", self.message);
        let snippet = self
            .span
            .as_ref()
            .and_then(|span| Snippet::new(source, span));
        let location = snippet
            .as_ref()
            .map(|s| (s.line, s.column))
            .or(self.location);
        let gutter = snippet
            .as_ref()
            .map_or(1, |s| s.line.to_string().chars().count());
        let pad = " ".repeat(gutter);
        match location {
            Some((line, column)) => {
                let _ = writeln!(out, "{pad}--> {}:{line}:{column}", self.file);
            }
            None => {
                let _ = writeln!(out, "{pad}--> {}", self.file);
            }
        }
        if let Some(s) = &snippet {
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", s.line, s.text);
            let _ = writeln!(
                out,
                "{pad} | {}{}",
                " ".repeat(s.caret_offset),
                "^".repeat(s.caret_len)
            );
        }
        if let Some(help) = &self.help {
            if snippet.is_some() {
                let _ = writeln!(out, "{pad} |");
            }
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
    }
}

/// The source line a span starts on, ready to print with a caret under the span.
struct Snippet {
    line: usize,
    column: usize,
    /// The line, tabs expanded, without its line break.
    text: String,
    /// Characters before the caret, tabs expanded.
    caret_offset: usize,
    /// Carets: the span's characters on this line, at least one.
    caret_len: usize,
}

impl Snippet {
    /// Width a tab is printed with, as rustc does.
    const TAB: &'static str = "    ";

    fn new(source: &str, span: &Range<usize>) -> Option<Snippet> {
        if span.start > source.len() || !source.is_char_boundary(span.start) {
            return None;
        }
        let (line, column) = LineIndex::new(source).locate(span.start);
        let line_start = source.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
        let rest = source.get(line_start..)?;
        let line_text = rest.split('\n').next().unwrap_or("");
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let before = line_text
            .get(..span.start - line_start)
            .unwrap_or(line_text);
        let end = span.end.min(line_start + line_text.len()).max(span.start);
        let covered = source.get(span.start..end).unwrap_or("");
        let width = |s: &str| {
            s.chars()
                .map(|c| if c == '\t' { 4 } else { 1 })
                .sum::<usize>()
        };
        Some(Snippet {
            line,
            column,
            text: line_text.replace('\t', Self::TAB),
            caret_offset: width(before),
            caret_len: width(covered).max(1),
        })
    }
}

/// Turns byte offsets into 1-based lines and columns (columns in characters), as diagnostics
/// count them.
///
/// ```
/// let index = errspec_spec::LineIndex::new("[api]\nname = \"é\"\n");
/// assert_eq!(index.locate(0), (1, 1));
/// assert_eq!(index.locate(6), (2, 1));
/// assert_eq!(index.locate(15), (2, 9)); // after the two-byte `é`: 8 characters in
/// ```
#[derive(Debug, Clone)]
pub struct LineIndex<'s> {
    source: &'s str,
    /// Byte offset of the start of every line.
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    /// Indexes the lines of `source`.
    pub fn new(source: &'s str) -> LineIndex<'s> {
        let starts = core::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { source, starts }
    }

    /// Line and column of byte `offset`; an offset past the end or inside a character counts
    /// as the nearest character start before it.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(0);
        let column = self
            .source
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count());
        (line.max(1), column + 1)
    }
}

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

/// Collects the diagnostics of one file: every stage reports here and carries on, so one run
/// finds every problem.
pub(crate) struct Ctxt<'s> {
    file: &'s str,
    lines: LineIndex<'s>,
    diagnostics: Vec<Diagnostic>,
    /// Spans of TOML syntax errors: a later error touching one of them is a follow-on of the
    /// syntax error (the parser's recovery made up a value) and is left out.
    syntax: Vec<Range<usize>>,
}

impl<'s> Ctxt<'s> {
    /// Past this many, one more diagnostic says how many were left out: a garbage file must
    /// not flood the build log.
    const MAX: usize = 100;

    pub(crate) fn new(source: &'s str, file: &'s str) -> Ctxt<'s> {
        Ctxt {
            file,
            lines: LineIndex::new(source),
            diagnostics: Vec::new(),
            syntax: Vec::new(),
        }
    }

    /// Reports a problem at `span`, with `help` saying what to write instead.
    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(span, message.into(), help.into(), DiagnosticKind::Invalid);
    }

    fn push(&mut self, span: Range<usize>, message: String, help: String, kind: DiagnosticKind) {
        let location = Some(self.lines.locate(span.start));
        let diagnostic = Diagnostic {
            kind,
            file: self.file.to_owned(),
            location,
            span: Some(span),
            message,
            help: Some(help),
        };
        self.diagnostics.push(diagnostic);
    }

    /// Reports a TOML syntax error.
    pub(crate) fn syntax_error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.syntax.push(span.clone());
        self.push(span, message.into(), help.into(), DiagnosticKind::Syntax);
    }

    /// Line and column of byte `offset`.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        self.lines.locate(offset)
    }

    /// Whether the TOML had syntax errors: the parser's recovery may then have lost whole
    /// tables, so "missing" is not to be trusted.
    pub(crate) fn has_syntax_errors(&self) -> bool {
        !self.syntax.is_empty()
    }

    /// The diagnostics in file order, follow-ons of syntax errors left out: those touching a
    /// syntax error's span, and those on its line or the next, where the parser's recovery
    /// guessed at what was meant.
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        // Sorted syntax spans with the largest end so far, and the set of their lines, so a
        // file with thousands of errors is still checked in n log n.
        let mut syntax = self.syntax;
        syntax.sort_by_key(|s| s.start);
        let max_end: Vec<usize> = syntax
            .iter()
            .scan(0, |max, s| {
                *max = s.end.max(*max);
                Some(*max)
            })
            .collect();
        let syntax_lines: BTreeSet<usize> = self
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::Syntax)
            .filter_map(|d| d.location.map(|(line, _)| line))
            .collect();
        let follows_syntax_error = |d: &Diagnostic| {
            let touches = d.span.as_ref().is_some_and(|span| {
                // Syntax spans starting at or before this span's end; one of them touches it
                // if it ends at or after this span's start.
                let starting_before = syntax.partition_point(|s| s.start <= span.end);
                starting_before
                    .checked_sub(1)
                    .and_then(|i| max_end.get(i))
                    .is_some_and(|&end| end >= span.start)
            });
            let near = d.location.is_some_and(|(line, _)| {
                syntax_lines.contains(&line) || syntax_lines.contains(&line.saturating_sub(1))
            });
            touches || near
        };
        let mut out: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .filter(|d| d.kind == DiagnosticKind::Syntax || !follows_syntax_error(d))
            .collect();
        out.sort_by_key(|d| d.span.as_ref().map(|s| (s.start, s.end)));
        out.dedup();
        if out.len() > Self::MAX {
            let left_out = out.len() - Self::MAX;
            out.truncate(Self::MAX);
            out.push(Diagnostic {
                kind: DiagnosticKind::Truncated,
                file: self.file.to_owned(),
                location: None,
                span: None,
                message: format!("{left_out} more problems not shown"),
                help: Some("fix the problems above first".to_owned()),
            });
        }
        out
    }
}
