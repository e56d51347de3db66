//! A bad spec is data, not a bug: whatever the input, parsing returns diagnostics and never
//! panics, and messages stay short.

use std::fmt::Write as _;

use errspec_spec::{Diagnostic, parse_str};

/// Parses `source`, which must fail, and checks every diagnostic is well-formed.
fn fails(source: &str) -> Vec<Diagnostic> {
    let diagnostics = match parse_str(source, "garbage.toml") {
        Ok(spec) => panic!("garbage resolved: {spec:#?}"),
        Err(d) => d.0,
    };
    assert!(!diagnostics.is_empty());
    for d in &diagnostics {
        assert!(d.message.chars().count() < 400, "{}", d.message);
        // Rendering never panics either.
        let _ = d.render(source);
    }
    diagnostics
}

/// Parses `source` without caring about the outcome, rendering any diagnostics.
fn survives(source: &str) {
    if let Err(d) = parse_str(source, "garbage.toml") {
        for d in &d.0 {
            let _ = d.render(source);
        }
    }
}

/// A small deterministic generator: reproducible "random" input without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn empty_and_blank_files() {
    for source in ["", " ", "\n\n", "# just a comment\n", "\u{feff}"] {
        let d = fails(source);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].message, "missing `[api]` section");
        assert_eq!(d[0].location, Some((1, 1)));
    }
}

#[test]
fn random_bytes() {
    let mut rng = Lcg(7);
    for _ in 0..300 {
        let len = usize::try_from(rng.next() % 200).unwrap();
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        fails(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn random_toml_tokens() {
    let tokens = [
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        "=",
        ",",
        ".",
        "\"",
        "'",
        "\n",
        " ",
        "api",
        "status",
        "retry",
        "class",
        "5xx",
        "429",
        "name",
        "message",
        "\"x\"",
        "1",
        "-1",
        "1.5",
        "nan",
        "true",
        "1979-05-27",
        "\"\"\"",
        "#",
        "\\",
        "\u{e9}",
        "\r\n",
        "0x10",
    ];
    let mut rng = Lcg(42);
    for _ in 0..2000 {
        let count = rng.next() % 40;
        let source: String = (0..count)
            .map(|_| tokens[usize::try_from(rng.next()).unwrap() % tokens.len()])
            .collect();
        survives(&source);
    }
}

#[test]
fn every_deletion_and_truncation_of_a_real_spec() {
    let ardoq = include_str!("../ardoq.toml");
    let mut cuts: Vec<usize> = (0..=ardoq.len())
        .filter(|&i| ardoq.is_char_boundary(i))
        .collect();
    cuts.dedup();
    for &i in &cuts {
        survives(&ardoq[..i]);
        let next = cuts
            .iter()
            .find(|&&j| j > i)
            .copied()
            .unwrap_or(ardoq.len());
        survives(&format!("{}{}", &ardoq[..i], &ardoq[next..]));
    }
}

#[test]
fn deeply_nested_arrays() {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    fails(&format!("[api]\nname = {nested}\n"));
    fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nwait_headers = {nested}\n"
    ));
    fails(&format!("x = {nested}\n"));
    let unclosed = "[".repeat(depth);
    fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nbudget = {unclosed}\n"
    ));
    let tables = "{ a = ".repeat(depth);
    fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nbudget = {tables}\n"
    ));
}

#[test]
fn huge_numbers() {
    let huge = "9".repeat(5000);
    for key in ["max_attempts", "multiplier"] {
        let d = fails(&format!("[api]\nname = \"X\"\n[retry]\n{key} = {huge}\n"));
        assert_eq!(d.len(), 1, "{d:#?}");
    }
    let d = fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nbudget = {{ ratio = {huge}, min_per_second = -{huge} }}\n"
    ));
    assert_eq!(d.len(), 2, "{d:#?}");
    fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nmax_backoff = \"{huge}s\"\n"
    ));
    fails(&format!(
        "[api]\nname = \"X\"\n[retry]\nmax_backoff = \"{huge}\"\n"
    ));
    fails(&format!(
        "[api]\nname = \"X\"\n[status.{huge}]\nmessage = \"x\"\n"
    ));
    fails("[api]\nname = \"X\"\n[retry]\nmultiplier = 1e309\n");
    fails("[api]\nname = \"X\"\n[retry]\nmax_attempts = 0x7fffffffffffffffffffffffffffffffffff\n");
    fails("[api]\nname = \"X\"\n[retry]\nmultiplier = -0xff\n");
}

