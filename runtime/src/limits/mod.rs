//! What the server limited, and how the client paces itself, per scope (see `[rate_limit]`):
//! the hold (a server-stated wait), the quota responses state, the requests in flight, and the
//! quota learned from refusals. Shared by the calls of one retrier and its clones.
//!
//! Scope keys can come from the server (bucket names), so the table is bounded: past
//! [`MAX_SCOPES`], the scope used least recently with nothing in flight is forgotten.

use core::time::Duration;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use http::{HeaderMap, StatusCode};

use crate::{Pacing, RateLimitConfig, Scope};

mod learned;

use learned::{Learned, Window};

/// Most scopes (and method-to-bucket links) kept.
pub(crate) const MAX_SCOPES: usize = 256;
/// Longest bucket name kept; a longer one is cut (a bucket is only a key).
const MAX_BUCKET_NAME: usize = 128;
/// Two holds ending closer than this are one hold: the refusals of requests in flight together.
const SAME_HOLD: Duration = Duration::from_millis(100);

/// Which calls a state applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Client,
    Method(&'static str),
    Bucket(Box<str>),
}

/// What a call may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permit {
    /// Send.
    Go,
    /// A server-stated wait (a hold) lasts this long yet.
    Held(Duration),
    /// The quota responses stated is spent until its reset, this long from now.
    Quota(Duration),
    /// The client's own pacing asks for this wait (a learned quota spent in this window).
    Paced(Duration),
}

/// Why a call waits before an attempt, beyond the wait its own retry asked for; what
/// [`Retrier::on_pause`](crate::Retrier::on_pause) is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pause {
    /// A wait the server stated on an earlier refusal in the call's scope (its `Retry-After`,
    /// say) has not ended: the hold.
    Hold,
    /// The quota the server states on its responses (`[rate_limit]`'s `remaining`/`reset`, or
    /// the IETF `RateLimit` field) is spent, less the requests in flight, until its reset.
    StatedQuota,
    /// The quota the client learned from the server's refusals is spent for this period.
    LearnedQuota,
}

impl core::fmt::Display for Pause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Pause::Hold => "the server's wait after a refusal has not ended",
            Pause::StatedQuota => "the quota the server states is spent until its reset",
            Pause::LearnedQuota => "the quota learned from refusals is spent for this period",
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct Limits(Mutex<Table>);

#[derive(Debug, Default)]
struct Table {
    scopes: HashMap<Key, State>,
    /// The bucket each method's latest response named.
    buckets: HashMap<&'static str, Box<str>>,
    tick: u64,
    /// The number of the latest attempt sent.
    attempts: u64,
}

#[derive(Debug, Default)]
struct State {
    hold: Option<(Instant, Option<StatusCode>)>,
    /// What responses stated.
    quota: Option<Stated>,
    /// The attempts out and not yet answered, by the number [`Limits::next_attempt`] gave them.
    in_flight: Vec<u64>,
    learned: Learned,
    used: u64,
}

/// A quota responses stated, for one period of the server's.
#[derive(Debug, Clone, Copy)]
struct Stated {
    /// The fewest requests left any response of the period stated: responses can come back in
    /// another order than the server counted them in.
    remaining: u64,
    /// When that count resets: the earliest any response of the period stated (a reset stated
    /// in whole seconds from now is up to a second late).
    reset: Instant,
}

/// How soon a call looks again at a stated quota that its requests out may or may not have
/// spent.
pub(crate) const RECHECK: Duration = Duration::from_millis(10);

/// How finely a reset can be stated (the IETF fields and most headers give whole seconds): two
/// stated resets closer than this may be the same one.
const RESET_GRAIN: Duration = Duration::from_secs(1);

impl Stated {
    /// The quota at `now` after a response stated `new`. A response of
    /// the same period (a reset within [`RESET_GRAIN`]) can only lower the count: one stating
    /// more left was counted before others that were answered sooner. A later reset is a new
    /// period, and so is any once the old reset has passed.
    fn update(old: Option<Self>, new: Self, now: Instant) -> Self {
        let Some(old) = old.filter(|old| old.reset > now) else {
            return new;
        };
        let same = new.reset < old.reset + RESET_GRAIN && old.reset < new.reset + RESET_GRAIN;
        if same {
            Self {
                remaining: new.remaining.min(old.remaining),
                reset: new.reset.min(old.reset),
            }
        } else if new.reset > old.reset {
            new
        } else {
            old
        }
    }
}

impl Limits {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A number for an attempt about to be sent, later attempts higher (across scopes).
    pub(crate) fn next_attempt(&self) -> u64 {
        let mut table = self.lock();
        table.attempts = table.attempts.wrapping_add(1);
        table.attempts
    }

