//! A hostile server cannot make a client panic, sleep past `max_retry_after`, or hold more
//! than the 4 KiB body excerpt.
//!
//! Wait-header values (negative, overflowing, fractional, padded, repeated, non-ASCII, dates far
//! in the future and the past, empty, huge) go through `from_parts` of generated enums, for
//! every wait-header format and policy, and then through the retry engine with a recording
//! sleeper: every wait is at most `max_retry_after`, and a longer requested wait stops the
//! engine at once. The same values then come over real HTTP from an axum server on 127.0.0.1.
//! Bodies (8 MiB, invalid UTF-8, endless, trickling) go through `from_parts` and through
//! `errspec::reqwest::check`, with the client's allocations measured.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use errspec::http::HeaderMap;
use errspec::{BODY_EXCERPT_LIMIT, Retrier, RetryPolicy, Sleeper, StatusError};

// ----- the generated enums --------------------------------------------------------------------

/// 429 reads `retry-after` in seconds; cap 60 s; 5xx idempotent with RFC 9110 `retry-after`.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {}

/// 403's rate-limit cases read `retry-after` (RFC 9110) then `x-ratelimit-reset` (epoch
/// seconds), the secondary one with a 1 s floor; cap 2 min.
#[errspec::errors(spec = "specs/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

/// 503 reads `x-retry-in-ms` in milliseconds; cap 60 s.
#[errspec::errors(spec = "specs/template.toml")]
#[derive(Debug)]
pub enum ShopError {}

// ----- hostile values -------------------------------------------------------------------------

/// How the value reads in the `seconds` format: the oracle for Ardoq's 429.
#[derive(Debug, Clone, Copy)]
enum Seconds {
    /// Not a valid value, or a zero wait: the header counts as absent.
    Invalid,
    /// A valid wait (saturating at `Duration::MAX`).
    Is(Duration),
    /// Not checked against an exact value (dates: valid only in the `http` format).
    Unchecked,
}

/// A header sent once per value listed (a repeated header when more than one).
struct Hostile {
    what: &'static str,
    values: Vec<Vec<u8>>,
    seconds: Seconds,
}

fn one(what: &'static str, value: &[u8], seconds: Seconds) -> Hostile {
    Hostile {
        what,
        values: vec![value.to_vec()],
        seconds,
    }
}

fn repeated(what: &'static str, values: &[&[u8]], seconds: Seconds) -> Hostile {
    Hostile {
        what,
        values: values.iter().map(|v| v.to_vec()).collect(),
        seconds,
    }
}

