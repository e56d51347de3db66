//! Stage 1: the TOML tree to a [`RawSpec`]. Walks the sections and their tables; each key is
//! read by the reader the key table (`keys.rs`) names for it, so every key and value is
//! checked where it was written. Every problem is reported and reading goes on.

use std::collections::BTreeMap;

use toml::de::DeTable;

use crate::diag::Ctxt;
use crate::keys::{self, Place};
use crate::raw::{RawSpec, RawStatus, RawTable};
use crate::reader::{Reader, TomlKey, Value, sorted};
use crate::suggest::{all_of, clip, did_you_mean};

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Reads a parsed spec file; `source` is its text (to point inside strings).
pub(crate) fn read(source: &str, root: &DeTable<'_>, cx: &mut Ctxt<'_>) -> RawSpec {
    let mut reader = Reader { cx, source };
    let mut spec = RawSpec::default();
    for (key, value) in sorted(root) {
        let Some((place, name)) = Place::section_named(key.get_ref().as_ref()) else {
            spec.written.extend(reader.unknown_top_level(key, value));
            continue;
        };
        match place {
            Place::Api => {
                spec.written.push(name);
                spec.api = reader.section(key, value, place, name);
            }
            Place::Retry => {
                spec.retry = reader.section(key, value, place, name).unwrap_or_default();
            }
            Place::Transport => {
                spec.written.push(name);
                spec.transport = reader.section(key, value, place, name);
            }
            Place::RateLimit => {
                spec.written.push(name);
                spec.rate_limit = reader.section(key, value, place, name);
            }
            Place::Class => reader.classes(value, &mut spec.classes),
            Place::Status => reader.statuses(value, &mut spec.statuses),
            // tables that are values of a key, never sections
            Place::Remaining
            | Place::Quota
            | Place::Case
            | Place::When
            | Place::Budget
            | Place::WaitField => {}
        }
    }
    spec
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

impl Reader<'_, '_, '_> {
    /// `[api]` or `[retry]`; `None` (reported) when it is not a table.
    fn section(
        &mut self,
        key: &TomlKey<'_>,
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

    fn unknown_class(&mut self, key: &TomlKey<'_>) {
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
    fn unknown_top_level(&mut self, key: &TomlKey<'_>, value: &Value<'_>) -> Option<&'static str> {
        let name = key.get_ref().as_ref();
        let sections = Place::SECTIONS
            .iter()
            .filter_map(|p| p.section().map(|(key, _)| key));
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
            let headers: Vec<&str> = Place::SECTIONS
                .iter()
                .filter_map(|p| p.section().map(|(_, header)| header))
                .collect();
            format!("the sections are {}", all_of(&headers))
        };
        self.cx.error(key.span(), message, help);
        suggestion
    }
}