    /// The scope a call of `method` is in now, under `config`.
    pub(crate) fn key(&self, config: &RateLimitConfig, method: &'static str) -> Key {
        match config.scope {
            Scope::Client => Key::Client,
            _ => self.lock().key(config.scope, method),
        }
    }

    /// What a call in `key` may do at `now`, for its `first` attempt or a retry; `Go` counts
    /// it in flight (and in the learned period). Learned pacing spaces first attempts only: a
    /// retry has waited what its error asked, and holds and stated quotas still apply to it.
    /// Waits are at most `cap`.
    pub(crate) fn permit(
        &self,
        key: &Key,
        now: Instant,
        pacing: Pacing,
        cap: Duration,
        first: bool,
        attempt: u64,
    ) -> Permit {
        let mut table = self.lock();
        let state = table.state(key);
        if let Some((until, _)) = state.hold {
            let left = until.saturating_duration_since(now).min(cap);
            if !left.is_zero() {
                return Permit::Held(left);
            }
        }
        let paced = pacing != Pacing::Off;
        if paced && let Some(quota) = state.quota {
            // the attempts out and not yet answered: the stated count may not include them
            let unanswered = u64::try_from(state.in_flight.len()).unwrap_or(u64::MAX);
            if now >= quota.reset {
                state.quota = None;
            } else if quota.remaining <= unanswered {
                let left = quota.reset.saturating_duration_since(now);
                // requests are left, but no more than are out: their answers will say whether
                // the server counted them yet, so look again soon rather than at the reset
                let wait = if quota.remaining > 0 {
                    left.min(RECHECK)
                } else {
                    left
                };
                return Permit::Quota(wait.min(cap));
            }
        }
        let retrying = state.learned.retrying(now);
        if let Some(window) = &mut state.learned.window {
            window.advance(now);
            if paced
                && first
                && let Some(wait) = window.wait(now, retrying)
            {
                return Permit::Paced(wait.min(cap));
            }
        }
        state.in_flight.push(attempt);
        let learned = &mut state.learned;
        learned.sent = learned.sent.saturating_add(1);
        learned.first_sent.get_or_insert(now);
        if let Some(window) = &mut state.learned.window {
            window.sending(now);
        }
        Permit::Go
    }

    /// `key`'s hold at `now`, at most `cap`: `Held` or `Go`; counts nothing.
    pub(crate) fn permit_hold(&self, key: &Key, now: Instant, cap: Duration) -> Permit {
        let table = self.lock();
        let left = table
            .scopes
            .get(key)
            .and_then(|s| s.hold)
            .map(|(until, _)| until.saturating_duration_since(now).min(cap))
            .filter(|d| !d.is_zero());
        left.map_or(Permit::Go, Permit::Held)
    }

    /// Counts `attempt` in `key` in flight without asking (a call that waited all it may).
    pub(crate) fn force(&self, key: &Key, attempt: u64) {
        let mut table = self.lock();
        table.state(key).in_flight.push(attempt);
    }

    /// `attempt` in `key` came back at `now` (or was dropped): no longer in flight; a
    /// `success` counts toward the learned quota.
    pub(crate) fn done(&self, key: &Key, attempt: u64, success: bool, now: Instant) {
        let mut table = self.lock();
        let state = table.state(key);
        if let Some(i) = state.in_flight.iter().position(|a| *a == attempt) {
            state.in_flight.swap_remove(i);
        }
        if success && let Some(window) = &mut state.learned.window {
            window.advance(now);
        }
    }

    /// A server said to wait until `until` (a retried refusal): holds `key`, and teaches the
    /// learned pacing the period since the previous hold.
    pub(crate) fn hold(&self, key: &Key, now: Instant, until: Instant, status: Option<StatusCode>) {
        let mut table = self.lock();
        let state = table.state(key);
        if state.hold.is_none_or(|(h, _)| h < until) {
            state.hold = Some((until, status));
        }
        let learned = &mut state.learned;
        learned.retrying = learned.retrying(now).saturating_add(1);
        match (&mut learned.window, learned.last_hold_end) {
            // refused in a learned period (or another refusal of it: sent together)
            (Some(window), _) => window.refused(until <= window.start + SAME_HOLD, now, until),
            (None, Some(previous)) if until <= previous + SAME_HOLD => return,
            // a first refusal: what was sent since the last hold (or ever), less the refusals
            // to come, got through; the period is from the first of them to the server's time
            (None, _) => {
                if let Some(first) = learned.first_sent
                    && learned.sent > 1
                {
                    let length = until.saturating_duration_since(first);
                    if length > SAME_HOLD {
                        learned.window = Some(Window::refused_at(learned.sent, length, until));
                    }
                }
            }
        }
        learned.last_hold_end = Some(until);
        learned.sent = 0;
        learned.first_sent = None;
    }

