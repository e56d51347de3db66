//! The rate limits the benchmark server enforces. Each limiter works on the time since the
//! server's clock started (window 0 or a full bucket begins then) and decides one request at a
//! time, under the server's lock.

use std::collections::VecDeque;
use std::time::Duration;

/// What a limiter decided for one request.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// Whether the request is admitted.
    pub admitted: bool,
    /// For a refused request, how long until the limiter would admit one: the exact wait, which
    /// the server rounds up to whole seconds for `Retry-After`. Zero when admitted.
    pub wait: Duration,
    /// For a fixed window, the quota to state in headers.
    pub window: Option<WindowQuota>,
}

/// A fixed window's quota after one request, as quota headers state it.
#[derive(Debug, Clone, Copy)]
pub struct WindowQuota {
    /// Requests the current window admits.
    pub limit: u32,
    /// Requests the current window still admits after this one.
    pub remaining: u32,
    /// When the current window ends, since the clock's start.
    pub end: Duration,
}

/// Whole seconds, rounded up: `Retry-After` and the IETF `t` of a wait.
pub fn ceil_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// One of the limits below, or none.
#[derive(Debug)]
pub enum Limiter {
    /// Admits everything.
    Unlimited,
    /// A fixed window.
    Fixed(FixedWindow),
    /// A token bucket.
    Bucket(TokenBucket),
    /// A sliding window.
    Sliding(SlidingWindow),
}

impl Limiter {
    /// Decides a request that arrived `since` after the clock's start.
    pub fn check(&mut self, since: Duration) -> Verdict {
        match self {
            Self::Unlimited => Verdict {
                admitted: true,
                wait: Duration::ZERO,
                window: None,
            },
            Self::Fixed(limiter) => limiter.check(since),
            Self::Bucket(limiter) => limiter.check(since),
            Self::Sliding(limiter) => limiter.check(since),
        }
    }
}

/// A change of a fixed window's limit: windows that start in `from..until` admit `low`.
#[derive(Debug, Clone, Copy)]
pub struct QuotaChange {
    /// The limit while the change lasts.
    pub low: u32,
    /// When it begins, since the clock's start.
    pub from: Duration,
    /// When the normal limit is back.
    pub until: Duration,
}

/// `limit` requests per `window`, windows counted from the clock's start; a window's limit is
/// the one in force when it starts.
#[derive(Debug)]
pub struct FixedWindow {
    limit: u32,
    window: Duration,
    change: Option<QuotaChange>,
    /// (window index, requests admitted in it).
    current: (u64, u32),
}

impl FixedWindow {
    /// A fixed window of `limit` per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            change: None,
            current: (0, 0),
        }
    }

    /// The same, with `change` to its limit for a while.
    pub fn with_change(mut self, change: QuotaChange) -> Self {
        self.change = Some(change);
        self
    }

    /// The limit of window `index`.
    fn limit_of(&self, index: u64) -> u32 {
        let start = self.window * u32::try_from(index).unwrap_or(u32::MAX);
        match self.change {
            Some(change) if start >= change.from && start < change.until => change.low,
            _ => self.limit,
        }
    }

    fn check(&mut self, since: Duration) -> Verdict {
        let index = u64::try_from(since.as_nanos() / self.window.as_nanos()).unwrap_or(u64::MAX);
        if self.current.0 != index {
            self.current = (index, 0);
        }
        let limit = self.limit_of(index);
        let admitted = self.current.1 < limit;
        if admitted {
            self.current.1 += 1;
        }
        let end = self.window * u32::try_from(index + 1).unwrap_or(u32::MAX);
        Verdict {
            admitted,
            wait: if admitted {
                Duration::ZERO
            } else {
                end.saturating_sub(since)
            },
            window: Some(WindowQuota {
                limit,
                remaining: limit - self.current.1,
                end,
            }),
        }
    }
}

/// A token bucket: one token every `1 s / rate`, at most `burst` kept, full at the clock's
/// start; a request takes one token or is refused.
#[derive(Debug)]
pub struct TokenBucket {
    /// The time that refills one token.
    interval: Duration,
    /// The refill time the bucket holds when full: `burst` tokens.
    capacity: Duration,
    /// The refill time held at `last`: tokens times `interval`, fractions included.
    held: Duration,
    /// When `held` was last brought up to date, since the clock's start.
    last: Duration,
}

impl TokenBucket {
    /// A full bucket of `burst` tokens, refilled at `rate` per second.
    pub fn new(rate: u32, burst: u32) -> Self {
        let interval = Duration::from_secs(1) / rate;
        Self {
            interval,
            capacity: interval * burst,
            held: interval * burst,
            last: Duration::ZERO,
        }
    }

