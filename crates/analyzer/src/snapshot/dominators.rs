//! Dominator tree over the essential edges (formats §7.6), with DevTools'
//! augmentation: nodes with no essential retainer at all ("orphans") and
//! nodes still unreached after them ("leftovers") get an imagined edge from
//! the root. Dominators are a property of the graph, so any correct
//! algorithm on the augmented graph gives DevTools' results; this one is
//! Lengauer–Tarjan's semidominators with path compression followed by the
//! nearest-common-ancestor step (semi-NCA), over flat arrays and with no
//! recursion. `petgraph`'s `simple_fast` is its oracle in the property tests.
//!
//! The search reads one slot per edge: the target of a candidate edge (or
//! [`NOT_RETAINING`]), judged beforehand, and applies the page rule
//! ([`PageRule`]) as it passes the edge; every edge is passed exactly once,
//! by the search from whichever start reaches its node. It then leaves the
//! target's number in the slot, for the predecessor lists.
//!
//! Inside, nodes, preorder numbers and slots are raw `u32`s: one array
//! changes meaning from step to step (a slot holds a target ordinal, then
//! a preorder number; the arrays of one step become those of the next,
//! see [`Buffers`]), so no single index type fits them. The public
//! [`Dominators`] reads them as [`NodeOrdinal`]s.

use std::sync::OnceLock;

use heapdiff_model::cast::to_u32;
use heapdiff_model::{EdgePosition, HeapGraph, NodeOrdinal, memory};

use super::pages::Handoff;
use super::prefetch::prefetch;

const NONE: u32 = u32::MAX;

/// How many reads ahead prefetches are issued.
const LOOKAHEAD: usize = 16;

/// What the search reads per edge: the target's ordinal when the edge can
/// retain, else this.
pub(crate) const NOT_RETAINING: u32 = u32::MAX;

/// The part of the essential-edge rules that is judged during the search
/// (page ownership, which is worked out while the rest is judged).
pub(crate) trait PageRule {
    /// What the rule needs of a source node, looked up once for all its
    /// edges.
    type Source: Copy;

    /// The facts of node `u`.
    fn source(&self, u: NodeOrdinal) -> Self::Source;

    /// Whether a candidate edge from `source` to `w` retains.
    fn retains(&self, source: Self::Source, w: NodeOrdinal) -> bool;
}

/// No page rule: the candidates are the essential edges.
struct Candidates;

impl PageRule for Candidates {
    type Source = ();

    fn source(&self, _: NodeOrdinal) {}

    fn retains(&self, (): (), _: NodeOrdinal) -> bool {
        true
    }
}

/// The dominator tree.
#[derive(Debug, Clone)]
pub struct Dominators {
    /// Immediate dominator of every node by ordinal, made from the tree
    /// order on first use: see [`Dominators::idom`].
    idom: OnceLock<Vec<NodeOrdinal>>,
    /// Nodes in a preorder of the dominator tree (the root first), where
    /// every subtree is contiguous: the node at position `i` heads the
    /// `tree_size[i]` positions from `i`. Raw ordinals (the array is
    /// recycled from the search's): read them with [`Dominators::node_at`]
    /// or as `NodeOrdinal::new`.
    pub tree_order: Vec<u32>,
    /// Number of nodes in the dominator subtree of the node at each
    /// position of `tree_order` (itself included).
    pub tree_size: Vec<u32>,
    /// Nodes reached only through the augmentation (orphans and leftovers).
    pub n_unreachable: u64,
}

impl Dominators {
    /// Immediate dominator of every node, by ordinal; the root's is the
    /// root. The Summary does not need them, so they are made from the
    /// tree order the first time they are asked for: a node's dominator is
    /// the nearest position before it whose subtree holds it.
    pub fn idom(&self) -> &[NodeOrdinal] {
        self.idom.get_or_init(|| {
            let mut idom = vec![NodeOrdinal::ROOT; self.tree_order.len()];
            // (end of the subtree, node) of the open subtrees, innermost last.
            let mut open: Vec<(usize, NodeOrdinal)> = Vec::new();
            for (at, (&v, &size)) in self.tree_order.iter().zip(&self.tree_size).enumerate() {
                let v = NodeOrdinal::new(v);
                while open.last().is_some_and(|&(end, _)| end <= at) {
                    open.pop();
                }
                idom[v.index()] = open.last().map_or(v, |&(_, up)| up);
                open.push((at + size as usize, v));
            }
            idom
        })
    }

