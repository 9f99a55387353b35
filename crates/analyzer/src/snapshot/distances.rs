//! Distances: BFS levels from the user roots, then from the root for what
//! only system roots reach (formats §7.7), with DevTools' edge filters.
//!
//! The BFS touches each node's data as little as possible: the filters'
//! names are resolved once (source nodes by [`Sources`], WeakMap pair
//! names by [`PairNames`]), reached nodes are a bit set, and the queue
//! carries each node's distance.

use heapdiff_model::{EdgePosition, HeapGraph, NodeOrdinal, SnapshotStringId};
use rayon::prelude::*;

use super::flags::{self, BitSet};
use super::prefetch::prefetch;
use super::weakmap::PairNames;
use super::{BASE_SYSTEM_DISTANCE, NO_DISTANCE};

/// Nodes per parallel task.
const CHUNK: usize = 1 << 16;

pub(crate) fn compute(g: &HeapGraph, pairs: &PairNames, has_user_roots: bool) -> Vec<i32> {
    let n = g.n_nodes();
    let mut bfs = Bfs::new(g, pairs);
    let mut levels = Levels::new(n);
    for e in g.edges_of(NodeOrdinal::ROOT) {
        let to = g.edges().target(e);
        if flags::is_user_root(g, to) && !levels.reached.contains(to) {
            levels.seed(to, 1);
        }
    }
    bfs.run(g, &mut levels);
    let base = if has_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    levels.seed(NodeOrdinal::ROOT, base);
    bfs.run(g, &mut levels);
    levels.dist
}

/// Distances with a FIFO queue of nodes still to expand. Every node is
/// reached at most once, so the queue is a vector with a read position.
/// Distances only grow along the queue, one level after the other, so it
/// holds nodes only: `level` is the distance of the entries before
/// `level_end`.
struct Levels {
    dist: Vec<i32>,
    reached: BitSet<NodeOrdinal>,
    queue: Vec<NodeOrdinal>,
    head: usize,
    level: i32,
    level_end: usize,
}

impl Levels {
    fn new(n: usize) -> Self {
        Self {
            dist: vec![NO_DISTANCE; n],
            reached: BitSet::new(n),
            queue: Vec::with_capacity(n),
            head: 0,
            level: 0,
            level_end: 0,
        }
    }

    /// Starts a search at `v`, at distance `d`: the nodes queued and not
    /// yet expanded are at `d` too. (The root may be seeded after being
    /// reached: phase 2 restarts from it.)
    fn seed(&mut self, v: NodeOrdinal, d: i32) {
        self.set(v, d);
        self.level = d;
        self.level_end = self.queue.len();
    }

    /// Gives `v` its distance and queues it.
    fn set(&mut self, v: NodeOrdinal, d: i32) {
        self.reached.insert(v);
        self.dist[v.index()] = d;
        self.queue.push(v);
    }

    fn pop(&mut self) -> Option<(NodeOrdinal, i32)> {
        let v = *self.queue.get(self.head)?;
        if self.head == self.level_end {
            self.level += 1;
            self.level_end = self.queue.len();
        }
        self.head += 1;
        Some((v, self.level))
    }
}

/// The source-node filters (formats §7.7 a, b): `hidden` nodes named
/// `system / NativeContext` and `array` nodes named `(map descriptors)`.
/// Both are rare, so they are found once in a parallel scan.
struct Sources {
    native_context: BitSet<NodeOrdinal>,
    map_descriptors: BitSet<NodeOrdinal>,
}

impl Sources {
    fn new(g: &HeapGraph) -> Self {
        let hidden = g.node_type_index("hidden");
        let array = g.node_type_index("array");
        let find = |kind: Option<u8>, name: &str| {
            let n = g.n_nodes();
            let found: Vec<Vec<NodeOrdinal>> = (0..n.div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| {
                    (c * CHUNK..((c + 1) * CHUNK).min(n))
                        .map(NodeOrdinal::from_index)
                        .filter(|&v| Some(g.nodes().kind(v)) == kind && g.node_name(v) == name)
                        .collect()
                })
                .collect();
            let mut set = BitSet::new(n);
            for v in found.into_iter().flatten() {
                set.insert(v);
            }
            set
        };
        Self {
            native_context: find(hidden, "system / NativeContext"),
            map_descriptors: find(array, "(map descriptors)"),
        }
    }
}

