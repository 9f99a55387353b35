//! Page-owned nodes and user roots (formats §7.3).

use std::marker::PhantomData;

use heapdiff_model::{HeapGraph, NodeOrdinal, SnapshotStringId};

/// The nodes reachable (over non-weak edges) from the root's shortcut
/// targets and from `(Document DOM trees)`.
pub(crate) fn page_owned(g: &HeapGraph) -> BitSet<NodeOrdinal> {
    let shortcut = g.edge_type_index("shortcut");
    let element = g.edge_type_index("element");
    let weak = g.edge_type_index("weak");
    let mut sweep = Sweep::new(g.n_nodes());
    for e in g.edges_of(NodeOrdinal::ROOT) {
        let to = g.edges().target(e);
        let k = Some(g.edges().kind(e));
        if k == shortcut || (k == element && is_document_dom_trees(g, to)) {
            sweep.reach(to);
        }
    }
    // A type index no edge has when there is no `weak` type.
    let weak = weak.map_or(u16::MAX, u16::from);
    sweep.run(|v, sweep| {
        let edges = g.edge_range(v);
        let kinds = &g.edges().kinds()[edges.clone()];
        let targets = &g.edges().targets()[edges];
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
    reached: BitSet<NodeOrdinal>,
    /// The next ordinal the sweep expands.
    next: NodeOrdinal,
    stack: Vec<NodeOrdinal>,
}

impl Sweep {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            reached: BitSet::new(n),
            next: NodeOrdinal::ROOT,
            stack: Vec::new(),
        }
    }

    /// Marks `v` reached; it is expanded later exactly once.
    pub(crate) fn reach(&mut self, v: NodeOrdinal) {
        if self.reached.insert(v) && v < self.next {
            self.stack.push(v);
        }
    }

    /// Expands every reached node with `expand`, which calls
    /// [`Sweep::reach`] on the targets; returns the reached set.
    pub(crate) fn run(
        mut self,
        mut expand: impl FnMut(NodeOrdinal, &mut Self),
    ) -> BitSet<NodeOrdinal> {
        let n = self.reached.len();
        while self.next.index() < n {
            let v = self.next;
            self.next = NodeOrdinal::new(v.raw() + 1);
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

/// What a [`BitSet`] holds: a typed position.
pub(crate) trait Member: Copy {
    fn position(self) -> usize;
}

impl Member for NodeOrdinal {
    #[inline]
    fn position(self) -> usize {
        self.index()
    }
}

impl Member for SnapshotStringId {
    #[inline]
    fn position(self) -> usize {
        self.index()
    }
}

/// A fixed-size set of node ordinals (or of other positions).
pub(crate) struct BitSet<I> {
    words: Vec<u64>,
    len: usize,
    of: PhantomData<I>,
}

impl<I: Member> BitSet<I> {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            words: vec![0; n.div_ceil(64)],
            len: n,
            of: PhantomData,
        }
    }

    /// The set of `len` positions whose members are the set bits of
    /// `words` (bit `i % 64` of word `i / 64` for position `i`).
    pub(crate) fn from_words(words: Vec<u64>, len: usize) -> Self {
        debug_assert_eq!(words.len(), len.div_ceil(64));
        Self {
            words,
            len,
            of: PhantomData,
        }
    }

    /// The capacity (positions below it can be members).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn contains(&self, v: I) -> bool {
        let i = v.position();
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Adds `v`; true when it was not in the set yet.
    #[inline]
    pub(crate) fn insert(&mut self, v: I) -> bool {
        let i = v.position();
        let word = &mut self.words[i / 64];
        let bit = 1 << (i % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

pub(crate) fn is_document_dom_trees(g: &HeapGraph, v: NodeOrdinal) -> bool {
    g.node_type(v) == "synthetic" && g.node_name(v) == "(Document DOM trees)"
}

/// A direct child of the root (through any edge) that is not synthetic, or
/// is `(Document DOM trees)`.
pub(crate) fn is_user_root(g: &HeapGraph, v: NodeOrdinal) -> bool {
    g.node_type(v) != "synthetic" || is_document_dom_trees(g, v)
}

/// The snapshot has at least one user root.
pub(crate) fn has_user_roots(g: &HeapGraph) -> bool {
    g.edges_of(NodeOrdinal::ROOT)
        .any(|e| is_user_root(g, g.edges().target(e)))
}