    fn check(&mut self, since: Duration) -> Verdict {
        self.held = (self.held + since.saturating_sub(self.last)).min(self.capacity);
        self.last = self.last.max(since);
        let admitted = self.held >= self.interval;
        let wait = if admitted {
            self.held -= self.interval;
            Duration::ZERO
        } else {
            // until the next token
            self.interval.saturating_sub(self.held)
        };
        Verdict {
            admitted,
            wait,
            window: None,
        }
    }
}

/// At most `limit` requests admitted in any `window`: a request at `t` is admitted if fewer than
/// `limit` were admitted in `(t - window, t]`.
#[derive(Debug)]
pub struct SlidingWindow {
    limit: u32,
    window: Duration,
    /// When each admitted request still in the window came, oldest first.
    admitted: VecDeque<Duration>,
}

impl SlidingWindow {
    /// At most `limit` in any `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            admitted: VecDeque::new(),
        }
    }

    fn check(&mut self, since: Duration) -> Verdict {
        while self
            .admitted
            .front()
            .is_some_and(|&at| at + self.window <= since)
        {
            self.admitted.pop_front();
        }
        let admitted = self.admitted.len() < self.limit as usize;
        let wait = if admitted {
            self.admitted.push_back(since);
            Duration::ZERO
        } else {
            // the oldest admitted request leaves the window then
            self.admitted.front().map_or(Duration::ZERO, |&at| {
                (at + self.window).saturating_sub(since)
            })
        };
        Verdict {
            admitted,
            wait,
            window: None,
        }
    }
}

/// Checks the limiters on made-up arrival times: the benchmark binaries are `harness = false`,
/// so this is what `cargo test --benches` runs of them before their skip note. Panics on a
/// limiter that admits more, or states a wait other than, what its doc says.
pub fn self_check() {
    let ms = Duration::from_millis;
    let admitted = |limiter: &mut Limiter, times: &[Duration]| {
        times.iter().filter(|&&t| limiter.check(t).admitted).count()
    };

    // fixed window: 3 per 1 s; the 4th in window 0 waits for its end
    let mut fixed = Limiter::Fixed(FixedWindow::new(3, ms(1000)));
    assert_eq!(admitted(&mut fixed, &[ms(0), ms(1), ms(2)]), 3);
    let refused = fixed.check(ms(300));
    assert!(!refused.admitted);
    assert_eq!(refused.wait, ms(700));
    assert_eq!(ceil_secs(refused.wait), 1);
    let next = fixed.check(ms(1000));
    assert!(next.admitted);
    let quota = next.window.expect("a fixed window states its quota");
    assert_eq!((quota.limit, quota.remaining, quota.end), (3, 2, ms(2000)));

    // a quota change: windows starting in 1 s..2 s admit 1
    let change = QuotaChange {
        low: 1,
        from: ms(1000),
        until: ms(2000),
    };
    let mut changing = Limiter::Fixed(FixedWindow::new(3, ms(1000)).with_change(change));
    assert_eq!(admitted(&mut changing, &[ms(0), ms(1), ms(2), ms(3)]), 3);
    assert_eq!(admitted(&mut changing, &[ms(1000), ms(1001), ms(1002)]), 1);
    assert_eq!(admitted(&mut changing, &[ms(2000), ms(2001), ms(2002)]), 3);

    // token bucket: 10 per second (a token per 100 ms), burst 2, full at the start
    let mut bucket = Limiter::Bucket(TokenBucket::new(10, 2));
    assert_eq!(admitted(&mut bucket, &[ms(0), ms(0), ms(0)]), 2);
    let refused = bucket.check(ms(40));
    assert!(!refused.admitted);
    assert_eq!(refused.wait, ms(60));
    assert_eq!(ceil_secs(refused.wait), 1);
    assert!(bucket.check(ms(100)).admitted);
    // idle for long: still only the burst
    assert_eq!(admitted(&mut bucket, &[ms(5000), ms(5000), ms(5000)]), 2);

    // sliding window: 2 in any 1 s
    let mut sliding = Limiter::Sliding(SlidingWindow::new(2, ms(1000)));
    assert_eq!(admitted(&mut sliding, &[ms(0), ms(500), ms(900)]), 2);
    let refused = sliding.check(ms(999));
    assert_eq!((refused.admitted, refused.wait), (false, ms(1)));
    // 0 leaves at 1000: one more; 500 leaves at 1500
    assert_eq!(admitted(&mut sliding, &[ms(1000), ms(1001), ms(1499)]), 1);
    assert!(sliding.check(ms(1500)).admitted);
}
