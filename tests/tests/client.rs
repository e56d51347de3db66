//! Behaviour of `#[errspec::client]` with scripted fake clients (no HTTP): how many attempts
//! each retry policy gets for idempotent and other methods, the waits (Retry-After, backoff,
//! `max_retry_after`, `max_elapsed`), the retry budget shared by clones, one argument clone per
//! attempt, the final error returned unchanged, sync and async methods in one trait, and
//! `&mut self` state across attempts.
//!
//! Time is virtual: a recording sleeper on its own clock, or tokio's paused clock.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use errspec::http::{HeaderMap, HeaderValue, StatusCode};
use errspec::{Retrier, RetryBudget, RetryConfig, Retrying, StatusError};
use errspec_test_support::{RecordingSleeper, SleepKind, block_on};

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

/// Statuses by policy (see `specs/client-shop.toml`): 404 never, 409 always, 429 after-header,
/// 503 idempotent, 500 idempotent by the 5xx class default. Retry settings: 4 attempts,
/// backoff 100 ms x2 up to 1 s without jitter, `max_retry_after` 30 s.
#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

/// An argument that counts its clones, so a test sees one per attempt.
#[derive(Debug)]
struct Item {
    name: &'static str,
    clones: Arc<AtomicU32>,
}

impl Item {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            clones: Arc::default(),
        }
    }

    fn clones(&self) -> u32 {
        self.clones.load(Ordering::SeqCst)
    }
}

impl Clone for Item {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Self {
            name: self.name,
            clones: Arc::clone(&self.clones),
        }
    }
}

/// The client trait under test: sync and async, idempotent and not, `&self` and `&mut self`,
/// and methods that are only forwarded.
#[errspec::client(error = ShopError)]
trait Shop {
    /// Reads an item: sync, idempotent.
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> Result<String, ShopError>;

    /// Creates an item: sync, not idempotent.
    fn create(&self, item: Item) -> Result<u32, ShopError>;

    /// Lists a page of items: async, idempotent.
    #[errspec(idempotent)]
    async fn list(&self, page: u32) -> Result<Vec<String>, ShopError>;

    /// Orders an item: async, not idempotent.
    async fn order(&self, item: Item) -> Result<u32, ShopError>;

    /// Reads the stock of an item: a `Send` future, idempotent.
    #[errspec(idempotent)]
    fn stock(&self, id: u32) -> impl Future<Output = Result<u32, ShopError>> + Send;

    /// Reserves an item, counting attempts in the client's own state: sync, `&mut self`.
    fn reserve(&mut self, id: u32) -> Result<u32, ShopError>;

    /// Refreshes the client's state: async, `&mut self`, idempotent.
    #[errspec(idempotent)]
    async fn refresh(&mut self) -> Result<u32, ShopError>;

    /// Attempts so far: forwarded, not retried.
    fn attempts(&self) -> u32;

    /// Forgets the reservations: forwarded with `&mut self`.
    fn forget(&mut self) -> u32;
}

/// One scripted answer.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Ok,
    /// A failure with this status and, if given, this `Retry-After` value.
    Fail(u16, Option<&'static str>),
}

use Answer::{Fail, Ok as Pass};

fn fail(status: u16) -> Answer {
    Fail(status, None)
}

/// A fake client: every attempt of every method takes the next answer of the script (success
/// once it runs out). Clones share the script and the counter.
#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Answer>>>,
    attempts: Arc<AtomicU32>,
    /// The client's own state, changed by `&mut self` methods.
    reserved: u32,
    /// Each attempt takes this long on the sleeper's clock (a slow server).
    latency: Option<(RecordingSleeper, Duration)>,
}

impl Fake {
    fn new(script: impl IntoIterator<Item = Answer>) -> Self {
        Self {
            script: Arc::new(Mutex::new(script.into_iter().collect())),
            ..Self::default()
        }
    }

