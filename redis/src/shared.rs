//! What every clone of a store shares: the store's own Tokio runtime on a thread of its own,
//! the connection, the scripts, the health of Redis and the queue of reports.
//!
//! All Redis work runs on that runtime, never on the caller's: a caller only awaits a
//! `oneshot` that a task there answers within the timeout, so a call works from any thread
//! (a multi-thread or current-thread Tokio runtime, a blocked one, or none at all).

use core::fmt;
use core::time::Duration;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, ErrorKind};

/// How long `connect` waits for the first answer (a `PING`) before it counts Redis absent.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Reports waiting to be sent, at most; past that a report is dropped and counted.
pub(crate) const QUEUE: usize = 4096;

/// How long dropping the last clone waits, at most, for the reports still queued to be sent.
const FLUSH: Duration = Duration::from_secs(1);

/// Reports sent together, at most.
const BATCH: usize = 64;

/// The first wait between two looks at a Redis that failed, and the longest.
const PROBE_FIRST: Duration = Duration::from_millis(50);
const PROBE_MAX: Duration = Duration::from_secs(1);

/// The scripts, run by `EVALSHA` (and loaded again by redis-rs on `NOSCRIPT`).
const ACQUIRE: &str = concat!(
    include_str!("lua/scope.lua"),
    include_str!("lua/acquire.lua")
);
const REPORT: &str = concat!(
    include_str!("lua/scope.lua"),
    include_str!("lua/report.lua")
);
const RELEASE: &str = include_str!("lua/release.lua");

/// How many keys a script is given: a scope's state, its reservations, the reservations that do
/// not count against each quota, and two lists of send times.
pub(crate) const KEYS: usize = 4 + errspec::MAX_QUOTAS;

/// What the report queue carries: one report's keys and arguments.
pub(crate) struct Sent {
    /// Whether it is a quiet answer (a success or failure stating nothing), which only frees
    /// its reservation and marks the scope answered (`release.lua`); else `report.lua`.
    pub(crate) quiet: bool,
    /// The keys: the scope's state, the reservations of the scope the ticket was granted in
    /// and, per quota, those of them that do not count against it, then the scope's send times
    /// of this period and the one before.
    pub(crate) keys: [String; KEYS],
    pub(crate) args: Vec<String>,
    /// When the caller reported: the script dates the answer back by the time it waited.
    pub(crate) at: Instant,
    pub(crate) timeout: Duration,
}

/// What runs on the store's runtime: the connection, the scripts and the health of Redis.
pub(crate) struct Core {
    pub(crate) conn: ConnectionManager,
    acquire: Script,
    report: Script,
    release: Script,
    health: Health,
    pub(crate) handle: Handle,
}

/// The shared half of every clone: the core, the report queue, and the runtime's life.
pub(crate) struct Shared {
    pub(crate) core: Arc<Core>,
    pub(crate) reports: mpsc::Sender<Sent>,
    pub(crate) dropped: AtomicU64,
    /// Tells reservations of this process from those of others.
    pub(crate) process: u64,
    pub(crate) seq: AtomicU64,
    /// Dropped with the last clone, after `reports` (fields drop in order): waits until the
    /// report task has sent what was queued and the runtime's thread has ended.
    _ended: Ended,
}

/// Told when the runtime's thread has ended.
struct Ended(Mutex<std::sync::mpsc::Receiver<()>>);

impl Drop for Ended {
    /// Waits [`FLUSH`] at most for the reports still queued to be sent (the queue's sender
    /// dropped before, so the report task sends them and ends, and the runtime with it): a
    /// reservation whose report is lost counts against every process until it expires.
    fn drop(&mut self) {
        let ended = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = ended.recv_timeout(FLUSH);
    }
}

/// Whether Redis is answering, and whether this outage has been told.
struct Health {
    up: AtomicBool,
    warned: AtomicBool,
    probing: AtomicBool,
    /// The wait before the next look, in ms; reset when Redis answers a call.
    backoff: AtomicU64,
}

