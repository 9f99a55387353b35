//! Software prefetch for the pipeline's random reads.
//!
//! The snapshot steps read arrays of tens of millions of entries in graph
//! order, so most reads miss every cache. Where the indices to come are
//! known a few iterations ahead (the next predecessors, the queue's next
//! nodes), asking for them early lets the misses overlap instead of
//! waiting for each in turn.

/// Hints that `slice[i]` will be read soon. Out-of-range indices are
/// ignored; on targets without a prefetch instruction this does nothing.
#[inline(always)]
pub(crate) fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(i) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let p: *const T = x;
        // SAFETY: a prefetch is only a hint to the cache: it cannot fault
        // and has no effect the program can observe; `p` points into
        // `slice` anyway. SSE is part of the x86-64 baseline.
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}
