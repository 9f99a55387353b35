//! The pruned call tree with totals (formats §4.1 steps 2–4).
//!
//! Pruning removes, bottom-up, every node left without children and with
//! `self == 0`. With non-negative sizes that is exactly "total == 0", so the
//! kept set falls out of the totals loop. The root is never removed.

use heapdiff_model::{HeapProfile, StackId};

use crate::Weights;

/// Self and total bytes of every stack, and which stacks survive pruning.
#[derive(Debug, Clone)]
pub struct CallTree {
    /// Self bytes per stack.
    pub self_bytes: Vec<u64>,
    /// Total (inclusive) bytes per stack.
    pub total: Vec<u64>,
    /// Sample counts per stack.
    pub n_samples: Vec<u64>,
    /// Bytes of samples outside the tree.
    pub unattributed_bytes: u64,
    /// Count of samples outside the tree.
    pub unattributed_samples: u64,
}

impl CallTree {
    /// The profile total: `root.total`, the denominator of percentages.
    #[must_use]
    pub fn root_total(&self) -> u64 {
        self.total[0]
    }

    /// True if `s` survives pruning.
    #[must_use]
    pub fn kept(&self, s: StackId) -> bool {
        s == StackId::ROOT || self.total[s.index()] > 0
    }
}

/// Totals every node from its self bytes, in one reverse loop over the
/// parent-first stack table.
#[must_use]
pub fn call_tree(p: &HeapProfile, w: &Weights) -> CallTree {
    let parent = p.stacks.parent_column();
    let mut total = w.self_bytes.clone();
    for s in (1..total.len()).rev() {
        let t = total[s];
        // Sizes are capped at 2^53 by the parser, but enough of them can
        // still exceed u64: saturate rather than wrap.
        let p = parent[s] as usize;
        total[p] = total[p].saturating_add(t);
    }
    CallTree {
        self_bytes: w.self_bytes.clone(),
        total,
        n_samples: w.n_samples.clone(),
        unattributed_bytes: w.unattributed_bytes,
        unattributed_samples: w.unattributed_samples,
    }
}
