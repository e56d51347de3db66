//! `#[errspec::client]` expansions: one compared against a pretty-printed snapshot in
//! `tests/expanded/client.rs`, so a change to the generated impl shows as a readable diff
//! (`UPDATE_EXPANDED=1 cargo test -p errspec-codegen` rewrites it; read the diff before
//! committing), and misuse turned into `compile_error!`s without panics or follow-on items.

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

/// Whitespace-free text of some tokens, for substring checks that ignore formatting.
fn compact(tokens: &TokenStream) -> String {
    tokens.to_string().split_whitespace().collect()
}

fn client(args: TokenStream, item: TokenStream) -> TokenStream {
    errspec_codegen::client(args, item, &context())
}

#[test]
fn client_expansion_matches_snapshot() {
    let out = client(
        quote!(error = SmallError),
        quote! {
            /// The small API.
            pub trait Small<K: Clone>: Send + Sync {
                /// The ids.
                type Id;
                /// How many.
                const LIMIT: usize = 3;

                /// Sync, `&self`, idempotent.
                #[errspec(idempotent)]
                fn get(&self, key: K, (a, b): (u32, u32)) -> Result<String, SmallError>;

                /// Async, `&mut self`, not idempotent; a one-argument `Result` alias.
                async fn put<T: Into<String>>(&mut self, value: T) -> Result<T>;

                /// A `Send` future, with an `impl Trait` argument.
                #[errspec(idempotent)]
                fn watch(&self, name: impl AsRef<str> + Clone) -> impl Future<Output = Result<u32, SmallError>> + Send;

                /// Scoped by an argument's value.
                async fn post(&self, #[errspec(scope)] channel: &str, text: String) -> Result<u32, SmallError>;

                /// Forwarded.
                fn name(&self) -> &str;

                /// Forwarded with `&mut self`.
                fn clear(self: &mut Self);

                /// Forwarded by value.
                fn close(self) -> Result<(), SmallError> where Self: Sized;
            }
        },
    );
    let text = pretty(out);
    assert!(!text.contains("compile_error"), "{text}");
    check_snapshot("client.rs", &text);
}

#[test]
fn with_a_spec_the_error_enum_is_generated_beside_the_trait() {
    let out = client(
        quote!(spec = "tests/fixtures/small.toml"),
        quote! {
            pub(crate) trait Small {
                #[errspec(idempotent)]
                fn get(&self, id: u32) -> Result<String>;
            }
        },
    );
    let text = compact(&out);
    assert!(!text.contains("compile_error"), "{text}");
    assert!(text.contains("#[derive(Debug)]"), "{text}");
    assert!(text.contains("pub(crate)enumSmallError{"), "{text}");
    assert!(
        text.contains(
            "impl<__C:Small+::core::marker::Send+::core::marker::Sync>Smallfor::errspec::Retrying<__C>"
        ),
        "{text}"
    );
    // a one-argument `Result` alias is resolved by the compiler, to whatever error it names
    assert!(
        text.contains(
            "::errspec::__private::Engine::<<Result<String>as__ErrspecResult>::Error>::NEW).begin(self,::errspec::Idempotency::Idempotent,\"get\")"
        ),
        "{text}"
    );
}

#[test]
fn methods_lose_errspec_attributes_and_keep_the_others() {
    let out = client(
        quote!(error = E),
        quote! {
            trait Api {
                /// Documented.
                #[errspec(idempotent)]
                #[cfg(feature = "x")]
                #[must_use]
                fn get(&self) -> Result<u32, E>;
            }
        },
    );
    let text = compact(&out);
    assert!(!text.contains("errspec(idempotent)"), "{text}");
    assert!(!text.contains("compile_error"), "{text}");
    // the cfg goes on both the trait's method and the impl's; the doc stays on the trait's
    assert_eq!(text.matches("#[cfg(feature=\"x\")]").count(), 2, "{text}");
    assert_eq!(text.matches("#[must_use]").count(), 1, "{text}");
    assert_eq!(text.matches("Documented.").count(), 1, "{text}");
}

#[test]
fn idempotency_is_per_method() {
    let out = client(
        quote!(error = E),
        quote! {
            trait Api {
                #[errspec(idempotent)]
                fn read(&self) -> Result<u32, E>;
                fn write(&self) -> Result<u32, E>;
            }
        },
    );
    let text = compact(&out);
    let read = text.find("fnread(").unwrap();
    let write = text.find("fnwrite(").unwrap();
    let impl_start = text.find("for::errspec::Retrying<__C>").unwrap();
    assert!(read < impl_start && write < impl_start);
    let impl_text = &text[impl_start..];
    let read = impl_text.find("fnread(").unwrap();
    let write = impl_text.find("fnwrite(").unwrap();
    assert!(read < write);
    assert!(
        impl_text[read..write].contains(".begin(self,::errspec::Idempotency::Idempotent,\"read\")"),
        "{impl_text}"
    );
    assert!(
        impl_text[write..].contains(".begin(self,::errspec::Idempotency::NonIdempotent,\"write\")"),
        "{impl_text}"
    );
}

/// Every misuse gives `compile_error!`s (as many as there are problems) beside the trait as
/// written, without errspec's attributes and without an impl that could add follow-on errors.
#[test]
fn misuse_is_reported_with_the_trait_alone() {
    let cases = [
        // (args, item, errors expected)
        (
            quote!(),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(error = 3),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(spec = 3),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(error = E, spec = "x.toml"),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(error = E, error = F),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(errors = E),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(spec = "nope/missing.toml"),
            quote!(
                trait A {}
            ),
            1,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    #[errspec(idempotent)]
                    fn name(&self) -> String;
                }
            ),
            1,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    #[errspec(idempotent)]
                    fn close(self) -> Result<(), E>;
                }
            ),
            1,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    #[errspec(idempotent)]
                    fn new() -> Result<u32, E>;
                }
            ),
            1,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    #[errspec(retries = 3)]
                    fn get(&self) -> Result<u32, E>;
                    #[errspec]
                    fn put(&self) -> Result<u32, E>;
                    #[errspec = "idempotent"]
                    fn post(&self) -> Result<u32, E>;
                }
            ),
            3,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    fn slot(&mut self) -> Result<&mut u32, E>;
                    async fn all(&mut self) -> Result<Vec<Item<'_>>, E>;
                    fn name<'a>(&'a mut self) -> Result<&'a str, E>;
                }
            ),
            3,
        ),
        (
            quote!(error = E),
            quote!(
                trait A {
                    fn get(self: Box<Self>) -> Result<u32, E>;
                    fn put(self: std::rc::Rc<Self>) -> Result<u32, E>;
                }
            ),
            2,
        ),
    ];
    for (args, item, expected) in cases {
        let out = client(args.clone(), item.clone());
        let text = compact(&out);
        assert_eq!(
            text.matches("compile_error").count(),
            expected,
            "({args}) on ({item}): {out}"
        );
        let item = text.find("traitA{").expect("the trait is kept");
        assert!(
            !text[item..].contains("Retrying"),
            "an impl beside errors: {out}"
        );
        assert!(
            !text[item..].contains("#[errspec"),
            "errspec's attribute kept: {out}"
        );
    }
}

#[test]
fn mut_self_methods_may_return_borrows_that_are_not_of_the_client() {
    let out = client(
        quote!(error = E),
        quote! {
            trait A {
                fn name(&mut self) -> Result<&'static str, E>;
                fn first<'a>(&mut self, items: &'a [String]) -> Result<&'a String, E>;
                fn view(&self) -> Result<&str, E>;
                fn parser(&mut self) -> Result<Box<dyn Fn(&str) -> u32 + Send>, E>;
                fn pointer(&mut self) -> Result<fn(&[u8]) -> usize, E>;
            }
        },
    );
    assert!(!out.to_string().contains("compile_error"), "{out}");
}

#[test]
fn on_anything_but_a_trait_is_an_error_that_keeps_the_item() {
    for item in [
        quote!(
            pub struct Shop;
        ),
        quote!(
            pub fn shop() {}
        ),
        quote!(
            pub enum Shop {}
        ),
        quote!(not an item at all),
    ] {
        let out = client(quote!(error = E), item.clone());
        let text = compact(&out);
        assert_eq!(text.matches("compile_error").count(), 1, "{out}");
        assert!(text.contains("goesonatrait"), "{out}");
        assert!(text.ends_with(&compact(&item)), "{out}");
    }
}
