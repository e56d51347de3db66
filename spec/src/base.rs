//! The specs `extends` can name, read once: `http` (every IANA status, and where the IANA
//! names and reason phrases of known codes come from) and the shipped specs of well-known APIs.

use std::sync::OnceLock;

use crate::diag::Ctxt;
use crate::raw::{RawSpec, RawStatus};
use crate::shipped::SHIPPED;

/// The shipped spec `name`, read (not resolved). A test checks that each has no problems;
/// were one ever to have some, they would show as missing values, never as a panic.
pub(crate) fn shipped(name: &str) -> Option<&'static RawSpec> {
    static READ: [OnceLock<RawSpec>; 6] = [const { OnceLock::new() }; 6];
    let index = SHIPPED.iter().position(|(n, _)| *n == name)?;
    let (name, text) = SHIPPED.get(index)?;
    Some(READ.get(index)?.get_or_init(|| {
        let file = format!("{name}.toml");
        let mut cx = Ctxt::new(text, &file);
        crate::syntax::read(text, &mut cx)
    }))
}

/// `spec/http.toml`, read: the IANA registry.
pub(crate) fn http() -> &'static RawSpec {
    static EMPTY: OnceLock<RawSpec> = OnceLock::new();
    shipped("http").unwrap_or_else(|| EMPTY.get_or_init(RawSpec::default))
}

/// What a spec inherits through `extends`: the specs it extends, nearest first (`github`, then
/// the `http` that `github` extends). Empty without `extends`.
pub(crate) struct Base {
    /// The name `extends` gives.
    pub(crate) name: Option<String>,
    pub(crate) layers: Vec<&'static RawSpec>,
}

impl Base {
    pub(crate) fn of(spec: &RawSpec) -> Base {
        let name = spec
            .api
            .as_ref()
            .and_then(|api| api.extends.value())
            .cloned();
        let mut layers: Vec<&'static RawSpec> = Vec::new();
        let mut next = name.clone();
        // Shipped specs extend at most `http`; the bound keeps a cycle from looping.
        while let Some(base) = next.as_deref().and_then(shipped) {
            if layers.len() == SHIPPED.len() || layers.iter().any(|l| std::ptr::eq(*l, base)) {
                break;
            }
            layers.push(base);
            next = base
                .api
                .as_ref()
                .and_then(|api| api.extends.value())
                .cloned();
        }
        Base { name, layers }
    }

    /// Each layer's `[status.code]`, nearest first.
    pub(crate) fn status(&self, code: u16) -> impl Iterator<Item = &RawStatus> {
        self.layers
            .iter()
            .filter_map(move |layer: &&'static RawSpec| -> Option<&RawStatus> {
                layer.status(code)
            })
    }

    /// Every code some layer lists, each once, sorted.
    pub(crate) fn codes(&self) -> Vec<u16> {
        let mut codes: Vec<u16> = self
            .layers
            .iter()
            .flat_map(|layer| layer.statuses.iter().map(|s| s.code))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}
