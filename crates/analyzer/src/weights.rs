//! Per-node self bytes: V8's `selfSize`, or the sum of sample sizes inside an
//! ordinal range (formats §4.6: DevTools uses `selfSize` without a range and
//! Σ `sample.size` with one; the root always keeps its `selfSize`).

use heapdiff_model::HeapProfile;
use rayon::prelude::*;

use crate::OrdinalRange;

/// Self bytes and sample counts per stack, plus what fell outside the tree.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Self bytes of each stack.
    pub self_bytes: Vec<u64>,
    /// Number of samples of each stack (for the noise estimate).
    pub n_samples: Vec<u64>,
    /// Bytes of samples whose node is missing from the tree (in range).
    pub unattributed_bytes: u64,
    /// Number of such samples.
    pub unattributed_samples: u64,
}

const CHUNK: usize = 1 << 16;

impl Weights {
    /// `selfSize` of every node: what DevTools shows with no range selected.
    #[must_use]
    pub fn self_size(p: &HeapProfile) -> Self {
        let n_samples = count_samples(p, None);
        Self {
            self_bytes: p.stacks.self_bytes.clone(),
            n_samples,
            unattributed_bytes: p
                .unattributed
                .bytes
                .iter()
                .fold(0u64, |a, &b| a.saturating_add(b)),
            unattributed_samples: p.unattributed.bytes.len() as u64,
        }
    }

    /// Σ sample sizes per node within `range` (both ends inclusive). DevTools
    /// treats a range whose bounds are both 0 as "no range" (formats §4.6
    /// step 1); so does this function.
    #[must_use]
    pub fn in_range(p: &HeapProfile, range: &OrdinalRange) -> Self {
        if range.lo == 0 && range.hi == 0 {
            return Self::self_size(p);
        }
        let s = &p.samples;
        let mut self_bytes = per_stack(p, |acc, from, to| {
            for i in from..to {
                if range.contains(s.ordinal[i]) {
                    let slot = &mut acc[s.stack[i].index()];
                    *slot = slot.saturating_add(s.bytes[i]);
                }
            }
        });
        self_bytes[0] = p.stacks.self_bytes[0];
        let u = &p.unattributed;
        let in_range = || (0..u.bytes.len()).filter(|&i| range.contains(u.ordinal[i]));
        Self {
            self_bytes,
            n_samples: count_samples(p, Some(range)),
            unattributed_bytes: in_range().fold(0u64, |a, i| a.saturating_add(u.bytes[i])),
            unattributed_samples: in_range().count() as u64,
        }
    }

    /// Zeroes the self bytes of stacks that `keep` rejects.
    pub fn retain(&mut self, keep: &[bool]) {
        for (i, k) in keep.iter().enumerate() {
            if !k {
                self.self_bytes[i] = 0;
                self.n_samples[i] = 0;
            }
        }
    }
}

fn count_samples(p: &HeapProfile, range: Option<&OrdinalRange>) -> Vec<u64> {
    let s = &p.samples;
    per_stack(p, |acc, from, to| match range {
        None => {
            for stack in &s.stack[from..to] {
                acc[stack.index()] += 1;
            }
        }
        Some(r) => {
            for i in from..to {
                if r.contains(s.ordinal[i]) {
                    acc[s.stack[i].index()] += 1;
                }
            }
        }
    })
}

/// A column of one value per stack, summed over the samples: `add` adds
/// the samples `from..to` into its column. The samples are cut into one
/// block per thread (each block a plain loop, one column per block), so the
/// columns to allocate and sum are few; sums saturate and do not depend on
/// the cut.
fn per_stack<F>(p: &HeapProfile, add: F) -> Vec<u64>
where
    F: Fn(&mut [u64], usize, usize) + Sync,
{
    let n = p.stacks.len();
    let len = p.samples.len();
    let parts = rayon::current_num_threads().clamp(1, len.div_ceil(CHUNK).max(1));
    let per = len.div_ceil(parts).max(1);
    (0..parts)
        .into_par_iter()
        .map(|k| {
            let mut acc = vec![0u64; n];
            add(&mut acc, (k * per).min(len), ((k + 1) * per).min(len));
            acc
        })
        .reduce(|| vec![0u64; n], add_columns)
}

/// Element-wise sum; integer addition is associative, so the result does
/// not depend on how rayon split the work.
fn add_columns(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.saturating_add(y);
    }
    a
}
