//! Status classes (RFC 9110 section 15): what a code that a spec does not list falls back on.

/// The reason phrase of a code that neither the spec nor the IANA registry names.
pub const UNKNOWN_REASON: &str = "Unknown Status";

/// The message of a code from 600 to 999, which belongs to no class.
pub const UNCLASSIFIED_MESSAGE: &str = "unexpected status code outside the standard classes";

/// The class of `code`: 0 for 1xx, 1 for 2xx ... 4 for 5xx. `None` for codes 600 to 999 (and
/// below 100): RFC 9110 defines the five classes only, so such codes take no class's defaults
/// and are never retried unless a spec lists them.
///
/// ```
/// assert_eq!(errspec_core::class_index(429), Some(3));
/// assert_eq!(errspec_core::class_index(503), Some(4));
/// assert_eq!(errspec_core::class_index(600), None);
/// ```
pub const fn class_index(code: u16) -> Option<usize> {
    match code {
        100..=599 => Some((code / 100 - 1) as usize),
        _ => None,
    }
}
