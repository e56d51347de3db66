//! Outage: retry stacks side by side against a server that answers 503 for 5 s.
//!
//! `cargo bench -p errspec-tests --bench outage` (add `-- --quick` for a shorter run). The
//! server on 127.0.0.1 answers 503 without `Retry-After` to everything for the first 5 s, then
//! 200. 300 idempotent requests (150 in quick mode) fall due at an even rate over 10 s, shared
//! round-robin by 16 clients; a client busy with an earlier request sends the next one when it
//! is free. Every contestant gets a fresh server and the same schedule; see BENCHMARKS.md for
//! what the columns mean.

mod common;

use std::time::Duration;

use common::contestants::{self, Target};
use common::server::{Mode, Server};
use common::{Args, Contestant, print_table, ratio, secs};
use errspec::{RetryBudget, RetryConfig};

const OUTAGE: Duration = Duration::from_secs(5);
const SPAN: Duration = Duration::from_secs(10);
const CLIENTS: u32 = 16;

/// The retry settings of the errspec rows with and without a budget: the Ardoq spec's, with the
/// retry horizon of reqwest-retry's and backon's defaults (4 attempts, backoff from 1 s,
/// doubling, full jitter), so that the budget is the difference that matters. The spec's own
/// defaults (3 attempts from 100 ms) give up within ~0.3 s; they have a row of their own.
fn ride_out() -> RetryConfig {
    contestants::ApiError::retry_config()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_secs(1))
}

fn main() {
    let Some(args) = Args::parse() else { return };
    let n: u32 = if args.quick { 150 } else { 300 };
    let deadline = Duration::from_secs(60);
    println!(
        "## Outage\n\n{n} idempotent requests due evenly over {}s from {CLIENTS} clients; \
         503 to everything for the first {}s\n",
        SPAN.as_secs(),
        OUTAGE.as_secs()
    );
    let contestants: [Contestant; 6] = [
        (
            "errspec + budget (20 %, 1/s)",
            (|target| {
                contestants::errspec(target, Some((ride_out(), Some(RetryBudget::new(0.2, 1)))))
            }),
        ),
        (
            "errspec + budget (20 %, 10/s)",
            (|target| {
                contestants::errspec(target, Some((ride_out(), Some(RetryBudget::new(0.2, 10)))))
            }),
        ),
        (
            "errspec, no budget",
            (|target| contestants::errspec(target, Some((ride_out(), None)))),
        ),
        (
            "errspec, spec defaults (3 attempts from 100 ms), no budget",
            (|target| contestants::errspec(target, None)),
        ),
        (
            "reqwest-retry (ExponentialBackoff, 3 retries)",
            (contestants::reqwest_retry),
        ),
        (
            "backon (ExponentialBuilder + jitter)",
            (|target| contestants::backon(target, false)),
        ),
    ];
    let runtime = common::runtime();
    let mut rows = Vec::new();
    for (name, make) in contestants {
        if !args.runs(name) {
            continue;
        }
        let server = Server::start(Mode::Outage { length: OUTAGE });
        let call = make(&Target::items(server.base_url()));
        let t0 = server.start_clock();
        let outcomes = runtime.block_on(common::open_loop(&call, n, CLIENTS, SPAN, t0, deadline));
        drop(call);
        let counts = server.counts();
        drop(server);
        let recovery = t0 + OUTAGE;
        let completed = outcomes.iter().filter(|o| o.ok).count() as u64;
        let failed = u64::from(n) - completed;
        let failed_in_outage = outcomes
            .iter()
            .filter(|o| !o.ok && o.due < recovery)
            .count();
        let drain = outcomes
            .iter()
            .filter(|o| o.due < recovery)
            .map(|o| o.end.saturating_duration_since(recovery))
            .max()
            .unwrap_or_default();
        let last = outcomes
            .iter()
            .map(|o| o.end)
            .max()
            .unwrap_or(t0)
            .saturating_duration_since(t0);
        rows.push(vec![
            name.to_owned(),
            counts.first_during_outage.to_string(),
            counts.during_outage.to_string(),
            format!(
                "{:.2}",
                ratio(counts.during_outage, counts.first_during_outage)
            ),
            secs(drain),
            secs(last),
            failed.to_string(),
            failed_in_outage.to_string(),
            counts.received.to_string(),
        ]);
        eprintln!("{name}: done in {}s", secs(last));
        std::thread::sleep(Duration::from_millis(200));
    }
    print_table(
        &[
            "contestant",
            "first attempts in outage",
            "requests in outage",
            "amplification",
            "drain s",
            "last done s",
            "failed",
            "of them due in outage",
            "requests sent",
        ],
        &rows,
    );
}