struct Bfs<'a> {
    weak: Option<u8>,
    internal: Option<u8>,
    element: Option<u8>,
    hidden_edge: Option<u8>,
    sources: Sources,
    /// String indices named `sloppy_function_map`.
    sloppy_function_map: Vec<SnapshotStringId>,
    pairs: &'a PairNames,
    /// WeakMap pair parts seen once, by part id (formats §7.7 filter c);
    /// persists across both phases.
    seen_pairs: Vec<bool>,
}

impl<'a> Bfs<'a> {
    fn new(g: &HeapGraph, pairs: &'a PairNames) -> Self {
        Self {
            weak: g.edge_type_index("weak"),
            internal: g.edge_type_index("internal"),
            element: g.edge_type_index("element"),
            hidden_edge: g.edge_type_index("hidden"),
            sources: Sources::new(g),
            sloppy_function_map: g
                .strings
                .ids()
                .filter(|&s| g.strings.get(s) == "sloppy_function_map")
                .collect(),
            seen_pairs: vec![false; pairs.n_parts()],
            pairs,
        }
    }

    fn run(&mut self, g: &HeapGraph, levels: &mut Levels) {
        const AHEAD: usize = 8;
        while let Some((v, d)) = levels.pop() {
            // The queue holds the nodes to expand next: fetch their edge
            // offsets, then (once those are in) their edges.
            let first_edge = g.first_edges();
            if let Some(&w) = levels.queue.get(levels.head + 2 * AHEAD) {
                prefetch(first_edge, w.index());
            }
            if let Some(&w) = levels.queue.get(levels.head + AHEAD) {
                let first = first_edge[w.index()] as usize;
                prefetch(g.edges().targets(), first);
                prefetch(g.edges().kinds(), first);
            }
            if self.sources.native_context.contains(v) || self.sources.map_descriptors.contains(v) {
                self.expand_special(g, levels, v, d + 1);
                continue;
            }
            // The edge columns as slices: every reached node's edges pass here.
            let edges = g.edge_range(v);
            let names = &g.edges().names_or_indices()[edges.clone()];
            let kinds = &g.edges().kinds()[edges.clone()];
            let targets = &g.edges().targets()[edges];
            for (i, (&kind, &c)) in kinds.iter().zip(targets).enumerate() {
                let kind = Some(kind);
                if kind == self.weak || levels.reached.contains(c) {
                    continue;
                }
                // The name is read only for `internal` edges.
                if kind == self.internal && !self.pair_allows(SnapshotStringId::new(names[i])) {
                    continue;
                }
                levels.set(c, d + 1);
            }
        }
    }

    /// Expands a node with a source filter (rare; the slow path).
    fn expand_special(&mut self, g: &HeapGraph, levels: &mut Levels, v: NodeOrdinal, d: i32) {
        let descriptors = self.sources.map_descriptors.contains(v);
        for e in g.edges_of(v) {
            let c = g.edges().target(e);
            if Some(g.edges().kind(e)) == self.weak || levels.reached.contains(c) {
                continue;
            }
            let allowed = if descriptors {
                self.allows_descriptor(g, e)
            } else {
                self.allows_native_context(g, e)
            };
            if allowed {
                levels.set(c, d);
            }
        }
    }

    /// `element` and `hidden` edges carry an index, not a name.
    fn numeric(&self, e_kind: u8) -> bool {
        Some(e_kind) == self.element || Some(e_kind) == self.hidden_edge
    }

    /// Filter (a), then the pair filter (c).
    fn allows_native_context(&mut self, g: &HeapGraph, e: EdgePosition) -> bool {
        let kind = g.edges().kind(e);
        let name = g.edges().name(e);
        if !self.numeric(kind) && self.sloppy_function_map.contains(&name) {
            return false;
        }
        Some(kind) != self.internal || self.pair_allows(name)
    }

    /// Filter (c) for an `internal` edge named `name`: the first sighting
    /// of a pair part rejects and remembers it; the second allows and
    /// forgets it.
    fn pair_allows(&mut self, name: SnapshotStringId) -> bool {
        let Some(part) = self.pairs.part(name) else {
            return true;
        };
        let seen = &mut self.seen_pairs[part as usize];
        *seen = !*seen;
        !*seen
    }

    /// Legacy `(map descriptors)` filter (b), which replaces (c): indices
    /// ≥ 2 with `index mod 3 == 1` are rejected; a name that is not a
    /// number is allowed.
    fn allows_descriptor(&self, g: &HeapGraph, e: EdgePosition) -> bool {
        let index = if self.numeric(g.edges().kind(e)) {
            Some(g.edges().name_or_index(e))
        } else {
            g.strings.get(g.edges().name(e)).parse::<u32>().ok()
        };
        !index.is_some_and(|i| i >= 2 && i % 3 == 1)
    }
}
