//! Retry settings: the spec's defaults are the runtime's, the generated `retry_config()`
//! carries every `[retry]` key, and a client whose methods return two error types retries
//! each call under its own type's settings, whatever the order of the calls.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use errspec::{RetryConfig, Retrying};
use errspec_test_support::RecordingSleeper;

/// 4 attempts, 5xx idempotent (see `specs/client-shop.toml`).
#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

/// 2 attempts, 5xx idempotent by default (see `specs/two-attempts.toml`).
#[errspec::errors(spec = "specs/two-attempts.toml")]
#[derive(Debug)]
pub enum OtherError {}

/// Every `[retry]` key away from its default.
#[errspec::errors(spec = "specs/retry-all.toml")]
#[derive(Debug)]
pub enum AllSettingsError {}

/// Nothing but `[api] name`.
#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {}

fn load(spec: &str) -> errspec_spec::Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
    errspec_spec::load(&path, spec).unwrap_or_else(|e| panic!("{e}"))
}

/// The top-level fields of a `{:#?}` of a struct, each with its printed value.
fn fields(debug: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in debug.lines().skip(1) {
        let top_level = line.starts_with("    ") && !line.starts_with("     ");
        match line.trim_start().split_once(": ") {
            Some((name, value)) if top_level => fields.push((name.to_owned(), value.to_owned())),
            _ => {
                if let Some((_, value)) = fields.last_mut() {
                    value.push_str(line.trim());
                }
            }
        }
    }
    fields
}

#[test]
fn a_spec_without_retry_has_the_runtimes_defaults_in_every_field() {
    // one struct, so `==` compares every field there is
    assert_eq!(load("specs/small.toml").retry, RetryConfig::new());
    assert_eq!(SmallError::retry_config(), RetryConfig::new());
}

#[test]
fn the_generated_retry_config_carries_every_key() {
    let spec = load("specs/retry-all.toml");
    assert_eq!(AllSettingsError::retry_config(), spec.retry);
    // ... and the spec sets every field away from its default, so the comparison above would
    // see a field that codegen left out.
    let defaults = fields(&format!("{:#?}", RetryConfig::new()));
    let written = fields(&format!("{:#?}", spec.retry));
    assert!(defaults.len() >= 9, "{defaults:?}");
    assert_eq!(
        defaults.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        written.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    for ((name, default), (_, value)) in defaults.iter().zip(&written) {
        assert_ne!(
            default, value,
            "specs/retry-all.toml leaves `{name}` at its default: set it, so that the \
             generated retry_config() is checked for it"
        );
    }
}

#[errspec::client(error = ShopError)]
trait TwoErrors {
    #[errspec(idempotent)]
    fn shop(&self) -> Result<u32, ShopError>;
    #[errspec(idempotent)]
    fn other(&self) -> Result<u32, OtherError>;
}

/// Every attempt fails with a 503; counts attempts per method (clones share the counts).
#[derive(Clone, Default)]
struct Down {
    shop: Arc<AtomicU32>,
    other: Arc<AtomicU32>,
}

impl TwoErrors for Down {
    fn shop(&self) -> Result<u32, ShopError> {
        self.shop.fetch_add(1, Ordering::SeqCst);
        Err(errspec::http::StatusCode::SERVICE_UNAVAILABLE.into())
    }

    fn other(&self) -> Result<u32, OtherError> {
        self.other.fetch_add(1, Ordering::SeqCst);
        Err(errspec::http::StatusCode::SERVICE_UNAVAILABLE.into())
    }
}

fn attempts(client: &Retrying<Down>) -> (u32, u32) {
    let inner = client.inner();
    (
        inner.shop.load(Ordering::SeqCst),
        inner.other.load(Ordering::SeqCst),
    )
}

#[test]
fn each_call_runs_under_its_own_error_types_settings_whatever_the_order() {
    let shop_first = Retrying::new(Down::default()).with_sleeper(RecordingSleeper::real());
    shop_first.shop().unwrap_err();
    shop_first.other().unwrap_err();

    let other_first = Retrying::new(Down::default()).with_sleeper(RecordingSleeper::real());
    other_first.other().unwrap_err();
    other_first.shop().unwrap_err();

    assert_eq!(
        attempts(&shop_first),
        (4, 2),
        "4 from client-shop.toml, 2 from two-attempts.toml"
    );
    assert_eq!(
        attempts(&other_first),
        (4, 2),
        "the same in the other order"
    );
    // and again on clones, which share the client
    let clone = shop_first.clone();
    clone.other().unwrap_err();
    clone.shop().unwrap_err();
    assert_eq!(attempts(&shop_first), (8, 4));
}
