//! `errspec::reqwest::check` against a real HTTP server on loopback that misbehaves on purpose.
#![cfg(feature = "reqwest")]

mod common;

use std::time::{Duration, Instant};

use common::TestError;
use errspec::BODY_EXCERPT_LIMIT;
use errspec::RetryPolicy;
use errspec::reqwest::BODY_READ_TIMEOUT;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the test server sends its body after the head.
enum Body {
    /// These bytes, then the connection stays open.
    Fixed(Vec<u8>),
    /// Chunked, without end, until the client goes away.
    Endless,
    /// These bytes of a longer declared body, then nothing more, ever.
    Stall(&'static [u8]),
}

/// Serves one request with `head` (status line and headers, without the blank line) and
/// `body`. The handle ends when the server is done with the connection.
async fn serve(head: &'static str, body: Body) -> (String, JoinHandle<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        read_request(&mut socket).await;
        let mut written = 0_u64;
        match body {
            Body::Fixed(bytes) => {
                let head = format!("{head}\r\ncontent-length: {}\r\n\r\n", bytes.len());
                let mut all = head.into_bytes();
                all.extend_from_slice(&bytes);
                let _ = socket.write_all(&all).await;
                written = bytes.len() as u64;
                std::future::pending::<()>().await;
            }
            Body::Endless => {
                let head = format!("{head}\r\ntransfer-encoding: chunked\r\n\r\n");
                socket.write_all(head.as_bytes()).await.unwrap();
                let chunk = [b"1000\r\n".as_slice(), &[b'x'; 0x1000], b"\r\n"].concat();
                while socket.write_all(&chunk).await.is_ok() {
                    written += 0x1000;
                }
            }
            Body::Stall(bytes) => {
                let head = format!("{head}\r\ncontent-length: 100000\r\n\r\n");
                let mut all = head.into_bytes();
                all.extend_from_slice(bytes);
                socket.write_all(&all).await.unwrap();
                std::future::pending::<()>().await;
            }
        }
        written
    });
    (url, task)
}

async fn read_request(socket: &mut TcpStream) {
    let mut request = Vec::new();
    let mut buf = [0; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "client closed before sending its request");
        request.extend_from_slice(&buf[..n]);
    }
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::new().get(url).send().await.unwrap()
}

#[tokio::test]
async fn success_passes_through_untouched() {
    for head in [
        "HTTP/1.1 200 OK",
        "HTTP/1.1 204 No Content",
        "HTTP/1.1 302 Found\r\nlocation: /x",
    ] {
        let body = if head.contains("204") {
            Vec::new()
        } else {
            b"hello".to_vec()
        };
        let (url, _server) = serve(head, Body::Fixed(body.clone())).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(&url).send().await.unwrap();
        let response = errspec::reqwest::check::<TestError>(response)
            .await
            .unwrap();
        assert_eq!(response.bytes().await.unwrap(), body, "{head}");
    }
}

