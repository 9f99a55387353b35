//! Page-owned nodes and user roots (formats §7.3).

use heapdiff_model::HeapGraph;

/// True for nodes reachable (over non-weak edges) from the root's shortcut
/// targets and from `(Document DOM trees)`.
pub(crate) fn page_owned(g: &HeapGraph) -> Vec<bool> {
    let n = g.n_nodes();
    let mut owned = vec![false; n];
    let shortcut = g.edge_type_index("shortcut");
    let element = g.edge_type_index("element");
    let weak = g.edge_type_index("weak");
    let mut stack = Vec::new();
    for e in g.edge_range(0) {
        let to = g.edges.to[e];
        let k = Some(g.edges.kind[e]);
        let dom_trees = k == element && is_document_dom_trees(g, to);
        if (k == shortcut || dom_trees) && !owned[to as usize] {
            owned[to as usize] = true;
            stack.push(to);
        }
    }
    while let Some(v) = stack.pop() {
        for e in g.edge_range(v) {
            if Some(g.edges.kind[e]) == weak {
                continue;
            }
            let to = g.edges.to[e] as usize;
            if !owned[to] {
                owned[to] = true;
                stack.push(to as u32);
            }
        }
    }
    owned
}

pub(crate) fn is_document_dom_trees(g: &HeapGraph, v: u32) -> bool {
    g.node_type(v) == "synthetic" && g.node_name(v) == "(Document DOM trees)"
}

/// A direct child of the root (through any edge) that is not synthetic, or
/// is `(Document DOM trees)`.
pub(crate) fn is_user_root(g: &HeapGraph, v: u32) -> bool {
    g.node_type(v) != "synthetic" || is_document_dom_trees(g, v)
}

/// The snapshot has at least one user root.
pub(crate) fn has_user_roots(g: &HeapGraph) -> bool {
    g.edge_range(0).any(|e| is_user_root(g, g.edges.to[e]))
}