    /// The node at position `at` of the tree order.
    #[inline]
    #[must_use]
    pub fn node_at(&self, at: usize) -> NodeOrdinal {
        NodeOrdinal::new(self.tree_order[at])
    }
}

/// Computes the dominator tree of `g` over the edges flagged `essential`.
#[must_use]
pub fn compute(g: &HeapGraph, essential: &[bool]) -> Dominators {
    let slots = g
        .edges()
        .targets()
        .iter()
        .zip(essential)
        .map(|(&w, &keep)| if keep { w.raw() } else { NOT_RETAINING })
        .collect();
    compute_with(
        g,
        slots,
        &Candidates,
        SearchArrays::new(g.n_nodes()),
        &Handoff::new(),
    )
    .0
}

/// Computes the dominator tree over the candidate edges (`slots`, see
/// [`NOT_RETAINING`]) that `page` lets retain. `slots` becomes the
/// search's record of target numbers. The search fills `search`; the
/// predecessor lists take their array from `preds` if one was handed
/// over (see [`super::pages`]), and give it back with the tree, for the
/// running sums of sizes.
pub(crate) fn compute_with<P: PageRule + ?Sized>(
    g: &HeapGraph,
    slots: Vec<u32>,
    page: &P,
    search: SearchArrays,
    preds: &Handoff<u64>,
) -> (Dominators, Vec<u64>) {
    use heapdiff_model::steps::time;
    let mut dfs = Dfs::new(search, slots);
    time("dominators.search", || {
        dfs.run(g, page, NodeOrdinal::ROOT, NONE)
    });
    let reached = dfs.preorder.len();
    let from_root = time("dominators.augment", || augment(g, page, &mut dfs));
    let preds = time("dominators.predecessors", || {
        Preds::build(g, &mut dfs, &from_root, preds)
    });
    drop(from_root);
    // Each step below takes its arrays from those the steps before have
    // finished with: fresh memory costs a page fault per 4 KiB, which on
    // these sizes is a good part of the time.
    let Dfs {
        number,
        preorder,
        parent,
        slots,
        ..
    } = dfs;
    let (idom_pre, forest) = time("dominators.semi_nca", || {
        semi_nca(&parent, &preds, Buffers([slots, number]))
    });
    let Preds { first, store } = preds;
    let tree = time("dominators.tree", || {
        tree(
            &preorder,
            &idom_pre,
            reached,
            Buffers([first, parent, forest]),
        )
    });
    (tree, store)
}

/// Arrays handed from one step to the next for reuse.
struct Buffers<const N: usize>([Vec<u32>; N]);

/// `buffer` emptied and refilled with `len` copies of `value` (its pages
/// are already in memory).
fn recycled(mut buffer: Vec<u32>, len: usize, value: u32) -> Vec<u32> {
    buffer.clear();
    buffer.resize(len, value);
    buffer
}

/// The tree by ordinal from the immediate dominators by search number.
/// Sizes and positions are worked out by search number, where a node's
/// dominator is numbered below it and mostly close by, and then moved to
/// ordinals once.
fn tree(preorder: &[u32], idom_pre: &[u32], reached: usize, buffers: Buffers<3>) -> Dominators {
    let n = preorder.len();
    let Buffers([size, tree_order, tree_size]) = buffers;
    // Subtree sizes, children before parents.
    let mut size = recycled(size, n, 1);
    for i in (1..n).rev() {
        let up = idom_pre[i] as usize;
        size[up] = size[up].saturating_add(size[i]);
    }
    // Positions, parents before children: once node i is placed its size
    // is not needed, and its entry becomes where its next child's subtree
    // starts (a node's dominator is numbered below it, so is placed
    // first).
    let mut next = size;
    let mut tree_order = recycled(tree_order, n, 0);
    let mut tree_size = recycled(tree_size, n, 0);
    if n > 0 {
        tree_order[0] = preorder[0];
        tree_size[0] = next[0];
        next[0] = 1;
    }
    for i in 1..n {
        let p = idom_pre[i] as usize;
        let at = next[p];
        let size_i = next[i];
        next[p] = at.saturating_add(size_i);
        tree_order[at as usize] = preorder[i];
        tree_size[at as usize] = size_i;
        next[i] = at + 1;
    }
    drop(next);
    // The outputs stay for the whole analysis: give back what larger
    // array it was made from.
    tree_size.shrink_to_fit();
    Dominators {
        idom: OnceLock::new(),
        tree_order,
        tree_size,
        n_unreachable: (n - reached) as u64,
    }
}

