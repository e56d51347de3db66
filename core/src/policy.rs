//! Retry policies, request idempotency, jitter kinds and transport failures.

/// Calls `$then!` with the request methods RFC 9110 (section 9.2.2) calls idempotent, the one
/// list of them: [`IDEMPOTENT_METHODS`] and every text that names them come from it.
macro_rules! idempotent_methods {
    ($then:ident) => {
        $then!("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")
    };
}

macro_rules! listed {
    ($($method:literal),+) => {
        &[$($method),+]
    };
}

macro_rules! joined {
    ($first:literal $(, $method:literal)*) => {
        concat!($first $(, ", ", $method)*)
    };
}

/// The request methods RFC 9110 (section 9.2.2) calls idempotent: sending one twice has the
/// effect of sending it once.
///
/// ```
/// assert_eq!(errspec_core::IDEMPOTENT_METHODS, ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/// ```
pub const IDEMPOTENT_METHODS: &[&str] = idempotent_methods!(listed);

spelled! {
    /// How a status is retried, as the spec's `retry` key says.
    ///
    /// ```
    /// use errspec_core::{Idempotency, RetryPolicy};
    ///
    /// assert!(RetryPolicy::Idempotent.allows(Idempotency::Idempotent));
    /// assert!(!RetryPolicy::Idempotent.allows(Idempotency::NonIdempotent));
    /// assert!(RetryPolicy::AfterHeader.allows(Idempotency::NonIdempotent));
    /// assert_eq!(RetryPolicy::AfterHeader.as_str(), "after-header");
    /// ```
    pub enum RetryPolicy {
        /// Never retried (`never`).
        Never = "never",
        /// Backed off and retried whatever the request method (`always`).
        Always = "always",
        /// Backed off and retried only for idempotent requests (`idempotent`).
        Idempotent = "idempotent",
        /// Retried for any request after the wait the response's wait header asks for, or
        /// after backoff when no valid header came (`after-header`).
        AfterHeader = "after-header",
    }
}

impl RetryPolicy {
    /// Whether this policy retries a request of the given idempotency ([`Idempotency`], or
    /// `true` for an idempotent request).
    pub fn allows(self, idempotency: impl Into<Idempotency>) -> bool {
        match self {
            Self::Never => false,
            Self::Always | Self::AfterHeader => true,
            Self::Idempotent => idempotency.into().is_idempotent(),
        }
    }

    /// What the policy does and why, in words (used in generated rustdoc and by the
    /// `errspec` command).
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Never => "not retried: the error is returned at once, whatever the request",
            Self::Always => "backed off and retried whatever the request method",
            Self::Idempotent => concat!(
                "backed off and retried for idempotent requests only (",
                idempotent_methods!(joined),
                ", or methods marked `#[errspec(idempotent)]`): the server may have acted on the \
                 request before failing, so other requests are not repeated"
            ),
            Self::AfterHeader => {
                "retried for any request after the wait the response's wait header asks for \
                 (the server said when to come back), or after backoff when no valid header \
                 came"
            }
        }
    }
}

/// Whether a request may safely be sent again: RFC 9110 section 9.2.2. The methods of
/// [`IDEMPOTENT_METHODS`] are idempotent; so is any request the caller knows to be (a POST with
/// an idempotency key, say).
///
/// Everything in errspec that asks takes `impl Into<Idempotency>`, so `true` (idempotent) and
/// `false` work too; spelling it out reads better at the call site.
///
/// ```
/// use errspec_core::Idempotency;
///
/// assert_eq!(Idempotency::from(true), Idempotency::Idempotent);
/// assert!(!Idempotency::NonIdempotent.is_idempotent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// The request may be repeated: sending it twice has the effect of sending it once.
    Idempotent,
    /// Repeating the request could repeat its effect (a POST creating something, say).
    NonIdempotent,
}

impl Idempotency {
    /// A request's idempotency by its method alone, as RFC 9110 has it: `Idempotent` for the
    /// [`IDEMPOTENT_METHODS`] (exact, upper case), else `NonIdempotent`.
    ///
    /// ```
    /// use errspec_core::Idempotency;
    ///
    /// assert_eq!(Idempotency::of_method("PUT"), Idempotency::Idempotent);
    /// assert_eq!(Idempotency::of_method("POST"), Idempotency::NonIdempotent);
    /// ```
    pub fn of_method(method: &str) -> Idempotency {
        IDEMPOTENT_METHODS.contains(&method).into()
    }

