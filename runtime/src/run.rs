//! Running calls under a [`Retrier`]: `run`, `run_blocking`, `attempts`, and the shorthands
//! `retry` and `retry_blocking`. Apart from `retrier.rs`, so that the engine's settings do not
//! import the call's state (`attempts/`), which reads them.

use core::future::Future;
use core::ops::ControlFlow;

use crate::attempts::{Attempts, RetrierRef};
use crate::{Idempotency, Retrier, RetryConfig, StatusError};

impl Retrier {
    /// Runs `f` until it succeeds or the engine stops (see [`Retrier`]), sleeping on the
    /// sleeper between attempts. `idempotency` says whether the request may safely be repeated
    /// ([`Idempotency`], or a `bool`; see [`is_idempotent`](crate::is_idempotent)). The first attempt waits for the server's
    /// hold, if one lasts (see [`Retrier`]).
    ///
    /// The future is `Send` when `f` and its futures are, and does not need them to be.
    pub async fn run<T, E, F, Fut>(
        &self,
        idempotency: impl Into<Idempotency>,
        mut f: F,
    ) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempts = self.attempts(idempotency);
        if !attempts.ready_now() {
            attempts.ready::<E>().await?;
        }
        loop {
            let result = attempts.observing(f()).await;
            match attempts.after(result) {
                ControlFlow::Break(result) => return result,
                ControlFlow::Continue(wait) => attempts.sleep(wait).await,
            }
        }
    }

    /// Like [`run`](Self::run) for a blocking operation: waits with
    /// [`Sleeper::sleep_blocking`](crate::Sleeper::sleep_blocking), blocking the thread.
    ///
    /// ```
    /// # #[derive(Debug)] struct MyError;
    /// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("400") } }
    /// # impl std::error::Error for MyError {}
    /// # impl errspec::StatusError for MyError {
    /// #     fn status(&self) -> Option<errspec::http::StatusCode> { Some(errspec::http::StatusCode::BAD_REQUEST) }
    /// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Never }
    /// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
    /// #     fn hint(&self) -> Option<&'static str> { None }
    /// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
    /// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
    /// # }
    /// use errspec::{Retrier, RetryConfig};
    ///
    /// let retrier = Retrier::new(RetryConfig::new());
    /// let mut calls = 0;
    /// let result: Result<(), MyError> = retrier.run_blocking(true, || {
    ///     calls += 1;
    ///     Err(MyError) // policy "never": returned at once
    /// });
    /// assert!(result.is_err());
    /// assert_eq!(calls, 1);
    /// ```
    pub fn run_blocking<T, E, F>(
        &self,
        idempotency: impl Into<Idempotency>,
        mut f: F,
    ) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Result<T, E>,
    {
        let mut attempts = self.attempts(idempotency);
        attempts.ready_blocking::<E>()?;
        loop {
            let result = attempts.observing_blocking(&mut f);
            match attempts.after(result) {
                ControlFlow::Break(result) => return result,
                ControlFlow::Continue(wait) => attempts.sleep_blocking(wait),
            }
        }
    }

    /// The state of one call across its attempts, for code that drives its own loop (as
    /// `#[errspec::client]` generates): feed each attempt's result to [`Attempts::after`],
    /// which says whether to return or how long to wait before the next attempt. A first
    /// attempt is counted against the budget here.
    ///
    /// ```
    /// # #[derive(Debug)] struct MyError;
    /// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("503") } }
    /// # impl std::error::Error for MyError {}
    /// # impl errspec::StatusError for MyError {
    /// #     fn status(&self) -> Option<errspec::http::StatusCode> { Some(errspec::http::StatusCode::SERVICE_UNAVAILABLE) }
    /// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Idempotent }
    /// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
    /// #     fn hint(&self) -> Option<&'static str> { None }
    /// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
    /// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
    /// # }
    /// use std::ops::ControlFlow;
    /// use std::time::Duration;
    /// use errspec::{Jitter, Retrier, RetryConfig};
    ///
    /// let retrier = Retrier::new(RetryConfig::new().with_jitter(Jitter::None));
    /// let mut attempts = retrier.attempts(true);
    /// let first: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(first), ControlFlow::Continue(d) if d == Duration::from_millis(100)));
    /// let second: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(second), ControlFlow::Continue(d) if d == Duration::from_millis(200)));
    /// let third: Result<(), MyError> = Err(MyError);
    /// assert!(matches!(attempts.after(third), ControlFlow::Break(Err(MyError)))); // max_attempts = 3
    /// ```
    pub fn attempts(&self, idempotency: impl Into<Idempotency>) -> Attempts<'_> {
        Attempts::new(RetrierRef::Borrowed(self), idempotency.into(), "", 0)
    }
}

/// Runs `f` under a [`Retrier`] with the default [`RetryConfig`] and sleeper: the shorthand for
/// `Retrier::new(RetryConfig::default()).run(idempotency, f)`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # #[derive(Debug)] struct MyError;
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("e") } }
/// # impl std::error::Error for MyError {}
/// # impl errspec::StatusError for MyError {
/// #     fn status(&self) -> Option<errspec::http::StatusCode> { None }
/// #     fn policy(&self) -> errspec::RetryPolicy { errspec::RetryPolicy::Never }
/// #     fn retry_after(&self) -> Option<std::time::Duration> { None }
/// #     fn hint(&self) -> Option<&'static str> { None }
/// #     fn retry_config() -> errspec::RetryConfig { errspec::RetryConfig::new() }
/// #     fn from_parts(_: errspec::http::StatusCode, _: &errspec::http::HeaderMap, _: Option<&[u8]>) -> Self { MyError }
/// # }
/// let value = errspec::retry(true, || async { Ok::<_, MyError>(42) }).await;
/// assert_eq!(value.unwrap(), 42);
/// # }
/// ```
pub async fn retry<T, E, F, Fut>(idempotency: impl Into<Idempotency>, f: F) -> Result<T, E>
where
    E: StatusError,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    Retrier::new(RetryConfig::default())
        .run(idempotency, f)
        .await
}

/// Runs blocking `f` under a [`Retrier`] with the default [`RetryConfig`] and sleeper: the
/// shorthand for `Retrier::new(RetryConfig::default()).run_blocking(idempotency, f)`.
pub fn retry_blocking<T, E, F>(idempotency: impl Into<Idempotency>, f: F) -> Result<T, E>
where
    E: StatusError,
    F: FnMut() -> Result<T, E>,
{
    Retrier::new(RetryConfig::default()).run_blocking(idempotency, f)
}
