//! `rediss://` end to end (feature `tls`): a `redis-server` on a TLS port with a certificate
//! of a test CA made here with `openssl`, trusted through `SSL_CERT_FILE` (which the system
//! roots redis-rs loads honour) in a child run of this test, so the process's own environment
//! is never changed.

#![cfg(feature = "tls")]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Server, acquire, ask, eventually, free_port, is_hold, redis_available, refused};
use errspec::{Grant, LimitStore, ScopeKey};
use errspec_redis::RedisStore;

const CHILD: &str = "ERRSPEC_REDIS_TLS_CHILD";

/// A CA, and a certificate for 127.0.0.1 it signed, in `dir`.
fn certificates(dir: &Path) -> bool {
    let run = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    std::fs::write(dir.join("san.cnf"), "subjectAltName=IP:127.0.0.1\n").is_ok()
        && run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=errspec test CA",
        ])
        && run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ])
        && run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "1",
            "-extfile",
            "san.cnf",
        ])
}

#[test]
fn rediss_shares_state_over_tls() {
    if let Ok(url) = std::env::var(CHILD) {
        return child(&url);
    }
    if !redis_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("errspec-redis-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if !certificates(&dir) {
        let required = std::env::var("ERRSPEC_REQUIRE_REDIS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "ERRSPEC_REQUIRE_REDIS=1 but `openssl` cannot make a certificate: apt-get install -y openssl"
        );
        eprintln!(
            "skipped: needs `openssl` to make a test certificate (apt-get install -y openssl)"
        );
        return;
    }
    let port = free_port();
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (cert, key, ca) = (file("server.pem"), file("server.key"), file("ca.pem"));
    let tls_port = port.to_string();
    let server = Server::on(
        port,
        &[
            "--port",
            "0",
            "--tls-port",
            &tls_port,
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            "no",
        ],
    );
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "rediss_shares_state_over_tls", "--nocapture"])
        .env(CHILD, format!("rediss://127.0.0.1:{port}"))
        .env("SSL_CERT_FILE", &ca)
        .status()
        .unwrap();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success(), "the TLS run failed");
}

/// In the child: two stores over TLS share a hold.
fn child(url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let a = RedisStore::connect(url).await.unwrap();
        let b = RedisStore::connect(url).await.unwrap();
        assert!(a.is_sharing() && b.is_sharing(), "the TLS handshake failed");
        assert_eq!(
            acquire(&a, &ask("tls", ScopeKey::Client, 1)).await,
            Grant::Go
        );
        a.report(&refused("tls", ScopeKey::Client, 1, Duration::from_secs(2)));
        assert!(is_hold(
            &eventually(&b, &ask("tls", ScopeKey::Client, 2), is_hold).await
        ));
        assert!(a.is_sharing() && b.is_sharing());
    });
}
