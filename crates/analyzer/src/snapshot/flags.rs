//! Page-owned nodes and user roots (formats §7.3).

use heapdiff_model::HeapGraph;

/// The nodes reachable (over non-weak edges) from the root's shortcut
/// targets and from `(Document DOM trees)`.
pub(crate) fn page_owned(g: &HeapGraph) -> BitSet {
    let shortcut = g.edge_type_index("shortcut");
    let element = g.edge_type_index("element");
    let weak = g.edge_type_index("weak");
    let mut sweep = Sweep::new(g.n_nodes());
    for e in g.edge_range(0) {
        let to = g.edges.to[e];
        let k = Some(g.edges.kind[e]);
        if k == shortcut || (k == element && is_document_dom_trees(g, to)) {
            sweep.reach(to);
        }
    }
    // A type index no edge has when there is no `weak` type.
    let weak = weak.map_or(u16::MAX, u16::from);
    sweep.run(|v, sweep| {
        let edges = g.edge_range(v);
        let kinds = &g.edges.kind[edges.clone()];
        let targets = &g.edges.to[edges];
        for (&k, &w) in kinds.iter().zip(targets) {
            if u16::from(k) != weak {
                sweep.reach(w);
            }
        }
    })
}

/// Reachability that expands nodes in ordinal order where it can. Most
/// edges of a V8 snapshot point forward, so most nodes are expanded by a
/// sequential sweep over the edge arrays; a node reached only after the
/// sweep passed it is expanded from a stack. The reached set is the same
/// as with any other search order.
pub(crate) struct Sweep {
    reached: BitSet,
    /// The next ordinal the sweep expands.
    next: u32,
    stack: Vec<u32>,
}

impl Sweep {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            reached: BitSet::new(n),
            next: 0,
            stack: Vec::new(),
        }
    }

    /// Marks `v` reached; it is expanded later exactly once.
    pub(crate) fn reach(&mut self, v: u32) {
        if self.reached.insert(v) && v < self.next {
            self.stack.push(v);
        }
    }

    /// Expands every reached node with `expand`, which calls
    /// [`Sweep::reach`] on the targets; returns the reached set.
    pub(crate) fn run(mut self, mut expand: impl FnMut(u32, &mut Self)) -> BitSet {
        let n = self.reached.len() as u32;
        while self.next < n {
            let v = self.next;
            self.next += 1;
            if !self.reached.contains(v) {
                continue;
            }
            expand(v, &mut self);
            while let Some(w) = self.stack.pop() {
                expand(w, &mut self);
            }
        }
        self.reached
    }
}

/// A fixed-size set of node ordinals.
pub(crate) struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            words: vec![0; n.div_ceil(64)],
            len: n,
        }
    }

    /// The capacity (ordinals below it can be members).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn contains(&self, v: u32) -> bool {
        self.words[v as usize / 64] & (1 << (v % 64)) != 0
    }

    /// Adds `v`; true when it was not in the set yet.
    pub(crate) fn insert(&mut self, v: u32) -> bool {
        let word = &mut self.words[v as usize / 64];
        let bit = 1 << (v % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
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
