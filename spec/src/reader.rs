//! The [`Reader`] every stage-1 reader is a method of: the file's diagnostics and text, and
//! what all value readers share (type errors, tables, quoting what was written).
//! `value.rs`, `number.rs` and `inline.rs` add the readers of values, `keys.rs` the reading of a
//! table by the key table, `walk.rs` the sections.

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::diag::Ctxt;
use crate::suggest::clip;

/// A key as written in the file, with its span.
pub(crate) type TomlKey<'i> = Spanned<DeString<'i>>;
/// A value as written in the file, with its span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A table's entries in file order (the map itself is sorted by key).
pub(crate) fn sorted<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a TomlKey<'i>, &'a Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// Reads values, reporting problems to the file's diagnostics.
pub(crate) struct Reader<'c, 's, 'src> {
    pub(crate) cx: &'c mut Ctxt<'s>,
    /// The file's text.
    pub(crate) source: &'src str,
}

/// "a string", "an integer", ... for "found ...".
pub(crate) fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Reader<'_, '_, '_> {
    /// Reports that `value`, at `path`, is not `expected` ("a string"), with `example` for
    /// the help line.
    pub(crate) fn type_error(
        &mut self,
        value: &Value<'_>,
        expected: &str,
        path: &str,
        example: &str,
    ) {
        let key = path.rsplit('.').next().unwrap_or(path);
        let help = match value.get_ref() {
            // `max_attempts = "3"`: the value is right but quoted.
            DeValue::String(text)
                if matches!(expected, "an integer" | "a number")
                    && text.trim().parse::<f64>().is_ok_and(f64::is_finite)
                    && (expected == "a number" || text.trim().parse::<i128>().is_ok()) =>
            {
                format!(
                    "write the number without quotes: `{key} = {}`",
                    clip(text.trim())
                )
            }
            // `initial_backoff = 100`: a duration needs a unit.
            DeValue::Integer(n) if expected == "a duration string" => {
                let n = clip(n.as_str());
                format!(
                    "write the duration as a string with a unit, e.g. `{key} = \"{n}ms\"` or \
                     `{key} = \"{n}s\"`"
                )
            }
            _ => format!("write, e.g., `{example}`"),
        };
        self.cx.error(
            value.span(),
            format!(
                "expected {expected} for `{path}`, found {}",
                kind(value.get_ref())
            ),
            help,
        );
    }

    /// `value` as a table, else a type error.
    pub(crate) fn table<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
        example: &str,
    ) -> Option<&'a DeTable<'i>> {
        if let DeValue::Table(table) = value.get_ref() {
            Some(table)
        } else {
            self.type_error(value, "a table", path, example);
            None
        }
    }

    /// The value's text as written, clipped, for "found ..." in messages.
    pub(crate) fn written(&self, value: &Value<'_>) -> String {
        clip(self.source.get(value.span()).unwrap_or("").trim())
    }
}
