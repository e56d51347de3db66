//! Many workers, one token: 4 worker processes share one API quota, first each with its own
//! rate-limit state, then with the state shared through Redis (`errspec_redis::RedisStore`).
//!
//! The example starts an embedded server on 127.0.0.1 that allows 20 requests per 250 ms
//! window (all workers together), states what is left on every response and answers 429 when
//! the window is spent; a `redis-server` of its own on a free port (or says how to install
//! one); and the 4 workers, by running itself again with `--worker`. Each worker sends its
//! share of 240 requests with 3 callers. For both runs it prints the requests refused, the
//! wall time against the ideal and the requests that failed.
//!
//! Run it with `cargo run --example fleet`. It takes about 10 s.

use std::future::Future;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use errspec::Retrying;

/// The shop's errors, from the spec, plus a transport failure of our own.
#[errspec::errors(spec = "examples/fleet.toml")]
#[derive(Debug)]
pub enum ShopError {
    /// The request never got a response.
    #[errspec(message = "could not reach the shop", retry = "idempotent")]
    Transport(#[source] reqwest::Error),
}

/// The shop's API: one read.
#[errspec::client(error = ShopError)]
pub trait Shop {
    /// Reads item `id`.
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> impl Future<Output = Result<(), ShopError>> + Send;
}

/// A plain HTTP client; `Retrying` adds retries, holds and pacing.
struct Http {
    http: reqwest::Client,
    base: String,
}

impl Shop for Http {
    fn item(&self, id: u32) -> impl Future<Output = Result<(), ShopError>> + Send {
        let request = self.http.get(format!("{}/item/{id}", self.base));
        async move {
            let response = request.send().await.map_err(ShopError::Transport)?;
            let response = errspec::reqwest::check::<ShopError>(response).await?;
            response.bytes().await.map_err(ShopError::Transport)?;
            Ok(())
        }
    }
}

const LIMIT: u32 = 20;
const WINDOW_MS: u64 = 250;
const REQUESTS: u32 = 240;
const WORKERS: u32 = 4;
const CALLERS: u32 = 3;

fn unix_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// The server's window and what it saw.
struct Window {
    /// When window 0 starts, in epoch milliseconds.
    origin_ms: u64,
    /// (window index, admitted in it), in one word: index << 32 | admitted.
    count: AtomicU64,
    received: AtomicU32,
    refused: AtomicU32,
}

async fn item(State(window): State<Arc<Window>>) -> impl IntoResponse {
    window.received.fetch_add(1, Ordering::Relaxed);
    let elapsed = unix_ms().saturating_sub(window.origin_ms);
    let index = elapsed / WINDOW_MS;
    let mut admitted = false;
    let mut used = 0;
    let _ = window
        .count
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
            let (at, n) = (word >> 32, word & u64::from(u32::MAX));
            let n = if at == index { n } else { 0 };
            admitted = n < u64::from(LIMIT);
            used = n + u64::from(admitted);
            Some(index << 32 | used)
        });
    let to_end_ms = (index + 1) * WINDOW_MS - elapsed;
    let mut headers = HeaderMap::new();
    let remaining = u64::from(LIMIT).saturating_sub(used);
    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    let reset_after = format!("{}.{:03}", to_end_ms / 1000, to_end_ms % 1000);
    if let Ok(value) = HeaderValue::from_str(&reset_after) {
        headers.insert("x-ratelimit-reset-after", value);
    }
    if admitted {
        return (StatusCode::OK, headers, "{}");
    }
    window.refused.fetch_add(1, Ordering::Relaxed);
    headers.insert("retry-after", HeaderValue::from(to_end_ms.div_ceil(1000)));
    (StatusCode::TOO_MANY_REQUESTS, headers, "{}")
}

/// Starts the server, its windows counted from `origin_ms`.
async fn serve(origin_ms: u64) -> std::io::Result<(String, Arc<Window>)> {
    let window = Arc::new(Window {
        origin_ms,
        count: AtomicU64::new(0),
        received: AtomicU32::new(0),
        refused: AtomicU32::new(0),
    });
    let app = axum::Router::new()
        .route("/item/{id}", axum::routing::get(item))
        .with_state(Arc::clone(&window));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, window))
}

/// A `redis-server` of the example's own, stopped when dropped.
struct Redis(Child, u16);