    /// A call counted in `key` as due to retry after its hold has sent its retry, or is gone.
    pub(crate) fn retried(&self, key: &Key) {
        let mut table = self.lock();
        if let Some(state) = table.scopes.get_mut(key) {
            state.learned.retrying = state.learned.retrying.saturating_sub(1);
        }
    }

    /// The status of the response that set `key`'s hold.
    pub(crate) fn hold_status(&self, key: &Key) -> Option<StatusCode> {
        self.lock()
            .scopes
            .get(key)
            .and_then(|s| s.hold)
            .and_then(|(_, status)| status)
    }

    /// What a response to `attempt`, of a call of `method`, says about its scope: the bucket
    /// it names, the requests left and their reset, under `config`.
    pub(crate) fn observe(
        &self,
        config: &RateLimitConfig,
        method: &'static str,
        attempt: u64,
        headers: &HeaderMap,
        now: Instant,
    ) {
        let mut table = self.lock();
        if config.scope == Scope::Bucket
            && let Some(name) = config.bucket_header.as_deref()
            && let Some(bucket) = headers.get(name).map(|v| bucket_name(v.as_bytes()))
        {
            if table.buckets.len() >= MAX_SCOPES && !table.buckets.contains_key(method) {
                table.buckets.clear();
            }
            table.buckets.insert(method, bucket);
        }
        let key = table.key(config.scope, method);
        let state = table.state(&key);
        // the server has counted the attempt
        if let Some(i) = state.in_flight.iter().position(|a| *a == attempt) {
            state.in_flight.swap_remove(i);
        }
        let Some((remaining, reset)) = stated_quota(config, headers, now) else {
            return;
        };
        let stated = Stated { remaining, reset };
        state.quota = Some(Stated::update(state.quota, stated, now));
    }
}

impl Table {
    /// The scope a call of `method` is in under `scope`: a method not yet seen naming a bucket
    /// is a scope of its own.
    fn key(&self, scope: Scope, method: &'static str) -> Key {
        match scope {
            Scope::Client => Key::Client,
            Scope::Method => Key::Method(method),
            _ => match self.buckets.get(method) {
                Some(bucket) => Key::Bucket(bucket.clone()),
                None => Key::Method(method),
            },
        }
    }

    /// `key`'s state, made (and the least recently used idle scope forgotten past the bound)
    /// when it is new.
    fn state(&mut self, key: &Key) -> &mut State {
        self.tick = self.tick.wrapping_add(1);
        let tick = self.tick;
        if !self.scopes.contains_key(key) && self.scopes.len() >= MAX_SCOPES {
            let oldest = self
                .scopes
                .iter()
                .filter(|(_, s)| s.in_flight.is_empty())
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.scopes.remove(&oldest);
            }
        }
        let state = self.scopes.entry(key.clone()).or_default();
        state.used = tick;
        state
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.scopes.len()
    }
}

/// A bucket header's value as a key: lossy, cut to [`MAX_BUCKET_NAME`] bytes.
fn bucket_name(value: &[u8]) -> Box<str> {
    let value = value.get(..MAX_BUCKET_NAME).unwrap_or(value);
    String::from_utf8_lossy(value).into()
}

/// The quota a response states: requests left and the instant they reset.
fn stated_quota(
    config: &RateLimitConfig,
    headers: &HeaderMap,
    now: Instant,
) -> Option<(u64, Instant)> {
    let wall = SystemTime::now();
    let reset_in = |wait: Duration| now.checked_add(wait);
    if let Some(name) = config.remaining.as_deref()
        && let Some(remaining) = headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    {
        let stated = config.reset.as_ref().and_then(|r| {
            let value = headers.get(r.header_name()?)?;
            crate::wait::read(value.as_bytes(), r.format, wall).ok()
        });
        let reset = match stated {
            Some(Some(wait)) => wait,
            // a reset already past: the count is of a period that is over (a late answer)
            Some(None) => return None,
            // without a readable reset, a spent quota is waited for a second at a time
            None => Duration::from_secs(1),
        };
        return Some((remaining, reset_in(reset)?));
    }
    if config.ietf
        && let Some((remaining, reset)) = headers
            .get_all("ratelimit")
            .iter()
            .find_map(|v| crate::wait::ratelimit::quota(v.as_bytes()))
    {
        let reset = reset.map_or(Duration::from_secs(1), Duration::from_secs);
        return Some((remaining, reset_in(reset)?));
    }
    None
}

#[cfg(test)]
mod tests;
