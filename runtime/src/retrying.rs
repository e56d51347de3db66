//! A client wrapped with its retry engine.

use core::any::TypeId;
use core::future::Future;
use core::time::Duration;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use crate::attempts::RetrierRef;
use crate::{
    Attempts, BudgetConfig, Idempotency, LimitStore, Pause, Retrier, RetryBudget, Sleeper,
    StatusError,
};

/// A client `C` with the retry engine its calls run under.
///
/// `#[errspec::client]` implements the user's client trait for `Retrying<C>`, each method running
/// the inner client's method under the engine.
///
/// Each call runs under its own error type's settings, `E::retry_config()` (that is, its spec's
/// `[retry]`), whatever was called before: a trait whose methods return two error types retries
/// each by its own spec. What the calls share is the client's: the server's hold (see
/// [`Retrier`]), the sleeper, and a retry budget per distinct `budget` setting of those specs.
/// [`with_sleeper`](Self::with_sleeper) and [`on_retry`](Self::on_retry) set how those calls
/// wait and what they report; [`with_retrier`](Self::with_retrier) replaces all of that with
/// one explicit [`Retrier`] for every call.
///
/// Clones share everything, whatever was set by these methods included, whether they were made
/// before or after it was set.
///
/// ```
/// use errspec::{Retrier, RetryConfig, Retrying};
///
/// #[derive(Clone)]
/// struct HttpClient { base: &'static str }
///
/// let client = Retrying::new(HttpClient { base: "https://example.com" });
/// assert!(client.retrier().is_none()); // each call: its error type's `retry_config()`
///
/// let clone = client.clone();
/// let client = client.with_retrier(Retrier::new(RetryConfig::new().with_max_attempts(5)));
/// assert_eq!(clone.retrier().unwrap().config().max_attempts, 5); // clones share it
/// assert_eq!(client.inner().base, "https://example.com");
/// let client: HttpClient = client.into_inner();
/// # let _ = client.base;
/// ```
#[derive(Clone)]
pub struct Retrying<C> {
    inner: C,
    engine: Arc<Shared>,
    /// The engine of the first error type this handle's calls ran with, so that later calls
    /// find it without a lock.
    cached: OnceLock<Cached>,
}

/// An engine a handle keeps, and the [`Shared::generation`] it was made in.
#[derive(Clone)]
struct Cached {
    id: TypeId,
    generation: u64,
    retrier: Arc<Retrier>,
}

/// What the clones of one [`Retrying`] share.
struct Shared {
    state: RwLock<State>,
    /// Counts the changes of `state` (each under its write lock): a handle's cached engine
    /// made in an older generation is not used.
    generation: AtomicU64,
    /// The budgets of calls under their error type's config, one per distinct setting
    /// (`ratio` bits, `min_per_second`).
    budgets: Mutex<Vec<((u64, u32), RetryBudget)>>,
}

struct State {
    /// The retrier set by `with_retrier`, which every call then runs under.
    chosen: Option<Arc<Retrier>>,
    /// The sleeper, hooks and store of calls that run under their error type's config.
    base: Retrier,
    /// The engine of each error type's calls, made from `base` on first use.
    engines: Vec<(TypeId, Arc<Retrier>)>,
}

impl<C> Retrying<C> {
    /// Wraps `inner`; each call runs under its error type's `retry_config()`.
    pub fn new(inner: C) -> Self {
        Self {
            inner,
            engine: Arc::new(Shared {
                state: RwLock::new(State {
                    chosen: None,
                    base: Retrier::new(crate::RetryConfig::new()),
                    engines: Vec::new(),
                }),
                generation: AtomicU64::new(0),
                budgets: Mutex::new(Vec::new()),
            }),
            cached: OnceLock::new(),
        }
    }

    /// Runs every call under `retrier` (its settings, budget, sleeper, hook and hold) instead
    /// of the error types' settings: for this wrapper and every clone of it, made before or
    /// after.
    #[must_use]
    pub fn with_retrier(self, retrier: Retrier) -> Self {
        self.change(|state| state.chosen = Some(Arc::new(retrier)))
    }

    /// Waits and tells the time with `sleeper` in calls that run under their error type's
    /// settings (a retrier set by [`with_retrier`](Self::with_retrier) keeps its own).
    #[must_use]
    pub fn with_sleeper(self, sleeper: impl Sleeper + 'static) -> Self {
        self.change(|state| {
            state.base = state.base.clone().with_sleeper(sleeper);
            state.engines.clear();
        })
    }

    /// Calls `hook` before each retry's wait in calls that run under their error type's
    /// settings; see [`Retrier::on_retry`].
    #[must_use]
    pub fn on_retry(
        self,
        hook: impl Fn(u32, &dyn StatusError, Duration) + Send + Sync + 'static,
    ) -> Self {
        self.change(|state| {
            state.base = state.base.clone().on_retry(hook);
            state.engines.clear();
        })
    }

    /// Calls `hook` whenever a call that runs under its error type's settings waits before an
    /// attempt for its scope's rate limit; see [`Retrier::on_pause`].
    #[must_use]
    pub fn on_pause(self, hook: impl Fn(Pause, Duration) + Send + Sync + 'static) -> Self {
        self.change(|state| {
            state.base = state.base.clone().on_pause(hook);
            state.engines.clear();
        })
    }

    /// Keeps the rate-limit state of calls that run under their error type's settings in
    /// `store` (a retrier set by [`with_retrier`](Self::with_retrier) keeps its own); see
    /// [`Retrier::with_store`].
    #[must_use]
    pub fn with_store(self, store: impl LimitStore) -> Self {
        self.change(|state| {
            state.base = state.base.clone().with_store(store);
            state.engines.clear();
        })
    }

