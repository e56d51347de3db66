//! The store's round trip on loopback: how long an attempt's `acquire` takes through a
//! `RedisStore` (one script, atomic, on a `redis-server` this bench starts on a free port),
//! with each grant's report sent in the background as a retrier does. Prints p50, p99 and
//! the slowest, for one caller and for 8 at once, in a scope where nothing was stated and in
//! one whose responses state a quota; then Redis's own time per script.
//! `cargo bench -p errspec-redis`.
//!
//! The target (issue 16): p99 under 1 ms per attempt.

use std::time::{Duration, Instant};

use errspec::{Ask, LimitStore, Outcome, Report, ScopeKey, StatedQuota, Ticket};
use errspec_redis::RedisStore;
use errspec_test_support::redis::RedisServer;

const ATTEMPTS: u64 = 5_000;

fn main() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let port = server.port();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let Ok(store) = RedisStore::connect(server.url()).await else {
            eprintln!("cannot connect");
            return;
        };
        // warm up: the connection's buffers grown
        let _ = run(&store, 0, 500, false).await;
        for stated in [false, true] {
            let what = if stated {
                "stated quota"
            } else {
                "nothing stated"
            };
            let one = run(&store, 1_000_000, ATTEMPTS, stated).await;
            print(&format!("{what}, 1 caller"), one);
            let mut tasks = Vec::new();
            for caller in 0..8u64 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    run(&store, 2_000_000 + caller * 100_000, ATTEMPTS / 8, stated).await
                }));
            }
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await.unwrap_or_default());
            }
            print(&format!("{what}, 8 callers at once"), all);
        }
        println!("dropped reports: {}", store.dropped_reports());
    });
    // the scripts' own time in Redis
    if let Ok(mut conn) = redis::Client::open(server.url()).and_then(|c| c.get_connection()) {
        let stats: String = redis::cmd("INFO")
            .arg("commandstats")
            .query(&mut conn)
            .unwrap_or_default();
        for line in stats.lines().filter(|l| l.contains("evalsha")) {
            println!("redis: {line}");
        }
        per_script(&runtime, &mut conn, port);
    }
    drop(server);
}

/// `count` attempts one after another, each acquired then reported (stating a quota far
/// from spent when `stated`, so that the ledger is read and written each time): each
/// acquire's time.
async fn run(store: &RedisStore, first: u64, count: u64, stated: bool) -> Vec<Duration> {
    let mut times = Vec::new();
    let scope = ScopeKey::Method(if stated { "stated" } else { "bench" });
    for n in 0..count {
        let ticket = Ticket(first + n);
        let mut ask = Ask::new(scope, ticket, Instant::now());
        ask.reads_quota = stated;
        let asked = Instant::now();
        let _ = store.acquire(&ask).await;
        times.push(asked.elapsed());
        let quota = stated.then(|| StatedQuota::new(1_000_000, Duration::from_secs(3600)));
        let report = Report::new(ask.scope, Some(ticket), Instant::now(), Outcome::Success)
            .with_quota(quota);
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

/// Each script's own time in Redis, from its slow log with every command logged: 300
/// attempts with a quota stated and 300 without, after the runs above.
fn per_script(runtime: &tokio::runtime::Runtime, conn: &mut redis::Connection, port: u16) {
    let set = |conn: &mut redis::Connection, key: &str, value: &str| {
        redis::cmd("CONFIG")
            .arg("SET")
            .arg(key)
            .arg(value)
            .query::<()>(conn)
    };
    if set(conn, "slowlog-log-slower-than", "0").is_err()
        || set(conn, "slowlog-max-len", "8192").is_err()
        || redis::cmd("SLOWLOG")
            .arg("RESET")
            .query::<()>(conn)
            .is_err()
    {
        return;
    }
    runtime.block_on(async {
        if let Ok(store) = RedisStore::connect(format!("redis://127.0.0.1:{port}")).await {
            let _ = run(&store, 5_000_000, 300, true).await;
            let _ = run(&store, 6_000_000, 300, false).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let Ok(redis::Value::Array(entries)) = redis::cmd("SLOWLOG").arg("GET").arg(8192).query(conn)
    else {
        return;
    };
    // by the number of arguments: EVALSHA, the hash, the key count, the keys, the arguments
    let mut by_script: [(&str, usize, Vec<i64>); 3] = [
        ("acquire", 14, Vec::new()),
        ("report", 19, Vec::new()),
        ("release", 7, Vec::new()),
    ];
    for entry in entries {
        let redis::Value::Array(fields) = entry else {
            continue;
        };
        let (Some(redis::Value::Int(micros)), Some(redis::Value::Array(args))) =
            (fields.get(2), fields.get(3))
        else {
            continue;
        };
        if let Some(script) = by_script
            .iter_mut()
            .find(|(_, argc, _)| *argc == args.len())
        {
            script.2.push(*micros);
        }
    }
    for (name, _, mut micros) in by_script {
        micros.sort_unstable();
        if let (Some(p50), Some(max)) = (micros.get(micros.len() / 2), micros.last()) {
            println!(
                "redis: {name}.lua: p50 {p50} us, max {max} us ({} calls)",
                micros.len()
            );
        }
    }
}
