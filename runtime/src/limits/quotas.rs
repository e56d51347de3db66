//! Several quotas in one scope: which of them a request counts against ([`QuotaSet`]) and what
//! a response stated of each ([`StatedQuotas`]), as they cross the store's seam.

use core::time::Duration;

use crate::RateLimitConfig;

/// The most quotas a scope keeps apart: [`RateLimitConfig::MAX_QUOTAS`].
pub const MAX_QUOTAS: usize = RateLimitConfig::MAX_QUOTAS;

/// A set of quotas of a scope, by their index in
/// [`RateLimitConfig::quota_list`](crate::RateLimitConfig::quota_list): the quotas a request
/// counts against ([`Ask::quotas`](crate::Ask::quotas)), a small bitmask.
///
/// ```
/// use errspec::QuotaSet;
///
/// let reads = QuotaSet::NONE.with(0);
/// assert!(reads.contains(0));
/// assert!(!reads.contains(1));
/// assert!(QuotaSet::ALL.contains(3));
/// assert_eq!(QuotaSet::from_bits(reads.bits()), reads);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuotaSet(u8);

impl QuotaSet {
    /// Every quota: a request whose HTTP method is unknown counts against all of them.
    pub const ALL: Self = Self((1 << MAX_QUOTAS) - 1);
    /// No quota.
    pub const NONE: Self = Self(0);

    /// The set with quota `index` added (an index past [`MAX_QUOTAS`] adds nothing).
    #[must_use]
    pub const fn with(self, index: usize) -> Self {
        if index < MAX_QUOTAS {
            Self(self.0 | (1 << index))
        } else {
            self
        }
    }

    /// Whether quota `index` is in the set.
    pub const fn contains(self, index: usize) -> bool {
        index < MAX_QUOTAS && self.0 & (1 << index) != 0
    }

    /// The set as bits, quota `i` the bit `1 << i`.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set of `bits` (bits past [`MAX_QUOTAS`] ignored).
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits & Self::ALL.0)
    }
}

impl Default for QuotaSet {
    /// [`QuotaSet::ALL`].
    fn default() -> Self {
        Self::ALL
    }
}

/// What a response stated of each quota of its scope, by index (see [`QuotaSet`]): what a
/// [`Report`](crate::Report) carries.
///
/// ```
/// use std::time::Duration;
/// use errspec::{StatedQuota, StatedQuotas};
///
/// let mut stated = StatedQuotas::default();
/// assert!(stated.is_empty());
/// stated.set(1, Some(StatedQuota::new(0, Duration::from_secs(3))));
/// assert_eq!(stated.get(1).map(|q| q.remaining), Some(0));
/// assert_eq!(stated.get(0), None);
/// assert_eq!(stated.iter().count(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatedQuotas([Option<StatedQuota>; MAX_QUOTAS]);

impl StatedQuotas {
    /// No quota stated.
    pub(crate) const EMPTY: Self = Self([None; MAX_QUOTAS]);

    /// What each quota stated, by index.
    pub(crate) fn each(&self) -> &[Option<StatedQuota>; MAX_QUOTAS] {
        &self.0
    }

    /// What quota `index` stated, if anything.
    pub fn get(&self, index: usize) -> Option<StatedQuota> {
        self.0.get(index).copied().flatten()
    }

    /// Sets what quota `index` stated (an index past [`MAX_QUOTAS`] is ignored).
    pub fn set(&mut self, index: usize, quota: Option<StatedQuota>) {
        if let Some(slot) = self.0.get_mut(index) {
            *slot = quota;
        }
    }

    /// Whether no quota was stated.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// Each quota stated, with its index.
    pub fn iter(&self) -> impl Iterator<Item = (usize, StatedQuota)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, q)| q.map(|q| (i, q)))
    }

    /// Keeps what `other` stated of each quota it stated (a later response's word wins).
    pub fn update(&mut self, other: &Self) {
        for (index, quota) in other.iter() {
            self.0[index] = Some(quota);
        }
    }
}

/// What a response stated of its scope's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatedQuota {
    /// Requests left before the reset (the tightest of every line read).
    pub remaining: u64,
    /// When the count resets, from the moment of the report.
    pub reset_in: Duration,
    /// The requests a whole period allows, when the response said (IETF `q`, `limit`).
    pub limit: Option<u64>,
}

impl StatedQuota {
    /// `remaining` left, resetting in `reset_in`.
    pub fn new(remaining: u64, reset_in: Duration) -> Self {
        Self {
            remaining,
            reset_in,
            limit: None,
        }
    }
}
