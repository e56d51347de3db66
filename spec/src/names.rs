//! The names a spec gives its variants when it does not say: the fallback's, the transport's,
//! and a status's (from its reason phrase). Checked by `valid`, used by `resolve`.

use crate::ident::upper_camel;
use crate::raw::{RawSpec, RawStatus};

/// The transport variant's name when `[transport] name` is not given.
pub(crate) const DEFAULT_TRANSPORT: &str = "Transport";

/// The fallback variant's name when `[api] fallback` is not given.
pub(crate) const DEFAULT_FALLBACK: &str = "Other";

/// The variant name of `code`: the first `name` of `tables` (the user's status, then each
/// base's, nearest first), else the IANA registry's (`http.toml` names every code it lists;
/// its reason phrase in UpperCamelCase would do too).
pub(crate) fn variant_name(tables: &[&RawStatus], http: &RawSpec, code: u16) -> Option<String> {
    let iana = http.status(code);
    let explicit = tables
        .iter()
        .copied()
        .chain(iana)
        .find_map(|s| s.table.name.value());
    explicit.cloned().or_else(|| {
        iana.and_then(|s| s.table.reason.value())
            .map(|r| upper_camel(r))
    })
}
