//! `crate = path`: an expansion that names errspec by another path.
//!
//! Generated code names everything of errspec's by the absolute path `::errspec::...`, which
//! breaks when a user renames the dependency in Cargo.toml or reaches errspec through a crate
//! of theirs that re-exports it. serde's `#[serde(crate = "...")]` answers the same need; here
//! the expansion is written once with `::errspec` and, when `crate = path` is given, each
//! absolute `::errspec` path in it (the user's own items included) is read through `path`.

use proc_macro2::{Group, Spacing, TokenStream, TokenTree};
use quote::ToTokens as _;

/// `tokens` with every absolute `::errspec` path starting at `krate` instead.
pub(crate) fn reroute(tokens: TokenStream, krate: &syn::Path) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < tokens.len() {
        if starts_errspec_path(&tokens, i) {
            krate.to_tokens(&mut out);
            i += 3;
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(group) => {
                let mut rerouted = Group::new(group.delimiter(), reroute(group.stream(), krate));
                rerouted.set_span(group.span());
                out.extend([TokenTree::Group(rerouted)]);
            }
            other => out.extend([other.clone()]),
        }
        i += 1;
    }
    out
}

/// Whether `::errspec` at `i` starts an absolute path, rather than continuing a longer one
/// (`my::errspec`).
fn starts_errspec_path(tokens: &[TokenTree], i: usize) -> bool {
    let colons = matches!(
        (&tokens[i], tokens.get(i + 1)),
        (TokenTree::Punct(a), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    );
    let errspec = matches!(tokens.get(i + 2), Some(TokenTree::Ident(name)) if name == "errspec");
    // `Self::errspec` and `my::errspec` are paths of the user's; after a punctuation (`: `,
    // `-> `, `<`, `&`) or a keyword (`as`, `impl`) a path starts
    let after_segment = match i.checked_sub(1).map(|j| &tokens[j]) {
        Some(TokenTree::Ident(word)) => !is_keyword(&word.to_string()),
        _ => false,
    };
    colons && errspec && !after_segment
}

/// Words after which a path can start (`as ::errspec::X`, `impl ::errspec::Y`).
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "box"
            | "break"
            | "const"
            | "dyn"
            | "else"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "match"
            | "move"
            | "mut"
            | "ref"
            | "return"
            | "static"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::reroute;

    #[test]
    fn absolute_paths_only() {
        let krate: syn::Path = syn::parse_quote!(my::inner);
        let out = reroute(
            quote! {
                impl ::errspec::StatusError for X {
                    fn f(x: ::errspec::A) -> ::core::option::Option<::errspec::Details> {
                        <T as ::errspec::S>::f(); mine::errspec::g(); Self::errspec
                    }
                }
            },
            &krate,
        );
        let expected = quote! {
            impl my::inner::StatusError for X {
                fn f(x: my::inner::A) -> ::core::option::Option<my::inner::Details> {
                    <T as my::inner::S>::f(); mine::errspec::g(); Self::errspec
                }
            }
        };
        assert_eq!(out.to_string(), expected.to_string());
    }
}
