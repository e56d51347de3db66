//! TOML text to a tree: syntax errors reported (a table written twice named as such, with the
//! line it was first written on), then the tree handed to `walk`.

use core::ops::Range;
use std::collections::HashMap;

use toml::de::DeTable;

use crate::diag::Ctxt;
use crate::raw::RawSpec;
use crate::suggest::clip;
use crate::walk;

/// Parses `source` as TOML, reporting its syntax errors, and reads what could be parsed.
pub(crate) fn read(source: &str, cx: &mut Ctxt<'_>) -> RawSpec {
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
    walk::read(source, root.get_ref(), cx)
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
