//! The key layout: which Redis keys hold a scope's state.
//!
//! A scope's state is a hash at `{prefix}:{api}:{scope}`, its reservations a sorted set at
//! `{prefix}:{api}:{scope}:out`, and the send times of its learned period and of the one
//! before lists at `{prefix}:{api}:{scope}:times` and `{prefix}:{api}:{scope}:prev`, and for
//! each quota `i` of several, the reservations that do not count against it at
//! `{prefix}:{api}:{scope}:x{i}`, where `{scope}` is `client`, `method:{name}` or
//! `bucket:{name}` (`bucket:#{hex}` for a name longer than 64 bytes, which the runtime keeps as
//! a 128-bit hash), followed by `:arg:#{hex}` for the calls of one value of a method's
//! `#[errspec(scope)]` argument (the hex of the runtime's 128-bit hash of it: a key never
//! holds the argument). The API's name, a method's name and a bucket's name are written as they
//! are when every byte is an ASCII letter, digit, `_`, `-` or `.`, and otherwise as `%`
//! followed by the hex of all their bytes, so that a name from a server can neither hold a
//! `:` nor bytes that are not UTF-8, and two names never share a key.

use core::fmt::Write as _;

use errspec::{BucketName, MAX_QUOTAS, ScopeKey, ScopeValue};

/// The keys of one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScopeKeys {
    /// The hash of the scope's state.
    pub(crate) state: String,
    /// The sorted set of the reservations out.
    pub(crate) out: String,
    /// The lists of the send times of the learned period and of the one before.
    pub(crate) times: String,
    pub(crate) prev: String,
    /// Per quota `i`, the sorted set `{state}:x{i}` of the reservations out that do not count
    /// against it (their request's method is not among its `methods`).
    pub(crate) excluded: [String; MAX_QUOTAS],
}

/// The keys of `scope` of the API named `api`, under `prefix`.
pub(crate) fn scope_keys(prefix: &str, api: &str, scope: ScopeKey) -> ScopeKeys {
    let mut state = String::with_capacity(prefix.len() + api.len() + 24);
    state.push_str(prefix);
    state.push(':');
    segment(&mut state, api.as_bytes());
    state.push(':');
    match scope {
        ScopeKey::Method(name) => method(&mut state, name),
        ScopeKey::Bucket(name) => bucket(&mut state, name),
        ScopeKey::MethodArgument(name, value) => {
            method(&mut state, name);
            argument(&mut state, value);
        }
        ScopeKey::BucketArgument(name, value) => {
            bucket(&mut state, name);
            argument(&mut state, value);
        }
        // `Client`, and any scope a later runtime adds: the client's, until this crate knows it
        _ => state.push_str("client"),
    }
    ScopeKeys {
        out: format!("{state}:out"),
        times: format!("{state}:times"),
        prev: format!("{state}:prev"),
        excluded: core::array::from_fn(|i| format!("{state}:x{i}")),
        state,
    }
}

fn method(key: &mut String, name: &str) {
    key.push_str("method:");
    segment(key, name.as_bytes());
}

fn bucket(key: &mut String, name: BucketName) {
    if name.is_hashed() {
        key.push_str("bucket:#");
        hex(key, name.as_bytes());
    } else {
        key.push_str("bucket:");
        segment(key, name.as_bytes());
    }
}

fn argument(key: &mut String, value: ScopeValue) {
    key.push_str(":arg:#");
    hex(key, value.as_bytes());
}

/// A name as a key segment: as it is if safe, else `%` and its hex.
fn segment(key: &mut String, bytes: &[u8]) {
    let safe = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if safe {
        // all ASCII: one char a byte
        key.extend(bytes.iter().map(|&b| char::from(b)));
    } else {
        key.push('%');
        hex(key, bytes);
    }
}

fn hex(key: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(key, "{b:02x}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_distinct() {
        let keys = |api, scope| scope_keys("errspec", api, scope).state;
        assert_eq!(keys("GitHub", ScopeKey::Client), "errspec:GitHub:client");
        assert_eq!(keys("", ScopeKey::Client), "errspec::client");
        assert_eq!(
            keys("x", ScopeKey::Method("list_repos")),
            "errspec:x:method:list_repos"
        );
        assert_eq!(
            keys("x", ScopeKey::Bucket(BucketName::new(b"core"))),
            "errspec:x:bucket:core"
        );
        assert_eq!(
            keys("x", ScopeKey::Bucket(BucketName::new(b"a:b\xff"))),
            "errspec:x:bucket:%613a62ff"
        );
        assert_eq!(
            keys("my api", ScopeKey::Client),
            "errspec:%6d7920617069:client"
        );
        let long = BucketName::new("b".repeat(200).as_bytes());
        let key = keys("x", ScopeKey::Bucket(long));
        assert!(
            key.starts_with("errspec:x:bucket:#") && key.len() == 18 + 32,
            "{key}"
        );
        // a name that looks like an encoded one is not one
        assert_ne!(
            keys("x", ScopeKey::Bucket(BucketName::new(b"%61"))),
            keys("x", ScopeKey::Bucket(BucketName::new(b"a")))
        );
        // an argument's value is never in a key, only its hash
        let channel = ScopeValue::new("C024BE91L");
        let key = keys("x", ScopeKey::MethodArgument("post", channel));
        assert!(
            key.starts_with("errspec:x:method:post:arg:#") && key.len() == 27 + 32,
            "{key}"
        );
        assert!(!key.contains("C024BE91L"));
        let key = keys(
            "x",
            ScopeKey::BucketArgument(BucketName::new(b"core"), channel),
        );
        assert!(key.starts_with("errspec:x:bucket:core:arg:#"), "{key}");
        assert_ne!(
            keys("x", ScopeKey::MethodArgument("post", channel)),
            keys("x", ScopeKey::MethodArgument("post", ScopeValue::new("C1")))
        );
        assert_ne!(
            keys("x", ScopeKey::MethodArgument("post", channel)),
            keys("x", ScopeKey::Method("post"))
        );
        let keys = scope_keys("p", "x", ScopeKey::Client);
        assert_eq!(
            [keys.out, keys.times, keys.prev],
            ["p:x:client:out", "p:x:client:times", "p:x:client:prev"]
        );
        assert_eq!(
            keys.excluded,
            [
                "p:x:client:x0",
                "p:x:client:x1",
                "p:x:client:x2",
                "p:x:client:x3"
            ]
        );
    }
}
