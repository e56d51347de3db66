//! Many processes, one quota: N client processes (N = 1, 2, 4, 8) share one rate-limited server
//! on 127.0.0.1, a fixed window of 50 requests a second counted at the server, and 600 requests
//! split evenly between them, each process sending with 4 callers in a closed loop.
//!
//! `cargo bench -p errspec-tests --bench fleet` runs every scenario with every contestant; add
//! `-- --quick` for N = 1 and 4 only, `-- --scenario=TEXT` for the scenarios whose name contains
//! `TEXT`, `-- --only=TEXT` for the contestants whose name does. The benchmark starts its own
//! `redis-server` on a free port for the `RedisStore` rows (and says how to install it when it
//! is missing; with `ERRSPEC_REQUIRE_REDIS=1` a missing one is an error), and runs itself again
//! as each worker process (`--fleet-worker`).
//!
//! Scenarios: `github` (the quota stated on every response in GitHub's `x-ratelimit-*` headers,
//! 429 with `Retry-After`), `learned` (no quota headers: errspec learns the quota from the
//! 429s), `retry-after` (no quota headers, and errspec's pacing off: the server's holds only),
//! and `redis-killed` (`github` at N = 4 with the `RedisStore` rows only, `redis-server`
//! killed 2 s into the run). Contestants: errspec with each process's own state, errspec with
//! a `RedisStore` all processes share, governor configured by hand with each process's share of
//! the quota (50 / N a second) and `Retry-After`, and backon with a hand-written `Retry-After`.
//!
//! Wall time runs from the moment all workers start (one shared instant, on a whole epoch
//! second, so that GitHub's windows end as `x-ratelimit-reset` states) to the end of the last
//! worker's last request; the ideal is 11 s (the 600th request is admitted in the 12th window).
//! A request fails when it has not succeeded when its process gives up on it or at the run's
//! deadline (120 s). Each row is printed as a table row and as one summary line:
//! `fleet: N=8 store=redis scenario=github refused=0.4% wall=1.02x failed=0`.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::contestants::{self, Call, KnownQuota, Target};
use common::server::{Mode, QuotaHeaders, Server};
use common::{Args, print_table, ratio, secs};
use errspec_test_support::redis::RedisServer;

/// The server's quota: 50 requests per 1 s window.
const LIMIT: u32 = 50;
const WINDOW: Duration = Duration::from_secs(1);
/// Requests in all, split evenly between the processes, and callers per process.
const REQUESTS: u32 = 600;
const CALLERS: u32 = 4;
/// The fleet sizes.
const FLEETS: [u32; 4] = [1, 2, 4, 8];
const QUICK_FLEETS: [u32; 2] = [1, 4];
/// The 600th request is admitted at the start of window 11.
const IDEAL: Duration = Duration::from_secs(11);
/// No request starts after this, and one still running then fails.
const DEADLINE: Duration = Duration::from_secs(120);
/// When the `redis-killed` scenario kills `redis-server`.
const KILL_AFTER: Duration = Duration::from_secs(2);

/// A kind of server, and what errspec reads of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    GitHub,
    Learned,
    RetryAfter,
    RedisKilled,
}

impl Scenario {
    const ALL: [Self; 4] = [
        Self::GitHub,
        Self::Learned,
        Self::RetryAfter,
        Self::RedisKilled,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::GitHub => "github",
            Self::Learned => "learned",
            Self::RetryAfter => "retry-after",
            Self::RedisKilled => "redis-killed",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::GitHub => {
                "GitHub-style `x-ratelimit-*` headers on every response, 429 with Retry-After"
            }
            Self::Learned => "no quota headers, 429 with Retry-After; errspec learns the quota",
            Self::RetryAfter => {
                "no quota headers, 429 with Retry-After; errspec's pacing off (holds only)"
            }
            Self::RedisKilled => "as `github`, N = 4, with `redis-server` killed 2 s into the run",
        }
    }

    fn mode(self) -> Mode {
        match self {
            Self::GitHub | Self::RedisKilled => Mode::Quota {
                limit: LIMIT,
                window: WINDOW,
                headers: QuotaHeaders::GitHub,
            },
            Self::Learned | Self::RetryAfter => Mode::RateLimit {
                limit: LIMIT,
                window: WINDOW,
            },
        }
    }

    fn fleets(self, quick: bool) -> &'static [u32] {
        match self {
            Self::RedisKilled => &[4],
            _ if quick => &QUICK_FLEETS,
            _ => &FLEETS,
        }
    }

    fn contestants(self) -> &'static [Who] {
        match self {
            Self::RedisKilled => &[Who::Redis],
            _ => &Who::ALL,
        }
    }

    /// The `RedisStore` rows' targets at N = 8 (refused % of sent, wall over ideal), if any.
    fn targets(self) -> Option<(f64, f64)> {
        match self {
            Self::GitHub => Some((1.0, 1.05)),
            Self::Learned => Some((5.0, 1.10)),
            Self::RetryAfter | Self::RedisKilled => None,
        }
    }
}