#[tokio::test]
async fn an_error_status_keeps_status_wait_header_and_body() {
    let (url, _server) = serve(
        "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7",
        Body::Fixed(br#"{"error":"slow down"}"#.to_vec()),
    )
    .await;
    let err = errspec::reqwest::check::<TestError>(get(&url).await)
        .await
        .unwrap_err();
    assert_eq!(err.status, 429);
    assert_eq!(err.policy, RetryPolicy::AfterHeader);
    assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(
        err.body.as_deref(),
        Some(br#"{"error":"slow down"}"#.as_slice())
    );
}

#[tokio::test]
async fn an_empty_error_body_is_an_empty_excerpt() {
    let (url, _server) = serve("HTTP/1.1 404 Not Found", Body::Fixed(Vec::new())).await;
    let err = errspec::reqwest::check::<TestError>(get(&url).await)
        .await
        .unwrap_err();
    assert_eq!(err.status, 404);
    assert_eq!(err.body.as_deref(), Some(&[][..]));
}

#[tokio::test]
async fn a_large_body_is_cut_at_the_limit() {
    let body: Vec<u8> = (0..1_000_000_u32).map(|i| (i % 251) as u8).collect();
    let (url, _server) = serve(
        "HTTP/1.1 500 Internal Server Error",
        Body::Fixed(body.clone()),
    )
    .await;
    let err = errspec::reqwest::check::<TestError>(get(&url).await)
        .await
        .unwrap_err();
    assert_eq!(err.body.as_deref(), Some(&body[..BODY_EXCERPT_LIMIT]));
}

#[tokio::test]
async fn an_endless_body_is_read_only_up_to_the_limit() {
    let (url, server) = serve("HTTP/1.1 503 Service Unavailable", Body::Endless).await;
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        errspec::reqwest::check::<TestError>(get(&url).await),
    )
    .await
    .expect("check must not read an endless body to its end")
    .unwrap_err();
    assert_eq!(err.body.as_ref().map(Vec::len), Some(BODY_EXCERPT_LIMIT));
    // The client hung up: the server's writes failed soon after the socket buffers filled.
    let written = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the client must drop the connection")
        .unwrap();
    assert!(written < 64 * 1024 * 1024, "{written} bytes written");
}

/// The server sends ten bytes of its body and then nothing: after the read timeout, check keeps
/// what came. The timeout is in real time, even on Tokio's paused clock.
#[tokio::test(start_paused = true)]
async fn a_stalled_body_ends_at_the_read_timeout() {
    let (url, _server) = serve("HTTP/1.1 502 Bad Gateway", Body::Stall(b"0123456789")).await;
    let response = get(&url).await;
    let start = Instant::now();
    let err = errspec::reqwest::check::<TestError>(response)
        .await
        .unwrap_err();
    assert_eq!(err.status, 502);
    assert_eq!(err.body.as_deref(), Some(b"0123456789".as_slice()));
    assert!(start.elapsed() >= BODY_READ_TIMEOUT);
}

/// Serves one request from a thread of its own, in real time whatever the test's runtime or
/// clock: the head with `transfer-encoding: chunked`, then whatever `body` writes (with
/// [`write_chunk`]) before it returns.
fn serve_from_thread(
    head: &'static str,
    body: impl FnOnce(&mut std::net::TcpStream) -> std::io::Result<()> + Send + 'static,
) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).unwrap();
            assert!(n > 0, "client closed before sending its request");
            request.extend_from_slice(&buf[..n]);
        }
        let head = format!("{head}\r\ntransfer-encoding: chunked\r\n\r\n");
        socket.write_all(head.as_bytes()).unwrap();
        // Writes fail once the client hangs up, which ends an endless body.
        let _ = body(&mut socket);
    });
    url
}

/// Writes one chunk of a chunked body; an empty one ends the body.
fn write_chunk(socket: &mut std::net::TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let chunk = [format!("{:x}\r\n", bytes.len()).as_bytes(), bytes, b"\r\n"].concat();
    socket.write_all(&chunk)
}

/// The body [`trickle`] sends: 8 chunks of 16 bytes.
fn trickled_body() -> Vec<u8> {
    (0..128_u8).collect()
}

/// Sends [`trickled_body`] in chunks of 16 bytes, 40 ms apart (the first too): 320 ms in all,
/// well within the read timeout.
fn trickle(socket: &mut std::net::TcpStream) -> std::io::Result<()> {
    for chunk in trickled_body().chunks(16) {
        std::thread::sleep(Duration::from_millis(40));
        write_chunk(socket, chunk)?;
    }
    write_chunk(socket, &[])
}

/// `check`'s excerpt of the error body `url` serves, and how long `check` took in real time.
async fn excerpt(url: &str) -> (Vec<u8>, Duration) {
    let response = get(url).await;
    let start = Instant::now();
    let err = errspec::reqwest::check::<TestError>(response)
        .await
        .unwrap_err();
    (err.body.unwrap(), start.elapsed())
}

