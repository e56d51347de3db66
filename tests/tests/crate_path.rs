//! `crate = path`: both attributes, with errspec reached through a re-export, as a crate that
//! re-exports errspec (or renames it in Cargo.toml) reaches it. Every path of the expansions
//! goes through `reexport::inner`; errspec-codegen's `crate_path` test checks that no
//! `::errspec` is left in them.

use std::sync::atomic::{AtomicU32, Ordering};

mod reexport {
    pub use errspec as inner;
}

use reexport::inner::{RetryPolicy, Retrying, StatusError};

#[reexport::inner::errors(spec = "specs/small.toml", crate = reexport::inner)]
#[derive(Debug)]
pub enum SmallError {}

#[reexport::inner::client(spec = "specs/client-shop.toml", crate = reexport::inner)]
trait Shop {
    fn item(&self, id: u32) -> Result<String, ShopError>;
}

#[reexport::inner::client(error = SmallError, crate = "reexport::inner")]
trait Small {
    fn find(&self) -> Result<u32, SmallError>;
}

/// Answers 409 (retried `always`) until `fail` attempts have gone, then the item.
struct Client {
    attempts: AtomicU32,
    fail: u32,
}

impl Shop for Client {
    fn item(&self, id: u32) -> Result<String, ShopError> {
        if self.attempts.fetch_add(1, Ordering::SeqCst) < self.fail {
            return Err(ShopError::from(reexport::inner::http::StatusCode::CONFLICT));
        }
        Ok(format!("item {id}"))
    }
}

impl Small for Client {
    fn find(&self) -> Result<u32, SmallError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        Err(SmallError::from(
            reexport::inner::http::StatusCode::NOT_FOUND,
        ))
    }
}

#[test]
fn errors_expand_through_the_path() {
    let e = SmallError::from(reexport::inner::http::StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(e, SmallError::TooManyRequests { .. }));
    assert_eq!(e.policy(), RetryPolicy::AfterHeader);
    assert_eq!(e.to_string(), "429 Too Many Requests: slow down");
    assert_eq!(SmallError::STATUSES.len(), 2);
}

#[test]
fn clients_retry_through_the_path() {
    let shop = Retrying::new(Client {
        attempts: AtomicU32::new(0),
        fail: 1,
    });
    assert_eq!(shop.item(7).unwrap(), "item 7");
    assert_eq!(shop.inner().attempts.load(Ordering::SeqCst), 2);

    let small = Retrying::new(Client {
        attempts: AtomicU32::new(0),
        fail: 0,
    });
    let e = small.find().unwrap_err();
    assert!(matches!(e, SmallError::NotFound { .. }));
    assert_eq!(small.inner().attempts.load(Ordering::SeqCst), 1);
}
