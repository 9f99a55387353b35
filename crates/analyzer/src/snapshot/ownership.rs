//! Shallow size reassignment of owned internal storage (formats §7.5): an
//! object's private backing stores and contexts count in its own size.

use std::sync::atomic::{AtomicU32, Ordering};

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
        let o = self.owner[v.index()];
        for t in ownable_targets(self.g, self.weak, &self.ownable, v) {
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

/// The ownable targets of `v`'s non-weak edges.
#[inline]
fn ownable_targets<'g>(
    g: &'g HeapGraph,
    weak: Option<u8>,
    ownable: &'g BitSet<NodeOrdinal>,
    v: NodeOrdinal,
) -> impl Iterator<Item = NodeOrdinal> + 'g {
    let edges = g.edge_range(v);
    let kinds = &g.edges().kinds()[edges.clone()];
    let targets = &g.edges().targets()[edges];
    kinds
        .iter()
        .zip(targets)
        .filter(move |&(&kind, &t)| Some(kind) != weak && ownable.contains(t))
        .map(|(_, &t)| t)
}

/// Nodes per parallel task of [`adjusted_sizes_on_threads`] (small in
/// tests, so that the fixtures are split among threads too).
const CHUNK: usize = if cfg!(test) { 1 << 6 } else { 1 << 16 };

/// [`adjusted_sizes`] on every thread of the pool, 8 bytes a size, for
/// the commands whose critical path it is (a timeline's live sizes); the
/// snapshot analysis keeps the sequential one, which runs beside the
/// dominator chain there.
///
/// The fixpoint does not depend on how many threads visit: the
/// non-ownable nodes are expanded in parallel chunks of ordinals, each task
/// then expanding the ownable nodes whose owner it changed (a
/// compare-and-swap moves an owner up the lattice; whoever moves it
/// expands the node again).
pub(crate) fn adjusted_sizes_on_threads(g: &HeapGraph) -> Vec<u64> {
    use rayon::prelude::*;
    let ownable = ownable_nodes_on_threads(g);
    let weak = g.edge_type_index("weak");
    let owner: Vec<AtomicU32> = (0..g.n_nodes())
        .into_par_iter()
        .map(NodeOrdinal::from_index)
        .map(|v| AtomicU32::new(if ownable.contains(v) { UNVISITED } else { v }.raw()))
        .collect();
    let expand = |v: NodeOrdinal, work: &mut Vec<NodeOrdinal>| {
        let o = owner[v.index()].load(Ordering::Relaxed);
        for t in ownable_targets(g, weak, &ownable, v) {
            if join(&owner[t.index()], o) {
                work.push(t);
            }
        }
    };
    let n = g.n_nodes();
    (0..n.div_ceil(CHUNK)).into_par_iter().for_each(|c| {
        let mut work = Vec::new();
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let v = NodeOrdinal::from_index(i);
            if !ownable.contains(v) {
                expand(v, &mut work);
            }
        }
        while let Some(v) = work.pop() {
            expand(v, &mut work);
        }
    });
    let sizes = g.nodes().self_sizes();
    let mut size: Vec<u64> = (0..n).into_par_iter().map(|i| sizes.get(i)).collect();
    move_wide_sizes(g, &mut size, |v| {
        NodeOrdinal::new(owner[v.index()].load(Ordering::Relaxed))
    });
    size
}

/// [`move_sizes`] on sizes already widened to 8 bytes. Only ownable
/// nodes are moved and only non-ownable ones own, so no size moves twice
/// and the order of the moves does not matter.
fn move_wide_sizes(g: &HeapGraph, size: &mut [u64], owner: impl Fn(NodeOrdinal) -> NodeOrdinal) {
    let synthetic = g.node_type_index("synthetic");
    for v in g.nodes().ordinals() {
        let o = owner(v);
        if !moves_size(g, synthetic, v, o) {
            continue;
        }
        size[o.index()] += size[v.index()];
        size[v.index()] = 0;
    }
}

/// Whether `v`'s size moves to `o`, its owner after the propagation: only
/// a single owner other than `v` itself, the root or a synthetic node
/// takes it.
#[inline]
fn moves_size(g: &HeapGraph, synthetic: Option<u8>, v: NodeOrdinal, o: NodeOrdinal) -> bool {
    o != UNVISITED
        && o != MULTIPLE
        && o != v
        && o != NodeOrdinal::ROOT
        && Some(g.nodes().kind(o)) != synthetic
}

/// Moves `slot`'s owner to its join with `o`; true when it changed.
fn join(slot: &AtomicU32, o: u32) -> bool {
    let mut current = slot.load(Ordering::Relaxed);
    loop {
        let joined = if current == UNVISITED.raw() {
            o
        } else if current == o || current == MULTIPLE.raw() {
            return false;
        } else {
            MULTIPLE.raw()
        };
        match slot.compare_exchange_weak(current, joined, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(now) => current = now,
        }
    }
}

