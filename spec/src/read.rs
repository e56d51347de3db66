//! Stage 1: the TOML tree to a [`RawSpec`]. Walks every table by hand so that each key and
//! value is checked where it was written: unknown keys, wrong types, bad durations, names,
//! policies, header names and templates. Every problem is reported and reading goes on.

use core::ops::Range;
use core::time::Duration;
use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::ast::{RawApi, RawClass, RawRetry, RawSpec, RawStatus, Sp};
use crate::diag::Ctxt;
use crate::suggest::{all_of, did_you_mean, one_of};
use crate::{Budget, Jitter, Policy, WaitFormat, WaitHeader, ident, template};

type Key<'i> = Spanned<DeString<'i>>;
type Value<'i> = Spanned<DeValue<'i>>;

/// The keys of a table, each with an example line for help messages.
type Keys = &'static [(&'static str, &'static str)];

const SECTIONS: Keys = &[
    ("api", "[api]"),
    ("retry", "[retry]"),
    ("class", "[class.5xx]"),
    ("status", "[status.429]"),
];
const API_KEYS: Keys = &[
    ("name", r#"name = "Ardoq""#),
    ("extends", r#"extends = "http""#),
    ("display", r#"display = "{code} {reason}: {message}""#),
    ("fallback", r#"fallback = "Other""#),
    ("docs", r#"docs = "https://developer.example.com/errors""#),
];
const RETRY_KEYS: Keys = &[
    ("max_attempts", "max_attempts = 3"),
    ("initial_backoff", r#"initial_backoff = "100ms""#),
    ("max_backoff", r#"max_backoff = "20s""#),
    ("multiplier", "multiplier = 2.0"),
    ("jitter", r#"jitter = "full""#),
    ("max_retry_after", r#"max_retry_after = "60s""#),
    ("max_elapsed", r#"max_elapsed = "2m""#),
    (
        "wait_headers",
        r#"wait_headers = [{ name = "retry-after", format = "http" }]"#,
    ),
    ("budget", "budget = { ratio = 0.2, min_per_second = 10 }"),
];
const CLASS_KEYS: Keys = &[
    ("retry", r#"retry = "idempotent""#),
    ("message", r#"message = "server error""#),
    ("hint", r#"hint = "try again later""#),
];
const STATUS_KEYS: Keys = &[
    ("name", r#"name = "TooManyRequests""#),
    ("reason", r#"reason = "Too Many Requests""#),
    ("message", r#"message = "rate limit exceeded""#),
    ("hint", r#"hint = "slow down""#),
    ("retry", r#"retry = "after-header""#),
    (
        "wait_headers",
        r#"wait_headers = [{ name = "retry-after", format = "http" }]"#,
    ),
];
const WAIT_HEADER_KEYS: Keys = &[
    ("name", r#"name = "retry-after""#),
    ("format", r#"format = "http""#),
];
const BUDGET_KEYS: Keys = &[
    ("ratio", "ratio = 0.2"),
    ("min_per_second", "min_per_second = 10"),
];
const WAIT_HEADER_EXAMPLE: &str = r#"{ name = "retry-after", format = "http" }"#;
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Where each kind of key lives, for "`x` belongs in `[retry]`".
const HOMES: [(&str, Keys); 4] = [
    ("`[api]`", API_KEYS),
    ("`[retry]`", RETRY_KEYS),
    ("a `[status.N]` table", STATUS_KEYS),
    ("a `[class.Nxx]` table", CLASS_KEYS),
];

/// Budget settings when `budget` leaves them out: Finagle's defaults.
const DEFAULT_BUDGET: Budget = Budget {
    ratio: 0.2,
    min_per_second: 10,
};
/// Largest budget ratio: a thousand retries per request is already no budget at all.
const MAX_BUDGET_RATIO: f64 = 1000.0;
/// Longest excerpt of a user's value quoted in a message.
const QUOTE_MAX: usize = 40;

/// Reads a parsed spec file; `source` is its text (to point inside strings).
pub(crate) fn read(source: &str, root: &DeTable<'_>, cx: &mut Ctxt<'_>) -> RawSpec {
    let mut reader = Reader { cx, source };
    let mut spec = RawSpec::default();
    for (key, value) in sorted(root) {
        match key.get_ref().as_ref() {
            "api" => {
                spec.written.push("api");
                spec.api = reader.api(key, value);
            }
            "retry" => spec.retry = reader.retry(value),
            "class" => reader.classes(value, &mut spec.classes),
            "status" => reader.statuses(value, &mut spec.statuses),
            _ => spec.written.extend(reader.unknown_top_level(key, value)),
        }
    }
    spec
}

/// A table's entries in file order (the map itself is sorted by key).
fn sorted<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// The example line for `key` among `keys`.
fn example_of(keys: Keys, key: &str) -> &'static str {
    keys.iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, example)| example)
}

/// "a string", "an integer", ... for "found ...".
fn kind(value: &DeValue<'_>) -> &'static str {
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

/// `text` cut to [`QUOTE_MAX`] characters, so a huge value cannot make a huge message.
fn clip(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(QUOTE_MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Whether `name` is an HTTP header name: one or more RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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

struct Reader<'c, 's, 'src> {
    cx: &'c mut Ctxt<'s>,
    source: &'src str,
}

impl Reader<'_, '_, '_> {
    // ----- sections -------------------------------------------------------------------------

    fn api(&mut self, key: &Key<'_>, value: &Value<'_>) -> Option<RawApi> {
        let table = self.table(value, "api", "[api]")?;
        let mut api = RawApi {
            span: key.span(),
            name: None,
            extends: None,
            display: None,
            fallback: None,
            docs: None,
            written: Vec::new(),
        };
        for (k, v) in sorted(table) {
            let name = k.get_ref().as_ref();
            let path = format!("api.{name}");
            let ex = example_of(API_KEYS, name);
            match name {
                "name" => {
                    api.written.push("name");
                    api.name = self.ident(v, &path, ex, "API name");
                }
                "extends" => {
                    api.written.push("extends");
                    api.extends = self.extends(v, &path, ex);
                }
                "display" => {
                    api.written.push("display");
                    api.display = self.display(v, &path, ex);
                }
                "fallback" => {
                    api.written.push("fallback");
                    api.fallback = self.ident(v, &path, ex, "fallback variant name");
                }
                "docs" => {
                    api.written.push("docs");
                    api.docs = self.text(v, &path, ex);
                }
                _ => api.written.extend(self.unknown_key(k, "`[api]`", API_KEYS)),
            }
        }
        Some(api)
    }

    fn retry(&mut self, value: &Value<'_>) -> RawRetry {
        let mut retry = RawRetry::default();
        let Some(table) = self.table(value, "retry", "[retry]") else {
            return retry;
        };
        for (k, v) in sorted(table) {
            let name = k.get_ref().as_ref();
            let path = format!("retry.{name}");
            let ex = example_of(RETRY_KEYS, name);
            match name {
                "max_attempts" => {
                    retry.written.push("max_attempts");
                    retry.max_attempts = self.max_attempts(v, &path, ex);
                }
                "initial_backoff" => {
                    retry.written.push("initial_backoff");
                    retry.initial_backoff = self.duration(v, &path, ex);
                }
                "max_backoff" => {
                    retry.written.push("max_backoff");
                    retry.max_backoff = self.duration(v, &path, ex);
                }
                "multiplier" => {
                    retry.written.push("multiplier");
                    retry.multiplier = self.multiplier(v, &path, ex);
                }
                "jitter" => {
                    retry.written.push("jitter");
                    retry.jitter = self.choice(v, &path, ex, "jitter", &Jitter::ALL);
                }
                "max_retry_after" => {
                    retry.written.push("max_retry_after");
                    retry.max_retry_after = self.duration(v, &path, ex);
                }
                "max_elapsed" => {
                    retry.written.push("max_elapsed");
                    retry.max_elapsed = self.duration(v, &path, ex);
                }
                "wait_headers" => {
                    retry.written.push("wait_headers");
                    retry.wait_headers = self.wait_headers(v, &path, ex);
                }
                "budget" => {
                    retry.written.push("budget");
                    retry.budget = self.budget(v, &path, ex);
                }
                _ => retry
                    .written
                    .extend(self.unknown_key(k, "`[retry]`", RETRY_KEYS)),
            }
        }
        retry
    }

    fn classes(&mut self, value: &Value<'_>, classes: &mut [Option<RawClass>; 5]) {
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
                         retried unless listed: write a `[status.N]` table, with `name`, \
                         `reason` and `message`, for each one the API sends",
                        all_of(&CLASSES)
                    ),
                    None => format!(
                        "the classes are {}; a single code goes in `[status.N]`",
                        all_of(&CLASSES)
                    ),
                };
                self.cx.error(
                    k.span(),
                    format!("unknown status class `{}`", clip(name)),
                    help,
                );
                continue;
            };
            let path = format!("class.{name}");
            let Some(table) = self.table(v, &path, &format!("[{path}]")) else {
                continue;
            };
            let mut class = RawClass::default();
            for (k, v) in sorted(table) {
                let key = k.get_ref().as_ref();
                let key_path = format!("{path}.{key}");
                let ex = example_of(CLASS_KEYS, key);
                match key {
                    "retry" => {
                        class.retry = self.choice(v, &key_path, ex, "retry policy", &Policy::ALL);
                    }
                    "message" => class.message = self.text(v, &key_path, ex),
                    "hint" => class.hint = self.text(v, &key_path, ex),
                    _ => {
                        self.unknown_key(k, &format!("`[{path}]`"), CLASS_KEYS);
                    }
                }
            }
            *slot = Some(class);
        }
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
                    format!("duplicate status code `{key}`: status {code} is already defined on line {line}"),
                    format!("merge the two into one `[status.{code}]` table"),
                );
                continue;
            }
            seen.insert(code, self.cx.locate(k.span().start).0);
            statuses.push(self.status(code, k.span(), &path, table));
        }
    }

    fn status(
        &mut self,
        code: u16,
        span: Range<usize>,
        path: &str,
        table: &DeTable<'_>,
    ) -> RawStatus {
        let mut status = RawStatus {
            code,
            span,
            name: None,
            reason: None,
            message: None,
            hint: None,
            retry: None,
            wait_headers: None,
            written: Vec::new(),
        };
        for (k, v) in sorted(table) {
            let key = k.get_ref().as_ref();
            let key_path = format!("{path}.{key}");
            let ex = example_of(STATUS_KEYS, key);
            match key {
                "name" => {
                    status.written.push("name");
                    status.name = self.ident(v, &key_path, ex, "variant name");
                }
                "reason" => {
                    status.written.push("reason");
                    status.reason = self.text(v, &key_path, ex);
                }
                "message" => {
                    status.written.push("message");
                    status.message = self.text(v, &key_path, ex);
                }
                "hint" => {
                    status.written.push("hint");
                    status.hint = self.text(v, &key_path, ex);
                }
                "retry" => {
                    status.written.push("retry");
                    status.retry = self.choice(v, &key_path, ex, "retry policy", &Policy::ALL);
                }
                "wait_headers" => {
                    status.written.push("wait_headers");
                    status.wait_headers = self.wait_headers(v, &key_path, ex);
                }
                _ => {
                    let misspelt = self.unknown_key(k, &format!("`[{path}]`"), STATUS_KEYS);
                    status.written.extend(misspelt);
                }
            }
        }
        status
    }

    // ----- unknown keys ---------------------------------------------------------------------

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
        } else if let Some(home) = home_of(name) {
            format!("`{name}` belongs in {home}")
        } else {
            "the sections are `[api]`, `[retry]`, `[class.Nxx]` and `[status.N]`".to_owned()
        };
        self.cx.error(key.span(), message, help);
        suggestion
    }

    /// Reports a key that `container` (e.g. "`[api]`") does not have; returns the key it is
    /// likely a misspelling of, so that key is not also reported missing.
    fn unknown_key(&mut self, key: &Key<'_>, container: &str, keys: Keys) -> Option<&'static str> {
        let name = key.get_ref().as_ref();
        let names = keys.iter().map(|(k, _)| *k);
        let suggestion = did_you_mean(name, names.clone());
        let help = if let Some(better) = suggestion {
            format!("did you mean `{better}`?")
        } else if let Some(home) = home_of(name).filter(|home| *home != container) {
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

    // ----- values ---------------------------------------------------------------------------

    fn type_error(&mut self, value: &Value<'_>, expected: &str, path: &str, example: &str) {
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

    fn table<'a, 'i>(
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

    fn string(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<String>> {
        if let DeValue::String(s) = value.get_ref() {
            Some(Sp::new(s.to_string(), value.span()))
        } else {
            self.type_error(value, "a string", path, example);
            None
        }
    }

    /// A string that must say something: a message, reason, hint or link.
    fn text(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<String>> {
        let text = self.string(value, path, example)?;
        if text.value.trim().is_empty() {
            self.cx.error(
                text.span,
                format!("`{path}` is empty"),
                format!(
                    "write some text, e.g. `{example}`, or leave the key out where it is optional"
                ),
            );
            return None;
        }
        Some(text)
    }

    /// A name that becomes Rust code: a plain identifier, not a keyword.
    fn ident(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
        what: &str,
    ) -> Option<Sp<String>> {
        let name = self.string(value, path, example)?;
        match ident::check(&name.value) {
            Ok(()) => Some(name),
            Err(problem) => {
                let example_name = example.split('"').nth(1).unwrap_or("Name");
                self.cx.error(
                    name.span,
                    format!(
                        "{what} `{}` {}",
                        clip(&name.value),
                        ident::describe(&problem)
                    ),
                    ident::help(&name.value, &problem, example_name),
                );
                None
            }
        }
    }

    fn extends(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<String>> {
        let base = self.string(value, path, example)?;
        if base.value == "http" {
            return Some(base);
        }
        let help = match did_you_mean(&base.value, ["http"]) {
            Some(_) => "did you mean `http`? it is the only base spec: write `extends = \"http\"`",
            None => {
                "the only base spec is `http`: write `extends = \"http\"` or leave `extends` out"
            }
        };
        self.cx.error(
            base.span,
            format!("unknown base spec `{}`", clip(&base.value)),
            help,
        );
        None
    }

    fn display(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<crate::Template>> {
        let text = self.string(value, path, example)?;
        match template::parse(&text.value) {
            Ok(template) => Some(Sp::new(template, text.span)),
            Err(errors) => {
                // Point inside the string when it is written without escapes, so the offset
                // into the text is the offset into the file.
                let raw = self.source.get(text.span.clone()).unwrap_or("");
                let verbatim = raw.len() == text.value.len() + 2
                    && (raw.starts_with('"') || raw.starts_with('\''))
                    && raw.get(1..=text.value.len()) == Some(text.value.as_str());
                for e in errors {
                    let span = if verbatim {
                        let start = text.span.start + 1;
                        start + e.range.start..start + e.range.end
                    } else {
                        text.span.clone()
                    };
                    self.cx.error(span, e.message, e.help);
                }
                None
            }
        }
    }

    /// One of a fixed set of spellings (`all`), e.g. a policy; `what` names the set.
    fn choice<T: Copy>(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
        what: &str,
        all: &[(&'static str, T)],
    ) -> Option<Sp<T>> {
        let text = self.string(value, path, example)?;
        if let Some((_, v)) = all.iter().find(|(s, _)| *s == text.value) {
            return Some(Sp::new(*v, text.span));
        }
        let names: Vec<&str> = all.iter().map(|(s, _)| *s).collect();
        let help = match did_you_mean(&text.value, names.iter().copied()) {
            Some(better) => format!("did you mean `{better}`? write one of {}", one_of(&names)),
            None => format!("write one of {}", one_of(&names)),
        };
        self.cx.error(
            text.span,
            format!("unknown {what} `{}` for `{path}`", clip(&text.value)),
            help,
        );
        None
    }

    fn duration(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<Duration>> {
        let DeValue::String(text) = value.get_ref() else {
            self.type_error(value, "a duration string", path, example);
            return None;
        };
        match humantime::parse_duration(text) {
            Ok(duration) => Some(Sp::new(duration, value.span())),
            Err(e) => {
                self.cx.error(
                    value.span(),
                    format!("invalid duration `{}` for `{path}`: {e}", clip(text)),
                    format!(
                        "write a number with a unit, like \"250ms\", \"20s\" or \"2m\": `{example}`"
                    ),
                );
                None
            }
        }
    }

    /// The value's text as written, clipped, for "found ..." in messages.
    fn written(&self, value: &Value<'_>) -> String {
        clip(self.source.get(value.span()).unwrap_or("").trim())
    }

    /// An integer in `min..=max`; `help` says what to write when it is out of range.
    fn integer(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
        (min, max): (i128, i128),
        help: &str,
    ) -> Option<Sp<i128>> {
        let DeValue::Integer(int) = value.get_ref() else {
            self.type_error(value, "an integer", path, example);
            return None;
        };
        // Too many digits for i128 is "too large" (or too small) like any other.
        let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(Sp::new(n, value.span())),
            Some(n) if n < min => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at least {min}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
            _ if int.as_str().starts_with('-') => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at least {min}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
            _ => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at most {max}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
        }
    }

    /// An integer or float, as `f64` (not yet checked for finiteness).
    fn number(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<f64> {
        match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok().or(Some(f64::NAN)),
            DeValue::Integer(i) if i.radix() == 10 => {
                i.as_str().parse::<f64>().ok().or(Some(f64::NAN))
            }
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| i32::try_from(n).ok())
                .map(f64::from)
                .or(Some(f64::INFINITY)),
            _ => {
                self.type_error(value, "a number", path, example);
                None
            }
        }
    }

    fn max_attempts(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<u32>> {
        let help = "`max_attempts` counts every try, the first included: write \
                    `max_attempts = 1` to never retry, or more to allow retries";
        let n = self.integer(value, path, example, (1, i128::from(u32::MAX)), help)?;
        let attempts = u32::try_from(n.value).ok()?;
        Some(Sp::new(attempts, n.span))
    }

    fn multiplier(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<f64>> {
        let m = self.number(value, path, example)?;
        if m.is_finite() && m >= 1.0 {
            return Some(Sp::new(m, value.span()));
        }
        self.cx.error(
            value.span(),
            format!(
                "`{path}` must be a finite number of at least 1.0, found {}",
                self.written(value)
            ),
            "write `multiplier = 1.0` for a constant backoff, or more for a growing one, e.g. \
             `multiplier = 2.0`",
        );
        None
    }

    fn budget(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<Budget>> {
        let table = self.table(value, path, example)?;
        let mut budget = DEFAULT_BUDGET;
        let mut valid = true;
        for (k, v) in sorted(table) {
            let key = k.get_ref().as_ref();
            let key_path = format!("{path}.{key}");
            let ex = example_of(BUDGET_KEYS, key);
            match key {
                "ratio" => match self.number(v, &key_path, ex) {
                    Some(r) if r.is_finite() && (0.0..=MAX_BUDGET_RATIO).contains(&r) => {
                        budget.ratio = r;
                    }
                    Some(_) => {
                        valid = false;
                        self.cx.error(
                            v.span(),
                            format!(
                                "`{key_path}` must be a number from 0 to 1000, found {}",
                                self.written(v)
                            ),
                            "the ratio is retries allowed per first attempt, e.g. `ratio = 0.2` \
                             for one retry per five requests",
                        );
                    }
                    None => valid = false,
                },
                "min_per_second" => {
                    let help = "write how many retries a second are allowed whatever the \
                                traffic, from 0 to 4294967295, e.g. `min_per_second = 10`";
                    let range = (0, i128::from(u32::MAX));
                    match self.integer(v, &key_path, ex, range, help) {
                        Some(n) => budget.min_per_second = u32::try_from(n.value).unwrap_or(0),
                        None => valid = false,
                    }
                }
                _ => {
                    valid = false;
                    self.unknown_key(k, &format!("`{path}`"), BUDGET_KEYS);
                }
            }
        }
        valid.then(|| Sp::new(budget, value.span()))
    }

    fn wait_headers(
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
            let mut name: Option<Sp<String>> = None;
            let mut format: Option<WaitFormat> = None;
            let mut written = (false, false);
            for (k, v) in sorted(table) {
                let key = k.get_ref().as_ref();
                let key_path = format!("{item_path}.{key}");
                let ex = example_of(WAIT_HEADER_KEYS, key);
                match key {
                    "name" => {
                        written.0 = true;
                        name = self.header_name(v, &key_path, ex);
                    }
                    "format" => {
                        written.1 = true;
                        format = self
                            .choice(v, &key_path, ex, "wait header format", &WaitFormat::ALL)
                            .map(|f| f.value);
                    }
                    _ => {
                        valid = false;
                        match self.unknown_key(k, &format!("`{item_path}`"), WAIT_HEADER_KEYS) {
                            Some("name") => written.0 = true,
                            Some("format") => written.1 = true,
                            _ => {}
                        }
                    }
                }
            }
            if !written.0 {
                self.cx.error(
                    item.span(),
                    format!("missing `name` in `{item_path}`"),
                    format!("name the header, e.g. `{WAIT_HEADER_EXAMPLE}`"),
                );
            }
            if !written.1 {
                self.cx.error(
                    item.span(),
                    format!("missing `format` in `{item_path}`"),
                    format!(
                        "say how to read the header's value: `format = \"http\"` (Retry-After), \
                         or {}",
                        one_of(&["seconds", "unix", "millis"])
                    ),
                );
            }
            let (Some(name), Some(format)) = (name, format) else {
                valid = false;
                continue;
            };
            if headers.iter().any(|h| h.name == name.value) {
                valid = false;
                self.cx.error(
                    name.span,
                    format!("duplicate wait header `{}` in `{path}`", name.value),
                    "remove one: the first header present with a valid value wins, so a second \
                     one is never read",
                );
                continue;
            }
            headers.push(WaitHeader {
                name: name.value,
                format,
            });
        }
        valid.then(|| Sp::new(headers, value.span()))
    }

    /// A header name, lowercased.
    fn header_name(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<Sp<String>> {
        let name = self.string(value, path, example)?;
        if is_header_name(&name.value) {
            return Some(Sp::new(name.value.to_ascii_lowercase(), name.span));
        }
        let fixed = name
            .value
            .trim()
            .trim_end_matches(':')
            .replace([' ', '_'], "-");
        let help = if is_header_name(&fixed) {
            format!("write `{}`", fixed.to_ascii_lowercase())
        } else {
            "a header name is letters, digits and `-` (RFC 9110 token characters), e.g. \
             `retry-after`"
                .to_owned()
        };
        self.cx.error(
            name.span,
            format!("`{}` is not a valid HTTP header name", clip(&name.value)),
            help,
        );
        None
    }
}

/// Which table `key` belongs in, if it is a known key anywhere.
fn home_of(key: &str) -> Option<&'static str> {
    HOMES
        .iter()
        .find(|(_, keys)| keys.iter().any(|(k, _)| *k == key))
        .map(|(home, _)| *home)
}
