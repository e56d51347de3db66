//! The names a spec gives its variants when it does not say: the fallback's, the transport's,
//! and a status's (from its reason phrase). Checked by `valid`, used by `resolve`.

use crate::ident::upper_camel;
use crate::raw::{RawSpec, RawStatus};

/// The transport variant's name when `[transport] name` is not given.
pub(crate) const DEFAULT_TRANSPORT: &str = "Transport";

/// The fallback variant's name when `[api] fallback` is not given.
pub(crate) const DEFAULT_FALLBACK: &str = "Other";

/// The variant name of `code`: the first `name` of `tables` (the user's status, then each
/// base's, nearest first), else the IANA registry's (`http.toml` names every error code it
/// lists; its reason phrase in UpperCamelCase would do too, and does for success codes).
pub(crate) fn variant_name(tables: &[&RawStatus], http: &RawSpec, code: u16) -> Option<String> {
    let iana = http.status(code);
    let explicit = tables
        .iter()
        .copied()
        .chain(iana)
        .find_map(|s| s.table.name.value());
    explicit.cloned().or_else(|| {
        iana.and_then(|s| s.table.reason.value())
            .map(String::as_str)
            .or_else(|| success_reason(code))
            .map(upper_camel)
    })
}

/// The IANA registry's reason phrase of a 1xx-3xx `code`, if it has one. `http.toml` lists
/// error statuses only (a success status generates no variant); a spec's success status,
/// which holds cases, shows its reason in their messages.
pub(crate) fn success_reason(code: u16) -> Option<&'static str> {
    SUCCESS_REASONS
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .and_then(|i| SUCCESS_REASONS.get(i))
        .map(|(_, reason)| *reason)
}

/// The 1xx-3xx codes of the IANA HTTP Status Code Registry with their reason phrases, by code
/// (the "(Unused)" 306 left out).
const SUCCESS_REASONS: [(u16, &str); 22] = [
    (100, "Continue"),
    (101, "Switching Protocols"),
    (102, "Processing"),
    (103, "Early Hints"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "Non-Authoritative Information"),
    (204, "No Content"),
    (205, "Reset Content"),
    (206, "Partial Content"),
    (207, "Multi-Status"),
    (208, "Already Reported"),
    (226, "IM Used"),
    (300, "Multiple Choices"),
    (301, "Moved Permanently"),
    (302, "Found"),
    (303, "See Other"),
    (304, "Not Modified"),
    (305, "Use Proxy"),
    (307, "Temporary Redirect"),
    (308, "Permanent Redirect"),
];
