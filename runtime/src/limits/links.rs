//! The bucket each client method's latest response named: where a call of the method goes
//! before its own response names one (`scope = "bucket"`).

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use foldhash::fast::RandomState;

use super::MAX_SCOPES;
use super::key::{BucketName, ScopeKey};
use crate::{RateLimitConfig, Scope};

/// Method-to-bucket links, bounded (method names are the program's, but a generic method can
/// meet many buckets).
#[derive(Debug, Default)]
pub(crate) struct Links(RwLock<HashMap<&'static str, BucketName, RandomState>>);

impl Links {
    /// The scope a call of `method` starts in under `config`.
    #[inline]
    pub(crate) fn key(&self, config: &RateLimitConfig, method: &'static str) -> ScopeKey {
        match config.scope {
            Scope::Client => ScopeKey::Client,
            Scope::Method => ScopeKey::Method(method),
            _ => self
                .0
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(method)
                .map_or(ScopeKey::Method(method), |b| ScopeKey::Bucket(*b)),
        }
    }

    /// A response to a call of `method` named `bucket`.
    pub(crate) fn link(&self, method: &'static str, bucket: BucketName) {
        let known = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(method)
            .is_some_and(|b| *b == bucket);
        if known {
            return;
        }
        let mut links = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if links.len() >= MAX_SCOPES && !links.contains_key(method) {
            links.clear();
        }
        links.insert(method, bucket);
    }
}
