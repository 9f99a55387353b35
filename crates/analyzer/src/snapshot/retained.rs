//! Retained sizes (formats §7.6 step 5): every node's adjusted self size
//! added up its dominator tree, children before parents.

use super::Dominators;

pub(crate) fn compute(d: &Dominators, self_size: &[u64]) -> Vec<u64> {
    let mut retained = self_size.to_vec();
    for &v in d.preorder.iter().skip(1).rev() {
        let r = retained[v as usize];
        let up = &mut retained[d.idom[v as usize] as usize];
        *up = up.saturating_add(r);
    }
    retained
}