fn hostile_values() -> Vec<Hostile> {
    use Seconds::{Invalid, Unchecked};
    let secs = |n: u64| Seconds::Is(Duration::from_secs(n));
    let millis = |ms| Seconds::Is(Duration::from_millis(ms));
    let longest = Seconds::Is(Duration::MAX);
    let long_digits = "9".repeat(10_000);
    let long_text = "a".repeat(8_192);
    let values = vec![
        one("empty", b"", Invalid),
        one("blank", b"   ", Invalid),
        one("tab only", b"\t", Invalid),
        one("zero", b"0", Invalid),
        one("negative", b"-1", Invalid),
        one("negative zero", b"-0", Invalid),
        one("plus sign", b"+5", Invalid),
        one("fractional", b"1.5", millis(1500)),
        one("fraction below one", b"0.5", millis(500)),
        one("fraction of zero", b"0.000", Invalid),
        one("trailing dot", b"1.", Invalid),
        one("leading dot", b".5", Invalid),
        one("exponent", b"1e3", Invalid),
        one("hexadecimal", b"0x10", Invalid),
        one("padded", b"  5  ", secs(5)),
        one("padded with tabs", b"\t7\t", secs(7)),
        one(
            "leading zeros",
            b"000000000000000000000000000000120",
            secs(120),
        ),
        one("inside a space", b"1 2", Invalid),
        one("a list", b"1, 2", Invalid),
        one("with a unit", b"120 seconds", Invalid),
        one("just at the Ardoq cap", b"60", secs(60)),
        one("just past the Ardoq cap", b"61", secs(61)),
        one("an hour", b"3600", secs(3600)),
        one("u32 max + 1", b"4294967296", secs(4_294_967_296)),
        one(
            "i64 max + 1",
            b"9223372036854775808",
            secs(9_223_372_036_854_775_808),
        ),
        one("u64 max", b"18446744073709551615", secs(u64::MAX)),
        one("u64 max + 1", b"18446744073709551616", longest),
        one("ten thousand digits", long_digits.as_bytes(), longest),
        one("eight KiB of text", long_text.as_bytes(), Invalid),
        one("NaN", b"NaN", Invalid),
        one("infinity", b"inf", Invalid),
        one("a word", b"soon", Invalid),
        one("latin-1 byte", b"1\xe9", Invalid),
        one("invalid UTF-8 only", b"\xff\xfe\xfd", Invalid),
        one(
            "UTF-8 digit lookalike",
            "\u{0661}\u{0662}".as_bytes(),
            Invalid,
        ),
        one("fullwidth digits", "\u{ff15}".as_bytes(), Invalid),
        one(
            "far-future date",
            b"Fri, 31 Dec 9999 23:59:59 GMT",
            Unchecked,
        ),
        one("far-past date", b"Thu, 01 Jan 1970 00:00:00 GMT", Unchecked),
        one("RFC 850 date", b"Sunday, 06-Nov-94 08:49:37 GMT", Unchecked),
        one("asctime date", b"Sun Nov  6 08:49:37 1994", Unchecked),
        one("impossible date", b"Mon, 32 Dec 2099 25:61:61 GMT", Invalid),
        one(
            "date in UTC not GMT",
            b"Wed, 21 Oct 2015 07:28:00 UTC",
            Invalid,
        ),
        one(
            "date with a bad weekday",
            b"Xyz, 21 Oct 2015 07:28:00 GMT",
            Invalid,
        ),
        repeated("invalid then valid", &[b"soon", b"5"], secs(5)),
        repeated("huge then small", &[b"99999999", b"1"], secs(99_999_999)),
        repeated("three invalid", &[b"", b"-1", b"x"], Invalid),
        repeated("many valid", &[&b"1"[..]; 50], secs(1)),
    ];
    assert!(values.len() >= 30);
    values
}

fn header_map(name: &'static str, values: &[Vec<u8>]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    // GitHub's rate-limited 403s say so; without it a 403 is a permission error.
    if name == "x-ratelimit-reset" {
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    }
    for value in values {
        let value = HeaderValue::from_bytes(value).expect("a value a server can send");
        headers.append(HeaderName::from_static(name), value);
    }
    headers
}

// ----- the retry engine with a recording sleeper ----------------------------------------------

/// Records each wait instead of waiting.
#[derive(Default)]
struct Recorder(Mutex<Vec<Duration>>);

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, d: Duration) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(d);
    }
}

impl Sleeper for Recorder {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.record(duration);
        Box::pin(std::future::ready(()))
    }

    fn sleep_blocking(&self, duration: Duration) {
        self.record(duration);
    }
}

/// One kind of response a hostile value is put in: an error type, a status and the header
/// its wait is read from.
struct Target {
    what: &'static str,
    status: u16,
    header: &'static str,
    run: fn(u16, &HeaderMap) -> Outcome,
}

/// What `from_parts` and the engine made of one response.
#[derive(Debug)]
struct Outcome {
    retry_after: Option<Duration>,
    policy: RetryPolicy,
    /// `min_wait`: the floor of every wait, the config's or the error's.
    floor: Duration,
    cap: Duration,
    max_backoff: Duration,
    /// Attempts and waits of the blocking engine, then of the async one.
    blocking: (u32, Vec<Duration>),
    async_: (u32, Vec<Duration>),
}

