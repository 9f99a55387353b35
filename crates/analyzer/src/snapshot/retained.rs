//! Retained sizes (formats §7.6 step 5): every node's adjusted self size
//! added up its dominator tree. In the tree's order every subtree is a run
//! of positions, so a node's retained size is a difference of two prefix
//! sums of the self sizes in that order: a gather, a running sum and a
//! scatter, with no walk up the tree.

use rayon::prelude::*;

use super::Dominators;

/// Retained sizes by ordinal, and the running sums they were taken from
/// (see [`super::Derived::tree_sums`]).
pub(crate) fn compute(d: &Dominators, self_size: &[u64]) -> (Vec<u64>, Vec<u64>) {
    let n = d.tree_order.len();
    // sums[i]: the self sizes of the first i positions.
    let mut sums: Vec<u64> = Vec::with_capacity(n + 1);
    sums.push(0);
    sums.par_extend(d.tree_order.par_iter().map(|&v| self_size[v as usize]));
    let mut total: u64 = 0;
    for s in &mut sums {
        let Some(t) = total.checked_add(*s) else {
            // Sizes near 2^64 (a corrupt file, accepted with a warning):
            // differences of clamped sums would be wrong, so sum up the
            // tree instead, clamping each node.
            return (saturating(d, self_size), Vec::new());
        };
        total = t;
        *s = total;
    }
    // Scattered writes: unlike scattered reads, they do not wait.
    let mut retained = vec![0; n];
    for (at, (&v, &size)) in d.tree_order.iter().zip(&d.tree_size).enumerate() {
        retained[v as usize] = sums[at + size as usize] - sums[at];
    }
    (retained, sums)
}

/// Retained sizes added up the tree node by node, clamped at `u64::MAX`.
fn saturating(d: &Dominators, self_size: &[u64]) -> Vec<u64> {
    let mut retained = self_size.to_vec();
    for &v in d.tree_order.iter().skip(1).rev() {
        let r = retained[v as usize];
        let up = &mut retained[d.idom[v as usize] as usize];
        *up = up.saturating_add(r);
    }
    retained
}
