//! Dominator tree over the essential edges (formats §7.6), with DevTools'
//! augmentation: nodes with no essential retainer at all ("orphans") and
//! nodes still unreached after them ("leftovers") get an imagined edge from
//! the root. Dominators are a property of the graph, so any correct
//! algorithm on the augmented graph gives DevTools' results; this one is
//! Lengauer–Tarjan's semidominators with path compression followed by the
//! nearest-common-ancestor step (semi-NCA), over flat arrays and with no
//! recursion. `petgraph`'s `simple_fast` is its oracle in the property tests.
//!
//! The search reads one bit per edge, set for a candidate edge (judged
//! beforehand, [`EdgeBits`]), and applies the page rule ([`PageRule`]) as
//! it passes the edge; every edge is passed exactly once, by the search
//! from whichever start reaches its node. It leaves the bit set only on
//! the edges the predecessor lists need: those into a node numbered
//! before the edge's source. An edge into a node numbered after its source
//! that is not a tree edge offers its source's number, which is below the
//! target's, as a semidominator candidate directly: the search keeps the
//! smallest such candidate per node, so those edges are never listed.
//!
//! Inside, nodes and preorder numbers are raw `u32`s: one array changes
//! meaning from step to step (the arrays of one step become those of the
//! next, see [`Buffers`]), so no single index type fits them. The public
//! [`Dominators`] reads them as [`NodeOrdinal`]s.

use std::sync::OnceLock;

use heapdiff_model::cast::to_u32;
use heapdiff_model::{HeapGraph, NodeOrdinal, memory};

use super::pages::{fitted, with_capacity_on_threads, zeroed_on_threads};
use super::prefetch::prefetch;

const NONE: u32 = u32::MAX;

/// How many reads ahead prefetches are issued.
const LOOKAHEAD: usize = 16;

/// A bit per edge. Judged beforehand: set when the edge can retain. The
/// search clears the bits of the edges it does not need listed.
pub(crate) struct EdgeBits(Vec<u64>);

impl EdgeBits {
    /// `len` edges, none set.
    pub(crate) fn new(len: usize) -> Self {
        Self(memory::zeroed(len.div_ceil(64)))
    }

    /// The words, edge `e` being bit `e % 64` of word `e / 64`.
    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }

    #[inline]
    fn get(&self, e: usize) -> bool {
        self.0[e / 64] & (1 << (e % 64)) != 0
    }
}

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
    let mut bits = EdgeBits::new(g.edges().len());
    for (e, &keep) in essential.iter().enumerate() {
        bits.0[e / 64] |= u64::from(keep) << (e % 64);
    }
    compute_with(g, bits, &Candidates, SearchArrays::new(g.n_nodes()), None).0
}

