//! `Retrying<C>`: the client wrapper generated client impls run under.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use common::{TEST_MAX_ATTEMPTS, TestError};
use errspec::{BudgetConfig, Idempotency, Jitter, Retrier, RetryConfig, RetryPolicy, Retrying};
use errspec_test_support::{RecordingSleeper, block_on};

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
        self.run_blocking(Idempotency::Idempotent, || self.inner().get())
    }

    async fn get_async(&self) -> Result<u32, TestError> {
        self.run(Idempotency::Idempotent, || self.inner().get_async())
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
fn each_call_runs_under_its_error_types_config() {
    let sleeper = RecordingSleeper::new();
    let client = Retrying::new(Flaky {
        failures: u32::MAX,
        ..Flaky::default()
    })
    .with_sleeper(sleeper.clone());
    assert!(client.retrier().is_none());
    assert!(client.get().is_err());
    assert_eq!(
        client.inner().calls.load(Ordering::SeqCst),
        TEST_MAX_ATTEMPTS,
        "TestError::retry_config() says {TEST_MAX_ATTEMPTS} attempts"
    );
    assert_eq!(sleeper.sleeps().len(), TEST_MAX_ATTEMPTS as usize - 1);
    assert_eq!(
        client.retrier_for::<TestError>().config().max_attempts,
        TEST_MAX_ATTEMPTS
    );
}

#[test]
fn with_retrier_overrides_the_error_types_config() {
    let client = Retrying::new(Flaky {
        failures: u32::MAX,
        ..Flaky::default()
    })
    .with_retrier(quick());
    assert_eq!(client.retrier_for::<TestError>().config().max_attempts, 4);
    assert!(client.get().is_err());
    assert_eq!(client.inner().calls.load(Ordering::SeqCst), 4);
}

#[test]
fn clones_share_the_retrier_and_its_budget() {
    let client = Retrying::new(Flaky::default());
    // A clone made before the retrier is set shares it all the same.
    let clone = client.clone();
    let client = client.with_retrier(
        Retrier::new(RetryConfig::new().with_budget(Some(BudgetConfig::new(0.0, 1))))
            .with_sleeper(RecordingSleeper::new()),
    );
    let budget = clone.retrier().unwrap().budget().unwrap().clone();
    assert!((0..10).all(|_| budget.try_withdraw()));
    assert!(!client.retrier().unwrap().budget().unwrap().try_withdraw());
    assert!(
        !client
            .retrier_for::<TestError>()
            .budget()
            .unwrap()
            .try_withdraw()
    );
}

#[test]
fn calls_under_their_error_types_config_share_a_budget() {
    #[derive(Debug)]
    struct Budgeted(TestError);
    impl std::fmt::Display for Budgeted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt(f)
        }
    }
    impl std::error::Error for Budgeted {}
    impl errspec::StatusError for Budgeted {
        fn status(&self) -> Option<http::StatusCode> {
            self.0.status()
        }
        fn policy(&self) -> RetryPolicy {
            self.0.policy()
        }
        fn retry_after(&self) -> Option<std::time::Duration> {
            self.0.retry_after()
        }
        fn hint(&self) -> Option<&'static str> {
            None
        }
        fn retry_config() -> RetryConfig {
            RetryConfig::new().with_budget(Some(BudgetConfig::new(0.0, 1)))
        }
        fn from_parts(
            status: http::StatusCode,
            headers: &http::HeaderMap,
            body: Option<&[u8]>,
        ) -> Self {
            Self(TestError::from_parts(status, headers, body))
        }
    }
    let client = Retrying::new(());
    let clone = client.clone();
    let budget = client.retrier_for::<Budgeted>().budget().unwrap().clone();
    assert!((0..10).all(|_| budget.try_withdraw()));
    // Another call, from a clone: the same budget, now spent.
    assert!(
        !clone
            .retrier_for::<Budgeted>()
            .budget()
            .unwrap()
            .try_withdraw()
    );
    // TestError's spec has no budget.
    assert!(client.retrier_for::<TestError>().budget().is_none());
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
