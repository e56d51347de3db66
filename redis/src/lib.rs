//! errspec's rate-limit state shared by many processes through Redis: [`RedisStore`], an
//! [`errspec::LimitStore`].
//!
//! A fleet of workers that share one API token share one quota at the server. With a
//! `RedisStore` on one Redis and one prefix, every process's retrier shares, per API name and
//! scope, the hold (the latest end of a wait a server stated), the stated quota with every
//! process's requests in flight, and the quota learned from refusals by the whole fleet:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use errspec::{RateLimitConfig, Retrier, RetryConfig};
//!
//! let store = errspec_redis::RedisStore::connect("redis://127.0.0.1:6379").await?
//!     .with_prefix("myapp")
//!     .with_timeout(Duration::from_millis(100));
//! let retrier = Retrier::new(RetryConfig::default())
//!     .with_rate_limit(RateLimitConfig::default())
//!     .with_store(store.clone());
//! # let _ = retrier; Ok(()) }
//! ```
//!
//! # How
//!
//! Each attempt asks the store once before it is sent: one Lua script (`EVALSHA`, loaded
//! again after a `SCRIPT FLUSH` or a restart) runs errspec's rate-limit algorithm (the one
//! [`errspec::LocalStore`] runs in a process) atomically next to the scope's state, on
//! Redis's clock (`TIME`), the one clock of every process. Each response's report goes to a
//! second script from a background task (a success or failure that states nothing to a
//! smaller one, which frees its reservation and marks the scope answered), so
//! [`report`](errspec::LimitStore::report) returns at once. Reservations (the requests in flight) are members of a sorted set scored by when they
//! expire, [`with_reservation_lifetime`](RedisStore::with_reservation_lifetime) after they were
//! granted, so those of a process that died stop counting. Every key has a TTL.
//!
//! # Keys
//!
//! A scope's state is the hash `{prefix}:{api}:{scope}`, its reservations the sorted set
//! `{prefix}:{api}:{scope}:out`, and the send times of its learned period and of the one
//! before (so that a period's `n`-th request goes no sooner than a period after the last
//! one's, whichever process sent it) the lists `{prefix}:{api}:{scope}:times` and `:prev`,
//! at most 256 entries each. `{api}` is the spec's `[api] name` (empty when it has none);
//! `{scope}` is `client`, `method:{name}` or `bucket:{name}`, and `bucket:#{hex}` for a bucket
//! name longer than 64 bytes (kept as a 128-bit hash, so a hostile server cannot grow keys).
//! A name is written as it is when all its bytes are ASCII letters, digits, `_`, `-` or `.`,
//! else as `%` and the hex of its bytes. Keys hold nothing else: no URL, argument, body or
//! credential. A state key expires a period (at least 10 s) after the later of its last use
//! and the latest time a server stated (the lists with it); a reservation set a second after
//! its last reservation's expiry.
//!
//! # Fail open
//!
//! Rate-limit state only ever delays calls, so a store that cannot answer lets them go with
//! the process's own state: the store keeps an in-process [`errspec::LocalStore`], fed every
//! report (and every hold Redis tells of), and answers from it when Redis does not answer
//! within the timeout, is down, restarted, or answers an error. The first failure of an
//! outage logs one `tracing` warning (target `errspec_redis`); while it lasts, calls do not
//! ask Redis, and a background task looks at it, waiting longer each time up to a second;
//! the first call Redis answers again logs one `info` and sharing resumes. No call fails for
//! the store's sake, and none waits for it beyond its limits but the calls that ask as an
//! outage begins, which wait the timeout once.
//!
//! # Threads and runtimes
//!
//! The connection lives on a Tokio runtime of the store's own, on one thread it starts in
//! [`connect`](RedisStore::connect) and ends when the last clone is dropped, once the reports
//! still queued are sent: that drop waits for them, a second at most, since a reservation
//! whose report is lost would count against every process until it expires. A call's future
//! only awaits that thread's answer, so the store works the same from a multi-thread or a
//! current-thread Tokio runtime, from blocking calls (`run_blocking`, sync trait methods,
//! polled on a thread with no runtime) and from a runtime whose only thread is blocked:
//! blocking calls share the state in Redis like async ones. A program with no async runtime
//! at all makes the store with [`connect_blocking`](RedisStore::connect_blocking).
//!
//! # TLS
//!
//! `rediss://` URLs need the feature `tls` (redis-rs over rustls with the ring provider and
//! the system's root certificates, or those of the file `SSL_CERT_FILE` names).
//! `redis://user:password@host` logs in as an ACL user.

// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature
#![cfg_attr(docsrs, feature(doc_cfg))]
mod error;
mod keys;
mod shared;
mod store;

use core::time::Duration;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use errspec::{LocalStore, ScopeKey, Ticket};

pub use error::{Error, ErrorKind};
use shared::Shared;

/// The default of [`RedisStore::with_timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);

/// The default of [`RedisStore::with_reservation_lifetime`].
pub const DEFAULT_RESERVATION_LIFETIME: Duration = Duration::from_secs(10);

/// The default of [`RedisStore::with_prefix`].
pub const DEFAULT_PREFIX: &str = "errspec";

