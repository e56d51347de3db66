//! What the Redis tests share: a real `redis-server` each test starts on a free port (killed
//! when dropped), the asks and reports a retrier would make, and waiting for an answer that
//! comes from a background task.

#![allow(dead_code)] // each test file uses a different part

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use errspec::http::{HeaderMap, StatusCode};
use errspec::{
    Ask, Grant, LimitStore, Outcome, Report, RetryConfig, RetryPolicy, ScopeKey, StatedQuota,
    StatusError, Ticket,
};
use errspec_redis::RedisStore;

pub const MS: Duration = Duration::from_millis(1);

/// A `redis-server` of the test's own, on 127.0.0.1.
pub struct Server {
    pub port: u16,
    extra: Vec<String>,
    child: Option<Child>,
}

/// Whether `redis-server` can run here. When not: fails the test if `ERRSPEC_REQUIRE_REDIS=1`
/// (as CI sets), else says how to install it and the test returns early.
pub fn redis_available() -> bool {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let required = std::env::var("ERRSPEC_REQUIRE_REDIS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "ERRSPEC_REQUIRE_REDIS=1 but `redis-server` is not on PATH: apt-get install -y redis-server"
        );
        eprintln!(
            "skipped: these tests need a real `redis-server` on PATH \
             (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`)"
        );
    }
    found
}

/// A server on a free port, or `None` (the test is skipped) where `redis-server` is missing.
pub fn server() -> Option<Server> {
    server_with(&[])
}

/// A server started with `extra` arguments (`["--requirepass", "secret"]`, say).
pub fn server_with(extra: &[&str]) -> Option<Server> {
    if !redis_available() {
        return None;
    }
    let mut server = Server {
        port: free_port(),
        extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        child: None,
    };
    server.start();
    Some(server)
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Server {
    /// A server on `port` started with `args` besides the port (TLS settings, say).
    pub fn with_args(port: u16, args: &[&str]) -> Self {
        let mut server = Self {
            port,
            extra: args.iter().map(|s| (*s).to_owned()).collect(),
            child: None,
        };
        server.start();
        server
    }

    /// A server on `port`, not started yet.
    pub fn at(port: u16) -> Self {
        Self {
            port,
            extra: Vec::new(),
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again, on the same port), and waits until it accepts connections.
    pub fn start(&mut self) {
        let port = self.port.to_string();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(5 * MS);
        }
    }

    /// Kills the server (SIGKILL), and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A plain connection for the test's own commands (as the default user).
    pub fn redis(&self) -> redis::Connection {
        let mut url = self.url();
        if let Some(i) = self.extra.iter().position(|a| a == "--requirepass") {
            url = format!("redis://:{}@127.0.0.1:{}", self.extra[i + 1], self.port);
        }
        redis::Client::open(url).unwrap().get_connection().unwrap()
    }

    /// Every key in the server.
    pub fn keys(&self) -> Vec<String> {
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

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

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
