//! Shallow size reassignment of owned internal storage (formats §7.5): an
//! object's private backing stores and contexts count in its own size.

use heapdiff_model::{HeapGraph, NodeOrdinal, Sizes};

use super::flags::BitSet;

/// An owner: a node, or one of the two lattice ends below. Node counts
/// stay below `u32::MAX` (the parser checks), so the two never name one.
const UNVISITED: NodeOrdinal = NodeOrdinal::new(u32::MAX);
const MULTIPLE: NodeOrdinal = NodeOrdinal::new(u32::MAX - 1);

/// Adjusted shallow sizes. The caller skips this step for snapshots
/// without user roots.
///
/// The propagation is a join on the lattice UNVISITED < owner < MULTIPLE,
/// so its fixpoint does not depend on the visiting order: every
/// non-ownable node is expanded in ordinal order first, then the worklist
/// of ownable nodes whose owner changed. Non-ownable targets always own
/// themselves, so only ownable targets (a bit set, in cache) are looked at.
pub(crate) fn adjusted_sizes(g: &HeapGraph) -> Sizes {
    let ownable = ownable_nodes(g);
    let mut owners = Owners {
        g,
        weak: g.edge_type_index("weak"),
        owner: g
            .nodes()
            .ordinals()
            .map(|v| if ownable.contains(v) { UNVISITED } else { v })
            .collect(),
        ownable,
        work: Vec::new(),
    };
    for v in g.nodes().ordinals() {
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
    ownable: BitSet<NodeOrdinal>,
    /// The owner of every node, by ordinal.
    owner: Vec<NodeOrdinal>,
    /// Ownable nodes whose owner changed.
    work: Vec<NodeOrdinal>,
}

impl Owners<'_> {
    /// Joins `v`'s owner into its ownable targets over non-weak edges.
    fn expand(&mut self, v: NodeOrdinal) {
        let g = self.g;
        let o = self.owner[v.index()];
        let edges = g.edge_range(v);
        let kinds = &g.edges().kinds()[edges.clone()];
        let targets = &g.edges().targets()[edges];
        for (&kind, &t) in kinds.iter().zip(targets) {
            if Some(kind) == self.weak || !self.ownable.contains(t) {
                continue;
            }
            let ot = self.owner[t.index()];
            if ot == UNVISITED {
                self.owner[t.index()] = o;
                self.work.push(t);
            } else if ot != o && ot != MULTIPLE {
                self.owner[t.index()] = MULTIPLE;
                self.work.push(t);
            }
        }
    }
}

/// `hidden` and `array` nodes, and `native` nodes named
/// `system / ExternalStringData`.
fn ownable_nodes(g: &HeapGraph) -> BitSet<NodeOrdinal> {
    let hidden = g.node_type_index("hidden");
    let array = g.node_type_index("array");
    let native = g.node_type_index("native");
    let mut set = BitSet::new(g.n_nodes());
    for v in g.nodes().ordinals() {
        let k = Some(g.nodes().kind(v));
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
fn move_sizes(g: &HeapGraph, owner: &[NodeOrdinal]) -> Sizes {
    let synthetic = g.node_type_index("synthetic");
    let mut size = g.nodes().self_sizes().clone();
    for (v, &o) in g.nodes().ordinals().zip(owner) {
        if o == UNVISITED
            || o == MULTIPLE
            || o == v
            || o == NodeOrdinal::ROOT
            || Some(g.nodes().kind(o)) == synthetic
        {
            continue;
        }
        size.set(o.index(), size.get(o.index()) + size.get(v.index()));
        size.set(v.index(), 0);
    }
    size
}
