//! The store's round trip on loopback: how long an attempt's `acquire` takes through a
//! `RedisStore` (one script, atomic, on a `redis-server` this bench starts on a free port),
//! with each grant's report sent in the background as a retrier does. Prints p50, p99 and
//! the slowest, for one caller and for 8 at once. `cargo bench -p errspec-redis`.
//!
//! The target (issue 16): p99 under 1 ms per attempt.

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use errspec::{Ask, LimitStore, Outcome, Report, ScopeKey, Ticket};
use errspec_redis::RedisStore;

const ATTEMPTS: u64 = 5_000;

fn main() {
    let Ok(port) = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) else {
        return;
    };
    let port = port.port();
    let Ok(mut server) = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
    else {
        eprintln!("skipped: needs `redis-server` on PATH (apt-get install -y redis-server)");
        return;
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(5) {
            eprintln!("redis-server did not start");
            let _ = server.kill();
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let url = format!("redis://127.0.0.1:{port}");
        let Ok(store) = RedisStore::connect(url).await else {
            eprintln!("cannot connect");
            return;
        };
        // warm up: the script loaded, the connection's buffers grown
        let _ = run(&store, 0, 500).await;
        let one = run(&store, 1_000_000, ATTEMPTS).await;
        print("1 caller", one);
        let mut tasks = Vec::new();
        for caller in 0..8u64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                run(&store, 2_000_000 + caller * 100_000, ATTEMPTS / 8).await
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap_or_default());
        }
        print("8 callers", all);
        println!("dropped reports: {}", store.dropped_reports());
    });
    // the scripts' own time in Redis
    if let Ok(mut conn) =
        redis::Client::open(format!("redis://127.0.0.1:{port}")).and_then(|c| c.get_connection())
    {
        let stats: String = redis::cmd("INFO")
            .arg("commandstats")
            .query(&mut conn)
            .unwrap_or_default();
        for line in stats.lines().filter(|l| l.contains("evalsha")) {
            println!("redis: {line}");
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// `count` attempts one after another, each acquired then reported: each acquire's time.
async fn run(store: &RedisStore, first: u64, count: u64) -> Vec<Duration> {
    let mut times = Vec::new();
    for n in 0..count {
        let ticket = Ticket(first + n);
        let ask = Ask::new(ScopeKey::Method("bench"), ticket, Instant::now());
        let started = Instant::now();
        let _ = store.acquire(&ask).await;
        times.push(started.elapsed());
        let report = Report::new(ask.scope, Some(ticket), Instant::now(), Outcome::Success);
        store.report(&report);
    }
    times
}

fn print(what: &str, mut times: Vec<Duration>) {
    if times.is_empty() {
        return;
    }
    times.sort_unstable();
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into a few thousand samples"
        )]
        let i = ((times.len() - 1) as f64 * q).round() as usize;
        times[i]
    };
    println!(
        "roundtrip: {what}: acquire p50 {:?} p99 {:?} max {:?} ({} attempts)",
        at(0.5),
        at(0.99),
        at(1.0),
        times.len()
    );
}
