//! Arrays made ahead of time, with their pages already in memory.
//!
//! A fresh array's pages are handed out by the kernel on first touch, one
//! page fault per 4 KiB: on snapshots of a gigabyte that is a good part of
//! a step's time (more where the kernel's pages must first be backed by a
//! virtual machine's host: `BENCHMARKS.md`, "What a fresh page of memory
//! costs in this guest"). The arrays the
//! dominator chain fills are made before it starts, while the first stage
//! runs, their pages brought in a block at a time on whichever thread is
//! free ([`zeroed_on_threads`], with [`heapdiff_model::memory`]), and
//! passed to the chain, which fits them to the length it needs
//! ([`fitted`]).

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

/// `len` zeros from `prepared` (made ahead with [`zeroed_on_threads`]), cut
/// or grown to `len`, or a fresh array when none was made. A cut array
/// hands the pages past `len` back.
pub(crate) fn fitted<T: Copy + Default>(prepared: Option<Vec<T>>, len: usize) -> Vec<T> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fitted_array_is_zeros_of_the_length_asked_whatever_was_prepared() {
        assert_eq!(fitted::<u32>(None, 3), vec![0; 3]);
        for prepared in [0, 2, 5, 4096] {
            let v = zeroed_on_threads::<u32>(prepared);
            assert_eq!(fitted(Some(v), 5), vec![0; 5], "prepared {prepared}");
        }
    }
}
