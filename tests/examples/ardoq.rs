//! errspec's main demo: a client for an Ardoq-like API, its error handling generated from
//! `spec/ardoq.toml`, run against an embedded server on 127.0.0.1 that rate-limits (429 with
//! Retry-After in seconds), rejects an expired token (401), does not know an id (404) and has a
//! flaky endpoint (503). Every attempt, wait and final error is printed, and so is every pause
//! of 10 ms or more the client makes on its own to keep to the rate limit it learned from the
//! 429s (all are counted in the summary).
//!
//! Run it with `cargo run --example ardoq`. It takes a few seconds: the server's Retry-After
//! waits are real.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use errspec::{Pause, Retrier, Retrying, StatusError};

/// Ardoq's errors, from the spec, plus a transport failure of our own.
#[errspec::errors(spec = "../spec/ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {
    /// The request never got a response.
    #[errspec(message = "could not reach the Ardoq API", retry = "idempotent")]
    Transport(#[source] reqwest::Error),
}

/// The part of Ardoq's REST API this demo uses. (Its futures need not be `Send` here, since the
/// demo drives them on one task; a library would write `-> impl Future<Output = ..> + Send`.)
#[errspec::client(error = ArdoqError)]
#[allow(async_fn_in_trait)]
pub trait Ardoq {
    /// Reads a workspace.
    #[errspec(idempotent)]
    async fn workspace(&self, id: &str) -> Result<String, ArdoqError>;

    /// Lists a workspace's components.
    #[errspec(idempotent)]
    async fn components(&self, workspace: &str) -> Result<String, ArdoqError>;

    /// Creates a component (not idempotent: a retry could create it twice).
    async fn create_component(&self, workspace: &str, name: String) -> Result<String, ArdoqError>;
}

/// A plain HTTP client for the API; `Retrying` adds the retries.
struct HttpArdoq {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl HttpArdoq {
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<String, ArdoqError> {
        let response = request
            .header("authorization", format!("Token {}", self.token))
            .send()
            .await
            .map_err(ArdoqError::Transport)?;
        let response = errspec::reqwest::check::<ArdoqError>(response).await?;
        response.text().await.map_err(ArdoqError::Transport)
    }
}

impl Ardoq for HttpArdoq {
    async fn workspace(&self, id: &str) -> Result<String, ArdoqError> {
        self.send(
            self.http
                .get(format!("{}/api/v2/workspaces/{id}", self.base)),
        )
        .await
    }

    async fn components(&self, workspace: &str) -> Result<String, ArdoqError> {
        let url = format!("{}/api/v2/workspaces/{workspace}/components", self.base);
        self.send(self.http.get(url)).await
    }

    async fn create_component(&self, workspace: &str, name: String) -> Result<String, ArdoqError> {
        let url = format!("{}/api/v2/workspaces/{workspace}/components", self.base);
        self.send(self.http.post(url).body(name)).await
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = errspec_tests::ardoq_server::start().await?;
    println!("Ardoq-like server on {}\n", server.base_url());
    let started = Instant::now();
    let retry_count = Arc::new(AtomicU32::new(0));
    let pause_count = Arc::new(AtomicU32::new(0));

    let client = |token: &str| {
        let retry_count = Arc::clone(&retry_count);
        let pause_count = Arc::clone(&pause_count);
        let retrier = Retrier::new(ArdoqError::retry_config())
            .with_rate_limit(ArdoqError::rate_limit())
            .on_pause(move |pause, wait| {
                pause_count.fetch_add(1, Ordering::Relaxed);
                if wait < Duration::from_millis(10) {
                    return;
                }
                let what = match pause {
                    Pause::LearnedQuota => "pacing",
                    _ => "holding",
                };
                println!(
                    "  {what}: a read waits {:.2}s ({pause})",
                    wait.as_secs_f64()
                );
            })
            .on_retry(move |attempt, err: &dyn StatusError, delay| {
                retry_count.fetch_add(1, Ordering::Relaxed);
                let why = match err.retry_after() {
                    Some(wait) if wait >= delay => format!("the server asked for {wait:?}"),
                    Some(wait) => format!("backoff, longer than the server's {wait:?}"),
                    None => "exponential backoff with jitter".to_owned(),
                };
                println!("  attempt {attempt} failed: {err}");
                if let Some(hint) = err.hint() {
                    println!("    hint: {hint}");
                }
                println!("    retrying in {:.2}s ({why})", delay.as_secs_f64());
            });
        Retrying::new(HttpArdoq {
            http: reqwest::Client::new(),
            base: server.base_url(),
            token: token.to_owned(),
        })
        .with_retrier(retrier)
    };
    let ardoq = client(errspec_tests::ardoq_server::TOKEN);

    step("read a workspace");
    report("read ws-1", ardoq.workspace("ws-1").await);

    step("a burst of 8 reads against a limit of 5 per 2-second window (429 + Retry-After)");
    let burst = (0..8).map(|i| {
        let ardoq = &ardoq;
        async move { (i, ardoq.workspace("ws-1").await) }
    });
    for (i, result) in futures_util::future::join_all(burst).await {
        report(&format!("read {i}"), result);
    }

    step(
        "another burst of 8: the client paces itself to the 5 per window its 429s taught it, \
         and now and then probes for more",
    );
    let before = server.requests();
    let burst = (0..8).map(|i| {
        let ardoq = &ardoq;
        async move { (i, ardoq.workspace("ws-1").await) }
    });
    for (i, result) in futures_util::future::join_all(burst).await {
        report(&format!("read {i}"), result);
    }
    println!(
        "  {} requests for 8 reads: {} refused with 429",
        server.requests() - before,
        server.requests() - before - 8
    );

    step("a flaky endpoint answering 503 twice (idempotent, so retried with backoff)");
    server.wait_for_fresh_window().await;
    server.make_flaky(2);
    report("list components", ardoq.components("ws-1").await);

    step("the same failure on a create (not idempotent, so not retried)");
    server.make_flaky(1);
    report(
        "create a component",
        ardoq.create_component("ws-1", "Payments".to_owned()).await,
    );

    step("an unknown workspace (404, never retried)");
    report("read ws-404", ardoq.workspace("ws-404").await);

    step("an expired token (401, never retried)");
    let expired = client("expired-token");
    report("read ws-1", expired.workspace("ws-1").await);

    println!(
        "\nsummary: {} requests reached the server, {} retries, {} pauses to keep to the rate \
         limit, {:.1}s in all",
        server.requests(),
        retry_count.load(Ordering::Relaxed),
        pause_count.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn step(title: &str) {
    println!("\n== {title}");
}

fn report(what: &str, result: Result<String, ArdoqError>) {
    match result {
        Ok(body) => println!("  {what}: ok {body}"),
        Err(e) => {
            println!("  {what}: failed: {e}");
            if let Some(hint) = e.hint() {
                println!("    hint: {hint}");
            }
        }
    }
}
