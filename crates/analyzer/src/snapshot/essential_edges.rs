//! Which edges retain, for the dominator tree (formats §7.4), in two
//! parts. [`candidates`] judges every edge on what it and its source say
//! (its type, a self reference, a WeakMap table's own pair edges) — in
//! parallel, while page ownership is still being worked out; the
//! dominator search then applies the one rule that needs page ownership
//! ([`PageRule`]) as it passes each edge.

use heapdiff_model::{HeapGraph, NodeOrdinal, SnapshotStringId};
use rayon::prelude::*;

use super::dominators::{self, EdgeBits};
use super::flags::BitSet;
use super::weakmap::PairNames;

/// Edges per parallel task: a whole number of the bit set's words.
const CHUNK: usize = 1 << 20;

/// A bit per edge, set when the edge can retain; and how many can. Not
/// retaining: weak edges, self references, a WeakMap table's own edges to
/// its pair parts, and shortcuts except the root's.
pub(crate) fn candidates(g: &HeapGraph, pairs: &PairNames) -> (EdgeBits, usize) {
    // Type indices as `u16`, with one no edge has for a missing type.
    let index = |name| g.edge_type_index(name).map_or(u16::MAX, u16::from);
    let (internal, weak, shortcut) = (index("internal"), index("weak"), index("shortcut"));
    let m = g.edges().len();
    let first_edge = g.first_edges();
    let mut bits = EdgeBits::new(m);
    // Each task owns a range of whole words, so of edges; it starts from
    // the node whose edges hold the range's first.
    let retaining = bits
        .words_mut()
        .par_chunks_mut(CHUNK / 64)
        .enumerate()
        .map(|(c, words)| {
            let start = c * CHUNK;
            let end = (start + CHUNK).min(m);
            let mut u = first_edge.partition_point(|&f| f as usize <= start) - 1;
            let mut retaining = 0;
            while u + 1 < first_edge.len() && (first_edge[u] as usize) < end {
                let v = NodeOrdinal::from_index(u);
                let from = (first_edge[u] as usize).max(start);
                let to = (first_edge[u + 1] as usize).min(end);
                // The edge columns are read as slices: this loop passes
                // every edge of the snapshot.
                let kinds = &g.edges().kinds()[from..to];
                let names = &g.edges().names_or_indices()[from..to];
                let targets = &g.edges().targets()[from..to];
                let id = g.nodes().id(v).get();
                for (e, ((&k, &name), &w)) in (from..).zip(kinds.iter().zip(names).zip(targets)) {
                    let k = u16::from(k);
                    let retains = k != weak
                        && v != w
                        && (v == NodeOrdinal::ROOT || k != shortcut)
                        && (k != internal
                            || pairs
                                .table(SnapshotStringId::new(name))
                                .is_none_or(|table| u64::from(table) != id));
                    let at = e - start;
                    words[at / 64] |= u64::from(retains) << (at % 64);
                    retaining += usize::from(retains);
                }
                u += 1;
            }
            retaining
        })
        .sum();
    (bits, retaining)
}

/// Edges from outside the page into it do not retain (except the
/// root's).
pub(crate) struct PageRule {
    page_owned: BitSet<NodeOrdinal>,
}

impl PageRule {
    pub(crate) fn new(page_owned: BitSet<NodeOrdinal>) -> Self {
        Self { page_owned }
    }
}

impl dominators::PageRule for PageRule {
    type Source = Option<NodeOrdinal>;

    /// `None` for sources the rule cannot touch: the root and page-owned
    /// nodes (most of them).
    #[inline]
    fn source(&self, u: NodeOrdinal) -> Option<NodeOrdinal> {
        (u != NodeOrdinal::ROOT && !self.page_owned.contains(u)).then_some(u)
    }

    #[inline]
    fn retains(&self, source: Option<NodeOrdinal>, w: NodeOrdinal) -> bool {
        source.is_none() || !self.page_owned.contains(w)
    }
}
