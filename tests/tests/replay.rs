//! The shipped specs against their APIs' documented error responses (`tests/replay/*.toml`),
//! replayed by an axum server on 127.0.0.1 and read through `errspec::reqwest::check`: each
//! response must become its variant, be retried (or not) as the engine decides it, carry the
//! wait its documentation says, and be a refusal of the rate limit (`rate_limited()`) exactly
//! when the documentation says it is one. A response marked `success` (a 200 that is no error)
//! must come back from `check` as the response.

use std::fmt::Debug;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use errspec::{Retrier, StatusError};
use errspec_test_support::{Reply, ScriptServer};
use toml::de::{DeTable, DeValue};

#[errspec::errors(spec = "../spec/github.toml")]
#[derive(Debug)]
pub enum GitHubError {}

#[errspec::errors(spec = "../spec/stripe.toml")]
#[derive(Debug)]
pub enum StripeError {}

#[errspec::errors(spec = "../spec/openai.toml")]
#[derive(Debug)]
pub enum OpenAIError {}

#[errspec::errors(spec = "../spec/anthropic.toml")]
#[derive(Debug)]
pub enum AnthropicError {}

#[errspec::errors(spec = "../spec/discord.toml")]
#[derive(Debug)]
pub enum DiscordError {}

#[errspec::errors(spec = "../spec/gitlab.toml")]
#[derive(Debug)]
pub enum GitLabError {}

#[errspec::errors(spec = "../spec/google.toml")]
#[derive(Debug)]
pub enum GoogleError {}

#[errspec::errors(spec = "../spec/aws.toml")]
#[derive(Debug)]
pub enum AwsError {}

#[errspec::errors(spec = "../spec/slack.toml")]
#[derive(Debug)]
pub enum SlackError {}

#[errspec::errors(spec = "../spec/azure.toml")]
#[derive(Debug)]
pub enum AzureError {}

#[errspec::errors(spec = "../spec/shopify.toml")]
#[derive(Debug)]
pub enum ShopifyError {}

#[errspec::errors(spec = "../spec/jira.toml")]
#[derive(Debug)]
pub enum JiraError {}

/// One documented response and what the spec must make of it.
#[derive(Debug, Clone)]
struct Fixture {
    name: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// What the response must be: an error, or (`success = true`) no error at all.
    expect: Expect,
}

/// The error a fixture's response must become.
#[derive(Debug, Clone)]
struct Expected {
    variant: String,
    retried: String,
    rate_limited: bool,
    wait: Option<Duration>,
    /// How far the wait read may be from `wait`.
    tolerance: Duration,
}

#[derive(Debug, Clone)]
enum Expect {
    Error(Expected),
    Success,
}

fn text<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    match table.get(key)?.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

fn boolean(table: &DeTable<'_>, key: &str) -> Option<bool> {
    match table.get(key)?.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        _ => None,
    }
}

fn duration(table: &DeTable<'_>, key: &str) -> Option<Duration> {
    text(table, key).map(|w| humantime::parse_duration(w).expect("a duration"))
}

/// What fixture `t` of `api` expects.
fn expect(api: &str, t: &DeTable<'_>) -> Expect {
    if boolean(t, "success") == Some(true) {
        return Expect::Success;
    }
    Expect::Error(Expected {
        variant: text(t, "variant").expect("variant").to_owned(),
        retried: text(t, "retried").expect("retried").to_owned(),
        rate_limited: boolean(t, "rate_limited")
            .unwrap_or_else(|| panic!("{api}: rate_limited is not a boolean")),
        wait: duration(t, "wait"),
        tolerance: duration(t, "wait_tolerance").unwrap_or(Duration::from_millis(1500)),
    })
}

