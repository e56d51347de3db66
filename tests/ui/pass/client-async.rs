//! `async fn` and `-> impl Future<Output = Result<..>> + Send` methods retry on the
//! `Retrying`'s sleeper (tokio's paused clock here); the generated future of a `Send` method is
//! `Send`, so it can be spawned; `&mut self` async methods and forwarded futures work too.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use errspec::Retrying;

#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
trait Shop {
    /// Reads an item.
    #[errspec(idempotent)]
    async fn item(&self, id: u32) -> Result<String, ShopError>;

    /// Reads the stock, as a `Send` future.
    #[errspec(idempotent)]
    fn stock(&self, id: u32) -> impl Future<Output = Result<u32, ShopError>> + Send;

    /// Orders an item; not idempotent.
    async fn order(&mut self, name: String) -> Result<u32, ShopError>;

    /// Forwarded: not a `Result`.
    fn name(&self) -> impl Future<Output = String> + Send;
}

#[derive(Default)]
struct Fake {
    failures: AtomicU32,
    orders: Vec<String>,
}

impl Fake {
    /// Fails with 503 while `failures` lasts.
    fn attempt(&self) -> Result<(), ShopError> {
        match self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        {
            Ok(_) => Err(ShopError::from(
                errspec::http::StatusCode::SERVICE_UNAVAILABLE,
            )),
            Err(_) => Ok(()),
        }
    }
}

impl Shop for Fake {
    async fn item(&self, id: u32) -> Result<String, ShopError> {
        tokio::task::yield_now().await;
        self.attempt().map(|()| format!("item {id}"))
    }

    fn stock(&self, id: u32) -> impl Future<Output = Result<u32, ShopError>> + Send {
        let result = self.attempt().map(|()| id * 10);
        async move {
            tokio::task::yield_now().await;
            result
        }
    }

    async fn order(&mut self, name: String) -> Result<u32, ShopError> {
        self.attempt()?;
        self.orders.push(name);
        Ok(self.orders.len() as u32)
    }

    async fn name(&self) -> String {
        "fake".to_owned()
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let shop = Arc::new(Retrying::new(Fake {
        failures: AtomicU32::new(2),
        ..Fake::default()
    }));
    let start = tokio::time::Instant::now();
    // two 503s, waits of 100 ms and 200 ms on the paused clock
    let task = tokio::spawn({
        let shop = Arc::clone(&shop);
        async move { shop.stock(4).await }
    });
    assert_eq!(task.await.unwrap().unwrap(), 40);
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert_eq!(assert_send(shop.name()).await, "fake");

    shop.inner().failures.store(1, Ordering::SeqCst);
    assert_eq!(shop.item(1).await.unwrap(), "item 1");

    let mut shop = Arc::into_inner(shop).unwrap();
    shop.inner().failures.store(1, Ordering::SeqCst);
    assert!(
        shop.order("lamp".to_owned()).await.is_err(),
        "503 is not retried when not idempotent"
    );
    assert_eq!(shop.order("lamp".to_owned()).await.unwrap(), 1);
    assert_eq!(start.elapsed(), Duration::from_millis(400));
}
