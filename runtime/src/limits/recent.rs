//! What a thread found in a shared table lately, so that finding it again takes no lock.
//!
//! The scope table of a [`LocalStore`](super::LocalStore) and a retrier's method-to-bucket
//! links are read by every call of a `scope = "bucket"` client and changed rarely (when a
//! bucket is first seen, or a method is linked to another). Each read under the table's
//! `RwLock` costs two atomic read-modify-writes on a line every thread shares, and a hash. A
//! thread remembers the last few entries it read, with the table's version at the time: while
//! the version is unchanged (one atomic load), what it remembers is what the table holds, and
//! the lookup is a comparison of keys.
//!
//! A table bumps its version, under its write lock, whenever an entry is added, changed or
//! removed. A thread that read the version just before a change uses what it remembered once
//! more, as a reader that took the lock just before the change would have.

use core::sync::atomic::{AtomicU64, Ordering};

/// How many entries a thread remembers of all tables of one kind: a client's few buckets.
const WAYS: usize = 4;

/// A table's identity and version.
#[derive(Debug)]
pub(crate) struct Version {
    /// This table among all tables of the process (never reused).
    table: u64,
    version: AtomicU64,
}

impl Default for Version {
    fn default() -> Self {
        static TABLES: AtomicU64 = AtomicU64::new(0);
        Self {
            table: TABLES.fetch_add(1, Ordering::Relaxed),
            version: AtomicU64::new(0),
        }
    }
}

impl Version {
    /// The table's version now.
    #[inline]
    pub(crate) fn now(&self) -> Stamp {
        Stamp {
            table: self.table,
            version: self.version.load(Ordering::Acquire),
        }
    }

    /// The table changed (called under its write lock).
    pub(crate) fn bump(&self) {
        self.version.fetch_add(1, Ordering::Release);
    }
}

/// A table and its version, as a thread read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    table: u64,
    version: u64,
}

/// The entries a thread read lately, each with the stamp of the table it read it from.
pub(crate) struct Recent<K, V> {
    entries: [Option<(Stamp, K, V)>; WAYS],
    /// The entry the next new one replaces.
    next: usize,
}

impl<K: Eq, V> Recent<K, V> {
    /// Nothing remembered.
    pub(crate) const fn new() -> Self {
        Self {
            entries: [const { None }; WAYS],
            next: 0,
        }
    }

    /// What was read of `key` in the table of `stamp`, if read at that version.
    #[inline]
    pub(crate) fn find(&self, stamp: Stamp, key: &K) -> Option<&V> {
        self.entries
            .iter()
            .flatten()
            .find_map(|(seen, k, value)| (*seen == stamp && k == key).then_some(value))
    }

    /// Remembers that `key` was `value` in the table of `stamp`: in place of what was
    /// remembered of it, else of the oldest entry.
    pub(crate) fn remember(&mut self, stamp: Stamp, key: K, value: V) {
        let same = self.entries.iter().position(|entry| {
            entry
                .as_ref()
                .is_some_and(|(seen, k, _)| seen.table == stamp.table && *k == key)
        });
        let index = same.unwrap_or_else(|| {
            let index = self.next;
            self.next = (self.next + 1) % WAYS;
            index
        });
        if let Some(entry) = self.entries.get_mut(index) {
            *entry = Some((stamp, key, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_found_only_at_the_version_it_was_read_at() {
        let (a, b) = (Version::default(), Version::default());
        let mut recent = Recent::new();
        recent.remember(a.now(), "k", 1);
        assert_eq!(recent.find(a.now(), &"k"), Some(&1));
        assert_eq!(recent.find(b.now(), &"k"), None, "another table");
        assert_eq!(recent.find(a.now(), &"j"), None, "another key");
        a.bump();
        assert_eq!(recent.find(a.now(), &"k"), None, "the table changed since");
        recent.remember(a.now(), "k", 2);
        assert_eq!(recent.find(a.now(), &"k"), Some(&2));
    }

    #[test]
    fn the_oldest_entry_is_forgotten_first() {
        let table = Version::default();
        let mut recent = Recent::new();
        for key in 0..WAYS {
            recent.remember(table.now(), key, key);
        }
        // read again: replaced in place, not remembered twice
        recent.remember(table.now(), 0, 10);
        assert_eq!(recent.find(table.now(), &0), Some(&10));
        assert_eq!(recent.find(table.now(), &1), Some(&1));
        recent.remember(table.now(), WAYS, WAYS);
        assert_eq!(recent.find(table.now(), &0), None);
        for key in 1..=WAYS {
            assert!(recent.find(table.now(), &key).is_some(), "{key}");
        }
    }
}