    /// Changes what the clones share, and forgets this handle's cached engine.
    fn change(mut self, f: impl FnOnce(&mut State)) -> Self {
        {
            let mut state = self.engine.write();
            f(&mut state);
            self.engine.generation.fetch_add(1, Ordering::Release);
        }
        self.cached = OnceLock::new();
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

    /// The retrier set by [`with_retrier`](Self::with_retrier), if any (a handle sharing its
    /// budget and hold).
    pub fn retrier(&self) -> Option<Retrier> {
        self.engine.read().chosen.as_deref().cloned()
    }

    /// The engine a call with error type `E` runs under: the chosen retrier, or `E`'s
    /// `retry_config()` with this client's sleeper, hook, hold and budget.
    pub fn retrier_for<E: StatusError>(&self) -> Retrier {
        (*self.engine.retrier_for::<E>().0).clone()
    }

    /// Runs `f` as a call with error type `E` ([`Retrier::run`] under
    /// [`retrier_for::<E>()`](Self::retrier_for)): what a hand-written client method does.
    pub async fn run<T, E, F, Fut>(&self, idempotency: impl Into<Idempotency>, f: F) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        engine_for::<E>(&self.engine, &self.cached)
            .run(idempotency, f)
            .await
    }

    /// [`run`](Self::run) for a blocking call.
    pub fn run_blocking<T, E, F>(&self, idempotency: impl Into<Idempotency>, f: F) -> Result<T, E>
    where
        E: StatusError,
        F: FnMut() -> Result<T, E>,
    {
        engine_for::<E>(&self.engine, &self.cached).run_blocking(idempotency, f)
    }

    /// A call's attempts, under the chosen retrier or `E`'s settings: what generated methods
    /// start with (through `__private::RetryWithStatus`).
    #[inline]
    pub(crate) fn attempts_for<E: StatusError>(
        &self,
        idempotency: Idempotency,
        method: &'static str,
    ) -> Attempts<'_> {
        let engine = engine_for::<E>(&self.engine, &self.cached);
        Attempts::for_error::<E>(engine, idempotency, method)
    }

    /// The same for `&mut self` methods, with the client apart.
    #[inline]
    pub(crate) fn attempts_for_mut<E: StatusError>(
        &mut self,
        idempotency: Idempotency,
        method: &'static str,
    ) -> (Attempts<'_>, &mut C) {
        let engine = engine_for::<E>(&self.engine, &self.cached);
        (
            Attempts::for_error::<E>(engine, idempotency, method),
            &mut self.inner,
        )
    }
}

/// The engine for calls with error type `E`: the one `cached` keeps if it is `E`'s and current,
/// else `shared`'s (kept in `cached` if it keeps none yet).
#[inline]
fn engine_for<'r, E: StatusError>(
    shared: &'r Shared,
    cached: &'r OnceLock<Cached>,
) -> RetrierRef<'r> {
    match cached.get() {
        Some(c) if c.is_current(TypeId::of::<E>(), shared) => RetrierRef::Borrowed(&c.retrier),
        _ => engine_uncached::<E>(shared, cached),
    }
}

/// [`engine_for`] when `cached` keeps no current engine for `E`.
#[cold]
fn engine_uncached<'r, E: StatusError>(
    shared: &'r Shared,
    cached: &'r OnceLock<Cached>,
) -> RetrierRef<'r> {
    let id = TypeId::of::<E>();
    let (retrier, generation) = shared.retrier_for::<E>();
    if cached.get().is_none() {
        let _ = cached.set(Cached {
            id,
            generation,
            retrier: Arc::clone(&retrier),
        });
        if let Some(c) = cached.get().filter(|c| c.is_current(id, shared)) {
            return RetrierRef::Borrowed(&c.retrier);
        }
    }
    RetrierRef::Shared(retrier)
}

impl Cached {
    /// Whether this is the engine of error type `id` under `shared`'s current settings.
    #[inline]
    fn is_current(&self, id: TypeId, shared: &Shared) -> bool {
        self.id == id && self.generation == shared.generation.load(Ordering::Acquire)
    }
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The engine for calls with error type `E` (made once, then shared), and the generation
    /// it is of.
    fn retrier_for<E: StatusError>(&self) -> (Arc<Retrier>, u64) {
        let id = TypeId::of::<E>();
        let found = |state: &State| {
            let generation = self.generation.load(Ordering::Acquire);
            if let Some(chosen) = &state.chosen {
                return Some((Arc::clone(chosen), generation));
            }
            let (_, engine) = state.engines.iter().find(|(t, _)| *t == id)?;
            Some((Arc::clone(engine), generation))
        };
        if let Some(found) = found(&self.read()) {
            return found;
        }
        let mut state = self.write();
        if let Some(found) = found(&state) {
            return found;
        }
        let config = E::retry_config();
        let budget = config.budget.map(|b| self.budget(b));
        let engine = Arc::new(state.base.with_config(config, budget, E::rate_limit()));
        state.engines.push((id, Arc::clone(&engine)));
        (engine, self.generation.load(Ordering::Acquire))
    }

    /// The client's budget for `config`, made on first use.
    fn budget(&self, config: BudgetConfig) -> RetryBudget {
        let key = (config.ratio.to_bits(), config.min_per_second);
        let mut budgets = self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, budget)) = budgets.iter().find(|(k, _)| *k == key) {
            return budget.clone();
        }
        let budget = RetryBudget::from(config);
        budgets.push((key, budget.clone()));
        budget
    }
}

impl<C: core::fmt::Debug> core::fmt::Debug for Retrying<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Retrying")
            .field("inner", &self.inner)
            .field("retrier", &self.retrier())
            .finish_non_exhaustive()
    }
}