/// DevTools' augmentation after the search from the root: orphans (nodes
/// without any essential retainer) and then leftovers (what is still
/// unreached) hang off the root and are searched from. Returns the nodes
/// that got the imagined root edge.
fn augment<P: PageRule + ?Sized>(g: &HeapGraph, page: &P, dfs: &mut Dfs) -> Vec<NodeOrdinal> {
    let n = g.n_nodes();
    // Unreached nodes are few: one pass finds them, the rest looks at them
    // only.
    let unreached: Vec<NodeOrdinal> = g
        .nodes()
        .ordinals()
        .filter(|&v| dfs.number[v.index()] == NONE)
        .collect();
    // An essential edge into an unreached node comes from another
    // unreached node (the search would have followed it), so only their
    // edges are looked at; the search has not passed them, so their slots
    // still hold targets.
    let mut has_pred = vec![false; n];
    for &u in &unreached {
        let source = page.source(u);
        for &w in &dfs.slots[g.edge_range(u)] {
            if w != NOT_RETAINING && page.retains(source, NodeOrdinal::new(w)) {
                has_pred[w as usize] = true;
            }
        }
    }
    let mut from_root = Vec::new();
    for &v in &unreached {
        if dfs.number[v.index()] == NONE && !has_pred[v.index()] {
            from_root.push(v);
            dfs.run(g, page, v, 0);
        }
    }
    drop(has_pred);
    let leftovers = from_root.len();
    from_root.extend(
        unreached
            .iter()
            .copied()
            .filter(|&v| dfs.number[v.index()] == NONE),
    );
    for &v in &from_root[leftovers..] {
        if dfs.number[v.index()] == NONE {
            dfs.run(g, page, v, 0);
        }
    }
    from_root
}

/// Essential retainers in CSR form, indexed by preorder number and holding
/// preorder numbers, so the semidominator loop reads them in sequence. The
/// root's imagined edges to orphans and leftovers are included; tree edges
/// are not (the DFS parent is the loop's first candidate).
struct Preds {
    first: Vec<u32>,
    /// The lists' entries, `first[n]` of them, two to a `u64`: the array
    /// then serves the running sums of sizes after the tree is built.
    store: Vec<u64>,
}