/// A contestant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Local,
    Redis,
    Governor,
    Backon,
}

impl Who {
    const ALL: [Self; 4] = [Self::Local, Self::Redis, Self::Governor, Self::Backon];

    fn name(self) -> &'static str {
        match self {
            Self::Local => "errspec, in-process state",
            Self::Redis => "errspec + RedisStore",
            Self::Governor => "governor (quota / N) + Retry-After",
            Self::Backon => "backon + hand-written Retry-After",
        }
    }

    /// Its name in the summary lines and on a worker's command line.
    fn store(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Redis => "redis",
            Self::Governor => "governor",
            Self::Backon => "backon",
        }
    }

    fn from_store(store: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.store() == store)
    }
}

/// What a worker process is told on its command line.
struct Job {
    scenario: Scenario,
    who: Who,
    base: String,
    redis: Option<String>,
    prefix: String,
    fleet: u32,
    requests: u32,
    start_ms: u64,
}

impl Job {
    fn to_args(&self) -> Vec<String> {
        vec![
            "--fleet-worker".into(),
            self.scenario.name().into(),
            self.who.store().into(),
            self.base.clone(),
            self.redis.clone().unwrap_or_else(|| "-".into()),
            self.prefix.clone(),
            self.fleet.to_string(),
            self.requests.to_string(),
            self.start_ms.to_string(),
        ]
    }

    fn from_args(args: &[String]) -> Option<Self> {
        let [
            scenario,
            who,
            base,
            redis,
            prefix,
            fleet,
            requests,
            start_ms,
        ] = args
        else {
            return None;
        };
        Some(Self {
            scenario: Scenario::from_name(scenario)?,
            who: Who::from_store(who)?,
            base: base.clone(),
            redis: (redis != "-").then(|| redis.clone()),
            prefix: prefix.clone(),
            fleet: fleet.parse().ok()?,
            requests: requests.parse().ok()?,
            start_ms: start_ms.parse().ok()?,
        })
    }
}

fn unix_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// Sleeps until `at_ms` on the system clock.
fn sleep_until_ms(at_ms: u64) {
    std::thread::sleep(Duration::from_millis(at_ms.saturating_sub(unix_ms())));
}

/// The client of `job`'s contestant.
async fn make_call(job: &Job) -> Call {
    let mut target = Target::items(job.base.clone());
    match (job.who, job.scenario) {
        (Who::Local, Scenario::GitHub | Scenario::RedisKilled) => {
            contestants::pacing_github::client(&target, None)
        }
        (Who::Local, Scenario::Learned) => contestants::pacing_learned::client(&target, None),
        (Who::Local, Scenario::RetryAfter) => contestants::holds_only::client(&target, None),
        (Who::Redis, scenario) => {
            let url = job.redis.as_deref().unwrap_or("redis://127.0.0.1:6379");
            let store = errspec_redis::RedisStore::connect(url)
                .await
                .expect("the benchmark's redis-server answers")
                .with_prefix(job.prefix.as_str());
            match scenario {
                Scenario::GitHub | Scenario::RedisKilled => {
                    contestants::pacing_github::client_in(&target, store)
                }
                Scenario::Learned => contestants::pacing_learned::client_in(&target, store),
                Scenario::RetryAfter => contestants::holds_only::client_in(&target, store),
            }
        }
        (Who::Governor, _) => {
            target.item_quota = Some(KnownQuota {
                per_second: (LIMIT / job.fleet).max(1),
                burst: 1,
            });
            contestants::governor(&target)
        }
        (Who::Backon, _) => contestants::backon(&target, true),
    }
}

