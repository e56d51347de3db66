//! The user's enum: its attributes, visibility and the variants the user wrote, with their
//! `#[errspec(message = "...", retry = "...")]` and `#[source]` read and stripped.

use errspec_spec::RetryPolicy;
use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Ident, LitStr, Member, Variant, Visibility};

use crate::errors::Errors;

pub(crate) struct UserEnum {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub variants: Vec<UserVariant>,
}

pub(crate) struct UserVariant {
    /// The variant as written, less its `#[errspec]` and `#[source]` attributes.
    pub variant: Variant,
    pub message: String,
    pub policy: RetryPolicy,
    /// The field marked `#[source]`.
    pub source: Option<Member>,
}

impl UserVariant {
    /// A pattern matching this variant whatever its fields: `Self::Name { .. }`.
    pub fn pattern(&self) -> TokenStream {
        let ident = &self.variant.ident;
        quote::quote!(Self::#ident { .. })
    }

    /// The variant's `#[cfg]` attributes, to put on every match arm naming it: an attribute
    /// macro sees variants before cfg-stripping.
    pub fn cfgs(&self) -> impl Iterator<Item = &Attribute> {
        self.variant
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
    }

    /// A match arm for this variant alone, carrying its cfgs.
    pub fn arm(&self, body: &TokenStream) -> TokenStream {
        let cfgs = self.cfgs();
        let pat = self.pattern();
        quote::quote!(#(#cfgs)* #pat => #body,)
    }
}

pub(crate) fn parse(item: TokenStream, errors: &mut Errors) -> Option<UserEnum> {
    let input: DeriveInput = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(_) => {
            errors.push(not_an_enum(item));
            return None;
        }
    };
    let data = match input.data {
        Data::Enum(data) => data,
        Data::Struct(s) => {
            errors.push(syn::Error::new(
                s.struct_token.span,
                "`errspec::errors` goes on an enum, not a struct: write `enum Name {}` and the \
                 spec fills in the variants",
            ));
            return None;
        }
        Data::Union(u) => {
            errors.push(syn::Error::new(
                u.union_token.span,
                "`errspec::errors` goes on an enum, not a union: write `enum Name {}` and the \
                 spec fills in the variants",
            ));
            return None;
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            input.generics.span(),
            "an `errspec::errors` enum cannot be generic; remove the generic parameters",
        ));
    }
    let variants = data
        .variants
        .into_iter()
        .filter_map(|v| user_variant(v, errors))
        .collect();
    Some(UserEnum {
        attrs: input.attrs,
        vis: input.vis,
        ident: input.ident,
        variants,
    })
}

/// The error for an item that is not a struct, enum or union, pointed at its keyword.
fn not_an_enum(item: TokenStream) -> syn::Error {
    let fill = "write `enum Name {}` and the spec fills in the variants";
    let (span, message) = match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Fn(f)) => (
            f.sig.fn_token.span,
            format!("`errspec::errors` goes on an enum, not a function: {fill}"),
        ),
        Ok(syn::Item::Trait(t)) => (
            t.trait_token.span,
            "`errspec::errors` goes on an enum, not a trait: for a client trait, use \
             `#[errspec::client(spec = \"...\")]`, which also generates the error enum"
                .to_owned(),
        ),
        Ok(syn::Item::Type(t)) => (
            t.type_token.span,
            format!("`errspec::errors` goes on an enum, not a type alias: {fill}"),
        ),
        Ok(syn::Item::Impl(i)) => (
            i.impl_token.span,
            format!("`errspec::errors` goes on an enum, not an impl block: {fill}"),
        ),
        Ok(syn::Item::Mod(m)) => (
            m.mod_token.span,
            format!("`errspec::errors` goes on an enum, not a module: {fill}"),
        ),
        _ => (
            Span::call_site(),
            "`errspec::errors` goes on an enum: an empty one, or one holding your own variants"
                .to_owned(),
        ),
    };
    syn::Error::new(span, message)
}

fn user_variant(mut variant: Variant, errors: &mut Errors) -> Option<UserVariant> {
    let mut message: Option<LitStr> = None;
    let mut policy = RetryPolicy::Never;
    let mut ok = true;
    for attr in variant
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("errspec"))
    {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("message") {
                message = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("retry") {
                let lit: LitStr = meta.value()?.parse()?;
                match RetryPolicy::from_spelling(&lit.value()) {
                    Some(p) => policy = p,
                    None => errors.push(syn::Error::new(
                        lit.span(),
                        format!(
                            "unknown retry policy `{}`; expected one of {}",
                            lit.value(),
                            policies("`", "`, `", "`")
                        ),
                    )),
                }
                Ok(())
            } else {
                Err(meta.error(format_args!(
                    "unknown key in `#[errspec(...)]` on a variant; expected `message = \"...\"` \
                     or `retry = {}`",
                    policies("\"", "\" | \"", "\"")
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
            ok = false;
        }
    }
    variant.attrs.retain(|a| !a.path().is_ident("errspec"));
    if let Some((_, discriminant)) = &variant.discriminant {
        errors.push(syn::Error::new(
            discriminant.span(),
            "variants of an `errspec::errors` enum cannot have explicit discriminants",
        ));
        ok = false;
    }
    let mut source = None;
    for (i, field) in variant.fields.iter_mut().enumerate() {
        let before = field.attrs.len();
        field.attrs.retain(|a| !a.path().is_ident("source"));
        if field.attrs.len() != before {
            if source.is_some() {
                errors.push(syn::Error::new(
                    field.span(),
                    "only one field of a variant can be its `#[source]`",
                ));
                ok = false;
            }
            source = Some(match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(i.into()),
            });
        }
    }
    let Some(message) = message else {
        errors.push(syn::Error::new(
            variant.ident.span(),
            format!(
                "variant `{}` needs a message: add `#[errspec(message = \"...\")]` (and \
                 optionally `retry = \"...\"`, default `never`)",
                variant.ident
            ),
        ));
        return None;
    };
    ok.then(|| UserVariant {
        variant,
        message: message.value(),
        policy,
        source,
    })
}

/// The retry policies' spellings, from `RetryPolicy::ALL`: `open`, each spelling separated by
/// `between`, `close`.
fn policies(open: &str, between: &str, close: &str) -> String {
    let spellings: Vec<&str> = RetryPolicy::ALL.iter().map(|(s, _)| *s).collect();
    format!("{open}{}{close}", spellings.join(between))
}
