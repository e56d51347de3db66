//! The key layout: which Redis keys hold a scope's state.
//!
//! A scope's state is a hash at `{prefix}:{api}:{scope}`, its reservations a sorted set at
//! `{prefix}:{api}:{scope}:out`, and the send times of its learned period and of the one
//! before lists at `{prefix}:{api}:{scope}:times` and `{prefix}:{api}:{scope}:prev`, and for
//! each quota `i` of several, the reservations that do not count against it at
//! `{prefix}:{api}:{scope}:x{i}`, where `{scope}` is `client`, `method:{name}` or
//! `bucket:{name}` (`bucket:#{hex}` for a name longer than 64 bytes, which the runtime keeps as
//! a 128-bit hash). The API's name, a method's name and a bucket's name are written as they
//! are when every byte is an ASCII letter, digit, `_`, `-` or `.`, and otherwise as `%`
//! followed by the hex of all their bytes, so that a name from a server can neither hold a
//! `:` nor bytes that are not UTF-8, and two names never share a key.

use core::fmt::Write as _;

use errspec::{MAX_QUOTAS, ScopeKey};

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
        ScopeKey::Method(name) => {
            state.push_str("method:");
            segment(&mut state, name.as_bytes());
        }
        ScopeKey::Bucket(name) if name.is_hashed() => {
            state.push_str("bucket:#");
            hex(&mut state, name.as_bytes());
        }
        ScopeKey::Bucket(name) => {
            state.push_str("bucket:");
            segment(&mut state, name.as_bytes());
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
    use errspec::BucketName;

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