/// A worker process: runs its share of the requests from the job's start and prints one line,
/// `fleet-worker ok=K failed=F end_ms=T`.
fn worker(job: &Job) {
    let runtime = common::runtime();
    let (ok, end_ms) = runtime.block_on(async {
        let call = make_call(job).await;
        tokio::time::sleep(Duration::from_millis(
            job.start_ms.saturating_sub(unix_ms()),
        ))
        .await;
        let outcomes =
            common::closed_loop(&call, job.requests, CALLERS, Instant::now(), DEADLINE).await;
        (outcomes.iter().filter(|o| o.ok).count(), unix_ms())
    });
    let failed = usize::try_from(job.requests).unwrap_or(usize::MAX) - ok;
    println!("fleet-worker ok={ok} failed={failed} end_ms={end_ms}");
    std::io::stdout().flush().expect("stdout");
}

/// One row: what the server saw and the workers said.
struct Row {
    ok: u64,
    failed: u64,
    wall: Duration,
    sent: u64,
    refused: u64,
}

impl Row {
    fn refused_pct(&self) -> f64 {
        100.0 * ratio(self.refused, self.sent)
    }

    fn wall_ratio(&self) -> f64 {
        self.wall.as_secs_f64() / IDEAL.as_secs_f64()
    }
}

/// Runs `fleet` workers of `who` against a fresh server of `scenario`.
fn run(
    scenario: Scenario,
    who: Who,
    fleet: u32,
    redis: Option<&mut RedisServer>,
    tag: &str,
) -> Row {
    let server = Server::start(scenario.mode());
    // a whole epoch second at least 1.5 s ahead: time for the workers to start
    let start_ms = (unix_ms() + 1_500).div_ceil(1_000) * 1_000;
    let redis_url = redis.as_ref().map(|r| r.url());
    let workers: Vec<Child> = (0..fleet)
        .map(|i| {
            let share = REQUESTS / fleet + u32::from(i < REQUESTS % fleet);
            let job = Job {
                scenario,
                who,
                base: server.base_url(),
                redis: redis_url.clone(),
                prefix: format!("fleet-{tag}"),
                fleet,
                requests: share,
                start_ms,
            };
            Command::new(std::env::current_exe().expect("the benchmark's path"))
                .args(job.to_args())
                .stdout(Stdio::piped())
                .spawn()
                .expect("a worker process")
        })
        .collect();
    sleep_until_ms(start_ms.saturating_sub(200));
    if matches!(scenario.mode(), Mode::Quota { .. }) {
        // waits for the next whole epoch second: `start_ms`
        server.start_clock();
    } else {
        sleep_until_ms(start_ms);
        server.start_clock();
    }
    if scenario == Scenario::RedisKilled
        && let Some(redis) = redis
    {
        sleep_until_ms(start_ms + u64::try_from(KILL_AFTER.as_millis()).unwrap_or(0));
        redis.kill();
    }
    let (mut ok, mut failed, mut end_ms) = (0, 0, start_ms);
    for mut worker in workers {
        let stdout = worker.stdout.take().expect("a piped stdout");
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Some(fields) = line.strip_prefix("fleet-worker ") else {
                continue;
            };
            for field in fields.split(' ') {
                match field.split_once('=') {
                    Some(("ok", v)) => ok += v.parse::<u64>().unwrap_or(0),
                    Some(("failed", v)) => failed += v.parse::<u64>().unwrap_or(0),
                    Some(("end_ms", v)) => end_ms = end_ms.max(v.parse().unwrap_or(0)),
                    _ => {}
                }
            }
        }
        let status = worker.wait().expect("a worker's exit");
        assert!(status.success(), "a worker failed: {status}");
    }
    // a worker that printed nothing counts its requests as failed
    failed = u64::from(REQUESTS).saturating_sub(ok).max(failed);
    let counts = server.counts();
    Row {
        ok,
        failed,
        wall: Duration::from_millis(end_ms - start_ms),
        sent: counts.received,
        refused: counts.limited,
    }
}

