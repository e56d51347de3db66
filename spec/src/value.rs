//! Readers of single values: each checks one value where it is written (its type, its range,
//! its spelling) and reports what is wrong with a help line, returning `None` then. The key
//! table (`keys.rs`) says which reader each key uses.

use core::time::Duration;

use toml::de::{DeTable, DeValue};

use crate::raw::Sp;
use crate::suggest::{did_you_mean, one_of};
use crate::walk::{Reader, Value};
use crate::{ident, template};

/// Largest budget ratio: a thousand retries per request is already no budget at all.
const MAX_BUDGET_RATIO: f64 = 1000.0;
/// Longest excerpt of a user's value quoted in a message.
const QUOTE_MAX: usize = 40;

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
pub(crate) fn clip(text: &str) -> String {
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

impl Reader<'_, '_, '_> {
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

    pub(crate) fn string(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<String>> {
        if let DeValue::String(s) = value.get_ref() {
            Some(Sp::new(s.to_string(), value.span()))
        } else {
            self.type_error(value, "a string", path, example);
            None
        }
    }

    /// A string that must say something: a message, reason, hint or link.
    pub(crate) fn text(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<String>> {
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
    pub(crate) fn ident(
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

    pub(crate) fn extends(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<String>> {
        let base = self.string(value, path, example)?;
        let names: Vec<&str> = crate::base::SHIPPED.iter().map(|(name, _)| *name).collect();
        if names.contains(&base.value.as_str()) {
            return Some(base);
        }
        let help = match did_you_mean(&base.value, names.iter().copied()) {
            Some(better) => format!(
                "did you mean `{better}`? the base specs are {}",
                one_of(&names)
            ),
            None => format!(
                "the base specs are {}: write, e.g., `extends = \"http\"`, or leave `extends` out",
                one_of(&names)
            ),
        };
        self.cx.error(
            base.span,
            format!("unknown base spec `{}`", clip(&base.value)),
            help,
        );
        None
    }

    pub(crate) fn display(
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
    pub(crate) fn choice<T: Copy>(
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

    pub(crate) fn duration(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Duration>> {
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
    pub(crate) fn written(&self, value: &Value<'_>) -> String {
        clip(self.source.get(value.span()).unwrap_or("").trim())
    }

    /// An integer in `min..=max`; `help` says what to write when it is out of range.
    pub(crate) fn integer(
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
    pub(crate) fn number(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<f64> {
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

    pub(crate) fn max_attempts(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<u32>> {
        let help = "`max_attempts` counts every try, the first included: write \
                    `max_attempts = 1` to never retry, or more to allow retries";
        let n = self.integer(value, path, example, (1, i128::from(u32::MAX)), help)?;
        let attempts = u32::try_from(n.value).ok()?;
        Some(Sp::new(attempts, n.span))
    }

    pub(crate) fn multiplier(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<f64>> {
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

    /// A header name, lowercased.
    pub(crate) fn header_name(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<String>> {
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
impl Reader<'_, '_, '_> {
    /// `ratio` of a `budget`: a number from 0 to [`MAX_BUDGET_RATIO`].
    pub(crate) fn ratio(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<f64>> {
        let r = self.number(value, path, example)?;
        if r.is_finite() && (0.0..=MAX_BUDGET_RATIO).contains(&r) {
            return Some(Sp::new(r, value.span()));
        }
        self.cx.error(
            value.span(),
            format!(
                "`{path}` must be a number from 0 to 1000, found {}",
                self.written(value)
            ),
            "the ratio is retries allowed per first attempt, e.g. `ratio = 0.2` for one retry \
             per five requests",
        );
        None
    }

    /// `min_per_second` of a `budget`.
    pub(crate) fn min_per_second(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<u32>> {
        let help = "write how many retries a second are allowed whatever the traffic, from 0 to \
                    4294967295, e.g. `min_per_second = 10`";
        let n = self.integer(value, path, example, (0, i128::from(u32::MAX)), help)?;
        Some(Sp::new(u32::try_from(n.value).ok()?, n.span))
    }

    /// An RFC 6901 JSON pointer into an error body: empty (the whole body) or `/`-separated
    /// names, with `~0` for `~` and `~1` for `/`.
    pub(crate) fn json_pointer(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<String>> {
        let pointer = self.string(value, path, example)?;
        let escapes_ok = pointer
            .value
            .split('~')
            .skip(1)
            .all(|rest| rest.starts_with(['0', '1']));
        if (pointer.value.is_empty() || pointer.value.starts_with('/')) && escapes_ok {
            return Some(pointer);
        }
        let help = if escapes_ok && !pointer.value.contains(['.', '[']) {
            format!(
                "a JSON pointer starts with `/`: write `{}`",
                clip(&format!("/{}", pointer.value))
            )
        } else {
            "a JSON pointer (RFC 6901) names each level after a `/`, e.g. `/error/code`, with \
             `~1` for a `/` and `~0` for a `~` inside a name; array items are numbers, \
             `/errors/0/code`"
                .to_owned()
        };
        self.cx.error(
            pointer.span,
            format!(
                "`{}` is not a JSON pointer, in `{path}`",
                clip(&pointer.value)
            ),
            help,
        );
        None
    }

    /// `equals`: a string or an array of strings (any of them), compared as text.
    pub(crate) fn equals(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<String>>> {
        let wrong = |reader: &mut Self, item: &Value<'_>| {
            let written = reader.written(item);
            let help = match item.get_ref() {
                DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => format!(
                    "header values and JSON fields compare as text: write `equals = \"{written}\"`"
                ),
                _ => format!("write a string or an array of strings, e.g. `{example}`"),
            };
            reader.cx.error(
                item.span(),
                format!(
                    "expected a string or an array of strings for `{path}`, found {}",
                    kind(item.get_ref())
                ),
                help,
            );
        };
        match value.get_ref() {
            DeValue::String(text) => Some(Sp::new(vec![text.to_string()], value.span())),
            DeValue::Array(items) if items.is_empty() => {
                self.cx.error(
                    value.span(),
                    format!("`{path}` is an empty array, which nothing equals"),
                    "list the values to match, or leave `equals` out to match any value",
                );
                None
            }
            DeValue::Array(items) => {
                let mut texts = Vec::new();
                for item in items {
                    match item.get_ref() {
                        DeValue::String(text) => texts.push(text.to_string()),
                        _ => wrong(self, item),
                    }
                }
                (texts.len() == items.len()).then(|| Sp::new(texts, value.span()))
            }
            _ => {
                wrong(self, value);
                None
            }
        }
    }

    /// `true` or `false`.
    pub(crate) fn boolean(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<bool>> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Sp::new(*b, value.span())),
            _ => {
                self.type_error(value, "a boolean", path, example);
                None
            }
        }
    }
}