impl Redis {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn();
        match child {
            Ok(child) => Some(Self(child, port)),
            Err(error) => {
                println!(
                    "redis-server could not start ({error}); install it (Debian, Ubuntu: \
                     `apt-get install -y redis-server`) to see the shared state\n"
                );
                None
            }
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.1)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A worker: its share of the requests from `start_ms`, with the state in Redis if `redis` is
/// a URL; prints `ok=K failed=F end_ms=T`.
async fn worker(base: &str, redis: &str, requests: u32, start_ms: u64) {
    let http = Http {
        http: reqwest::Client::new(),
        base: base.to_owned(),
    };
    let client = if redis == "-" {
        Retrying::new(http)
    } else {
        match errspec_redis::RedisStore::connect(redis).await {
            // the two lines a user adds
            Ok(store) => Retrying::new(http).with_store(store.with_prefix("fleet-example")),
            Err(error) => {
                eprintln!("worker: {error}; going on with in-process state");
                Retrying::new(http)
            }
        }
    };
    let client = Arc::new(client);
    tokio::time::sleep(Duration::from_millis(start_ms.saturating_sub(unix_ms()))).await;
    let next = Arc::new(AtomicU32::new(0));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (client, next) = (Arc::clone(&client), Arc::clone(&next));
            tokio::spawn(async move {
                let mut ok = 0;
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    ok += u32::from(client.item(1).await.is_ok());
                }
                ok
            })
        })
        .collect();
    let mut ok = 0;
    for caller in callers {
        ok += caller.await.unwrap_or(0);
    }
    println!("ok={ok} failed={} end_ms={}", requests - ok, unix_ms());
}

/// One run of the fleet: the workers' totals and the server's counts.
async fn run(redis: Option<&Redis>) -> Result<String, Box<dyn std::error::Error>> {
    let start_ms = unix_ms() + 1_000;
    let (base, window) = serve(start_ms).await?;
    let redis_url = redis.map_or_else(|| "-".to_owned(), Redis::url);
    let workers: Vec<Child> = (0..WORKERS)
        .map(|_| {
            Command::new(std::env::current_exe()?)
                .args(["--worker", &base, &redis_url])
                .args([(REQUESTS / WORKERS).to_string(), start_ms.to_string()])
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let (mut ok, mut failed, mut end_ms) = (0, 0, start_ms);
    for mut worker in workers {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let stdout = worker.stdout.take();
        std::thread::spawn(move || {
            let line = stdout
                .and_then(|out| BufReader::new(out).lines().map_while(Result::ok).last())
                .unwrap_or_default();
            let _ = worker.wait();
            let _ = tx.send(line);
        });
        let line = rx.await.unwrap_or_default();
        for field in line.split(' ') {
            match field.split_once('=') {
                Some(("ok", v)) => ok += v.parse::<u32>().unwrap_or(0),
                Some(("failed", v)) => failed += v.parse::<u32>().unwrap_or(0),
                Some(("end_ms", v)) => end_ms = end_ms.max(v.parse().unwrap_or(0)),
                _ => {}
            }
        }
    }
    failed = failed.max(REQUESTS.saturating_sub(ok));
    let (received, refused) = (
        window.received.load(Ordering::Relaxed),
        window.refused.load(Ordering::Relaxed),
    );
    // the last request is admitted at the start of the last window
    let ideal_ms = u64::from(REQUESTS.div_ceil(LIMIT) - 1) * WINDOW_MS;
    let wall_ms = end_ms - start_ms;
    #[allow(clippy::cast_precision_loss)] // small counts and times
    let (refused_pct, ratio) = (
        100.0 * f64::from(refused) / f64::from(received.max(1)),
        wall_ms as f64 / ideal_ms as f64,
    );
    Ok(format!(
        "{refused} of {received} requests refused ({refused_pct:.1} %), wall {:.2} s \
         ({ratio:.2}x the ideal {:.2} s), {failed} of {REQUESTS} failed",
        Duration::from_millis(wall_ms).as_secs_f64(),
        Duration::from_millis(ideal_ms).as_secs_f64(),
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, base, redis, requests, start_ms] = args.as_slice()
        && flag == "--worker"
    {
        worker(base, redis, requests.parse()?, start_ms.parse()?).await;
        return Ok(());
    }
    println!(
        "{WORKERS} worker processes of {CALLERS} callers share {REQUESTS} requests and one \
         quota: {LIMIT} requests per {WINDOW_MS} ms window\n"
    );
    let started = Instant::now();
    println!("each process with its own state: {}", run(None).await?);
    match Redis::start() {
        Some(redis) => {
            // give redis-server a moment to listen; the store fails open until it does
            tokio::time::sleep(Duration::from_millis(300)).await;
            println!(
                "state shared through Redis:    {}",
                run(Some(&redis)).await?
            );
        }
        None => println!("state shared through Redis:    skipped (no redis-server)"),
    }
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
