//! Which calls share a rate-limit state: the scope of `[rate_limit]`, as a key.
//!
//! A bucket's name comes from the server, so it is kept in a fixed size, never allocated: a
//! name of at most [`MAX_BUCKET_NAME`] bytes is its own key, byte for byte (invalid UTF-8
//! included); a longer one is keyed by a 128-bit hash of all its bytes. Two names share a key
//! only if they are equal or their hashes collide.

use core::fmt;

/// Longest bucket name kept as it is; a longer one is hashed.
pub const MAX_BUCKET_NAME: usize = 64;

/// A bucket's name as a key: its bytes, or a hash of them for a long name. `Copy`, and never
/// allocated.
#[derive(Clone, Copy, Eq)]
pub struct BucketName {
    /// How many bytes of `bytes` are the name; `HASHED` for a hash of a longer name.
    len: u8,
    bytes: [u8; MAX_BUCKET_NAME],
}

const HASHED: u8 = u8::MAX;

impl BucketName {
    /// The key of the bucket named `value` (a header's bytes).
    pub fn new(value: &[u8]) -> Self {
        let mut bytes = [0; MAX_BUCKET_NAME];
        if let Some(slot) = bytes.get_mut(..value.len()) {
            slot.copy_from_slice(value);
            let len = u8::try_from(value.len()).unwrap_or(HASHED);
            return Self { len, bytes };
        }
        bytes[..16].copy_from_slice(&fnv1a_128(value).to_be_bytes());
        Self { len: HASHED, bytes }
    }

    /// The name's bytes, or the 16 bytes of its hash when [`is_hashed`](Self::is_hashed).
    pub fn as_bytes(&self) -> &[u8] {
        match self.len {
            HASHED => &self.bytes[..16],
            len => &self.bytes[..usize::from(len)],
        }
    }

    /// Whether the name was longer than [`MAX_BUCKET_NAME`] and is kept as a hash.
    pub fn is_hashed(&self) -> bool {
        self.len == HASHED
    }
}

impl PartialEq for BucketName {
    /// The same name (or hash): the bytes in use only, since the rest are zeros.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.as_bytes() == other.as_bytes()
    }
}

impl core::hash::Hash for BucketName {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u8(self.len);
        state.write(self.as_bytes());
    }
}

impl fmt::Debug for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_hashed() {
            f.write_str("#")?;
            for b in self.as_bytes() {
                write!(f, "{b:02x}")?;
            }
            Ok(())
        } else {
            write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
        }
    }
}

/// FNV-1a over 128 bits: a hash that is the same in every process and every build, so that
/// processes sharing a store agree on a long name's key.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |hash, b| {
        (hash ^ u128::from(*b)).wrapping_mul(PRIME)
    })
}

/// The scope a call is in: which calls share a hold, a stated quota and a learned quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScopeKey {
    /// Every call of the client (`scope = "client"`).
    Client,
    /// The calls of one client method (`scope = "method"`, and `scope = "bucket"` before a
    /// response named the method's bucket).
    Method(&'static str),
    /// The calls whose responses named this bucket (`scope = "bucket"`).
    Bucket(BucketName),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differ_whatever_their_length_or_bytes() {
        let long = |tail: &str| format!("{}{tail}", "b".repeat(200));
        assert_ne!(
            BucketName::new(long("x").as_bytes()),
            BucketName::new(long("y").as_bytes())
        );
        assert_eq!(
            BucketName::new(long("x").as_bytes()),
            BucketName::new(long("x").as_bytes())
        );
        assert_ne!(BucketName::new(b"a\xff"), BucketName::new(b"a\xfe"));
        assert_ne!(BucketName::new(b"core"), BucketName::new(b"core "));
        let exact = "c".repeat(MAX_BUCKET_NAME);
        assert!(!BucketName::new(exact.as_bytes()).is_hashed());
        let over = "c".repeat(MAX_BUCKET_NAME + 1);
        assert!(BucketName::new(over.as_bytes()).is_hashed());
        assert_ne!(
            BucketName::new(exact.as_bytes()),
            BucketName::new(over.as_bytes())
        );
        assert_eq!(BucketName::new(b"search").as_bytes(), b"search");
    }
}
