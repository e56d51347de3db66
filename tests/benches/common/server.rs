//! The server the HTTP benchmarks run against: one axum app on 127.0.0.1, on a thread and runtime
//! of its own so that the clients' timers and the server's work do not share a scheduler. It
//! serves `GET /item/{id}` and `GET /search/{id}`; the limits themselves are in [`super::limits`].

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::limits::{
    FixedWindow, Limiter, QuotaChange, SlidingWindow, TokenBucket, WindowQuota, ceil_secs,
};

/// How the server refuses requests. Every refusal is a 429 with `Retry-After` = the whole
/// seconds until the limit would admit a request, rounded up, except in [`Mode::Outage`].
/// Unless a mode says otherwise, `/item` and `/search` share its one limit.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A fixed-window limit: `limit` requests per `window`, windows counted from the clock's
    /// start; a refused request gets 429 with `Retry-After` = the whole seconds to the window's
    /// end, rounded up. No quota headers.
    RateLimit { limit: u32, window: Duration },
    /// 503 without `Retry-After` to everything for `length` from the clock's start, then 200.
    Outage { length: Duration },
    /// [`Mode::RateLimit`]'s fixed window, stating the quota on every response, 200s included,
    /// in the style of `headers`.
    Quota {
        limit: u32,
        window: Duration,
        headers: QuotaHeaders,
    },
    /// A token bucket: `rate` tokens a second, at most `burst` kept, full at the clock's start.
    TokenBucket { rate: u32, burst: u32 },
    /// At most `limit` requests in any `window` (a request at `t` counts those admitted in
    /// `(t - window, t]`).
    SlidingWindow { limit: u32, window: Duration },
    /// [`Mode::RateLimit`]'s fixed window, whose windows that start in `change.from..change.until`
    /// admit `change.low` instead of `limit`. No quota headers.
    QuotaChange {
        limit: u32,
        window: Duration,
        change: QuotaChange,
    },
    /// `/search/{id}` limited to `search_limit` per `window` (a fixed window, as
    /// [`Mode::RateLimit`]), or not at all with `None`; `/item/{id}` never limited.
    Scoped {
        search_limit: Option<u32>,
        window: Duration,
    },
}

/// The quota headers of [`Mode::Quota`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaHeaders {
    /// GitHub's `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (the
    /// window's end in epoch seconds). The server's windows start on whole epoch seconds, so the
    /// reset is exact.
    GitHub,
    /// The IETF draft's (draft-ietf-httpapi-ratelimit-headers-10) `RateLimit:
    /// "default";r=REMAINING;t=SECONDS` and `RateLimit-Policy: "default";q=LIMIT;w=WINDOW`,
    /// with `t` the seconds to the window's end rounded up, as `Retry-After` is.
    Ietf,
    /// Discord-style `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset-after`:
    /// the seconds to the window's end with three decimals (`0.137`), rounded up to the
    /// millisecond, so a reset below a second is stated as it is. `Retry-After` on a 429 stays
    /// whole seconds.
    ResetAfter,
}

/// Which endpoint a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /item/{id}`.
    Item,
    /// `GET /search/{id}`.
    Search,
}

impl Endpoint {
    /// Its path for request `id`.
    pub fn path(self, id: u32) -> String {
        match self {
            Self::Item => format!("/item/{id}"),
            Self::Search => format!("/search/{id}"),
        }
    }
}

/// How long [`Counts::limited_early`] counts for: the first window and the hold after it.
pub const EARLY: Duration = Duration::from_secs(2);

/// What the server saw, read after a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Requests received.
    pub received: u64,
    /// 200 answers.
    pub ok: u64,
    /// 429 answers.
    pub limited: u64,
    /// 429 answers in the first [`EARLY`] after the clock's start: refusals before a client can
    /// have learned anything from one.
    pub limited_early: u64,
    /// 503 answers.
    pub unavailable: u64,
    /// Requests received while the outage lasted.
    pub during_outage: u64,
    /// Distinct request ids first seen while the outage lasted: the first attempts then.
    pub first_during_outage: u64,
}

struct Shared {
    mode: Mode,
    /// When window 0 (or the outage) began, and the whole epoch seconds then (the exact epoch
    /// second with GitHub's headers, see [`Server::start_clock`]).
    origin: Mutex<(Instant, u64)>,
    /// The limit of `/item`, and of `/search` unless the mode limits it apart.
    limit: Mutex<Limiter>,
    /// The limit of `/search` in [`Mode::Scoped`].
    search_limit: Mutex<Limiter>,
    received: AtomicU64,
    ok: AtomicU64,
    limited: AtomicU64,
    limited_early: AtomicU64,
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
        let (limit, search_limit) = limiters(mode);
        let shared = Arc::new(Shared {
            mode,
            origin: Mutex::new((Instant::now(), since_epoch().as_secs())),
            limit: Mutex::new(limit),
            search_limit: Mutex::new(search_limit),
            received: AtomicU64::new(0),
            ok: AtomicU64::new(0),
            limited: AtomicU64::new(0),
            limited_early: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            during_outage: AtomicU64::new(0),
            ids: Mutex::new((HashSet::new(), 0)),
        });
        let app = Router::new()
            .route("/item/{id}", get(item))
            .route("/search/{id}", get(search))
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