/// A body that comes in pieces, each in well under the read timeout, is read whole.
async fn a_trickled_body_is_read_whole() {
    let url = serve_from_thread("HTTP/1.1 500 Internal Server Error", trickle);
    let (body, took) = excerpt(&url).await;
    assert_eq!(body, trickled_body(), "after {took:?}");
    assert!(took < BODY_READ_TIMEOUT, "{took:?}");
}

#[tokio::test]
async fn a_trickled_body_is_read_whole_in_real_time() {
    a_trickled_body_is_read_whole().await;
}

/// Tokio's paused clock jumps to its next timer whenever the runtime idles, as it does while
/// the body trickles in: the read timeout must not be one of its timers.
#[tokio::test(start_paused = true)]
async fn a_trickled_body_is_read_whole_under_a_paused_clock() {
    a_trickled_body_is_read_whole().await;
}

/// Under a paused clock, an endless body still ends: by bytes when it comes fast, by time
/// (real time, about [`BODY_READ_TIMEOUT`]) when it comes slowly.
#[tokio::test(start_paused = true)]
async fn endless_bodies_end_by_bytes_or_by_time_under_a_paused_clock() {
    let fast = serve_from_thread("HTTP/1.1 503 Service Unavailable", |socket| {
        loop {
            write_chunk(socket, &[b'x'; 1000])?;
        }
    });
    let slow = serve_from_thread("HTTP/1.1 503 Service Unavailable", |socket| {
        loop {
            std::thread::sleep(Duration::from_millis(20));
            write_chunk(socket, &[b'y'; 16])?;
        }
    });

    let (body, took) = excerpt(&fast).await;
    assert_eq!(body, vec![b'x'; BODY_EXCERPT_LIMIT], "after {took:?}");
    assert!(took < 2 * BODY_READ_TIMEOUT, "{took:?}");

    let (body, took) = excerpt(&slow).await;
    // About 50 chunks in a second of real time: some came, and the limit was not reached.
    assert!(body.len() >= 16 * 10, "{} bytes after {took:?}", body.len());
    assert!(body.len() < BODY_EXCERPT_LIMIT, "{} bytes", body.len());
    assert!(body.iter().all(|&b| b == b'y'));
    assert!(took >= BODY_READ_TIMEOUT, "{took:?}");
    assert!(took < 3 * BODY_READ_TIMEOUT, "{took:?}");
}

/// reqwest sends in a Tokio runtime without its timer; check reads the body there too, and
/// bounds its read in time all the same.
#[test]
fn check_needs_no_tokio_timer() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let trickled = serve_from_thread("HTTP/1.1 500 Internal Server Error", trickle);
    let stalled = serve_from_thread("HTTP/1.1 502 Bad Gateway", |socket| {
        write_chunk(socket, b"0123456789")?;
        std::thread::sleep(Duration::from_secs(30));
        Ok(())
    });
    runtime.block_on(async {
        let (body, took) = excerpt(&trickled).await;
        assert_eq!(body, trickled_body(), "after {took:?}");

        let (body, took) = excerpt(&stalled).await;
        assert_eq!(body, b"0123456789");
        assert!(took >= BODY_READ_TIMEOUT, "{took:?}");
        assert!(took < 3 * BODY_READ_TIMEOUT, "{took:?}");
    });
}

#[tokio::test]
async fn check_composes_with_the_retrier() {
    // Two 503s, then a 200: the retrier sees the checked errors.
    let mut urls = Vec::new();
    for head in [
        "HTTP/1.1 503 Service Unavailable",
        "HTTP/1.1 503 Service Unavailable",
        "HTTP/1.1 200 OK",
    ] {
        urls.push(serve(head, Body::Fixed(b"x".to_vec())).await.0);
    }
    let retrier = errspec::Retrier::new(errspec::RetryConfig::new())
        .with_sleeper(errspec_test_support::RecordingSleeper::new());
    let mut next = urls.iter();
    let client = reqwest::Client::new();
    let response = retrier
        .run(true, || {
            let request = client.get(next.next().unwrap());
            async move { errspec::reqwest::check::<TestError>(request.send().await.unwrap()).await }
        })
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