    /// The next attempt: `Ok(n)` for attempt number `n`, or the scripted error with the body
    /// `attempt n`.
    fn attempt(&self) -> Result<u32, ShopError> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((clock, latency)) = &self.latency {
            clock.advance(*latency);
        }
        let answer = lock(&self.script).pop_front().unwrap_or(Pass);
        match answer {
            Pass => Ok(n),
            Fail(status, retry_after) => {
                let mut headers = HeaderMap::new();
                if let Some(value) = retry_after {
                    headers.insert("retry-after", HeaderValue::from_static(value));
                }
                let status = StatusCode::from_u16(status).expect("a valid status");
                let body = format!("attempt {n}");
                Err(ShopError::from_parts(
                    status,
                    &headers,
                    Some(body.as_bytes()),
                ))
            }
        }
    }
}

impl Shop for Fake {
    fn item(&self, id: u32) -> Result<String, ShopError> {
        self.attempt().map(|n| format!("item {id} on attempt {n}"))
    }

    fn create(&self, item: Item) -> Result<u32, ShopError> {
        assert_eq!(item.name, "lamp");
        self.attempt()
    }

    async fn list(&self, page: u32) -> Result<Vec<String>, ShopError> {
        self.attempt()
            .map(|n| vec![format!("page {page} on attempt {n}")])
    }

    async fn order(&self, item: Item) -> Result<u32, ShopError> {
        assert_eq!(item.name, "lamp");
        self.attempt()
    }

    fn stock(&self, id: u32) -> impl Future<Output = Result<u32, ShopError>> + Send {
        let result = self.attempt().map(|n| id * 100 + n);
        std::future::ready(result)
    }

    fn reserve(&mut self, id: u32) -> Result<u32, ShopError> {
        assert_eq!(id, 7);
        self.reserved += 1;
        self.attempt().map(|_| self.reserved)
    }

    async fn refresh(&mut self) -> Result<u32, ShopError> {
        self.reserved += 10;
        self.attempt().map(|_| self.reserved)
    }

    fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }

    fn forget(&mut self) -> u32 {
        std::mem::take(&mut self.reserved)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `fake` under the spec's retry settings (or `config`), waiting on a fresh recording sleeper.
fn retrying_with(fake: Fake, config: RetryConfig) -> (Retrying<Fake>, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(config).with_sleeper(sleeper.clone());
    (Retrying::new(fake).with_retrier(retrier), sleeper)
}

fn retrying(script: impl IntoIterator<Item = Answer>) -> (Retrying<Fake>, RecordingSleeper) {
    retrying_with(Fake::new(script), ShopError::retry_config())
}

/// Every way of calling one retried attempt sequence, with whether it is idempotent.
#[derive(Debug, Clone, Copy)]
enum Call {
    SyncIdempotent,
    SyncOther,
    AsyncIdempotent,
    AsyncOther,
    SendFutureIdempotent,
    MutSyncOther,
    MutAsyncIdempotent,
}

const CALLS: [Call; 7] = [
    Call::SyncIdempotent,
    Call::SyncOther,
    Call::AsyncIdempotent,
    Call::AsyncOther,
    Call::SendFutureIdempotent,
    Call::MutSyncOther,
    Call::MutAsyncIdempotent,
];

impl Call {
    fn idempotent(self) -> bool {
        matches!(
            self,
            Call::SyncIdempotent
                | Call::AsyncIdempotent
                | Call::SendFutureIdempotent
                | Call::MutAsyncIdempotent
        )
    }

    fn is_async(self) -> bool {
        !matches!(
            self,
            Call::SyncIdempotent | Call::SyncOther | Call::MutSyncOther
        )
    }

    /// Makes the call; the error, if any.
    fn run(self, client: &mut Retrying<Fake>) -> Option<ShopError> {
        match self {
            Call::SyncIdempotent => client.item(7).err(),
            Call::SyncOther => client.create(Item::new("lamp")).err(),
            Call::AsyncIdempotent => block_on(client.list(1)).err(),
            Call::AsyncOther => block_on(client.order(Item::new("lamp"))).err(),
            Call::SendFutureIdempotent => block_on(client.stock(7)).err(),
            Call::MutSyncOther => client.reserve(7).err(),
            Call::MutAsyncIdempotent => block_on(client.refresh()).err(),
        }
    }
}

#[test]
fn attempts_follow_the_policy_and_the_methods_idempotency() {
    // (status, attempts when idempotent, attempts otherwise); every attempt fails
    let table = [
        (fail(404), 1, 1),            // never
        (fail(409), 4, 4),            // always
        (fail(429), 4, 4),            // after-header, no header: backoff
        (Fail(429, Some("1")), 4, 4), // after-header
        (fail(503), 4, 1),            // idempotent
        (fail(500), 4, 1),            // idempotent, from the 5xx class default
    ];
    for (answer, idempotent_attempts, other_attempts) in table {
        for call in CALLS {
            let (mut client, sleeper) = retrying([answer; 10]);
            let err = call.run(&mut client).expect("every attempt fails");
            let expected = if call.idempotent() {
                idempotent_attempts
            } else {
                other_attempts
            };
            let attempts = client.inner().attempts();
            assert_eq!(attempts, expected, "{answer:?} via {call:?}");
            let Fail(status, _) = answer else {
                unreachable!()
            };
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            let waits = u32::try_from(sleeper.sleeps().len()).unwrap();
            assert_eq!(waits, expected - 1, "{call:?}");
            let kind = if call.is_async() {
                SleepKind::Async
            } else {
                SleepKind::Blocking
            };
            assert!(
                sleeper.kinds().iter().all(|k| *k == kind),
                "{call:?} slept {:?}",
                sleeper.kinds()
            );
        }
    }
}

#[test]
fn a_success_after_failures_returns_the_value() {
    let (client, sleeper) = retrying([fail(503), fail(503)]);
    assert_eq!(client.item(7).unwrap(), "item 7 on attempt 3");
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);

    let (client, sleeper) = retrying([fail(500)]);
    assert_eq!(block_on(client.list(2)).unwrap(), ["page 2 on attempt 2"]);
    assert_eq!(block_on(client.stock(3)).unwrap(), 303);
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}

