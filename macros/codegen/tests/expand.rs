//! Expansions compared against pretty-printed snapshots in `tests/expanded/`, so a change to the
//! generated code shows as a readable diff. `UPDATE_EXPANDED=1 cargo test -p errspec-codegen`
//! rewrites the snapshots; read the diff before committing it.

use std::path::{Path, PathBuf};

use errspec_codegen::Context;
use proc_macro2::TokenStream;
use quote::quote;

fn context() -> Context {
    Context {
        manifest_dir: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        source_file: None,
    }
}

fn pretty(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    let text = prettyplease::unparse(&file);
    // the absolute spec path differs per checkout
    text.replace(env!("CARGO_MANIFEST_DIR"), "$CARGO_MANIFEST_DIR")
}

fn check_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expanded")
        .join(name);
    if std::env::var_os("UPDATE_EXPANDED").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "expansion differs from {}; rerun with UPDATE_EXPANDED=1 to accept:\n{actual}",
        path.display()
    );
}

#[test]
fn errors_expansion_matches_snapshot() {
    let out = errspec_codegen::errors(
        quote!(spec = "tests/fixtures/small.toml"),
        quote! {
            /// Errors of the small API.
            #[derive(Debug)]
            pub enum SmallError {
                /// The connection failed.
                #[errspec(message = "transport failed", retry = "idempotent")]
                Transport(#[source] std::io::Error),
            }
        },
        &context(),
    );
    let text = pretty(out);
    assert!(!text.contains("compile_error"), "{text}");
    check_snapshot("small.rs", &text);
}

/// Each source and test of `when`, as `from_parts` tests them: the whole `from_parts` is in the
/// snapshot.
#[test]
fn case_tests_expansion_matches_snapshot() {
    let out = errspec_codegen::errors(
        quote!(spec = "tests/fixtures/matching.toml"),
        quote! {
            pub enum MatchingError {}
        },
        &context(),
    );
    let text = pretty(out);
    assert!(!text.contains("compile_error"), "{text}");
    let compact: String = text.split_whitespace().collect();
    for call in [
        r#"__response.header("x-amzn-errortype", ::errspec::MatchTest::StartsWith, &["ThrottlingException"]"#,
        r#"__response.text(::errspec::MatchTest::Contains, &["<Code>SlowDown</Code>"]"#,
        "__response.text(::errspec::MatchTest::Equals, &[]",
    ] {
        let call: String = call.split_whitespace().collect();
        assert!(compact.contains(&call), "no {call} in {text}");
    }
    check_snapshot("matching.rs", &text);
}

#[test]
fn the_expansion_includes_the_spec_file_so_cargo_tracks_it() {
    let out = errspec_codegen::errors(
        quote!(spec = "tests/fixtures/small.toml"),
        quote!(
            pub enum SmallError {}
        ),
        &context(),
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml");
    assert!(path.is_file());
    let include = format!("::core::include_bytes!({:?})", path.display().to_string());
    let compact: String = out.to_string().split_whitespace().collect();
    let include: String = include.split_whitespace().collect();
    assert!(compact.contains(&include), "no {include} in {compact}");
}

#[test]
fn a_bad_spec_gives_compile_errors_and_a_stub() {
    let dir = std::env::temp_dir().join(format!("errspec-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("bad.toml");
    std::fs::write(
        &spec,
        "[api]\nname = \"Bad\"\n[retry]\nmax_attempts = 0\njitter = \"wild\"\n",
    )
    .unwrap();
    let spec = spec.to_string_lossy().into_owned();
    let out = errspec_codegen::errors(
        quote!(spec = #spec),
        quote!(
            pub enum BadError {}
        ),
        &context(),
    );
    let text = out.to_string();
    assert_eq!(text.matches("compile_error").count(), 2, "{text}");
    assert!(text.contains("bad.toml:4:"), "{text}");
    assert!(text.contains("bad.toml:5:"), "{text}");
    assert!(
        text.contains("enum BadError"),
        "the stub keeps the enum: {text}"
    );
    assert!(text.contains("StatusError for BadError"), "{text}");
}

#[test]
fn the_spec_is_found_from_the_source_file_when_the_manifest_dir_lacks_it() {
    // trybuild's situation: CARGO_MANIFEST_DIR is a generated project
    let cx = Context {
        manifest_dir: Some(std::env::temp_dir()),
        source_file: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand.rs")),
    };
    let out = errspec_codegen::errors(
        quote!(spec = "tests/fixtures/small.toml"),
        quote!(
            pub enum SmallError {}
        ),
        &cx,
    );
    assert!(!out.to_string().contains("compile_error"), "{out}");
}

#[test]
fn a_missing_spec_names_the_paths_tried() {
    let out = errspec_codegen::errors(
        quote!(spec = "nope/missing.toml"),
        quote!(
            pub enum SmallError {}
        ),
        &context(),
    );
    let text = out.to_string();
    assert!(
        text.contains("nope/missing.toml: spec file not found (tried "),
        "{text}"
    );
    assert!(text.contains(&format!("{}/nope/missing.toml", env!("CARGO_MANIFEST_DIR"))));
}

#[test]
fn misuse_is_reported_not_panicked() {
    let cases = [
        (
            quote!(),
            quote!(
                pub enum E {}
            ),
        ),
        (
            quote!(spec = 3),
            quote!(
                pub enum E {}
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml", spec = "x"),
            quote!(
                pub enum E {}
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml", error = E),
            quote!(
                pub enum E {}
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub struct E;
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                fn e() {}
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E<T> {
                    A(T),
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E {
                    NotFound,
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E {
                    #[errspec(message = "x")]
                    NotFound,
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E {
                    #[errspec(message = "x")]
                    Other,
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E {
                    #[errspec(message = "x", retry = "often")]
                    A,
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(
                pub enum E {
                    #[errspec(message = "x")]
                    A = 3,
                }
            ),
        ),
        (
            quote!(spec = "tests/fixtures/small.toml"),
            quote!(not an item at all),
        ),
    ];
    for (args, item) in cases {
        let out = errspec_codegen::errors(args.clone(), item.clone(), &context());
        assert!(
            out.to_string().contains("compile_error"),
            "no error for ({args}) on ({item}): {out}"
        );
    }
}

/// The pretty-printed `fn rate_limited` of an expansion, if it has one.
fn rate_limited_fn(text: &str) -> Option<String> {
    let start = text.find("    fn rate_limited(&self) -> bool {")?;
    let end = text[start..].find("\n    }\n")? + start + "\n    }\n".len();
    Some(text[start..end].to_owned())
}

#[test]
fn rate_limited_is_generated_only_where_the_spec_departs_from_429() {
    // small.toml's only rate limit is its 429: the trait's default says so already
    let out = errspec_codegen::errors(
        quote!(spec = "tests/fixtures/small.toml"),
        quote!(
            pub enum SmallError {}
        ),
        &context(),
    );
    assert_eq!(rate_limited_fn(&pretty(out)), None);

    let dir = std::env::temp_dir().join(format!("errspec-codegen-rl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("hub.toml");
    std::fs::write(
        &spec,
        r#"[api]
name = "Hub"
[status.403]
message = "forbidden"
[[status.403.case]]
name = "RateLimited"
when = { header = "x-ratelimit-remaining", equals = "0" }
message = "rate limited"
rate_limited = true
[[status.403.case]]
name = "SecondaryRateLimited"
when = { header = "retry-after" }
message = "secondary rate limit"
rate_limited = true
[status.429]
message = "slow down"
[[status.429.case]]
name = "NoQuota"
when = { header = "x-quota", equals = "0" }
message = "out of quota"
rate_limited = false
[status.503]
message = "down"
"#,
    )
    .unwrap();
    let spec = spec.to_string_lossy().into_owned();
    let out = errspec_codegen::errors(
        quote!(spec = #spec),
        quote!(
            pub enum HubError {}
        ),
        &context(),
    );
    let text = pretty(out);
    assert!(!text.contains("compile_error"), "{text}");
    let expected = "    fn rate_limited(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::SecondaryRateLimited { .. } => true,
            Self::NoQuota { .. } => false,
            _ => {
                ::errspec::StatusError::status(self)
                    == ::core::option::Option::Some(
                        ::errspec::http::StatusCode::TOO_MANY_REQUESTS,
                    )
            }
        }
    }
";
    assert_eq!(rate_limited_fn(&text).as_deref(), Some(expected), "{text}");
    assert!(
        text.contains("A refusal of the rate limit: it teaches"),
        "{text}"
    );
    assert!(
        text.contains("Not a refusal of the rate limit, though a 429"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// With `crate = path`, no `::errspec` path is left in either expansion: every one goes
/// through `path` (a user who renames errspec, or re-exports it, has no `::errspec`).
#[test]
fn crate_path_reroutes_every_errspec_path() {
    let errors = errspec_codegen::try_errors(
        quote!(spec = "tests/fixtures/small.toml", crate = my::inner),
        quote! {
            #[derive(Debug)]
            pub enum SmallError {}
        },
        &context(),
    )
    .expect("expands");
    let client = errspec_codegen::try_client(
        quote!(spec = "tests/fixtures/small.toml", crate = "my::inner"),
        quote! {
            trait Small {
                #[errspec(idempotent)]
                fn get(&self) -> Result<u32, SmallError>;
                async fn post(&self) -> Result<u32, SmallError>;
            }
        },
        &context(),
    )
    .expect("expands");
    for out in [errors, client] {
        let text = pretty(out);
        assert!(!text.contains("::errspec"), "{text}");
        assert!(text.contains("my::inner::StatusError"), "{text}");
    }
}

#[test]
fn crate_path_is_given_once() {
    let error = errspec_codegen::try_errors(
        quote!(spec = "tests/fixtures/small.toml", crate = a, crate = b),
        quote!(
            enum E {}
        ),
        &context(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("duplicate `crate` argument"),
        "{error}"
    );
}
