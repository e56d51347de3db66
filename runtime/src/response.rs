//! A response as generated `from_parts` reads it: the tests of a status's cases and the
//! details its variant keeps.

use http::HeaderMap;

use crate::wait::ParsedBody;
use crate::{Details, MatchTest, WaitField, body_excerpt};

/// A response's headers and body excerpt, for the code `#[errspec::errors]` generates: it
/// tells which case of a status the response is, then keeps what the variant needs.
///
/// Building one from headers alone allocates nothing; a body is cut to its excerpt once, and
/// the excerpt is parsed as JSON at most once, at the first case test or wait source that
/// reads a body field: every later one reads the same document.
///
/// Each test passes when the value passes `test` against any of `values`, compared as bytes;
/// with no `values`, when the value is present.
#[doc(hidden)]
#[derive(Debug)]
pub struct Response<'a> {
    headers: &'a HeaderMap,
    excerpt: Option<Box<str>>,
    parsed: ParsedBody,
}

impl<'a> Response<'a> {
    /// A response with `headers` and `body` (kept as an excerpt of at most 4 KiB).
    pub fn new(headers: &'a HeaderMap, body: Option<&[u8]>) -> Self {
        Self {
            headers,
            excerpt: body.filter(|b| !b.is_empty()).map(body_excerpt),
            parsed: ParsedBody::default(),
        }
    }

    /// Whether a line of header `name` passes `test` (any line: a repeated header matches
    /// when one of its lines does); with no `values`, whether the header is present.
    pub fn header(&self, name: &str, test: MatchTest, values: &[&str]) -> bool {
        let mut lines = self.headers.get_all(name).iter();
        if values.is_empty() {
            return lines.next().is_some();
        }
        lines.any(|line| passes(line.as_bytes(), test, values))
    }

    /// Whether a string, number or boolean that `pointer` reaches in the JSON body passes
    /// `test` (any of them, with `*` tokens); with no `values`, whether the pointer reaches
    /// one. Needs the `json` feature; without it, no body matches (and generated code asks for
    /// the feature at compile time).
    pub fn body(&self, pointer: &str, test: MatchTest, values: &[&str]) -> bool {
        let Some(excerpt) = self.excerpt.as_deref() else {
            return false;
        };
        self.parsed
            .find_map(excerpt, pointer, |field| {
                (values.is_empty() || passes(field.as_bytes(), test, values)).then_some(())
            })
            .is_some()
    }

    /// Whether the body excerpt, as text whatever its content type, passes `test`; with no
    /// `values`, whether the body is not empty.
    pub fn text(&self, test: MatchTest, values: &[&str]) -> bool {
        self.excerpt
            .as_deref()
            .is_some_and(|text| values.is_empty() || passes(text.as_bytes(), test, values))
    }

    /// The details a variant keeps: the wait read from the first valid of `wait_headers`, what
    /// `should_retry_header` says (`true` or `false`), and the body excerpt. Body wait sources
    /// read the document the case tests parsed, if they did.
    pub fn details(self, wait_headers: &[WaitField], should_retry_header: Option<&str>) -> Details {
        let Self {
            headers,
            excerpt,
            parsed,
        } = self;
        Details::read(headers, excerpt, &parsed, wait_headers, should_retry_header)
    }
}

