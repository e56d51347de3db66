//! The trait's and the methods' generics, lifetimes and where clauses, associated types and
//! consts, default methods, supertraits, `impl Trait` arguments, `self` by value and methods
//! without a receiver all carry over to `impl Trait for Retrying<C>`.

use std::fmt::Display;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use errspec::http::StatusCode;
use errspec::{Retrier, Retrying};

#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

/// A supertrait the user implements for `Retrying<C>`.
trait Named {
    fn name(&self) -> String;
}

impl<C: Named> Named for Retrying<C> {
    fn name(&self) -> String {
        format!("retrying {}", self.inner().name())
    }
}

/// A marker only a type argument names.
trait Tag {
    const TAG: u32;
}

struct Ten;

impl Tag for Ten {
    const TAG: u32 = 10;
}

#[errspec::client(error = ShopError)]
trait Store<'k, K: Clone + Send + Sync + 'k>: Named + Send + Sync
where
    K: Display,
{
    /// The stored values.
    type Value: FromStr + Clone;

    /// How many keys fit.
    const LIMIT: usize;

    /// With a default.
    const VERSION: u32 = 1;

    /// A generic method with a where clause, its type parameter inferred from the return type.
    #[errspec(idempotent)]
    fn get<T>(&self, key: K) -> Result<T, ShopError>
    where
        T: FromStr;

    /// A lifetime tying the result to an argument.
    #[errspec(idempotent)]
    fn first<'a>(&self, keys: &'a [K], _: &str) -> Result<&'a K, ShopError>;

    /// An `impl Trait` argument and a type parameter only the caller names.
    fn put<T: Tag>(&self, key: &'k K, value: impl Into<String> + Clone) -> Result<u32, ShopError>;

    /// A default method, overridable.
    #[errspec(idempotent)]
    fn limit(&self) -> Result<usize, ShopError> {
        Ok(Self::LIMIT)
    }

    /// A default method returning an associated type.
    fn parse(&self, raw: &str) -> Option<Self::Value> {
        raw.parse().ok()
    }

    /// Consumes the client.
    fn close(self) -> String
    where
        Self: Sized;

    /// No receiver.
    fn kind() -> &'static str
    where
        Self: Sized;
}

struct Fake {
    failures: AtomicU32,
}

impl Fake {
    fn attempt(&self) -> Result<(), ShopError> {
        match self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        {
            Ok(_) => Err(ShopError::from(StatusCode::CONFLICT)),
            Err(_) => Ok(()),
        }
    }
}

impl Named for Fake {
    fn name(&self) -> String {
        "fake".to_owned()
    }
}

impl<'k> Store<'k, String> for Fake {
    type Value = u8;
    const LIMIT: usize = 3;

    fn get<T>(&self, key: String) -> Result<T, ShopError>
    where
        T: FromStr,
    {
        self.attempt()?;
        key.parse()
            .map_err(|_| ShopError::from(StatusCode::NOT_FOUND))
    }

    fn first<'a>(&self, keys: &'a [String], _: &str) -> Result<&'a String, ShopError> {
        self.attempt()?;
        keys.first()
            .ok_or_else(|| ShopError::from(StatusCode::NOT_FOUND))
    }

    fn put<T: Tag>(
        &self,
        key: &'k String,
        value: impl Into<String> + Clone,
    ) -> Result<u32, ShopError> {
        self.attempt()?;
        Ok(T::TAG + (key.len() + value.into().len()) as u32)
    }

    fn close(self) -> String {
        "closed".to_owned()
    }

    fn kind() -> &'static str {
        "fake"
    }
}

fn main() {
    let retrier = Retrier::new(ShopError::retry_config().with_initial_backoff(Default::default()));
    let store = Retrying::new(Fake {
        failures: AtomicU32::new(1),
    })
    .with_retrier(retrier);
    assert_eq!(store.get::<u64>("42".to_owned()).unwrap(), 42);
    let keys = ["a".to_owned(), "b".to_owned()];
    store.inner().failures.store(2, Ordering::SeqCst);
    assert_eq!(store.first(&keys, "unused").unwrap(), "a");
    let key = "key".to_owned();
    store.inner().failures.store(1, Ordering::SeqCst);
    assert_eq!(store.put::<Ten>(&key, "value").unwrap(), 18);
    assert_eq!(store.limit().unwrap(), 3);
    assert_eq!(Store::<String>::parse(&store, "7"), Some(7));
    assert_eq!(<Retrying<Fake> as Store<String>>::LIMIT, 3);
    assert_eq!(<Retrying<Fake> as Store<String>>::VERSION, 1);
    assert_eq!(<Retrying<Fake> as Store<String>>::kind(), "fake");
    assert_eq!(store.name(), "retrying fake");
    assert_eq!(Store::<String>::close(store), "closed");
}
