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
}

#[derive(Debug, Default)]
struct State {
    hold: Option<(Instant, Option<StatusCode>)>,
    /// What responses stated: requests left, and when that count resets.
    quota: Option<(u64, Instant)>,
    in_flight: u32,
    learned: Learned,
    used: u64,
}

impl Limits {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
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
        if paced && let Some((remaining, reset)) = state.quota {
            if now >= reset {
                state.quota = None;
            } else if remaining <= u64::from(state.in_flight) {
                return Permit::Quota(reset.saturating_duration_since(now).min(cap));
            }
        }
        if let Some(window) = &mut state.learned.window {
            window.advance(now);
            if paced && first && window.sent >= window.quota {
                let next = window.next_start().saturating_duration_since(now);
                if !next.is_zero() {
                    return Permit::Paced(next.min(cap));
                }
            }
        }
        state.in_flight = state.in_flight.saturating_add(1);
        let learned = &mut state.learned;
        learned.sent = learned.sent.saturating_add(1);
        learned.first_sent.get_or_insert(now);
        if let Some(window) = &mut state.learned.window {
            window.sent = window.sent.saturating_add(1);
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

    /// Counts a call in `key` in flight without asking (a call that waited all it may).
    pub(crate) fn force(&self, key: &Key) {
        let mut table = self.lock();
        let state = table.state(key);
        state.in_flight = state.in_flight.saturating_add(1);
    }

    /// An attempt in `key` came back at `now` (or was dropped): no longer in flight; a
    /// `success` counts toward the learned quota.
    pub(crate) fn done(&self, key: &Key, success: bool, now: Instant) {
        let mut table = self.lock();
        let state = table.state(key);
        state.in_flight = state.in_flight.saturating_sub(1);
        if success && let Some(window) = &mut state.learned.window {
            window.advance(now);
            window.succeeded = window.succeeded.saturating_add(1);
        }
    }

    /// A server said to wait until `until` (a retried refusal): holds `key`, and teaches the
    /// learned pacing the period since the previous hold.
    pub(crate) fn hold(&self, key: &Key, until: Instant, status: Option<StatusCode>) {
        let mut table = self.lock();
        let state = table.state(key);
        if state.hold.is_none_or(|(h, _)| h < until) {
            state.hold = Some((until, status));
        }
        let learned = &mut state.learned;
        match (&mut learned.window, learned.last_hold_end) {
            // another refusal of the same period (sent together): one fewer got through
            (Some(window), _) if until <= window.start + SAME_HOLD => {
                window.quota = window.quota.saturating_sub(1).max(1);
                window.ceiling = window
                    .ceiling
                    .map(|c| c.min(window.quota.saturating_add(1)));
            }
            // refused in a learned period: all it sent but this one got through; the next
            // period starts where the server said
            (Some(window), _) => {
                *window = Window::refused_at(window.sent, window.length, until);
            }
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

    /// The status of the response that set `key`'s hold.
    pub(crate) fn hold_status(&self, key: &Key) -> Option<StatusCode> {
        self.lock()
            .scopes
            .get(key)
            .and_then(|s| s.hold)
            .and_then(|(_, status)| status)
    }

    /// What a response of a call of `method` says about its scope: the bucket it names, the
    /// requests left and their reset, under `config`.
    pub(crate) fn observe(
        &self,
        config: &RateLimitConfig,
        method: &'static str,
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
        let Some(quota) = stated_quota(config, headers, now) else {
            return;
        };
        table.state(&key).quota = Some(quota);
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
                .filter(|(_, s)| s.in_flight == 0)
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
        let reset = config
            .reset
            .as_ref()
            .and_then(|r| crate::wait::wait_from_headers(headers, core::slice::from_ref(r), wall))
            .and_then(reset_in);
        // without a readable reset, a spent quota is waited for at most a second at a time
        let reset = reset.or_else(|| reset_in(Duration::from_secs(1)))?;
        return Some((remaining, reset));
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
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(60);

    #[test]
    fn a_scope_that_saw_no_refusal_is_never_paced() {
        let limits = Limits::default();
        let now = Instant::now();
        for _ in 0..10_000 {
            assert_eq!(
                limits.permit(&Key::Client, now, Pacing::Auto, CAP, true),
                Permit::Go
            );
        }
    }

    #[test]
    fn learned_pacing_sends_what_succeeded_between_holds_then_probes_up() {
        let limits = Limits::default();
        let t0 = Instant::now();
        let second = Duration::from_secs(1);
        limits.hold(&Key::Client, t0 + second, None);
        // 51 sent in the second period, the 51st refused
        for _ in 0..51 {
            assert_eq!(
                limits.permit(&Key::Client, t0 + second, Pacing::Auto, CAP, true),
                Permit::Go
            );
        }
        limits.hold(&Key::Client, t0 + 2 * second, None);
        // the learned period: 50 sends, then wait for the next period
        let start = t0 + 2 * second;
        for _ in 0..50 {
            assert_eq!(
                limits.permit(&Key::Client, start, Pacing::Auto, CAP, true),
                Permit::Go
            );
        }
        assert_eq!(
            limits.permit(&Key::Client, start, Pacing::Auto, CAP, true),
            Permit::Paced(second)
        );
        // a retry is not paced to it: it has waited what its error asked
        assert_eq!(
            limits.permit(&Key::Client, start, Pacing::Auto, CAP, false),
            Permit::Go
        );
        // the period after the refused one has the same quota
        let next = start + second;
        for _ in 0..50 {
            assert_eq!(
                limits.permit(&Key::Client, next, Pacing::Auto, CAP, true),
                Permit::Go
            );
        }
        assert!(matches!(
            limits.permit(&Key::Client, next, Pacing::Auto, CAP, true),
            Permit::Paced(_)
        ));
        // after a clean, full period, it probes one past the level that was refused
        let probe = next + second;
        for _ in 0..51 {
            assert_eq!(
                limits.permit(&Key::Client, probe, Pacing::Auto, CAP, true),
                Permit::Go
            );
        }
        assert!(matches!(
            limits.permit(&Key::Client, probe, Pacing::Auto, CAP, true),
            Permit::Paced(_)
        ));
        // pacing off: holds only
        assert_eq!(
            limits.permit(&Key::Client, probe, Pacing::Off, CAP, true),
            Permit::Go
        );
    }

    #[test]
    fn bucket_scopes_are_bounded() {
        let limits = Limits::default();
        let now = Instant::now();
        for i in 0..(MAX_SCOPES * 4) {
            let key = Key::Bucket(i.to_string().into());
            limits.hold(&key, now + Duration::from_secs(5), None);
        }
        assert!(limits.lock().len() <= MAX_SCOPES);
    }
}
