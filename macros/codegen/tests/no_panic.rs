//! No spec makes the spec parser or the code generator panic. Ten thousand specs go through
//! both: the shipped specs (good and bad) mutated byte by byte and line by line, and specs
//! generated from a grammar of the format with good and bad values for every key.
//!
//! For each spec: `errspec_spec::parse_str` (and `Diagnostic::render` of what it reports), then
//! `errspec_codegen::errors` on the spec written to a file. The expansion must parse as Rust,
//! and codegen must agree with the parser: a spec the parser accepts expands without
//! `compile_error!`, one it rejects expands with one. The runs are deterministic (a fixed
//! seed), so a failure reproduces; proptest shrinks it to a small spec first.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use errspec_codegen::Context;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRng, TestRunner};
use quote::quote;

/// Mutated specs: each a shipped spec with a few mutations.
const MUTATED_CASES: u32 = 6_000;
/// Specs generated from the grammar.
const GENERATED_CASES: u32 = 4_000;

/// Runs `cases` specs from `strategy` through the parser and codegen; returns how many the
/// parser accepted.
fn run(name: &str, cases: u32, strategy: impl Strategy<Value = Vec<u8>>) -> u32 {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let file = Scratch::new(name);
    let accepted = Cell::new(0);
    let started = Instant::now();
    let result = runner.run(&strategy, |bytes| {
        if check(&bytes, &file.0) {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!(
        "{name}: {cases} specs ({} valid) in {:.1?}",
        accepted.get(),
        started.elapsed()
    );
    accepted.get()
}

/// One spec through the parser and codegen; whether the parser accepted it.
fn check(bytes: &[u8], path: &Path) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let parsed = errspec_spec::parse_str(&text, "fuzz.toml");
    if let Err(diagnostics) = &parsed {
        assert!(!diagnostics.0.is_empty(), "an error without a diagnostic");
        for d in &diagnostics.0 {
            let _ = d.render(&text);
        }
    }

    std::fs::write(path, bytes).expect("write the spec");
    let spec = path.to_str().expect("a UTF-8 temp path");
    let tokens = errspec_codegen::errors(
        quote!(spec = #spec),
        quote! {
            #[derive(Debug)]
            pub enum FuzzError {}
        },
        &Context::default(),
    );
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as Rust");
    let compile_errors = file
        .items
        .iter()
        .filter(|item| {
            matches!(item, syn::Item::Macro(m)
                if m.mac.path.segments.last().is_some_and(|s| s.ident == "compile_error"))
        })
        .count();
    // From bytes that are not UTF-8, the parser saw replacement characters; codegen must
    // refuse the file whatever the parser made of them.
    let expect_ok = parsed.is_ok() && core::str::from_utf8(bytes).is_ok();
    assert_eq!(
        compile_errors == 0,
        expect_ok,
        "parser and codegen disagree ({compile_errors} compile errors); spec:\n{text}"
    );
    parsed.is_ok()
}

/// A temp file rewritten for each spec, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!(
            "errspec-no-panic-{}-{name}.toml",
            std::process::id()
        ));
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ----- mutations of shipped specs -----------------------------------------------------------

/// Every `.toml` the repository ships: the good ones (`spec/` and `tests/specs/`) and the bad
/// ones (`tests/specs/bad/`).
fn shipped_specs() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |dirs: &[&str]| -> Vec<Vec<u8>> {
        let mut paths: Vec<PathBuf> = dirs
            .iter()
            .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("read a spec directory"))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read(p).expect("read a spec"))
            .collect()
    };
    let (good, bad) = (read(&["spec", "tests/specs"]), read(&["tests/specs/bad"]));
    assert!(
        good.len() >= 5 && bad.len() >= 30,
        "{} good, {} bad",
        good.len(),
        bad.len()
    );
    (good, bad)
}

/// Keys a mutation may write, real and misspelt.
const KEYS: &[&str] = &[
    "name",
    "extends",
    "display",
    "fallback",
    "docs",
    "max_attempts",
    "initial_backoff",
    "max_backoff",
    "multiplier",
    "jitter",
    "max_retry_after",
    "max_elapsed",
    "wait_headers",
    "budget",
    "reason",
    "message",
    "hint",
    "retry",
    "ratio",
    "min_per_second",
    "format",
    "nme",
    "mesage",
    "retries",
    "\"quoted\"",
    "a.b.c",
    "",
    "404",
];