impl Preds {
    /// Built from the targets' numbers the search recorded per edge, so
    /// no node is looked up at random here but the list being filled.
    fn build(
        g: &HeapGraph,
        dfs: &mut Dfs,
        from_root: &[NodeOrdinal],
        handoff: &Handoff<u64>,
    ) -> Self {
        let n = dfs.preorder.len();
        // The search counted the lists' sizes, one place up, as the prefix
        // sum below wants them.
        let mut first = std::mem::take(&mut dfs.counts);
        first[0] = 0;
        for &v in from_root {
            first[dfs.number[v.index()] as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        // `first` doubles as the fill cursor: each list's start moves to
        // its end, which is the next list's start, and is moved back after.
        let len = first[n] as usize;
        let mut store = handoff.take(len.div_ceil(2));
        let source = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut store)[..len];
        for (u, &nu) in g.nodes().ordinals().zip(&dfs.number) {
            for e in g.edge_range(u) {
                if let Some(&ahead) = dfs.slots.get(e + LOOKAHEAD) {
                    prefetch(&first, (ahead as usize).wrapping_sub(1));
                }
                let t = dfs.slots[e];
                if t != 0 {
                    let slot = &mut first[t as usize - 1];
                    source[*slot as usize] = nu;
                    *slot += 1;
                }
            }
        }
        for &v in from_root {
            let slot = &mut first[dfs.number[v.index()] as usize];
            source[*slot as usize] = 0;
            *slot += 1;
        }
        first.copy_within(..n, 1);
        first[0] = 0;
        Self { first, store }
    }

    /// The lists' entries.
    fn source(&self) -> &[u32] {
        let len = self.first.last().map_or(0, |&l| l as usize);
        &bytemuck::cast_slice(&self.store)[..len]
    }
}

/// Iterative depth-first numbering over essential edges.
struct Dfs {
    /// Preorder number of each node (`NONE` if unvisited).
    number: Vec<u32>,
    /// Nodes by preorder number.
    preorder: Vec<u32>,
    /// DFS parent, by preorder number.
    parent: Vec<u32>,
    /// One slot per edge. Before the search passes the edge: its target,
    /// or [`NOT_RETAINING`]. After: one more than the target's preorder
    /// number for an essential non-tree edge, 0 for the others (tree
    /// edges are not recorded: the parent is every vertex's first
    /// semidominator candidate anyway).
    slots: Vec<u32>,
    /// Recorded edges per target, one place up (`counts[k + 1]` for the
    /// node numbered `k`): the predecessor lists' sizes.
    counts: Vec<u32>,
}

/// The arrays the search fills, made beforehand (with their pages in
/// memory: see [`super::pages`]).
pub(crate) struct SearchArrays {
    number: Vec<u32>,
    preorder: Vec<u32>,
    parent: Vec<u32>,
    counts: Vec<u32>,
}

impl SearchArrays {
    pub(crate) fn new(n: usize) -> Self {
        let mut number = memory::with_capacity(n);
        number.resize(n, NONE);
        Self {
            number,
            preorder: memory::with_capacity(n),
            parent: memory::with_capacity(n),
            counts: memory::zeroed(n + 1),
        }
    }
}

impl Dfs {
    fn new(arrays: SearchArrays, slots: Vec<u32>) -> Self {
        let SearchArrays {
            number,
            preorder,
            parent,
            counts,
        } = arrays;
        Self {
            number,
            preorder,
            parent,
            slots,
            counts,
        }
    }

    /// Visits everything reachable from `start`, whose DFS parent is the
    /// node numbered `parent` (`NONE` for the root itself).
    ///
    /// A visited node's edges are all judged at once, while they are in
    /// cache, and its not yet visited targets are stacked last edge first:
    /// a target popped still unvisited is visited with the stacking node
    /// as parent, which is exactly the order (and tree) of the recursive
    /// search that follows edges in file order.
    fn run<P: PageRule + ?Sized>(
        &mut self,
        g: &HeapGraph,
        page: &P,
        start: NodeOrdinal,
        parent: u32,
    ) {
        // (node, parent's number, edge that led there)
        let mut stack: Vec<(NodeOrdinal, u32, EdgePosition)> =
            vec![(start, parent, EdgePosition::new(u32::MAX))];
        while let Some((v, parent, via)) = stack.pop() {
            let seen = self.number[v.index()];
            if seen != NONE {
                // Reached meanwhile by another path: a non-tree edge.
                self.slots[via.index()] = seen + 1;
                self.counts[seen as usize + 1] += 1;
                continue;
            }
            let k = self.visit(v, parent);
            let source = page.source(v);
            let first = g.first_edges()[v.index()];
            for (i, slot) in self.slots[g.edge_range(v)].iter_mut().enumerate().rev() {
                let w = *slot;
                *slot = 0;
                if w == NOT_RETAINING || !page.retains(source, NodeOrdinal::new(w)) {
                    continue;
                }
                let seen = self.number[w as usize];
                if seen == NONE {
                    let via = EdgePosition::new(first + nth_edge(i));
                    stack.push((NodeOrdinal::new(w), k, via));
                } else {
                    *slot = seen + 1;
                    self.counts[seen as usize + 1] += 1;
                }
            }
        }
    }

