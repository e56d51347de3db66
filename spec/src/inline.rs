//! Values that are tables: `budget = { .. }`, the entries of `wait_sources`, the cases of a
//! status and their `when`. Their keys are in the key table too (places `Budget`,
//! `WaitField`, `Case` and `When`), read by the same walk as a section's.

use toml::de::{DeTable, DeValue};

use crate::keys::Place;
use crate::raw::{Field, RawTable, Remaining, Sp};
use crate::reader::{Reader, Value};
use crate::suggest::one_of;
use crate::tables::Required;
use crate::{
    BudgetConfig, CountFormat, MatchTest, WaitField, WaitFormat, WaitSource, When, WhenSource,
    pointer_has_wildcard,
};

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
    ) -> Option<Sp<Vec<WaitField>>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.type_error(value, "an array", path, example);
            return None;
        };
        let mut headers: Vec<WaitField> = Vec::new();
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
    ) -> Option<Sp<WaitField>> {
        let fields = self.fields(table, Place::WaitField, path, item.span());
        match (fields.name.written(), fields.body.written()) {
            (false, false) => self.cx.error(
                item.span(),
                format!("missing `name` in `{path}`"),
                format!(
                    "name the header, e.g. `{WAIT_HEADER_EXAMPLE}`, or a JSON body field, e.g. \
                     `{{ body = \"/retry_after\", format = \"seconds\" }}`"
                ),
            ),
            (true, true) => self.cx.error(
                item.span(),
                format!("`{path}` names both a header and a body field"),
                "an entry reads one source: split it into two entries, tried in order",
            ),
            _ => {}
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
        let Field::Given(format) = fields.format else {
            return None;
        };
        let header = match (fields.name, fields.body) {
            (Field::Given(name), Field::Absent) => {
                Sp::new(WaitField::owned(name.value, format.value), name.span)
            }
            (Field::Absent, Field::Given(pointer)) => Sp::new(
                WaitField::owned_body(pointer.value, format.value),
                pointer.span,
            ),
            _ => return None,
        };
        fields.clean.then_some(header)
    }

    /// `[[status.N.case]]`: an array of tables, each read in place `Case`; a case without
    /// `name`, `when` or `message` is reported.
    pub(crate) fn cases(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<RawTable>>> {
        const REQUIRED: [Required; 3] = [
            (
                "name",
                |case| case.name.written(),
                "name the case's variant, e.g. `name = \"RateLimited\"`",
            ),
            (
                "when",
                |case| case.when.written(),
                "say what a response shows in this case, e.g. `when = { header = \
                 \"x-ratelimit-remaining\", equals = \"0\" }`",
            ),
            (
                "message",
                |case| case.message.written(),
                "add what the case means, Rust error style, e.g. `message = \"rate limit \
                 exceeded\"`",
            ),
        ];
        let expected = "an array of tables";
        self.tables(value, Place::Case, (path, example, expected), &REQUIRED)
    }

    /// A case's `when = { header | body | text, equals | starts_with | ends_with | contains }`:
    /// one source, at most one test.
    pub(crate) fn when(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<When>> {
        let table = self.table(value, path, example)?;
        let fields = self.fields(table, Place::When, path, value.span());
        let sources = [
            ("header", fields.header.written()),
            ("body", fields.body.written()),
            ("text", fields.text.written()),
        ];
        let tests = [
            (MatchTest::Equals, &fields.equals),
            (MatchTest::StartsWith, &fields.starts_with),
            (MatchTest::EndsWith, &fields.ends_with),
            (MatchTest::Contains, &fields.contains),
        ];
        let mut clean = fields.clean;
        let named: Vec<&str> = sources.iter().filter(|s| s.1).map(|s| s.0).collect();
        match named.as_slice() {
            [] => {
                self.cx.error(
                    value.span(),
                    format!("`{path}` names no source: no header, body field or text"),
                    "add `header = \"x-ratelimit-remaining\"` (a header), `body = \
                     \"/error/code\"` (a JSON field) or `text = true` (the body as text), with \
                     `equals`, `starts_with`, `ends_with` or `contains` to test its value",
                );
                return None;
            }
            [_] => {}
            [first, second, ..] => {
                self.cx.error(
                    value.span(),
                    format!("`{path}` names two sources, `{first}` and `{second}`"),
                    "a `when` tests one source: split it into two cases, tried in order",
                );
                clean = false;
            }
        }
        let written: Vec<&(MatchTest, &Field<Vec<String>>)> =
            tests.iter().filter(|(_, f)| f.written()).collect();
        if let [(first, _), (second, field), ..] = written.as_slice() {
            let span = field.get().map_or(value.span(), |f| f.span.clone());
            self.cx.error(
                span,
                format!("`{path}` has two tests, `{first}` and `{second}`"),
                "a `when` makes one test, passed by any of its values (`equals = [\"a\", \
                 \"b\"]`): for two tests, write two cases, tried in order",
            );
            clean = false;
        }
        let test = match written.first() {
            None => None,
            Some((kind, field)) => Some((*kind, field.get()?)),
        };
        if let (Field::Given(_), Some((kind, values))) = (&fields.text, test)
            && !kind.applies_to_text()
        {
            self.cx.error(
                values.span.clone(),
                format!("`{kind}` cannot test `text = true`, in `{path}`"),
                "`text` is the body excerpt, its first 4 KiB: a body may begin with \
                 whitespace or an XML declaration, and a longer body's end is not in it; use \
                 `contains = \"...\"` to find text in it, or `equals` for the whole excerpt",
            );
            clean = false;
        }
        let source = match (&fields.header, &fields.body, &fields.text) {
            (Field::Given(header), _, _) => WhenSource::Header(header.value.clone()),
            (_, Field::Given(pointer), _) => WhenSource::Body(pointer.value.clone()),
            (_, _, Field::Given(_)) => WhenSource::Text,
            _ => return None,
        };
        let test = test.map(|(kind, values)| (kind, values.value.clone()));
        clean.then(|| Sp::new(When::new(source, test), value.span()))
    }

    /// `remaining = { name = "x-ratelimit-remaining", format = "count" }` (or the header's name
    /// alone, a count): the header and how it states the requests left.
    pub(crate) fn remaining(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Remaining>> {
        if let DeValue::String(_) = value.get_ref() {
            let name = self.header_name(value, path, example)?;
            let format = CountFormat::Count;
            return Some(Sp::new(
                Remaining {
                    name: name.value,
                    format,
                },
                name.span,
            ));
        }
        let table = self.table(value, path, example)?;
        let fields = self.fields(table, Place::Remaining, path, value.span());
        let format = fields.count_format.or_default(CountFormat::Count)?;
        match fields.name {
            Field::Given(name) => fields.clean.then(|| {
                Sp::new(
                    Remaining {
                        name: name.value,
                        format,
                    },
                    name.span,
                )
            }),
            Field::Invalid => None,
            Field::Absent => {
                self.cx.error(
                    value.span(),
                    format!("missing `name` in `{path}`"),
                    format!("name the header that states the requests left, e.g. `{example}`"),
                );
                None
            }
        }
    }

    /// `[rate_limit] reset = { name | body, format }`: where the quota's reset is read.
    pub(crate) fn reset(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<WaitField>> {
        let table = self.table(value, path, example)?;
        let reset = self.wait_header(table, path, value)?;
        if let Some(pointer) = reset.value.body_pointer()
            && pointer_has_wildcard(pointer)
        {
            self.cx.error(
                reset.span,
                format!("`{pointer}` may reach many values, in `{path}`, which reads one"),
                "a quota has one reset: name its field without a `*` token, e.g. \
                 `/rate_limit/reset`",
            );
            return None;
        }
        Some(reset)
    }
}
