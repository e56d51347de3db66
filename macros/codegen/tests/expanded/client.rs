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
    /// Scoped by an argument's value.
    async fn post(&self, channel: &str, text: String) -> Result<u32, SmallError>;
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
        #[allow(unused_imports)]
        use ::errspec::__private::{
            ForwardOtherErrors as _, PassArguments as _, RetryWithStatus as _,
        };
        ::errspec::__private::assert_status_error::<SmallError>();
        let mut __attempts = (&::errspec::__private::Engine::<SmallError>::NEW)
            .begin(self, ::errspec::Idempotency::Idempotent, "get");
        let mut __arg_key = ::core::option::Option::Some(__arg_key);
        let mut __arg2 = ::core::option::Option::Some(__arg2);
        if let ::core::result::Result::Err(__error) = ::errspec::__private::CallAttempts::<
            SmallError,
        >::ready_blocking(&mut __attempts) {
            return ::core::result::Result::Err(__error);
        }
        loop {
            let __result = {
                let __pass0 = __attempts.pass::<K>(&mut __arg_key);
                let __pass1 = __attempts.pass::<(u32, u32)>(&mut __arg2);
                ::errspec::__private::CallAttempts::<
                    SmallError,
                >::observing_blocking(
                    &mut __attempts,
                    || <__C as Small<
                        K,
                    >>::get(::errspec::Retrying::inner(self), __pass0, __pass1),
                )
            };
            match ::errspec::__private::CallAttempts::<
                SmallError,
            >::after(&mut __attempts, __result) {
                ::core::ops::ControlFlow::Break(__result) => return __result,
                ::core::ops::ControlFlow::Continue(__delay) => {
                    ::errspec::__private::CallAttempts::<
                        SmallError,
                    >::sleep_blocking(&mut __attempts, __delay)
                }
            }
        }
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    async fn put<T: Into<String>>(&mut self, __arg_value: T) -> Result<T> {
        #[allow(unused_imports)]
        use ::errspec::__private::{
            ForwardOtherErrors as _, PassArguments as _, RetryWithStatus as _,
        };
        trait __ErrspecResult {
            type Error;
        }
        impl<__T, __E> __ErrspecResult for ::core::result::Result<__T, __E> {
            type Error = __E;
        }
        let (mut __attempts, __inner) = (&::errspec::__private::Engine::<
            <Result<T> as __ErrspecResult>::Error,
        >::NEW)
            .begin_mut(self, ::errspec::Idempotency::NonIdempotent, "put");
        let mut __arg_value = ::core::option::Option::Some(__arg_value);
        if !::errspec::__private::CallAttempts::<
            <Result<T> as __ErrspecResult>::Error,
        >::ready_now(&mut __attempts)
            && let ::core::result::Result::Err(__error) = ::errspec::__private::CallAttempts::<
                <Result<T> as __ErrspecResult>::Error,
            >::ready(&mut __attempts)
                .await
        {
            return ::core::result::Result::Err(__error);
        }
        loop {
            let __inner = &mut *__inner;
            let __result = {
                let __pass0 = __attempts.pass::<T>(&mut __arg_value);
                ::errspec::__private::CallAttempts::<
                    <Result<T> as __ErrspecResult>::Error,
                >::observing(
                        &mut __attempts,
                        <__C as Small<K>>::put::<T>(__inner, __pass0),
                    )
                    .await
            };
            match ::errspec::__private::CallAttempts::<
                <Result<T> as __ErrspecResult>::Error,
            >::after(&mut __attempts, __result) {
                ::core::ops::ControlFlow::Break(__result) => return __result,
                ::core::ops::ControlFlow::Continue(__delay) => {
                    ::errspec::__private::CallAttempts::<
                        <Result<T> as __ErrspecResult>::Error,
                    >::sleep(&mut __attempts, __delay)
                        .await
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
            #[allow(unused_imports)]
            use ::errspec::__private::{
                ForwardOtherErrors as _, PassArguments as _, RetryWithStatus as _,
            };
            ::errspec::__private::assert_status_error::<SmallError>();
            let mut __attempts = (&::errspec::__private::Engine::<SmallError>::NEW)
                .begin(self, ::errspec::Idempotency::Idempotent, "watch");
            let mut __arg_name = ::core::option::Option::Some(__arg_name);
            if !::errspec::__private::CallAttempts::<
                SmallError,
            >::ready_now(&mut __attempts)
                && let ::core::result::Result::Err(__error) = ::errspec::__private::CallAttempts::<
                    SmallError,
                >::ready(&mut __attempts)
                    .await
            {
                return ::core::result::Result::Err(__error);
            }
            loop {
                let __result = {
                    let __pass0 = __attempts.pass(&mut __arg_name);
                    ::errspec::__private::CallAttempts::<
                        SmallError,
                    >::observing(
                            &mut __attempts,
                            <__C as Small<
                                K,
                            >>::watch(::errspec::Retrying::inner(self), __pass0),
                        )
                        .await
                };
                match ::errspec::__private::CallAttempts::<
                    SmallError,
                >::after(&mut __attempts, __result) {
                    ::core::ops::ControlFlow::Break(__result) => return __result,
                    ::core::ops::ControlFlow::Continue(__delay) => {
                        ::errspec::__private::CallAttempts::<
                            SmallError,
                        >::sleep(&mut __attempts, __delay)
                            .await
                    }
                }
            }
        }
    }
    #[allow(clippy::needless_lifetimes, clippy::used_underscore_binding)]
    async fn post(
        &self,
        __arg_channel: &str,
        __arg_text: String,
    ) -> Result<u32, SmallError> {
        #[allow(unused_imports)]
        use ::errspec::__private::{
            ForwardOtherErrors as _, PassArguments as _, RetryWithStatus as _,
        };
        let mut __attempts = (&::errspec::__private::Engine::<SmallError>::NEW)
            .begin(self, ::errspec::Idempotency::NonIdempotent, "post");
        ::errspec::__private::CallAttempts::<
            SmallError,
        >::scope_by(
            &mut __attempts,
            {
                #[allow(unused_imports)]
                use ::errspec::__private::{ByDisplay as _, ByNeither as _, ByText as _};
                (&&::errspec::__private::ScopeArgument(&__arg_channel)).scope_value()
            },
        );
        let mut __arg_channel = ::core::option::Option::Some(__arg_channel);
        let mut __arg_text = ::core::option::Option::Some(__arg_text);
        if !::errspec::__private::CallAttempts::<SmallError>::ready_now(&mut __attempts)
            && let ::core::result::Result::Err(__error) = ::errspec::__private::CallAttempts::<
                SmallError,
            >::ready(&mut __attempts)
                .await
        {
            return ::core::result::Result::Err(__error);
        }
        loop {
            let __result = {
                let __pass0 = __attempts.pass::<&str>(&mut __arg_channel);
                let __pass1 = __attempts.pass::<String>(&mut __arg_text);
                ::errspec::__private::CallAttempts::<
                    SmallError,
                >::observing(
                        &mut __attempts,
                        <__C as Small<
                            K,
                        >>::post(::errspec::Retrying::inner(self), __pass0, __pass1),
                    )
                    .await
            };
            match ::errspec::__private::CallAttempts::<
                SmallError,
            >::after(&mut __attempts, __result) {
                ::core::ops::ControlFlow::Break(__result) => return __result,
                ::core::ops::ControlFlow::Continue(__delay) => {
                    ::errspec::__private::CallAttempts::<
                        SmallError,
                    >::sleep(&mut __attempts, __delay)
                        .await
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
