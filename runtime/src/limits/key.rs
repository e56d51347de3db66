//! Which calls share a rate-limit state: the scope of `[rate_limit]`, as a key.
//!
//! A bucket's name comes from the server, so it is kept in a fixed size, never allocated: a
//! name of at most [`MAX_BUCKET_NAME`] bytes is its own key, byte for byte (invalid UTF-8
//! included); a longer one is keyed by a 128-bit hash of all its bytes. Two names share a key
//! only if they are equal or their hashes collide.
//!
//! A `#[errspec(scope)]` argument's value comes from the caller and may be anything (a user's
//! address, say), so it is always kept as a 128-bit hash of its text ([`ScopeValue`]), computed
//! as the text is written, without a copy of it.

use core::fmt;

/// Longest bucket name kept as it is; a longer one is hashed.
pub const MAX_BUCKET_NAME: usize = 64;

/// A bucket's name as a key: its bytes, or a hash of them for a long name. `Copy`, and never
/// allocated.
#[derive(Clone, Copy, Eq)]
pub struct BucketName {
    /// How many bytes of `bytes` are the name; `HASHED` for a hash of a longer name.
    len: u8,
    /// The name's bytes (or its hash's), zeros after them.
    bytes: [u8; MAX_BUCKET_NAME],
    /// A hash of `len` and the words of `bytes` in use, for tables in the process: a scope's
    /// key is hashed several times a call, the name once.
    hash: u64,
}

const HASHED: u8 = u8::MAX;

impl BucketName {
    /// The key of the bucket named `value` (a header's bytes).
    pub fn new(value: &[u8]) -> Self {
        let mut bytes = [0; MAX_BUCKET_NAME];
        let len = match bytes.get_mut(..value.len()) {
            Some(slot) => {
                slot.copy_from_slice(value);
                u8::try_from(value.len()).unwrap_or(HASHED)
            }
            None => {
                bytes[..16].copy_from_slice(&fnv1a_128(value).to_be_bytes());
                HASHED
            }
        };
        let mut name = Self {
            len,
            bytes,
            hash: 0,
        };
        name.hash = name
            .words()
            .iter()
            .fold(FNV64_OFFSET ^ u64::from(len), |hash, word| {
                (hash ^ u64::from_ne_bytes(*word)).wrapping_mul(FNV64_PRIME)
            });
        name
    }

    /// The words of `bytes` the name (or its hash) is in, the last one padded with zeros.
    #[inline]
    fn words(&self) -> &[[u8; 8]] {
        let used = match self.len {
            HASHED => 16,
            len => usize::from(len),
        };
        let words = self.bytes.as_chunks::<8>().0;
        words.get(..used.div_ceil(8)).unwrap_or(words)
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

impl BucketName {
    /// Whether this is the key of the bucket named `value`, told without making that key.
    #[inline]
    pub(crate) fn is_named(&self, value: &[u8]) -> bool {
        match self.len {
            HASHED => {
                value.len() > MAX_BUCKET_NAME && self.bytes[..16] == fnv1a_128(value).to_be_bytes()
            }
            len => {
                // word by word, the last one padded with the zeros past the name
                let (words, tail) = value.as_chunks::<8>();
                let mine = self.bytes.as_chunks::<8>().0;
                let last = tail
                    .iter()
                    .rev()
                    .fold(0, |word, byte| (word << 8) | u64::from(*byte));
                usize::from(len) == value.len()
                    && words.iter().zip(mine).all(|(a, b)| a == b)
                    && (tail.is_empty()
                        || mine.get(words.len()).map(|w| u64::from_le_bytes(*w)) == Some(last))
            }
        }
    }
}

/// The bucket an attempt's responses named, told apart from the one its call was in without
/// a copy of the name when they name that one again (the common answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Named {
    /// The bucket the latest response naming one named; until one did, the call's.
    bucket: Option<BucketName>,
    /// Whether a response named `bucket`.
    told: bool,
    /// Whether the bucket named is the call's: it named the bucket `bucket` held before.
    own: bool,
}

impl Named {
    /// No bucket named, by a call in none.
    pub(crate) const NONE: Self = Self::by_call_in(None);

    /// No bucket named yet, by a call in `bucket`.
    pub(crate) const fn by_call_in(bucket: Option<BucketName>) -> Self {
        Self {
            bucket,
            told: false,
            own: false,
        }
    }

    /// A response named the bucket `value` (a header's bytes): a later response's word wins.
    #[inline]
    pub(crate) fn name(&mut self, value: &[u8]) {
        if self
            .bucket
            .as_ref()
            .is_some_and(|bucket| bucket.is_named(value))
        {
            // the call's own, unless another was named before
            self.own |= !self.told;
        } else {
            self.bucket = Some(BucketName::new(value));
            self.own = false;
        }
        self.told = true;
    }

