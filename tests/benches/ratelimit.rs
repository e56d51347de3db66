//! Rate-limited goodput: retry stacks side by side against rate-limited servers, one scenario
//! (one kind of limit) after another.
//!
//! `cargo bench -p errspec-tests --bench ratelimit` runs every scenario with every contestant;
//! add `-- --quick` for fewer requests, `-- --scenario=TEXT` for the scenarios whose name
//! contains `TEXT`, `-- --only=TEXT` for the contestants whose name does. The server on
//! 127.0.0.1 answers a refused request 429 with `Retry-After` = the whole seconds until it would
//! admit one, rounded up. 16 clients (512 in `concurrent-512`) share the scenario's requests,
//! each sending its next request once the previous one has succeeded or failed for good. Every
//! contestant gets a fresh server and the same load; see BENCHMARKS.md ("Scenarios") for each
//! server and its ideal wall time, and for what the columns mean.

mod common;

use std::time::Duration;

use common::contestants::{self, KnownQuota, Target};
use common::limits::{self, QuotaChange};
use common::server::{Endpoint, Mode, QuotaHeaders, Server};
use common::{Args, Contestant, Outcome, print_table, quantile, ratio, secs};

/// The quota of every server but the scoped one's `/search`: 50 per 1 s.
const LIMIT: u32 = 50;
const WINDOW: Duration = Duration::from_secs(1);
const CLIENTS: u32 = 16;

/// `concurrent-512`: many callers against a short window that states its quota.
const MANY_CLIENTS: u32 = 512;
const SHORT_LIMIT: u32 = 40;
const SHORT_WINDOW: Duration = Duration::from_millis(200);

/// What the errspec rows of a scenario aim for.
#[derive(Debug, Clone, Copy)]
struct Targets {
    /// Requests failed, at most.
    failed: u64,
    /// 429s as a percentage of what was sent, at most.
    refused_pct: f64,
    /// Wall time over the ideal, at most.
    wall_ratio: f64,
}

/// One server and load, with the contestants' table.
struct Scenario {
    /// What `--scenario=` matches.
    name: &'static str,
    /// The table's heading.
    title: &'static str,
    /// The server, for the line under the heading.
    server: String,
    mode: Mode,
    /// Requests in all.
    n: u32,
    /// Callers in the closed loop.
    clients: u32,
    /// No client can finish sooner: see each scenario's formula.
    ideal: Duration,
    /// The formula, for the line under the heading.
    ideal_formula: String,
    /// Where requests go and the quota a user who knows the server configures by hand.
    search_every: Option<u32>,
    item_quota: Option<KnownQuota>,
    search_quota: Option<KnownQuota>,
    /// The same server without the limit of `/search`: a second run of each contestant against it
    /// gives `/item`'s latency without 429s on `/search`.
    baseline: Option<Mode>,
    /// The errspec rows' targets, printed under the table with whether each row met them.
    targets: Option<Targets>,
}

/// Windows of `limit_of(i)` requests (window `i` starting at `i * window`): the start of the
/// window that admits the `n`-th request when every window is filled from its start.
fn windows_ideal(n: u32, window: Duration, limit_of: impl Fn(u32) -> u32) -> Duration {
    let (mut admitted, mut i) = (0, 0);
    loop {
        admitted += limit_of(i);
        if admitted >= n {
            return window * i;
        }
        i += 1;
    }
}

/// A token bucket of `rate` a second and `burst`, full at the start: request `k` (from 1) can be
/// admitted at `(k - burst) / rate` at the earliest.
fn bucket_ideal(n: u32, rate: u32, burst: u32) -> Duration {
    Duration::from_secs(1) * n.saturating_sub(burst) / rate
}

