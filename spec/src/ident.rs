//! Rust identifiers: variant and enum names in a spec must be usable as written.

/// Every keyword Rust reserves in some edition (strict and reserved), `Self`, `self`, `crate`
/// and `super` included: none of them can name a variant, raw or not.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Why a name cannot be a Rust identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// The empty string.
    Empty,
    /// `r#...`: raw identifiers are not accepted (they would not survive `{name}Error`).
    Raw,
    /// A keyword.
    Keyword,
    /// Not an identifier at all (bad first character, a space, ...).
    Invalid,
}

/// Checks that `name` is a plain (non-raw) Rust identifier and not a keyword.
pub(crate) fn check(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(Problem::Empty);
    }
    if name.starts_with("r#") {
        return Err(Problem::Raw);
    }
    if KEYWORDS.contains(&name) {
        return Err(Problem::Keyword);
    }
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c));
    if !starts_well || name == "_" || !chars.all(unicode_ident::is_xid_continue) {
        return Err(Problem::Invalid);
    }
    Ok(())
}

/// `text` in UpperCamelCase: words split at anything not alphanumeric, each capitalised and
/// the rest lowercased (`"URI Too Long"` -> `UriTooLong`, `"IM Used"` -> `ImUsed`).
pub(crate) fn upper_camel(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars.flat_map(char::to_lowercase));
        }
    }
    out
}

/// A help message for a name with `problem`: a fix when one is obvious.
pub(crate) fn help(name: &str, problem: &Problem, example: &str) -> String {
    let suggestion = match problem {
        Problem::Raw => name.get(2..).map(str::to_owned),
        Problem::Keyword => Some(upper_camel(name))
            .filter(|s| s != name)
            .or_else(|| Some(format!("{name}_"))),
        Problem::Invalid => Some(upper_camel(name)),
        Problem::Empty => None,
    };
    match suggestion.filter(|s| check(s).is_ok() && s != name) {
        Some(s) => format!("write `{s}`, a Rust identifier"),
        None => format!(
            "write a Rust identifier: a letter or `_` followed by letters, digits or `_`, e.g. `{example}`"
        ),
    }
}

/// Words describing `problem` after "`name` ...".
pub(crate) fn describe(problem: &Problem) -> &'static str {
    match problem {
        Problem::Empty => "is empty, not a Rust identifier",
        Problem::Raw => "is a raw identifier, which cannot be used here",
        Problem::Keyword => "is a Rust keyword",
        Problem::Invalid => "is not a Rust identifier",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(check("NotFound"), Ok(()));
        assert_eq!(check("_private"), Ok(()));
        assert_eq!(check("Überfall"), Ok(()));
        assert_eq!(check(""), Err(Problem::Empty));
        assert_eq!(check("_"), Err(Problem::Invalid));
        assert_eq!(check("1xx"), Err(Problem::Invalid));
        assert_eq!(check("Not Found"), Err(Problem::Invalid));
        assert_eq!(check("Self"), Err(Problem::Keyword));
        assert_eq!(check("crate"), Err(Problem::Keyword));
        assert_eq!(check("r#type"), Err(Problem::Raw));
        assert_eq!(check("r#Self"), Err(Problem::Raw));
    }

    #[test]
    fn camel_case() {
        assert_eq!(upper_camel("URI Too Long"), "UriTooLong");
        assert_eq!(upper_camel("IM Used"), "ImUsed");
        assert_eq!(upper_camel("OK"), "Ok");
        assert_eq!(
            upper_camel("Non-Authoritative Information"),
            "NonAuthoritativeInformation"
        );
        assert_eq!(
            upper_camel("HTTP Version Not Supported"),
            "HttpVersionNotSupported"
        );
        assert_eq!(upper_camel(" -- "), "");
    }

    #[test]
    fn helps() {
        assert_eq!(
            help("r#Gone", &Problem::Raw, "X"),
            "write `Gone`, a Rust identifier"
        );
        assert_eq!(
            help("Self", &Problem::Keyword, "X"),
            "write `Self_`, a Rust identifier"
        );
        assert_eq!(
            help("type", &Problem::Keyword, "X"),
            "write `Type`, a Rust identifier"
        );
        assert_eq!(
            help("not found", &Problem::Invalid, "X"),
            "write `NotFound`, a Rust identifier"
        );
        assert!(help("", &Problem::Empty, "Gone").ends_with("e.g. `Gone`"));
    }
}
