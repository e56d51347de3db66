//! Several quotas, the `used/limit` count and repeated quota headers over real HTTP: a scripted
//! server on 127.0.0.1 answering Azure Resource Manager's two headers (reads and writes) and
//! Shopify's `32/40`, through `errspec::reqwest::send`, the reqwest middleware, the tower layer
//! and a generated client.
//!
//! Waits are recorded by a sleeper on a virtual clock, not slept; what each request paused for
//! is told by `on_pause`.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use errspec::http::{Method, Request};
use errspec::middleware::RetryMiddleware;
use errspec::tower::RetryLayer;
use errspec::{Idempotency, Pause, Retrier, Retrying, StatusError};
use errspec_test_support::{Pauses, RecordingSleeper, Reply, ScriptServer};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use reqwest_middleware::ClientBuilder;
use tower::{Service, ServiceBuilder, ServiceExt};

const SEC: Duration = Duration::from_secs(1);
const READS: &str = "x-ms-ratelimit-remaining-subscription-reads";
const WRITES: &str = "x-ms-ratelimit-remaining-subscription-writes";
const CALL_LIMIT: &str = "x-shopify-shop-api-call-limit";

/// `specs/rate-limit/arm.toml`: a reads quota (GET, HEAD) and a writes quota (PUT, POST,
/// PATCH, DELETE), neither with a reset.
#[errspec::errors(spec = "specs/rate-limit/arm.toml")]
#[derive(Debug)]
pub enum ArmError {}

/// `specs/rate-limit/shopify.toml`: the shorthand, read as `used/limit`.
#[errspec::errors(spec = "specs/rate-limit/shopify.toml")]
#[derive(Debug)]
pub enum ShopError {}

