//! What a spec file says, typed and checked value by value, with the byte span of everything
//! so later stages can point at it. Nothing is defaulted or inherited here.

use core::ops::Range;
use core::time::Duration;

use crate::{Budget, Policy, Template, WaitHeader};

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

/// A whole spec file.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawSpec {
    /// `[api]`; `None` when the section is missing (or is not a table).
    pub(crate) api: Option<RawApi>,
    pub(crate) retry: RawRetry,
    /// `[class.1xx]` to `[class.5xx]`.
    pub(crate) classes: [Option<RawClass>; 5],
    /// `[status.N]` tables in file order, duplicates of a code left out.
    pub(crate) statuses: Vec<RawStatus>,
    /// Sections written, valid or not.
    pub(crate) written: Vec<&'static str>,
}

impl RawSpec {
    /// The listed status with `code`.
    pub(crate) fn status(&self, code: u16) -> Option<&RawStatus> {
        self.statuses.iter().find(|s| s.code == code)
    }
}

/// `[api]`.
#[derive(Debug, Clone)]
pub(crate) struct RawApi {
    /// The `api` key.
    pub(crate) span: Range<usize>,
    pub(crate) name: Option<Sp<String>>,
    pub(crate) extends: Option<Sp<String>>,
    pub(crate) display: Option<Sp<Template>>,
    pub(crate) fallback: Option<Sp<String>>,
    pub(crate) docs: Option<Sp<String>>,
    /// Keys written, valid or not: a key written with a bad value is not also "missing".
    pub(crate) written: Vec<&'static str>,
}

/// `[retry]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRetry {
    pub(crate) max_attempts: Option<Sp<u32>>,
    pub(crate) initial_backoff: Option<Sp<Duration>>,
    pub(crate) max_backoff: Option<Sp<Duration>>,
    pub(crate) multiplier: Option<Sp<f64>>,
    pub(crate) jitter: Option<Sp<crate::Jitter>>,
    pub(crate) max_retry_after: Option<Sp<Duration>>,
    pub(crate) max_elapsed: Option<Sp<Duration>>,
    pub(crate) wait_headers: Option<Sp<Vec<WaitHeader>>>,
    pub(crate) budget: Option<Sp<Budget>>,
    /// Keys written, valid or not.
    pub(crate) written: Vec<&'static str>,
}

/// `[class.Nxx]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawClass {
    pub(crate) retry: Option<Sp<Policy>>,
    pub(crate) message: Option<Sp<String>>,
    pub(crate) hint: Option<Sp<String>>,
}

/// `[status.N]`.
#[derive(Debug, Clone)]
pub(crate) struct RawStatus {
    pub(crate) code: u16,
    /// The `N` key.
    pub(crate) span: Range<usize>,
    pub(crate) name: Option<Sp<String>>,
    pub(crate) reason: Option<Sp<String>>,
    pub(crate) message: Option<Sp<String>>,
    pub(crate) hint: Option<Sp<String>>,
    pub(crate) retry: Option<Sp<Policy>>,
    pub(crate) wait_headers: Option<Sp<Vec<WaitHeader>>>,
    /// Keys written, valid or not.
    pub(crate) written: Vec<&'static str>,
}

impl RawStatus {
    pub(crate) fn wrote(&self, key: &str) -> bool {
        self.written.contains(&key)
    }
}
