//! What the server limited, and how the client paces itself, per scope (see `[rate_limit]`):
//! the hold (a server-stated wait), the quota responses state with the requests in flight as
//! reservations of it, and the quota learned from refusals.
//!
//! The state sits behind one seam, [`LimitStore`] (`store.rs`); the in-process store is
//! [`LocalStore`] (`local.rs`). What a call may do and what an answer teaches are plain
//! functions over one scope's state (`state.rs`, with the stated quota's ledger in
//! `ledger.rs` and learned pacing in `learned.rs`), which any store runs under its own lock.
//! `read.rs` reads what a response's headers state; `key.rs` names scopes; `links.rs` keeps
//! the bucket each client method's latest response named, in the process.

mod cell;
mod key;
mod learned;
mod ledger;
mod links;
mod local;
mod mirror;
mod quotas;
mod read;
mod recent;
mod state;
mod store;

pub(crate) use key::Named;
pub use key::{BucketName, MAX_BUCKET_NAME, ScopeKey, ScopeValue};
pub(crate) use links::Links;
pub use local::LocalStore;
pub use quotas::{MAX_QUOTAS, QuotaSet, StatedQuota, StatedQuotas};
#[cfg(test)]
pub(crate) use read::stated_quotas;
pub(crate) use read::{Names, read_response};
pub use store::{Acquire, Ask, Grant, LimitStore, Outcome, Report, Ticket};

/// Most scopes (and method-to-bucket links) kept.
pub(crate) const MAX_SCOPES: usize = 256;

/// Why a call waits before an attempt, beyond the wait its own retry asked for; what
/// [`Retrier::on_pause`](crate::Retrier::on_pause) is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pause {
    /// A wait the server stated on an earlier refusal in the call's scope (its `Retry-After`,
    /// say) has not ended: the hold.
    Hold,
    /// The quota the server states on its responses (`[rate_limit]`'s `remaining`/`reset`, or
    /// the IETF `RateLimit` field) is spent, less the requests in flight, until its reset.
    StatedQuota,
    /// The quota the client learned from the server's refusals is spent for this period.
    LearnedQuota,
}

impl core::fmt::Display for Pause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Pause::Hold => "the server's wait after a refusal has not ended",
            Pause::StatedQuota => "the quota the server states is spent until its reset",
            Pause::LearnedQuota => "the quota learned from refusals is spent for this period",
        })
    }
}

#[cfg(test)]
mod quota_tests;
#[cfg(test)]
mod room_tests;
#[cfg(test)]
mod roomy_tests;
#[cfg(test)]
mod tests;
