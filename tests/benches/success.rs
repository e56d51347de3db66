//! The success path: what one call that succeeds at once costs, errspec's engine against backon,
//! with allocations counted, and what other calls in flight add to it.
//!
//! `cargo bench -p errspec-tests --bench success` (`-- --only=TEXT` for the rows whose name contains
//! `TEXT` and backon's, `-- --only==NAME` for the row named NAME, `-- --calls=N` for N calls per
//! repetition, to count instructions with callgrind, `-- --sequence` to print each row's
//! repetitions in the order they ran as well, `-- --processes=1` to time in one process, and
//! `-- --fixed-clock` to time the rows that read responses on a clock that stands still, which
//! shows what any clock read of theirs costs: none since answers far from the quota are
//! merged without the time). Every
//! row runs in a Tokio current-thread runtime, inside one `block_on`: a loop of N calls timed with
//! `Instant`, N chosen so that a repetition takes about 10 ms, and the median of 65 repetitions
//! printed as ns/call. The rows take turns: each round runs one repetition of every row, each
//! errspec one right after one of backon's of about as long, and a row's ratio to backon is the
//! median of its 65 ratios of a repetition to that backon one. A machine whose speed drifts over
//! the run (a shared host) slows both sides of each ratio alike, and a stretch of a second or so
//! in which the host slows this CPU falls on a few repetitions of every row, not on most of one
//! row's. The 65 rounds are made in five processes one after another (the bench starts itself
//! again with `--child=13`), since where a process's stack, heap and thread-locals land, drawn
//! anew for each, can slow one row for the whole of a process. A counting
//! global allocator (errspec-test-support's) counts the allocations of 10 000 more calls,
//! divided per call. Before timing, each errspec row is run with a sleeper that counts its
//! waits, and the bench stops if any call waited: the rows measure a call that is sent at once
//! and succeeds.
//!
//! The rows: backon's `retry` on a closure that returns `Ok` (the reference); `Retrier::run`;
//! a `#[errspec::client]` trait's async method on `Retrying<C>` for a spec without
//! `[rate_limit]`; the same for a spec whose `[rate_limit]` names quota headers, with the inner
//! client passing a prebuilt response's headers (a large quota left) to `errspec::observe`; and
//! for a `scope = "bucket"` spec whose responses name one bucket, alone and with 16 and 4 096
//! other calls of the same client in flight (sent, and waiting on a `Notify` for an answer that
//! comes after the measurement).

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable as _};
use errspec::http::{HeaderMap, HeaderValue};
use errspec::{Retrier, RetryConfig, Retrying, Sleeper, TokioSleeper};
use errspec_test_support::CountingAllocator;
use errspec_test_support::alloc::all_allocations;

/// Counts allocations (and reallocations) made through the system allocator.
#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// Where the calls held in flight wait for their answer.
#[derive(Default)]
struct Gate {
    answer: tokio::sync::Notify,
    /// Calls that have reached the gate.
    waiting: AtomicUsize,
}

impl Gate {
    async fn wait(&self) {
        let answered = self.answer.notified();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        answered.await;
    }
}

