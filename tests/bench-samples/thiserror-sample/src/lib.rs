//! The same crate as `errspec-sample`, written by hand with thiserror: the Ardoq API's errors,
//! their retry policies and wait headers, and a retrying client with exponential backoff and
//! full jitter. `tests/scripts/compile-time.sh` times the two builds.

use std::future::Future;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

/// What a response adds to its status: the requested wait and a body excerpt.
#[derive(Debug, Default)]
pub struct Details(Option<Box<(Option<Duration>, Option<Box<str>>)>>);

impl Details {
    fn retry_after(&self) -> Option<Duration> {
        self.0.as_ref().and_then(|d| d.0)
    }
}

/// Ardoq's errors, plus a transport failure.
#[derive(Debug, thiserror::Error)]
pub enum ArdoqError {
    /// 400.
    #[error("400 Bad Request: the request was malformed or had invalid parameters")]
    BadRequest { details: Details },
    /// 401.
    #[error("401 Unauthorized: the API token is missing, wrong or expired")]
    Unauthorized { details: Details },
    /// 403.
    #[error("403 Forbidden: the API token is not allowed to access this resource")]
    Forbidden { details: Details },
    /// 404.
    #[error("404 Not Found: the resource was not found")]
    NotFound { details: Details },
    /// 409.
    #[error("409 Conflict: the request conflicts with the current state of the resource")]
    Conflict { details: Details },
    /// 422.
    #[error(
        "422 Unprocessable Content: the request was understood but its data is incorrect or incomplete"
    )]
    UnprocessableContent { details: Details },
    /// 429.
    #[error("429 Too Many Requests: rate limit exceeded")]
    TooManyRequests { details: Details },
    /// Any other status.
    #[error("{} {}: {}", .status.as_u16(), reason(*.status), class_message(*.status))]
    Other { status: StatusCode, details: Details },
    /// The request never got a response.
    #[error("could not reach the Ardoq API")]
    Transport(#[source] std::io::Error),
}

/// How an error is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Never.
    Never,
    /// Only idempotent requests.
    Idempotent,
    /// Any request, after the wait header's time.
    AfterHeader,
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Unknown Status")
}

fn class_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "unexpected informational response",
        200..=299 => "unexpected success status",
        300..=399 => "unexpected redirection",
        400..=499 => "client error",
        500..=599 => "the Ardoq API failed with a server error",
        _ => "unexpected status code outside the standard classes",
    }
}

impl From<StatusCode> for ArdoqError {
    fn from(status: StatusCode) -> Self {
        Self::with_details(status, Details::default())
    }
}

impl TryFrom<u16> for ArdoqError {
    type Error = http::status::InvalidStatusCode;

    fn try_from(code: u16) -> Result<Self, Self::Error> {
        StatusCode::from_u16(code).map(Self::from)
    }
}

/// At most this much of an error body is kept.
const BODY_EXCERPT_LIMIT: usize = 4096;

