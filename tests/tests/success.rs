//! Errors inside successful responses (`specs/success.toml`), over a scripted server on
//! 127.0.0.1 and a real reqwest client: Slack's `200 {"ok": false}` (rate limits included),
//! GraphQL's `200 {"errors": [..]}`, a 204 told by a header, a 302 to a login page; successes
//! that match no case handed back whole (small, past the excerpt limit, chunked, trickling);
//! a generated client retrying a 200 that is an error; and what the middleware does with one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::body::Body;
use errspec::http::{HeaderMap, StatusCode};
use errspec::middleware::RetryMiddleware;
use errspec::{BODY_EXCERPT_LIMIT, Retrier, RetryPolicy, Retrying, StatusError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

#[errspec::errors(spec = "specs/success.toml")]
#[derive(Debug)]
pub enum ChatError {}

/// No success status: a 200 is never read.
#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {}

const SEC: Duration = Duration::from_secs(1);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        // a 302 is the test's, not followed
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn get(server: &ScriptServer, path: &str) -> Result<reqwest::Response, ChatError> {
    errspec::reqwest::send::<ChatError>(client().get(format!("{}{path}", server.url()))).await
}

fn json(status: u16, body: &'static str) -> Reply {
    Reply::new(status)
        .header("content-type", "application/json")
        .body(body)
}

// ----- errors inside successes ----------------------------------------------------------------

#[tokio::test]
async fn slacks_200_errors_are_errors() {
    let server = ScriptServer::start().await;
    server.once("/m", json(200, r#"{"ok":false,"error":"invalid_auth"}"#));
    let error = get(&server, "/m").await.expect_err("ok: false");
    assert!(matches!(error, ChatError::NotOk { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(error.policy(), RetryPolicy::Never);
    assert_eq!(error.to_string(), "200 OK: the method failed");
    assert_eq!(error.hint(), Some("see the response's `error` field"));
    assert_eq!(error.body(), Some(r#"{"ok":false,"error":"invalid_auth"}"#));

    server.once(
        "/m",
        json(200, r#"{"ok":false,"error":"ratelimited"}"#).header("retry-after", "7"),
    );
    let error = get(&server, "/m").await.expect_err("rate limited");
    assert!(matches!(error, ChatError::RateLimited { .. }), "{error:?}");
    assert_eq!(error.retry_after(), Some(7 * SEC));
    assert_eq!(error.policy(), RetryPolicy::AfterHeader);
}

#[tokio::test]
async fn a_graphql_throttle_is_an_error() {
    let server = ScriptServer::start().await;
    server.once(
        "/graphql",
        json(
            200,
            r#"{"data":null,"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}"#,
        ),
    );
    let error = get(&server, "/graphql").await.expect_err("throttled");
    assert!(matches!(error, ChatError::Throttled { .. }), "{error:?}");
    assert_eq!(error.policy(), RetryPolicy::Always);

    // another error code is a success the caller reads
    let other = r#"{"data":{"shop":null},"errors":[{"extensions":{"code":"NOT_FOUND"}}]}"#;
    server.once("/graphql", json(200, other));
    let response = get(&server, "/graphql").await.expect("not a case");
    assert_eq!(response.text().await.expect("the body"), other);
}

#[tokio::test]
async fn a_204_is_an_error_only_by_its_case() {
    let server = ScriptServer::start().await;
    server.once("/d", Reply::new(204));
    let response = get(&server, "/d").await.expect("a plain 204");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.expect("no body").is_empty());

    server.once("/d", Reply::new(204).header("x-deferred", "true"));
    let error = get(&server, "/d").await.expect_err("deferred");
    assert!(matches!(error, ChatError::Deferred { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::NO_CONTENT));
    assert_eq!(error.body(), None);
}

#[tokio::test]
async fn a_redirect_to_the_login_page_is_an_error() {
    let server = ScriptServer::start().await;
    server.once("/r", Reply::new(302).header("location", "/login"));
    let error = get(&server, "/r").await.expect_err("a login page");
    assert!(
        matches!(error, ChatError::LoginRedirect { .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(StatusCode::FOUND));

    server.once("/r", Reply::new(302).header("location", "/elsewhere"));
    let response = get(&server, "/r").await.expect("another redirect");
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/elsewhere");
}

#[tokio::test]
async fn error_statuses_are_unchanged() {
    let server = ScriptServer::start().await;
    server.once("/x", json(404, r#"{"ok":false}"#));
    let error = get(&server, "/x").await.expect_err("a 404");
    assert!(matches!(error, ChatError::NotFound { .. }), "{error:?}");
}

// ----- successes handed back whole ------------------------------------------------------------

#[tokio::test]
async fn a_small_success_comes_back_whole() {
    let server = ScriptServer::start().await;
    let body = r#"{"ok":true,"channel":"C1"}"#;
    server.once("/m", json(200, body).header("x-request-id", "r1"));
    let url = format!("{}/m", server.url());
    let response = get(&server, "/m").await.expect("ok: true");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.url().as_str(), url);
    assert_eq!(response.headers()["x-request-id"], "r1");
    assert_eq!(response.content_length(), Some(body.len() as u64));
    assert_eq!(response.text().await.expect("the body"), body);
}

/// A JSON body of `len` bytes: `{"ok":true,"pad":"xxxx..."}`.
fn padded(len: usize) -> Vec<u8> {
    let mut body = br#"{"ok":true,"pad":""#.to_vec();
    body.resize(len - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}

#[tokio::test]
async fn a_success_past_the_excerpt_limit_comes_back_whole() {
    let server = ScriptServer::start().await;
    for len in [BODY_EXCERPT_LIMIT - 1, BODY_EXCERPT_LIMIT + 1, 1024 * 1024] {
        server.once("/big", json(200, "").body(padded(len)));
        let response = get(&server, "/big").await.expect("ok: true");
        assert_eq!(response.content_length(), Some(len as u64));
        let bytes = response.bytes().await.expect("the body");
        assert_eq!(bytes.len(), len);
        assert_eq!(&bytes[..], &padded(len)[..]);
    }
}

#[tokio::test]
async fn a_chunked_success_comes_back_whole_in_order() {
    let server = ScriptServer::start().await;
    // 64 chunks of 1 KiB, no content-length: the read stops inside them
    let whole = padded(64 * 1024);
    let chunks: Vec<Vec<u8>> = whole.chunks(1024).map(<[u8]>::to_vec).collect();
    server.once(
        "/chunked",
        Reply::new(200).streamed(move || {
            let chunks = chunks.clone().into_iter().map(Ok::<_, std::io::Error>);
            Body::from_stream(futures_util::stream::iter(chunks))
        }),
    );
    let mut response = get(&server, "/chunked").await.expect("ok: true");
    assert_eq!(response.content_length(), None);
    let mut read = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("a chunk") {
        read.extend_from_slice(&chunk);
    }
    assert_eq!(read, whole);
}

#[tokio::test]
async fn a_trickling_success_comes_back_whole() {
    let server = ScriptServer::start().await;
    // a few bytes, then the rest after the read limit (`BODY_READ_TIMEOUT`) has passed: the
    // cases test what came, and the caller still reads it all
    let parts: [&'static [u8]; 3] = [br#"{"ok":"#, b"true,", br#""late":"yes"}"#];
    server.once(
        "/trickle",
        Reply::new(200).streamed(move || {
            let stream = futures_util::stream::unfold(0, move |i| async move {
                let part = parts.get(i)?;
                if i > 0 {
                    tokio::time::sleep(errspec::reqwest::BODY_READ_TIMEOUT / 2 + 100 * MS).await;
                }
                Some((Ok::<_, std::io::Error>(*part), i + 1))
            });
            Body::from_stream(stream)
        }),
    );
    let response = get(&server, "/trickle")
        .await
        .expect("no case matched in time");
    assert_eq!(
        response.text().await.expect("the body"),
        r#"{"ok":true,"late":"yes"}"#
    );
}

const MS: Duration = Duration::from_millis(1);

#[tokio::test]
async fn a_body_that_fails_midway_fails_for_the_caller() {
    let server = ScriptServer::start().await;
    server.once(
        "/broken",
        Reply::new(200).streamed(|| {
            let stream = futures_util::stream::unfold(0, |i| async move {
                match i {
                    0 => Some((Ok(&br#"{"ok":true,"#[..]), 1)),
                    1 => {
                        tokio::time::sleep(50 * MS).await;
                        Some((Err(std::io::Error::other("the server gave up")), 2))
                    }
                    _ => None,
                }
            });
            Body::from_stream(stream)
        }),
    );
    let response = get(&server, "/broken").await.expect("no case matched");
    assert!(response.bytes().await.is_err(), "the break is the caller's");
}

/// A 200 whose body sends nothing after its headers, ever.
fn stalled() -> Reply {
    Reply::new(200).streamed(|| {
        Body::from_stream(futures_util::stream::pending::<
            Result<&'static [u8], std::io::Error>,
        >())
    })
}

#[tokio::test]
async fn a_success_without_cases_is_not_read() {
    use futures_util::FutureExt as _;

    let server = ScriptServer::start().await;
    let url = format!("{}/m", server.url());
    server.always("/m", stalled());
    // no body read: `check` answers at its first poll, though no byte of the body ever comes
    let response = client().get(&url).send().await.expect("a response");
    assert!(!SmallError::has_success_cases(StatusCode::OK));
    let checked = errspec::reqwest::check::<SmallError>(response).now_or_never();
    assert!(matches!(checked, Some(Ok(_))), "{checked:?}");
    // while a status with cases is read (here until `BODY_READ_TIMEOUT`)
    let response = client().get(&url).send().await.expect("a response");
    let mut checking = Box::pin(errspec::reqwest::check::<ChatError>(response));
    assert!((&mut checking).now_or_never().is_none());
    let response = checking.await.expect("nothing came: no case matched");
    assert_eq!(response.status(), StatusCode::OK);
}

// ----- from_success for other transports ------------------------------------------------------

#[test]
fn from_success_tests_the_cases_of_success_statuses_only() {
    let headers = HeaderMap::new();
    let not_ok = br#"{"ok":false}"#;
    assert!(ChatError::has_success_cases(StatusCode::OK));
    assert!(ChatError::has_success_cases(StatusCode::FOUND));
    assert!(!ChatError::has_success_cases(StatusCode::CREATED));
    assert!(!ChatError::has_success_cases(StatusCode::NOT_FOUND));
    let e = ChatError::from_success(StatusCode::OK, &headers, Some(not_ok));
    assert!(matches!(e, Some(ChatError::NotOk { .. })), "{e:?}");
    assert!(ChatError::from_success(StatusCode::OK, &headers, Some(br#"{"ok":true}"#)).is_none());
    assert!(ChatError::from_success(StatusCode::OK, &headers, None).is_none());
    // no success cases for 201, and error statuses are `from_parts`'s
    assert!(ChatError::from_success(StatusCode::CREATED, &headers, Some(not_ok)).is_none());
    assert!(ChatError::from_success(StatusCode::NOT_FOUND, &headers, Some(not_ok)).is_none());
    // a field past the excerpt limit is not read
    let mut late = padded(2 * BODY_EXCERPT_LIMIT);
    late.truncate(late.len() - 2);
    late.extend_from_slice(br#"","ok":false}"#);
    assert!(ChatError::from_success(StatusCode::OK, &headers, Some(&late)).is_none());
}

#[test]
fn a_success_code_converts_to_the_fallback() {
    // no variant for 200 itself: its class's
    let e = ChatError::from(StatusCode::OK);
    assert!(matches!(e, ChatError::Other { status, .. } if status == StatusCode::OK));
    assert_eq!(e.to_string(), "200 OK: unexpected success status");
    assert_eq!(e.policy(), RetryPolicy::Never);
    // from_parts is total: a 200 that matches no case is the fallback too
    let e = ChatError::from_parts(StatusCode::OK, &HeaderMap::new(), Some(b"{}"));
    assert!(matches!(e, ChatError::Other { .. }), "{e:?}");
    let e = ChatError::from_parts(StatusCode::OK, &HeaderMap::new(), Some(br#"{"ok":false}"#));
    assert!(matches!(e, ChatError::NotOk { .. }), "{e:?}");
    assert!(
        ChatError::STATUSES
            .iter()
            .all(|s| s.code != 200 || s.name != "Ok")
    );
}

// ----- retried by a generated client ----------------------------------------------------------

#[errspec::client(error = ChatError)]
trait Chat {
    async fn post_message(&self, text: &str) -> Result<String, ChatError>;
}

struct Http {
    url: String,
    sent: Arc<AtomicU32>,
}

impl Chat for Http {
    async fn post_message(&self, text: &str) -> Result<String, ChatError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let request = client().post(&self.url).body(text.to_owned());
        let response = errspec::reqwest::send::<ChatError>(request).await?;
        Ok(response.text().await.unwrap_or_default())
    }
}

#[tokio::test]
async fn a_client_retries_an_error_inside_a_200() {
    let server = ScriptServer::start().await;
    server.script(
        "/chat.postMessage",
        [
            json(200, r#"{"ok":false,"error":"ratelimited"}"#).header("retry-after", "1"),
            json(200, r#"{"ok":true}"#),
        ],
    );
    let sent = Arc::new(AtomicU32::new(0));
    let sleeper = RecordingSleeper::new();
    let http = Http {
        url: format!("{}/chat.postMessage", server.url()),
        sent: Arc::clone(&sent),
    };
    let chat = Retrying::new(http).with_sleeper(sleeper.clone());
    let answer = chat
        .post_message("hello")
        .await
        .expect("the retry succeeds");
    assert_eq!(answer, r#"{"ok":true}"#);
    assert_eq!(sent.load(Ordering::SeqCst), 2);
    assert_eq!(sleeper.sleeps(), [SEC]);
}

// ----- the middleware sees no body ------------------------------------------------------------

#[tokio::test]
async fn the_middleware_retries_header_cases_of_successes_only() {
    let server = ScriptServer::start().await;
    server.script(
        "/d",
        [
            Reply::new(204).header("x-deferred", "true"),
            Reply::new(204),
        ],
    );
    server.once("/m", json(200, r#"{"ok":false,"error":"ratelimited"}"#));
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(ChatError::retry_config()).with_sleeper(sleeper.clone());
    let client = reqwest_middleware::ClientBuilder::new(client())
        .with(RetryMiddleware::<ChatError>::new().with_retrier(retrier))
        .build();

    // a header case: retried, the second answer returned
    let response = client
        .get(format!("{}/d", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(sleeper.sleeps(), [100 * MS]);

    // a body case: not read, the response is the caller's (and `check` tells it)
    let response = client
        .get(format!("{}/m", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(sleeper.sleeps(), [100 * MS]);
    let error = errspec::reqwest::check::<ChatError>(response)
        .await
        .expect_err("check reads the body");
    assert!(matches!(error, ChatError::RateLimited { .. }), "{error:?}");
}