/// A client trait under `#[errspec::client(spec = ..)]`, in a module of its own, with an inner
/// client that answers at once (or, asked to `hold`, once its gate opens), passing `headers`, if
/// any, to `errspec::observe` as an HTTP client reports a response.
macro_rules! client {
    ($(#[$doc:meta])* $module:ident, $spec:literal) => {
        $(#[$doc])*
        mod $module {
            use std::sync::Arc;

            use errspec::http::HeaderMap;

            use super::Gate;

            /// The benchmark's API: one idempotent read.
            #[errspec::client(spec = $spec)]
            pub(crate) trait Api {
                /// Reads a value; with `hold`, its answer waits for the gate.
                #[errspec(idempotent)]
                async fn fetch(&self, hold: bool) -> Result<u32, ArdoqError>;
            }

            /// The inner client.
            #[derive(Clone, Default)]
            pub(crate) struct Inner {
                /// The headers of every response, if the spec reads any.
                pub(crate) headers: Option<Arc<HeaderMap>>,
                pub(crate) gate: Arc<Gate>,
            }

            impl Api for Inner {
                async fn fetch(&self, hold: bool) -> Result<u32, ArdoqError> {
                    if hold {
                        self.gate.wait().await;
                    }
                    if let Some(headers) = &self.headers {
                        errspec::observe(headers);
                    }
                    Ok(1)
                }
            }
        }
    };
}

client!(
    /// No `[rate_limit]`: the defaults (a hold on the whole client, pacing learned from 429s).
    plain,
    "../spec/ardoq.toml"
);
client!(
    /// `remaining`/`reset` from `x-ratelimit-remaining`/`x-ratelimit-reset-after`.
    quota,
    "benches/specs/pacing-reset-after.toml"
);
client!(
    /// `scope = "bucket"` with `bucket_header = "x-ratelimit-bucket"` and the same quota headers.
    bucket,
    "benches/specs/success-bucket.toml"
);

use bucket::Api as _;
use plain::Api as _;
use quota::Api as _;

/// The error type of the rows that need one (backon's and `Retrier::run`'s).
type E = plain::ArdoqError;

/// A response's headers stating a quota nothing will spend (a million left, reset in a minute),
/// and with `bucket`, the bucket they count in.
fn quota_headers(bucket: bool) -> Arc<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("1000000"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("1000000"));
    headers.insert(
        "x-ratelimit-reset-after",
        HeaderValue::from_static("60.000"),
    );
    if bucket {
        headers.insert("x-ratelimit-bucket", HeaderValue::from_static("core"));
    }
    Arc::new(headers)
}

/// A sleeper that counts its waits (and waits on Tokio's timer, as the default does): the check
/// that no call of a row waits.
#[derive(Default)]
struct Watch(AtomicUsize);

impl Sleeper for Watch {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.fetch_add(1, Ordering::Relaxed);
        TokioSleeper.sleep(duration)
    }

    fn now(&self) -> Instant {
        TokioSleeper.now()
    }
}

/// `client` with `watch` as its sleeper, if given; the default sleeper otherwise.
fn watched<C>(client: Retrying<C>, watch: Option<&Arc<Watch>>) -> Retrying<C> {
    match watch {
        Some(watch) => client.with_sleeper(Arc::clone(watch)),
        None => client,
    }
}

/// A sleeper whose clock stands still at the instant it was made, and which waits on Tokio's
/// timer: with `--fixed-clock`, the sleeper of the timed rows that read responses, to show
/// what any clock read per call of theirs costs. A diagnostic only: a clock that stands still
/// would never see a stated period end.
struct Fixed(Instant);

impl Sleeper for Fixed {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        TokioSleeper.sleep(duration)
    }

    fn now(&self) -> Instant {
        self.0
    }
}

/// `--fixed-clock`: the timed rows that read responses run on a [`Fixed`] clock.
fn fixed_clock() -> bool {
    std::env::args().any(|a| a == "--fixed-clock")
}

/// `client` for a timed row that reads responses: on the [`Fixed`] clock with
/// `--fixed-clock`, else as [`watched`] makes it.
fn reading<C>(client: Retrying<C>, watch: Option<&Arc<Watch>>) -> Retrying<C> {
    if watch.is_none() && fixed_clock() {
        return client.with_sleeper(Fixed(Instant::now()));
    }
    watched(client, watch)
}

/// The rows, in the order they run and print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Backon,
    Run,
    Method,
    Quota,
    /// The bucket-scoped call, with this many other calls of the client in flight.
    Bucket(usize),
}

impl Row {
    const ALL: [Self; 7] = [
        Self::Backon,
        Self::Run,
        Self::Method,
        Self::Quota,
        Self::Bucket(0),
        Self::Bucket(FEW),
        Self::Bucket(MANY),
    ];

    /// The row's place in [`Row::ALL`].
    fn index(self) -> usize {
        Self::ALL.iter().position(|row| *row == self).unwrap_or(0)
    }

    fn name(self) -> String {
        match self {
            Self::Backon => "backon".into(),
            Self::Run => "errspec Retrier::run".into(),
            Self::Method => "errspec Retrying method".into(),
            Self::Quota => "errspec with quota headers".into(),
            Self::Bucket(0) => "errspec scope = \"bucket\"".into(),
            Self::Bucket(n) => format!("errspec scope = \"bucket\", {n} in flight"),
        }
    }