#[test]
fn retry_after_is_honoured_exactly() {
    let (client, sleeper) = retrying([Fail(429, Some("2")), Fail(429, Some("3"))]);
    // after-header retries even a method that is not idempotent
    assert_eq!(client.create(Item::new("lamp")).unwrap(), 3);
    assert_eq!(sleeper.sleeps(), [2 * SEC, 3 * SEC]);

    // A zero wait counts as none: the retry backs off instead of coming at once.
    let (client, sleeper) = retrying([Fail(429, Some("0"))]);
    assert_eq!(block_on(client.order(Item::new("lamp"))).unwrap(), 2);
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}

#[test]
fn without_retry_after_the_backoff_decides() {
    let (client, sleeper) = retrying([fail(429); 10]);
    let err = client.item(7).unwrap_err();
    assert!(matches!(err, ShopError::TooManyRequests { .. }));
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS, 400 * MS]);

    // a Retry-After that is not a number of seconds or a date counts as absent
    let (client, sleeper) = retrying([Fail(429, Some("soon")); 10]);
    client.item(7).unwrap_err();
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS, 400 * MS]);
}

#[test]
fn retry_after_is_a_floor_for_backoff_statuses() {
    // 503 backs off (100 ms first), but never retries before the server's stated time
    let (client, sleeper) = retrying([Fail(503, Some("1")), Fail(503, Some("0"))]);
    assert_eq!(client.item(7).unwrap(), "item 7 on attempt 3");
    assert_eq!(sleeper.sleeps(), [SEC, 200 * MS]);
}

#[test]
fn a_wait_above_max_retry_after_stops_at_once() {
    let (client, sleeper) = retrying([Fail(429, Some("31")), Pass]);
    let err = client.item(7).unwrap_err();
    assert_eq!(err.retry_after(), Some(31 * SEC));
    assert_eq!(client.inner().attempts(), 1);
    assert!(sleeper.sleeps().is_empty());

    // exactly max_retry_after is still honoured
    let (client, sleeper) = retrying([Fail(429, Some("30"))]);
    assert_eq!(block_on(client.list(1)).unwrap(), ["page 1 on attempt 2"]);
    assert_eq!(sleeper.sleeps(), [30 * SEC]);
}