/// Whether `value` passes `test` against one of `values`.
fn passes(value: &[u8], test: MatchTest, values: &[&str]) -> bool {
    values.iter().any(|v| test.matches(value, v.as_bytes()))
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;
    use crate::MatchTest::{Contains, EndsWith, Equals, StartsWith};

    fn headers(pairs: &[(&'static str, &'static [u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let value = HeaderValue::from_bytes(value).expect("a header value");
            map.append(*name, value);
        }
        map
    }

    #[test]
    fn headers_pass_each_test_on_any_line_as_bytes() {
        let map = headers(&[
            (
                "x-amzn-errortype",
                b"ThrottlingException:http://internal.amazon.com/coral/",
            ),
            ("x-repeated", b"first"),
            ("x-repeated", b"second"),
            ("x-latin", b"caf\xe9"),
        ]);
        let response = Response::new(&map, None);
        let aws = "x-amzn-errortype";
        assert!(response.header(aws, StartsWith, &["ThrottlingException"]));
        assert!(response.header(aws, StartsWith, &["Other", "ThrottlingException"]));
        assert!(!response.header(aws, StartsWith, &["throttlingexception"]));
        assert!(!response.header(aws, Equals, &["ThrottlingException"]));
        assert!(response.header(aws, EndsWith, &["/coral/"]));
        assert!(response.header(aws, Contains, &["internal.amazon"]));
        assert!(response.header(aws, Equals, &[]), "present");
        assert!(!response.header("x-absent", Contains, &[]));
        assert!(!response.header("x-absent", Contains, &[""]));
        assert!(response.header("x-repeated", Equals, &["second"]));
        assert!(response.header("x-repeated", EndsWith, &["irst"]));
        assert!(!response.header("x-repeated", Equals, &["first, second"]));
        // a byte that is not UTF-8 is compared as a byte
        assert!(response.header("x-latin", StartsWith, &["caf"]));
        assert!(!response.header("x-latin", Equals, &["café"]));
    }

    #[test]
    fn text_is_the_excerpt_whatever_its_content_type() {
        let map = HeaderMap::new();
        let s3 = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        let response = Response::new(&map, Some(s3));
        assert!(response.text(Contains, &["<Code>SlowDown</Code>"]));
        assert!(response.text(
            Contains,
            &["<Code>InternalError</Code>", "<Code>SlowDown</Code>"]
        ));
        assert!(!response.text(Contains, &["<Code>InternalError</Code>"]));
        assert!(response.text(Equals, &[]), "a body");
        assert!(
            !response.text(Equals, &["<Code>SlowDown</Code>"]),
            "the whole excerpt"
        );
        assert!(!response.body("/Error/Code", Equals, &[]), "not JSON");
        let busy = Response::new(&map, Some(b"busy"));
        assert!(busy.text(Equals, &["busy"]));
        for empty in [None, Some(&b""[..])] {
            let response = Response::new(&map, empty);
            assert!(!response.text(Equals, &[]), "{empty:?}");
            assert!(!response.text(Contains, &[""]), "{empty:?}");
        }
        // invalid UTF-8 is replaced in the excerpt, and the rest still read
        let lossy = Response::new(&map, Some(b"\xff\xfe<Code>SlowDown</Code>"));
        assert!(lossy.text(Contains, &["<Code>SlowDown</Code>"]));
        // past the excerpt, nothing is read
        let mut long = vec![b' '; crate::BODY_EXCERPT_LIMIT];
        long.extend_from_slice(b"<Code>SlowDown</Code>");
        let cut = Response::new(&map, Some(&long));
        assert!(!cut.text(Contains, &["SlowDown"]));
    }

    #[cfg(feature = "json")]
    #[test]
    fn body_fields_pass_when_any_value_reached_does() {
        let map = HeaderMap::new();
        let google = br#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}"#;
        let response = Response::new(&map, Some(google));
        let reason = "/error/details/*/reason";
        assert!(response.body(
            reason,
            Equals,
            &["RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED"]
        ));
        assert!(!response.body(reason, Equals, &["RESOURCE_EXHAUSTED"]));
        assert!(response.body("/error/details/*/@type", EndsWith, &["RetryInfo"]));
        assert!(response.body(
            "/error/details/*/@type",
            StartsWith,
            &["type.googleapis.com/"]
        ));
        assert!(response.body("/error/*", Contains, &["EXHAUSTED"]));
        assert!(
            response.body("/error/code", Equals, &["429"]),
            "a number as text"
        );
        assert!(response.body(reason, Equals, &[]), "present");
        assert!(!response.body("/error/details/*/missing", Equals, &[]));
        assert!(
            !response.body("/error/details", Equals, &[]),
            "an array is not a value"
        );
        assert!(!response.body("error/code", Equals, &[]), "not a pointer");
        let aws = br#"{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate exceeded"}"#;
        let response = Response::new(&map, Some(aws));
        assert!(response.body("/__type", EndsWith, &["#ThrottlingException"]));
        assert!(!response.body("/__type", EndsWith, &["#ResourceNotFoundException"]));
    }

    #[cfg(feature = "json")]
    #[test]
    fn hostile_bodies_match_nothing_and_end() {
        let map = HeaderMap::new();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let wide = format!("[{}1]", "0,".repeat(100_000));
        let bodies: [&[u8]; 5] = [
            deep.as_bytes(),
            wide.as_bytes(),
            b"not json at all",
            b"\xff\xfe\xfd{\"a\": 1}",
            b"{\"a\": \"\xff\"}",
        ];
        for body in bodies {
            let response = Response::new(&map, Some(body));
            for pointer in ["/*", "/*/*/*/*", "/a", "/0"] {
                assert!(!response.body(pointer, Equals, &["1"]), "{pointer}");
            }
            let _ = response.details(&[], None);
        }
        // an invalid UTF-8 byte in a string is replaced: the document is still JSON
        let response = Response::new(&map, Some(b"{\"a\": \"x\xff\"}"));
        assert!(response.body("/a", StartsWith, &["x"]));
    }
}
