//! The reader of an array of tables (`[[status.N.case]]`, `[[rate_limit.quota]]`): each item a
//! table read by the key table in its place, and the keys each item needs.

use toml::de::DeValue;

use crate::keys::Place;
use crate::raw::{RawTable, Sp};
use crate::reader::{Reader, Value};

/// A key each item of an array of tables needs: its name, whether an item wrote it, and the
/// help line when one did not.
pub(crate) type Required = (&'static str, fn(&RawTable) -> bool, &'static str);

impl Reader<'_, '_, '_> {
    /// `value` as an array of tables (`expected` says which, for the type error), each item
    /// read in place `place` and each key of `required` an item leaves out reported.
    pub(crate) fn tables(
        &mut self,
        value: &Value<'_>,
        place: Place,
        (path, example, expected): (&str, &str, &str),
        required: &[Required],
    ) -> Option<Sp<Vec<RawTable>>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.type_error(value, expected, path, example);
            return None;
        };
        let mut tables = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let Some(table) = self.table(item, &item_path, example) else {
                continue;
            };
            let fields = self.fields(table, place, &item_path, item.span());
            for (key, written, help) in required {
                if !written(&fields) {
                    self.cx.error(
                        item.span(),
                        format!("missing `{key}` in `{item_path}`"),
                        *help,
                    );
                }
            }
            tables.push(fields);
        }
        Some(Sp::new(tables, value.span()))
    }
}