    /// The most a call may cost, as a multiple of backon's, if the row has such a target.
    fn max_ratio(self) -> Option<f64> {
        match self {
            Self::Backon | Self::Bucket(FEW | MANY) => None,
            Self::Run | Self::Method => Some(2.0),
            Self::Quota | Self::Bucket(_) => Some(4.0),
        }
    }

    /// Whether the row's target asks for no allocation.
    fn no_allocation(self) -> bool {
        self != Self::Backon
    }
}

/// Other calls in flight for the in-flight rows.
const FEW: usize = 16;
const MANY: usize = 4096;
/// The most a call may cost with [`MANY`] in flight, as a multiple of its cost with [`FEW`].
const MAX_IN_FLIGHT_RATIO: f64 = 1.5;

/// Timed repetitions per row, and about how long each takes. Each repetition of an errspec row
/// comes right after one of backon's, and its ratio to backon is taken against that one.
const REPETITIONS: usize = 65;
/// The processes a timed run is split over, [`REPETITIONS`] / `PROCESSES` rounds each: each
/// has its own address layout (the stack, the heap and thread-locals land elsewhere each time),
/// and one layout can slow one row for the whole of a process.
const PROCESSES: usize = 5;
const REPETITION: Duration = Duration::from_millis(10);
/// Calls before timing, and calls whose allocations are counted.
const WARM_UP: u32 = 2_000;
const COUNTED: u32 = 10_000;

/// What one row measured.
struct Measured {
    /// ns/call of each repetition, sorted.
    ns: Vec<f64>,
    /// Each repetition's ns/call over that of the backon repetition just before it, sorted.
    ratios: Vec<f64>,
    /// Each repetition's ns/call and that of the backon repetition before it (0 for backon's
    /// row), in the order they ran.
    order: Vec<(f64, f64)>,
    /// Calls per repetition, in each process.
    calls: Vec<u32>,
    /// Allocations in [`COUNTED`] calls, in the process that made the most.
    allocations: usize,
}

impl Measured {
    /// What the repetitions in `order` measured (of backon's row if `reference`), of `calls`
    /// calls each (in each process), and `allocations` in [`COUNTED`] calls.
    fn new(reference: bool, order: Vec<(f64, f64)>, calls: Vec<u32>, allocations: usize) -> Self {
        let mut ns: Vec<f64> = order.iter().map(|(sample, _)| *sample).collect();
        let mut ratios: Vec<f64> = order
            .iter()
            .map(|(sample, backon)| if reference { 1.0 } else { sample / backon })
            .collect();
        ns.sort_by(f64::total_cmp);
        ratios.sort_by(f64::total_cmp);
        Self {
            ns,
            ratios,
            order,
            calls,
            allocations,
        }
    }

    /// The calls per repetition: one number, or the fewest to the most of the processes.
    fn calls_text(&self) -> String {
        let fewest = self.calls.iter().min().copied().unwrap_or(0);
        let most = self.calls.iter().max().copied().unwrap_or(0);
        if fewest == most {
            format!("{fewest}")
        } else {
            format!("{fewest} to {most}")
        }
    }

    fn median(&self) -> f64 {
        self.ns[self.ns.len() / 2]
    }

    /// The median of the ratios to backon's repetitions.
    fn ratio(&self) -> f64 {
        self.ratios[self.ratios.len() / 2]
    }

    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    fn allocations_per_call(&self) -> f64 {
        self.allocations as f64 / f64::from(COUNTED)
    }
}

/// The reference: one call through backon's `retry` that succeeds at once.
async fn backon_call() -> u32 {
    (|| async { Ok::<u32, E>(1) })
        .retry(ExponentialBuilder::default())
        .await
        .unwrap_or(0)
}

/// Calls per repetition of `call`: what takes about [`REPETITION`], or `--calls=N`.
async fn calls_per_repetition<F, Fut>(call: &mut F) -> u32
where
    F: FnMut() -> Fut,
    Fut: Future<Output = u32>,
{
    let start = Instant::now();
    for _ in 0..WARM_UP {
        black_box(call().await);
    }
    let per_call = start.elapsed() / WARM_UP;
    fixed_calls().unwrap_or_else(|| {
        u32::try_from(REPETITION.as_nanos() / per_call.as_nanos().max(1))
            .unwrap_or(u32::MAX)
            .clamp(1_000, 2_000_000)
    })
}