#[test]
fn max_elapsed_stops_before_a_wait_would_pass_it() {
    let config = ShopError::retry_config()
        .with_max_attempts(10)
        .with_max_elapsed(Some(500 * MS));
    // 100 ms (at 100 ms), 200 ms (at 300 ms), then 400 ms would end at 700 ms: stop
    let (client, sleeper) = retrying_with(Fake::new([fail(503); 10]), config.clone());
    let err = client.item(7).unwrap_err();
    assert_eq!(err.body(), Some("attempt 3"));
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);

    // time spent in the attempts counts too: 150 ms each
    let sleeper = RecordingSleeper::new();
    let fake = Fake {
        latency: Some((sleeper.clone(), 150 * MS)),
        ..Fake::new([fail(503); 10])
    };
    let retrier = Retrier::new(config).with_sleeper(sleeper.clone());
    let client = Retrying::new(fake).with_retrier(retrier);
    block_on(client.list(1)).unwrap_err();
    // attempt 1 ends at 150 ms, waits 100; attempt 2 ends at 400 ms and 200 more would pass 500
    assert_eq!(client.inner().attempts(), 2);
    assert_eq!(sleeper.sleeps(), [100 * MS]);
}

#[test]
fn the_budget_is_shared_by_clones_of_retrying() {
    // a budget of 10 retries in the window (1 a second, no ratio) on a clock that stands still
    let start = Instant::now();
    let budget = RetryBudget::with_clock(0.0, 1, move || start);
    let config = ShopError::retry_config().with_max_attempts(100);
    let (a, sleeper) = retrying_with(Fake::new([fail(503); 100]), config.clone());
    let a = Retrying::new(a.into_inner()).with_retrier(
        Retrier::new(config.clone())
            .with_sleeper(sleeper.clone())
            .with_budget(budget),
    );
    let b = a.clone();

    a.item(7).unwrap_err();
    assert_eq!(
        a.inner().attempts(),
        11,
        "the first call spends the 10 retries"
    );
    assert_eq!(sleeper.sleeps().len(), 10);

    b.item(7).unwrap_err();
    assert_eq!(b.inner().attempts(), 12, "the clone's call gets no retry");
    assert_eq!(sleeper.sleeps().len(), 10);

    // a client with a budget of its own still retries: the refusal came from the shared one
    let (c, _) = retrying_with(Fake::new([fail(503); 2]), config);
    assert_eq!(c.item(7).unwrap(), "item 7 on attempt 3");
}

#[test]
fn clones_share_a_retrier_set_before_or_after_they_were_made() {
    let a = Retrying::new(Fake::new([]));
    let b = a.clone();
    assert!(
        a.retrier().is_none(),
        "calls run under their error type's config"
    );
    a.item(1).unwrap();
    assert!(
        b.retrier().is_none(),
        "a call chooses no retrier for the others"
    );
    let a = a.with_retrier(Retrier::new(ShopError::retry_config().with_max_attempts(9)));
    let chosen = b.retrier().expect("set on a, seen by b, made before");
    assert_eq!(chosen.config().max_attempts, 9);
    assert_eq!(a.clone().retrier().unwrap().config().max_attempts, 9);
}

#[test]
fn each_attempt_gets_a_clone_of_the_arguments() {
    let (client, _) = retrying([fail(409), fail(409)]);
    let item = Item::new("lamp");
    assert_eq!(client.create(item.clone()).unwrap(), 3);
    assert_eq!(
        item.clones(),
        1 + 3,
        "one clone here, one per attempt that may be retried"
    );

    let (client, _) = retrying([fail(429), fail(429), fail(429), fail(429)]);
    let item = Item::new("lamp");
    block_on(client.order(item.clone())).unwrap_err();
    assert_eq!(
        item.clones(),
        1 + 3,
        "the fourth attempt is the last max_attempts allows: it gets the argument itself"
    );

    let (client, _) = retrying([fail(404)]);
    let item = Item::new("lamp");
    client.create(item.clone()).unwrap_err();
    assert_eq!(item.clones(), 1 + 1);
}

