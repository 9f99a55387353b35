//! Shallow size reassignment of owned internal storage (formats §7.5): an
//! object's private backing stores and contexts count in its own size.

use heapdiff_model::HeapGraph;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

/// Adjusted shallow sizes. The caller skips this step for snapshots
/// without user roots.
pub(crate) fn adjusted_sizes(g: &HeapGraph) -> Vec<u64> {
    let n = g.n_nodes();
    let hidden = g.node_type_index("hidden");
    let array = g.node_type_index("array");
    let native = g.node_type_index("native");
    let synthetic = g.node_type_index("synthetic");
    let weak = g.edge_type_index("weak");
    let ownable = |v: usize| {
        let k = Some(g.nodes.kind[v]);
        k == hidden
            || k == array
            || (k == native && g.node_name(v as u32) == "system / ExternalStringData")
    };
    let mut owner = vec![UNVISITED; n];
    let mut work: Vec<u32> = Vec::new();
    for (v, o) in owner.iter_mut().enumerate() {
        if !ownable(v) {
            *o = v as u32;
            work.push(v as u32);
        }
    }
    while let Some(v) = work.pop() {
        let o = owner[v as usize];
        for e in g.edge_range(v) {
            if Some(g.edges.kind[e]) == weak {
                continue;
            }
            let t = g.edges.to[e];
            let ot = owner[t as usize];
            if ot == UNVISITED {
                owner[t as usize] = o;
                work.push(t);
            } else if ot != t && ot != o && ot != MULTIPLE {
                owner[t as usize] = MULTIPLE;
                work.push(t);
            }
        }
    }
    let mut size = g.nodes.self_size.clone();
    for v in 0..n {
        let o = owner[v];
        if o == UNVISITED
            || o == MULTIPLE
            || o as usize == v
            || o == 0
            || Some(g.nodes.kind[o as usize]) == synthetic
        {
            continue;
        }
        size[o as usize] += size[v];
        size[v] = 0;
    }
    size
}