/// Values a mutation may write: good ones for some key, and odd ones for every key.
const VALUES: &[&str] = &[
    "\"Fuzz\"",
    "\"http\"",
    "\"{code} {reason}: {message}\"",
    "\"{nope}\"",
    "\"{code\"",
    "\"Other\"",
    "\"NotFound\"",
    "\"type\"",
    "\"my-api\"",
    "\"\"",
    "\"100ms\"",
    "\"20s\"",
    "\"18446744073709551615s\"",
    "\"fast\"",
    "\"60\"",
    "3",
    "0",
    "-1",
    "4294967296",
    "99999999999999999999999999999999999999999",
    "2.5",
    "-2.0",
    "nan",
    "inf",
    "1e309",
    "0x7fffffff",
    "true",
    "1979-05-27T07:32:00Z",
    "\"full\"",
    "\"decorrelated\"",
    "\"after-header\"",
    "\"idempotent\"",
    "\"maybe\"",
    "[]",
    "[1, \"a\"]",
    "{}",
    "{ ratio = 0.2, min_per_second = 10 }",
    "{ ratio = 1500 }",
    "[{ name = \"retry-after\", format = \"http\" }]",
    "[{ name = \"x-reset\", format = \"unix\" }, { name = \"X-Reset\", format = \"millis\" }]",
    "[{ name = \"Retry After:\" }]",
    "\"\"\"\nmulti\nline\"\"\"",
    "'literal'",
    "\"ünïcödé ✓\"",
];