    /// Starts the clock: window 0 (or the outage) begins now. With GitHub's headers, it waits
    /// for the next whole epoch second first (at most 1 s), so that windows end on whole epoch
    /// seconds as `x-ratelimit-reset` states them.
    pub fn start_clock(&self) -> Instant {
        if let Mode::Quota {
            headers: QuotaHeaders::GitHub,
            ..
        } = self.shared.mode
        {
            // the instant of the next whole epoch second, computed rather than slept to: a
            // sleep ends late, and windows ending after the second the header names would
            // refuse a client that comes back exactly at the stated reset
            let (epoch, now) = (since_epoch(), Instant::now());
            let next = epoch.as_secs() + 1;
            let origin = now + Duration::from_secs(next).saturating_sub(epoch);
            std::thread::sleep(origin.saturating_duration_since(Instant::now()));
            *lock(&self.shared.origin) = (origin, next);
            return origin;
        }
        let now = Instant::now();
        *lock(&self.shared.origin) = (now, since_epoch().as_secs());
        now
    }

    /// What the server saw so far.
    pub fn counts(&self) -> Counts {
        let s = &self.shared;
        Counts {
            received: s.received.load(Ordering::Relaxed),
            ok: s.ok.load(Ordering::Relaxed),
            limited: s.limited.load(Ordering::Relaxed),
            limited_early: s.limited_early.load(Ordering::Relaxed),
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

/// The limiters of `mode`: `/item`'s (shared with `/search` unless the mode limits it apart),
/// then `/search`'s own.
fn limiters(mode: Mode) -> (Limiter, Limiter) {
    let limit = match mode {
        Mode::RateLimit { limit, window } | Mode::Quota { limit, window, .. } => {
            Limiter::Fixed(FixedWindow::new(limit, window))
        }
        Mode::Outage { .. } | Mode::Scoped { .. } => Limiter::Unlimited,
        Mode::TokenBucket { rate, burst } => Limiter::Bucket(TokenBucket::new(rate, burst)),
        Mode::SlidingWindow { limit, window } => {
            Limiter::Sliding(SlidingWindow::new(limit, window))
        }
        Mode::QuotaChange {
            limit,
            window,
            change,
        } => Limiter::Fixed(FixedWindow::new(limit, window).with_change(change)),
    };
    let search = match mode {
        Mode::Scoped {
            search_limit: Some(limit),
            window,
        } => Limiter::Fixed(FixedWindow::new(limit, window)),
        _ => Limiter::Unlimited,
    };
    (limit, search)
}

/// The time since the Unix epoch (zero on a clock set before it).
fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The quota headers of `style` for `quota`, `since` the clock's start, which was at
/// `origin_epoch` whole epoch seconds.
fn quota_headers(
    headers: &mut HeaderMap,
    style: QuotaHeaders,
    quota: WindowQuota,
    window: Duration,
    since: Duration,
    origin_epoch: u64,
) {
    match style {
        QuotaHeaders::GitHub => {
            // windows start on whole epoch seconds (see `start_clock`), so this is exact
            let reset = origin_epoch + ceil_secs(quota.end);
            headers.insert("x-ratelimit-limit", quota.limit.into());
            headers.insert("x-ratelimit-remaining", quota.remaining.into());
            headers.insert("x-ratelimit-reset", reset.into());
        }
        QuotaHeaders::Ietf => {
            let reset = ceil_secs(quota.end.saturating_sub(since));
            let value = |text: String| HeaderValue::from_str(&text).expect("ASCII header value");
            headers.insert(
                "ratelimit",
                value(format!("\"default\";r={};t={reset}", quota.remaining)),
            );
            headers.insert(
                "ratelimit-policy",
                value(format!(
                    "\"default\";q={};w={}",
                    quota.limit,
                    ceil_secs(window)
                )),
            );
        }
        QuotaHeaders::ResetAfter => {
            let after = quota.end.saturating_sub(since);
            // whole milliseconds, rounded up: a client back at the stated time is not early
            let ms =
                after.as_millis() + u128::from(!after.subsec_nanos().is_multiple_of(1_000_000));
            let value = HeaderValue::from_str(&format!("{}.{:03}", ms / 1000, ms % 1000))
                .expect("ASCII header value");
            headers.insert("x-ratelimit-limit", quota.limit.into());
            headers.insert("x-ratelimit-remaining", quota.remaining.into());
            headers.insert("x-ratelimit-reset-after", value);
        }
    }
}

async fn item(State(shared): State<Arc<Shared>>, Path(id): Path<u32>) -> Response {
    answer(&shared, Endpoint::Item, id)
}

async fn search(State(shared): State<Arc<Shared>>, Path(id): Path<u32>) -> Response {
    answer(&shared, Endpoint::Search, id)
}

fn answer(shared: &Shared, endpoint: Endpoint, id: u32) -> Response {
    shared.received.fetch_add(1, Ordering::Relaxed);
    let (origin, origin_epoch) = *lock(&shared.origin);
    let now = Instant::now();
    let since = now.saturating_duration_since(origin);
    if let Mode::Outage { length } = shared.mode {
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
        shared.ok.fetch_add(1, Ordering::Relaxed);
        return "ok".into_response();
    }
    let limiter = match (shared.mode, endpoint) {
        (Mode::Scoped { .. }, Endpoint::Search) => &shared.search_limit,
        _ => &shared.limit,
    };
    let verdict = lock(limiter).check(since);
    let mut response = if verdict.admitted {
        shared.ok.fetch_add(1, Ordering::Relaxed);
        "ok".into_response()
    } else {
        shared.limited.fetch_add(1, Ordering::Relaxed);
        if since < EARLY {
            shared.limited_early.fetch_add(1, Ordering::Relaxed);
        }
        let mut response = empty(StatusCode::TOO_MANY_REQUESTS);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, ceil_secs(verdict.wait).into());
        response
    };
    if let (
        Mode::Quota {
            headers, window, ..
        },
        Some(quota),
    ) = (shared.mode, verdict.window)
    {
        quota_headers(
            response.headers_mut(),
            headers,
            quota,
            window,
            since,
            origin_epoch,
        );
    }
    response
}
