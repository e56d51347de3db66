//! Readers of single values: each checks one value where it is written (its type, its range,
//! its spelling) and reports what is wrong with a help line, returning `None` then. The key
//! table (`keys.rs`) says which reader each key uses; numbers are read in `number.rs`.

use core::time::Duration;

use toml::de::DeValue;

use crate::raw::Sp;
use crate::reader::{Reader, Value, kind};
use crate::shipped::SHIPPED;
use crate::suggest::{clip, did_you_mean, one_of};
use crate::{ident, template};

/// Whether `name` is an HTTP header name: one or more RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Reader<'_, '_, '_> {
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
        let names: Vec<&str> = SHIPPED.iter().map(|(name, _)| *name).collect();
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

    /// A `when`'s test (`equals`, `starts_with`, `ends_with`, `contains`): a string or a
    /// non-empty array of strings (any of them), compared as text.
    pub(crate) fn match_values(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<String>>> {
        let key = path.rsplit('.').next().unwrap_or(path);
        let wrong = |reader: &mut Self, item: &Value<'_>| {
            let written = reader.written(item);
            let help = match item.get_ref() {
                DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => format!(
                    "header values and JSON fields compare as text: write `{key} = \"{written}\"`"
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
                    format!("`{path}` is an empty array, which no value passes"),
                    format!("list the values to match, or leave `{key}` out to match any value"),
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

    /// A `when`'s `text = true`: the body excerpt is the source. Only `true` is a source.
    pub(crate) fn text_source(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<bool>> {
        let flag = self.boolean(value, path, example)?;
        if flag.value {
            return Some(flag);
        }
        self.cx.error(
            flag.span,
            format!("`{path} = false` names no source"),
            "`text = true` tests the body excerpt as text; to test a header or a JSON field, \
             write `header = \"...\"` or `body = \"/...\"` instead of `text`",
        );
        None
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