/// `hidden` and `array` nodes, and `native` nodes named
/// `system / ExternalStringData`.
fn ownable_nodes(g: &HeapGraph) -> BitSet<NodeOrdinal> {
    let is_ownable = ownable_test(g);
    let mut set = BitSet::new(g.n_nodes());
    for v in g.nodes().ordinals() {
        if is_ownable(v) {
            set.insert(v);
        }
    }
    set
}

/// Whether a node is ownable (see [`ownable_nodes`]).
fn ownable_test(g: &HeapGraph) -> impl Fn(NodeOrdinal) -> bool + Sync + '_ {
    let hidden = g.node_type_index("hidden");
    let array = g.node_type_index("array");
    let native = g.node_type_index("native");
    move |v| {
        let k = Some(g.nodes().kind(v));
        k == hidden
            || k == array
            || (k == native && g.node_name(v) == "system / ExternalStringData")
    }
}

/// [`ownable_nodes`], 64 nodes (one word of the set) per parallel item.
fn ownable_nodes_on_threads(g: &HeapGraph) -> BitSet<NodeOrdinal> {
    use rayon::prelude::*;
    let n = g.n_nodes();
    let is_ownable = ownable_test(g);
    let words = (0..n.div_ceil(64))
        .into_par_iter()
        .map(|w| {
            (w * 64..(w * 64 + 64).min(n)).fold(0u64, |word, i| {
                let bit = u64::from(is_ownable(NodeOrdinal::from_index(i)));
                word | (bit << (i % 64))
            })
        })
        .collect();
    BitSet::from_words(words, n)
}

/// Moves each singly-owned node's size to its owner, unless the owner is
/// the root or synthetic.
fn move_sizes(g: &HeapGraph, owner: &[NodeOrdinal]) -> Sizes {
    let synthetic = g.node_type_index("synthetic");
    let mut size = g.nodes().self_sizes().clone();
    for (v, &o) in g.nodes().ordinals().zip(owner) {
        if !moves_size(g, synthetic, v, o) {
            continue;
        }
        size.set(o.index(), size.get(o.index()) + size.get(v.index()));
        size.set(v.index(), 0);
    }
    size
}

#[cfg(test)]
mod tests {
    use heapdiff_model::{EdgeColumns, NodeColumns, SnapshotStringId, SnapshotStrings};

    use super::*;

    /// A graph of `n` nodes of every ownable and non-ownable type, with
    /// `m` edges (weak ones among them) drawn by a small LCG from `seed`:
    /// the root (synthetic) holds user roots, ownable nodes chain to other
    /// ownable nodes, and some have several owners.
    fn random_graph(seed: u64, n: usize, m: usize) -> HeapGraph {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
        let mut next = |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below
        };
        let mut strings = SnapshotStrings::new();
        strings.push("");
        strings.push("system / ExternalStringData");
        // Types: 0 hidden, 1 array, 2 object, 3 synthetic, 4 native.
        let kinds: Vec<u8> = (0..n)
            .map(|v| {
                if v == 0 {
                    3
                } else {
                    [0, 1, 2, 2, 3, 4][next(6)]
                }
            })
            .collect();
        let names = (0..n)
            .map(|_| SnapshotStringId::new(u32::from(next(2) == 0)))
            .collect();
        let ids = (0..n).map(|v| u32::try_from(2 * v + 1).unwrap()).collect();
        let sizes = (0..n).map(|_| next(100) as u64).collect();
        let mut edges: Vec<(usize, usize, u8)> = (0..m)
            .map(|_| (next(n), next(n), u8::from(next(8) == 0)))
            .collect();
        edges.extend((1..6).map(|t| (0, t, 0)));
        edges.sort_by_key(|e| e.0);
        let mut first = vec![0u32; n + 1];
        for &(a, _, _) in &edges {
            first[a + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut g = HeapGraph::new(
            NodeColumns::new(kinds, names, (ids, Vec::new()), sizes),
            first,
            EdgeColumns::new(
                edges.iter().map(|e| e.2).collect(),
                vec![0; edges.len()],
                edges.iter().map(|e| NodeOrdinal::from_index(e.1)).collect(),
            ),
        );
        g.strings = strings;
        g.node_types = ["hidden", "array", "object", "synthetic", "native"]
            .map(String::from)
            .to_vec();
        g.edge_types = vec!["property".into(), "weak".into()];
        g
    }

    #[test]
    fn on_threads_the_sizes_are_the_sequential_ones() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for seed in 0..40usize {
            let n = 50 + 97 * (seed % 30);
            let g = random_graph(u64::try_from(seed).unwrap(), n, 3 * n);
            let sequential = adjusted_sizes(&g);
            assert_ne!(
                &sequential,
                g.nodes().self_sizes(),
                "seed {seed} moves no size"
            );
            assert_eq!(
                pool.install(|| adjusted_sizes_on_threads(&g)),
                sequential.to_vec(),
                "seed {seed}"
            );
        }
    }
}