/// An [`errspec::LimitStore`] whose state is in Redis, shared by every process that uses the
/// same Redis and prefix. Clones share one connection, one background thread and one
/// in-process fallback. See the [crate's documentation](crate) for the algorithm, the keys
/// and what happens when Redis does not answer.
///
/// ```no_run
/// # async fn run() -> Result<(), errspec_redis::Error> {
/// use std::time::Duration;
/// use errspec::{Retrier, RetryConfig};
///
/// let store = errspec_redis::RedisStore::connect("redis://user:password@127.0.0.1:6379").await?
///     .with_prefix("billing");
/// // its clones share one connection: one for each retrier or client of the process
/// let retrier = Retrier::new(RetryConfig::default()).with_store(store.clone());
/// let another = Retrier::new(RetryConfig::default()).with_store(store);
/// # let _ = (retrier, another); Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
    prefix: Arc<str>,
    timeout: Duration,
    lifetime: Duration,
    local: Arc<Local>,
}

/// The in-process fallback, and where each reservation out was granted.
#[derive(Default)]
struct Local {
    store: LocalStore,
    granted: Mutex<HashMap<(ScopeKey, Ticket), Vec<Granted>>>,
}

/// Where a reservation was granted: its release goes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Granted {
    /// In Redis, under this process's sequence number.
    Redis(u64),
    /// By the in-process store, while Redis did not answer.
    Local,
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://[user][:password@]host[:port][/db]`, or
    /// `rediss://` with the feature `tls`), waiting at most a second for its first answer.
    ///
    /// Fails on a URL it cannot use, on a server that refuses the password, and on an ACL
    /// user that may not run the store's commands (`PING`, `SCRIPT LOAD`, `EVALSHA`), which
    /// it loads its two scripts with at once. A server that
    /// does not answer yet is not an error: the store starts in an outage (calls use the
    /// in-process state, one warning is logged) and shares state from the moment it answers.
    ///
    /// ```no_run
    /// # async fn run() {
    /// match errspec_redis::RedisStore::connect(String::from("redis://:secret@127.0.0.1")).await {
    ///     Ok(store) => drop(store),
    ///     Err(e) => eprintln!("{e}"), // "errspec-redis: Redis refused the user name or password (AUTH): ..."
    /// }
    /// # }
    /// ```
    pub async fn connect(url: impl AsRef<str>) -> Result<Self, Error> {
        let client = redis::Client::open(url.as_ref())
            .map_err(|e| Error::new(ErrorKind::BadUrl, Some(e)))?;
        let shared = Shared::connect(client).await?;
        Ok(Self {
            shared: Arc::new(shared),
            prefix: Arc::from(DEFAULT_PREFIX),
            timeout: DEFAULT_TIMEOUT,
            lifetime: DEFAULT_RESERVATION_LIFETIME,
            local: Arc::default(),
        })
    }

    /// [`connect`](Self::connect) for a program without an async runtime: blocks the thread
    /// until the store's own thread has connected (a second at most, as `connect`).
    ///
    /// ```no_run
    /// let store = errspec_redis::RedisStore::connect_blocking("redis://127.0.0.1:6379")?;
    /// let retrier = errspec::Retrier::new(errspec::RetryConfig::default()).with_store(store);
    /// # let _ = retrier; Ok::<(), errspec_redis::Error>(())
    /// ```
    pub fn connect_blocking(url: impl AsRef<str>) -> Result<Self, Error> {
        block_on(Self::connect(url))
    }

    /// The same store, its keys under `prefix` (`"{prefix}:{api}:{scope}..."`; default
    /// `"errspec"`): stores with different prefixes share nothing, not even the in-process
    /// fallback. The prefix is written as it is.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.prefix = Arc::from(prefix.as_ref());
        self.local = Arc::default();
        self
    }

    /// The same store, counting an answer from Redis slower than `timeout` as a failure
    /// (default 100 ms): the call goes on with the in-process state. Only the calls that ask
    /// as an outage begins wait this long (later ones do not ask Redis until it answers
    /// again), so keep it well under the shortest `max_elapsed` of the retriers using it.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same store, letting a reservation (a request in flight) count at most `lifetime`
    /// after it was granted (default 10 s): the reservations of a process that died without
    /// reporting stop counting then. A request that takes longer is no longer counted.
    #[must_use]
    pub fn with_reservation_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.max(Duration::from_millis(1));
        self
    }

    /// The prefix of the store's keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether calls ask Redis now: `false` during an outage, while they use the in-process
    /// state.
    pub fn is_sharing(&self) -> bool {
        self.shared.core.is_up()
    }

    /// Reports dropped because the queue to Redis was full (4096 waiting).
    pub fn dropped_reports(&self) -> u64 {
        self.shared
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The in-process store the calls use while Redis does not answer.
    pub fn local(&self) -> &LocalStore {
        &self.local.store
    }
}

impl core::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("sharing", &self.is_sharing())
            .finish_non_exhaustive()
    }
}

/// Polls `future` on this thread, parking it between wake-ups: `connect` awaits only a
/// `oneshot` that the store's own thread answers, so no runtime is needed here.
fn block_on<F: Future>(future: F) -> F::Output {
    use core::task::{Context, Poll, Waker};
    use std::task::Wake;

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let mut future = core::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}
