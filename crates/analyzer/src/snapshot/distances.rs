//! Distances: BFS levels from the user roots, then from the root for what
//! only system roots reach (formats §7.7), with DevTools' edge filters.
//!
//! The filters' names are resolved to string indices once (node names by
//! [`SpecialNames`], WeakMap pair names by [`PairNames`]), so the per-edge
//! work is integer compares.

use heapdiff_model::HeapGraph;

use super::weakmap::PairNames;
use super::{BASE_SYSTEM_DISTANCE, NO_DISTANCE, flags};

pub(crate) fn compute(g: &HeapGraph, has_user_roots: bool) -> Vec<i32> {
    let n = g.n_nodes();
    let mut bfs = Bfs::new(g);
    let mut levels = Levels::new(n);
    for e in g.edge_range(0) {
        let to = g.edges.to[e];
        if flags::is_user_root(g, to) && !levels.reached(to) {
            levels.set(to, 1);
        }
    }
    bfs.run(g, &mut levels);
    let base = if has_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    levels.set(0, base);
    bfs.run(g, &mut levels);
    levels.dist
}

/// Distances with a FIFO queue of the nodes still to expand. Every node
/// is reached at most once, so the queue is a vector with a read position;
/// a bit set of reached nodes keeps the hot check in cache.
struct Levels {
    dist: Vec<i32>,
    reached: Vec<u64>,
    queue: Vec<u32>,
    head: usize,
}

impl Levels {
    fn new(n: usize) -> Self {
        Self {
            dist: vec![NO_DISTANCE; n],
            reached: vec![0; n.div_ceil(64)],
            queue: Vec::with_capacity(n),
            head: 0,
        }
    }

    fn reached(&self, v: u32) -> bool {
        self.reached[v as usize / 64] & (1 << (v % 64)) != 0
    }

    /// Gives `v` its distance and queues it. (The root may be set twice:
    /// phase 2 restarts from it.)
    fn set(&mut self, v: u32, d: i32) {
        self.reached[v as usize / 64] |= 1 << (v % 64);
        self.dist[v as usize] = d;
        self.queue.push(v);
    }

    fn pop(&mut self) -> Option<u32> {
        let v = self.queue.get(self.head).copied()?;
        self.head += 1;
        Some(v)
    }
}

/// Bits of [`SpecialNames`].
const NATIVE_CONTEXT: u8 = 1;
const MAP_DESCRIPTORS: u8 = 2;
const SLOPPY_FUNCTION_MAP: u8 = 4;

/// Which strings are the names the filters look for.
struct SpecialNames {
    bits: Vec<u8>,
}

impl SpecialNames {
    fn new(g: &HeapGraph) -> Self {
        let bits = (0..g.strings.len() as u32)
            .map(|s| match g.strings.get(s) {
                "system / NativeContext" => NATIVE_CONTEXT,
                "(map descriptors)" => MAP_DESCRIPTORS,
                "sloppy_function_map" => SLOPPY_FUNCTION_MAP,
                _ => 0,
            })
            .collect();
        Self { bits }
    }

    /// True when string `s` is (out-of-range indices read as `""`).
    fn is(&self, s: u32, bit: u8) -> bool {
        self.bits.get(s as usize).is_some_and(|&b| b & bit != 0)
    }
}

/// The node-dependent filter of an edge's source (formats §7.7 a, b).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Plain,
    NativeContext,
    MapDescriptors,
}

struct Bfs {
    weak: Option<u8>,
    internal: Option<u8>,
    element: Option<u8>,
    hidden_edge: Option<u8>,
    hidden: Option<u8>,
    array: Option<u8>,
    names: SpecialNames,
    pairs: PairNames,
    /// WeakMap pair parts seen once, by part id (formats §7.7 filter c);
    /// persists across both phases.
    seen_pairs: Vec<bool>,
}

impl Bfs {
    fn new(g: &HeapGraph) -> Self {
        let pairs = PairNames::build(g);
        Self {
            weak: g.edge_type_index("weak"),
            internal: g.edge_type_index("internal"),
            element: g.edge_type_index("element"),
            hidden_edge: g.edge_type_index("hidden"),
            hidden: g.node_type_index("hidden"),
            array: g.node_type_index("array"),
            names: SpecialNames::new(g),
            seen_pairs: vec![false; pairs.n_parts()],
            pairs,
        }
    }

    fn run(&mut self, g: &HeapGraph, levels: &mut Levels) {
        while let Some(v) = levels.pop() {
            let d = levels.dist[v as usize] + 1;
            let source = self.source(g, v);
            for e in g.edge_range(v) {
                if Some(g.edges.kind[e]) == self.weak {
                    continue;
                }
                let c = g.edges.to[e];
                if levels.reached(c) || !self.allows(g, source, e) {
                    continue;
                }
                levels.set(c, d);
            }
        }
    }

    fn source(&self, g: &HeapGraph, v: u32) -> Source {
        let kind = Some(g.nodes.kind[v as usize]);
        let name = g.nodes.name[v as usize];
        if kind == self.hidden && self.names.is(name, NATIVE_CONTEXT) {
            Source::NativeContext
        } else if kind == self.array && self.names.is(name, MAP_DESCRIPTORS) {
            Source::MapDescriptors
        } else {
            Source::Plain
        }
    }

    /// `element` and `hidden` edges carry an index, not a name.
    fn numeric(&self, e_kind: u8) -> bool {
        Some(e_kind) == self.element || Some(e_kind) == self.hidden_edge
    }

    fn allows(&mut self, g: &HeapGraph, source: Source, e: usize) -> bool {
        let e_kind = g.edges.kind[e];
        let name = g.edges.name_or_index[e];
        match source {
            Source::NativeContext => {
                if !self.numeric(e_kind) && self.names.is(name, SLOPPY_FUNCTION_MAP) {
                    return false;
                }
            }
            Source::MapDescriptors => return self.allows_descriptor(g, e),
            Source::Plain => {}
        }
        if Some(e_kind) == self.internal {
            if let Some(part) = self.pairs.part(name) {
                // First sighting rejects and remembers; the second allows
                // and forgets.
                let seen = &mut self.seen_pairs[part as usize];
                *seen = !*seen;
                return !*seen;
            }
        }
        true
    }

    /// Legacy `(map descriptors)` filter: indices ≥ 2 with `index mod 3 ==
    /// 1` are rejected; a name that is not a number is allowed.
    fn allows_descriptor(&self, g: &HeapGraph, e: usize) -> bool {
        let index = if self.numeric(g.edges.kind[e]) {
            Some(g.edges.name_or_index[e])
        } else {
            g.strings.get(g.edges.name_or_index[e]).parse::<u32>().ok()
        };
        !index.is_some_and(|i| i >= 2 && i % 3 == 1)
    }
}
