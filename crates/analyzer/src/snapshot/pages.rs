//! Arrays made ahead of time, with their pages already in memory.
//!
//! A fresh array's pages are handed out by the kernel on first touch, one
//! page fault per 4 KiB: on snapshots of a gigabyte that is a good part of
//! a step's time (more where the kernel's pages must first be backed by a
//! virtual machine's host: `BENCHMARKS.md`, "fresh pages"). The arrays the
//! dominator chain fills are made before it starts, while the first stage
//! runs, their pages brought in a block at a time on whichever thread is
//! free ([`zeroed_on_threads`], with [`heapdiff_model::memory`]), and
//! handed over ([`Handoff`]). A step that finds nothing handed over makes
//! its own array, so the result never depends on the timing, only the
//! speed does.

use std::sync::Mutex;

use heapdiff_model::memory;
use rayon::prelude::*;

/// Bytes of an array brought in by one parallel task.
const BLOCK: usize = 4 << 20;

/// `len` zeros, their pages brought in by the pool's threads, a block
/// each.
pub(crate) fn zeroed_on_threads<T: Copy + Default + Send + Sync>(len: usize) -> Vec<T> {
    let v = vec![T::default(); len];
    populate_on_threads(&v);
    v
}

/// An empty vector with room for `len`, its pages brought in by the
/// pool's threads.
pub(crate) fn with_capacity_on_threads<T: Copy + Send + Sync>(len: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    populate_on_threads(v.spare_capacity_mut());
    v
}

/// Brings in the pages of `items` a block at a time on the pool.
fn populate_on_threads<T: Sync>(items: &[T]) {
    let per_block = (BLOCK / std::mem::size_of::<T>().max(1)).max(1);
    items.par_chunks(per_block).for_each(memory::populate);
}

/// An array made on one thread for a step on another.
pub(crate) struct Handoff<T>(Mutex<Option<Vec<T>>>);

impl<T: Copy + Default> Handoff<T> {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// Makes `len` zeros, their pages in memory, for the taker.
    pub(crate) fn prepare(&self, len: usize)
    where
        T: Send + Sync,
    {
        let v = zeroed_on_threads(len);
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(v);
        }
    }

    /// `len` zeros: the prepared array cut or grown to `len` if it is
    /// there, else a fresh one. A cut array hands the pages past `len`
    /// back.
    pub(crate) fn take(&self, len: usize) -> Vec<T> {
        let prepared = self.0.lock().ok().and_then(|mut slot| slot.take());
        match prepared {
            Some(mut v) => {
                if v.len() > len {
                    v.truncate(len);
                    v.shrink_to_fit();
                }
                v.resize(len, T::default());
                v
            }
            None => vec![T::default(); len],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handoff_gives_zeros_of_the_length_asked_whatever_was_prepared() {
        let h = Handoff::<u32>::new();
        assert_eq!(h.take(3), vec![0; 3]);
        for prepared in [0, 2, 5, 4096] {
            h.prepare(prepared);
            assert_eq!(h.take(5), vec![0; 5], "prepared {prepared}");
            // Taken once: the next taker makes its own.
            assert_eq!(h.take(1), vec![0; 1]);
        }
    }
}
