//! Shared parts of the HTTP benchmarks: the server and its limits, the contestants, the load
//! drivers and the Markdown output.

// Each benchmark uses its own part of this module.
#![allow(dead_code)]

pub mod contestants;
pub mod limits;
pub mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use contestants::{Call, Target};

/// A contestant: its name in the table, and how to make its client for a server.
pub type Contestant = (&'static str, fn(&Target) -> Call);

/// How the benchmark binary was asked to run.
pub struct Args {
    /// `-- --quick`: a smaller run.
    pub quick: bool,
    /// `-- --only=TEXT`: only the contestants whose name contains `TEXT`.
    pub only: Option<String>,
    /// `-- --scenario=TEXT`: only the scenarios whose name contains `TEXT` (where a benchmark
    /// has scenarios).
    pub scenario: Option<String>,
}

impl Args {
    /// Reads the arguments; `None` when not run by `cargo bench` (cargo passes `--bench`), so
    /// that `cargo test --benches` does not spend a minute on a benchmark. `-- --quick` asks
    /// for a shorter run, `-- --only=TEXT` for the contestants whose name contains `TEXT`,
    /// `-- --scenario=TEXT` for the scenarios whose name does.
    pub fn parse() -> Option<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if !args.iter().any(|a| a == "--bench") {
            println!(
                "benchmark skipped: run it with `cargo bench` (add `-- --quick` for a short run)"
            );
            return None;
        }
        Some(Self {
            quick: args.iter().any(|a| a == "--quick"),
            only: args
                .iter()
                .find_map(|a| a.strip_prefix("--only="))
                .map(str::to_owned),
            scenario: args
                .iter()
                .find_map(|a| a.strip_prefix("--scenario="))
                .map(str::to_owned),
        })
    }

    /// Whether to run the scenario called `name`.
    pub fn runs_scenario(&self, name: &str) -> bool {
        self.scenario
            .as_deref()
            .is_none_or(|scenario| name.contains(scenario))
    }

    /// Whether to run the contestant called `name`.
    pub fn runs(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|only| name.contains(only))
    }
}

/// The clients' runtime: two workers, as many as the machine the numbers were taken on has cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime")
}

/// One request as a client saw it.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The request's id.
    pub id: u32,
    /// When the schedule asked for it (its start, in a closed loop).
    pub due: Instant,
    /// Its first attempt.
    pub start: Instant,
    /// When it succeeded or failed for good.
    pub end: Instant,
    /// Whether it succeeded.
    pub ok: bool,
}

/// `clients` clients share `n` requests, each sending its next one as soon as the previous one
/// has succeeded or failed for good. No request starts after `deadline`, and one still running
/// then counts as failed. Returns the outcomes of the requests that started.
pub async fn closed_loop(
    call: &Call,
    n: u32,
    clients: u32,
    t0: Instant,
    deadline: Duration,
) -> Vec<Outcome> {
    let next = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (call, next) = (Arc::clone(call), Arc::clone(&next));
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                loop {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    let left = deadline.saturating_sub(t0.elapsed());
                    if id >= n || left.is_zero() {
                        break;
                    }
                    let start = Instant::now();
                    let ok = tokio::time::timeout(left, call(id)).await.unwrap_or(false);
                    outcomes.push(Outcome {
                        id,
                        due: start,
                        start,
                        end: Instant::now(),
                        ok,
                    });
                }
                outcomes
            })
        })
        .collect();
    join(tasks).await
}

/// `n` requests due at an even rate over `span` from `t0`; client `c` of `clients` sends
/// requests `c`, `c + clients`, ... one after another, each when it is due or, if the client
/// is still busy with an earlier one, as soon as it is free. Bounded by `deadline` like
/// [`closed_loop`].
pub async fn open_loop(
    call: &Call,
    n: u32,
    clients: u32,
    span: Duration,
    t0: Instant,
    deadline: Duration,
) -> Vec<Outcome> {
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let call = Arc::clone(call);
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for id in (c..n).step_by(clients as usize) {
                    let due = t0 + span * id / n;
                    tokio::time::sleep_until(due.into()).await;
                    let left = deadline.saturating_sub(t0.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    let start = Instant::now();
                    let ok = tokio::time::timeout(left, call(id)).await.unwrap_or(false);
                    outcomes.push(Outcome {
                        id,
                        due,
                        start,
                        end: Instant::now(),
                        ok,
                    });
                }
                outcomes
            })
        })
        .collect();
    join(tasks).await
}

async fn join(tasks: Vec<tokio::task::JoinHandle<Vec<Outcome>>>) -> Vec<Outcome> {
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client task"));
    }
    all
}

/// The `q` quantile (0..=1) of `values`, nearest rank; zero if empty.
pub fn quantile(values: &mut [Duration], q: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    values.sort_unstable();
    // Ranks are small (at most a few thousand requests), so the casts are exact.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// Seconds with two decimals.
pub fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// `a / b`, as a float; zero when `b` is.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Prints a Markdown table.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    println!("| {} |", header.join(" | "));
    let rule: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, _)| if i == 0 { "---".into() } else { "---:".into() })
        .collect();
    println!("|{}|", rule.join("|"));
    for row in rows {
        println!("| {} |", row.join(" | "));
    }
}