fn fixtures(api: &str) -> Vec<Fixture> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("replay/{api}.toml"));
    let source = std::fs::read_to_string(&path).expect("read fixtures");
    let root = DeTable::parse(&source).unwrap_or_else(|e| panic!("{api}: {e}"));
    let Some(DeValue::Array(responses)) =
        root.get_ref().get("response").map(toml::Spanned::get_ref)
    else {
        panic!("{api}: no [[response]]");
    };
    responses
        .iter()
        .map(|response| {
            let DeValue::Table(t) = response.get_ref() else {
                panic!("{api}: a response is not a table");
            };
            let status = match t.get("status").map(toml::Spanned::get_ref) {
                Some(DeValue::Integer(i)) => i.as_str().parse().expect("a status code"),
                other => panic!("{api}: status {other:?}"),
            };
            let headers = match t.get("headers").map(toml::Spanned::get_ref) {
                Some(DeValue::Table(h)) => h
                    .iter()
                    .map(|(k, v)| {
                        let DeValue::String(v) = v.get_ref() else {
                            panic!("{api}: a header value is not a string");
                        };
                        (k.get_ref().to_string(), v.to_string())
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Fixture {
                name: text(t, "name").expect("name").to_owned(),
                status,
                headers,
                body: text(t, "body").map(str::to_owned),
                expect: expect(api, t),
            }
        })
        .collect()
}

/// `{unix+N}`, `{unix-N}`, `{unix_ms+N}`, `{rfc3339+N}` and `{iso_minute+N}` (cut to the
/// minute, `2026-12-01T10:00Z`) filled in for `now`.
fn fill(value: &str, now: SystemTime) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let placeholder = &rest[open + 1..close];
        let split = placeholder.find(['+', '-']);
        let filled = split.and_then(|at| {
            let (kind, offset) = placeholder.split_at(at);
            let seconds: i64 = offset.parse().ok()?;
            let at = if seconds >= 0 {
                now + Duration::from_secs(seconds.unsigned_abs())
            } else {
                now - Duration::from_secs(seconds.unsigned_abs())
            };
            let since = at.duration_since(UNIX_EPOCH).ok()?;
            Some(match kind {
                "unix" => since.as_secs().to_string(),
                "unix_ms" => since.as_millis().to_string(),
                "rfc3339" => humantime::format_rfc3339_seconds(at).to_string(),
                "iso_minute" => {
                    let seconds = humantime::format_rfc3339_seconds(at).to_string();
                    format!("{}Z", seconds.get(..16)?)
                }
                _ => return None,
            })
        });
        out.push_str(&rest[..open]);
        match filled {
            Some(filled) => out.push_str(&filled),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A server answering `/{i}` with fixture `i`, its placeholders filled in when it is sent.
async fn serve(fixtures: Vec<Fixture>) -> ScriptServer {
    let server = ScriptServer::start().await;
    for (i, f) in fixtures.into_iter().enumerate() {
        let reply = Reply::later(move || {
            let now = SystemTime::now();
            let body = f.body.as_ref().map(|b| fill(b, now)).unwrap_or_default();
            let reply = Reply::new(f.status).body(body);
            f.headers.iter().fold(reply, |reply, (name, value)| {
                reply.header(name, fill(value, now))
            })
        });
        server.always(&format!("/{i}"), reply);
    }
    server
}

/// Whether the engine retries the error, for a request of the given idempotency.
fn retries<E: StatusError>(error: E, idempotent: bool) -> bool {
    let retrier = Retrier::new(E::retry_config());
    let mut attempts = retrier.attempts(idempotent);
    attempts.after::<(), E>(Err(error)).is_continue()
}

async fn check_api<E: StatusError + Debug>(api: &str) -> usize {
    let fixtures = fixtures(api);
    assert!(fixtures.len() >= 10, "{api}: {} fixtures", fixtures.len());
    let server = serve(fixtures.clone()).await;
    let addr = server.addr();
    let client = reqwest::Client::new();
    let fetch = |i: usize| {
        let client = client.clone();
        async move {
            let response = client
                .get(format!("http://{addr}/{i}"))
                .send()
                .await
                .expect("the replay server answers");
            errspec::reqwest::check::<E>(response).await
        }
    };
    for (i, f) in fixtures.iter().enumerate() {
        let at = format!("{api}: {:?}", f.name);
        let expected = match &f.expect {
            Expect::Success => {
                let response = fetch(i)
                    .await
                    .unwrap_or_else(|e| panic!("{at}: a success, got {e:?}"));
                assert_eq!(response.status().as_u16(), f.status, "{at}");
                continue;
            }
            Expect::Error(expected) => expected,
        };
        let error = fetch(i).await.expect_err("an error status");
        let debug = format!("{error:?}");
        assert!(
            debug.starts_with(&format!("{} {{", expected.variant)),
            "{at}: expected {}, got {debug}",
            expected.variant
        );
        assert_eq!(error.status().map(|s| s.as_u16()), Some(f.status), "{at}");
        assert_eq!(
            error.rate_limited(),
            expected.rate_limited,
            "{at}: rate_limited"
        );
        match (expected.wait, error.retry_after()) {
            (None, None) => {}
            (Some(wait), Some(got)) => {
                let off = wait.abs_diff(got);
                assert!(
                    off <= expected.tolerance,
                    "{at}: wait {got:?}, want {wait:?}"
                );
            }
            (wait, got) => panic!("{at}: wait {got:?}, want {wait:?}"),
        }
        let again = fetch(i).await.expect_err("an error status");
        let (any, idempotent) = (retries(error, false), retries(again, true));
        let got = match (any, idempotent) {
            (true, true) => "any",
            (false, true) => "idempotent",
            (false, false) => "never",
            (true, false) => "any but idempotent",
        };
        assert_eq!(got, expected.retried, "{at}: retried");
    }
    fixtures.len()
}

#[tokio::test]
async fn github() {
    check_api::<GitHubError>("github").await;
}

#[tokio::test]
async fn stripe() {
    check_api::<StripeError>("stripe").await;
}

#[tokio::test]
async fn openai() {
    check_api::<OpenAIError>("openai").await;
}

#[tokio::test]
async fn anthropic() {
    check_api::<AnthropicError>("anthropic").await;
}

#[tokio::test]
async fn discord() {
    check_api::<DiscordError>("discord").await;
}

#[tokio::test]
async fn gitlab() {
    check_api::<GitLabError>("gitlab").await;
}

#[tokio::test]
async fn google() {
    check_api::<GoogleError>("google").await;
}

#[tokio::test]
async fn aws() {
    check_api::<AwsError>("aws").await;
}

#[tokio::test]
async fn slack() {
    check_api::<SlackError>("slack").await;
}

#[tokio::test]
async fn azure() {
    check_api::<AzureError>("azure").await;
}

#[tokio::test]
async fn shopify() {
    check_api::<ShopifyError>("shopify").await;
}

#[tokio::test]
async fn jira() {
    check_api::<JiraError>("jira").await;
}

#[test]
fn placeholders_are_filled() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(fill("{unix+30}", now), "1700000030");
    assert_eq!(fill("{unix-30}", now), "1699999970");
    assert_eq!(fill("{unix_ms+1}", now), "1700000001000");
    assert_eq!(fill("{rfc3339+0}", now), "2023-11-14T22:13:20Z");
    assert_eq!(fill("{iso_minute+0}", now), "2023-11-14T22:13Z");
    assert_eq!(fill("{iso_minute+45}", now), "2023-11-14T22:14Z");
    assert_eq!(fill("a {b} c", now), "a {b} c");
}
