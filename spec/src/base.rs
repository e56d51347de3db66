//! The built-in `http` base spec, read once: what `extends = "http"` inherits and where the
//! IANA names and reason phrases of known codes come from.

use std::sync::OnceLock;

use crate::HTTP_SPEC;
use crate::diag::Ctxt;
use crate::raw::RawSpec;

/// `spec/http.toml`, read (not resolved). A test checks that it has no problems; were it ever
/// to have some, they would show as missing names, never as a panic.
pub(crate) fn http() -> &'static RawSpec {
    static HTTP: OnceLock<RawSpec> = OnceLock::new();
    HTTP.get_or_init(|| {
        let mut cx = Ctxt::new(HTTP_SPEC, "http.toml");
        crate::syntax::read(HTTP_SPEC, &mut cx)
    })
}
