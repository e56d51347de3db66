//! Every key of the spec language, in one table: its name, the tables it may be written in,
//! an example for help lines, and the reader that checks its value into its [`RawTable`]
//! field. Reading a table (`Reader::fields`, here), listing a table's keys in help, and
//! finding where a misplaced key belongs all come from this table, so a new key is one entry
//! here and one field in `RawTable` (plus, where it changes what is generated, its field in the
//! resolved model). The kinds of table are [`Place`]s; the top-level sections among them are
//! listed once, in `Place::SECTIONS`.

use core::ops::Range;

use toml::de::DeTable;

use crate::raw::{Field, RawTable};
use crate::reader::{Reader, TomlKey, Value, sorted};
use crate::suggest::{all_of, clip, did_you_mean};
use crate::{CountFormat, Jitter, Pacing, RetryPolicy, Scope, WaitFormat};

/// Every retry policy, for `retry` and the `[transport]` kinds.
const POLICIES: &[(&str, RetryPolicy)] = RetryPolicy::ALL;

/// A kind of table a key can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Api,
    Retry,
    Status,
    Class,
    Transport,
    RateLimit,
    /// `remaining = { name = .. }` in `[rate_limit]` or a quota.
    Remaining,
    /// A `[[rate_limit.quota]]` table.
    Quota,
    /// A `[[status.N.case]]` table.
    Case,
    /// A case's `when = { .. }`.
    When,
    /// `budget = { .. }` in `[retry]`.
    Budget,
    /// An entry of `wait_sources` (or `wait_headers`, its older name).
    WaitField,
}

impl Place {
    /// The top-level sections, in the order help lines name them. [`section`](Self::section)
    /// says how each is written, and the walk of a file dispatches on it.
    pub(crate) const SECTIONS: [Place; 6] = [
        Place::Api,
        Place::Retry,
        Place::Status,
        Place::Class,
        Place::Transport,
        Place::RateLimit,
    ];

    /// For a top-level section, its key (`api`) and how help lines write its header
    /// (`[api]`, `[status.N]`); `None` for the tables that are values of a key (`budget`).
    pub(crate) const fn section(self) -> Option<(&'static str, &'static str)> {
        match self {
            Place::Api => Some(("api", "[api]")),
            Place::Retry => Some(("retry", "[retry]")),
            Place::Status => Some(("status", "[status.N]")),
            Place::Class => Some(("class", "[class.Nxx]")),
            Place::Transport => Some(("transport", "[transport]")),
            Place::RateLimit => Some(("rate_limit", "[rate_limit]")),
            Place::Remaining
            | Place::Quota
            | Place::Case
            | Place::When
            | Place::Budget
            | Place::WaitField => None,
        }
    }

    /// The section written under the top-level key `key`, with its key.
    pub(crate) fn section_named(key: &str) -> Option<(Place, &'static str)> {
        Place::SECTIONS.into_iter().find_map(|place| {
            place
                .section()
                .filter(|(k, _)| *k == key)
                .map(|(k, _)| (place, k))
        })
    }

    /// How help lines name a table of this kind.
    fn home(self) -> &'static str {
        match self {
            Place::Api => "`[api]`",
            Place::Retry => "`[retry]`",
            Place::Status => "a `[status.N]` table",
            Place::Class => "a `[class.Nxx]` table",
            Place::Transport => "`[transport]`",
            Place::RateLimit => "`[rate_limit]`",
            Place::Remaining => "`remaining`",
            Place::Quota => "a `[[rate_limit.quota]]` table",
            Place::Case => "a `[[status.N.case]]` table",
            Place::When => "a case's `when`",
            Place::Budget => "`budget`",
            Place::WaitField => "a `wait_sources` entry",
        }
    }

    /// Whether this is a TOML table of its own (`[api]`) rather than a value (`budget`).
    pub(crate) fn is_section(self) -> bool {
        self.section().is_some()
    }
}

