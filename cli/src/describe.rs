//! Spec values in words, shared by `explain` and `docs`. What a policy, jitter or format means
//! is errspec-core's (`describe()`), so the command, the generated rustdoc and the runtime say
//! the same.

use core::time::Duration;

use errspec_spec::WaitField;

/// A duration as a spec would write it: `100ms`, `20s`, `2m`.
pub(crate) fn duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// `` `retry-after` (http), `x-reset` (unix) ``, or "none".
pub(crate) fn wait_headers(headers: &[WaitField]) -> String {
    if headers.is_empty() {
        return "none".to_owned();
    }
    let named: Vec<String> = headers.iter().map(ToString::to_string).collect();
    named.join(", ")
}

/// Each wait source with exactly what its format accepts: `` `retry-after` (RFC 9110 ...) ``,
/// `` the JSON body's `/retry_after` (a delay in seconds ...) ``.
pub(crate) fn sources(headers: &[WaitField]) -> Vec<String> {
    headers
        .iter()
        .map(|h| match (h.header_name(), h.body_pointer()) {
            (Some(name), _) => format!("`{name}` ({})", h.format.describe()),
            (None, pointer) => format!(
                "the JSON body's `{}` ({})",
                pointer.unwrap_or_default(),
                h.format.describe()
            ),
        })
        .collect()
}