    /// `true` for [`Idempotent`](Self::Idempotent).
    pub const fn is_idempotent(self) -> bool {
        matches!(self, Self::Idempotent)
    }
}

impl From<bool> for Idempotency {
    /// `true` is [`Idempotent`](Self::Idempotent), `false` [`NonIdempotent`](Self::NonIdempotent).
    fn from(idempotent: bool) -> Self {
        if idempotent {
            Self::Idempotent
        } else {
            Self::NonIdempotent
        }
    }
}

spelled! {
    /// How randomness spreads a backoff delay (the names of AWS's "Exponential Backoff and
    /// Jitter").
    pub enum Jitter {
        /// The computed delay exactly.
        None = "none",
        /// Uniform in `[0, delay]`.
        Full = "full",
        /// Uniform in `[delay / 2, delay]`.
        Equal = "equal",
        /// Uniform in `[initial_backoff, previous * 3]`, capped at `max_backoff`.
        Decorrelated = "decorrelated",
    }
}

impl Jitter {
    /// How this jitter spreads a backoff `d`, in words.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::None => "no jitter: each wait exactly that",
            Self::Full => "full jitter: each wait random between zero and that",
            Self::Equal => "equal jitter: each wait random between half of that and all of it",
            Self::Decorrelated => {
                "decorrelated jitter: each wait random between `initial_backoff` and three \
                 times the previous wait, at most `max_backoff`"
            }
        }
    }
}

spelled! {
    /// Why a request got no response: what a transport error says, for the `[transport]`
    /// section's policies. Each kind's spelling is its key in `[transport]`.
    ///
    /// ```
    /// use errspec_core::{RetryPolicy, TransportKind};
    ///
    /// assert_eq!(TransportKind::Connect.default_policy(), RetryPolicy::Always);
    /// assert_eq!(TransportKind::Timeout.default_policy(), RetryPolicy::Idempotent);
    /// assert_eq!(TransportKind::from_spelling("other"), Some(TransportKind::Other));
    /// ```
    pub enum TransportKind {
        /// The connection failed before anything was sent (`connect`): always safe to retry.
        Connect = "connect",
        /// The request was sent but no response came in time (`timeout`): the server may have
        /// acted on it.
        Timeout = "timeout",
        /// Any other failure (`other`).
        Other = "other",
    }
}

impl TransportKind {
    /// The policy a `[transport]` section gives this kind unless it says otherwise.
    pub const fn default_policy(self) -> RetryPolicy {
        TransportPolicies::DEFAULT.get(self)
    }

    /// When this kind happens, for "`always` after a connection failure" in words.
    pub const fn when(self) -> &'static str {
        match self {
            Self::Connect => "after a connection failure",
            Self::Timeout => "after a timeout",
            Self::Other => "otherwise",
        }
    }
}

/// The retry policy of each [`TransportKind`]: a `[transport]` section's `connect`,
/// `timeout` and `other`, one field a kind.
///
/// ```
/// use errspec_core::{RetryPolicy, TransportKind, TransportPolicies};
///
/// let policies = TransportPolicies { other: RetryPolicy::Idempotent, ..TransportPolicies::DEFAULT };
/// assert_eq!(policies.get(TransportKind::Other), RetryPolicy::Idempotent);
/// assert_eq!(policies.get(TransportKind::Connect), RetryPolicy::Always);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportPolicies {
    /// After a connection failure (default `always`: nothing was sent).
    pub connect: RetryPolicy,
    /// After a timeout (default `idempotent`).
    pub timeout: RetryPolicy,
    /// After any other transport failure (default `never`).
    pub other: RetryPolicy,
}

impl TransportPolicies {
    /// What a `[transport]` section says when it names no policy.
    pub const DEFAULT: Self = Self {
        connect: RetryPolicy::Always,
        timeout: RetryPolicy::Idempotent,
        other: RetryPolicy::Never,
    };

    /// The policy for `kind`.
    pub const fn get(&self, kind: TransportKind) -> RetryPolicy {
        match kind {
            TransportKind::Connect => self.connect,
            TransportKind::Timeout => self.timeout,
            TransportKind::Other => self.other,
        }
    }
}

impl Default for TransportPolicies {
    fn default() -> Self {
        Self::DEFAULT
    }
}