    fn visit(&mut self, v: NodeOrdinal, parent: u32) -> u32 {
        // Each node is numbered once: numbers are below the node count.
        let k = to_u32(self.preorder.len());
        self.number[v.index()] = k;
        self.preorder.push(v.raw());
        self.parent.push(parent);
        k
    }
}

/// The `i`-th edge of a node, as an offset from its first: below its edge
/// count, and the snapshot's edge count fits 32 bits (the parser checks).
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "below a node's edge count, which fits 32 bits"
)]
fn nth_edge(i: usize) -> u32 {
    i as u32
}

/// Immediate dominators by preorder number.
///
/// Vertices are processed in decreasing preorder and linked into the
/// link-eval forest when processed, so while vertex `i` is processed the
/// forest's roots are exactly the vertices numbered `i` or less: whether a
/// vertex is a root is a comparison, not a memory read. A predecessor
/// numbered below `i` is a root and its own answer. The forest keeps, per
/// vertex, its ancestor and the smallest semidominator on its compressed
/// path side by side ([`Forest`]), so a step of `eval` touches one cache
/// line. Returns the dominators and the work array, for reuse.
fn semi_nca(parent: &[u32], preds: &Preds, buffers: Buffers<2>) -> (Vec<u32>, Vec<u32>) {
    let n = parent.len();
    let Buffers([work, idom]) = buffers;
    // One array: the forest's 2n entries, then the semidominators.
    let mut work = recycled(work, 3 * n, 0);
    let (forest, semi) = work.split_at_mut(2 * n);
    let mut forest = Forest(forest);
    let mut path: Vec<u32> = Vec::new();
    let source = preds.source();
    for limit in (1..to_u32(n)).rev() {
        let i = limit as usize;
        // The DFS parent is a predecessor (its tree edge is left out of
        // the lists) and numbered below `i`.
        let mut s = parent[i];
        let (from, to) = (preds.first[i] as usize, preds.first[i + 1] as usize);
        // Predecessor positions are visited in decreasing order overall, so
        // the ones below are those to come: fetch the forest entries they
        // will look at.
        for j in (from..to).rev() {
            if let Some(&ahead) = source.get(j.wrapping_sub(LOOKAHEAD)) {
                prefetch(forest.0, 2 * ahead as usize);
            }
            let p = source[j];
            let candidate = if p <= limit {
                p
            } else {
                forest.eval(p, limit, &mut path)
            };
            s = s.min(candidate);
            if s == 0 {
                // Nothing is numbered below the root: the rest cannot
                // change the answer (skipping their path compression does
                // not either).
                break;
            }
        }
        semi[i] = s;
        forest.link(limit, parent[i], s);
    }
    let mut idom = recycled(idom, n, 0);
    for i in 1..n {
        let mut d = parent[i];
        while d > semi[i] {
            d = idom[d as usize];
        }
        idom[i] = d;
    }
    (idom, work)
}

/// The link-eval forest of linked vertices: `[2v]` is the ancestor of
/// `v`, `[2v + 1]` the smallest semidominator on the path from `v` up to,
/// not including, the forest root.
struct Forest<'a>(&'a mut [u32]);

impl Forest<'_> {
    fn ancestor(&self, v: u32) -> u32 {
        self.0[2 * v as usize]
    }

    fn best(&self, v: u32) -> u32 {
        self.0[2 * v as usize + 1]
    }

    fn link(&mut self, v: u32, ancestor: u32, best: u32) {
        self.0[2 * v as usize] = ancestor;
        self.0[2 * v as usize + 1] = best;
    }

    /// The smallest semidominator on the forest path above the linked
    /// vertex `v`, when the roots are the vertices numbered `limit` or
    /// less; compresses the path on the way (iteratively).
    fn eval(&mut self, v: u32, limit: u32, path: &mut Vec<u32>) -> u32 {
        if self.ancestor(v) <= limit {
            return self.best(v);
        }
        path.clear();
        let mut x = v;
        loop {
            let a = self.ancestor(x);
            if a <= limit {
                break;
            }
            path.push(x);
            x = a;
        }
        // `x` hangs directly below the root; compress from just below it
        // down.
        while let Some(y) = path.pop() {
            let a = self.ancestor(y);
            let (up_ancestor, up_best) = (self.ancestor(a), self.best(a));
            let best = self.best(y).min(up_best);
            self.link(y, up_ancestor, best);
        }
        self.best(v)
    }
}
