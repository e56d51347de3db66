//! `client(spec = "...")` generates the error enum beside the trait, named from the spec and
//! with the trait's visibility; sync `&self` and `&mut self` methods retry by the spec's
//! settings, `#[errspec(idempotent)]` decides which failures retry, and a one-argument
//! `Result<T>` alias means the generated error.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use errspec::{Retrier, Retrying, StatusError};

/// A user's own `Result` alias in scope must not confuse the expansion.
type Result<T, E = ShopError> = std::result::Result<T, E>;

/// Another API's errors, behind a one-argument alias of their own.
mod small {
    #[errspec::errors(spec = "specs/small.toml")]
    #[derive(Debug)]
    pub enum SmallError {}

    pub type Result<T> = std::result::Result<T, SmallError>;
}

#[errspec::client(spec = "specs/client-shop.toml")]
pub trait Shop {
    /// Reads an item.
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> Result<String>;

    /// Creates an item.
    fn create(&mut self, name: String) -> std::result::Result<u32, ShopError>;

    /// Attempts so far.
    fn attempts(&self) -> u32;

    /// Fails with the other API's errors, through its alias.
    #[errspec(idempotent)]
    fn small(&self) -> small::Result<u32>;
}

/// Fails with the scripted statuses, then succeeds.
#[derive(Default)]
struct Fake {
    script: Mutex<Vec<u16>>,
    attempts: AtomicU32,
    created: Vec<String>,
}

impl Fake {
    fn attempt(&self) -> Result<u32> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        let mut script = self.script.lock().unwrap();
        if script.is_empty() {
            return Ok(n);
        }
        let code = script.remove(0);
        Err(ShopError::from(
            errspec::http::StatusCode::from_u16(code).unwrap(),
        ))
    }
}

impl Shop for Fake {
    fn item(&self, id: u32) -> Result<String> {
        self.attempt().map(|n| format!("item {id}, attempt {n}"))
    }

    fn create(&mut self, name: String) -> Result<u32> {
        let n = self.attempt()?;
        self.created.push(name);
        Ok(n)
    }

    fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }

    fn small(&self) -> small::Result<u32> {
        self.attempt().map_err(|e| {
            let status = errspec::StatusError::status(&e).unwrap();
            small::SmallError::from(status)
        })
    }
}

fn main() {
    // the generated enum, from the spec
    assert_eq!(ShopError::STATUSES.len(), 4);
    let e = ShopError::from(errspec::http::StatusCode::NOT_FOUND);
    assert!(matches!(e, ShopError::NotFound { .. }));
    assert!(format!("{e:?}").contains("NotFound"));
    assert_eq!(ShopError::retry_config().max_attempts, 4);

    // no real waits: the spec's settings without backoff
    let retrier = Retrier::new(ShopError::retry_config().with_initial_backoff(Default::default()));
    let mut shop = Retrying::new(Fake::default()).with_retrier(retrier);

    // idempotent: 503 retries, up to the spec's 4 attempts
    *shop.inner().script.lock().unwrap() = vec![503, 503];
    assert_eq!(shop.item(7).unwrap(), "item 7, attempt 3");
    *shop.inner().script.lock().unwrap() = vec![503; 9];
    assert!(matches!(
        shop.item(7),
        Err(ShopError::ServiceUnavailable { .. })
    ));
    assert_eq!(shop.attempts(), 3 + 4);

    // not idempotent: 503 is returned at once, 409 ("always") is retried
    *shop.inner().script.lock().unwrap() = vec![503];
    let err = shop.create("lamp".to_owned()).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(shop.attempts(), 8);
    *shop.inner().script.lock().unwrap() = vec![409, 409];
    assert_eq!(shop.create("lamp".to_owned()).unwrap(), 11);
    assert_eq!(shop.inner().created, ["lamp"]);

    // the alias's own error decides: 429 ("after-header" in small.toml) retries, 404 does not
    *shop.inner().script.lock().unwrap() = vec![429, 429];
    assert_eq!(shop.small().unwrap(), 14);
    *shop.inner().script.lock().unwrap() = vec![404, 429];
    assert!(matches!(shop.small(), Err(small::SmallError::NotFound { .. })));
    assert_eq!(shop.attempts(), 15);
}