#[test]
fn huge_durations_are_accepted_or_reported() {
    survives("[api]\nname = \"X\"\n[retry]\nmax_backoff = \"18446744073709551615s\"\n");
    survives("[api]\nname = \"X\"\n[retry]\nmax_elapsed = \"500000000000y\"\n");
}

#[test]
fn huge_strings_are_clipped_in_messages() {
    let long = "x ".repeat(100_000);
    for (section, key) in [("api", "name"), ("api", "extends"), ("retry", "jitter")] {
        let d = fails(&format!(
            "[api]\nname = \"X\"\n[{section}]\n{key} = \"{long}\"\n"
        ));
        assert!(d.iter().all(|d| d.message.len() < 400));
    }
    let d = fails(&format!(
        "[api]\nname = \"X\"\n[status.\"{long}\"]\nmessage = \"x\"\n"
    ));
    assert!(d[0].message.len() < 400);
}

#[test]
fn many_problems_are_capped() {
    let source: String = core::iter::once("[api]\nname = \"X\"\n".to_owned())
        .chain((0..1000).map(|i| format!("unknown{i} = 1\n")))
        .collect();
    let d = fails(&source);
    assert_eq!(d.len(), 101);
    assert_eq!(d[100].message, "900 more problems not shown");
    assert_eq!(d[100].location, None);
}

#[test]
fn many_statuses_are_fast_enough() {
    let mut source = String::from("[api]\nname = \"X\"\n");
    for code in 400..1000 {
        let _ = write!(
            source,
            "[status.{code}]\nname = \"S{code}\"\nreason = \"R\"\nmessage = \"m\"\n"
        );
    }
    // success statuses hold cases
    for code in 100..400 {
        let _ = write!(
            source,
            "[status.{code}]\nreason = \"R\"\n[[status.{code}.case]]\nname = \"C{code}\"\n\
             when = {{ header = \"x-error\" }}\nmessage = \"m\"\n"
        );
    }
    let spec = parse_str(&source, "many.toml").unwrap();
    assert_eq!(spec.statuses.len(), 900);
    // And the same code written with ever more leading zeros.
    let mut source = String::from("[api]\nname = \"X\"\n");
    for zeros in 0..2000 {
        let _ = write!(
            source,
            "[status.{}404]\nmessage = \"m\"\n",
            "0".repeat(zeros)
        );
    }
    let d = fails(&source);
    assert_eq!(d.len(), 101);
}

#[test]
fn odd_values_everywhere() {
    let values = [
        "1",
        "-1",
        "1.5",
        "true",
        "1979-05-27T07:32:00Z",
        "[]",
        "[1, \"a\"]",
        "{}",
        "{ a = 1 }",
        "\"\"",
        "\"\\u0000\"",
        "\"{\"",
        "inf",
        "nan",
    ];
    let keys = [
        ("api", "name"),
        ("api", "extends"),
        ("api", "display"),
        ("api", "fallback"),
        ("api", "docs"),
        ("retry", "max_attempts"),
        ("retry", "initial_backoff"),
        ("retry", "multiplier"),
        ("retry", "jitter"),
        ("retry", "wait_headers"),
        ("retry", "budget"),
        ("class.5xx", "retry"),
        ("status.404", "message"),
        ("status.404", "wait_headers"),
    ];
    for (section, key) in keys {
        for value in values {
            let name = if section == "api" && key == "name" {
                ""
            } else {
                "name = \"X\"\n"
            };
            survives(&format!("[api]\n{name}[{section}]\n{key} = {value}\n"));
        }
    }
}
