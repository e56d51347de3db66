/// The small API.
pub trait Small<K: Clone>: Send + Sync {
    /// The ids.
    type Id;
    /// How many.
    const LIMIT: usize = 3;
    /// Sync, `&self`, idempotent.
    fn get(&self, key: K, (a, b): (u32, u32)) -> Result<String, SmallError>;
    /// Async, `&mut self`, not idempotent; a one-argument `Result` alias.
    async fn put<T: Into<String>>(&mut self, value: T) -> Result<T>;
    /// A `Send` future, with an `impl Trait` argument.
    fn watch(
        &self,
        name: impl AsRef<str> + Clone,
    ) -> impl Future<Output = Result<u32, SmallError>> + Send;
    /// Forwarded.
    fn name(&self) -> &str;
    /// Forwarded with `&mut self`.
    fn clear(self: &mut Self);
    /// Forwarded by value.
    fn close(self) -> Result<(), SmallError>
    where
        Self: Sized;
}
#[automatically_derived]
impl<K: Clone, __C: Small<K> + ::core::marker::Send + ::core::marker::Sync> Small<K>
for ::errspec::Retrying<__C> {
    type Id = <__C as Small<K>>::Id;
    const LIMIT: usize = <__C as Small<K>>::LIMIT;
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    fn get(&self, __arg_key: K, __arg2: (u32, u32)) -> Result<String, SmallError> {
        let __retrier = ::errspec::Retrying::__retrier::<SmallError>(self);
        let mut __attempts = __retrier.attempts(true);
        loop {
            let __result = <__C as Small<
                K,
            >>::get(
                ::errspec::Retrying::inner(self),
                ::errspec::__private::clone_argument::<K>(&__arg_key),
                ::errspec::__private::clone_argument::<(u32, u32)>(&__arg2),
            );
            match __attempts.after::<_, SmallError>(__result) {
                ::core::ops::ControlFlow::Break(__result) => return __result,
                ::core::ops::ControlFlow::Continue(__delay) => {
                    __retrier.sleep_blocking(__delay)
                }
            }
        }
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    async fn put<T: Into<String>>(&mut self, __arg_value: T) -> Result<T> {
        trait __ErrspecResult {
            type Error;
        }
        impl<__T, __E> __ErrspecResult for ::core::result::Result<__T, __E> {
            type Error = __E;
        }
        let (__retrier, __inner) = ::errspec::Retrying::__split_mut::<
            <Result<T> as __ErrspecResult>::Error,
        >(self);
        let mut __attempts = __retrier.attempts(false);
        loop {
            let __inner = &mut *__inner;
            let __result = <__C as Small<
                K,
            >>::put::<
                T,
            >(__inner, ::errspec::__private::clone_argument::<T>(&__arg_value))
                .await;
            match __attempts.after::<_, <Result<T> as __ErrspecResult>::Error>(__result)
            {
                ::core::ops::ControlFlow::Break(__result) => return __result,
                ::core::ops::ControlFlow::Continue(__delay) => {
                    __retrier.sleep(__delay).await
                }
            }
        }
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    fn watch(
        &self,
        __arg_name: impl AsRef<str> + Clone,
    ) -> impl Future<Output = Result<u32, SmallError>> + Send {
        async move {
            let __retrier = ::errspec::Retrying::__retrier::<SmallError>(self);
            let mut __attempts = __retrier.attempts(true);
            loop {
                let __result = <__C as Small<
                    K,
                >>::watch(
                        ::errspec::Retrying::inner(self),
                        ::errspec::__private::clone_argument(&__arg_name),
                    )
                    .await;
                match __attempts.after::<_, SmallError>(__result) {
                    ::core::ops::ControlFlow::Break(__result) => return __result,
                    ::core::ops::ControlFlow::Continue(__delay) => {
                        __retrier.sleep(__delay).await
                    }
                }
            }
        }
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    fn name(&self) -> &str {
        <__C as Small<K>>::name(::errspec::Retrying::inner(self))
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    fn clear(self: &mut Self) {
        let __inner = ::errspec::Retrying::inner_mut(self);
        <__C as Small<K>>::clear(__inner)
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    fn close(self) -> Result<(), SmallError>
    where
        Self: Sized,
    {
        <__C as Small<K>>::close(::errspec::Retrying::into_inner(self))
    }
}