#[test]
fn the_final_error_is_returned_unchanged() {
    let (client, _) = retrying([fail(503); 10]);
    let err = client.item(7).unwrap_err();
    assert!(matches!(err, ShopError::ServiceUnavailable { .. }));
    assert_eq!(err.body(), Some("attempt 4"), "the last attempt's error");
    assert_eq!(
        err.to_string(),
        "503 Service Unavailable: the shop is down for maintenance"
    );
    assert_eq!(err.hint(), None);

    let (client, _) = retrying([fail(409), fail(404)]);
    let err = client.create(Item::new("lamp")).unwrap_err();
    assert!(matches!(err, ShopError::NotFound { .. }));
    assert_eq!(err.body(), Some("attempt 2"));
    assert_eq!(err.to_string(), "404 Not Found: no such item");
    assert_eq!(err.hint(), Some("check the item id"));

    let (client, _) = retrying([Fail(429, Some("99"))]);
    let err = block_on(client.order(Item::new("lamp"))).unwrap_err();
    assert!(matches!(err, ShopError::TooManyRequests { .. }));
    assert_eq!(err.retry_after(), Some(99 * SEC));
    assert_eq!(err.body(), Some("attempt 1"));
}

#[test]
fn sync_methods_block_and_async_methods_await_on_one_retrier() {
    let (client, sleeper) = retrying([fail(503), Pass, fail(503), fail(503)]);
    assert_eq!(client.item(7).unwrap(), "item 7 on attempt 2");
    assert_eq!(block_on(client.list(1)).unwrap(), ["page 1 on attempt 5"]);
    assert_eq!(sleeper.sleeps(), [100 * MS, 100 * MS, 200 * MS]);
    assert_eq!(
        sleeper.kinds(),
        [SleepKind::Blocking, SleepKind::Async, SleepKind::Async]
    );
}

#[test]
fn mut_self_state_carries_across_attempts() {
    let (mut client, _) = retrying([fail(409), fail(409)]);
    assert_eq!(
        client.reserve(7).unwrap(),
        3,
        "each attempt saw the one before"
    );
    assert_eq!(client.inner().reserved, 3);

    let (mut client, _) = retrying([fail(503)]);
    assert_eq!(block_on(client.refresh()).unwrap(), 20);
    assert_eq!(client.forget(), 20);
    assert_eq!(client.inner().reserved, 0);
}

#[test]
fn methods_not_returning_result_are_forwarded_once() {
    let (mut client, sleeper) = retrying([fail(503)]);
    assert_eq!(client.attempts(), 0);
    client.item(7).unwrap();
    assert_eq!(client.attempts(), 2);
    assert_eq!(client.forget(), 0);
    assert_eq!(client.attempts(), 2);
    assert_eq!(sleeper.sleeps().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn by_default_the_spec_settings_apply_on_tokios_clock() {
    let client = Retrying::new(Fake::new([fail(503); 10]));
    let start = tokio::time::Instant::now();
    let err = client.list(1).await.unwrap_err();
    assert_eq!(
        err.body(),
        Some("attempt 4"),
        "max_attempts = 4 from the spec"
    );
    assert_eq!(start.elapsed(), 700 * MS, "100 + 200 + 400 ms, no jitter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_futures_can_be_spawned() {
    let (client, sleeper) = retrying([fail(503), fail(503)]);
    let client = Arc::new(client);
    let task = tokio::spawn({
        let client = Arc::clone(&client);
        async move { client.stock(4).await }
    });
    assert_eq!(task.await.unwrap().unwrap(), 403);
    assert_eq!(sleeper.sleeps(), [100 * MS, 200 * MS]);
}
