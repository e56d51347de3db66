//! Why [`RedisStore::connect`](crate::RedisStore::connect) failed.

use core::fmt;

/// Why [`RedisStore::connect`](crate::RedisStore::connect) failed: a URL it cannot use, or a
/// server that refused the credentials or the store's commands. (A server not reachable yet is not an error: calls go
/// on with the in-process state until it answers.)
///
/// Its message never holds the URL, which may carry a password.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<redis::RedisError>,
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URL does not parse, or names a scheme this build cannot use (`rediss://` without
    /// the `tls` feature, say).
    BadUrl,
    /// The server refused the user name or password (`AUTH`).
    Auth,
    /// The server refused the store's commands (`NOPERM`: an ACL user that may not run
    /// `PING`, `SCRIPT LOAD` or `EVALSHA`).
    Refused,
    /// The store's background thread could not be started.
    Thread,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, source: Option<redis::RedisError>) -> Self {
        Self { kind, source }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            ErrorKind::BadUrl => "errspec-redis: bad Redis URL",
            ErrorKind::Auth => "errspec-redis: Redis refused the user name or password (AUTH)",
            ErrorKind::Refused => {
                "errspec-redis: Redis refused the store's commands (the user needs PING, SCRIPT \
                 LOAD and EVALSHA)"
            }
            ErrorKind::Thread => "errspec-redis: cannot start the store's background thread",
        })?;
        if let Some(source) = &self.source {
            // redis-rs's own message: its kind and detail, never the URL
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
