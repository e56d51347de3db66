//! A hostile server cannot make a client panic or hold more than the 4 KiB body excerpt.
//!
//! Bodies (8 MiB, invalid UTF-8, endless, trickling) go through `from_parts` and, from a
//! scripted server on 127.0.0.1, through `errspec::reqwest::check`, with the client's
//! allocations measured. (`hostile_waits.rs` does the same for wait headers.)

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::StatusCode;
use errspec::http::HeaderMap;
use errspec::{BODY_EXCERPT_LIMIT, StatusError};
use errspec_test_support::alloc::{growth_since, live_bytes, reset_peak};
use errspec_test_support::{CountingAllocator, Reply, ScriptServer};

/// Counts the bytes each thread holds, and the peak since the last reset, so a test can bound
/// what the client side of a request allocates while the server runs on another thread.
#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// 429 reads `retry-after` in seconds; cap 60 s; 5xx idempotent with RFC 9110 `retry-after`.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

// ----- hostile bodies through from_parts ------------------------------------------------------

/// The excerpt, Display and Debug of an error built with `body` stay a few KiB.
fn assert_bounded<E: StatusError + core::fmt::Debug>(e: &E, what: &str) {
    let excerpt = e.body().unwrap_or("");
    assert!(
        excerpt.len() <= BODY_EXCERPT_LIMIT,
        "{what}: {} bytes",
        excerpt.len()
    );
    assert!(e.to_string().len() < 1024, "{what}: Display");
    // Debug escapes each replacement character as itself, each `"` as two bytes.
    assert!(
        format!("{e:?}").len() < 2 * BODY_EXCERPT_LIMIT + 1024,
        "{what}: Debug"
    );
}

#[test]
fn huge_and_invalid_bodies_keep_a_bounded_excerpt() {
    let eight_mib = 8 * 1024 * 1024;
    let status = StatusCode::TOO_MANY_REQUESTS;
    let headers = HeaderMap::new();
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("8 MiB of text", vec![b'x'; eight_mib]),
        ("8 MiB of invalid UTF-8", vec![0xff; eight_mib]),
        ("8 MiB of quotes", vec![b'"'; eight_mib]),
        (
            "a character across the limit",
            "é".repeat(eight_mib / 2).into_bytes(),
        ),
        ("a four-byte character across the limit", {
            let mut b = vec![b'x'; BODY_EXCERPT_LIMIT - 1];
            b.extend("🦀".repeat(4).bytes());
            b
        }),
        ("NUL bytes", vec![0; 10_000]),
        ("invalid UTF-8 at the limit", {
            let mut b = vec![b'x'; BODY_EXCERPT_LIMIT - 1];
            b.extend([0xe2, 0x82]);
            b
        }),
        ("empty", Vec::new()),
    ];
    for (what, body) in &bodies {
        let e = ArdoqError::from_parts(status, &headers, Some(body));
        assert_bounded(&e, what);
        let excerpt = e.body().unwrap_or("");
        if body.is_empty() {
            assert_eq!(e.body(), None);
        } else {
            assert!(!excerpt.is_empty(), "{what}");
            // What was kept is the start of the body, lossily decoded.
            let head = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
            let decoded = String::from_utf8_lossy(head);
            assert!(decoded.starts_with(excerpt), "{what}");
        }
    }
}

// ----- over real HTTP -------------------------------------------------------------------------

const CHUNK: &[u8] = &[b'x'; 64 * 1024];

/// 503s with hostile bodies on the server's paths: `/big` (8 MiB in chunks), `/endless`,
/// `/trickle` (a few bytes, then nothing ever) and `/invalid-utf8` (1 MiB).
fn serve_bodies(server: &ScriptServer) {
    let error = || Reply::new(503);
    server.always(
        "/big",
        error().streamed(|| {
            let chunks = (0..128).map(|_| Ok::<_, std::io::Error>(CHUNK));
            Body::from_stream(futures_util::stream::iter(chunks))
        }),
    );
    server.always(
        "/endless",
        error().streamed(|| {
            let chunks = futures_util::stream::repeat_with(|| Ok::<_, std::io::Error>(CHUNK));
            Body::from_stream(chunks)
        }),
    );
    server.always(
        "/trickle",
        error().streamed(|| {
            let first = futures_util::stream::iter([Ok::<_, std::io::Error>(&b"first bytes"[..])]);
            let never = futures_util::stream::pending();
            Body::from_stream(futures_util::StreamExt::chain(first, never))
        }),
    );
    server.always("/invalid-utf8", error().body(vec![0xff_u8; 1024 * 1024]));
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// A current-thread runtime: the client's connection task runs on the test's thread, where its
/// allocations are counted.
fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn hostile_bodies_over_http_keep_memory_bounded() {
    // The counter does count.
    let baseline = live_bytes();
    reset_peak();
    drop(std::hint::black_box(vec![0_u8; 1024 * 1024]));
    assert!(growth_since(baseline) >= 1024 * 1024);

    let server = ScriptServer::start_on_thread();
    serve_bodies(&server);
    let http = client();
    client_runtime().block_on(async {
        for path in ["big", "endless", "trickle", "invalid-utf8"] {
            let url = format!("{}/{path}", server.url());
            let response = http.get(&url).send().await.expect("a response");
            let started = Instant::now();
            let baseline = live_bytes();
            reset_peak();
            let e = errspec::reqwest::check::<ArdoqError>(response)
                .await
                .expect_err("503 is an error");
            let grew = growth_since(baseline);
            let elapsed = started.elapsed();
            assert_bounded(&e, path);
            let excerpt = e.body().expect("a body excerpt");
            match path {
                "trickle" => {
                    assert_eq!(excerpt, "first bytes");
                    // Stopped by the read timeout, not by the body's end (there is none).
                    assert!(
                        elapsed >= errspec::reqwest::BODY_READ_TIMEOUT,
                        "{elapsed:?}"
                    );
                }
                "invalid-utf8" => assert!(excerpt.chars().all(|c| c == '\u{fffd}')),
                _ => assert_eq!(excerpt.len(), BODY_EXCERPT_LIMIT, "{path}"),
            }
            assert!(
                elapsed < errspec::reqwest::BODY_READ_TIMEOUT + Duration::from_secs(2),
                "{path}: {elapsed:?}"
            );
            // The body is 1 MiB, 8 MiB or endless; the client's peak is a few excerpts' worth
            // (about 8 KiB, 24 KiB where lossy decoding triples invalid bytes).
            assert!(
                grew < 128 * 1024,
                "{path}: the client's memory grew {grew} bytes"
            );
            eprintln!("{path}: peak growth {grew} bytes in {elapsed:?}");
        }
    });
}
