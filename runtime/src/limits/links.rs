//! The bucket each client method's latest response named: where a call of the method goes
//! before its own response names one (`scope = "bucket"`).

use core::cell::RefCell;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use foldhash::fast::RandomState;

use super::MAX_SCOPES;
use super::key::{BucketName, ScopeKey};
use super::recent::{Recent, Version};
use crate::{RateLimitConfig, Scope};

/// Method-to-bucket links, bounded (method names are the program's, but a generic method can
/// meet many buckets).
#[derive(Debug, Default)]
pub(crate) struct Links {
    links: RwLock<HashMap<&'static str, BucketName, RandomState>>,
    /// Bumped whenever a link changes: a thread's [`RECENT`] links are the table's while it is
    /// unchanged.
    version: Version,
}

/// A client method's name: the same text, found at once when it is the same literal.
#[derive(Clone, Copy)]
struct Method(&'static str);

impl PartialEq for Method {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}

impl Eq for Method {}

thread_local! {
    /// The links this thread read lately (a method with none included), as the scope a call
    /// of the method starts in: a call of a method finds it again without the table's lock.
    static RECENT: RefCell<Recent<Method, ScopeKey>> = const { RefCell::new(Recent::new()) };
}

impl Links {
    /// The scope a call of `method` starts in under `config`.
    #[inline]
    pub(crate) fn key(&self, config: &RateLimitConfig, method: &'static str) -> ScopeKey {
        match config.scope {
            Scope::Client => ScopeKey::Client,
            Scope::Method => ScopeKey::Method(method),
            _ => self.linked(method),
        }
    }

    /// The scope a call of `method` starts in under `scope = "bucket"`: the bucket it is
    /// linked to, else its own. As this thread last read it, if no link changed since.
    #[inline]
    fn linked(&self, method: &'static str) -> ScopeKey {
        let stamp = self.version.now();
        let recent = RECENT
            .try_with(|recent| {
                let recent = recent.try_borrow().ok()?;
                recent.find(stamp, &Method(method)).copied()
            })
            .ok()
            .flatten();
        if let Some(key) = recent {
            return key;
        }
        let links = self.links.read().unwrap_or_else(PoisonError::into_inner);
        let key = links
            .get(method)
            .map_or(ScopeKey::Method(method), |bucket| ScopeKey::Bucket(*bucket));
        // read under the lock, where no change can come between
        let stamp = self.version.now();
        let _ = RECENT.try_with(|recent| {
            if let Ok(mut recent) = recent.try_borrow_mut() {
                recent.remember(stamp, Method(method), key);
            }
        });
        key
    }

    /// A response to a call of `method` named `bucket`.
    pub(crate) fn link(&self, method: &'static str, bucket: BucketName) {
        let known = self
            .links
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(method)
            .is_some_and(|b| *b == bucket);
        if known {
            return;
        }
        let mut links = self.links.write().unwrap_or_else(PoisonError::into_inner);
        if links.len() >= MAX_SCOPES && !links.contains_key(method) {
            links.clear();
        }
        links.insert(method, bucket);
        self.version.bump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_linked_again_is_found_in_its_new_bucket_and_only_by_its_links() {
        let config = RateLimitConfig::new().with_scope(Scope::Bucket);
        let (links, others) = (Links::default(), Links::default());
        let (core, search) = (BucketName::new(b"core"), BucketName::new(b"search"));
        assert_eq!(links.key(&config, "get"), ScopeKey::Method("get"));
        links.link("get", core);
        // found twice: the second time, where this thread remembered it
        for _ in 0..2 {
            assert_eq!(links.key(&config, "get"), ScopeKey::Bucket(core));
        }
        assert_eq!(others.key(&config, "get"), ScopeKey::Method("get"));
        links.link("get", search);
        assert_eq!(links.key(&config, "get"), ScopeKey::Bucket(search));
        // the same text from another literal is the same method
        let name = String::from("get").leak();
        assert_eq!(links.key(&config, name), ScopeKey::Bucket(search));
        // another thread reads the table
        std::thread::scope(|threads| {
            threads.spawn(|| assert_eq!(links.key(&config, "get"), ScopeKey::Bucket(search)));
        });
    }
}
