//! Values that are tables: `budget = { .. }` and the entries of `wait_headers`. Their keys
//! are in the key table too (places `Budget` and `WaitHeader`), read by the same walk as a
//! section's.

use toml::de::{DeTable, DeValue};

use crate::keys::Place;
use crate::raw::{Field, Sp};
use crate::suggest::one_of;
use crate::walk::{Reader, Value};
use crate::{BudgetConfig, WaitFormat, WaitHeader, WaitSource};

const WAIT_HEADER_EXAMPLE: &str = r#"{ name = "retry-after", format = "http" }"#;

impl Reader<'_, '_, '_> {
    /// `budget = { ratio, min_per_second }`; what it leaves out takes
    /// [`BudgetConfig::DEFAULT`]'s value.
    pub(crate) fn budget(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<BudgetConfig>> {
        let table = self.table(value, path, example)?;
        let fields = self.fields(table, Place::Budget, path, value.span());
        let ratio = fields.ratio.or_default(BudgetConfig::DEFAULT.ratio)?;
        let min = fields
            .min_per_second
            .or_default(BudgetConfig::DEFAULT.min_per_second)?;
        fields
            .clean
            .then(|| Sp::new(BudgetConfig::new(ratio, min), value.span()))
    }

    pub(crate) fn wait_headers(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<WaitHeader>>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.type_error(value, "an array", path, example);
            return None;
        };
        let mut headers: Vec<WaitHeader> = Vec::new();
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let Some(table) = self.table(item, &item_path, WAIT_HEADER_EXAMPLE) else {
                valid = false;
                continue;
            };
            let Some(header) = self.wait_header(table, &item_path, item) else {
                valid = false;
                continue;
            };
            if headers.iter().any(|h| h.source == header.value.source) {
                valid = false;
                self.cx.error(
                    header.span,
                    match &header.value.source {
                        WaitSource::Body(pointer) => {
                            format!("duplicate body wait `{pointer}` in `{path}`")
                        }
                        _ => format!(
                            "duplicate wait header `{}` in `{path}`",
                            header.value.header_name().unwrap_or_default()
                        ),
                    },
                    "remove one: the first header present with a valid value wins, so a second \
                     one is never read",
                );
                continue;
            }
            headers.push(header.value);
        }
        valid.then(|| Sp::new(headers, value.span()))
    }

    /// One `{ name, format }` entry of `wait_headers`; the span is the name's.
    pub(crate) fn wait_header(
        &mut self,
        table: &DeTable<'_>,
        path: &str,
        item: &Value<'_>,
    ) -> Option<Sp<WaitHeader>> {
        let fields = self.fields(table, Place::WaitHeader, path, item.span());
        if !fields.name.written() {
            self.cx.error(
                item.span(),
                format!("missing `name` in `{path}`"),
                format!("name the header, e.g. `{WAIT_HEADER_EXAMPLE}`"),
            );
        }
        if !fields.format.written() {
            let others: Vec<&str> = WaitFormat::ALL
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| *s != WaitFormat::Http.as_str())
                .collect();
            self.cx.error(
                item.span(),
                format!("missing `format` in `{path}`"),
                format!(
                    "say how to read the header's value: `format = \"http\"` (Retry-After), \
                     or {}",
                    one_of(&others)
                ),
            );
        }
        let (Field::Given(name), Field::Given(format)) = (fields.name, fields.format) else {
            return None;
        };
        let header = WaitHeader::owned(name.value, format.value);
        fields.clean.then(|| Sp::new(header, name.span))
    }
}