/// Reads one key's value (at `path`, with `example` for help lines) into its field.
type Read = fn(&mut Reader<'_, '_, '_>, &Value<'_>, &str, &'static str, &mut RawTable);

/// One key of the spec language.
pub(crate) struct SpecKey {
    pub(crate) name: &'static str,
    places: &'static [Place],
    pub(crate) example: &'static str,
    pub(crate) read: Read,
    /// Marks the field written, for a misspelling of the key (reported already).
    pub(crate) misspelt: fn(&mut RawTable),
}

/// `key!("name", [places], "example", field, reader(extra arguments))`: the reader is a method
/// of `Reader` taking the value, its path, the example and the extra arguments, returning
/// `Option<Sp<T>>` for the field's `T`.
macro_rules! key {
    (
        $name:literal,
        [$($place:ident),+],
        $example:expr,
        $field:ident,
        $read:ident $(($($arg:expr),*))?
    ) => {
        SpecKey {
            name: $name,
            places: &[$(Place::$place),+],
            example: $example,
            read: |reader, value, path, example, table| {
                table.$field = Field::read(reader.$read(value, path, example $($(, $arg)*)?));
            },
            misspelt: |table| table.$field.misspelt(),
        }
    };
}

/// Every key, in the order help lines list a table's keys.
#[rustfmt::skip]
pub(crate) const KEYS: &[SpecKey] = &[
    key!("name", [Api], r#"name = "Ardoq""#, name, ident("API name")),
    key!("extends", [Api], r#"extends = "http""#, extends, extends),
    key!("display", [Api], r#"display = "{code} {reason}: {message}""#, display, display),
    key!("fallback", [Api], r#"fallback = "Other""#, fallback, ident("fallback variant name")),
    key!("docs", [Api], r#"docs = "https://developer.example.com/errors""#, docs, text),
    key!("max_attempts", [Retry], "max_attempts = 3", max_attempts, max_attempts),
    key!("initial_backoff", [Retry], r#"initial_backoff = "100ms""#, initial_backoff, duration),
    key!("max_backoff", [Retry], r#"max_backoff = "20s""#, max_backoff, duration),
    key!("multiplier", [Retry], "multiplier = 2.0", multiplier, multiplier),
    key!("jitter", [Retry], r#"jitter = "full""#, jitter, choice("jitter", Jitter::ALL)),
    key!("max_retry_after", [Retry], r#"max_retry_after = "60s""#, max_retry_after, duration),
    key!("max_elapsed", [Retry], r#"max_elapsed = "2m""#, max_elapsed, duration),
    key!("min_wait", [Retry], r#"min_wait = "60s""#, min_wait, duration),
    key!("should_retry_header", [Retry], r#"should_retry_header = "x-should-retry""#,
         should_retry_header, header_name),
    key!("name", [Status, Case], r#"name = "TooManyRequests""#, name, ident("variant name")),
    key!("reason", [Status], r#"reason = "Too Many Requests""#, reason, text),
    key!("when", [Case], r#"when = { header = "x-ratelimit-remaining", equals = "0" }"#, when,
         when),
    key!("message", [Status, Class, Case, Transport], r#"message = "rate limit exceeded""#,
         message, text),
    key!("hint", [Status, Class, Case, Transport], r#"hint = "slow down""#, hint, text),
    key!("retry", [Status, Class, Case], r#"retry = "after-header""#, retry,
         choice("retry policy", POLICIES)),
    key!("wait_sources", [Retry, Status, Case],
         r#"wait_sources = [{ name = "retry-after", format = "http" }]"#, wait_sources,
         wait_headers),
    // the older name of `wait_sources`, still read
    key!("wait_headers", [Retry, Status, Case],
         r#"wait_headers = [{ name = "retry-after", format = "http" }]"#, wait_headers,
         wait_headers),
    key!("max_attempts", [Status, Case], "max_attempts = 5", max_attempts, max_attempts),
    key!("min_wait", [Status, Case], r#"min_wait = "60s""#, min_wait, duration),
    key!("rate_limited", [Status, Case], "rate_limited = true", rate_limited, boolean),
    key!("case", [Status],
         r#"case = [{ name = "RateLimited", when = { header = "retry-after" }, message = "rate limited" }]"#,
         case, cases),
    key!("budget", [Retry], "budget = { ratio = 0.2, min_per_second = 10 }", budget, budget),
    key!("ratio", [Budget], "ratio = 0.2", ratio, ratio),
    key!("min_per_second", [Budget], "min_per_second = 10", min_per_second, min_per_second),
    key!("name", [WaitField], r#"name = "retry-after""#, name, header_name),
    key!("header", [When], r#"header = "x-ratelimit-remaining""#, header, header_name),
    key!("body", [When, WaitField], r#"body = "/error/code""#, body, json_pointer),
    key!("text", [When], "text = true", text, text_source),
    key!("equals", [When], r#"equals = "0""#, equals, match_values),
    key!("starts_with", [When], r#"starts_with = "ThrottlingException""#, starts_with,
         match_values),
    key!("ends_with", [When], r##"ends_with = "#ThrottlingException""##, ends_with,
         match_values),
    key!("contains", [When], r#"contains = "<Code>SlowDown</Code>""#, contains, match_values),
    key!("format", [WaitField], r#"format = "http""#, format,
         choice("wait format", WaitFormat::ALL)),
    key!("name", [Transport], r#"name = "Transport""#, name, ident("transport variant name")),
    key!("connect", [Transport], r#"connect = "always""#, connect,
         choice("retry policy", POLICIES)),
    key!("timeout", [Transport], r#"timeout = "idempotent""#, timeout,
         choice("retry policy", POLICIES)),
    key!("other", [Transport], r#"other = "never""#, other, choice("retry policy", POLICIES)),
    key!("scope", [RateLimit], r#"scope = "method""#, scope, choice("scope", Scope::ALL)),
    key!("bucket_header", [RateLimit], r#"bucket_header = "x-ratelimit-bucket""#, bucket_header,
         header_name),
    key!("remaining", [RateLimit, Quota], r#"remaining = { name = "x-ratelimit-remaining" }"#,
         remaining, remaining),
    key!("reset", [RateLimit, Quota],
         r#"reset = { name = "x-ratelimit-reset", format = "unix" }"#, reset, reset),
    key!("quota", [RateLimit],
         r#"quota = [{ remaining = { name = "x-ratelimit-remaining" }, methods = ["GET"] }]"#,
         quota, quotas),
    key!("methods", [Quota], r#"methods = ["GET", "HEAD"]"#, methods, methods),
    key!("ietf", [RateLimit], "ietf = true", ietf, boolean),
    key!("pacing", [RateLimit], r#"pacing = "auto""#, pacing, choice("pacing", Pacing::ALL)),
    key!("name", [Remaining], r#"name = "x-ratelimit-remaining""#, name, header_name),
    key!("format", [Remaining], r#"format = "used/limit""#, count_format,
         choice("count format", CountFormat::ALL)),
];

impl SpecKey {
    fn is_in(&self, place: Place) -> bool {
        self.places.contains(&place)
    }
}

/// The key `name` of a table of kind `place`.
pub(crate) fn find(name: &str, place: Place) -> Option<&'static SpecKey> {
    KEYS.iter().find(|k| k.name == name && k.is_in(place))
}

/// The keys of a table of kind `place`, in table order.
pub(crate) fn names(place: Place) -> impl Iterator<Item = &'static str> + Clone {
    KEYS.iter().filter(move |k| k.is_in(place)).map(|k| k.name)
}

/// The table `key` belongs in, if it is a known key of one; for "`x` belongs in ...".
pub(crate) fn home_of(key: &str) -> Option<&'static str> {
    // a key of both a status and a class belongs in the status
    Place::SECTIONS
        .into_iter()
        .chain([Place::Case])
        .find(|place| find(key, *place).is_some())
        .map(Place::home)
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
            if let Some(key) = find(name, place) {
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
            if let Some(key) = misspelt.and_then(|m| find(m, place)) {
                (key.misspelt)(&mut fields);
            }
        }
        self.alias_wait_sources(&mut fields, path);
        fields
    }

    /// `wait_headers` is the older name of `wait_sources`: either is read into
    /// `wait_headers`, and both at once is an error.
    fn alias_wait_sources(&mut self, fields: &mut RawTable, path: &str) {
        let sources = core::mem::take(&mut fields.wait_sources);
        if !sources.written() {
            return;
        }
        if fields.wait_headers.written() {
            let span = sources
                .get()
                .map_or(fields.span.clone(), |s| s.span.clone());
            self.cx.error(
                span,
                format!("`{path}` sets both `wait_sources` and `wait_headers`"),
                "`wait_headers` is the older name of `wait_sources`: keep one list",
            );
            fields.wait_headers = Field::Invalid;
        } else {
            fields.wait_headers = sources;
        }
    }

    /// Reports a key that `container` (e.g. "`[api]`"), a table of kind `place`, does not
    /// have; returns the key it is likely a misspelling of, so that key is not also reported
    /// missing.
    fn unknown_key(
        &mut self,
        key: &TomlKey<'_>,
        container: &str,
        place: Place,
    ) -> Option<&'static str> {
        let name = key.get_ref().as_ref();
        let names = names(place);
        let suggestion = did_you_mean(name, names.clone());
        let help = if let Some(better) = suggestion {
            format!("did you mean `{better}`?")
        } else if let Some(home) = home_of(name) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_written_once_per_place() {
        for (i, key) in KEYS.iter().enumerate() {
            for place in key.places {
                let first = KEYS
                    .iter()
                    .position(|k| k.name == key.name && k.is_in(*place));
                assert_eq!(first, Some(i), "`{}` twice in {place:?}", key.name);
            }
        }
    }

    #[test]
    fn every_example_writes_its_key() {
        for key in KEYS {
            assert!(
                key.example.starts_with(&format!("{} = ", key.name)),
                "the example of `{}` is `{}`",
                key.name,
                key.example
            );
        }
    }

    #[test]
    fn every_place_has_keys_and_keys_have_homes() {
        for place in [
            Place::Api,
            Place::Retry,
            Place::Status,
            Place::Class,
            Place::Transport,
            Place::RateLimit,
            Place::Remaining,
            Place::Quota,
            Place::Case,
            Place::When,
            Place::Budget,
            Place::WaitField,
        ] {
            assert!(names(place).next().is_some(), "{place:?} has no keys");
        }
        assert_eq!(home_of("max_attempts"), Some("`[retry]`"));
        assert_eq!(home_of("message"), Some("a `[status.N]` table"));
        assert_eq!(
            home_of("ratio"),
            None,
            "a budget's keys belong in `budget`, no section"
        );
    }
}
