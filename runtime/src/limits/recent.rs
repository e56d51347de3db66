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

/// Where a thread remembered an entry: its way and the number it was remembered under (unique
/// in the process, so a mark made on one thread never names an entry of another, nor one made
/// before an entry was replaced the entry that replaced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark(u64);

impl Mark {
    /// A mark no entry has.
    pub(crate) const NONE: Self = Self(u64::MAX >> 1);

    /// The mark as a number below 2^62, which [`from_bits`](Self::from_bits) reads back.
    pub(crate) fn to_bits(self) -> u64 {
        self.0
    }

    /// The mark whose [`to_bits`](Self::to_bits) is `bits`: any other number names no entry.
    pub(crate) fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    fn way(self) -> usize {
        usize::try_from(self.0 % WAYS as u64).unwrap_or(0)
    }
}

/// The numbers entries are remembered under, in every thread: a new one per entry.
static REMEMBERED: AtomicU64 = AtomicU64::new(0);

/// One entry a thread read.
struct Entry<K, V> {
    stamp: Stamp,
    /// Its [`Mark`].
    mark: Mark,
    key: K,
    value: V,
}

/// The entries a thread read lately, each with the stamp of the table it read it from.
pub(crate) struct Recent<K, V> {
    entries: [Option<Entry<K, V>>; WAYS],
    /// The entry the next new one replaces.
    next: usize,
    /// The entry found last, looked at first: a thread's calls mostly find the same one.
    last: core::cell::Cell<usize>,
}

impl<K: Eq, V> Recent<K, V> {
    /// Nothing remembered.
    pub(crate) const fn new() -> Self {
        Self {
            entries: [const { None }; WAYS],
            next: 0,
            last: core::cell::Cell::new(0),
        }
    }

    /// What was read of `key` in the table of `stamp`, if read at that version.
    #[inline]
    pub(crate) fn find(&self, stamp: Stamp, key: &K) -> Option<&V> {
        self.find_marked(stamp, key).map(|(value, _)| value)
    }

    /// [`find`](Self::find), with where the entry is: [`at`](Self::at) finds it again without
    /// comparing keys.
    #[inline]
    pub(crate) fn find_marked(&self, stamp: Stamp, key: &K) -> Option<(&V, Mark)> {
        fn is<'e, K: Eq, V>(
            entry: Option<&'e Entry<K, V>>,
            stamp: Stamp,
            key: &K,
        ) -> Option<(&'e V, Mark)> {
            entry
                .filter(|entry| entry.stamp == stamp && entry.key == *key)
                .map(|entry| (&entry.value, entry.mark))
        }
        if let Some(found) = self
            .entries
            .get(self.last.get())
            .and_then(|entry| is(entry.as_ref(), stamp, key))
        {
            return Some(found);
        }
        let (way, found) = self
            .entries
            .iter()
            .enumerate()
            .find_map(|(way, entry)| Some((way, is(entry.as_ref(), stamp, key)?)))?;
        self.last.set(way);
        Some(found)
    }

    /// The entry `mark` names, if this thread still remembers it and the table of `stamp` is at
    /// the version it was read at: what [`find_marked`](Self::find_marked) gave for its key.
    #[inline]
    pub(crate) fn at(&self, stamp: Stamp, mark: Mark) -> Option<&V> {
        let entry = self.entries.get(mark.way())?.as_ref()?;
        (entry.mark == mark && entry.stamp == stamp).then_some(&entry.value)
    }

    /// Remembers that `key` was `value` in the table of `stamp`: in place of what was
    /// remembered of it, else of the oldest entry.
    pub(crate) fn remember(&mut self, stamp: Stamp, key: K, value: V) -> Mark {
        let same = self.entries.iter().position(|entry| {
            entry
                .as_ref()
                .is_some_and(|entry| entry.stamp.table == stamp.table && entry.key == key)
        });
        let index = same.unwrap_or_else(|| {
            let index = self.next;
            self.next = (self.next + 1) % WAYS;
            index
        });
        // below `Mark::NONE` for as many entries as a process can remember
        let number = REMEMBERED.fetch_add(1, Ordering::Relaxed) & (u64::MAX >> 4);
        let mark = Mark(number * WAYS as u64 + index as u64);
        if let Some(entry) = self.entries.get_mut(index) {
            *entry = Some(Entry {
                stamp,
                mark,
                key,
                value,
            });
        }
        mark
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
    fn a_mark_finds_its_entry_only_while_it_is_remembered_unchanged() {
        let table = Version::default();
        let mut recent = Recent::new();
        let mark = recent.remember(table.now(), 0, 0);
        assert_eq!(recent.find_marked(table.now(), &0), Some((&0, mark)));
        assert_eq!(recent.at(table.now(), mark), Some(&0));
        assert_eq!(recent.at(table.now(), Mark::NONE), None);
        // remembered again (read again at the same version): another mark
        let again = recent.remember(table.now(), 0, 1);
        assert_eq!(recent.at(table.now(), mark), None);
        assert_eq!(recent.at(table.now(), again), Some(&1));
        // its way taken by other keys at the same version
        for key in 1..=WAYS {
            recent.remember(table.now(), key, key);
        }
        assert_eq!(recent.find(table.now(), &0), None);
        assert_eq!(
            recent.at(table.now(), again),
            None,
            "the way holds another key"
        );
        // the table changed since
        let fresh = recent.remember(table.now(), 9, 9);
        table.bump();
        assert_eq!(recent.at(table.now(), fresh), None);
        // a mark of another thread's entry names none of this one's
        let theirs = std::thread::scope(|threads| {
            threads
                .spawn(|| Recent::new().remember(table.now(), 9, 9))
                .join()
                .unwrap()
        });
        recent.remember(table.now(), 9, 9);
        assert_eq!(recent.at(table.now(), theirs), None);
        assert_eq!(Mark::from_bits(theirs.to_bits()), theirs);
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