impl Shared {
    /// Starts the runtime and connects to `client`: an error for a refused password; a server
    /// not reachable starts the store in an outage.
    pub(crate) async fn connect(client: redis::Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| Error::new(ErrorKind::Thread, None))?;
        let handle = runtime.handle().clone();
        // the report task holds `finished` until it has sent the last report queued
        let (finished, finishing) = oneshot::channel::<()>();
        let (ended_tx, ended) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("errspec-redis".into())
            .spawn(move || {
                runtime.block_on(async move { drop(finishing.await) });
                drop(runtime);
                let _ = ended_tx.send(());
            })
            .map_err(|_| Error::new(ErrorKind::Thread, None))?;

        let (answer, answered) = oneshot::channel();
        let task_handle = handle.clone();
        handle.spawn(async move {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_min_delay(Duration::from_millis(10))
                .set_max_delay(PROBE_MAX)
                .set_number_of_retries(2);
            let result = match ConnectionManager::new_lazy_with_config(client, config) {
                Ok(conn) => {
                    let first = tokio::time::timeout(CONNECT_TIMEOUT, first_contact(&conn)).await;
                    Ok((conn, first))
                }
                Err(e) => Err(e),
            };
            let _ = answer.send(result);
        });
        let Ok(result) = answered.await else {
            return Err(Error::new(ErrorKind::Thread, None));
        };
        let (conn, ping) = result.map_err(|e| Error::new(ErrorKind::BadUrl, Some(e)))?;
        let (up, cause) = match ping {
            Ok(Ok(())) => (true, None),
            Ok(Err(e)) if is_auth(&e) => return Err(Error::new(ErrorKind::Auth, Some(e))),
            Ok(Err(e)) if e.code() == Some("NOPERM") => {
                return Err(Error::new(ErrorKind::Refused, Some(e)));
            }
            Ok(Err(e)) => (false, Some(Failure::Redis(e))),
            Err(_) => (false, Some(Failure::Timeout(CONNECT_TIMEOUT))),
        };
        let core = Arc::new(Core {
            conn,
            acquire: Script::new(ACQUIRE),
            report: Script::new(REPORT),
            release: Script::new(RELEASE),
            health: Health {
                up: AtomicBool::new(true),
                warned: AtomicBool::new(false),
                probing: AtomicBool::new(false),
                backoff: AtomicU64::new(duration_ms(PROBE_FIRST)),
            },
            handle: task_handle,
        });
        let (reports, queue) = mpsc::channel(QUEUE);
        core.handle
            .spawn(Arc::clone(&core).send_reports(queue, finished));
        if let (false, Some(cause)) = (up, cause) {
            core.failed(&cause);
        }
        Ok(Self {
            core,
            reports,
            dropped: AtomicU64::new(0),
            process: fastrand::u64(..),
            seq: AtomicU64::new(0),
            _ended: Ended(Mutex::new(ended)),
        })
    }
}

/// The first commands: a `PING`, and loading both scripts (so the first calls need no
/// `NOSCRIPT` round, and a user that may not run scripts is told at `connect`).
async fn first_contact(conn: &ConnectionManager) -> redis::RedisResult<()> {
    let mut conn = conn.clone();
    redis::cmd("PING").query_async::<Value>(&mut conn).await?;
    for code in [ACQUIRE, REPORT, RELEASE] {
        Script::new(code)
            .prepare_invoke()
            .load_async(&mut conn)
            .await?;
    }
    Ok(())
}

/// Whether `e` is the server refusing the credentials.
fn is_auth(e: &redis::RedisError) -> bool {
    e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"))
}

/// Why a command failed.
pub(crate) enum Failure {
    Timeout(Duration),
    Redis(redis::RedisError),
    /// The store's runtime is gone (the process is ending).
    Gone,
    /// The script answered something this build cannot read.
    Answer,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(t) => write!(f, "no answer within {t:?}"),
            Self::Redis(e) => write!(f, "{e}"),
            Self::Gone => f.write_str("the store's runtime has stopped"),
            Self::Answer => f.write_str("the script's answer is not one this build reads"),
        }
    }
}

impl Core {
    /// Whether calls should ask Redis (it answered last, or a look found it back).
    pub(crate) fn is_up(&self) -> bool {
        self.health.up.load(Ordering::Acquire)
    }

