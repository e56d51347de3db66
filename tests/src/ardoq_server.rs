//! An Ardoq-like API on 127.0.0.1 for the demo and tests: token auth (401), a fixed-window rate
//! limit answering 429 with `Retry-After` in whole seconds, unknown ids (404), and a switch that
//! makes the next requests fail with 503.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The token the server accepts.
pub const TOKEN: &str = "demo-token";

/// Requests allowed per window.
pub const LIMIT: u32 = 5;

/// The rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(2);

struct Shared {
    requests: AtomicU64,
    flaky: AtomicU32,
    window: Mutex<(Instant, u32)>,
}

/// A running server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Waits until the current rate-limit window has ended, so the next request starts a
    /// fresh one.
    pub async fn wait_for_fresh_window(&self) {
        let started = self
            .shared
            .window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        let left = WINDOW.saturating_sub(started.elapsed());
        tokio::time::sleep(left).await;
    }

    /// Makes the next `n` requests that pass auth and the rate limit answer 503.
    pub fn make_flaky(&self, n: u32) {
        self.shared.flaky.store(n, Ordering::Relaxed);
    }
}

/// Starts the server on an ephemeral port of 127.0.0.1.
pub async fn start() -> std::io::Result<Server> {
    let shared = Arc::new(Shared {
        requests: AtomicU64::new(0),
        flaky: AtomicU32::new(0),
        window: Mutex::new((Instant::now(), 0)),
    });
    let app = Router::new()
        .route("/api/v2/workspaces/{id}", get(workspace))
        .route(
            "/api/v2/workspaces/{id}/components",
            get(components).post(create_component),
        )
        .with_state(Arc::clone(&shared));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Server { addr, shared, task })
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        format!(
            "{{\"status\":{},\"message\":\"{message}\"}}",
            status.as_u16()
        ),
    )
        .into_response()
}

/// Auth, rate limit and the flaky switch, in that order; `None` lets the request through.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Token "));
    if token != Some(TOKEN) {
        return Some(json_error(
            StatusCode::UNAUTHORIZED,
            "Invalid or expired token",
        ));
    }
    {
        let mut window = shared.window.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        if window.1 >= LIMIT {
            let left = WINDOW.saturating_sub(now.duration_since(window.0));
            let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            let mut response = json_error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.max(1).into());
            return Some(response);
        }
        window.1 += 1;
    }
    let flaky = shared
        .flaky
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    if flaky.is_ok() {
        return Some(json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again shortly",
        ));
    }
    None
}

/// The gate, then the workspace lookup: `None` when the request may go on.
fn refuse(shared: &Shared, headers: &HeaderMap, workspace: &str) -> Option<Response> {
    gate(shared, headers).or_else(|| {
        (workspace != "ws-1").then(|| json_error(StatusCode::NOT_FOUND, "Workspace not found"))
    })
}

async fn workspace(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    refuse(&shared, &headers, &id)
        .unwrap_or_else(|| format!("{{\"id\":\"{id}\",\"name\":\"Architecture\"}}").into_response())
}

async fn components(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    refuse(&shared, &headers, &id)
        .unwrap_or_else(|| "[{\"id\":\"c-1\",\"name\":\"Billing\"}]".into_response())
}

async fn create_component(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    refuse(&shared, &headers, &id).unwrap_or_else(|| {
        let created = format!("{{\"id\":\"c-2\",\"name\":\"{}\"}}", body.escape_default());
        (StatusCode::CREATED, created).into_response()
    })
}
