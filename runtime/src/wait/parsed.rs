//! A response body's JSON document, parsed at most once however many case tests and body wait
//! sources read it.

#[cfg(feature = "json")]
use std::cell::OnceCell;

/// The JSON document of one response's body excerpt, parsed on first use (feature `json`;
/// without it, no body is JSON and nothing is reached). Building one allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct ParsedBody {
    #[cfg(feature = "json")]
    document: OnceCell<Option<serde_json::Value>>,
}

impl ParsedBody {
    /// The first `Some` that `f` gives for the text of a string, number or boolean that
    /// `pointer` reaches in `body`, in document order (many, with a `*` token). `body` must be
    /// the same text at every call: it is parsed at the first.
    #[cfg(feature = "json")]
    pub(crate) fn find_map<T>(
        &self,
        body: &str,
        pointer: &str,
        mut f: impl FnMut(&str) -> Option<T>,
    ) -> Option<T> {
        let document = self.document.get_or_init(|| super::json::parse(body));
        let mut out = None;
        super::json::reach(document.as_ref()?, pointer, &mut |value| {
            out = super::json::text_of(value).and_then(|text| f(&text));
            out.is_some()
        });
        out
    }

    /// Without feature `json` no body is read as JSON.
    #[cfg(not(feature = "json"))]
    #[expect(
        clippy::unused_self,
        reason = "the same call with feature `json` or without"
    )]
    pub(crate) fn find_map<T>(
        &self,
        _body: &str,
        _pointer: &str,
        _f: impl FnMut(&str) -> Option<T>,
    ) -> Option<T> {
        None
    }
}
