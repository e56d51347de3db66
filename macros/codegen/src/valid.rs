//! Checks between the spec and the user's enum, before anything is generated (thiserror's
//! `valid.rs`): every generated name is a Rust identifier, and none collides with a variant the
//! user wrote.

use errspec_spec::Spec;
use syn::Ident;

use crate::errors::Errors;
use crate::generated::Generated;
use crate::input::UserEnum;

/// Checks that the spec's names can be Rust identifiers and do not collide with the user's
/// variants; returns the generated variants' identifiers and the fallback's.
pub(crate) fn idents<'a>(
    user: &UserEnum,
    spec: &'a Spec,
    errors: &mut Errors,
) -> Option<(Vec<Generated<'a>>, Ident)> {
    let mut ok = true;
    let mut to_ident = |name: &str, what: &str| match syn::parse_str::<Ident>(name) {
        Ok(ident) => Some(ident),
        Err(_) => {
            errors.push(syn::Error::new(
                user.ident.span(),
                format!("{what} `{name}` from the spec is not a Rust identifier"),
            ));
            ok = false;
            None
        }
    };
    let mut generated: Vec<Generated<'a>> = Vec::new();
    for status in &spec.statuses {
        // a success status is no error: only its cases are variants
        if !status.is_success()
            && let Some(ident) = to_ident(&status.name, "variant name")
        {
            generated.push(Generated {
                status,
                case: None,
                ident,
            });
        }
        for case in &status.cases {
            if let Some(ident) = to_ident(&case.name, "case name") {
                generated.push(Generated {
                    status,
                    case: Some(case),
                    ident,
                });
            }
        }
    }
    let fallback = to_ident(&spec.fallback, "fallback name");
    if let Some(transport) = &spec.transport {
        to_ident(&transport.name, "transport variant name");
    }
    for v in &user.variants {
        let name = v.variant.ident.to_string();
        if let Some(g) = generated.iter().find(|g| g.name() == name) {
            let what = match g.case {
                Some(_) => format!("a case of status {}", g.status.code),
                None => format!("status {}", g.status.code),
            };
            errors.push(syn::Error::new(
                v.variant.ident.span(),
                format!(
                    "variant `{name}` is already generated from {what} of the spec; rename yours"
                ),
            ));
            ok = false;
        } else if spec.transport.as_ref().is_some_and(|t| t.name == name) {
            errors.push(syn::Error::new(
                v.variant.ident.span(),
                format!(
                    "variant `{name}` is already generated from the spec's `[transport]`; rename \
                     yours, or set `name = \"...\"` in `[transport]`"
                ),
            ));
            ok = false;
        } else if name == spec.fallback {
            errors.push(syn::Error::new(
                v.variant.ident.span(),
                format!(
                    "variant `{name}` is already generated as the spec's fallback for unlisted \
                     statuses; rename yours, or set `fallback = \"...\"` in the spec's `[api]`"
                ),
            ));
            ok = false;
        }
    }
    match (ok, fallback) {
        (true, Some(fallback)) => Some((generated, fallback)),
        _ => None,
    }
}
