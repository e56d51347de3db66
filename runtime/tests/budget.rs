//! The retry budget: Finagle's model, under a hand-moved clock and under concurrency.

// Counts and clock readings here are small, and the ratios compared are exact.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::float_cmp
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use errspec::{BudgetConfig, RetryBudget};
use proptest::prelude::*;

/// A clock the test moves by hand, in milliseconds since `base`.
#[derive(Clone)]
struct ManualClock {
    base: Instant,
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            millis: Arc::default(),
        }
    }

    fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    fn millis(&self) -> u64 {
        self.millis.load(Ordering::SeqCst)
    }

    fn budget(&self, ratio: f64, min_per_second: u32) -> RetryBudget {
        let clock = self.clone();
        RetryBudget::with_clock(ratio, min_per_second, move || {
            clock.base + Duration::from_millis(clock.millis())
        })
    }
}

#[test]
fn the_reserve_allows_min_per_second_times_ten() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.2, 3);
    let granted = (0..100).filter(|_| budget.try_withdraw()).count();
    assert_eq!(granted, 30);
}

#[test]
fn first_attempts_earn_ratio_retries() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.2, 0);
    for _ in 0..50 {
        budget.deposit();
    }
    let granted = (0..100).filter(|_| budget.try_withdraw()).count();
    assert_eq!(granted, 10);
}

#[test]
fn zero_reserve_and_zero_ratio_refuse_everything() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.0, 0);
    for _ in 0..1000 {
        budget.deposit();
    }
    assert!(!budget.try_withdraw());
}

#[test]
fn the_window_slides() {
    let clock = ManualClock::new();
    let budget = clock.budget(1.0, 0);
    for _ in 0..5 {
        budget.deposit();
    }
    clock.advance(Duration::from_secs(5));
    assert!((0..5).all(|_| budget.try_withdraw()));
    assert!(!budget.try_withdraw());
    // The deposits leave the window after 10 s, the retries a second later.
    clock.advance(Duration::from_secs(5));
    budget.deposit();
    assert!(!budget.try_withdraw(), "5 retries in the window already");
    clock.advance(Duration::from_secs(6));
    assert!(
        budget.try_withdraw(),
        "the old retries have left the window"
    );
}

#[test]
fn out_of_range_ratios_do_not_panic() {
    let clock = ManualClock::new();
    for ratio in [f64::NAN, -1.0, f64::NEG_INFINITY, -0.0] {
        let budget = clock.budget(ratio, 1);
        assert_eq!(budget.ratio(), 0.0);
        for _ in 0..100 {
            budget.deposit();
        }
        assert_eq!(
            (0..100).filter(|_| budget.try_withdraw()).count(),
            10,
            "{ratio}"
        );
    }
    for ratio in [f64::INFINITY, f64::MAX, 1e300] {
        let budget = clock.budget(ratio, 0);
        assert!(budget.ratio().is_finite());
        assert!(!budget.try_withdraw(), "no first attempt yet: {ratio}");
        budget.deposit();
        assert_eq!(
            (0..1000).filter(|_| budget.try_withdraw()).count(),
            1000,
            "{ratio}"
        );
    }
    let budget = clock.budget(1.0, u32::MAX);
    assert!((0..1000).all(|_| budget.try_withdraw()));
}

#[test]
fn a_clock_going_back_is_harmless() {
    let base = Instant::now();
    let ticks = Arc::new(AtomicU64::new(100));
    let t = Arc::clone(&ticks);
    let budget = RetryBudget::with_clock(0.0, 1, move || {
        base + Duration::from_secs(t.load(Ordering::SeqCst))
    });
    assert!((0..10).all(|_| budget.try_withdraw()));
    ticks.store(0, Ordering::SeqCst); // before the origin, and before the last reading
    assert!(!budget.try_withdraw());
}

#[test]
fn from_config_clone_and_debug() {
    let budget = RetryBudget::from(BudgetConfig::new(0.5, 2));
    assert_eq!((budget.ratio(), budget.min_per_second()), (0.5, 2));
    let clone = budget.clone();
    assert!((0..20).all(|_| clone.try_withdraw()));
    assert!(!budget.try_withdraw(), "the clone spent the shared reserve");
    assert_eq!(
        format!("{budget:?}"),
        "RetryBudget { ratio: 0.5, min_per_second: 2, .. }"
    );
}

