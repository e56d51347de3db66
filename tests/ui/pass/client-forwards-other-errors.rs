//! A method whose error is no `StatusError` is forwarded: called once, its arguments moved
//! (so they need not be `Clone`), its error returned as is. Methods with a `StatusError` error
//! in the same trait are still retried.

use std::sync::atomic::{AtomicU32, Ordering};

use errspec::http::StatusCode;

#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {}

/// Not `Clone`.
pub struct Upload(Vec<u8>);

#[errspec::client(error = SmallError)]
pub trait Store {
    fn upload(&self, body: Upload) -> Result<usize, String>;
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>>;
    fn fetch(&self, id: u32) -> Result<u32, SmallError>;
}

struct Fake {
    calls: AtomicU32,
}

impl Fake {
    fn call(&self) -> u32 {
        self.calls.fetch_add(1, Ordering::Relaxed) + 1
    }
}

impl Store for Fake {
    fn upload(&self, body: Upload) -> Result<usize, String> {
        self.call();
        Err(format!("refused {} bytes", body.0.len()))
    }
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.call();
        Err(std::io::Error::other(format!("no {path}")))
    }
    fn fetch(&self, id: u32) -> Result<u32, SmallError> {
        if self.call() < 3 { Err(StatusCode::TOO_MANY_REQUESTS.into()) } else { Ok(id) }
    }
}

fn main() {
    let store = errspec::Retrying::new(Fake { calls: AtomicU32::new(0) }).with_retrier(
        errspec::Retrier::new(SmallError::retry_config()).with_sleeper(errspec::ThreadSleeper),
    );
    assert_eq!(store.upload(Upload(vec![1, 2, 3])), Err("refused 3 bytes".to_owned()));
    assert_eq!(store.inner().calls.load(Ordering::Relaxed), 1);
    assert_eq!(store.read("a").unwrap_err().to_string(), "no a");
    assert_eq!(store.inner().calls.load(Ordering::Relaxed), 2);
    store.inner().calls.store(0, Ordering::Relaxed);
    assert_eq!(store.fetch(7).unwrap(), 7);
    assert_eq!(store.inner().calls.load(Ordering::Relaxed), 3, "429 is retried: two failures, then the answer");
}
