//! The grammar of RFC 9651 (and RFC 8941 before it), case by case.

use super::*;

fn is_list(input: &str) -> bool {
    list(input.as_bytes(), |_| {}).is_some()
}

fn is_dictionary(input: &str) -> bool {
    dictionary(input.as_bytes(), |_, _| {}).is_some()
}

/// The only member of a one-member List, if `input` is one.
fn item(input: &str) -> Option<Bare> {
    let mut members = Vec::new();
    list(input.as_bytes(), |m| members.push(m.value))?;
    (members.len() == 1).then(|| members[0])
}

#[test]
fn lists() {
    for ok in [
        "",
        "1",
        "1, 42",
        "1,42",
        "1 , 42",
        "1\t,\t42",
        "1,  \t 42",
        "a, (b c), \"d\"",
        "(1 2)",
        "( 1  2 )",
        "()",
        "();a=1",
        "(1;a 2);b, 3",
        "  1",
    ] {
        assert!(is_list(ok), "{ok:?}");
    }
    for bad in [
        "1,", ",1", "1,,2", "1 2", "(1,2)", "(1 2", "(1 2)a", "1;", "1 ;a", "a=1", "\u{e9}", "1\n",
        "1\0", "(1\t2)",
    ] {
        assert!(!is_list(bad), "{bad:?}");
    }
}

#[test]
fn dictionaries() {
    for ok in [
        "a=1, b=2",
        "a, b;x=1",
        "a=(1 2);q, b",
        "a=1,b=2",
        "*a=1",
        "a_b-c.d*=?0",
        "a=1, a=2",
        "",
    ] {
        assert!(is_dictionary(ok), "{ok:?}");
    }
    for bad in [
        "A=1", "a=1,", "a=1 b=2", "1=a", "a=", "a==1", "\"a\"=1", "a=1;", "a;B", "_a=1",
    ] {
        assert!(!is_dictionary(bad), "{bad:?}");
    }
    let mut seen = Vec::new();
    dictionary(b"a=1, b, a=3;p=4", |k, m| {
        seen.push((k.to_vec(), m.value, m.params.get("p")));
    });
    assert_eq!(
        seen,
        [
            (b"a".to_vec(), Bare::Integer(1), None),
            (b"b".to_vec(), Bare::Other, None),
            (b"a".to_vec(), Bare::Integer(3), Some(Bare::Integer(4))),
        ]
    );
}

#[test]
fn integers_and_decimals() {
    assert_eq!(item("0"), Some(Bare::Integer(0)));
    assert_eq!(item("-0"), Some(Bare::Integer(0)));
    assert_eq!(item("0042"), Some(Bare::Integer(42)));
    assert_eq!(item("-17"), Some(Bare::Integer(-17)));
    assert_eq!(
        item("999999999999999"),
        Some(Bare::Integer(999_999_999_999_999))
    );
    assert_eq!(
        item("-999999999999999"),
        Some(Bare::Integer(-999_999_999_999_999))
    );
    for decimal in ["1.5", "-1.5", "123456789012.123", "0.1", "1.12"] {
        assert_eq!(item(decimal), Some(Bare::Other), "{decimal}");
    }
    for bad in [
        "1000000000000000",
        "18446744073709551615",
        "--1",
        "-",
        "+1",
        "1.",
        "1.1234",
        "1234567890123.0",
        ".5",
        "1e3",
        "1.5.3",
        "0x10",
        "-a",
    ] {
        assert_eq!(item(bad), None, "{bad}");
    }
}

#[test]
fn strings_tokens_bytes_booleans() {
    for ok in [
        "\"foo\"",
        "\"\"",
        "\"f\\\"o\\\\o\"",
        "\"a b ~ }\"",
        "a",
        "*foo",
        "foo:bar/baz",
        "foo!#$%&'*+-.^_`|~",
        "A1",
        ":aGVsbG8=:",
        "::",
        ":aGVsbG8:",
        ":YQ==:",
        "?1",
        "?0",
    ] {
        assert_eq!(item(ok), Some(Bare::Other), "{ok}");
    }
    for bad in [
        "\"foo",
        "\"\\a\"",
        "\"\u{e9}\"",
        "\"\t\"",
        "\"a\"b",
        "1foo",
        "_a",
        "f\u{e9}",
        ":aGVsbG8=",
        ":aGV$:",
        ":a=b:",
        ":YQ===:",
        "?2",
        "?",
        "?true",
    ] {
        assert_eq!(item(bad), None, "{bad}");
    }
}

#[test]
fn dates_and_display_strings() {
    for ok in ["@1659578233", "@-1", "%\"f%c3%bc\"", "%\"\"", "%\"plain\""] {
        assert_eq!(item(ok), Some(Bare::Other), "{ok}");
    }
    for bad in [
        "@1.5",
        "@",
        "@a",
        "%\"f%C3%BC\"",
        "%\"%ff\"",
        "%\"a",
        "%a",
        "%\"%c\"",
        "%\"\u{e9}\"",
    ] {
        assert_eq!(item(bad), None, "{bad}");
    }
}

#[test]
fn parameters() {
    let mut params = Vec::new();
    assert!(
        list(b"\"default\";r=0;t=30;t=31;x;q=\"s\", b;r=1", |m| params
            .push(m.params))
        .is_some()
    );
    let first = params[0];
    assert_eq!(first.get("r"), Some(Bare::Integer(0)));
    assert_eq!(first.get("t"), Some(Bare::Integer(31)), "the last one");
    assert_eq!(first.get("x"), Some(Bare::Other));
    assert_eq!(first.get("q"), Some(Bare::Other));
    assert_eq!(first.get("w"), None);
    assert_eq!(params[1].get("r"), Some(Bare::Integer(1)));
    assert_eq!(params[1].get("t"), None);
    // A space may follow `;`, not precede it; keys are lowercase.
    assert!(is_list("a; r=1"));
    assert!(!is_list("a ;r=1"));
    assert!(!is_list("a;R=1"));
    assert!(!is_list("a;r="));
    assert!(!is_list("a;=1"));
}
