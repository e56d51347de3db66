//! A user crate: the Ardoq API's errors and a retrying client, generated from `ardoq.toml`.
//! `tests/scripts/compile-time.sh` times its build against `thiserror-sample`, the same crate
//! written by hand.

use std::future::Future;

use errspec::Retrying;

/// Ardoq's errors, from the spec, plus a transport failure.
#[errspec::errors(spec = "ardoq.toml")]
#[derive(Debug)]
pub enum ArdoqError {
    /// The request never got a response.
    #[errspec(message = "could not reach the Ardoq API", retry = "idempotent")]
    Transport(#[source] std::io::Error),
}

/// The part of Ardoq's REST API the sample uses.
#[errspec::client(error = ArdoqError)]
pub trait Ardoq {
    /// Reads a workspace.
    #[errspec(idempotent)]
    fn workspace(&self, id: &str) -> impl Future<Output = Result<String, ArdoqError>> + Send;

    /// Lists a workspace's components.
    #[errspec(idempotent)]
    fn components(
        &self,
        workspace: &str,
    ) -> impl Future<Output = Result<Vec<String>, ArdoqError>> + Send;

    /// Creates a component (not idempotent).
    fn create_component(
        &self,
        workspace: &str,
        name: String,
    ) -> impl Future<Output = Result<String, ArdoqError>> + Send;
}

/// A client that answers from memory, so the retrying wrapper gets instantiated.
pub struct Fake;

impl Ardoq for Fake {
    fn workspace(&self, id: &str) -> impl Future<Output = Result<String, ArdoqError>> + Send {
        let id = id.to_owned();
        async move {
            if id == "ws-1" {
                Ok(id)
            } else {
                Err(ArdoqError::from(errspec::http::StatusCode::NOT_FOUND))
            }
        }
    }

    fn components(
        &self,
        workspace: &str,
    ) -> impl Future<Output = Result<Vec<String>, ArdoqError>> + Send {
        let workspace = workspace.to_owned();
        async move { Ok(vec![workspace]) }
    }

    fn create_component(
        &self,
        _workspace: &str,
        name: String,
    ) -> impl Future<Output = Result<String, ArdoqError>> + Send {
        async move { Ok(name) }
    }
}

/// Calls every method through the retrying wrapper.
pub async fn demo() -> Result<usize, ArdoqError> {
    let client = Retrying::new(Fake);
    let ws = client.workspace("ws-1").await?;
    let components = client.components(&ws).await?;
    let created = client.create_component(&ws, "Payments".to_owned()).await?;
    Ok(components.len() + created.len())
}
