//! How long `#[errspec::errors]` takes to expand: the codegen library on the largest spec there
//! can be (every code 100..=999, 900 statuses) and on the Ardoq spec.
//!
//! `cargo bench -p errspec-codegen --bench codegen`. Each expansion reads the spec file, parses,
//! validates and resolves it, and writes the tokens, as the macro does in the compiler. The
//! first expansion in a process also reads the built-in `http` base spec (cached after that,
//! as it is for every macro call in one compilation); it is timed apart and printed first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use errspec_codegen::Context;
use proc_macro2::TokenStream;
use quote::quote;

/// Codes 100..=999: every code `http::StatusCode` accepts.
const CODES: std::ops::RangeInclusive<u16> = 100..=999;

/// The codes the built-in `http` base spec registers (they need no name or reason).
fn registered() -> Vec<u16> {
    errspec_spec::HTTP_SPEC
        .lines()
        .filter_map(|line| line.trim().strip_prefix("[status."))
        .filter_map(|rest| rest.strip_suffix(']')?.parse().ok())
        .collect()
}

/// A spec listing every code, with a name and reason for the unregistered ones and a mix of
/// policies, hints and wait headers.
fn big_spec() -> String {
    let registered = registered();
    let mut spec = String::from(
        "[api]\nname = \"Big\"\ndisplay = \"{code} {reason}: {message}\"\n\n\
         [retry]\nmax_attempts = 4\nbudget = { ratio = 0.2, min_per_second = 10 }\n",
    );
    for code in CODES {
        let _ = write!(spec, "\n[status.{code}]\n");
        if !registered.contains(&code) {
            let _ = write!(
                spec,
                "name = \"Status{code}\"\nreason = \"Status {code}\"\n"
            );
        }
        let _ = writeln!(spec, "message = \"the server answered {code}\"");
        if code % 3 == 0 {
            let _ = writeln!(spec, "hint = \"see the docs on {code}\"");
        }
        let policy = match code % 4 {
            0 => "never",
            1 => "always",
            2 => "idempotent",
            _ => "after-header",
        };
        let _ = writeln!(spec, "retry = \"{policy}\"");
        if code % 4 == 3 && code % 8 == 3 {
            spec.push_str("wait_headers = [{ name = \"x-wait-ms\", format = \"millis\" }]\n");
        }
    }
    spec
}

struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("errspec-codegen-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the bench's temp dir");
        std::fs::write(dir.join("big.toml"), big_spec()).expect("write big.toml");
        Self { dir }
    }

    fn context(&self) -> Context {
        Context {
            manifest_dir: Some(self.dir.clone()),
            source_file: None,
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn expand_big(cx: &Context) -> TokenStream {
    errspec_codegen::errors(
        quote!(spec = "big.toml"),
        quote! {
            #[derive(Debug)]
            pub enum BigError {}
        },
        cx,
    )
}

fn ardoq_context() -> Context {
    Context {
        manifest_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")),
        source_file: None,
    }
}

fn expand_ardoq(cx: &Context) -> TokenStream {
    errspec_codegen::errors(
        quote!(spec = "spec/ardoq.toml"),
        quote! {
            #[derive(Debug)]
            pub enum ArdoqError {}
        },
        cx,
    )
}

fn main() {
    let fixture = Fixture::new();
    let cx = fixture.context();
    let start = Instant::now();
    let tokens = expand_big(&cx);
    let cold = start.elapsed();
    let text = tokens.to_string();
    assert!(
        !text.contains("compile_error"),
        "the generated spec has problems: {text:.2000}"
    );
    assert!(
        !expand_ardoq(&ardoq_context())
            .to_string()
            .contains("compile_error"),
        "the Ardoq spec has problems"
    );
    println!(
        "900-status spec ({} bytes of TOML): first expansion in the process {:.1} ms \
         (includes reading the built-in http spec); expansion {} bytes of tokens\n",
        big_spec().len(),
        cold.as_secs_f64() * 1e3,
        text.len()
    );
    let mut c = criterion::Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("codegen");
    group.sample_size(20);
    let cx = fixture.context();
    group.bench_function("errors_900_statuses", |b| {
        b.iter(|| expand_big(&cx));
    });
    let cx = ardoq_context();
    group.bench_function("errors_ardoq", |b| {
        b.iter(|| expand_ardoq(&cx));
    });
    group.finish();
    c.final_summary();
    drop(fixture);
}
