//! A field of a JSON body, by RFC 6901 pointer (feature `json`).
//!
//! The body is read in one pass that follows the pointer and skips everything else: nothing is
//! built but the selected value's text, which borrows from the body unless it is a string with
//! escapes. The whole body is still checked to be JSON.

use std::borrow::Cow;

use serde_core::Deserialize;
use serde_core::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess};
use serde_json::value::RawValue;

/// The value at `pointer` (RFC 6901, e.g. `/error/code`) in the JSON document `body`, as text.
///
/// A string gives its contents (unquoted, escapes resolved), a number or a boolean its JSON
/// text (`1.234`, `1e3`, `true`, exactly as written). `None` if `body` is not one JSON document,
/// if `pointer` is not a valid pointer or selects nothing, or if it selects `null`, an array or
/// an object. Where an object repeats a name, its last value counts. The empty pointer selects
/// the whole document.
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
/// ```
pub fn body_field<'a>(body: &'a str, pointer: &str) -> Option<Cow<'a, str>> {
    if !is_pointer(pointer) {
        return None;
    }
    let mut json = serde_json::Deserializer::from_str(body);
    let found = Select(pointer).deserialize(&mut json).ok()?;
    json.end().ok()?;
    found
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

/// Whether the pointer token `token` (escaped: `~0` is `~`, `~1` is `/`) names `key`.
fn names(token: &str, key: &str) -> bool {
    let mut token = token.bytes();
    let mut key = key.bytes();
    while let Some(b) = token.next() {
        let wanted = if b == b'~' {
            match token.next() {
                Some(b'0') => b'~',
                Some(b'1') => b'/',
                _ => return false,
            }
        } else {
            b
        };
        if key.next() != Some(wanted) {
            return false;
        }
    }
    key.next().is_none()
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

/// The text of a selected value: a string's contents, a number's or boolean's JSON text.
fn text_of(raw: &str) -> Option<Cow<'_, str>> {
    match raw.as_bytes().first()? {
        b'"' => serde_json::Deserializer::from_str(raw)
            .deserialize_str(Text)
            .ok(),
        b'-' | b'0'..=b'9' | b't' | b'f' => Some(Cow::Borrowed(raw)),
        _ => None,
    }
}

/// Deserializes the value the rest of a pointer selects (the value itself when it is empty).
struct Select<'p>(&'p str);

impl<'de> DeserializeSeed<'de> for Select<'_> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<Self::Value, D::Error> {
        let Some(rest) = self.0.strip_prefix('/') else {
            let raw = <&'de RawValue>::deserialize(json)?;
            return Ok(text_of(raw.get()));
        };
        let (token, rest) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        json.deserialize_any(Step { token, rest })
    }
}

/// One step of a pointer: `token` in this object or array, then `rest` below it.
struct Step<'p> {
    token: &'p str,
    rest: &'p str,
}

impl<'de> de::Visitor<'de> for Step<'_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(named) = map.next_key_seed(Key(self.token))? {
            if named {
                found = map.next_value_seed(Select(self.rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let wanted = index(self.token);
        let mut found = None;
        let mut at = 0_usize;
        loop {
            if wanted == Some(at) {
                match seq.next_element_seed(Select(self.rest))? {
                    Some(value) => found = value,
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            at = at.saturating_add(1);
        }
        Ok(found)
    }

    // A scalar has nothing below it.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Whether an object's key is the one a pointer token names.
struct Key<'p>(&'p str);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<bool, D::Error> {
        json.deserialize_str(self)
    }
}

impl de::Visitor<'_> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(names(self.0, key))
    }
}

/// A JSON string's contents, borrowed when it has no escapes.
struct Text;

impl<'de> de::Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers() {
        for ok in ["", "/", "/a", "/a/b", "/~0", "/~1", "/a~0b~1c", "//"] {
            assert!(is_pointer(ok), "{ok:?}");
        }
        for bad in ["a", "/~", "/~2", "/a~", "~0"] {
            assert!(!is_pointer(bad), "{bad:?}");
        }
        assert!(names("a~1b", "a/b"));
        assert!(names("m~0n", "m~n"));
        assert!(names("", ""));
        assert!(!names("a", "ab"));
        assert!(!names("ab", "a"));
        assert!(!names("~01", "~0"));
        assert_eq!(index("0"), Some(0));
        assert_eq!(index("10"), Some(10));
        for bad in ["", "-", "01", "+1", "-1", "1.0", "99999999999999999999999"] {
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
        assert!(matches!(field("/a/b~0c/1"), Some(Cow::Owned(_))));
        assert_eq!(field("/a/b~0c/2").as_deref(), Some("-1.5e3"));
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
        let borrowed = r#"{"code": "insufficient_quota"}"#;
        assert!(matches!(
            body_field(borrowed, "/code"),
            Some(Cow::Borrowed("insufficient_quota"))
        ));
        assert_eq!(body_field("3", "").as_deref(), Some("3"));
        assert_eq!(body_field(r#""s""#, "").as_deref(), Some("s"));
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
            "{\"a\": 1, \"b\": \"\u{0}\"}",
        ] {
            assert_eq!(body_field(body, "/a"), None, "{body:?}");
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(body_field(&deep, "/0"), None);
        let huge = r#"{"a": 1e400, "b": 18446744073709551616}"#;
        assert_eq!(
            body_field(huge, "/b").as_deref(),
            Some("18446744073709551616")
        );
        assert_eq!(body_field(huge, "/a").as_deref(), Some("1e400"));
    }
}