/// Whole lines a mutation may insert.
const LINES: &[&str] = &[
    "[api]",
    "[retry]",
    "[class.5xx]",
    "[class.6xx]",
    "[status.404]",
    "[status.0404]",
    "[status.599]",
    "[status.1000]",
    "[status.abc]",
    "[[status]]",
    "[status]",
    "[api.name]",
    "name = \"X\"",
    "message = \"m\"",
    "retry = \"always\"",
    "[",
    "]",
    "}",
    "= 1",
    "\"",
    "#",
    "\u{feff}",
    "\\",
    "\t",
    "\r",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Sets the byte at a position.
    SetByte(Index, u8),
    /// Inserts bytes at a position.
    Insert(Index, Vec<u8>),
    /// Removes up to `n` bytes from a position.
    Remove(Index, usize),
    /// Cuts the file at a position.
    Truncate(Index),
    /// Removes a line.
    DeleteLine(Index),
    /// Writes a line twice.
    DuplicateLine(Index),
    /// Swaps two lines.
    SwapLines(Index, Index),
    /// Inserts a line from [`LINES`] before a line.
    InsertLine(Index, &'static str),
    /// Replaces a line's key (what precedes ` = `) with one from [`KEYS`].
    SetKey(Index, &'static str),
    /// Replaces a line's value (what follows ` = `) with one from [`VALUES`].
    SetValue(Index, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<Index>;
    prop_oneof![
        1 => (index(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        1 => (index(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (index(), 1..40_usize).prop_map(|(i, n)| Mutation::Remove(i, n)),
        1 => index().prop_map(Mutation::Truncate),
        1 => index().prop_map(Mutation::DeleteLine),
        1 => index().prop_map(Mutation::DuplicateLine),
        1 => (index(), index()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (index(), prop::sample::select(LINES)).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        3 => (index(), prop::sample::select(KEYS)).prop_map(|(i, k)| Mutation::SetKey(i, k)),
        3 => (index(), prop::sample::select(VALUES)).prop_map(|(i, v)| Mutation::SetValue(i, v)),
    ]
}

/// `bytes` split after each `\n`, the last line kept even without one.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let at = |i: &Index, len: usize| i.index(len + 1);
    match mutation {
        Mutation::SetByte(i, b) => {
            if !bytes.is_empty() {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
        }
        Mutation::Insert(i, new) => {
            let at = at(i, bytes.len());
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Remove(i, n) => {
            let start = at(i, bytes.len());
            let end = (start + n).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Truncate(i) => bytes.truncate(at(i, bytes.len())),
        line_mutation => {
            let mut lines = lines(&bytes);
            if lines.is_empty() {
                lines.push(Vec::new());
            }
            let n = lines.len();
            match line_mutation {
                Mutation::DeleteLine(i) => {
                    lines.remove(i.index(n));
                }
                Mutation::DuplicateLine(i) => {
                    let line = lines[i.index(n)].clone();
                    lines.insert(i.index(n), line);
                }
                Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
                Mutation::InsertLine(i, line) => {
                    lines.insert(at(i, n), format!("{line}\n").into_bytes());
                }
                Mutation::SetKey(i, key) => {
                    let line = &mut lines[i.index(n)];
                    let rest = line
                        .iter()
                        .position(|&b| b == b'=')
                        .map_or_else(|| b" = \"x\"\n".to_vec(), |eq| line[eq..].to_vec());
                    *line = [key.as_bytes(), b" ", &rest].concat();
                }
                Mutation::SetValue(i, value) => {
                    let line = &mut lines[i.index(n)];
                    let key = line
                        .iter()
                        .position(|&b| b == b'=')
                        .map_or_else(|| b"name ".to_vec(), |eq| line[..eq].to_vec());
                    *line = [&key[..], b"= ", value.as_bytes(), b"\n"].concat();
                }
                _ => unreachable!("byte mutations are handled above"),
            }
            bytes = lines.concat();
        }
    }
    bytes
}

fn mutated_spec() -> impl Strategy<Value = Vec<u8>> {
    let (good, bad) = shipped_specs();
    // Good specs more often, and few mutations more often, so that some survive and the
    // code generator's success path is exercised too.
    (
        prop_oneof![
            3 => prop::sample::select(good),
            1 => prop::sample::select(bad),
        ],
        prop_oneof![
            3 => prop::collection::vec(mutation(), 1..2),
            1 => prop::collection::vec(mutation(), 2..6),
        ],
    )
        .prop_map(|(spec, mutations)| mutations.iter().fold(spec, apply))
}

// ----- specs from a grammar -------------------------------------------------------------------

/// Whether a generated spec uses good values only (and so is often valid), or bad ones too.
#[derive(Debug, Clone, Copy)]
enum Values {
    Good,
    Mixed,
}

/// `key = value` with a value from `good`, or in a mixed spec sometimes from `bad`.
fn entry(
    values: Values,
    key: &'static str,
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> BoxedStrategy<String> {
    let value = match values {
        Values::Good => prop::sample::select(good).boxed(),
        Values::Mixed => prop_oneof![
            3 => prop::sample::select(good),
            1 => prop::sample::select(bad),
        ]
        .boxed(),
    };
    value
        .prop_map(move |value| format!("{key} = {value}\n"))
        .boxed()
}

/// `entry` written with probability `p`.
fn maybe(p: f64, entry: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop::option::weighted(p, entry).prop_map(Option::unwrap_or_default)
}

const ODD: &[&str] = &[
    "\"\"",
    "\"  \"",
    "1",
    "-1",
    "2.5",
    "true",
    "[]",
    "{}",
    "1979-05-27",
    "\"{\"",
    "\"ünï\"",
    "nan",
];
const NAMES: &[&str] = &[
    "\"Gone\"",
    "\"Teapot\"",
    "\"RateLimited\"",
    "\"A1\"",
    "\"_Hidden\"",
    "\"Ünïcode\"",
];
const BAD_NAMES: &[&str] = &[
    "\"type\"",
    "\"r#type\"",
    "\"my-api\"",
    "\"Not Found\"",
    "\"Self\"",
    "\"9lives\"",
    "\"Other\"",
    "\"NotFound\"",
    "\"\"",
];
const TEXTS: &[&str] = &[
    "\"the resource was not found\"",
    "\"a | pipe and \\\"quotes\\\"\"",
    "\"line\\nbreak\"",
    "'single'",
    "\"{code}\"",
    "\"ünïcödé ✓\"",
];
const DISPLAYS: &[&str] = &[
    "\"{code} {reason}: {message}\"",
    "\"[{name}] {message} ({hint})\"",
    "\"{{literal}} {code}\"",
    "\"\"",
];
const BAD_DISPLAYS: &[&str] = &["\"{status}\"", "\"{code\"", "\"}\"", "\"{a{code}\""];
const DURATIONS: &[&str] = &[
    "\"100ms\"",
    "\"0s\"",
    "\"1s\"",
    "\"20s\"",
    "\"2m\"",
    "\"1h 30m\"",
    "\"18446744073709551615s\"",
];
const BAD_DURATIONS: &[&str] = &["\"fast\"", "\"60\"", "\"-1s\"", "100", "\"\""];
const ATTEMPTS: &[&str] = &["1", "3", "10", "4294967295"];
const BAD_INTEGERS: &[&str] = &["0", "-1", "4294967296", "\"3\"", "2.5", "0x10"];
const MULTIPLIERS: &[&str] = &["1", "1.0", "2.0", "3", "1.5", "1e300"];
const BAD_NUMBERS: &[&str] = &["0.5", "-2.0", "inf", "nan", "1e309", "\"2\""];
const JITTERS: &[&str] = &["\"none\"", "\"full\"", "\"equal\"", "\"decorrelated\""];
const POLICIES: &[&str] = &[
    "\"never\"",
    "\"always\"",
    "\"idempotent\"",
    "\"after-header\"",
];
const BAD_CHOICES: &[&str] = &["\"maybe\"", "\"Full\"", "\"ful\"", "\"\"", "1"];
const WAIT_HEADERS: &[&str] = &[
    "[{ name = \"retry-after\", format = \"http\" }]",
    "[{ name = \"Retry-After\", format = \"seconds\" }]",
    "[{ name = \"x-reset\", format = \"unix\" }, { name = \"retry-after\", format = \"http\" }]",
    "[{ name = \"x-retry-in-ms\", format = \"millis\" }]",
    "[]",
];
const BAD_WAIT_HEADERS: &[&str] = &[
    "[{ name = \"Retry After:\", format = \"http\" }]",
    "[{ name = \"retry-after\" }]",
    "[{ format = \"unix\" }]",
    "[{ name = \"a\", format = \"http\" }, { name = \"A\", format = \"unix\" }]",
    "[{ name = \"a\", format = \"minutes\", extra = 1 }]",
    "\"retry-after\"",
    "[1]",
];
const BUDGETS: &[&str] = &[
    "{}",
    "{ ratio = 0.2, min_per_second = 10 }",
    "{ ratio = 0 }",
    "{ ratio = 1000, min_per_second = 4294967295 }",
];
const BAD_BUDGETS: &[&str] = &[
    "{ ratio = 1500 }",
    "{ ratio = -0.1 }",
    "{ min_per_second = -5 }",
    "{ ration = 0.2 }",
    "0.2",
];
const CODES: &[&str] = &[
    "100", "200", "204", "301", "400", "401", "404", "409", "418", "429", "451", "499", "500",
    "502", "503", "504", "599", "600", "799", "999",
];
const BAD_CODES: &[&str] = &[
    "0404",
    "1000",
    "99",
    "0",
    "abc",
    "5xx",
    "\"\"",
    "42949672961",
];
const CLASSES: &[&str] = &["1xx", "2xx", "3xx", "4xx", "5xx"];
const BAD_CLASSES: &[&str] = &["6xx", "5XX", "xx", "server"];
const UNKNOWN: &[&str] = &["nme = 1\n", "mesage = \"x\"\n", "colour = \"red\"\n"];

fn api(v: Values) -> impl Strategy<Value = String> {
    (
        maybe(
            0.95,
            entry(v, "name", &["\"Fuzz\"", "\"Shop\"", "\"A\""], BAD_NAMES),
        ),
        maybe(
            0.3,
            entry(v, "extends", &["\"http\""], &["\"grpc\"", "\"htp\"", "1"]),
        ),
        maybe(0.2, entry(v, "display", DISPLAYS, BAD_DISPLAYS)),
        maybe(
            0.2,
            entry(v, "fallback", &["\"Unexpected\"", "\"Other\""], BAD_NAMES),
        ),
        maybe(0.1, entry(v, "docs", &["\"https://example.com\""], ODD)),
        maybe(0.05, prop::sample::select(UNKNOWN).prop_map(str::to_owned)),
    )
        .prop_map(|(a, b, c, d, e, f)| format!("[api]\n{a}{b}{c}{d}{e}{f}"))
}

fn retry(v: Values) -> impl Strategy<Value = String> {
    (
        (
            maybe(0.3, entry(v, "max_attempts", ATTEMPTS, BAD_INTEGERS)),
            maybe(0.3, entry(v, "initial_backoff", DURATIONS, BAD_DURATIONS)),
            maybe(0.3, entry(v, "max_backoff", DURATIONS, BAD_DURATIONS)),
            maybe(0.3, entry(v, "multiplier", MULTIPLIERS, BAD_NUMBERS)),
            maybe(0.3, entry(v, "jitter", JITTERS, BAD_CHOICES)),
        ),
        (
            maybe(0.3, entry(v, "max_retry_after", DURATIONS, BAD_DURATIONS)),
            maybe(0.3, entry(v, "max_elapsed", DURATIONS, BAD_DURATIONS)),
            maybe(
                0.3,
                entry(v, "wait_headers", WAIT_HEADERS, BAD_WAIT_HEADERS),
            ),
            maybe(0.3, entry(v, "budget", BUDGETS, BAD_BUDGETS)),
        ),
    )
        .prop_map(|((a, b, c, d, e), (f, g, h, i))| format!("[retry]\n{a}{b}{c}{d}{e}{f}{g}{h}{i}"))
}

fn class(v: Values) -> impl Strategy<Value = String> {
    (
        prop_oneof![5 => prop::sample::select(CLASSES), 1 => prop::sample::select(BAD_CLASSES)],
        maybe(0.7, entry(v, "retry", POLICIES, BAD_CHOICES)),
        maybe(0.4, entry(v, "message", TEXTS, ODD)),
        maybe(0.3, entry(v, "hint", TEXTS, ODD)),
    )
        .prop_map(|(class, a, b, c)| format!("[class.{class}]\n{a}{b}{c}"))
}

fn status(v: Values) -> impl Strategy<Value = String> {
    (
        prop_oneof![8 => prop::sample::select(CODES), 1 => prop::sample::select(BAD_CODES)],
        (
            maybe(0.3, entry(v, "name", NAMES, BAD_NAMES)),
            maybe(0.3, entry(v, "reason", TEXTS, ODD)),
            maybe(0.9, entry(v, "message", TEXTS, ODD)),
        ),
        (
            maybe(0.3, entry(v, "hint", TEXTS, ODD)),
            maybe(0.5, entry(v, "retry", POLICIES, BAD_CHOICES)),
            maybe(
                0.3,
                entry(v, "wait_headers", WAIT_HEADERS, BAD_WAIT_HEADERS),
            ),
            maybe(0.03, prop::sample::select(UNKNOWN).prop_map(str::to_owned)),
        ),
    )
        .prop_map(|(code, (a, b, c), (d, e, f, g))| {
            format!("[status.{code}]\n{a}{b}{c}{d}{e}{f}{g}")
        })
}

/// A spec in the format's grammar; its sections in a random order, sometimes without `[api]`.
fn generated_spec() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Values::Good), Just(Values::Mixed)]
        .prop_flat_map(|v| {
            (
                prop::option::weighted(0.97, api(v)),
                prop::option::weighted(0.5, retry(v)),
                prop::collection::vec(class(v), 0..3),
                prop::collection::vec(status(v), 0..6),
                any::<bool>(),
            )
        })
        .prop_map(|(api, retry, classes, statuses, api_last)| {
            let mut sections: Vec<String> = Vec::new();
            sections.extend(retry);
            sections.extend(classes);
            sections.extend(statuses);
            match api {
                Some(api) if api_last => sections.push(api),
                Some(api) => sections.insert(0, api),
                None => {}
            }
            sections.join("\n").into_bytes()
        })
}

// ----- the tests ------------------------------------------------------------------------------

#[test]
fn mutated_shipped_specs_never_panic() {
    let valid = run("mutated", MUTATED_CASES, mutated_spec());
    // Most mutations break a spec, but some must survive or codegen's success path is untested.
    assert!(
        valid > MUTATED_CASES / 10,
        "only {valid} mutated specs were valid"
    );
}

#[test]
fn generated_specs_never_panic() {
    let valid = run("generated", GENERATED_CASES, generated_spec());
    assert!(
        valid > GENERATED_CASES / 20 && valid < GENERATED_CASES * 19 / 20,
        "{valid} of {GENERATED_CASES} generated specs were valid: the grammar should give both"
    );
}
