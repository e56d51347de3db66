//! A hold shared through Redis by the two stacks: a reqwest-middleware client and a tower
//! service over hyper-util, each with a `RedisStore` of its own (as two processes would have),
//! against one scripted server on 127.0.0.1 and a `redis-server` the test starts.
//!
//! Waits are recorded, not slept, on the real clock: a hold of 30 s one stack learnt is still
//! there, on Redis's clock, when the other asks.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use errspec::http::{Request, StatusCode};
use errspec::middleware::RetryMiddleware;
use errspec::tower::RetryLayer;
use errspec::{Pause, Retrier, StatusError};
use errspec_redis::RedisStore;
use errspec_test_support::redis::RedisServer;
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};
use tower::{Layer, Service, ServiceExt};

const SEC: Duration = Duration::from_secs(1);

/// `specs/transport.toml`'s errors (`[api] name = "Hub"`): the hold's key in Redis.
#[errspec::errors(spec = "specs/transport.toml")]
#[derive(Debug)]
pub enum HubError {}

#[tokio::test]
async fn a_hold_one_stack_learnt_holds_the_other_through_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let server = ScriptServer::start().await;
    server.once("/a", Reply::new(429).header("retry-after", "30"));
    let sleeper = RecordingSleeper::real();
    let retrier = || {
        Retrier::new(HubError::retry_config())
            .with_rate_limit(HubError::rate_limit())
            .with_sleeper(sleeper.clone())
    };

    let middleware = RetryMiddleware::<HubError>::new()
        .with_retrier(retrier())
        .with_store(RedisStore::connect(&url).await.expect("connects"));
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build();
    let response = client
        .get(format!("{}/a", server.url()))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    // its retry waited the 30 s (and, Redis's clock not having moved by that recorded wait,
    // for the hold again, up to `max_retry_after` in all)
    assert_eq!(sleeper.sleeps().first(), Some(&(30 * SEC)));

    let pauses = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&pauses);
    let layer = RetryLayer::<HubError>::new()
        .with_retrier(retrier().on_pause(move |pause, wait| {
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((pause, wait));
        }))
        .with_store(RedisStore::connect(&url).await.expect("connects"));
    let hyper = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let mut service = layer.layer(hyper);

    // the first stack's report reaches Redis in the background: ask until it is there
    let deadline = Instant::now() + 5 * SEC;
    let held = loop {
        let request = Request::get(format!("{}/b", server.url()))
            .body(http_body_util::Empty::new())
            .expect("a request");
        let response = service
            .ready()
            .await
            .expect("ready")
            .call(request)
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK);
        let seen = std::mem::take(&mut *pauses.lock().unwrap_or_else(PoisonError::into_inner));
        if !seen.is_empty() || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        matches!(held.as_slice(), [(Pause::Hold, d), ..] if *d > 25 * SEC && *d <= 30 * SEC)
            && held.iter().all(|(pause, _)| *pause == Pause::Hold),
        "the tower service waited for the middleware's hold: {held:?}"
    );
}
