//! What the Redis tests share: a real `redis-server` each test starts on a free port (killed
//! when dropped), the asks and reports a retrier would make, and waiting for an answer that
//! comes from a background task.

#![allow(dead_code)] // each test file uses a different part

use std::time::{Duration, Instant};

use errspec::http::{HeaderMap, StatusCode};
use errspec::{
    Ask, Grant, LimitStore, Outcome, Report, RetryConfig, RetryPolicy, ScopeKey, StatedQuota,
    StatusError, Ticket,
};
use errspec_redis::RedisStore;

pub const MS: Duration = Duration::from_millis(1);

#[allow(unused_imports, reason = "each test file uses a different part")]
pub use errspec_test_support::redis::{RedisServer as Server, free_port, redis_available};

/// A server on a free port, or `None` (the test is skipped) where `redis-server` is missing.
pub fn server() -> Option<Server> {
    Server::start()
}

/// A server started with `extra` arguments (`["--requirepass", "secret"]`, say).
pub fn server_with(extra: &[&str]) -> Option<Server> {
    Server::start_with(extra)
}

/// What the tests ask of their server beyond running it.
pub trait ServerExt {
    /// A plain connection for the test's own commands (as the default user).
    fn redis(&self) -> redis::Connection;
    /// Every key in the server.
    fn keys(&self) -> Vec<String>;
}

impl ServerExt for Server {
    fn redis(&self) -> redis::Connection {
        let mut url = self.url();
        let args = self.args();
        if let Some(i) = args.iter().position(|a| a == "--requirepass") {
            url = format!("redis://:{}@127.0.0.1:{}", args[i + 1], self.port());
        }
        redis::Client::open(url).unwrap().get_connection().unwrap()
    }

    fn keys(&self) -> Vec<String> {
        let mut conn = self.redis();
        let mut keys: Vec<String> = conn
            .scan::<String>()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        keys.sort();
        keys
    }
}

use redis::Commands as _;

/// A store on `server`, timing out after 100 ms.
pub async fn store(server: &Server) -> RedisStore {
    RedisStore::connect(server.url()).await.expect("connects")
}

/// A first attempt of API `api` in `scope`.
pub fn ask(api: &'static str, scope: ScopeKey, ticket: u64) -> Ask {
    let mut ask = Ask::new(scope, Ticket(ticket), Instant::now());
    ask.api = api;
    ask
}

/// The same ask, reading a stated quota.
pub fn reading(mut ask: Ask) -> Ask {
    ask.reads_quota = true;
    ask
}

/// The grant `store` gives `ask`.
pub async fn acquire(store: &RedisStore, ask: &Ask) -> Grant {
    store.acquire(ask).await
}

/// A success of `ticket` in `scope`.
pub fn success(api: &'static str, scope: ScopeKey, ticket: u64) -> Report {
    Report::new(
        scope,
        Some(Ticket(ticket)),
        Instant::now(),
        Outcome::Success,
    )
    .with_api(api)
}

/// A success stating `remaining` left until a reset in `reset_in`.
pub fn stating(
    api: &'static str,
    scope: ScopeKey,
    ticket: u64,
    remaining: u64,
    reset_in: Duration,
) -> Report {
    success(api, scope, ticket).with_quota(Some(StatedQuota::new(remaining, reset_in)))
}

/// A 429 of `ticket` whose Retry-After holds `scope` for `hold`.
pub fn refused(api: &'static str, scope: ScopeKey, ticket: u64, hold: Duration) -> Report {
    let outcome = Outcome::Refused {
        hold: Some(hold),
        status: Some(StatusCode::TOO_MANY_REQUESTS),
        rate_limited: true,
        retrying: false,
    };
    Report::new(scope, Some(Ticket(ticket)), Instant::now(), outcome).with_api(api)
}

/// Asks until `done` says yes of the grant (reports reach Redis from a background task), for
/// at most a second; the last grant.
pub async fn eventually(store: &RedisStore, ask: &Ask, done: impl Fn(&Grant) -> bool) -> Grant {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let grant = store.acquire(ask).await;
        if done(&grant) || Instant::now() > deadline {
            if grant == Grant::Go {
                // free the reservation this look took
                store.report(
                    &Report::new(
                        ask.scope,
                        Some(ask.ticket),
                        Instant::now(),
                        Outcome::Cancelled { retrying: false },
                    )
                    .with_api(ask.api),
                );
            }
            return grant;
        }
        if grant == Grant::Go {
            store.report(
                &Report::new(
                    ask.scope,
                    Some(ask.ticket),
                    Instant::now(),
                    Outcome::Cancelled { retrying: false },
                )
                .with_api(ask.api),
            );
        }
        tokio::time::sleep(5 * MS).await;
    }
}

/// Waits (at most two seconds) until `store` asks Redis again after an outage.
pub async fn until_sharing(store: &RedisStore) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !store.is_sharing() {
        assert!(
            Instant::now() < deadline,
            "the store never asked Redis again"
        );
        tokio::time::sleep(5 * MS).await;
    }
}

pub fn is_hold(grant: &Grant) -> bool {
    matches!(
        grant,
        Grant::Wait {
            pause: errspec::Pause::Hold,
            ..
        }
    )
}

/// A 429 with a Retry-After, as a generated enum would give it.
#[derive(Debug)]
pub struct Limited;

impl std::fmt::Display for Limited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("429")
    }
}

impl std::error::Error for Limited {}

impl StatusError for Limited {
    fn status(&self) -> Option<StatusCode> {
        Some(StatusCode::TOO_MANY_REQUESTS)
    }
    fn policy(&self) -> RetryPolicy {
        RetryPolicy::AfterHeader
    }
    fn retry_after(&self) -> Option<Duration> {
        Some(Duration::from_millis(300))
    }
    fn hint(&self) -> Option<&'static str> {
        None
    }
    fn retry_config() -> RetryConfig {
        RetryConfig::new()
    }
    fn from_parts(_: StatusCode, _: &HeaderMap, _: Option<&[u8]>) -> Self {
        Limited
    }
}

/// A retrier of the API `api` using `store`.
pub fn retrier(store: &RedisStore, api: &'static str) -> errspec::Retrier {
    errspec::Retrier::new(RetryConfig::new())
        .with_rate_limit(errspec::RateLimitConfig::new().with_api(Some(api)))
        .with_store(store.clone())
}