/// A row's call, on a client it owns.
trait Call {
    fn call(&self) -> impl Future<Output = u32> + '_;
}

/// backon's row, the reference.
struct Backon;

impl Call for Backon {
    fn call(&self) -> impl Future<Output = u32> + '_ {
        backon_call()
    }
}

impl Call for Retrier {
    async fn call(&self) -> u32 {
        self.run(true, || async { Ok::<u32, E>(1) })
            .await
            .unwrap_or(0)
    }
}

impl Call for Retrying<plain::Inner> {
    async fn call(&self) -> u32 {
        self.fetch(false).await.unwrap_or(0)
    }
}

impl Call for Retrying<quota::Inner> {
    async fn call(&self) -> u32 {
        self.fetch(false).await.unwrap_or(0)
    }
}

impl Call for Retrying<bucket::Inner> {
    async fn call(&self) -> u32 {
        self.fetch(false).await.unwrap_or(0)
    }
}

/// A row ready to run: its client, the calls it holds in flight, and its calls per repetition.
/// Each step returns one boxed future, so that a row's loop of calls is its own code, and the
/// rows can take turns.
trait Rig {
    /// Runs [`WARM_UP`] calls.
    fn warm_up(&mut self) -> Pin<Box<dyn Future<Output = ()> + '_>>;
    /// Finds the calls per repetition.
    fn calibrate(&mut self) -> Pin<Box<dyn Future<Output = ()> + '_>>;
    /// One repetition: ns/call.
    fn time(&mut self) -> Pin<Box<dyn Future<Output = f64> + '_>>;
    /// The allocations of [`COUNTED`] calls.
    fn allocations(&mut self) -> Pin<Box<dyn Future<Output = usize> + '_>>;
    /// Calls per repetition.
    fn calls(&self) -> u32;
    /// Answers the calls held in flight, and checks that they succeed.
    fn finish(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()>>>;
}

/// A [`Rig`] of client `C`, holding `held` calls in flight behind `gate`.
struct ClientRig<C> {
    client: C,
    calls: u32,
    gate: Arc<Gate>,
    held: Vec<tokio::task::JoinHandle<u32>>,
}

impl<C: Call + 'static> Rig for ClientRig<C> {
    fn warm_up(&mut self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async {
            for _ in 0..WARM_UP {
                black_box(self.client.call().await);
            }
        })
    }

    fn calibrate(&mut self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async {
            let client = &self.client;
            self.calls = calls_per_repetition(&mut || client.call()).await;
        })
    }

    fn time(&mut self) -> Pin<Box<dyn Future<Output = f64> + '_>> {
        let client = &self.client;
        Box::pin(repetition(move || client.call(), self.calls))
    }

    fn allocations(&mut self) -> Pin<Box<dyn Future<Output = usize> + '_>> {
        Box::pin(async {
            let before = all_allocations();
            for _ in 0..COUNTED {
                black_box(self.client.call().await);
            }
            all_allocations() - before
        })
    }

    fn calls(&self) -> u32 {
        self.calls
    }

    fn finish(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(async move {
            self.gate.answer.notify_waiters();
            for call in self.held {
                let answer = call.await.expect("held call");
                assert_eq!(answer, 1, "a held call succeeds once answered");
            }
        })
    }
}

/// ns/call of `calls` calls of `call` in one loop.
async fn repetition<F, Fut>(mut call: F, calls: u32) -> f64
where
    F: FnMut() -> Fut,
    Fut: Future<Output = u32>,
{
    let start = Instant::now();
    for _ in 0..calls {
        black_box(call().await);
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(calls)
}

/// `--calls=N`: N calls per repetition whatever they take, so that two runs under
/// `valgrind --tool=callgrind` with different N give the instructions of one call, which no
/// other load on the machine changes.
fn fixed_calls() -> Option<u32> {
    static CALLS: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *CALLS.get_or_init(|| {
        std::env::args().find_map(|a| a.strip_prefix("--calls=").and_then(|n| n.parse().ok()))
    })
}

/// `client`'s rig, with no call held in flight.
fn rig<C: Call + 'static>(client: C) -> Box<dyn Rig> {
    held_rig(client, Arc::default(), Vec::new())
}

