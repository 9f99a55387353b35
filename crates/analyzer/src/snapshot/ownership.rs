//! Shallow size reassignment of owned internal storage (formats §7.5): an
//! object's private backing stores and contexts count in its own size.

use std::sync::atomic::{AtomicU32, Ordering};

use heapdiff_model::{HeapGraph, NodeOrdinal};

use super::flags::BitSet;

/// An owner: a node, or one of the two lattice ends below. Node counts
/// stay below `u32::MAX` (the parser checks), so the two never name one.
const UNVISITED: NodeOrdinal = NodeOrdinal::new(u32::MAX);
const MULTIPLE: NodeOrdinal = NodeOrdinal::new(u32::MAX - 1);

/// Nodes per parallel task of the propagation (small in tests, so that
/// the fixtures are split among threads too).
const CHUNK: usize = if cfg!(test) { 1 << 6 } else { 1 << 16 };

/// Adjusted shallow sizes. The caller skips this step for snapshots
/// without user roots.
///
/// The propagation is a join on the lattice UNVISITED < owner < MULTIPLE,
/// so its fixpoint does not depend on the visiting order, nor on how many
/// threads visit: the non-ownable nodes are expanded in parallel chunks of
/// ordinals, each task then expanding the ownable nodes whose owner it
/// changed (a compare-and-swap moves an owner up the lattice; whoever moves
/// it expands the node again). Non-ownable targets always own themselves,
/// so only ownable targets (a bit set, in cache) are looked at.
pub(crate) fn adjusted_sizes(g: &HeapGraph) -> Vec<u64> {
    use rayon::prelude::*;
    let ownable = ownable_nodes(g);
    let owners = Owners {
        g,
        weak: g.edge_type_index("weak"),
        owner: g
            .nodes()
            .ordinals()
            .map(|v| AtomicU32::new(if ownable.contains(v) { UNVISITED } else { v }.raw()))
            .collect(),
        ownable,
    };
    let n = g.n_nodes();
    (0..n.div_ceil(CHUNK)).into_par_iter().for_each(|c| {
        let mut work = Vec::new();
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let v = NodeOrdinal::from_index(i);
            if !owners.ownable.contains(v) {
                owners.expand(v, &mut work);
            }
        }
        while let Some(v) = work.pop() {
            owners.expand(v, &mut work);
        }
    });
    let owner: Vec<NodeOrdinal> = owners
        .owner
        .into_iter()
        .map(|o| NodeOrdinal::new(o.into_inner()))
        .collect();
    move_sizes(g, &owner)
}

struct Owners<'a> {
    g: &'a HeapGraph,
    weak: Option<u8>,
    ownable: BitSet<NodeOrdinal>,
    /// The owner of every node, by ordinal (raw ordinals).
    owner: Vec<AtomicU32>,
}

impl Owners<'_> {
    /// Joins `v`'s owner into its ownable targets over non-weak edges;
    /// the targets whose owner this changed go on `work`.
    fn expand(&self, v: NodeOrdinal, work: &mut Vec<NodeOrdinal>) {
        let g = self.g;
        let o = self.owner[v.index()].load(Ordering::Relaxed);
        let edges = g.edge_range(v);
        let kinds = &g.edges().kinds()[edges.clone()];
        let targets = &g.edges().targets()[edges];
        for (&kind, &t) in kinds.iter().zip(targets) {
            if Some(kind) == self.weak || !self.ownable.contains(t) {
                continue;
            }
            if self.join(t, o) {
                work.push(t);
            }
        }
    }

    /// Moves `t`'s owner to its join with `o`; true when it changed.
    fn join(&self, t: NodeOrdinal, o: u32) -> bool {
        let slot = &self.owner[t.index()];
        let mut current = slot.load(Ordering::Relaxed);
        loop {
            let joined = if current == UNVISITED.raw() {
                o
            } else if current == o || current == MULTIPLE.raw() {
                return false;
            } else {
                MULTIPLE.raw()
            };
            match slot.compare_exchange_weak(current, joined, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => current = now,
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
fn move_sizes(g: &HeapGraph, owner: &[NodeOrdinal]) -> Vec<u64> {
    let synthetic = g.node_type_index("synthetic");
    let mut size = g.nodes().self_sizes().to_vec();
    for (v, &o) in g.nodes().ordinals().zip(owner) {
        if o == UNVISITED
            || o == MULTIPLE
            || o == v
            || o == NodeOrdinal::ROOT
            || Some(g.nodes().kind(o)) == synthetic
        {
            continue;
        }
        size[o.index()] += size[v.index()];
        size[v.index()] = 0;
    }
    size
}

#[cfg(test)]
mod tests {
    use super::adjusted_sizes;
    use crate::snapshot::tests::load;

    #[test]
    fn the_owners_found_do_not_depend_on_the_thread_count() {
        for case in ["node-leak", "browser-detached"] {
            let g = load(&format!(
                "../../fixtures/heapsnapshot/{case}/input.heapsnapshot.gz"
            ));
            let on = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| adjusted_sizes(&g))
            };
            let one = on(1);
            assert_ne!(one, g.nodes().self_sizes(), "{case}: nothing moved");
            assert_eq!(on(2), one, "{case}");
            assert_eq!(on(4), one, "{case}");
        }
    }
}
