//! Stage 1: the TOML tree to a [`RawSpec`]. Walks the sections and their tables; each key is
//! read by the reader the key table (`keys.rs`) names for it, so every key and value is
//! checked where it was written. Every problem is reported and reading goes on.

use core::ops::Range;
use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::diag::Ctxt;
use crate::keys::{self, Place};
use crate::raw::{RawSpec, RawStatus, RawTable};
use crate::suggest::{all_of, did_you_mean};
use crate::value::clip;

pub(crate) type Key<'i> = Spanned<DeString<'i>>;
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The top-level sections, each with an example for help lines.
const SECTIONS: [(&str, &str); 6] = [
    ("api", "[api]"),
    ("retry", "[retry]"),
    ("class", "[class.5xx]"),
    ("status", "[status.429]"),
    ("transport", "[transport]"),
    ("rate_limit", "[rate_limit]"),
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Reads a parsed spec file; `source` is its text (to point inside strings).
pub(crate) fn read(source: &str, root: &DeTable<'_>, cx: &mut Ctxt<'_>) -> RawSpec {
    let mut reader = Reader { cx, source };
    let mut spec = RawSpec::default();
    for (key, value) in sorted(root) {
        match key.get_ref().as_ref() {
            "api" => {
                spec.written.push("api");
                spec.api = reader.section(key, value, Place::Api, "api");
            }
            "retry" => {
                spec.retry = reader
                    .section(key, value, Place::Retry, "retry")
                    .unwrap_or_default();
            }
            "transport" => {
                spec.written.push("transport");
                spec.transport = reader.section(key, value, Place::Transport, "transport");
            }
            "rate_limit" => {
                spec.written.push("rate_limit");
                spec.rate_limit = reader.section(key, value, Place::RateLimit, "rate_limit");
            }
            "class" => reader.classes(value, &mut spec.classes),
            "status" => reader.statuses(value, &mut spec.statuses),
            _ => spec.written.extend(reader.unknown_top_level(key, value)),
        }
    }
    spec
}

/// A table's entries in file order (the map itself is sorted by key).
pub(crate) fn sorted<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// A status code key: digits (leading zeros allowed, so `0429` is caught as a duplicate of
/// `429` rather than as something else) with a value in 100..=999.
enum CodeKey {
    Code(u16),
    NotACode,
    OutOfRange,
}

fn code_key(key: &str) -> CodeKey {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return CodeKey::NotACode;
    }
    let digits = key.trim_start_matches('0');
    if digits.len() > 3 {
        return CodeKey::OutOfRange;
    }
    match digits.parse::<u16>() {
        Ok(code) if (100..=999).contains(&code) => CodeKey::Code(code),
        _ => CodeKey::OutOfRange,
    }
}

/// Reads values, reporting problems to the file's diagnostics.
pub(crate) struct Reader<'c, 's, 'src> {
    pub(crate) cx: &'c mut Ctxt<'s>,
    /// The file's text.
    pub(crate) source: &'src str,
}

