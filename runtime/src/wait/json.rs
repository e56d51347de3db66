//! The values a JSON pointer reaches in a body (feature `json`): the body is parsed once into a
//! `serde_json::Value` (by [`ParsedBody`](super::ParsedBody), on first use), and every case
//! test and body wait source of the response walks that one value.

use std::borrow::Cow;

use errspec_core::POINTER_WILDCARD;
use serde_json::Value;

/// The first string, number or boolean that `pointer` (RFC 6901, e.g. `/error/code`) reaches
/// in the JSON document `body`, as text.
///
/// A string gives its contents (unquoted, escapes resolved), a number its value's JSON text
/// (`1.234`, `30`; `1e3` is `1000.0`), a boolean `true` or `false`. `None` if `body` is not one
/// JSON document (a number beyond `f64`'s range, or nesting deeper than 128, makes it none),
/// if `pointer` is not a valid pointer or reaches nothing, or if all it reaches is `null`,
/// arrays or objects. Where an object repeats a name, its last value counts. The empty pointer
/// selects the whole document.
///
/// A reference token `*` stands for every element of an array and every member of an object
/// (in document order for arrays; for objects, in the order of their names), at any depth:
/// the first value it reaches that is a string, number or boolean is the field. RFC 6901 has
/// no wildcard, so a member literally named `*` cannot be reached.
///
/// ```
/// use errspec::body_field;
///
/// let body = r#"{"error": {"code": "insufficient_quota", "retry": [1.5, true]}}"#;
/// assert_eq!(body_field(body, "/error/code").as_deref(), Some("insufficient_quota"));
/// assert_eq!(body_field(body, "/error/retry/0").as_deref(), Some("1.5"));
/// assert_eq!(body_field(body, "/error/retry/1").as_deref(), Some("true"));
/// assert_eq!(body_field(body, "/error/retry"), None); // an array
/// assert_eq!(body_field(body, "/error/missing"), None);
/// assert_eq!(body_field("<html>busy</html>", "/error/code"), None);
///
/// // Google's AIP-193 errors: the `RetryInfo` is somewhere in `details`.
/// let google = r#"{"error": {"details": [
///     {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"},
///     {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}"#;
/// assert_eq!(body_field(google, "/error/details/*/retryDelay").as_deref(), Some("1.5s"));
/// ```
pub fn body_field<'a>(body: &'a str, pointer: &str) -> Option<Cow<'a, str>> {
    let document = parse(body)?;
    let mut field = None;
    reach(&document, pointer, &mut |value| {
        field = text_of(value).map(|text| Cow::Owned(text.into_owned()));
        field.is_some()
    });
    field
}

/// `body` as one JSON document, if it is one.
pub(super) fn parse(body: &str) -> Option<Value> {
    serde_json::from_str(body).ok()
}

/// Calls `found` with each value `pointer` reaches in `value`, in order, until it returns
/// `true`; whether it did. A pointer that is not one (RFC 6901) reaches nothing.
///
/// The walk goes no deeper than the pointer has tokens, and a parsed document is at most 128
/// levels deep, so it is bounded by the document's size whatever the pointer.
pub(super) fn reach<'v>(
    value: &'v Value,
    pointer: &str,
    found: &mut dyn FnMut(&'v Value) -> bool,
) -> bool {
    is_pointer(pointer) && walk(value, pointer, found)
}

