//! Retained sizes (formats §7.6 step 5): every node's adjusted self size
//! added up its dominator tree. In the tree's order every subtree is a run
//! of positions, so a node's retained size is a difference of two running
//! sums of the self sizes in that order; no walk up the tree.
//!
//! The analysis keeps only the running sums ([`running_sums`]); the views
//! that look nodes up by ordinal ask [`super::Derived::retained`], which
//! scatters them into an array by node the first time (the Summary does not
//! need it).

use rayon::prelude::*;

use heapdiff_model::Sizes;

use super::Dominators;

/// Positions per parallel task.
const CHUNK: usize = 1 << 18;

/// `sums[i]`: the self sizes of the first `i` positions of the tree order
/// (`n + 1` entries), or `None` when they would pass `u64::MAX` (sizes of
/// a corrupt file, accepted with a warning).
///
/// Two parallel passes: each chunk of positions gathers its sizes and
/// sums them up from 0, then adds what the chunks before it hold.
///
/// `buffer` is where the sums go if it is long enough (the dominator
/// chain's lists were); otherwise a fresh array, its pages brought in at
/// once, takes its place.
pub(crate) fn running_sums(
    d: &Dominators,
    self_size: &Sizes,
    mut buffer: Vec<u64>,
) -> Option<Vec<u64>> {
    let n = d.tree_order.len();
    let mut sums = if buffer.len() > n {
        buffer.truncate(n + 1);
        buffer
    } else {
        drop(buffer);
        heapdiff_model::memory::zeroed(n + 1)
    };
    sums[0] = 0;
    let chunk_totals: Vec<Option<u64>> = sums[1..]
        .par_chunks_mut(CHUNK)
        .zip(d.tree_order.par_chunks(CHUNK))
        .map(|(out, order)| {
            let mut total: u64 = 0;
            for (s, &v) in out.iter_mut().zip(order) {
                total = total.checked_add(self_size.get(v as usize))?;
                *s = total;
            }
            Some(total)
        })
        .collect();
    let mut before = Vec::with_capacity(chunk_totals.len());
    let mut acc: u64 = 0;
    for total in chunk_totals {
        before.push(acc);
        acc = acc.checked_add(total?)?;
    }
    sums[1..]
        .par_chunks_mut(CHUNK)
        .zip(before)
        .for_each(|(out, add)| {
            if add != 0 {
                for s in out {
                    *s += add;
                }
            }
        });
    Some(sums)
}

/// Retained sizes by ordinal from the running sums.
pub(crate) fn from_sums(d: &Dominators, sums: &[u64]) -> Vec<u64> {
    let mut retained = vec![0; d.tree_order.len()];
    // Scattered writes: unlike scattered reads, they do not wait.
    for (at, (&v, &size)) in d.tree_order.iter().zip(&d.tree_size).enumerate() {
        retained[v as usize] = sums[at + size as usize] - sums[at];
    }
    retained
}

/// Retained sizes added up the tree node by node, clamped at `u64::MAX`:
/// for sizes whose running sums would overflow.
pub(crate) fn saturating(d: &Dominators, self_size: &Sizes) -> Vec<u64> {
    let mut retained = self_size.to_vec();
    for &v in d.tree_order.iter().skip(1).rev() {
        let r = retained[v as usize];
        let up = &mut retained[d.idom()[v as usize].index()];
        *up = up.saturating_add(r);
    }
    retained
}