fn retrier<E: StatusError>(pauses: &Pauses) -> Retrier {
    Retrier::new(E::retry_config())
        .with_rate_limit(E::rate_limit())
        .with_sleeper(RecordingSleeper::new())
        .on_pause(pauses.hook())
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// The server: `/r` answers reads spent, `/w` writes left, `/w0` writes spent.
fn arm_server(server: &ScriptServer) {
    server.always(
        "/r",
        Reply::new(200).headers(&[(READS, "0"), (WRITES, "1199")]),
    );
    server.always("/w", Reply::new(200).header(WRITES, "1199"));
    server.always("/w0", Reply::new(200).header(WRITES, "0"));
}

/// Sends `method path` through `send`, however the transport does it, and checks that a GET
/// waits only while the reads are spent and a write only while the writes are.
async fn reads_and_writes_apart<F, Fut>(pauses: &Pauses, mut send: F)
where
    F: FnMut(Method, &'static str) -> Fut,
    Fut: Future<Output = u16>,
{
    assert_eq!(send(Method::GET, "/r").await, 200);
    assert_eq!(pauses.take(), [], "nothing was known before");
    assert_eq!(send(Method::POST, "/w").await, 200);
    assert_eq!(pauses.take(), [], "a POST does not wait for the reads");
    assert_eq!(send(Method::GET, "/r").await, 200);
    one_second(pauses, "a GET waits for the reads");
    assert_eq!(send(Method::HEAD, "/w").await, 200);
    one_second(pauses, "so does a HEAD");
    assert_eq!(send(Method::PUT, "/w0").await, 200);
    assert_eq!(pauses.take(), [], "writes are left");
    assert_eq!(send(Method::DELETE, "/w").await, 200);
    one_second(pauses, "a DELETE waits for the writes");
}

#[tokio::test]
async fn the_middleware_waits_for_the_quota_of_the_requests_method_only() {
    let server = ScriptServer::start().await;
    arm_server(&server);
    let pauses = Pauses::default();
    let client = ClientBuilder::new(reqwest_client())
        .with(RetryMiddleware::<ArmError>::new().with_retrier(retrier::<ArmError>(&pauses)))
        .build();
    let base = server.url();
    reads_and_writes_apart(&pauses, |method, path| {
        let request = client.request(method, format!("{base}{path}"));
        async move { request.send().await.expect("a response").status().as_u16() }
    })
    .await;
}

#[tokio::test]
async fn the_layer_waits_for_the_quota_of_the_requests_method_only() {
    let server = ScriptServer::start().await;
    arm_server(&server);
    let pauses = Pauses::default();
    let hyper = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let service = ServiceBuilder::new()
        .layer(RetryLayer::<ArmError>::new().with_retrier(retrier::<ArmError>(&pauses)))
        .service(hyper);
    let base = server.url();
    reads_and_writes_apart(&pauses, |method, path| {
        let mut service = service.clone();
        let request = Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .body(Full::new(Bytes::new()))
            .expect("a request");
        async move {
            let ready = service.ready().await.expect("ready");
            ready
                .call(request)
                .await
                .expect("a response")
                .status()
                .as_u16()
        }
    })
    .await;
}

#[tokio::test]
async fn send_tells_the_call_its_method_for_the_next_attempt() {
    let server = ScriptServer::start().await;
    // reads spent; then a POST refused once (429, retried at once): its retry knows it is a
    // POST and does not wait for the reads
    server.always(
        "/r",
        Reply::new(200).headers(&[(READS, "0"), (WRITES, "1199")]),
    );
    server.script(
        "/w",
        [Reply::new(429).header("retry-after", "0"), Reply::new(200)],
    );
    let pauses = Pauses::default();
    let retrier = retrier::<ArmError>(&pauses);
    let http = reqwest_client();
    let url = |path: &str| format!("{}{path}", server.url());
    let get = || errspec::reqwest::send::<ArmError>(http.get(url("/r")));
    retrier.run(Idempotency::Idempotent, get).await.expect("ok");
    assert_eq!(pauses.take(), []);
    // a call's first attempt, before `send` tells its method, counts against every quota
    let post = || errspec::reqwest::send::<ArmError>(http.post(url("/w")));
    retrier
        .run(Idempotency::Idempotent, post)
        .await
        .expect("ok");
    assert_eq!(
        pauses.take(),
        [(Pause::StatedQuota, SEC)],
        "only the first attempt waited for the reads"
    );
    let methods: Vec<Method> = server.requests().into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, [Method::GET, Method::POST, Method::POST]);
}

/// A generated client over reqwest: each method's calls count against the quotas its last
/// call's `send` told.
#[errspec::client(error = ArmError)]
trait Arm {
    #[errspec(idempotent)]
    fn read(&self) -> impl Future<Output = Result<u16, ArmError>> + Send;

    fn write(&self) -> impl Future<Output = Result<u16, ArmError>> + Send;
}

struct Http {
    http: reqwest::Client,
    base: String,
}

impl Arm for Http {
    fn read(&self) -> impl Future<Output = Result<u16, ArmError>> + Send {
        let request = self.http.get(format!("{}/r", self.base));
        async move {
            Ok(errspec::reqwest::send::<ArmError>(request)
                .await?
                .status()
                .as_u16())
        }
    }

    fn write(&self) -> impl Future<Output = Result<u16, ArmError>> + Send {
        let request = self.http.post(format!("{}/w", self.base));
        async move {
            Ok(errspec::reqwest::send::<ArmError>(request)
                .await?
                .status()
                .as_u16())
        }
    }
}

#[tokio::test]
async fn a_generated_clients_methods_learn_their_quotas_from_their_calls() {
    let server = ScriptServer::start().await;
    arm_server(&server);
    let pauses = Pauses::default();
    let http = Http {
        http: reqwest_client(),
        base: server.url(),
    };
    let client = Retrying::new(http)
        .with_sleeper(RecordingSleeper::new())
        .on_pause(pauses.hook());
    assert_eq!(client.write().await.expect("ok"), 200);
    assert_eq!(client.read().await.expect("ok"), 200);
    assert_eq!(pauses.take(), [], "reads were not known spent before");
    // `write`'s last call told it POSTs: the spent reads do not hold it
    assert_eq!(client.write().await.expect("ok"), 200);
    assert_eq!(pauses.take(), []);
    assert_eq!(client.read().await.expect("ok"), 200);
    one_second(&pauses, "`read` GETs: it waits for the reads");
}

#[tokio::test]
async fn shopifys_call_limit_is_read_as_used_of_limit() {
    let server = ScriptServer::start().await;
    server.always("/left", Reply::new(200).header(CALL_LIMIT, "32/40"));
    server.always("/full", Reply::new(200).header(CALL_LIMIT, "40/40"));
    server.always("/junk", Reply::new(200).header(CALL_LIMIT, "40 of 40"));
    let pauses = Pauses::default();
    let client = ClientBuilder::new(reqwest_client())
        .with(RetryMiddleware::<ShopError>::new().with_retrier(retrier::<ShopError>(&pauses)))
        .build();
    let get = |path: &str| client.get(format!("{}{path}", server.url())).send();
    get("/left").await.expect("a response");
    get("/left").await.expect("a response");
    assert_eq!(pauses.take(), [], "8 of 40 left");
    get("/full").await.expect("a response");
    get("/junk").await.expect("a response");
    one_second(&pauses, "40 of 40 used: the next call waits");
    // an unreadable value stated nothing: once the second passed, the next period is
    // assumed, and its answers say what is left
    get("/left").await.expect("a response");
    get("/left").await.expect("a response");
    assert_eq!(pauses.take(), []);
    get("/full").await.expect("a response");
    get("/left").await.expect("a response");
    one_second(&pauses, "spent again");
}

#[tokio::test]
async fn every_line_of_a_repeated_quota_header_is_read_and_the_tightest_wins() {
    let server = ScriptServer::start().await;
    server.always(
        "/r",
        Reply::new(200).headers(&[(READS, "11999"), (READS, "0"), (READS, "40, 7")]),
    );
    server.always(
        "/w",
        Reply::new(200).headers(&[(CALL_LIMIT, "1/40"), (CALL_LIMIT, "41/40")]),
    );
    let pauses = Pauses::default();
    let arm = ClientBuilder::new(reqwest_client())
        .with(RetryMiddleware::<ArmError>::new().with_retrier(retrier::<ArmError>(&pauses)))
        .build();
    arm.get(format!("{}/r", server.url()))
        .send()
        .await
        .expect("a response");
    arm.get(format!("{}/r", server.url()))
        .send()
        .await
        .expect("a response");
    one_second(&pauses, "one line says none are left");
    let shop = ClientBuilder::new(reqwest_client())
        .with(RetryMiddleware::<ShopError>::new().with_retrier(retrier::<ShopError>(&pauses)))
        .build();
    shop.get(format!("{}/w", server.url()))
        .send()
        .await
        .expect("a response");
    shop.get(format!("{}/w", server.url()))
        .send()
        .await
        .expect("a response");
    one_second(&pauses, "41 of 40 used: none left");
}

/// Asserts the calls since the last look paused once for the stated quota, a second (no
/// reset is stated: a spent quota is looked at again a second later).
#[track_caller]
fn one_second(pauses: &Pauses, why: &str) {
    assert_eq!(pauses.take(), [(Pause::StatedQuota, SEC)], "{why}");
}

// ----- the clock on the success path ----------------------------------------------------------

/// `specs/rate-limit/reset-after.toml`: one quota, its reset a delay in seconds.
#[errspec::errors(spec = "specs/rate-limit/reset-after.toml")]
#[derive(Debug)]
pub enum PacedError {}

/// The real clock, its reads counted.
#[derive(Default)]
struct CountingClock(std::sync::atomic::AtomicU32);

impl errspec::Sleeper for CountingClock {
    fn sleep(&self, duration: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now(&self) -> std::time::Instant {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::time::Instant::now()
    }
}

impl CountingClock {
    /// The reads since the last call.
    fn take(&self) -> u32 {
        self.0.swap(0, std::sync::atomic::Ordering::Relaxed)
    }
}

/// A success that leaves its quota most of its requests reads no clock, through the whole
/// engine over real HTTP; one that leaves it nearer spent reads it once.
#[tokio::test]
async fn a_success_far_from_its_quota_reads_no_clock() {
    let server = ScriptServer::start().await;
    let reply = |left: &str| {
        Reply::new(200).headers(&[
            ("x-ratelimit-remaining", left),
            ("x-ratelimit-reset-after", "60"),
        ])
    };
    let clock = std::sync::Arc::new(CountingClock::default());
    let retrier = Retrier::new(PacedError::retry_config())
        .with_rate_limit(PacedError::rate_limit())
        .with_sleeper(clock.clone());
    let http = reqwest_client();
    let url = format!("{}/q", server.url());
    let get = || errspec::reqwest::send::<PacedError>(http.get(&url));
    // the first answer is learned under the lock, and the first call sent without it after
    // that tells the lock when (where learned pacing would count from)
    server.always("/q", reply("4000"));
    for _ in 0..2 {
        retrier.run(Idempotency::Idempotent, get).await.expect("ok");
        assert!(clock.take() > 0, "the first two calls read the clock");
    }
    for left in ["3999", "3998", "3998", "3990"] {
        server.always("/q", reply(left));
        retrier.run(Idempotency::Idempotent, get).await.expect("ok");
        assert_eq!(clock.take(), 0, "{left} left of 4 000");
    }
    server.always("/q", reply("1500"));
    retrier.run(Idempotency::Idempotent, get).await.expect("ok");
    assert_eq!(clock.take(), 1, "1 500 left of 4 000");
}