fn walk<'v>(value: &'v Value, pointer: &str, found: &mut dyn FnMut(&'v Value) -> bool) -> bool {
    let Some(rest) = pointer.strip_prefix('/') else {
        return found(value);
    };
    let (token, rest) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    match value {
        Value::Object(members) if token == POINTER_WILDCARD => {
            members.values().any(|member| walk(member, rest, found))
        }
        Value::Array(items) if token == POINTER_WILDCARD => {
            items.iter().any(|item| walk(item, rest, found))
        }
        Value::Object(members) => members
            .get(unescape(token).as_ref())
            .is_some_and(|member| walk(member, rest, found)),
        Value::Array(items) => index(token)
            .and_then(|i| items.get(i))
            .is_some_and(|item| walk(item, rest, found)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

/// The text of a reached value: a string's contents, a number's or boolean's JSON text; `None`
/// for `null`, an array or an object.
pub(super) fn text_of(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(true) => Some(Cow::Borrowed("true")),
        Value::Bool(false) => Some(Cow::Borrowed("false")),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// RFC 6901: empty, or `/`-prefixed tokens in which `~` is followed by `0` or `1`.
fn is_pointer(pointer: &str) -> bool {
    let bytes = pointer.as_bytes();
    (bytes.is_empty() || bytes[0] == b'/')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b != b'~' || matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

/// The member name a pointer token names: `~1` is `/`, then `~0` is `~`.
fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The array index a pointer token names: `0`, or digits without a leading zero.
fn index(token: &str) -> Option<usize> {
    let leading_zero = token.len() > 1 && token.starts_with('0');
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if leading_zero || !digits {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text `pointer` reaches in `body`, in order.
    fn all(body: &str, pointer: &str) -> Vec<String> {
        let Some(document) = parse(body) else {
            return Vec::new();
        };
        let mut texts = Vec::new();
        reach(&document, pointer, &mut |value| {
            texts.extend(text_of(value).map(Cow::into_owned));
            false
        });
        texts
    }

    #[test]
    fn pointers() {
        for ok in [
            "", "/", "/a", "/a/b", "/~0", "/~1", "/a~0b~1c", "//", "/*", "/a/*/b",
        ] {
            assert!(is_pointer(ok), "{ok:?}");
        }
        for bad in ["a", "/~", "/~2", "/a~", "~0", "*"] {
            assert!(!is_pointer(bad), "{bad:?}");
        }
        assert_eq!(unescape("a~1b"), "a/b");
        assert_eq!(unescape("m~0n"), "m~n");
        assert_eq!(unescape("~01"), "~1", "`~0` then `1`, not `~` then `~1`");
        assert_eq!(index("0"), Some(0));
        assert_eq!(index("10"), Some(10));
        for bad in [
            "",
            "-",
            "01",
            "+1",
            "-1",
            "1.0",
            "99999999999999999999999",
            "*",
        ] {
            assert_eq!(index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fields() {
        let body = r#" {"a": {"b~c": [10, "x\"y", -1.5e3], "d/e": null, "f": false, "": "empty",
            "g": {}, "h": []}, "a2": "z", "a": {"again": "yes"}} "#;
        let field = |pointer| body_field(body, pointer);
        assert_eq!(field("/a/again").as_deref(), Some("yes"), "the last `a`");
        let first = r#"{"a": {"b~c": [10, "x\"y", -1.5e3], "d/e": null, "f": false, "": "e"}}"#;
        let field = |pointer| body_field(first, pointer);
        assert_eq!(field("/a/b~0c/0").as_deref(), Some("10"));
        assert_eq!(field("/a/b~0c/1").as_deref(), Some("x\"y"));
        assert_eq!(field("/a/b~0c/2").as_deref(), Some("-1500.0"));
        assert_eq!(field("/a/f").as_deref(), Some("false"));
        assert_eq!(field("/a/").as_deref(), Some("e"));
        for absent in [
            "/a/d~1e",
            "/a/b~0c",
            "/a",
            "",
            "/a/b~0c/3",
            "/a/b~0c/-",
            "/a/b~0c/01",
            "/b",
            "/a/f/x",
            "/a/b~0c/0/x",
            "/a/b~c",
            "a",
        ] {
            assert_eq!(field(absent), None, "{absent:?}");
        }
        assert_eq!(body_field("3", "").as_deref(), Some("3"));
        assert_eq!(body_field(r#""s""#, "").as_deref(), Some("s"));
    }

    #[test]
    fn a_wildcard_reaches_every_element_and_member() {
        let google = r#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
             "metadata": {"quota_limit": "ReadRequestsPerMinute", "service": "x.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"url": "u1"}, {"url": "u2"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}"#;
        assert_eq!(
            all(google, "/error/details/*/reason"),
            ["RATE_LIMIT_EXCEEDED"]
        );
        assert_eq!(all(google, "/error/details/*/retryDelay"), ["1.5s"]);
        assert_eq!(all(google, "/error/details/*/links/*/url"), ["u1", "u2"]);
        assert_eq!(
            all(google, "/error/details/*/metadata/*"),
            ["ReadRequestsPerMinute", "x.googleapis.com"],
            "members in the order of their names"
        );
        assert_eq!(all(google, "/*/code"), ["429"]);
        assert_eq!(all(google, "/error/*").len(), 2, "the code and the status");
        assert_eq!(all(google, "/error/details/*/*").len(), 5);
        // a wildcard that reaches only arrays and objects, or nothing
        assert!(all(google, "/error/details/*").is_empty());
        assert!(all(google, "/error/code/*").is_empty());
        assert!(all(google, "/*/*/*/nothing").is_empty());
        assert!(all("[]", "/*").is_empty());
        assert!(all("{}", "/*").is_empty());
        // the first readable value is the field
        assert_eq!(
            body_field(
                r#"{"d": [{"x": null}, {"x": [1]}, {"x": 2}, {"x": 3}]}"#,
                "/d/*/x"
            )
            .as_deref(),
            Some("2")
        );
        // a member named `*` is a member like another, but a `*` token reaches them all
        assert_eq!(all(r#"{"*": "star", "a": "b"}"#, "/*"), ["star", "b"]);
        // `~0` and `~1` still name members below a wildcard
        assert_eq!(all(r#"[{"a/b": 1}, {"a/b": 2}]"#, "/*/a~1b"), ["1", "2"]);
    }

    #[test]
    fn only_json_documents_are_read() {
        for body in [
            "",
            "not json",
            r#"{"a": 1"#,
            r#"{"a": 1} trailing"#,
            r#"{"a": 1}{"a": 2}"#,
            r#"{"a": 1,}"#,
            r"{'a': 1}",
            r#"{"a": 01}"#,
            r#"{"a": NaN}"#,
            r#"{"a": 1e400}"#,
            "{\"a\": 1, \"b\": \"\u{0}\"}",
            "<Error><Code>SlowDown</Code></Error>",
        ] {
            assert_eq!(body_field(body, "/a"), None, "{body:?}");
            assert!(all(body, "/*").is_empty(), "{body:?}");
        }
        let huge = r#"{"b": 18446744073709551616, "c": 18446744073709551615}"#;
        assert_eq!(
            body_field(huge, "/b").as_deref(),
            Some("1.8446744073709552e+19")
        );
        assert_eq!(
            body_field(huge, "/c").as_deref(),
            Some("18446744073709551615")
        );
    }

    #[test]
    fn deep_or_wide_documents_are_bounded() {
        // past serde_json's 128 levels a document is none; below, a wildcard walks it whole
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(body_field(&deep, "/0"), None);
        let nested = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(body_field(&nested, &"/*".repeat(100)).as_deref(), Some("1"));
        assert_eq!(body_field(&nested, &"/*".repeat(10_000)), None);
        let wide = format!("[{}1]", "[],".repeat(1_000));
        assert_eq!(all(&wide, "/*"), ["1"]);
        assert!(all(&wide, "/*/*/*").is_empty());
    }
}