/// `client`'s rig, with `held` calls in flight until `gate` answers them.
fn held_rig<C: Call + 'static>(
    client: C,
    gate: Arc<Gate>,
    held: Vec<tokio::task::JoinHandle<u32>>,
) -> Box<dyn Rig> {
    Box::new(ClientRig {
        client,
        calls: 0,
        gate,
        held,
    })
}

/// `row`'s rig, on clients whose sleeper is `watch` if given (which counts any wait).
async fn row_rig(row: Row, watch: Option<&Arc<Watch>>) -> Box<dyn Rig> {
    match row {
        Row::Backon => rig(Backon),
        Row::Run => {
            let retrier = Retrier::new(RetryConfig::new());
            let retrier = match watch {
                Some(watch) => retrier.with_sleeper(Arc::clone(watch)),
                None => retrier,
            };
            rig(retrier)
        }
        Row::Method => rig(watched(Retrying::new(plain::Inner::default()), watch)),
        Row::Quota => {
            let inner = quota::Inner {
                headers: Some(quota_headers(false)),
                gate: Arc::default(),
            };
            rig(reading(Retrying::new(inner), watch))
        }
        Row::Bucket(in_flight) => {
            let gate = Arc::new(Gate::default());
            let inner = bucket::Inner {
                headers: Some(quota_headers(true)),
                gate: Arc::clone(&gate),
            };
            let client = reading(Retrying::new(inner), watch);
            // the first response names the bucket: later calls are in it from the start
            assert_eq!(client.fetch(false).await.ok(), Some(1));
            let held: Vec<_> = (0..in_flight)
                .map(|_| {
                    let client = client.clone();
                    tokio::task::spawn_local(async move { client.fetch(true).await.unwrap_or(0) })
                })
                .collect();
            // poll each until it waits for its answer
            for _ in 0..10_000 {
                if gate.waiting.load(Ordering::Relaxed) == in_flight {
                    break;
                }
                tokio::task::yield_now().await;
            }
            assert_eq!(
                gate.waiting.load(Ordering::Relaxed),
                in_flight,
                "every held call is in flight"
            );
            held_rig(client, gate, held)
        }
    }
}

/// What one process measured of a row: each repetition's ns/call and that of the backon
/// repetition before it, its calls per repetition and the allocations of [`COUNTED`] calls.
struct Raw {
    order: Vec<(f64, f64)>,
    calls: u32,
    allocations: usize,
}

/// Times `rows` (backon's first) in `rounds` turns: each round, one repetition of each, every
/// errspec one right after one of backon's; then counts each row's allocations.
async fn measure(rows: Vec<(Row, Box<dyn Rig>)>, rounds: usize) -> Vec<(Row, Raw)> {
    let mut rows = rows;
    for (_, rig) in &mut rows {
        rig.warm_up().await;
        rig.calibrate().await;
    }
    let mut orders: Vec<Vec<(f64, f64)>> = rows.iter().map(|_| Vec::new()).collect();
    let (reference, others) = rows.split_first_mut().expect("backon's row");
    for _ in 0..rounds {
        orders[0].push((reference.1.time().await, 0.0));
        for ((_, rig), order) in others.iter_mut().zip(&mut orders[1..]) {
            let before = reference.1.time().await;
            order.push((rig.time().await, before));
        }
    }
    let mut measured = Vec::new();
    for ((row, mut rig), order) in rows.into_iter().zip(orders) {
        let allocations = rig.allocations().await;
        let calls = rig.calls();
        rig.finish().await;
        measured.push((
            row,
            Raw {
                order,
                calls,
                allocations,
            },
        ));
    }
    measured
}

/// A process's measurements as lines for the process that started it: `row INDEX CALLS
/// ALLOCATIONS`, then `rep INDEX NS BACKON_NS` for each repetition.
fn write_raw(measured: &[(Row, Raw)]) {
    for (row, raw) in measured {
        let index = row.index();
        println!("row\t{index}\t{}\t{}", raw.calls, raw.allocations);
        for (ns, backon) in &raw.order {
            println!("rep\t{index}\t{ns}\t{backon}");
        }
    }
}

