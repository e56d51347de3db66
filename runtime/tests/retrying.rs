//! `Retrying<C>`: the client wrapper generated client impls run under.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use common::{RecordingSleeper, TEST_MAX_ATTEMPTS, TestError, block_on};
use errspec::{BudgetConfig, Jitter, Retrier, RetryConfig, RetryPolicy, Retrying};

/// A client whose calls fail with a 503 a set number of times.
#[derive(Debug, Default)]
struct Flaky {
    failures: u32,
    calls: AtomicU32,
}

impl Clone for Flaky {
    fn clone(&self) -> Self {
        Self {
            failures: self.failures,
            calls: AtomicU32::new(self.calls.load(Ordering::SeqCst)),
        }
    }
}

trait Api {
    fn get(&self) -> Result<u32, TestError>;
    async fn get_async(&self) -> Result<u32, TestError>;
}

impl Api for Flaky {
    fn get(&self) -> Result<u32, TestError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.failures {
            Err(TestError::new(503, RetryPolicy::Idempotent).id(n))
        } else {
            Ok(n)
        }
    }

    async fn get_async(&self) -> Result<u32, TestError> {
        self.get()
    }
}

/// What `#[errspec::client]` generates, written by hand.
impl<C: Api + Send + Sync> Api for Retrying<C> {
    fn get(&self) -> Result<u32, TestError> {
        self.__retrier::<TestError>()
            .run_blocking(true, || self.inner().get())
    }

    async fn get_async(&self) -> Result<u32, TestError> {
        self.__retrier::<TestError>()
            .run(true, || self.inner().get_async())
            .await
    }
}

fn quick() -> Retrier {
    Retrier::new(
        RetryConfig::new()
            .with_jitter(Jitter::None)
            .with_max_attempts(4),
    )
    .with_sleeper(RecordingSleeper::new())
}

#[test]
fn calls_retry_under_the_retrier() {
    let client = Retrying::new(Flaky {
        failures: 2,
        ..Flaky::default()
    })
    .with_retrier(quick());
    assert_eq!(client.get(), Ok(3));
    let client = Retrying::new(Flaky {
        failures: 2,
        ..Flaky::default()
    })
    .with_retrier(quick());
    assert_eq!(block_on(client.get_async()), Ok(3));
}

#[test]
fn the_retrier_comes_from_the_error_type_on_first_use() {
    let client = Retrying::new(Flaky::default());
    assert!(client.retrier().is_none());
    let first: *const Retrier = client.__retrier::<TestError>();
    assert_eq!(
        client.retrier().unwrap().config().max_attempts,
        TEST_MAX_ATTEMPTS
    );
    // Made once.
    assert!(std::ptr::eq(first, client.__retrier::<TestError>()));
}

#[test]
fn with_retrier_overrides_the_error_types_config() {
    let client = Retrying::new(Flaky::default()).with_retrier(quick());
    assert_eq!(client.__retrier::<TestError>().config().max_attempts, 4);
}

#[test]
fn clones_share_the_retrier_and_its_budget() {
    let client = Retrying::new(Flaky::default()).with_retrier(
        Retrier::new(RetryConfig::new().with_budget(Some(BudgetConfig::new(0.0, 1))))
            .with_sleeper(RecordingSleeper::new()),
    );
    let clone = client.clone();
    assert!(std::ptr::eq(
        client.__retrier::<TestError>(),
        clone.__retrier::<TestError>()
    ));
    let budget = clone.retrier().unwrap().budget().unwrap();
    assert!((0..10).all(|_| budget.try_withdraw()));
    assert!(!client.retrier().unwrap().budget().unwrap().try_withdraw());

    // Clones made before the first call share the retrier made by that call.
    let lazy = Retrying::new(Flaky::default());
    let lazy_clone = lazy.clone();
    assert!(std::ptr::eq(
        lazy.__retrier::<TestError>(),
        lazy_clone.__retrier::<TestError>()
    ));
}

#[test]
fn the_client_comes_back() {
    let mut client = Retrying::new(Flaky {
        failures: 5,
        ..Flaky::default()
    });
    assert_eq!(client.inner().failures, 5);
    client.inner_mut().failures = 1;
    assert_eq!(client.into_inner().failures, 1);
}

#[test]
fn debug_send_and_sync() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Retrying<Flaky>>();
    let client = Retrying::new(Flaky::default());
    let debug = format!("{client:?}");
    assert!(debug.starts_with("Retrying { inner: Flaky"), "{debug}");
}
