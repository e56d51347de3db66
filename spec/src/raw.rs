//! What a spec file says, typed and checked value by value, with the byte span of everything
//! so later stages can point at it. Nothing is defaulted or inherited here.

use core::ops::Range;
use core::time::Duration;

use crate::{
    BudgetConfig, CountFormat, Jitter, Pacing, RetryPolicy, Scope, Template, WaitField, WaitFormat,
    When,
};

/// A `remaining = { name, format }` as written: the header, and how it states the count.
#[derive(Debug, Clone)]
pub(crate) struct Remaining {
    pub(crate) name: String,
    pub(crate) format: CountFormat,
}

/// A value with the byte range it was written at.
#[derive(Debug, Clone)]
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
}

impl<T> Sp<T> {
    pub(crate) fn new(value: T, span: Range<usize>) -> Sp<T> {
        Sp { value, span }
    }
}

/// One key of a table as written: not written, written with a value that was invalid (and
/// reported), or written with a valid value. "Written" is what matters for follow-on checks:
/// a key with a bad value is not also "missing".
#[derive(Debug, Clone, Default)]
pub(crate) enum Field<T> {
    #[default]
    Absent,
    Invalid,
    Given(Sp<T>),
}

impl<T> Field<T> {
    /// What a value reader returned: the value, or `None` for a problem it reported.
    pub(crate) fn read(value: Option<Sp<T>>) -> Field<T> {
        value.map_or(Field::Invalid, Field::Given)
    }

    /// The valid value with its span.
    pub(crate) fn get(&self) -> Option<&Sp<T>> {
        match self {
            Field::Given(value) => Some(value),
            Field::Absent | Field::Invalid => None,
        }
    }

    /// The valid value.
    pub(crate) fn value(&self) -> Option<&T> {
        self.get().map(|v| &v.value)
    }

    /// Whether the key was written, validly or not.
    pub(crate) fn written(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    /// The key was written under a misspelt name (reported): count it as written.
    pub(crate) fn misspelt(&mut self) {
        if !self.written() {
            *self = Field::Invalid;
        }
    }
}

impl<T: Clone> Field<T> {
    /// The valid value, `default` when not written, `None` when written invalidly.
    pub(crate) fn or_default(&self, default: T) -> Option<T> {
        match self {
            Field::Absent => Some(default),
            Field::Invalid => None,
            Field::Given(value) => Some(value.value.clone()),
        }
    }
}

/// A table of a spec (`[api]`, `[retry]`, `[class.Nxx]`, `[status.N]`, a `budget` or a wait
/// header entry) as written: a field for every key of the spec language (`keys.rs` says which
/// keys each table may hold, and reads them into these fields).
#[derive(Debug, Clone, Default)]
pub(crate) struct RawTable {
    /// The table's key (`api`, the `N` of `[status.N]`), or the whole value for inline tables.
    pub(crate) span: Range<usize>,
    /// Whether the table had no unknown keys.
    pub(crate) clean: bool,
    // [api]; `name` is also a status's variant name and a wait header's header name
    pub(crate) name: Field<String>,
    pub(crate) extends: Field<String>,
    pub(crate) display: Field<Template>,
    pub(crate) fallback: Field<String>,
    pub(crate) docs: Field<String>,
    // [retry]
    pub(crate) max_attempts: Field<u32>,
    pub(crate) initial_backoff: Field<Duration>,
    pub(crate) max_backoff: Field<Duration>,
    pub(crate) multiplier: Field<f64>,
    pub(crate) jitter: Field<Jitter>,
    pub(crate) max_retry_after: Field<Duration>,
    pub(crate) max_elapsed: Field<Duration>,
    pub(crate) budget: Field<BudgetConfig>,
    pub(crate) should_retry_header: Field<String>,
    // [retry], [status.N] and cases
    pub(crate) min_wait: Field<Duration>,
    // [status.N] and [class.Nxx]; `wait_headers` also in [retry]
    pub(crate) reason: Field<String>,
    pub(crate) message: Field<String>,
    pub(crate) hint: Field<String>,
    pub(crate) retry: Field<RetryPolicy>,
    /// `wait_sources` or its older name `wait_headers` (`Reader::fields` moves
    /// `wait_sources` here).
    pub(crate) wait_headers: Field<Vec<WaitField>>,
    pub(crate) wait_sources: Field<Vec<WaitField>>,
    /// `[status.N]` and cases: whether the error is a refusal of the rate limit.
    pub(crate) rate_limited: Field<bool>,
    /// `[[status.N.case]]`: each case's table, its span the case's whole table.
    pub(crate) case: Field<Vec<RawTable>>,
    // a case
    pub(crate) when: Field<When>,
    // a case's `when`; `body` also in a wait header entry
    pub(crate) header: Field<String>,
    pub(crate) body: Field<String>,
    pub(crate) text: Field<bool>,
    pub(crate) equals: Field<Vec<String>>,
    pub(crate) starts_with: Field<Vec<String>>,
    pub(crate) ends_with: Field<Vec<String>>,
    pub(crate) contains: Field<Vec<String>>,
    // [rate_limit]
    pub(crate) scope: Field<Scope>,
    pub(crate) bucket_header: Field<String>,
    // [rate_limit]; `remaining` and `reset` also in a quota
    pub(crate) remaining: Field<Remaining>,
    pub(crate) reset: Field<WaitField>,
    /// `[[rate_limit.quota]]`: each quota's table.
    pub(crate) quota: Field<Vec<RawTable>>,
    // a quota
    pub(crate) methods: Field<Vec<String>>,
    // a `remaining`
    pub(crate) count_format: Field<CountFormat>,
    pub(crate) ietf: Field<bool>,
    pub(crate) pacing: Field<Pacing>,
    // [transport]
    pub(crate) connect: Field<RetryPolicy>,
    pub(crate) timeout: Field<RetryPolicy>,
    pub(crate) other: Field<RetryPolicy>,
    // a budget
    pub(crate) ratio: Field<f64>,
    pub(crate) min_per_second: Field<u32>,
    // a wait header entry
    pub(crate) format: Field<WaitFormat>,
}

/// A whole spec file.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawSpec {
    /// `[api]`; `None` when the section is missing (or is not a table).
    pub(crate) api: Option<RawTable>,
    pub(crate) retry: RawTable,
    /// `[class.1xx]` to `[class.5xx]`.
    pub(crate) classes: [Option<RawTable>; 5],
    /// `[status.N]` tables in file order, duplicates of a code left out.
    pub(crate) statuses: Vec<RawStatus>,
    /// `[transport]`; `None` when the section is missing (or is not a table).
    pub(crate) transport: Option<RawTable>,
    /// `[rate_limit]`; `None` when the section is missing (or is not a table).
    pub(crate) rate_limit: Option<RawTable>,
    /// Sections written, valid or not.
    pub(crate) written: Vec<&'static str>,
}

impl RawSpec {
    /// The listed status with `code`.
    pub(crate) fn status(&self, code: u16) -> Option<&RawStatus> {
        self.statuses.iter().find(|s| s.code == code)
    }
}

/// `[status.N]`: its code and its keys (`table.span` is the `N`).
#[derive(Debug, Clone)]
pub(crate) struct RawStatus {
    pub(crate) code: u16,
    pub(crate) table: RawTable,
}