impl ArdoqError {
    fn with_details(status: StatusCode, details: Details) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest { details },
            401 => Self::Unauthorized { details },
            403 => Self::Forbidden { details },
            404 => Self::NotFound { details },
            409 => Self::Conflict { details },
            422 => Self::UnprocessableContent { details },
            429 => Self::TooManyRequests { details },
            _ => Self::Other { status, details },
        }
    }

    /// The error for a response: its wait header and a body excerpt.
    pub fn from_parts(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self {
        let value = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let retry_after = value.and_then(|v| match v.parse::<u64>() {
            Ok(secs) => Some(Duration::from_secs(secs)),
            // Ardoq's 429 says seconds; elsewhere Retry-After may be an HTTP-date.
            Err(_) if status != StatusCode::TOO_MANY_REQUESTS => httpdate::parse_http_date(v)
                .ok()
                .map(|at| at.duration_since(SystemTime::now()).unwrap_or_default()),
            Err(_) => None,
        });
        let body = body.filter(|b| !b.is_empty()).map(|b| {
            let text = String::from_utf8_lossy(&b[..b.len().min(BODY_EXCERPT_LIMIT)]);
            let mut end = text.len().min(BODY_EXCERPT_LIMIT);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            Box::from(&text[..end])
        });
        let details = if retry_after.is_none() && body.is_none() {
            Details::default()
        } else {
            Details(Some(Box::new((retry_after, body))))
        };
        Self::with_details(status, details)
    }

    /// How this error is retried.
    pub fn policy(&self) -> RetryPolicy {
        match self {
            Self::TooManyRequests { .. } => RetryPolicy::AfterHeader,
            Self::Other { status, .. } if status.is_server_error() => RetryPolicy::Idempotent,
            Self::Transport(_) => RetryPolicy::Idempotent,
            _ => RetryPolicy::Never,
        }
    }

    /// Advice for the user.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            Self::BadRequest { .. } => "double-check the input and try again",
            Self::Unauthorized { .. } => {
                "check that the API token is set correctly; a token that has not been used for 60 days expires, and a new one must then be generated"
            }
            Self::Forbidden { .. } => {
                "review your permissions, or ask your Ardoq administrator for access"
            }
            Self::NotFound { .. } => "check the URL and the ids in it, or try another endpoint",
            Self::Conflict { .. } => {
                "the resource may already exist: fetch it instead of creating it again"
            }
            Self::UnprocessableContent { .. } => "check the data sent and try again",
            Self::TooManyRequests { .. } => {
                "slow down; every 429 carries Retry-After with the seconds to wait before the next request"
            }
            Self::Other { status, .. } if status.is_server_error() => {
                "this is on Ardoq's side; try again later"
            }
            _ => return None,
        })
    }

    /// The HTTP status, if the error came from a response.
    pub fn status(&self) -> Option<StatusCode> {
        Some(match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::UnprocessableContent { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Other { status, .. } => *status,
            Self::Transport(_) => return None,
        })
    }

    /// The wait the server asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::BadRequest { details }
            | Self::Unauthorized { details }
            | Self::Forbidden { details }
            | Self::NotFound { details }
            | Self::Conflict { details }
            | Self::UnprocessableContent { details }
            | Self::TooManyRequests { details }
            | Self::Other { details, .. } => details.retry_after(),
            Self::Transport(_) => None,
        }
    }
}

const MAX_ATTEMPTS: u32 = 3;
const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(20);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait before the retry after failed attempt `attempt`, or `None` to give up.
fn next_wait(err: &ArdoqError, attempt: u32, idempotent: bool) -> Option<Duration> {
    let retryable = match err.policy() {
        RetryPolicy::Never => false,
        RetryPolicy::Idempotent => idempotent,
        RetryPolicy::AfterHeader => true,
    };
    if !retryable || attempt >= MAX_ATTEMPTS {
        return None;
    }
    let server = err.retry_after();
    if server.is_some_and(|w| w > MAX_RETRY_AFTER) {
        return None;
    }
    let base = INITIAL_BACKOFF
        .saturating_mul(2_u32.saturating_pow(attempt - 1))
        .min(MAX_BACKOFF);
    let backoff = base.mul_f64(fastrand::f64());
    Some(match (err.policy(), server) {
        (RetryPolicy::AfterHeader, Some(wait)) => wait,
        (_, Some(wait)) => wait.max(backoff),
        (_, None) => backoff,
    })
}

/// Runs `f` until it succeeds or `next_wait` says stop.
async fn retry<T, F, Fut>(idempotent: bool, mut f: F) -> Result<T, ArdoqError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ArdoqError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match f().await {
            Ok(value) => return Ok(value),
            Err(err) => match next_wait(&err, attempt, idempotent) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(err),
            },
        }
    }
}

/// The part of Ardoq's REST API the sample uses.
pub trait Ardoq {
    /// Reads a workspace.
    fn workspace(&self, id: &str) -> impl Future<Output = Result<String, ArdoqError>> + Send;

    /// Lists a workspace's components.
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

/// A client with retries.
pub struct Retrying<C>(pub C);

impl<C: Ardoq + Send + Sync> Ardoq for Retrying<C> {
    fn workspace(&self, id: &str) -> impl Future<Output = Result<String, ArdoqError>> + Send {
        retry(true, move || self.0.workspace(id))
    }

    fn components(
        &self,
        workspace: &str,
    ) -> impl Future<Output = Result<Vec<String>, ArdoqError>> + Send {
        retry(true, move || self.0.components(workspace))
    }

    fn create_component(
        &self,
        workspace: &str,
        name: String,
    ) -> impl Future<Output = Result<String, ArdoqError>> + Send {
        retry(false, move || self.0.create_component(workspace, name.clone()))
    }
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
                Err(ArdoqError::from(StatusCode::NOT_FOUND))
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
    let client = Retrying(Fake);
    let ws = client.workspace("ws-1").await?;
    let components = client.components(&ws).await?;
    let created = client.create_component(&ws, "Payments".to_owned()).await?;
    Ok(components.len() + created.len())
}
