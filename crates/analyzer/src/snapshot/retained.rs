//! Retained sizes (formats §7.6 step 5): every node's adjusted self size
//! added up its dominator tree, children before parents.

use super::Dominators;
use super::prefetch::prefetch;

pub(crate) fn compute(d: &Dominators, self_size: &[u64]) -> Vec<u64> {
    const AHEAD: usize = 16;
    let mut retained = self_size.to_vec();
    let order = &d.tree_order;
    for j in (1..order.len()).rev() {
        // Two steps ahead: the dominator of a node to come, then its sum.
        if let Some(&w) = order.get(j.wrapping_sub(2 * AHEAD)) {
            prefetch(&d.idom, w as usize);
        }
        if let Some(&w) = order.get(j.wrapping_sub(AHEAD)) {
            prefetch(&retained, d.idom[w as usize] as usize);
        }
        let v = order[j] as usize;
        let r = retained[v];
        let up = &mut retained[d.idom[v] as usize];
        *up = up.saturating_add(r);
    }
    retained
}