/// The scenarios, in the order they run.
fn scenarios(quick: bool) -> Vec<Scenario> {
    let size = |full: u32, short: u32| if quick { short } else { full };
    // 50 a second with no burst: never more than 50 in any 1 s, so it never oversteps a fixed or
    // sliding window of 50 per 1 s (a burst of b lets b + 49 through in one window)
    let even = Some(KnownQuota {
        per_second: LIMIT,
        burst: 1,
    });
    let fixed = |name, title, server: &str, mode, n| Scenario {
        name,
        title,
        server: server.to_owned(),
        mode,
        n,
        clients: CLIENTS,
        ideal: windows_ideal(n, WINDOW, |_| LIMIT),
        ideal_formula: format!("start of the last of the ceil({n} / {LIMIT}) windows"),
        search_every: None,
        item_quota: even,
        search_quota: None,
        baseline: None,
        targets: None,
    };
    let change = if quick {
        QuotaChange {
            low: LIMIT / 2,
            from: Duration::from_secs(2),
            until: Duration::from_secs(4),
        }
    } else {
        QuotaChange {
            low: LIMIT / 2,
            from: Duration::from_secs(5),
            until: Duration::from_secs(10),
        }
    };
    let (bucket_n, burst) = (size(200, 100), 10);
    let sliding_n = size(300, 150);
    let drop_n = size(450, 175);
    let (scoped_n, search_every, search_limit) = (size(300, 150), 5, 10);
    let searches = scoped_n.div_ceil(search_every);
    let many_n = size(2048, 1024);
    vec![
        fixed(
            "fixed",
            "Fixed window, no quota headers",
            "fixed window of 50 per 1 s",
            Mode::RateLimit {
                limit: LIMIT,
                window: WINDOW,
            },
            size(600, 200),
        ),
        fixed(
            "github",
            "Fixed window with GitHub's x-ratelimit-* headers",
            "fixed window of 50 per 1 s; x-ratelimit-limit, -remaining and -reset (epoch \
             seconds) on every response",
            Mode::Quota {
                limit: LIMIT,
                window: WINDOW,
                headers: QuotaHeaders::GitHub,
            },
            size(300, 150),
        ),
        fixed(
            "ietf",
            "Fixed window with the IETF RateLimit fields",
            "fixed window of 50 per 1 s; `RateLimit: \"default\";r=R;t=T` and \
             `RateLimit-Policy: \"default\";q=50;w=1` on every response",
            Mode::Quota {
                limit: LIMIT,
                window: WINDOW,
                headers: QuotaHeaders::Ietf,
            },
            size(300, 150),
        ),
        Scenario {
            name: "token-bucket",
            title: "Token bucket, no quota headers",
            server: format!("token bucket of 50 a second, burst {burst}, full at the start"),
            mode: Mode::TokenBucket { rate: LIMIT, burst },
            n: bucket_n,
            clients: CLIENTS,
            ideal: bucket_ideal(bucket_n, LIMIT, burst),
            ideal_formula: format!("({bucket_n} - {burst}) / {LIMIT} s"),
            search_every: None,
            item_quota: Some(KnownQuota {
                per_second: LIMIT,
                burst,
            }),
            search_quota: None,
            baseline: None,
            targets: None,
        },
        Scenario {
            name: "sliding-window",
            title: "Sliding window, no quota headers",
            server: "at most 50 in any 1 s".to_owned(),
            mode: Mode::SlidingWindow {
                limit: LIMIT,
                window: WINDOW,
            },
            n: sliding_n,
            clients: CLIENTS,
            ideal: windows_ideal(sliding_n, WINDOW, |_| LIMIT),
            ideal_formula: format!(
                "request k waits 1 s after request k - 50: ceil({sliding_n} / {LIMIT}) - 1 s"
            ),
            search_every: None,
            item_quota: even,
            search_quota: None,
            baseline: None,
            targets: None,
        },
        Scenario {
            name: "quota-drop",
            title: "Fixed window whose quota drops, no quota headers",
            server: format!(
                "fixed window of 50 per 1 s, 25 in the windows from {} s to {} s",
                change.from.as_secs(),
                change.until.as_secs()
            ),
            mode: Mode::QuotaChange {
                limit: LIMIT,
                window: WINDOW,
                change,
            },
            n: drop_n,
            clients: CLIENTS,
            ideal: windows_ideal(drop_n, WINDOW, |i| {
                let start = WINDOW * i;
                if start >= change.from && start < change.until {
                    change.low
                } else {
                    LIMIT
                }
            }),
            ideal_formula: "start of the window that admits the last request, each window filled"
                .to_owned(),
            search_every: None,
            // the documented quota: the drop is what it does not know
            item_quota: even,
            search_quota: None,
            baseline: None,
            targets: None,
        },
        Scenario {
            name: "scoped",
            title: "Two endpoints limited apart",
            server: format!(
                "`/search` (every {search_every}th request) in a fixed window of \
                 {search_limit} per 1 s; `/item` not limited"
            ),
            mode: Mode::Scoped {
                search_limit: Some(search_limit),
                window: WINDOW,
            },
            n: scoped_n,
            clients: CLIENTS,
            ideal: windows_ideal(searches, WINDOW, |_| search_limit),
            ideal_formula: format!(
                "start of the last of the ceil({searches} / {search_limit}) windows of the \
                 {searches} searches"
            ),
            search_every: Some(search_every),
            item_quota: None,
            search_quota: Some(KnownQuota {
                per_second: search_limit,
                burst: 1,
            }),
            baseline: Some(Mode::Scoped {
                search_limit: None,
                window: WINDOW,
            }),
            targets: None,
        },
        Scenario {
            name: "concurrent-512",
            title: "512 concurrent callers, a short window that states its quota",
            server: format!(
                "fixed window of {SHORT_LIMIT} per {} ms; x-ratelimit-limit, -remaining and \
                 -reset-after (seconds to the window's end, 3 decimals) on every response",
                SHORT_WINDOW.as_millis()
            ),
            mode: Mode::Quota {
                limit: SHORT_LIMIT,
                window: SHORT_WINDOW,
                headers: QuotaHeaders::ResetAfter,
            },
            n: many_n,
            clients: MANY_CLIENTS,
            ideal: windows_ideal(many_n, SHORT_WINDOW, |_| SHORT_LIMIT),
            ideal_formula: format!(
                "start of the last of the ceil({many_n} / {SHORT_LIMIT}) windows of {} ms",
                SHORT_WINDOW.as_millis()
            ),
            search_every: None,
            // 40 per 200 ms evenly: one every 5 ms, never more than 40 in a window
            item_quota: Some(KnownQuota {
                per_second: SHORT_LIMIT * 5,
                burst: 1,
            }),
            search_quota: None,
            baseline: None,
            targets: Some(Targets {
                failed: 0,
                refused_pct: 1.0,
                wall_ratio: 1.05,
            }),
        },
    ]
}

