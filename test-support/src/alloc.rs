//! [`CountingAllocator`]: the system allocator, counting what each thread and the process
//! allocate.
//!
//! A test binary that measures allocations installs it itself:
//!
//! ```
//! use errspec_test_support::CountingAllocator;
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! let before = errspec_test_support::alloc::allocations();
//! let boxed = Box::new(1);
//! assert_eq!(errspec_test_support::alloc::allocations() - before, 1);
//! # drop(boxed);
//! ```
//!
//! Without it installed, every counter here stays at zero.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Forwards to [`System`], counting allocations (and reallocations) per thread and for the
/// process, and the bytes each thread holds with their peak. Install it with
/// `#[global_allocator]` in the test or bench binary that reads the counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

/// Allocations and reallocations by every thread.
static ALL: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Allocations and reallocations by this thread.
    static COUNT: Cell<usize> = const { Cell::new(0) };
    /// Bytes allocated minus bytes freed by this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The highest `LIVE` since the last [`reset_peak`].
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// One allocation or reallocation that changed what this thread holds by `delta` bytes.
fn allocated(delta: isize) {
    ALL.fetch_add(1, Ordering::Relaxed);
    let _ = COUNT.try_with(|n| n.set(n.get() + 1));
    held(delta);
}

/// What this thread holds changed by `delta` bytes.
fn held(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn size(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

// A global allocator is an `unsafe impl` (the workspace denies `unsafe_code`): this one only
// counts in statics and thread-locals that never allocate, and forwards every call to `System`
// with the caller's own arguments, so `System`'s guarantees are the caller's.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        allocated(size(layout.size()));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        held(-size(layout.size()));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        allocated(size(new_size) - size(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and reallocations made by this thread so far.
pub fn allocations() -> usize {
    COUNT.with(Cell::get)
}

/// Allocations and reallocations made by every thread so far.
pub fn all_allocations() -> usize {
    ALL.load(Ordering::Relaxed)
}

/// Bytes this thread holds, counting frees of what other threads allocated (so it can be
/// negative): only differences mean something.
pub fn live_bytes() -> isize {
    LIVE.with(Cell::get)
}

/// How far this thread's holding rose above `baseline` (a [`live_bytes`]) since
/// [`reset_peak`].
pub fn growth_since(baseline: isize) -> usize {
    usize::try_from(PEAK.with(Cell::get) - baseline).unwrap_or(0)
}

/// Starts this thread's peak again from what it holds now.
pub fn reset_peak() {
    PEAK.with(|peak| peak.set(LIVE.with(Cell::get)));
}