/// `figure`, then whether it met its target.
fn met(ok: bool, figure: &str) -> String {
    format!("{figure} ({})", if ok { "met" } else { "**missed**" })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(rest) = args.strip_prefix(&["--fleet-worker".to_owned()]) {
        let job = Job::from_args(rest).expect("a worker's arguments");
        worker(&job);
        return;
    }
    let Some(args) = Args::parse() else { return };
    let wants_redis = Who::ALL
        .iter()
        .any(|w| *w == Who::Redis && args.runs(w.name()));
    let mut redis = if wants_redis {
        RedisServer::start()
    } else {
        None
    };
    println!("## Many processes, one quota\n");
    println!(
        "{REQUESTS} requests split evenly between N processes of {CALLERS} callers each; a fixed \
         window of {LIMIT} a second counted at the server; ideal wall time {}s\n",
        secs(IDEAL)
    );
    let mut summary = Vec::new();
    for (index, scenario) in Scenario::ALL.into_iter().enumerate() {
        if !args.runs_scenario(scenario.name()) {
            continue;
        }
        println!("### `{}`: {}\n", scenario.name(), scenario.describe());
        let mut rows = Vec::new();
        let mut local_n1 = None;
        let mut checks = Vec::new();
        for &fleet in scenario.fleets(args.quick) {
            for &who in scenario.contestants() {
                if !args.runs(who.name()) {
                    continue;
                }
                if who == Who::Redis && redis.is_none() {
                    if scenario == Scenario::RedisKilled {
                        redis = RedisServer::start();
                    }
                    if redis.is_none() {
                        continue;
                    }
                }
                let tag = format!("{index}-{fleet}-{}-{}", who.store(), unix_ms());
                let store = if who == Who::Redis {
                    redis.as_mut()
                } else {
                    None
                };
                let row = run(scenario, who, fleet, store, &tag);
                let line = format!(
                    "fleet: N={fleet} store={} scenario={} refused={:.1}% wall={:.2}x failed={}",
                    who.store(),
                    scenario.name(),
                    row.refused_pct(),
                    row.wall_ratio(),
                    row.failed
                );
                eprintln!("{line}");
                summary.push(line);
                if who == Who::Local && fleet == 1 {
                    local_n1 = Some(row.wall);
                }
                if who == Who::Redis {
                    checks.extend(redis_checks(scenario, fleet, &row, local_n1));
                }
                rows.push(vec![
                    who.name().to_owned(),
                    fleet.to_string(),
                    row.ok.to_string(),
                    row.failed.to_string(),
                    secs(row.wall),
                    format!("{:.3}", row.wall_ratio()),
                    row.sent.to_string(),
                    row.refused.to_string(),
                    format!("{:.1}", row.refused_pct()),
                ]);
            }
        }
        print_table(
            &[
                "contestant",
                "N",
                "completed",
                "failed",
                "wall s",
                "wall / ideal",
                "sent",
                "429s",
                "429 % of sent",
            ],
            &rows,
        );
        println!();
        if !checks.is_empty() {
            print_table(&["RedisStore row", "target", "figure"], &checks);
            println!();
        }
        if scenario == Scenario::RedisKilled {
            // the other scenarios need a live server again
            redis = None;
        }
    }
    println!("```");
    for line in summary {
        println!("{line}");
    }
    println!("```");
}

/// The issue's targets for a `RedisStore` row, each with its figure and whether it was met.
fn redis_checks(
    scenario: Scenario,
    fleet: u32,
    row: &Row,
    local_n1: Option<Duration>,
) -> Vec<Vec<String>> {
    let mut checks = Vec::new();
    let label = format!("N = {fleet}");
    if scenario == Scenario::RedisKilled {
        checks.push(vec![
            label.clone(),
            "0 failed".into(),
            met(row.failed == 0, &row.failed.to_string()),
        ]);
        checks.push(vec![
            label,
            "wall <= 2x ideal".into(),
            met(
                row.wall_ratio() <= 2.0,
                &format!("{:.3}x", row.wall_ratio()),
            ),
        ]);
        return checks;
    }
    if fleet == 1
        && let Some(local) = local_n1
    {
        let cost = row.wall.as_secs_f64() / local.as_secs_f64();
        checks.push(vec![
            label.clone(),
            "wall <= 1.02x in-process".into(),
            met(cost <= 1.02, &format!("{cost:.3}x")),
        ]);
    }
    if fleet == 8
        && let Some((refused, wall)) = scenario.targets()
    {
        checks.push(vec![
            label.clone(),
            "0 failed".into(),
            met(row.failed == 0, &row.failed.to_string()),
        ]);
        checks.push(vec![
            label.clone(),
            format!("refused <= {refused:.0} %"),
            met(
                row.refused_pct() <= refused,
                &format!("{:.1} %", row.refused_pct()),
            ),
        ]);
        checks.push(vec![
            label,
            format!("wall <= {wall:.2}x ideal"),
            met(
                row.wall_ratio() <= wall,
                &format!("{:.3}x", row.wall_ratio()),
            ),
        ]);
    }
    checks
}
