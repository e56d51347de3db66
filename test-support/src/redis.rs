//! A real `redis-server` of a test's (or a benchmark's) own, on a port of 127.0.0.1, killed
//! when dropped: what every test of a store in Redis talks to, never a mock.
//!
//! ```no_run
//! use errspec_test_support::redis::RedisServer;
//!
//! // `None` (and how to install it, on stderr) where there is no `redis-server`, unless
//! // ERRSPEC_REQUIRE_REDIS=1, when this fails instead
//! let Some(server) = RedisServer::start() else { return };
//! assert!(server.url().starts_with("redis://127.0.0.1:"));
//! ```

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a started server has to accept connections.
const START: Duration = Duration::from_secs(10);

/// A `redis-server` on 127.0.0.1 (killed when dropped), with no persistence.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    args: Vec<String>,
    child: Option<Child>,
}

/// Whether `redis-server` can run here. When it cannot, this panics if
/// `ERRSPEC_REQUIRE_REDIS=1` (as CI sets it), else says on stderr how to install it and returns
/// `false`, and the caller skips what needs it.
///
/// # Panics
///
/// When `redis-server` is missing and `ERRSPEC_REQUIRE_REDIS=1`.
pub fn redis_available() -> bool {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        let required = std::env::var("ERRSPEC_REQUIRE_REDIS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "ERRSPEC_REQUIRE_REDIS=1 but `redis-server` is not on PATH: apt-get install -y redis-server"
        );
        eprintln!(
            "skipped: needs a real `redis-server` on PATH \
             (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`)"
        );
    }
    found
}

/// A port of 127.0.0.1 nobody listens on now.
///
/// # Panics
///
/// If the system gives no port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl RedisServer {
    /// A server on a free port, accepting connections; `None` where `redis-server` is missing
    /// (see [`redis_available`]).
    ///
    /// # Panics
    ///
    /// As [`redis_available`] and [`on`](Self::on) do.
    pub fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// [`start`](Self::start), with `args` after the defaults (`["--requirepass", "s3cret"]`,
    /// say).
    ///
    /// # Panics
    ///
    /// As [`start`](Self::start) does.
    pub fn start_with(args: &[&str]) -> Option<Self> {
        redis_available().then(|| Self::on(free_port(), args))
    }

    /// A server on `port`, accepting connections, with `args` after the defaults, which they
    /// may override (`--port 0` with a `--tls-port`, say: `port` is then the TLS port).
    ///
    /// # Panics
    ///
    /// If `redis-server` cannot start or does not accept connections within 10 s.
    pub fn on(port: u16, args: &[&str]) -> Self {
        let mut server = Self::stopped(port);
        server.args = args.iter().map(|arg| (*arg).to_owned()).collect();
        server.run();
        server
    }

    /// A server on `port` that is not running until [`run`](Self::run).
    pub fn stopped(port: u16) -> Self {
        Self {
            port,
            args: Vec::new(),
            child: None,
        }
    }

    /// Starts the server (again, on the same port, with the same arguments) and waits until it
    /// accepts connections; a running one is killed first.
    ///
    /// # Panics
    ///
    /// If `redis-server` cannot start or does not accept connections within 10 s.
    pub fn run(&mut self) {
        self.kill();
        let port = self.port.to_string();
        let child = Command::new("redis-server")
            .args(["--port", &port, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts (apt-get install -y redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + START;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not accept connections on {port} within {START:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Kills the server (SIGKILL) and waits for it to be gone; nothing if it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the server was started and not killed.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The arguments it runs with besides the defaults.
    pub fn args(&self) -> &[String] {
        &self.args
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
