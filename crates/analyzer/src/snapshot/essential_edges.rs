//! Which edges retain, for the dominator tree (formats §7.4).

use heapdiff_model::HeapGraph;

use super::weakmap;

/// One bit per edge: true when the edge is essential.
pub(crate) fn compute(g: &HeapGraph, page_owned: &[bool]) -> Vec<bool> {
    let internal = g.edge_type_index("internal");
    let weak = g.edge_type_index("weak");
    let shortcut = g.edge_type_index("shortcut");
    let mut essential = vec![true; g.edges.len()];
    for u in 0..g.n_nodes() as u32 {
        for e in g.edge_range(u) {
            let k = Some(g.edges.kind[e]);
            let w = g.edges.to[e];
            let table_edge = k == internal
                && weakmap::parse(g.strings.get(g.edges.name_or_index[e]))
                    .is_some_and(|(_, table)| table == g.nodes.id[u as usize]);
            let not_essential = table_edge
                || k == weak
                || u == w
                || (u != 0
                    && (k == shortcut || (page_owned[w as usize] && !page_owned[u as usize])));
            if not_essential {
                essential[e] = false;
            }
        }
    }
    essential
}