const ATTEMPTS: u32 = 4;

/// `from_parts`, then the same error from every attempt through `run_blocking` and `run`.
fn outcome<E: StatusError>(status: u16, headers: &HeaderMap) -> Outcome {
    let status = StatusCode::from_u16(status).expect("a status");
    let error = E::from_parts(status, headers, None);
    let config = E::retry_config().with_max_attempts(ATTEMPTS);
    let (cap, max_backoff) = (config.max_retry_after, config.max_backoff);

    let recorder = Arc::new(Recorder::default());
    let retrier = Retrier::new(config.clone()).with_sleeper(Arc::clone(&recorder));
    let mut calls = 0;
    let result: Result<(), E> = retrier.run_blocking(true, || {
        calls += 1;
        Err(E::from_parts(status, headers, None))
    });
    assert!(result.is_err());
    let blocking = (calls, recorder.waits());

    let recorder = Arc::new(Recorder::default());
    let retrier = Retrier::new(config).with_sleeper(Arc::clone(&recorder));
    let mut calls = 0;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let result: Result<(), E> = runtime.block_on(retrier.run(true, || {
        calls += 1;
        std::future::ready(Err(E::from_parts(status, headers, None)))
    }));
    assert!(result.is_err());
    let async_ = (calls, recorder.waits());

    Outcome {
        retry_after: error.retry_after(),
        policy: error.policy(),
        floor: E::retry_config()
            .min_wait
            .max(error.min_wait())
            .unwrap_or_default(),
        cap,
        max_backoff,
        blocking,
        async_,
    }
}

fn targets() -> [Target; 6] {
    [
        Target {
            what: "Ardoq 429 (after-header, seconds)",
            status: 429,
            header: "retry-after",
            run: outcome::<ArdoqError>,
        },
        Target {
            what: "Ardoq 503 (fallback, idempotent, http)",
            status: 503,
            header: "retry-after",
            run: outcome::<ArdoqError>,
        },
        Target {
            what: "GitHub 403 with retry-after (a case: after-header, min_wait 1s, http)",
            status: 403,
            header: "retry-after",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "GitHub 403 with x-ratelimit-remaining 0 (a case: after-header, unix)",
            status: 403,
            header: "x-ratelimit-reset",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "GitHub 503 (inherited after-header, http)",
            status: 503,
            header: "retry-after",
            run: outcome::<GitHubError>,
        },
        Target {
            what: "Shop 503 (after-header, millis)",
            status: 503,
            header: "x-retry-in-ms",
            run: outcome::<ShopError>,
        },
    ]
}

