//! [`RedisStore`] as an [`errspec::LimitStore`]: what an ask and a report send to Redis, and
//! the fallback to the in-process state.

use core::time::Duration;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::Instant;

use errspec::http::StatusCode;
use errspec::{
    Acquire, Ask, Grant, LimitStore, Outcome, Pacing, Pause, QuotaSet, Report, ScopeKey,
    StatedQuota, Ticket,
};

use crate::keys::scope_keys;
use crate::shared::{Failure, Sent};
use crate::{Granted, Local, RedisStore};

/// Reservations whose grant the store remembers, at most; past that, one granted in Redis is
/// not remembered and expires there after its lifetime.
const MAX_TRACKED: usize = 65_536;

/// The longest time sent to a script (about three years, in µs): Lua's numbers stay exact.
const MAX_MICROS: u128 = 100_000_000_000_000;

impl LimitStore for RedisStore {
    /// Asks Redis (one script) unless an outage is on; answers from the in-process state when
    /// Redis does not answer within the timeout.
    fn acquire<'a>(&'a self, ask: &'a Ask) -> Acquire<'a> {
        let core = Arc::clone(&self.shared.core);
        if !core.is_up() {
            return Acquire::Ready(self.local_acquire(ask));
        }
        let keys = scope_keys(&self.prefix, ask.api, ask.scope);
        let seq = self.shared.seq.fetch_add(1, Ordering::Relaxed);
        let member = self.member(seq);
        let args = vec![
            member.clone(),
            flag(ask.first),
            flag(ask.retrying),
            flag(ask.pacing != Pacing::Off),
            flag(ask.reads_quota),
            micros(ask.cap),
            micros(self.lifetime),
            ask.quotas.bits().to_string(),
        ];
        let (answer, answered) = tokio::sync::oneshot::channel();
        let timeout = self.timeout;
        let task = Arc::clone(&core);
        core.handle.spawn(async move {
            let [x0, x1, x2, x3] = &keys.excluded;
            let result = task
                .acquire(
                    [
                        &keys.state,
                        &keys.out,
                        x0,
                        x1,
                        x2,
                        x3,
                        &keys.times,
                        &keys.prev,
                    ],
                    &args,
                    timeout,
                )
                .await;
            let granted = matches!(result.as_deref(), Ok([0, ..]));
            if answer.send(result).is_err() && granted {
                // the caller stopped waiting: nobody will report this reservation
                task.release(&keys, &member).await;
            }
        });
        Acquire::Pending(Box::pin(async move {
            let result = answered.await.unwrap_or(Err(Failure::Gone));
            match result.and_then(|answer| grant_of(&answer).ok_or(Failure::Answer)) {
                Ok((grant, hold)) => {
                    core.succeeded();
                    self.learned_from_redis(ask, grant, hold, seq);
                    grant
                }
                Err(why) => {
                    core.failed(&why);
                    self.local_acquire(ask)
                }
            }
        }))
    }

