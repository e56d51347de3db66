//! `[[rate_limit.quota]]` and the count of a `remaining`: the readers of a quota's keys, and the
//! checks across them (the shorthand and the list not both, at most `MAX_QUOTAS`), and how they
//! resolve through `extends`.

use toml::de::DeValue;

use crate::diag::Ctxt;
use crate::keys::Place;
use crate::raw::{RawSpec, RawTable, Sp};
use crate::reader::{Reader, Value};
use crate::suggest::{clip, did_you_mean, one_of};
use crate::tables::Required;
use crate::{HTTP_METHODS, Quota, RateLimitConfig};

impl Reader<'_, '_, '_> {
    /// `[[rate_limit.quota]]`: each quota's table; each needs `remaining`.
    pub(crate) fn quotas(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<RawTable>>> {
        const REQUIRED: [Required; 1] = [(
            "remaining",
            |quota| quota.remaining.written(),
            "name the header that states the quota's requests left, e.g. `remaining = { name \
             = \"x-ratelimit-remaining\" }`",
        )];
        let expected = "an array of tables (`[[rate_limit.quota]]`)";
        self.tables(value, Place::Quota, (path, example, expected), &REQUIRED)
    }

    /// A quota's `methods = ["GET", "HEAD"]`: standard HTTP methods, uppercase (methods are
    /// case-sensitive), at least one.
    pub(crate) fn methods(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<Vec<String>>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.type_error(value, "an array of HTTP methods", path, example);
            return None;
        };
        if items.is_empty() {
            self.cx.error(
                value.span(),
                format!("`{path}` lists no method"),
                "list the HTTP methods the quota counts, e.g. `methods = [\"GET\", \"HEAD\"]`, \
                 or leave `methods` out to count every request",
            );
            return None;
        }
        let mut methods = Vec::new();
        let mut clean = true;
        for item in items {
            let Some(method) = self.string(item, path, example) else {
                clean = false;
                continue;
            };
            if HTTP_METHODS.contains(&method.value.as_str()) {
                if !methods.contains(&method.value) {
                    methods.push(method.value);
                }
                continue;
            }
            clean = false;
            let upper = method.value.to_ascii_uppercase();
            let help = if HTTP_METHODS.contains(&upper.as_str()) {
                format!(
                    "did you mean `{upper}`? HTTP methods are case-sensitive: write them uppercase"
                )
            } else if let Some(better) = did_you_mean(&method.value, HTTP_METHODS.iter().copied()) {
                format!(
                    "did you mean `{better}`? write one of {}",
                    one_of(HTTP_METHODS)
                )
            } else {
                format!("write one of {}", one_of(HTTP_METHODS))
            };
            self.cx.error(
                method.span,
                format!("unknown HTTP method `{}` in `{path}`", clip(&method.value)),
                help,
            );
        }
        clean.then(|| Sp::new(methods, value.span()))
    }
}

/// `[rate_limit]` gives the shorthand (`remaining`) or `[[rate_limit.quota]]`, not both, and at
/// most [`RateLimitConfig::MAX_QUOTAS`] quotas.
pub(crate) fn check(spec: &RawSpec, cx: &mut Ctxt<'_>) {
    let Some(limit) = &spec.rate_limit else {
        return;
    };
    let Some(quotas) = limit.quota.get() else {
        return;
    };
    if let Some(remaining) = limit.remaining.get() {
        cx.error(
            remaining.span.clone(),
            "`[rate_limit]` has both `remaining` and `[[rate_limit.quota]]`",
            "`remaining`/`reset` are the one-quota shorthand: move them into a \
             `[[rate_limit.quota]]` of their own, or leave the quotas out",
        );
    } else if let Some(reset) = limit.reset.get() {
        cx.error(
            reset.span.clone(),
            "`reset` in `[rate_limit]` is the shorthand's, and `[[rate_limit.quota]]` is given",
            "give each `[[rate_limit.quota]]` its own `reset`",
        );
    }
    if let Some(extra) = quotas.value.get(RateLimitConfig::MAX_QUOTAS) {
        cx.error(
            extra.span.clone(),
            format!(
                "`[rate_limit]` has {} quotas; at most {} are kept apart",
                quotas.value.len(),
                RateLimitConfig::MAX_QUOTAS
            ),
            "merge quotas that count the same requests, or leave the least tight out",
        );
    }
}

/// The quotas of `[rate_limit]`: the nearest layer's that says (its `[[rate_limit.quota]]`, or
/// its shorthand `remaining` with the nearest `reset`), so that a spec's quotas replace its
/// base's whole.
pub(crate) fn resolve(limit: &mut RateLimitConfig, tables: &[&RawTable]) {
    let Some(nearest) = tables
        .iter()
        .find(|t| t.quota.get().is_some() || t.remaining.get().is_some())
    else {
        return;
    };
    if let Some(remaining) = nearest.remaining.value() {
        limit.remaining = Some(remaining.name.clone().into());
        limit.remaining_format = remaining.format;
        limit.reset = tables.iter().find_map(|t| t.reset.value()).cloned();
        return;
    }
    for table in nearest.quota.value().into_iter().flatten() {
        let Some(remaining) = table.remaining.value() else {
            continue;
        };
        let quota = Quota::new(remaining.name.clone())
            .with_format(remaining.format)
            .with_reset(table.reset.value().cloned())
            .with_methods(table.methods.value().cloned().unwrap_or_default());
        limit.quotas.push(quota);
    }
}