/// The engine's promises for one outcome; `Err` says which was broken.
fn check_engine(o: &Outcome) -> Result<(), String> {
    for (engine, (calls, waits)) in [("blocking", &o.blocking), ("async", &o.async_)] {
        if waits.iter().any(|w| *w > o.cap) {
            return Err(format!(
                "{engine}: waited {waits:?}, past the cap {:?}",
                o.cap
            ));
        }
        if *calls > ATTEMPTS || waits.len() + 1 != *calls as usize {
            return Err(format!("{engine}: {calls} calls with waits {waits:?}"));
        }
        match o.retry_after {
            Some(asked) if asked > o.cap => {
                if *calls != 1 {
                    return Err(format!(
                        "{engine}: asked {asked:?} over the cap {:?}, yet {calls} calls",
                        o.cap
                    ));
                }
            }
            Some(asked) => {
                if o.policy == RetryPolicy::AfterHeader
                    && waits.iter().any(|w| *w != asked.max(o.floor))
                {
                    return Err(format!("{engine}: asked {asked:?}, waited {waits:?}"));
                }
                // Never before the server's stated time, whatever the policy.
                if waits.iter().any(|w| *w < asked) {
                    return Err(format!("{engine}: asked {asked:?}, waited {waits:?}"));
                }
            }
            None => {
                if waits.iter().any(|w| *w > o.max_backoff.max(o.floor)) {
                    return Err(format!("{engine}: no wait asked, yet waited {waits:?}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn hostile_wait_headers_never_panic_nor_pass_the_cap() {
    let values = hostile_values();
    let mut failures = Vec::new();
    let mut checked = 0;
    for target in targets() {
        for value in &values {
            let headers = header_map(target.header, &value.values);
            let run = target.run;
            let outcome =
                std::panic::catch_unwind(|| run(target.status, &headers)).map_err(|_| "panicked");
            let verdict = outcome
                .map_err(str::to_owned)
                .and_then(|o| check_engine(&o).map(|()| o));
            match verdict {
                Ok(_) => checked += 1,
                Err(why) => failures.push(format!("{} / {}: {why}", target.what, value.what)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, values.len() * targets().len());
}

#[test]
fn seconds_values_read_as_rfc_9110_delay_seconds() {
    // The oracle for the `seconds` format, through Ardoq's 429: digits only, optional
    // whitespace around, first valid of repeated headers; anything else is no wait.
    for value in hostile_values() {
        let headers = header_map("retry-after", &value.values);
        let e = ArdoqError::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers, None);
        match value.seconds {
            Seconds::Invalid => assert_eq!(e.retry_after(), None, "{}", value.what),
            Seconds::Is(wait) => assert_eq!(e.retry_after(), Some(wait), "{}", value.what),
            Seconds::Unchecked => {}
        }
    }
}

#[test]
fn dates_wait_until_then_or_not_at_all() {
    let status = StatusCode::FORBIDDEN;
    let wait = |value: &str| {
        let headers = header_map("retry-after", &[value.as_bytes().to_vec()]);
        GitHubError::from_parts(status, &headers, None).retry_after()
    };
    // Past dates are no wait (the engine backs off); the far future is far past the cap, so
    // the engine stops.
    assert_eq!(wait("Thu, 01 Jan 1970 00:00:00 GMT"), None);
    assert_eq!(wait("Sun Nov  6 08:49:37 1994"), None);
    let far = wait("Fri, 31 Dec 9999 23:59:59 GMT").expect("a valid date");
    assert!(far > Duration::from_secs(200 * 365 * 24 * 3600));
    assert_eq!(wait("Sat, 01 Jan 10000 00:00:00 GMT"), Some(Duration::MAX));
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let soon = wait(&soon).expect("a valid date");
    assert!(
        soon <= Duration::from_secs(30) && soon >= Duration::from_secs(28),
        "{soon:?}"
    );
    // An epoch second past what SystemTime holds is a huge wait, not a panic nor no wait.
    let headers = header_map("x-ratelimit-reset", &[b"18446744073709551615".to_vec()]);
    let e = GitHubError::from_parts(status, &headers, None);
    assert!(
        e.retry_after()
            .is_some_and(|w| w > Duration::from_secs(120))
    );
}

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

/// A server on 127.0.0.1, on its own thread and runtime so the client's allocations can be
/// told apart from its own. It lives until the test process ends.
struct Server {
    addr: SocketAddr,
}

/// The hostile values, by index, as `retry-after` on a 429.
static WAIT_VALUES: std::sync::OnceLock<Vec<Vec<Vec<u8>>>> = std::sync::OnceLock::new();

const CHUNK: &[u8] = &[b'x'; 64 * 1024];

fn app() -> Router {
    Router::new()
        .route(
            "/wait/{index}",
            get(|Path(index): Path<usize>| async move {
                let values = WAIT_VALUES.get().and_then(|v| v.get(index));
                let mut response = Response::new(Body::from("slow down"));
                *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                for value in values.into_iter().flatten() {
                    if let Ok(value) = HeaderValue::from_bytes(value) {
                        response
                            .headers_mut()
                            .append(HeaderName::from_static("retry-after"), value);
                    }
                }
                response
            }),
        )
        .route(
            "/big",
            get(|| async {
                let chunks = (0..128).map(|_| Ok::<_, std::io::Error>(CHUNK));
                error(Body::from_stream(futures_util::stream::iter(chunks)))
            }),
        )
        .route(
            "/endless",
            get(|| async {
                let chunks = futures_util::stream::repeat_with(|| Ok::<_, std::io::Error>(CHUNK));
                error(Body::from_stream(chunks))
            }),
        )
        .route(
            "/trickle",
            get(|| async {
                let first =
                    futures_util::stream::iter([Ok::<_, std::io::Error>(&b"first bytes"[..])]);
                let never = futures_util::stream::pending();
                error(Body::from_stream(futures_util::StreamExt::chain(
                    first, never,
                )))
            }),
        )
        .route(
            "/invalid-utf8",
            get(|| async { error(Body::from(vec![0xff_u8; 1024 * 1024])) }),
        )
}

fn error(body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
}

fn start_server() -> Server {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .expect("bind 127.0.0.1");
            addr_tx
                .send(listener.local_addr().expect("an address"))
                .expect("send the address");
            axum::serve(listener, app()).await.expect("serve");
        });
    });
    Server {
        addr: addr_rx.recv().expect("the server's address"),
    }
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
fn hostile_wait_headers_over_http_read_as_from_parts_reads_them() {
    let values = hostile_values();
    let _ = WAIT_VALUES.set(values.iter().map(|v| v.values.clone()).collect());
    let server = start_server();
    let http = client();
    client_runtime().block_on(async {
        for (index, value) in values.iter().enumerate() {
            let url = format!("http://{}/wait/{index}", server.addr);
            let response = http.get(&url).send().await.expect("a response");
            let sent = response.headers().clone();
            let e = errspec::reqwest::check::<ArdoqError>(response)
                .await
                .expect_err("429 is an error");
            let local = ArdoqError::from_parts(StatusCode::TOO_MANY_REQUESTS, &sent, None);
            assert_eq!(e.retry_after(), local.retry_after(), "{}", value.what);
            assert_eq!(e.body(), Some("slow down"), "{}", value.what);
            if let Seconds::Is(wait) = value.seconds {
                assert_eq!(e.retry_after(), Some(wait), "{}", value.what);
            }
        }
    });
}

#[test]
fn hostile_bodies_over_http_keep_memory_bounded() {
    // The counter does count.
    let baseline = live_bytes();
    reset_peak();
    drop(std::hint::black_box(vec![0_u8; 1024 * 1024]));
    assert!(growth_since(baseline) >= 1024 * 1024);

    let server = start_server();
    let http = client();
    client_runtime().block_on(async {
        for path in ["big", "endless", "trickle", "invalid-utf8"] {
            let url = format!("http://{}/{path}", server.addr);
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

// ----- memory accounting ----------------------------------------------------------------------

/// Counts the bytes each thread holds, and the peak since the last reset, so a test can bound
/// what the client side of a request allocates while the server runs on another thread.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn size(layout: Layout) -> isize {
    isize::try_from(layout.size()).unwrap_or(isize::MAX)
}

// A global allocator is an `unsafe impl`; this one only forwards to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(size(layout));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-size(layout));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(isize::try_from(new_size).unwrap_or(isize::MAX) - size(layout));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes this thread holds, counting frees of what other threads allocated (so it can be
/// negative): only differences mean something.
fn live_bytes() -> isize {
    LIVE.with(Cell::get)
}

/// How far this thread's holding rose above `baseline` since [`reset_peak`].
fn growth_since(baseline: isize) -> usize {
    usize::try_from(PEAK.with(Cell::get) - baseline).unwrap_or(0)
}

fn reset_peak() {
    PEAK.with(|peak| peak.set(LIVE.with(Cell::get)));
}