/// With the clock frozen, all calls fall in one window: the invariant is exact.
#[test]
fn eight_threads_never_overdraw_a_shared_budget() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.25, 5);
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (budget, barrier) = (budget.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                let (mut deposits, mut granted) = (0_u64, 0_u64);
                for i in 0..20_000_u64 {
                    if (i + t) % 3 == 0 {
                        budget.deposit();
                        deposits += 1;
                    } else if budget.try_withdraw() {
                        granted += 1;
                    }
                }
                (deposits, granted)
            })
        })
        .collect();
    let (deposits, granted) = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold((0, 0), |(d, g), (d2, g2)| (d + d2, g + g2));
    let limit = 0.25 * deposits as f64 + 50.0;
    assert!(granted as f64 <= limit, "{granted} retries > {limit}");
    // Withdrawals run far ahead of what deposits earn, so the budget ends (nearly) spent:
    // nothing was lost to races either way.
    assert!(
        granted as f64 >= limit - 1.0 - 8.0 * 0.25 * 3.0,
        "{granted} of {limit}"
    );
}

/// All deposits first, then all withdrawals, from eight threads: exactly the budget is granted.
#[test]
fn eight_threads_get_exactly_the_budget() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.5, 1);
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (budget, barrier) = (budget.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                for _ in 0..1000 {
                    budget.deposit();
                }
                barrier.wait();
                (0..1000).filter(|_| budget.try_withdraw()).count()
            })
        })
        .collect();
    let granted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(granted, 8 * 1000 / 2 + 10);
}

/// Eight threads on a clock that moves underneath them. Each operation's time is only known to
/// lie between the clock readings before and after it, and a grant's trailing window reaches
/// back at most 10 s before the window's start, so what can be checked soundly is: the retries
/// certainly inside any 10 s window <= ratio x the first attempts possibly inside it or the
/// 10 s before it + the reserve. An outage cannot multiply traffic beyond that.
#[test]
fn eight_threads_with_a_moving_clock_stay_within_budget() {
    let clock = ManualClock::new();
    let budget = clock.budget(0.5, 1);
    // Each thread logs (clock before, clock after, is_deposit) for its successful operations;
    // thread 0 also moves the clock: 40 virtual seconds in 100 ms steps.
    let workers: Vec<_> = (0..8_u32)
        .map(|t| {
            let (budget, clock) = (budget.clone(), clock.clone());
            thread::spawn(move || {
                let mut log = Vec::new();
                for i in 0..20_000_u32 {
                    if t == 0 && i % 50 == 0 {
                        clock.advance(Duration::from_millis(100));
                    }
                    let before = clock.millis();
                    if (i + t) % 4 == 0 {
                        budget.deposit();
                        log.push((before, clock.millis(), true));
                    } else if budget.try_withdraw() {
                        log.push((before, clock.millis(), false));
                    }
                }
                log
            })
        })
        .collect();
    let log: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    // Every 10 s window [s, s + 10 s), s on a 250 ms step.
    for s in (0..40_000_u64).step_by(250) {
        let e = s + 10_000;
        let retries = log
            .iter()
            .filter(|(a, b, dep)| !dep && *a >= s && *b < e)
            .count();
        let deposits = log
            .iter()
            .filter(|(a, b, dep)| *dep && *b + 10_000 >= s && *a < e)
            .count();
        assert!(
            retries as f64 <= 0.5 * deposits as f64 + 10.0,
            "window {s}..{e} ms: {retries} retries, {deposits} first attempts"
        );
    }
}

/// The model the budget promises: each grant keeps retries of the trailing 10 s (counted in
/// whole seconds, at least 10 s back) within ratio x first attempts of the trailing 10 s
/// (at most 10 s back) + reserve. Checked against an exact log with a hand-moved clock.
#[derive(Debug, Clone)]
enum Op {
    Deposit,
    Withdraw,
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Deposit),
        3 => Just(Op::Withdraw),
        1 => (1_u64..3_000).prop_map(Op::Advance),
    ]
}

proptest! {
    #[test]
    fn retries_in_any_trailing_10s_stay_within_budget(
        ratio in 0.0_f64..3.0,
        min_per_second in 0_u32..3,
        ops in prop::collection::vec(op(), 1..400),
    ) {
        let clock = ManualClock::new();
        let budget = clock.budget(ratio, min_per_second);
        let mut deposits: Vec<u64> = Vec::new();
        let mut retries: Vec<u64> = Vec::new();
        for op in ops {
            let now = clock.millis();
            match op {
                Op::Deposit => { budget.deposit(); deposits.push(now); }
                Op::Advance(ms) => clock.advance(Duration::from_millis(ms)),
                Op::Withdraw => {
                    if budget.try_withdraw() {
                        retries.push(now);
                        // The exact trailing 10 s: (now - 10 s, now].
                        let start = now.saturating_sub(10_000);
                        let in_window = |t: &&u64| **t > start || now < 10_000;
                        let r = retries.iter().filter(in_window).count() as f64;
                        let d = deposits.iter().filter(in_window).count() as f64;
                        prop_assert!(
                            r <= ratio * d + f64::from(min_per_second) * 10.0 + 1e-9,
                            "at {now} ms: {r} retries, {d} first attempts"
                        );
                    }
                }
            }
        }
    }
}