/// The contestants every scenario runs.
const CONTESTANTS: [Contestant; 8] = [
    ("errspec: client macro, spec defaults", |target| {
        contestants::errspec(target, None)
    }),
    (
        "errspec: Retrier::run, spec defaults",
        contestants::errspec_run,
    ),
    ("governor (true quota) + Retry-After", contestants::governor),
    (
        "reqwest-retry (ExponentialBackoff, 3 retries)",
        contestants::reqwest_retry,
    ),
    ("backon (ExponentialBuilder + jitter)", |target| {
        contestants::backon(target, false)
    }),
    ("backon + hand-written Retry-After", |target| {
        contestants::backon(target, true)
    }),
    ("immediate retry (3 tries)", |target| {
        contestants::immediate(target, 3)
    }),
    ("immediate retry (until success)", |target| {
        contestants::immediate(target, u32::MAX)
    }),
];

/// The three errspec rows of one `[rate_limit]` spec: the client macro, the reqwest-middleware
/// `RetryMiddleware` and the tower `RetryLayer`, all under the spec `$file` of `$module`.
macro_rules! pacing_rows {
    ($what:literal, $file:literal, $module:ident) => {
        vec![
            (concat!("errspec: ", $what, " (", $file, ")"), |target| {
                contestants::$module::client(target, None)
            }),
            (
                concat!("errspec middleware: ", $what, " (", $file, ")"),
                contestants::$module::middleware,
            ),
            (
                concat!("errspec tower layer: ", $what, " (", $file, ")"),
                contestants::$module::tower,
            ),
        ]
    };
}

/// The errspec contestants with the `[rate_limit]` spec for the scenario called `scenario`
/// (through the client macro, the middleware and the tower layer), which run after the other
/// errspec rows.
fn pacing(scenario: &str) -> Vec<Contestant> {
    match scenario {
        "github" => pacing_rows!(
            "pacing from x-ratelimit-*",
            "pacing-github.toml",
            pacing_github
        ),
        "ietf" => pacing_rows!("pacing from RateLimit", "pacing-ietf.toml", pacing_ietf),
        "scoped" => pacing_rows!(
            "pacing, scope = method",
            "pacing-method.toml",
            pacing_method
        ),
        "concurrent-512" => pacing_rows!(
            "pacing from x-ratelimit-reset-after",
            "pacing-reset-after.toml",
            pacing_reset_after
        ),
        _ => pacing_rows!(
            "pacing learned from 429s",
            "pacing-learned.toml",
            pacing_learned
        ),
    }
}

/// One contestant's run against a fresh server in `mode`.
struct Run {
    outcomes: Vec<Outcome>,
    wall: Duration,
    counts: common::server::Counts,
}

fn run(
    scenario: &Scenario,
    mode: Mode,
    make: fn(&Target) -> contestants::Call,
    runtime: &tokio::runtime::Runtime,
    deadline: Duration,
) -> Run {
    let server = Server::start(mode);
    let call = make(&Target {
        base: server.base_url(),
        search_every: scenario.search_every,
        item_quota: scenario.item_quota,
        search_quota: scenario.search_quota,
    });
    let t0 = server.start_clock();
    let outcomes = runtime.block_on(common::closed_loop(
        &call,
        scenario.n,
        scenario.clients,
        t0,
        deadline,
    ));
    let wall = outcomes
        .iter()
        .map(|o| o.end)
        .max()
        .unwrap_or(t0)
        .saturating_duration_since(t0);
    drop(call);
    let counts = server.counts();
    drop(server);
    // let sockets in TIME_WAIT and the machine settle between runs
    std::thread::sleep(Duration::from_millis(200));
    Run {
        outcomes,
        wall,
        counts,
    }
}