    /// The bucket named, if a response named one.
    #[inline]
    pub(crate) fn named(&self) -> Option<&BucketName> {
        self.bucket.as_ref().filter(|_| self.told)
    }

    /// Whether a response named a bucket other than the call's (or named one, to a call in
    /// none).
    #[inline]
    pub(crate) fn other(&self) -> bool {
        self.told && !self.own
    }
}

impl PartialEq for BucketName {
    /// The same name (or hash): the hashes first, then the words the name is in (the bytes
    /// past it are zeros in both).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        if self.hash != other.hash || self.len != other.len {
            return false;
        }
        let theirs = other.words();
        for (at, word) in self.words().iter().enumerate() {
            if theirs.get(at).map(|w| u64::from_ne_bytes(*w)) != Some(u64::from_ne_bytes(*word)) {
                return false;
            }
        }
        true
    }
}

impl core::hash::Hash for BucketName {
    /// The name's hash, computed once when the name was read.
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

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
    fnv1a_128_more(FNV_OFFSET, bytes)
}

const FNV_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;

/// FNV-1a of what `hash` covers followed by `bytes`.
fn fnv1a_128_more(hash: u128, bytes: &[u8]) -> u128 {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes
        .iter()
        .fold(hash, |hash, b| (hash ^ u128::from(*b)).wrapping_mul(PRIME))
}

/// The value of a client method's `#[errspec(scope)]` argument as a key: a 128-bit FNV-1a hash
/// of its text (the `&str` of an `AsRef<str>` argument, else what its `Display` writes). The
/// text itself is never kept, so a store's keys never hold an argument; two values share a key
/// only if their texts are equal or their hashes collide, however long they are. `Copy`, and
/// never allocated.
///
/// ```
/// use errspec::ScopeValue;
///
/// assert_eq!(ScopeValue::new("C024BE91L"), ScopeValue::of_display(&"C024BE91L"));
/// assert_eq!(ScopeValue::of_display(&42_u64), ScopeValue::new("42"));
/// let long = "c".repeat(200);
/// assert_ne!(ScopeValue::new(&long), ScopeValue::new(&format!("{long}x")));
/// assert_eq!(ScopeValue::new("").as_bytes().len(), 16);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeValue([u8; 16]);

impl ScopeValue {
    /// The key of the value whose text is `text`.
    pub fn new(text: &str) -> Self {
        Self(fnv1a_128(text.as_bytes()).to_be_bytes())
    }

    /// The key of the value whose text is what `value`'s `Display` writes, hashed as it is
    /// written (nothing is allocated). A `Display` that fails keys what it wrote before.
    pub fn of_display(value: &(impl fmt::Display + ?Sized)) -> Self {
        /// Hashes what is written to it.
        struct Hasher(u128);
        impl fmt::Write for Hasher {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = fnv1a_128_more(self.0, s.as_bytes());
                Ok(())
            }
        }
        let mut hasher = Hasher(FNV_OFFSET);
        let _ = fmt::write(&mut hasher, format_args!("{value}"));
        Self(hasher.0.to_be_bytes())
    }

    /// The hash's 16 bytes, big-endian (a store's key shows them in hex).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for ScopeValue {
    /// `#` and the hash in hex, as a key shows it: never the argument.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
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
    /// The calls of one client method with one value of its `#[errspec(scope)]` argument
    /// (`scope = "client"` or `"method"`, and `scope = "bucket"` before a response named the
    /// method's bucket).
    MethodArgument(&'static str, ScopeValue),
    /// The calls whose responses named this bucket, with one value of their method's
    /// `#[errspec(scope)]` argument (`scope = "bucket"`).
    BucketArgument(BucketName, ScopeValue),
}

impl ScopeKey {
    /// The scope of a call of `method` whose `#[errspec(scope)]` argument is `value`, for a
    /// call that would be in `self` without it: the argument's value divides the method's calls,
    /// or its bucket's.
    ///
    /// The spec's `scope = "client"` and `"method"` both give [`MethodArgument`](Self::MethodArgument)
    /// (a per-value limit is a limit of the method), and `scope = "bucket"` gives
    /// [`BucketArgument`](Self::BucketArgument) once a response named the bucket: the bucket's
    /// quota counted per value, as Discord counts a route's bucket per channel.
    ///
    /// ```
    /// use errspec::{BucketName, ScopeKey, ScopeValue};
    ///
    /// let channel = ScopeValue::new("C024BE91L");
    /// assert_eq!(
    ///     ScopeKey::Client.with_argument("post_message", channel),
    ///     ScopeKey::MethodArgument("post_message", channel)
    /// );
    /// let core = BucketName::new(b"core");
    /// assert_eq!(
    ///     ScopeKey::Bucket(core).with_argument("post_message", channel),
    ///     ScopeKey::BucketArgument(core, channel)
    /// );
    /// ```
    #[must_use]
    pub fn with_argument(self, method: &'static str, value: ScopeValue) -> Self {
        match self {
            Self::Client | Self::Method(_) | Self::MethodArgument(..) => {
                Self::MethodArgument(method, value)
            }
            Self::Bucket(bucket) | Self::BucketArgument(bucket, _) => {
                Self::BucketArgument(bucket, value)
            }
        }
    }
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