/// The processes' [`write_raw`] outputs, merged: each row's repetitions in the order they ran,
/// process after process, its calls per repetition in each, and the most allocations any made.
fn merge_raw(outputs: &[String]) -> Vec<(Row, Measured)> {
    let mut rows: Vec<(Row, Vec<Raw>)> = Vec::new();
    for line in outputs.iter().flat_map(|output| output.lines()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, index, first, second] = fields[..] else {
            continue;
        };
        let Some(&row) = index.parse::<usize>().ok().and_then(|i| Row::ALL.get(i)) else {
            continue;
        };
        match kind {
            // a process's row: its repetitions follow
            "row" => {
                let raw = Raw {
                    order: Vec::new(),
                    calls: first.parse().expect("calls per repetition"),
                    allocations: second.parse().expect("allocations"),
                };
                match rows.iter_mut().find(|(r, _)| *r == row) {
                    Some((_, known)) => known.push(raw),
                    None => rows.push((row, vec![raw])),
                }
            }
            "rep" => {
                let pair = (first.parse(), second.parse());
                let raw = rows.iter_mut().find(|(r, _)| *r == row);
                if let (Some(raw), (Ok(ns), Ok(backon))) =
                    (raw.and_then(|(_, raws)| raws.last_mut()), pair)
                {
                    raw.order.push((ns, backon));
                }
            }
            _ => {}
        }
    }
    rows.into_iter()
        .map(|(row, raws)| {
            let order = raws
                .iter()
                .flat_map(|raw| raw.order.iter().copied())
                .collect();
            let calls = raws.iter().map(|raw| raw.calls).collect();
            let allocations = raws.iter().map(|raw| raw.allocations).max().unwrap_or(0);
            (
                row,
                Measured::new(row == Row::Backon, order, calls, allocations),
            )
        })
        .collect()
}

