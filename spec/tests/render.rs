//! `Diagnostic::render`: rustc-like output for command-line tools.

use errspec_spec::{Diagnostic, DiagnosticKind, parse_str};

fn first(source: &str) -> Diagnostic {
    parse_str(source, "spec/test.toml").unwrap_err().0.remove(0)
}

#[test]
fn renders_like_rustc() {
    let source = "[api]\nname = \"Shop\"\n[retry]\njitter = \"fulll\"\n";
    let rendered = first(source).render(source);
    assert_eq!(
        rendered,
        "error: unknown jitter `fulll` for `retry.jitter`
 --> spec/test.toml:4:10
  |
4 | jitter = \"fulll\"
  |          ^^^^^^^
  |
  = help: did you mean `full`? write one of `none`, `full`, `equal` or `decorrelated`
"
    );
}

#[test]
fn wide_line_numbers_widen_the_gutter() {
    let source = format!("{}[api]\nname = \"Shop\"\ncolour = 1\n", "\n".repeat(120));
    let rendered = first(&source).render(&source);
    assert_eq!(
        rendered,
        "error: unknown key `colour` in `[api]`
   --> spec/test.toml:123:1
    |
123 | colour = 1
    | ^^^^^^
    |
    = help: the keys of `[api]` are `name`, `extends`, `display`, `fallback` and `docs`
"
    );
}

#[test]
fn carets_count_characters_and_expand_tabs() {
    let source =
        "[api]\nname = \"Shop\"\n[status.404]\n\tmessage = \"gone\"\n\t\"näme\" = \"Ünd\"\n";
    let d = first(source);
    assert_eq!(d.location, Some((5, 2)));
    let rendered = d.render(source);
    assert!(
        rendered.contains("5 |     \"näme\" = \"Ünd\"\n  |     ^^^^^^\n"),
        "{rendered}"
    );
}

#[test]
fn multi_line_span_underlines_to_the_end_of_its_first_line() {
    let source = "[api]\nname = \"Shop\"\n[retry]\nwait_headers = [\n  { name = \"x\" },\n]\n";
    let d = first(source);
    assert_eq!(d.message, "missing `format` in `retry.wait_headers[0]`");
    let rendered = d.render(source);
    assert!(
        rendered.contains("5 |   { name = \"x\" },\n  |   ^^^^^^^^^^^^^^\n"),
        "{rendered}"
    );
}

#[test]
fn empty_span_gets_one_caret() {
    let source = "[status.404]\nmessage = \"gone\"\n";
    let rendered = first(source).render(source);
    assert!(
        rendered.starts_with(
            "error: missing `[api]` section\n --> spec/test.toml:1:1\n  |\n1 | [status.404]\n  | ^\n"
        ),
        "{rendered}"
    );
}

#[test]
fn without_a_location_there_is_no_snippet() {
    let d = Diagnostic {
        kind: DiagnosticKind::Unreadable,
        file: "spec/gone.toml".to_owned(),
        location: None,
        span: None,
        message: "cannot read spec file `/x/spec/gone.toml`: not found".to_owned(),
        help: Some("check the path".to_owned()),
    };
    assert_eq!(
        d.render(""),
        "error: cannot read spec file `/x/spec/gone.toml`: not found\n --> spec/gone.toml\n  = help: check the path\n"
    );
}

#[test]
#[allow(clippy::reversed_empty_ranges, reason = "a bad span on purpose")]
fn spans_that_do_not_fit_the_source_are_left_out() {
    let d = Diagnostic {
        kind: DiagnosticKind::Invalid,
        file: "f.toml".to_owned(),
        location: Some((3, 4)),
        span: Some(100..200),
        message: "oops".to_owned(),
        help: None,
    };
    assert_eq!(d.render("short"), "error: oops\n --> f.toml:3:4\n");
    // Inside a multi-byte character.
    let d = Diagnostic {
        span: Some(1..2),
        ..d
    };
    assert_eq!(d.render("é"), "error: oops\n --> f.toml:3:4\n");
    // Reversed.
    let d = Diagnostic {
        span: Some(3..1),
        ..d
    };
    assert!(d.render("abcdef\n").contains("1 | abcdef\n  |    ^\n"));
}