    #[test]
    fn a_table_keyed_by_names_finds_each_name_and_only_it() {
        use std::collections::HashSet;
        let names: Vec<Vec<u8>> = (0..300_u32)
            .map(|i| format!("bucket-{i}").into_bytes())
            .chain([b"".to_vec(), b"\xff".to_vec(), "b".repeat(300).into_bytes()])
            .collect();
        let table: HashSet<BucketName> = names.iter().map(|n| BucketName::new(n)).collect();
        assert_eq!(table.len(), names.len());
        for name in &names {
            assert!(table.contains(&BucketName::new(name)));
        }
        assert!(!table.contains(&BucketName::new(b"bucket-300")));
        assert!(!table.contains(&BucketName::new("b".repeat(299).as_bytes())));
    }

    #[test]
    fn a_name_is_told_from_a_header_as_its_key_would_be() {
        let long = "n".repeat(MAX_BUCKET_NAME + 30);
        let values: Vec<Vec<u8>> = ["", "a", "core", "core ", "abcdefgh", "abcdefghi"]
            .iter()
            .map(|v| v.as_bytes().to_vec())
            .chain([
                b"\xff\x00".to_vec(),
                "c".repeat(MAX_BUCKET_NAME).into_bytes(),
            ])
            .chain([long.clone().into_bytes(), format!("{long}x").into_bytes()])
            .collect();
        for name in &values {
            let key = BucketName::new(name);
            for value in &values {
                assert_eq!(
                    key.is_named(value),
                    key == BucketName::new(value),
                    "{name:?} {value:?}"
                );
            }
        }
        // a hashed name is not the 16 bytes of its hash
        let hashed = BucketName::new(long.as_bytes());
        assert!(!hashed.is_named(hashed.as_bytes()));
    }

    #[test]
    fn a_response_naming_the_calls_bucket_again_is_its_own() {
        let (core, search) = (BucketName::new(b"core"), BucketName::new(b"search"));
        let mut named = Named::by_call_in(Some(core));
        assert_eq!((named.named(), named.other()), (None, false));
        named.name(b"core");
        assert_eq!((named.named(), named.other()), (Some(&core), false));
        named.name(b"search");
        assert_eq!((named.named(), named.other()), (Some(&search), true));
        // the call's again, after another: not told apart without a copy, so another
        named.name(b"core");
        assert_eq!((named.named(), named.other()), (Some(&core), true));
        // a call in no bucket: any bucket named is another
        let mut none = Named::NONE;
        none.name(b"core");
        assert_eq!((none.named(), none.other()), (Some(&core), true));
    }

    /// A `Display` that writes its text in pieces.
    struct Pieces;
    impl fmt::Display for Pieces {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("C0")?;
            write!(f, "{}", 24)?;
            f.write_str("BE")
        }
    }

    #[test]
    fn values_differ_whatever_their_length_and_agree_across_traits() {
        let long = |tail: &str| format!("{}{tail}", "v".repeat(200));
        assert_ne!(
            ScopeValue::new(&long("a")),
            ScopeValue::new(&long("b")),
            "a difference past 64 bytes keeps values apart"
        );
        assert_eq!(
            ScopeValue::new(&long("a")),
            ScopeValue::of_display(&long("a"))
        );
        assert_ne!(ScopeValue::new("C1"), ScopeValue::new("C2"));
        assert_ne!(ScopeValue::new(""), ScopeValue::new(" "));
        // a `Display` that writes in pieces keys its whole text
        assert_eq!(ScopeValue::of_display(&Pieces), ScopeValue::new("C024BE"));
        assert_eq!(
            ScopeValue::new("a"),
            ScopeValue(fnv1a_128(b"a").to_be_bytes())
        );
        assert!(format!("{:?}", ScopeValue::new("secret")).starts_with('#'));
        assert!(!format!("{:?}", ScopeValue::new("secret")).contains("secret"));
    }
}