    /// Feeds the in-process state, and queues the report for Redis (dropped and counted when
    /// the queue is full, skipped during an outage): returns at once.
    fn report(&self, report: &Report) {
        let granted = report.release.and_then(|key| self.take_granted(key));
        let mut local = *report;
        if granted != Some(Granted::Local) {
            // a reservation the in-process store never granted is not its to free
            local.release = None;
        }
        self.local.store.report(&local);
        if !self.shared.core.is_up() {
            return;
        }
        let member = match granted {
            Some(Granted::Redis(seq)) => self.member(seq),
            _ => String::new(),
        };
        let keys = scope_keys(&self.prefix, report.api, report.scope);
        let (out, [x0, x1, x2, x3]) = match report.release {
            Some((scope, _)) if scope != report.scope => {
                let granted_in = scope_keys(&self.prefix, report.api, scope);
                (granted_in.out, granted_in.excluded)
            }
            _ => (keys.out, keys.excluded),
        };
        let quiet = report.quotas.is_empty()
            && matches!(report.outcome, Outcome::Success | Outcome::Failure);
        let args = if quiet {
            vec![
                member,
                flag(report.answered),
                report.counted.bits().to_string(),
            ]
        } else {
            report_args(member, report)
        };
        let sent = Sent {
            quiet,
            keys: [keys.state, out, x0, x1, x2, x3, keys.times, keys.prev],
            args,
            at: Instant::now(),
            timeout: self.timeout,
        };
        if self.shared.reports.try_send(sent).is_err() {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What the in-process state knows (fed every report, and the holds Redis told of).
    fn peek(&self, scope: ScopeKey, now: Instant, cap: Duration) -> Option<(Duration, Pause)> {
        self.local.store.peek(scope, now, cap)
    }

    /// What the in-process state knows, for a request of some quotas only.
    fn peek_for(
        &self,
        scope: ScopeKey,
        quotas: QuotaSet,
        now: Instant,
        cap: Duration,
    ) -> Option<(Duration, Pause)> {
        self.local.store.peek_for(scope, quotas, now, cap)
    }

    /// What the in-process state knows (fed every report, and the holds Redis told of).
    fn hold_status(&self, scope: ScopeKey) -> Option<StatusCode> {
        self.local.store.hold_status(scope)
    }
}

impl RedisStore {
    /// This process's name for reservation `seq`.
    fn member(&self, seq: u64) -> String {
        format!("{:016x}:{seq:x}", self.shared.process)
    }

    /// The in-process answer, remembering a reservation it grants.
    fn local_acquire(&self, ask: &Ask) -> Grant {
        let grant = self.local.store.acquire(ask).ready().unwrap_or(Grant::Go);
        if grant == Grant::Go {
            self.local.remember((ask.scope, ask.ticket), Granted::Local);
        }
        grant
    }

    /// Redis's answer to `ask`: a reservation to remember, or a hold for the in-process state
    /// to know (for `peek`, `hold_status`, and the next outage).
    fn learned_from_redis(&self, ask: &Ask, grant: Grant, hold: Option<Hold>, seq: u64) {
        if grant == Grant::Go {
            self.local
                .remember((ask.scope, ask.ticket), Granted::Redis(seq));
        }
        if let Some(hold) = hold {
            let outcome = Outcome::Refused {
                hold: Some(hold.left),
                status: hold.status,
                rate_limited: false,
                retrying: false,
            };
            let mut told = Report::new(ask.scope, None, ask.now, outcome).with_api(ask.api);
            told.answered = false;
            self.local.store.report(&told);
        }
    }

    fn take_granted(&self, key: (ScopeKey, Ticket)) -> Option<Granted> {
        let mut granted = self.local.granted();
        let list = granted.get_mut(&key)?;
        let taken = list.pop();
        if list.is_empty() {
            granted.remove(&key);
        }
        taken
    }
}

impl Local {
    fn granted(&self) -> MutexGuard<'_, HashMap<(ScopeKey, Ticket), Vec<Granted>>> {
        self.granted.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, key: (ScopeKey, Ticket), granted: Granted) {
        let mut map = self.granted();
        if map.len() < MAX_TRACKED || map.contains_key(&key) {
            map.entry(key).or_default().push(granted);
        }
    }
}

/// A hold Redis told of: what is left of it, and the status that set it.
#[derive(Debug, Clone, Copy)]
struct Hold {
    left: Duration,
    status: Option<StatusCode>,
}

/// The grant a script's answer says, and the hold it told of.
fn grant_of(answer: &[i64]) -> Option<(Grant, Option<Hold>)> {
    let duration = |us: i64| Duration::from_micros(u64::try_from(us).unwrap_or(0));
    match *answer {
        [0] => Some((Grant::Go, None)),
        [1, wait, pause, status, ..] => {
            let pause = match pause {
                0 => Pause::Hold,
                1 => Pause::StatedQuota,
                _ => Pause::LearnedQuota,
            };
            let wait = duration(wait).max(Duration::from_micros(1));
            let hold = (pause == Pause::Hold).then(|| Hold {
                left: answer.get(4).copied().map_or(wait, duration),
                status: u16::try_from(status)
                    .ok()
                    .and_then(|s| StatusCode::from_u16(s).ok()),
            });
            Some((Grant::Wait { wait, pause }, hold))
        }
        [2, ..] => Some((
            Grant::Refuse {
                pause: Pause::StatedQuota,
                status: None,
            },
            None,
        )),
        _ => None,
    }
}

fn report_args(member: String, report: &Report) -> Vec<String> {
    let quota = report.quotas.get(0);
    let (outcome, hold, status, rate_limited, retrying) = match report.outcome {
        Outcome::Success => (0, None, None, false, false),
        Outcome::Refused {
            hold,
            status,
            rate_limited,
            retrying,
        } => (2, hold, status, rate_limited, retrying),
        Outcome::Cancelled { retrying } => (3, None, None, false, retrying),
        // `Failure`, and any outcome a later runtime adds: it teaches nothing
        _ => (1, None, None, false, false),
    };
    let mut args = vec![
        member,
        String::from("0"), // the age, set when sent
        flag(report.answered),
        flag(quota.is_some()),
        quota.map_or(0, |q| q.remaining).to_string(),
        quota.map_or_else(|| String::from("0"), |q| micros(q.reset_in)),
        quota
            .and_then(|q: StatedQuota| q.limit)
            .map_or_else(|| String::from("-1"), |l| l.to_string()),
        outcome.to_string(),
        hold.map_or_else(|| String::from("0"), micros),
        status.map_or(0, |s| s.as_u16()).to_string(),
        flag(rate_limited),
        flag(retrying),
        report.counted.bits().to_string(),
    ];
    // the other quotas stated: index, remaining, reset in (us), limit (-1: none)
    for (index, quota) in report.quotas.iter().filter(|(i, _)| *i > 0) {
        args.extend([
            index.to_string(),
            quota.remaining.to_string(),
            micros(quota.reset_in),
            quota
                .limit
                .map_or_else(|| String::from("-1"), |l| l.to_string()),
        ]);
    }
    args
}

fn flag(b: bool) -> String {
    String::from(if b { "1" } else { "0" })
}

fn micros(d: Duration) -> String {
    d.as_micros().min(MAX_MICROS).to_string()
}