impl Reader<'_, '_, '_> {
    /// The keys of `table`, a table of kind `place` at `path` (`api`, `status.404`,
    /// `retry.budget`), each read by its key's reader; `span` is the table's.
    pub(crate) fn fields(
        &mut self,
        table: &DeTable<'_>,
        place: Place,
        path: &str,
        span: Range<usize>,
    ) -> RawTable {
        let mut fields = RawTable {
            span,
            clean: true,
            ..RawTable::default()
        };
        for (k, v) in sorted(table) {
            let name = k.get_ref().as_ref();
            if let Some(key) = keys::find(name, place) {
                (key.read)(self, v, &format!("{path}.{name}"), key.example, &mut fields);
                continue;
            }
            fields.clean = false;
            let container = if place.is_section() {
                format!("`[{path}]`")
            } else {
                format!("`{path}`")
            };
            let misspelt = self.unknown_key(k, &container, place);
            if let Some(key) = misspelt.and_then(|m| keys::find(m, place)) {
                (key.misspelt)(&mut fields);
            }
        }
        fields
    }

    /// `[api]` or `[retry]`; `None` (reported) when it is not a table.
    fn section(
        &mut self,
        key: &Key<'_>,
        value: &Value<'_>,
        place: Place,
        name: &str,
    ) -> Option<RawTable> {
        let table = self.table(value, name, &format!("[{name}]"))?;
        Some(self.fields(table, place, name, key.span()))
    }

    fn classes(&mut self, value: &Value<'_>, classes: &mut [Option<RawTable>; 5]) {
        let Some(table) = self.table(value, "class", "[class.5xx]") else {
            return;
        };
        for (k, v) in sorted(table) {
            let name = k.get_ref().as_ref();
            let Some(slot) = CLASSES
                .iter()
                .position(|c| *c == name)
                .and_then(|i| classes.get_mut(i))
            else {
                self.unknown_class(k);
                continue;
            };
            let path = format!("class.{name}");
            let Some(table) = self.table(v, &path, &format!("[{path}]")) else {
                continue;
            };
            *slot = Some(self.fields(table, Place::Class, &path, k.span()));
        }
    }

    fn unknown_class(&mut self, key: &Key<'_>) {
        let name = key.get_ref().as_ref();
        // `6xx` is no typo of `5xx`: suggest only for other words.
        let class_like = name.len() == 3 && name.ends_with("xx");
        let beyond = class_like && name.starts_with(['6', '7', '8', '9']);
        let help = match did_you_mean(name, CLASSES).filter(|_| !class_like) {
            Some(better) => {
                format!(
                    "did you mean `{better}`? the classes are {}",
                    all_of(&CLASSES)
                )
            }
            None if beyond => format!(
                "the classes are {}; codes 600 to 999 belong to no class and are never \
                 retried unless listed: write a `[status.N]` table, with `name`, `reason` and \
                 `message`, for each one the API sends",
                all_of(&CLASSES)
            ),
            None => format!(
                "the classes are {}; a single code goes in `[status.N]`",
                all_of(&CLASSES)
            ),
        };
        self.cx.error(
            key.span(),
            format!("unknown status class `{}`", clip(name)),
            help,
        );
    }

    fn statuses(&mut self, value: &Value<'_>, statuses: &mut Vec<RawStatus>) {
        let Some(table) = self.table(value, "status", "[status.429]") else {
            return;
        };
        // Code -> line of its first table.
        let mut seen: BTreeMap<u16, usize> = BTreeMap::new();
        for (k, v) in sorted(table) {
            let key = k.get_ref().as_ref();
            let code = match code_key(key) {
                CodeKey::Code(code) => code,
                CodeKey::NotACode => {
                    let help = if key.len() == 3 && key.ends_with("xx") {
                        format!("defaults for a whole class go in `[class.{}]`", clip(key))
                    } else {
                        "key each status table by its numeric code, e.g. `[status.429]`".to_owned()
                    };
                    self.cx.error(
                        k.span(),
                        format!("`{}` is not a status code", clip(key)),
                        help,
                    );
                    continue;
                }
                CodeKey::OutOfRange => {
                    self.cx.error(
                        k.span(),
                        format!("status code `{}` is out of range", clip(key)),
                        "write a code from 100 to 999, the range `http::StatusCode` accepts",
                    );
                    continue;
                }
            };
            let path = format!("status.{key}");
            let Some(table) = self.table(v, &path, &format!("[{path}]")) else {
                continue;
            };
            if let Some(&line) = seen.get(&code) {
                self.cx.error(
                    k.span(),
                    format!(
                        "duplicate status code `{key}`: status {code} is already defined on \
                         line {line}"
                    ),
                    format!("merge the two into one `[status.{code}]` table"),
                );
                continue;
            }
            seen.insert(code, self.cx.locate(k.span().start).0);
            let table = self.fields(table, Place::Status, &path, k.span());
            statuses.push(RawStatus { code, table });
        }
    }

    /// Reports an unknown top-level key; returns the section it likely misspells.
    fn unknown_top_level(&mut self, key: &Key<'_>, value: &Value<'_>) -> Option<&'static str> {
        let name = key.get_ref().as_ref();
        let sections = SECTIONS.iter().map(|(s, _)| *s);
        let message = if value.get_ref().is_table() {
            format!("unknown section `[{}]`", clip(name))
        } else {
            format!("unknown top-level key `{}`", clip(name))
        };
        let suggestion = did_you_mean(name, sections);
        let help = if let Some(better) = suggestion {
            format!("did you mean `[{better}]`?")
        } else if let Some(home) = keys::home_of(name) {
            format!("`{name}` belongs in {home}")
        } else {
            "the sections are `[api]`, `[retry]`, `[class.Nxx]`, `[status.N]`, `[transport]` and \
             `[rate_limit]`"
                .to_owned()
        };
        self.cx.error(key.span(), message, help);
        suggestion
    }

    /// Reports a key that `container` (e.g. "`[api]`"), a table of kind `place`, does not
    /// have; returns the key it is likely a misspelling of, so that key is not also reported
    /// missing.
    fn unknown_key(
        &mut self,
        key: &Key<'_>,
        container: &str,
        place: Place,
    ) -> Option<&'static str> {
        let name = key.get_ref().as_ref();
        let names = keys::names(place);
        let suggestion = did_you_mean(name, names.clone());
        let help = if let Some(better) = suggestion {
            format!("did you mean `{better}`?")
        } else if let Some(home) = keys::home_of(name) {
            format!("`{name}` belongs in {home}")
        } else {
            let names: Vec<&str> = names.collect();
            format!("the keys of {container} are {}", all_of(&names))
        };
        self.cx.error(
            key.span(),
            format!("unknown key `{}` in {container}", clip(name)),
            help,
        );
        suggestion
    }
}
