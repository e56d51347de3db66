//! What errspec's tests share, so each test file keeps to its own concern:
//!
//! - [`RecordingSleeper`]: a [`Sleeper`](errspec::Sleeper) that records each wait (and whether
//!   it was async or blocking) instead of waiting, on a virtual clock, the real one, or the
//!   real one moved by the waits or set ahead;
//! - [`CountingAllocator`] and the counters of [`alloc`]: allocations per thread and for the
//!   process, the bytes a thread holds and their peak;
//! - [`headers`] and [`header`]: header maps and values from literals or bytes;
//! - [`Pauses`]: the pauses a retrier's `on_pause` hook reports, recorded;
//! - [`block_on`]: runs a future that never waits on anything, without a runtime;
//! - [`redis`]: a real `redis-server` of a test's own on a free port of 127.0.0.1, killed when
//!   dropped;
//! - with feature `server`, [`server`]: an HTTP server on 127.0.0.1 that answers each path from
//!   a script, then with a standing reply, and counts the requests.
//!
//! The runtime's own tests and `errspec-redis`'s use it as a dev-dependency (without
//! `server`), `errspec-tests` with `server`.

pub mod alloc;
mod headers;
mod pauses;
pub mod redis;
#[cfg(feature = "server")]
pub mod server;
mod sleeper;

pub use alloc::CountingAllocator;
pub use headers::{header, headers};
pub use pauses::Pauses;
#[cfg(feature = "server")]
pub use server::{Reply, ScriptServer};
pub use sleeper::{RecordingSleeper, SleepKind};

/// Polls `future` to its end on this thread, with a waker that does nothing: for futures that
/// never wait on anything (a retrier on a [`RecordingSleeper`] and attempts that are ready at
/// once), so async engine tests need no runtime. A future that returns `Pending` is polled
/// again at once, so one that waits for a timer or I/O spins forever.
pub fn block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
