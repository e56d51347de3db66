//! How a case's `when` tests the value its source gives: the tests, and the JSON pointer
//! wildcard their body sources (and body wait sources) may use.

spelled! {
    /// The tests a case's `when` can make of its source's value (a header line, a JSON body
    /// field's text, or the body excerpt), each against a list of strings any of which passes
    /// it. Each variant's first paragraph is its [`describe`](Self::describe) text; the
    /// runtime compares by [`matches`](Self::matches).
    ///
    /// ```
    /// use errspec_core::MatchTest;
    ///
    /// let aws = b"ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral/";
    /// assert!(MatchTest::StartsWith.matches(aws, b"ThrottlingException"));
    /// assert!(!MatchTest::Equals.matches(aws, b"ThrottlingException"));
    /// assert_eq!(MatchTest::from_spelling("ends_with"), Some(MatchTest::EndsWith));
    /// assert!(!MatchTest::StartsWith.applies_to_text());
    /// ```
    pub enum MatchTest {
        /// `equals = "0"`: the test of a case that names one exact value.
        Equals = "equals" => "the value is one of the strings, exactly",
        /// `starts_with = "ThrottlingException"`: AWS's `x-amzn-ErrorType` adds `:` and a URL.
        StartsWith = "starts_with" => "the value begins with one of the strings",
        /// `ends_with = "#ThrottlingException"`: AWS's `__type` begins with a service's
        /// namespace.
        EndsWith = "ends_with" => "the value ends with one of the strings",
        /// `contains = "<Code>SlowDown</Code>"`: a word anywhere in the value, such as a code
        /// in an XML body.
        Contains = "contains" => "the value contains one of the strings",
    }
}

impl MatchTest {
    /// Whether `value` passes this test against `wanted`, compared as bytes.
    ///
    /// ```
    /// use errspec_core::MatchTest;
    ///
    /// assert!(MatchTest::Contains.matches(b"<Code>SlowDown</Code>", b"SlowDown"));
    /// assert!(MatchTest::EndsWith.matches(b"dynamodb#ThrottlingException", b"#ThrottlingException"));
    /// assert!(MatchTest::Equals.matches(b"", b""));
    /// ```
    pub fn matches(self, value: &[u8], wanted: &[u8]) -> bool {
        match self {
            Self::Equals => value == wanted,
            Self::StartsWith => value.starts_with(wanted),
            Self::EndsWith => value.ends_with(wanted),
            Self::Contains => {
                wanted.is_empty() || value.windows(wanted.len()).any(|window| window == wanted)
            }
        }
    }

    /// Whether this test may be made of `text = true`, the body excerpt: `equals` (the whole
    /// excerpt) and `contains` may; `starts_with` and `ends_with` may not, since the excerpt
    /// is a body's first 4 KiB (its end is not the body's) and bodies often begin with
    /// whitespace or an XML declaration.
    pub const fn applies_to_text(self) -> bool {
        match self {
            Self::Equals | Self::Contains => true,
            Self::StartsWith | Self::EndsWith => false,
        }
    }
}

/// The JSON pointer reference token that stands for every element of an array and every
/// member of an object (RFC 6901 has none; so a member literally named `*` cannot be reached).
pub const POINTER_WILDCARD: &str = "*";

/// Whether the JSON pointer `pointer` has a [`POINTER_WILDCARD`] token, and so may reach many
/// values.
///
/// ```
/// use errspec_core::pointer_has_wildcard;
///
/// assert!(pointer_has_wildcard("/error/details/*/reason"));
/// assert!(!pointer_has_wildcard("/error/code"));
/// assert!(!pointer_has_wildcard("/a*b")); // a member named `a*b`
/// ```
pub fn pointer_has_wildcard(pointer: &str) -> bool {
    pointer
        .split('/')
        .skip(1)
        .any(|token| token == POINTER_WILDCARD)
}
