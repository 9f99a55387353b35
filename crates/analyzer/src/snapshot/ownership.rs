//! Shallow size reassignment of owned internal storage (formats §7.5): an
//! object's private backing stores and contexts count in its own size.

use heapdiff_model::HeapGraph;

use super::flags::BitSet;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

/// Adjusted shallow sizes. The caller skips this step for snapshots
/// without user roots.
///
/// The propagation is a join on the lattice UNVISITED < owner < MULTIPLE,
/// so its fixpoint does not depend on the visiting order: every
/// non-ownable node is expanded in ordinal order first, then the worklist
/// of ownable nodes whose owner changed. Non-ownable targets always own
/// themselves, so only ownable targets (a bit set, in cache) are looked at.
pub(crate) fn adjusted_sizes(g: &HeapGraph) -> Vec<u64> {
    let n = g.n_nodes() as u32;
    let ownable = ownable_nodes(g);
    let mut owners = Owners {
        g,
        weak: g.edge_type_index("weak"),
        owner: (0..n)
            .map(|v| if ownable.contains(v) { UNVISITED } else { v })
            .collect(),
        ownable,
        work: Vec::new(),
    };
    for v in 0..n {
        if !owners.ownable.contains(v) {
            owners.expand(v);
        }
    }
    while let Some(v) = owners.work.pop() {
        owners.expand(v);
    }
    move_sizes(g, &owners.owner)
}

struct Owners<'a> {
    g: &'a HeapGraph,
    weak: Option<u8>,
    ownable: BitSet,
    owner: Vec<u32>,
    /// Ownable nodes whose owner changed.
    work: Vec<u32>,
}

impl Owners<'_> {
    /// Joins `v`'s owner into its ownable targets over non-weak edges.
    fn expand(&mut self, v: u32) {
        let g = self.g;
        let o = self.owner[v as usize];
        let edges = g.edge_range(v);
        let kinds = &g.edges.kind[edges.clone()];
        let targets = &g.edges.to[edges];
        for (&kind, &t) in kinds.iter().zip(targets) {
            if Some(kind) == self.weak || !self.ownable.contains(t) {
                continue;
            }
            let ot = self.owner[t as usize];
            if ot == UNVISITED {
                self.owner[t as usize] = o;
                self.work.push(t);
            } else if ot != o && ot != MULTIPLE {
                self.owner[t as usize] = MULTIPLE;
                self.work.push(t);
            }
        }
    }
}

/// `hidden` and `array` nodes, and `native` nodes named
/// `system / ExternalStringData`.
fn ownable_nodes(g: &HeapGraph) -> BitSet {
    let hidden = g.node_type_index("hidden");
    let array = g.node_type_index("array");
    let native = g.node_type_index("native");
    let mut set = BitSet::new(g.n_nodes());
    for v in 0..g.n_nodes() as u32 {
        let k = Some(g.nodes.kind[v as usize]);
        if k == hidden
            || k == array
            || (k == native && g.node_name(v) == "system / ExternalStringData")
        {
            set.insert(v);
        }
    }
    set
}

/// Moves each singly-owned node's size to its owner, unless the owner is
/// the root or synthetic.
fn move_sizes(g: &HeapGraph, owner: &[u32]) -> Vec<u64> {
    let synthetic = g.node_type_index("synthetic");
    let mut size = g.nodes.self_size.clone();
    for (v, &o) in owner.iter().enumerate() {
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
