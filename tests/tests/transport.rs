//! Requests that get no response, through `errspec::reqwest::send` on a real reqwest client:
//! a refused connection (nothing was sent) is retried even for a POST under `connect =
//! "always"`; a timeout (the server may have acted) is retried for a GET but not for a POST
//! under `timeout = "idempotent"`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use errspec::{Retrying, StatusError, TransportError, TransportKind};
use errspec_test_support::RecordingSleeper;

#[errspec::client(spec = "specs/transport.toml")]
trait Hub {
    #[errspec(idempotent)]
    async fn get(&self) -> Result<String, HubError>;
    async fn post(&self) -> Result<String, HubError>;
}

struct Client {
    http: reqwest::Client,
    url: String,
    sent: Arc<AtomicU32>,
}

impl Hub for Client {
    async fn get(&self) -> Result<String, HubError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let response = errspec::reqwest::send::<HubError>(self.http.get(&self.url)).await?;
        Ok(response.text().await.unwrap_or_default())
    }

    async fn post(&self) -> Result<String, HubError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let response =
            errspec::reqwest::send::<HubError>(self.http.post(&self.url).body("{}")).await?;
        Ok(response.text().await.unwrap_or_default())
    }
}

fn client(url: String) -> (Retrying<Client>, Arc<AtomicU32>) {
    let sent = Arc::new(AtomicU32::new(0));
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("a client");
    let client = Client {
        http,
        url,
        sent: Arc::clone(&sent),
    };
    (
        Retrying::new(client).with_sleeper(RecordingSleeper::real()),
        sent,
    )
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // a port nothing listens on: bound, then let go
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let (client, sent) = client(format!("http://{addr}/items"));
    let error = client.post().await.expect_err("nobody listens");
    assert_eq!(error.transport_kind(), Some(TransportKind::Connect));
    assert_eq!(error.status(), None);
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(error.to_string(), "could not reach the hub");
    assert_eq!(
        sent.load(Ordering::SeqCst),
        3,
        "connect = always: every attempt max_attempts allows"
    );
}

#[tokio::test]
async fn a_timeout_is_retried_for_a_get_but_not_for_a_post() {
    // a server that takes connections and never answers
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("an address");
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let (client, sent) = client(format!("http://{addr}/items"));
    let error = client.post().await.expect_err("no answer");
    assert_eq!(error.transport_kind(), Some(TransportKind::Timeout));
    assert_eq!(
        sent.load(Ordering::SeqCst),
        1,
        "timeout = idempotent: a POST is sent once"
    );

    sent.store(0, Ordering::SeqCst);
    let error = client.get().await.expect_err("no answer");
    assert_eq!(error.transport_kind(), Some(TransportKind::Timeout));
    assert_eq!(sent.load(Ordering::SeqCst), 3, "a GET is retried");
    held.abort();
}

#[test]
fn the_enum_stays_small_with_cases_and_a_transport_variant() {
    assert!(
        size_of::<HubError>() <= 24,
        "{} bytes",
        size_of::<HubError>()
    );
    let e = HubError::from_transport(
        TransportKind::Other,
        std::io::Error::other("broken pipe").into(),
    );
    assert_eq!(e.policy(), errspec::RetryPolicy::Never);
    assert_eq!(HubError::STATUSES.len(), 6, "4 statuses and 2 cases");
}
