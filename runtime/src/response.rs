//! A response as generated `from_parts` reads it: the tests of a status's cases and the
//! details its variant keeps.

use http::HeaderMap;

use crate::{Details, WaitHeader, body_excerpt};

/// A response's headers and body excerpt, for the code `#[errspec::errors]` generates: it
/// tells which case of a status the response is, then keeps what the variant needs.
///
/// Building one from headers alone allocates nothing; a body is cut to its excerpt once.
#[doc(hidden)]
#[derive(Debug)]
pub struct Response<'a> {
    headers: &'a HeaderMap,
    excerpt: Option<Box<str>>,
}

impl<'a> Response<'a> {
    /// A response with `headers` and `body` (kept as an excerpt of at most 4 KiB).
    pub fn new(headers: &'a HeaderMap, body: Option<&[u8]>) -> Self {
        Self {
            headers,
            excerpt: body.filter(|b| !b.is_empty()).map(body_excerpt),
        }
    }

    /// Whether header `name` is present with one of `equals` as its value, exactly (any value
    /// when `equals` is empty). A repeated header matches when any of its values does.
    pub fn header(&self, name: &str, equals: &[&str]) -> bool {
        let mut values = self.headers.get_all(name).iter();
        if equals.is_empty() {
            return values.next().is_some();
        }
        values.any(|value| equals.iter().any(|e| value.as_bytes() == e.as_bytes()))
    }

    /// Whether the JSON body has a value at `pointer` equal, as text, to one of `equals` (any
    /// string, number or boolean when `equals` is empty). Needs the `json` feature; without
    /// it, no body matches (and generated code asks for the feature at compile time).
    pub fn body(&self, pointer: &str, equals: &[&str]) -> bool {
        #[cfg(feature = "json")]
        {
            let Some(field) = self
                .excerpt
                .as_deref()
                .and_then(|body| crate::wait::body_field(body, pointer))
            else {
                return false;
            };
            equals.is_empty() || equals.iter().any(|e| *e == field)
        }
        #[cfg(not(feature = "json"))]
        {
            let _ = (pointer, equals);
            false
        }
    }

    /// The details a variant keeps: the wait read from the first valid of `wait_headers`, what
    /// `should_retry_header` says (`true` or `false`), and the body excerpt.
    pub fn details(
        self,
        wait_headers: &[WaitHeader],
        should_retry_header: Option<&str>,
    ) -> Details {
        Details::read(
            self.headers,
            self.excerpt,
            wait_headers,
            should_retry_header,
        )
    }
}
