//! The script runs the rules `LocalStore` runs: the same random sequences of asks and reports
//! (holds, stated quotas with reservations, first contact, cancellations, the cap) given to a
//! `LocalStore` and to a `RedisStore` get the same grants, wait for wait within a few ms.
//! The times stated are seconds and a sequence takes milliseconds, so no reset or hold ends
//! inside one and the two clocks (the caller's, Redis's) cannot tell the stores apart.

mod common;

use std::time::{Duration, Instant};

use common::{MS, server, store};
use errspec::http::StatusCode;
use errspec::{
    Ask, Grant, LimitStore, LocalStore, Outcome, QuotaSet, Report, ScopeKey, StatedQuota,
    StatedQuotas, Ticket,
};

/// Whether two grants are the same, their waits within 20 ms of each other.
fn same(local: &Grant, redis: &Grant) -> bool {
    match (local, redis) {
        (
            Grant::Wait { wait, pause },
            Grant::Wait {
                wait: other,
                pause: why,
            },
        ) => pause == why && wait.abs_diff(*other) <= 20 * MS,
        _ => local == redis,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_sequences_get_the_grants_local_store_gives() {
    let Some(server) = server() else { return };
    sequences(&server, 0..12, false).await;
}

/// Several quotas in a scope: requests that count against some of them only (ARM's reads and
/// writes), answers stating any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_sequences_with_several_quotas_get_the_grants_local_store_gives() {
    let Some(server) = server() else { return };
    sequences(&server, 100..112, true).await;
}

/// The quotas a request counts against, at random: all (its method unknown), or some.
fn counting(rng: &mut fastrand::Rng) -> QuotaSet {
    match rng.u8(..4) {
        0 => QuotaSet::ALL,
        1 => QuotaSet::NONE.with(0),
        2 => QuotaSet::NONE.with(1),
        _ => QuotaSet::NONE.with(1).with(2),
    }
}

async fn sequences(server: &common::Server, seeds: std::ops::Range<u64>, several: bool) {
    // how many of each grant came: [go, wait for a hold, wait for a quota, refuse]
    let mut seen = [0u32; 4];
    for seed in seeds {
        let mut rng = fastrand::Rng::with_seed(seed);
        let redis = store(server).await.with_prefix(format!("seq{seed}"));
        let local = LocalStore::new();
        let scope = if seed % 2 == 0 {
            ScopeKey::Client
        } else {
            ScopeKey::Method("m")
        };
        let mut out: Vec<(u64, QuotaSet)> = Vec::new();
        for step in 0..60u64 {
            let now = Instant::now();
            if out.is_empty() || rng.u8(..) < 140 {
                let mut ask = Ask::new(scope, Ticket(step), now);
                ask.reads_quota = seed % 3 != 0;
                ask.first = rng.bool();
                ask.cap = if rng.u8(..) < 40 {
                    Duration::from_millis(1500)
                } else {
                    Duration::from_secs(60)
                };
                if several {
                    ask.quotas = counting(&mut rng);
                }
                let want = local.acquire(&ask).ready().unwrap();
                let got = redis.acquire(&ask).await;
                assert!(
                    same(&want, &got),
                    "seed {seed} step {step}: local {want:?}, redis {got:?}"
                );
                seen[match want {
                    Grant::Go => 0,
                    Grant::Wait {
                        pause: errspec::Pause::Hold,
                        ..
                    } => 1,
                    Grant::Wait { .. } => 2,
                    _ => 3,
                }] += 1;
                if want == Grant::Go {
                    out.push((step, ask.quotas));
                }
                continue;
            }
            let (ticket, counted) = out.swap_remove(rng.usize(..out.len()));
            let outcome = match rng.u8(..10) {
                0 => Outcome::Refused {
                    hold: Some(Duration::from_secs(rng.u64(2..5))),
                    status: Some(StatusCode::SERVICE_UNAVAILABLE),
                    rate_limited: false,
                    retrying: false,
                },
                1 => Outcome::Cancelled { retrying: false },
                2 => Outcome::Failure,
                _ => Outcome::Success,
            };
            let mut quotas = StatedQuotas::default();
            // with several quotas, a third of the answers state none (a quiet answer)
            let stating = match several {
                true if rng.u8(..3) == 0 => 0,
                true => 3,
                false => 1,
            };
            for index in 0..stating {
                let quota = (rng.u8(..4) > 0 && !matches!(outcome, Outcome::Cancelled { .. }))
                    .then(|| StatedQuota::new(rng.u64(0..6), Duration::from_secs(rng.u64(2..4))));
                quotas.set(index, quota);
            }
            let mut report =
                Report::new(scope, Some(Ticket(ticket)), now, outcome).with_quotas(quotas);
            report.counted = counted;
            local.report(&report);
            redis.report(&report);
            // the report reaches Redis from a background task: let it land before the next ask
            tokio::time::sleep(2 * MS).await;
        }
    }
    assert!(seen.iter().all(|n| *n > 0), "every kind of grant: {seen:?}");
    eprintln!("grants [go, hold, quota, refuse]: {seen:?}");
}