    /// Runs the acquire script with `keys` and `args` within `timeout`.
    pub(crate) async fn acquire(
        &self,
        keys: [&str; KEYS],
        args: &[String],
        timeout: Duration,
    ) -> Result<Vec<i64>, Failure> {
        let mut invocation = self.acquire.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg);
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(timeout, invocation.invoke_async(&mut conn)).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(Failure::Redis(e)),
            Err(_) => Err(Failure::Timeout(timeout)),
        }
    }

    /// Frees a reservation whose caller stopped waiting for it (in the sets of the quotas it
    /// did not count against too).
    pub(crate) async fn release(&self, keys: &crate::keys::ScopeKeys, member: &str) {
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        for set in core::iter::once(&keys.out).chain(&keys.excluded) {
            pipe.cmd("ZREM").arg(set).arg(member).ignore();
        }
        let _ = tokio::time::timeout(PROBE_MAX, pipe.query_async::<Value>(&mut conn)).await;
    }

    /// Redis answered a call: an outage told is over.
    pub(crate) fn succeeded(&self) {
        // read first: every answer comes here, and a write would bounce the line between
        // the callers' threads
        if !self.health.warned.load(Ordering::Acquire) {
            return;
        }
        self.health
            .backoff
            .store(duration_ms(PROBE_FIRST), Ordering::Relaxed);
        if self.health.warned.swap(false, Ordering::AcqRel) {
            tracing::info!(
                target: "errspec_redis",
                "Redis answers again: rate-limit state is shared across processes again"
            );
        }
    }

    /// A call to Redis failed: calls use the in-process state until a look finds Redis back.
    /// The first failure of an outage is told, once.
    pub(crate) fn failed(self: &Arc<Self>, why: &Failure) {
        self.health.up.store(false, Ordering::Release);
        if !self.health.warned.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                target: "errspec_redis",
                cause = %why,
                "Redis is not answering: calls go on with this process's own rate-limit state \
                 until it answers again"
            );
        }
        if !self.health.probing.swap(true, Ordering::AcqRel) {
            self.handle.spawn(Arc::clone(self).probe());
        }
    }

    /// Looks at Redis, each time waiting twice as long up to [`PROBE_MAX`], until it answers a
    /// `PING`; then calls ask it again (and the first that it answers ends the outage).
    async fn probe(self: Arc<Self>) {
        loop {
            let wait = self.health.backoff.load(Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            self.health
                .backoff
                .store((wait * 2).min(duration_ms(PROBE_MAX)), Ordering::Relaxed);
            let mut conn = self.conn.clone();
            let ping = redis::cmd("PING");
            let answer =
                tokio::time::timeout(CONNECT_TIMEOUT, ping.query_async::<Value>(&mut conn));
            if let Ok(Ok(_)) = answer.await {
                break;
            }
        }
        self.health.probing.store(false, Ordering::Release);
        self.health.up.store(true, Ordering::Release);
    }

    /// Sends the queued reports, a batch at a time (in order: one connection, pipelined),
    /// until the queue is closed (the last clone dropped) and empty; then drops `finished`.
    async fn send_reports(
        self: Arc<Self>,
        mut queue: mpsc::Receiver<Sent>,
        finished: oneshot::Sender<()>,
    ) {
        let mut batch = Vec::with_capacity(BATCH);
        let mut running = tokio::task::JoinSet::new();
        while queue.recv_many(&mut batch, BATCH).await > 0 {
            for sent in batch.drain(..) {
                let core = Arc::clone(&self);
                running.spawn(async move { core.send_report(sent).await });
            }
            while running.join_next().await.is_some() {}
        }
        drop(finished);
    }

    async fn send_report(self: &Arc<Self>, sent: Sent) {
        if !self.is_up() {
            return;
        }
        let age = sent.at.elapsed().as_micros().to_string();
        let (script, keys) = if sent.quiet {
            (&self.release, &sent.keys[..KEYS - 2])
        } else {
            (&self.report, &sent.keys[..])
        };
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for (i, arg) in sent.args.iter().enumerate() {
            if i == 1 && !sent.quiet {
                invocation.arg(&age);
            } else {
                invocation.arg(arg);
            }
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(sent.timeout, invocation.invoke_async::<Value>(&mut conn)).await
        {
            Ok(Ok(_)) => self.succeeded(),
            Ok(Err(e)) => self.failed(&Failure::Redis(e)),
            Err(_) => self.failed(&Failure::Timeout(sent.timeout)),
        }
    }
}

pub(crate) fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
