//! Arrays made ahead of time, with their pages already in memory.
//!
//! A fresh array's pages are handed out by the kernel on first touch, one
//! page fault per 4 KiB: on snapshots of a gigabyte that is a good part of
//! a step's time. The dominator chain is the analysis' longest, and the
//! thread beside it has time to spare, so the arrays the chain fills are
//! made there (with [`heapdiff_model::memory`]), earlier, and handed over
//! ([`Handoff`]). A step that finds nothing handed over makes its own
//! array, so the result never depends on the timing, only the speed does.

use std::sync::Mutex;

use heapdiff_model::memory;

/// An array made on one thread for a step on another.
pub(crate) struct Handoff<T>(Mutex<Option<Vec<T>>>);

impl<T: Copy + Default> Handoff<T> {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// Makes `len` zeros, their pages in memory, for the taker.
    pub(crate) fn prepare(&self, len: usize) {
        let v = memory::zeroed(len);
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