/// The latencies, first attempt to success, of the requests that succeeded and `keep` keeps.
fn latencies(outcomes: &[Outcome], keep: impl Fn(&Outcome) -> bool) -> Vec<Duration> {
    outcomes
        .iter()
        .filter(|o| o.ok && keep(o))
        .map(|o| o.end - o.start)
        .collect()
}

/// Milliseconds with one decimal.
fn millis(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    limits::self_check();
    let Some(args) = Args::parse() else { return };
    let deadline = Duration::from_secs(if args.quick { 60 } else { 120 });
    let runtime = common::runtime();
    println!("## Rate-limited goodput\n");
    for scenario in scenarios(args.quick) {
        if !args.runs_scenario(scenario.name) {
            continue;
        }
        let scoped = scenario.baseline.is_some();
        println!(
            "### {} (`{}`)\n\n{} requests, {} clients; {}; 429 with whole-second \
             Retry-After; ideal wall time {}s ({})\n",
            scenario.title,
            scenario.name,
            scenario.n,
            scenario.clients,
            scenario.server,
            secs(scenario.ideal),
            scenario.ideal_formula,
        );
        let contestants = CONTESTANTS[..2]
            .iter()
            .copied()
            .chain(pacing(scenario.name))
            .chain(CONTESTANTS[2..].iter().copied());
        let mut rows = Vec::new();
        let mut against_targets = Vec::new();
        for (name, make) in contestants {
            if !args.runs(name) {
                continue;
            }
            let limited = run(&scenario, scenario.mode, make, &runtime, deadline);
            let completed = limited.outcomes.iter().filter(|o| o.ok).count() as u64;
            let failed = u64::from(scenario.n) - completed;
            let mut all = latencies(&limited.outcomes, |_| true);
            let counts = limited.counts;
            let refused_pct = 100.0 * ratio(counts.limited, counts.received);
            let wall_ratio = limited.wall.as_secs_f64() / scenario.ideal.as_secs_f64();
            if let Some(targets) = scenario.targets
                && name.starts_with("errspec")
            {
                against_targets.push(vec![
                    name.to_owned(),
                    met(failed <= targets.failed, &failed.to_string()),
                    met(
                        refused_pct <= targets.refused_pct,
                        &format!("{refused_pct:.1} %"),
                    ),
                    met(
                        wall_ratio <= targets.wall_ratio,
                        &format!("{wall_ratio:.3}x"),
                    ),
                ]);
            }
            let mut row = vec![
                name.to_owned(),
                completed.to_string(),
                failed.to_string(),
                secs(limited.wall),
                format!("{wall_ratio:.3}"),
                counts.received.to_string(),
                counts.limited.to_string(),
                format!("{refused_pct:.1}"),
                secs(quantile(&mut all, 0.5)),
                secs(quantile(&mut all, 0.99)),
            ];
            if let Some(baseline) = scenario.baseline {
                let is_item =
                    |o: &Outcome| contestants::route(o.id, scenario.search_every) == Endpoint::Item;
                let mut with = latencies(&limited.outcomes, is_item);
                let unlimited = run(&scenario, baseline, make, &runtime, deadline);
                let mut without = latencies(&unlimited.outcomes, is_item);
                row.push(millis(quantile(&mut with, 0.99)));
                row.push(millis(quantile(&mut without, 0.99)));
            }
            rows.push(row);
            eprintln!(
                "{}: {name}: done in {}s; {} of the 429s in the first {}s",
                scenario.name,
                secs(limited.wall),
                counts.limited_early,
                secs(common::server::EARLY)
            );
        }
        let mut header = vec![
            "contestant",
            "completed",
            "failed",
            "wall s",
            "wall / ideal",
            "sent",
            "429s",
            "429 % of sent",
            "p50 s",
            "p99 s",
        ];
        if scoped {
            header.extend([
                "/item p99 ms, /search limited",
                "/item p99 ms, /search not limited",
            ]);
        }
        print_table(&header, &rows);
        println!();
        if let Some(targets) = scenario.targets
            && !against_targets.is_empty()
        {
            println!(
                "errspec rows against the targets: {} failed, <= {:.0} % refused, wall <= {:.2}x \
                 ideal\n",
                targets.failed, targets.refused_pct, targets.wall_ratio
            );
            print_table(
                &["contestant", "failed", "429 % of sent", "wall / ideal"],
                &against_targets,
            );
            println!();
        }
    }
}

/// `figure`, then whether it met its target.
fn met(ok: bool, figure: &str) -> String {
    format!("{figure} ({})", if ok { "met" } else { "**missed**" })
}