/// Runs this bench again in `processes` processes one after another, with `args` and
/// `--child=ROUNDS`: their output, checked for success.
fn run_children(processes: usize, args: &[String]) -> Vec<String> {
    let exe = std::env::current_exe().expect("the bench's own path");
    let rounds = REPETITIONS / processes;
    (0..processes)
        .map(|_| {
            let output = std::process::Command::new(&exe)
                .args(args)
                .arg(format!("--child={rounds}"))
                .output()
                .expect("a child process of the bench");
            assert!(
                output.status.success(),
                "a child process of the bench failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).expect("the child's output")
        })
        .collect()
}

/// The 1-minute load average, where the system says it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// "met", or what missed its target.
fn verdict(missed: &[String]) -> String {
    if missed.is_empty() {
        "met".into()
    } else {
        format!("**missed** ({})", missed.join("; "))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let child = args.iter().find_map(|a| {
        a.strip_prefix("--child=")
            .and_then(|n| n.parse::<usize>().ok())
    });
    // `--calls=N` (callgrind's runs) and `--processes=1` time every round in this process
    let alone = fixed_calls().is_some() || args.iter().any(|a| a == "--processes=1");
    if bench && child.is_none() && !alone {
        let load_before = load_average();
        let outputs = run_children(PROCESSES, &args);
        print_results(&merge_raw(&outputs), &load_before, PROCESSES);
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("current-thread runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        // the premise: every errspec call is sent at once and succeeds, nothing waits
        for row in Row::ALL {
            let watch = Arc::new(Watch::default());
            let mut rig = row_rig(row, Some(&watch)).await;
            rig.warm_up().await;
            rig.finish().await;
            let waits = watch.0.load(Ordering::Relaxed);
            assert_eq!(waits, 0, "{}: a call waited {waits} times", row.name());
        }
        if !bench {
            println!("benchmark skipped (every row checked): run it with `cargo bench`");
            return;
        }
        let load_before = load_average();
        let mut rows = Vec::new();
        let only = args
            .iter()
            .find_map(|a| a.strip_prefix("--only=").map(str::to_owned));
        for row in Row::ALL {
            // `--only=TEXT`: the rows whose name contains TEXT, or with `--only==NAME` the row
            // named NAME (and backon's, the reference)
            if let Some(only) = &only
                && row != Row::Backon
                && !match only.strip_prefix('=') {
                    Some(name) => row.name() == name,
                    None => row.name().contains(only.as_str()),
                }
            {
                continue;
            }
            rows.push((row, row_rig(row, None).await));
        }
        let measured = measure(rows, child.unwrap_or(REPETITIONS)).await;
        if child.is_some() {
            write_raw(&measured);
        } else {
            let merged = measured
                .into_iter()
                .map(|(row, raw)| {
                    let measured = Measured::new(
                        row == Row::Backon,
                        raw.order,
                        vec![raw.calls],
                        raw.allocations,
                    );
                    (row, measured)
                })
                .collect::<Vec<_>>();
            print_results(&merged, &load_before, 1);
        }
    });
}

fn print_results(measured: &[(Row, Measured)], load_before: &str, processes: usize) {
    println!(
        "## Success path: one call that succeeds at once\n\n\
         Tokio current-thread runtime; ns/call is the median of {REPETITIONS} repetitions of \
         N calls in one loop (min to max beside it), made in {processes} process(es) one after \
         another, each with its own address layout. In each, the rows take turns, one \
         repetition each a round, and each repetition of an errspec row runs right after a \
         repetition of backon's of about as long; / backon is the median of the {REPETITIONS} \
         ratios of a repetition to the backon one before it (their min to max beside it), so \
         that the machine's speed drifting over the run moves both sides of each ratio alike, \
         and a slow stretch falls on a few repetitions of every row. Allocations over \
         {COUNTED} calls (the most of any process). 1-minute load average {load_before} \
         before, {} after.\n",
        load_average()
    );
    if fixed_clock() {
        println!(
            "With `--fixed-clock`: the rows that read responses ran on a clock that stands still, \
             a diagnostic of what their clock read costs, not the success path.\n"
        );
    }
    println!(
        "| row | ns/call | min to max | N | / backon | min to max | allocations/call | target | met? |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---|");
    let in_flight = |n| {
        measured
            .iter()
            .find(|(row, _)| *row == Row::Bucket(n))
            .map(|(_, m)| m.ratio())
    };
    for (row, m) in measured {
        let ratio = m.ratio();
        let per_call = m.allocations_per_call();
        let mut target = Vec::new();
        let mut missed = Vec::new();
        if let Some(max) = row.max_ratio() {
            target.push(format!("<= {max:.1}x backon"));
            if ratio > max {
                missed.push(format!("{ratio:.2}x"));
            }
        }
        if row.no_allocation() {
            target.push("0 allocations".into());
            if m.allocations > 0 {
                missed.push(format!("{per_call:.2} allocations"));
            }
        }
        println!(
            "| {} | {:.1} | {:.1} to {:.1} | {} | {ratio:.2}x | {:.2}x to {:.2}x | {} | {} | {} |",
            row.name(),
            m.median(),
            m.ns[0],
            m.ns[m.ns.len() - 1],
            m.calls_text(),
            m.ratios[0],
            m.ratios[m.ratios.len() - 1],
            if m.allocations == 0 {
                "0".into()
            } else {
                format!("{per_call:.2}")
            },
            if target.is_empty() {
                "(reference)".into()
            } else {
                target.join(", ")
            },
            if target.is_empty() {
                String::new()
            } else {
                verdict(&missed)
            },
        );
    }
    if let (Some(few), Some(many)) = (in_flight(FEW), in_flight(MANY)) {
        let ratio = many / few;
        let missed = if ratio > MAX_IN_FLIGHT_RATIO {
            vec![format!("{ratio:.2}x")]
        } else {
            Vec::new()
        };
        println!(
            "| {MANY} / {FEW} in flight | | | | {ratio:.2}x | | | <= {MAX_IN_FLIGHT_RATIO:.1}x | {} |",
            verdict(&missed)
        );
    }
    if std::env::args().any(|a| a == "--sequence") {
        println!(
            "\nEach row's repetitions in the order they ran: ns/call, and after the slash that of \
             the backon repetition just before it; `;` between processes.\n"
        );
        for (row, m) in measured.iter().filter(|(row, _)| *row != Row::Backon) {
            let per_process = m.order.len().div_ceil(processes).max(1);
            let runs: Vec<String> = m
                .order
                .chunks(per_process)
                .map(|run| {
                    let pairs: Vec<String> = run
                        .iter()
                        .map(|(ns, backon)| format!("{ns:.0}/{backon:.0}"))
                        .collect();
                    pairs.join(" ")
                })
                .collect();
            println!("- {}: {}", row.name(), runs.join(" ; "));
        }
    }
}
