//! Rate-limited goodput: retry stacks side by side against one fixed-window rate limit.
//!
//! `cargo bench -p errspec-tests --bench ratelimit` (add `-- --quick` for a run of about 30 s).
//! The server on 127.0.0.1 admits 50 requests per 1 s window and answers the rest 429 with
//! `Retry-After` = the whole seconds to the window's end, rounded up. 16 clients share 600
//! requests (200 in quick mode), each sending its next request once the previous one has
//! succeeded or failed for good. Every contestant gets a fresh server and the same load; see
//! BENCHMARKS.md for what the columns mean.

mod common;

use std::time::Duration;

use common::contestants;
use common::server::{Mode, Server};
use common::{Args, Contestant, print_table, quantile, ratio, secs};

const LIMIT: u32 = 50;
const WINDOW: Duration = Duration::from_secs(1);
const CLIENTS: u32 = 16;

fn main() {
    let Some(args) = Args::parse() else { return };
    let n: u32 = if args.quick { 200 } else { 600 };
    let deadline = Duration::from_secs(if args.quick { 60 } else { 120 });
    // The last of the ceil(n / LIMIT) windows the work needs starts this long after the first:
    // no client can finish sooner.
    let ideal = WINDOW * (n.div_ceil(LIMIT) - 1);
    println!(
        "## Rate-limited goodput\n\n{n} requests, {CLIENTS} clients, limit {LIMIT} per {}s fixed window, \
         429 with whole-second Retry-After; ideal wall time {}s\n",
        WINDOW.as_secs(),
        secs(ideal)
    );
    let contestants: [Contestant; 7] = [
        ("errspec: client macro, spec defaults", |base| {
            contestants::errspec(base, None)
        }),
        (
            "errspec: Retrier::run, spec defaults",
            contestants::errspec_run,
        ),
        (
            "reqwest-retry (ExponentialBackoff, 3 retries)",
            contestants::reqwest_retry,
        ),
        ("backon (ExponentialBuilder + jitter)", |base| {
            contestants::backon(base, false)
        }),
        ("backon + hand-written Retry-After", |base| {
            contestants::backon(base, true)
        }),
        ("immediate retry (3 tries)", |base| {
            contestants::immediate(base, 3)
        }),
        ("immediate retry (until success)", |base| {
            contestants::immediate(base, u32::MAX)
        }),
    ];
    let runtime = common::runtime();
    let mut rows = Vec::new();
    for (name, make) in contestants {
        if !args.runs(name) {
            continue;
        }
        let server = Server::start(Mode::RateLimit {
            limit: LIMIT,
            window: WINDOW,
        });
        let call = make(&server.base_url());
        let t0 = server.start_clock();
        let outcomes = runtime.block_on(common::closed_loop(&call, n, CLIENTS, t0, deadline));
        let wall = outcomes
            .iter()
            .map(|o| o.end)
            .max()
            .unwrap_or(t0)
            .saturating_duration_since(t0);
        drop(call);
        let counts = server.counts();
        drop(server);
        let completed = outcomes.iter().filter(|o| o.ok).count() as u64;
        let failed = u64::from(n) - completed;
        let mut latencies: Vec<Duration> = outcomes
            .iter()
            .filter(|o| o.ok)
            .map(|o| o.end - o.start)
            .collect();
        let (p50, p99) = (
            quantile(&mut latencies, 0.5),
            quantile(&mut latencies, 0.99),
        );
        rows.push(vec![
            name.to_owned(),
            completed.to_string(),
            failed.to_string(),
            secs(wall),
            format!("{:.3}", wall.as_secs_f64() / ideal.as_secs_f64()),
            counts.received.to_string(),
            format!("{:.2}", ratio(counts.received, completed)),
            counts.limited.to_string(),
            format!(
                "{:.1}",
                100.0 * ratio(counts.received - counts.ok, counts.received)
            ),
            secs(p50),
            secs(p99),
        ]);
        eprintln!("{name}: done in {}s", secs(wall));
        // let sockets in TIME_WAIT and the machine settle between contestants
        std::thread::sleep(Duration::from_millis(200));
    }
    print_table(
        &[
            "contestant",
            "completed",
            "failed",
            "wall s",
            "wall / ideal",
            "requests sent",
            "sent / completed",
            "429 answers",
            "wasted %",
            "p50 s",
            "p99 s",
        ],
        &rows,
    );
}