/// Computes the dominator tree over the candidate edges (`bits`) that
/// `page` lets retain. `bits` becomes the search's record of the edges to
/// list. The search fills `search`; the predecessor lists take their
/// array from `preds` if one was made ahead (see [`super::pages`]), and
/// give it back with the tree, for the running sums of sizes.
pub(crate) fn compute_with<P: PageRule + ?Sized>(
    g: &HeapGraph,
    bits: EdgeBits,
    page: &P,
    search: SearchArrays,
    preds: Option<Vec<u64>>,
) -> (Dominators, Vec<u64>) {
    use heapdiff_model::steps::time;
    let mut dfs = Dfs::new(search, bits);
    time("dominators.search", || {
        dfs.run(g, page, NodeOrdinal::ROOT, NONE)
    });
    let reached = dfs.preorder.len();
    time("dominators.augment", || augment(g, page, &mut dfs));
    let preds = time("dominators.predecessors", || {
        Preds::build(g, &mut dfs, preds)
    });
    // Each step below takes its arrays from those the steps before have
    // finished with: fresh memory costs a page fault per 4 KiB, which on
    // these sizes is a good part of the time, and the arrays of the
    // analysis are at their largest here.
    let Dfs {
        number,
        preorder,
        forest,
        bits,
        ..
    } = dfs;
    drop(bits);
    let Preds { mut first, store } = preds;
    let listed = first.last().map_or(0, |&l| l as usize);
    let source = &bytemuck::cast_slice::<u64, u32>(&store)[..listed];
    let (idom_pre, forest) = time("dominators.semi_nca", || {
        semi_nca(forest, &mut first, source, number)
    });
    let tree = time("dominators.tree", || {
        tree(&preorder, &idom_pre, reached, Buffers([first, forest]))
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
fn tree(preorder: &[u32], idom_pre: &[u32], reached: usize, buffers: Buffers<2>) -> Dominators {
    let n = preorder.len();
    let Buffers([size, mut tree_size]) = buffers;
    // Subtree sizes, children before parents.
    let mut size = recycled(size, n, 1);
    for i in (1..n).rev() {
        let up = idom_pre[i] as usize;
        size[up] = size[up].saturating_add(size[i]);
    }
    // The sizes by position go where the forest was, cut to length first
    // (its pages past `n` go back to the kernel) so that the order's fresh
    // array does not add to the analysis' largest moment.
    tree_size.truncate(n);
    tree_size.shrink_to_fit();
    let mut tree_size = recycled(tree_size, n, 0);
    let mut tree_order = vec![0; n];
    // Positions, parents before children: once node i is placed its size
    // is not needed, and its entry becomes where its next child's subtree
    // starts (a node's dominator is numbered below it, so is placed
    // first).
    let mut next = size;
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
    Dominators {
        idom: OnceLock::new(),
        tree_order,
        tree_size,
        n_unreachable: (n - reached) as u64,
    }
}

/// DevTools' augmentation after the search from the root: orphans (nodes
/// without any essential retainer) and then leftovers (what is still
/// unreached) hang off the root and are searched from. A node given the
/// imagined root edge has the root as semidominator candidate: its entry
/// in the forest says so.
fn augment<P: PageRule + ?Sized>(g: &HeapGraph, page: &P, dfs: &mut Dfs) {
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
    // edges are looked at; the search has not passed them, so their bits
    // are still the candidates'.
    let mut has_pred = vec![false; n];
    let targets = g.edges().targets();
    for &u in &unreached {
        let source = page.source(u);
        for e in g.edge_range(u) {
            let w = targets[e];
            if dfs.bits.get(e) && page.retains(source, w) {
                has_pred[w.index()] = true;
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
    // A leftover reached from an earlier one has another parent, but the
    // root is its candidate all the same.
    for &v in &from_root {
        dfs.forest.offer(dfs.number[v.index()], 0);
    }
}

/// Essential retainers numbered after the node they retain, in CSR form,
/// indexed by preorder number and holding preorder numbers, so the
/// semidominator loop reads them in sequence.
struct Preds {
    first: Vec<u32>,
    /// The lists' entries, `first[n]` of them, two to a `u64`: the array
    /// then serves the running sums of sizes after the tree is built.
    store: Vec<u64>,
}

impl Preds {
    /// Built from the edges the search left marked. Each entry needs its
    /// target's number, looked up at random: the lookups are made in
    /// batches, each batch's reads asked for ahead of use.
    fn build(g: &HeapGraph, dfs: &mut Dfs, prepared: Option<Vec<u64>>) -> Self {
        let n = dfs.preorder.len();
        // The search counted the lists' sizes, one place up, as the prefix
        // sum below wants them.
        let mut first = std::mem::take(&mut dfs.counts);
        first[0] = 0;
        for i in 0..n {
            first[i + 1] += first[i];
        }
        // `first` doubles as the fill cursor: each list's start moves to
        // its end, which is the next list's start, and is moved back after.
        let len = first[n] as usize;
        let mut store = fitted(prepared, len.div_ceil(2));
        let mut fill = Fill {
            number: &dfs.number,
            first: &mut first,
            source: &mut bytemuck::cast_slice_mut::<u64, u32>(&mut store)[..len],
            batch: Vec::with_capacity(BATCH),
            ready: Vec::with_capacity(BATCH),
        };
        let targets = g.edges().targets();
        for (u, &nu) in dfs.number.iter().enumerate() {
            let u = NodeOrdinal::from_index(u);
            for e in g.edge_range(u) {
                if dfs.bits.get(e) {
                    fill.push(nu, targets[e].raw());
                }
            }
        }
        fill.finish();
        first.copy_within(..n, 1);
        first[0] = 0;
        Self { first, store }
    }
}

/// Entries to list per batch of random lookups.
const BATCH: usize = 32;

/// Fills the predecessor lists in batches, in two stages: a batch's
/// target numbers are read (asked for as the entries came in) while the
/// list cursors they point at are asked for, and those cursors are used
/// one batch later.
struct Fill<'a> {
    number: &'a [u32],
    first: &'a mut [u32],
    source: &'a mut [u32],
    /// (source's number, target's ordinal) as they come.
    batch: Vec<(u32, u32)>,
    /// (source's number, target's number) of the batch before.
    ready: Vec<(u32, u32)>,
}

impl Fill<'_> {
    #[inline]
    fn push(&mut self, nu: u32, w: u32) {
        prefetch(self.number, w as usize);
        self.batch.push((nu, w));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (_, w) in &mut self.batch {
            *w = self.number[*w as usize];
            prefetch(self.first, *w as usize);
        }
        for &(nu, t) in &self.ready {
            let slot = &mut self.first[t as usize];
            self.source[*slot as usize] = nu;
            *slot += 1;
        }
        self.ready.clear();
        std::mem::swap(&mut self.batch, &mut self.ready);
    }

    /// Lists what is still pending.
    fn finish(mut self) {
        self.flush();
        self.flush();
    }
}

/// Iterative depth-first numbering over essential edges.
struct Dfs {
    /// Preorder number of each node (`NONE` if unvisited).
    number: Vec<u32>,
    /// Nodes by preorder number.
    preorder: Vec<u32>,
    /// The semidominator loop's forest, by preorder number, as the search
    /// leaves it: every node's ancestor is its DFS parent, and its best
    /// semidominator candidate the smallest number of a retainer numbered
    /// below it (its parent included).
    forest: Vec<u32>,
    /// One bit per edge. Before the search passes the edge: whether it is a
    /// candidate. After: whether it is an essential edge into a node
    /// numbered before its source (the predecessor lists' entries).
    bits: EdgeBits,
    /// Marked edges per target, one place up (`counts[k + 1]` for the node
    /// numbered `k`): the predecessor lists' sizes.
    counts: Vec<u32>,
}

/// The arrays the search fills, made beforehand (with their pages in
/// memory: see [`super::pages`]).
pub(crate) struct SearchArrays {
    number: Vec<u32>,
    preorder: Vec<u32>,
    forest: Vec<u32>,
    counts: Vec<u32>,
}

impl SearchArrays {
    pub(crate) fn new(n: usize) -> Self {
        let mut number = with_capacity_on_threads(n);
        number.resize(n, NONE);
        Self {
            number,
            preorder: with_capacity_on_threads(n),
            forest: with_capacity_on_threads(2 * n),
            counts: zeroed_on_threads(n + 1),
        }
    }
}

impl Dfs {
    fn new(arrays: SearchArrays, bits: EdgeBits) -> Self {
        let SearchArrays {
            number,
            preorder,
            forest,
            counts,
        } = arrays;
        Self {
            number,
            preorder,
            forest,
            bits,
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
        let targets = g.edges().targets();
        let first_edges = g.first_edges();
        // The arrays as slices (the growing ones as vectors), so that the
        // edge loop keeps their addresses in registers instead of reading
        // them again from `self` after every store.
        let Self {
            number,
            preorder,
            forest,
            bits,
            counts,
        } = self;
        let (number, counts) = (number.as_mut_slice(), counts.as_mut_slice());
        let bits = bits.0.as_mut_slice();
        // (node, parent's number)
        let mut stack: Vec<(NodeOrdinal, u32)> = vec![(start, parent)];
        while let Some((v, parent)) = stack.pop() {
            let seen = number[v.index()];
            if seen != NONE {
                // Reached meanwhile by another path: the stacking node,
                // numbered below, is a candidate.
                forest.offer(seen, parent);
                continue;
            }
            let k = visit(v, parent, number, preorder, forest);
            let source = page.source(v);
            let edges = g.edge_range(v);
            let first = edges.start;
            for (i, &w) in targets[edges].iter().enumerate().rev() {
                let e = first + i;
                let (word, bit) = (e / 64, 1 << (e % 64));
                if bits[word] & bit == 0 {
                    continue;
                }
                let seen = number[w.index()];
                if seen != NONE && seen != k && page.retains(source, w) {
                    // Into a node numbered before: listed.
                    counts[seen as usize + 1] += 1;
                    continue;
                }
                // Not essential, a self reference, or into a node not yet
                // numbered: a tree edge, or an edge from a node numbered
                // below its target (see the pop above). Not listed.
                bits[word] &= !bit;
                if seen == NONE && page.retains(source, w) {
                    // Its edge range is read when it is popped: soon, if it
                    // is this node's first child.
                    prefetch(first_edges, w.index());
                    stack.push((w, k));
                }
            }
        }
    }
}

/// Numbers `v`, searched from the node numbered `parent`: its forest
/// entry starts with that parent as ancestor and as best candidate.
#[inline]
fn visit(
    v: NodeOrdinal,
    parent: u32,
    number: &mut [u32],
    preorder: &mut Vec<u32>,
    forest: &mut Vec<u32>,
) -> u32 {
    // Each node is numbered once: numbers are below the node count.
    let k = to_u32(preorder.len());
    number[v.index()] = k;
    preorder.push(v.raw());
    forest.push(parent);
    forest.push(parent);
    k
}

/// The forest as the search builds it: a candidate offered to a node.
trait Offer {
    fn offer(&mut self, v: u32, candidate: u32);
}

impl Offer for Vec<u32> {
    #[inline]
    fn offer(&mut self, v: u32, candidate: u32) {
        let best = &mut self[2 * v as usize + 1];
        *best = (*best).min(candidate);
    }
}

/// Immediate dominators by preorder number.
///
/// Vertices are processed in decreasing preorder and linked into the
/// link-eval forest when processed, so while vertex `i` is processed the
/// forest's roots are exactly the vertices numbered `i` or less: whether a
/// vertex is a root is a comparison, not a memory read. The search left
/// each vertex's candidates numbered below it in its own entry, and every
/// listed predecessor is numbered above it. The forest keeps, per vertex,
/// its ancestor and the smallest semidominator on its compressed path
/// side by side ([`Forest`]), so a step of `eval` touches one cache line.
///
/// A vertex's list is not read again once it is processed: its
/// semidominator goes in the list offsets (`first[i + 1]`), its parent in
/// `idom`, which the last pass turns into the dominators in place. Returns
/// them and the forest's array, for reuse.
fn semi_nca(
    mut forest: Vec<u32>,
    first: &mut [u32],
    source: &[u32],
    mut idom: Vec<u32>,
) -> (Vec<u32>, Vec<u32>) {
    let n = first.len() - 1;
    idom.clear();
    idom.resize(n, 0);
    let mut path: Vec<u32> = Vec::new();
    {
        let mut forest = Forest(&mut forest);
        for limit in (1..to_u32(n)).rev() {
            let i = limit as usize;
            // Not linked yet: its entry is as the search left it.
            let (parent, mut s) = (forest.ancestor(limit), forest.best(limit));
            let (from, to) = (first[i] as usize, first[i + 1] as usize);
            // Predecessor positions are visited in decreasing order overall,
            // so the ones below are those to come: fetch the forest entries
            // they will look at.
            for j in (from..to).rev() {
                if s == 0 {
                    // Nothing is numbered below the root: the rest cannot
                    // change the answer (skipping their path compression
                    // does not either).
                    break;
                }
                if let Some(&ahead) = source.get(j.wrapping_sub(LOOKAHEAD)) {
                    prefetch(forest.0, 2 * ahead as usize);
                }
                s = s.min(forest.eval(source[j], limit, &mut path));
            }
            first[i + 1] = s;
            idom[i] = parent;
            forest.link(limit, parent, s);
        }
    }
    for i in 1..n {
        let semi = first[i + 1];
        let mut d = idom[i];
        while d > semi {
            d = idom[d as usize];
        }
        idom[i] = d;
    }
    (idom, forest)
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
