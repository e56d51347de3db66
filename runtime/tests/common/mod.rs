//! What the runtime's behaviour tests share beyond `errspec-test-support` (the recording
//! sleeper, `block_on`): a hand-written error type.

#![allow(dead_code)] // each test file uses a different part

use std::fmt;
use std::time::Duration;

use errspec::http::{HeaderMap, StatusCode};
use errspec::{RetryConfig, RetryPolicy, StatusError, WaitField};

/// An error as a generated enum would give it, with every engine input settable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestError {
    pub status: u16,
    pub policy: RetryPolicy,
    pub retry_after: Option<Duration>,
    /// Which attempt made it, so a test can tell the final error apart.
    pub id: u32,
    /// The body bytes `from_parts` was given, kept whole so tests can see what was read.
    pub body: Option<Vec<u8>>,
}

impl TestError {
    pub fn new(status: u16, policy: RetryPolicy) -> Self {
        Self {
            status,
            policy,
            retry_after: None,
            id: 0,
            body: None,
        }
    }

    pub fn wait(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    pub fn id(mut self, id: u32) -> Self {
        self.id = id;
        self
    }
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {} (attempt {})", self.status, self.id)
    }
}

impl std::error::Error for TestError {}

/// What `TestError::retry_config` gives; distinctive, so tests can tell it from the default.
pub const TEST_MAX_ATTEMPTS: u32 = 7;

impl StatusError for TestError {
    fn status(&self) -> Option<StatusCode> {
        StatusCode::from_u16(self.status).ok()
    }

    fn policy(&self) -> RetryPolicy {
        self.policy
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn hint(&self) -> Option<&'static str> {
        None
    }

    fn retry_config() -> RetryConfig {
        RetryConfig::new().with_max_attempts(TEST_MAX_ATTEMPTS)
    }

    fn from_parts(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self {
        let policy = match status.as_u16() {
            429 => RetryPolicy::AfterHeader,
            500..=599 => RetryPolicy::Idempotent,
            _ => RetryPolicy::Never,
        };
        Self {
            status: status.as_u16(),
            policy,
            retry_after: errspec::wait_from_headers(
                headers,
                &[WaitField::RETRY_AFTER],
                std::time::SystemTime::now(),
            ),
            id: 0,
            body: body.map(<[u8]>::to_vec),
        }
    }
}
