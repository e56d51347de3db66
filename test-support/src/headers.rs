//! Building header maps and values.

use errspec::http::{HeaderMap, HeaderName, HeaderValue};

/// A map of `pairs`, in order, each appended (so a name given twice is a repeated header).
/// Names are case-insensitive; values are bytes (`&str`, `String`, `&[u8]` all do).
///
/// # Panics
///
/// On a name or a value no server could send.
pub fn headers<V: AsRef<[u8]>>(pairs: &[(&str, V)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
        map.append(name, header(value));
    }
    map
}

/// `value` as a header value.
///
/// # Panics
///
/// On bytes no server could send in a header (control characters but tab).
pub fn header(value: impl AsRef<[u8]>) -> HeaderValue {
    HeaderValue::from_bytes(value.as_ref()).expect("a header value")
}
