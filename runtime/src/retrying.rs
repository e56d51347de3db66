//! A client wrapped with its retry engine.

use std::sync::{Arc, OnceLock};

use crate::{Retrier, StatusError};

/// A client `C` with the [`Retrier`] its calls retry under.
///
/// `#[errspec::client]` implements the user's client trait for `Retrying<C>`, each method running
/// the inner client's method under the retrier. `Retrying::new(client)` takes the retry settings
/// from the error type's `retry_config()` (that is, from the spec) when the first call is made;
/// [`with_retrier`](Self::with_retrier) sets the engine explicitly.
///
/// Clones share the retrier, and so its retry budget. A trait whose methods return two
/// different error types still has one retrier: its settings come from the error type of the
/// first method called, so set one with `with_retrier` in that case.
///
/// ```
/// use errspec::{Retrier, RetryConfig, Retrying};
///
/// struct HttpClient { base: &'static str }
///
/// let client = Retrying::new(HttpClient { base: "https://example.com" })
///     .with_retrier(Retrier::new(RetryConfig::new().with_max_attempts(5)));
/// assert_eq!(client.inner().base, "https://example.com");
/// assert_eq!(client.retrier().unwrap().config().max_attempts, 5);
/// let client: HttpClient = client.into_inner();
/// # let _ = client.base;
/// ```
#[derive(Debug, Clone)]
pub struct Retrying<C> {
    inner: C,
    retrier: Arc<OnceLock<Retrier>>,
}

impl<C> Retrying<C> {
    /// Wraps `inner`; the retrier is made from the error type's `retry_config()` on first use.
    pub fn new(inner: C) -> Self {
        Self {
            inner,
            retrier: Arc::new(OnceLock::new()),
        }
    }

    /// Retries under `retrier` instead of the error type's defaults. This wrapper and clones made
    /// from it afterwards share `retrier`; earlier clones keep theirs.
    #[must_use]
    pub fn with_retrier(mut self, retrier: Retrier) -> Self {
        self.retrier = Arc::new(OnceLock::from(retrier));
        self
    }

    /// The wrapped client.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The wrapped client, mutably.
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// Unwraps the client.
    pub fn into_inner(self) -> C {
        self.inner
    }

    /// The retrier, once set by [`with_retrier`](Self::with_retrier) or made by a first call.
    pub fn retrier(&self) -> Option<&Retrier> {
        self.retrier.get()
    }

    /// Not public API: the retrier generated code runs calls under, made from
    /// `E::retry_config()` on first use.
    #[doc(hidden)]
    pub fn __retrier<E: StatusError>(&self) -> &Retrier {
        self.retrier.get_or_init(|| Retrier::new(E::retry_config()))
    }

    /// Not public API: the retrier and the client apart, for `&mut self` methods.
    #[doc(hidden)]
    pub fn __split_mut<E: StatusError>(&mut self) -> (&Retrier, &mut C) {
        let retrier = self.retrier.get_or_init(|| Retrier::new(E::retry_config()));
        (retrier, &mut self.inner)
    }
}
