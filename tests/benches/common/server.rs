//! The server the HTTP benchmarks run against: one axum app on 127.0.0.1, on a thread and runtime
//! of its own so that the clients' timers and the server's work do not share a scheduler.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// How the server refuses requests.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A fixed-window limit: `limit` requests per `window`, windows counted from the clock's
    /// start; a refused request gets 429 with `Retry-After` = the whole seconds to the window's
    /// end, rounded up.
    RateLimit { limit: u32, window: Duration },
    /// 503 without `Retry-After` to everything for `length` from the clock's start, then 200.
    Outage { length: Duration },
}

/// What the server saw, read after a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Requests received.
    pub received: u64,
    /// 200 answers.
    pub ok: u64,
    /// 429 answers.
    pub limited: u64,
    /// 503 answers.
    pub unavailable: u64,
    /// Requests received while the outage lasted.
    pub during_outage: u64,
    /// Distinct request ids first seen while the outage lasted: the first attempts then.
    pub first_during_outage: u64,
}

struct Shared {
    mode: Mode,
    /// When window 0 (or the outage) began.
    origin: Mutex<Instant>,
    /// (window index, requests admitted in it).
    window: Mutex<(u64, u32)>,
    received: AtomicU64,
    ok: AtomicU64,
    limited: AtomicU64,
    unavailable: AtomicU64,
    during_outage: AtomicU64,
    /// Every id seen so far, with whether it was first seen during the outage.
    ids: Mutex<(HashSet<u32>, u64)>,
}

/// A running server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub fn start(mode: Mode) -> Self {
        let shared = Arc::new(Shared {
            mode,
            origin: Mutex::new(Instant::now()),
            window: Mutex::new((0, 0)),
            received: AtomicU64::new(0),
            ok: AtomicU64::new(0),
            limited: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            during_outage: AtomicU64::new(0),
            ids: Mutex::new((HashSet::new(), 0)),
        });
        let app = Router::new()
            .route("/item/{id}", get(item))
            .with_state(Arc::clone(&shared));
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })
            .expect("server thread");
        Self {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the clock: window 0 (or the outage) begins now.
    pub fn start_clock(&self) -> Instant {
        let now = Instant::now();
        *lock(&self.shared.origin) = now;
        now
    }

    /// What the server saw so far.
    pub fn counts(&self) -> Counts {
        let s = &self.shared;
        Counts {
            received: s.received.load(Ordering::Relaxed),
            ok: s.ok.load(Ordering::Relaxed),
            limited: s.limited.load(Ordering::Relaxed),
            unavailable: s.unavailable.load(Ordering::Relaxed),
            during_outage: s.during_outage.load(Ordering::Relaxed),
            first_during_outage: lock(&s.ids).1,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Graceful shutdown waits for open connections; the clients are gone by now, so it is
        // quick, but do not let a stuck connection hold the benchmark.
        if let Some(thread) = self.thread.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An empty answer: error bodies are left out so that every client can reuse its connection
/// whether or not it reads them, and the benchmark measures retry timing, not connection churn.
fn empty(status: StatusCode) -> Response {
    (status, [(header::CONTENT_LENGTH, "0")]).into_response()
}

async fn item(State(shared): State<Arc<Shared>>, Path(id): Path<u32>) -> Response {
    shared.received.fetch_add(1, Ordering::Relaxed);
    let origin = *lock(&shared.origin);
    let now = Instant::now();
    let since = now.saturating_duration_since(origin);
    match shared.mode {
        Mode::RateLimit { limit, window } => {
            let index = u64::try_from(since.as_nanos() / window.as_nanos()).unwrap_or(u64::MAX);
            let admitted = {
                let mut current = lock(&shared.window);
                if current.0 != index {
                    *current = (index, 0);
                }
                if current.1 < limit {
                    current.1 += 1;
                    true
                } else {
                    false
                }
            };
            if !admitted {
                shared.limited.fetch_add(1, Ordering::Relaxed);
                let end = window * u32::try_from(index + 1).unwrap_or(u32::MAX);
                let left = end.saturating_sub(since);
                let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                let mut response = empty(StatusCode::TOO_MANY_REQUESTS);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
                return response;
            }
        }
        Mode::Outage { length } => {
            if since < length {
                shared.during_outage.fetch_add(1, Ordering::Relaxed);
                let mut ids = lock(&shared.ids);
                if ids.0.insert(id) {
                    ids.1 += 1;
                }
                drop(ids);
                shared.unavailable.fetch_add(1, Ordering::Relaxed);
                return empty(StatusCode::SERVICE_UNAVAILABLE);
            }
        }
    }
    shared.ok.fetch_add(1, Ordering::Relaxed);
    "ok".into_response()
}
