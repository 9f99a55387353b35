//! Which edges retain, for the dominator tree (formats §7.4), in two
//! parts. [`candidates`] judges every edge on what it and its source say
//! (its type, a self reference, a WeakMap table's own pair edges) — in
//! parallel, while page ownership is still being worked out; the
//! dominator search then applies the one rule that needs page ownership
//! ([`PageRule`]) as it passes each edge.

use heapdiff_model::{HeapGraph, NodeOrdinal, SnapshotStringId};
use rayon::prelude::*;

use super::dominators::{self, NOT_RETAINING};
use super::flags::BitSet;
use super::weakmap::PairNames;

/// Nodes per parallel task.
const CHUNK: usize = 1 << 16;

/// Per edge, its target ordinal when the edge can retain, else
/// [`NOT_RETAINING`]; and how many can. Not retaining: weak edges, self
/// references, a WeakMap table's own edges to its pair parts, and
/// shortcuts except the root's.
pub(crate) fn candidates(g: &HeapGraph, pairs: &PairNames) -> (Vec<u32>, usize) {
    // Type indices as `u16`, with one no edge has for a missing type.
    let index = |name| g.edge_type_index(name).map_or(u16::MAX, u16::from);
    let (internal, weak, shortcut) = (index("internal"), index("weak"), index("shortcut"));
    let n = g.n_nodes();
    // Its pages brought in at once: see `heapdiff_model::memory`.
    let mut out = heapdiff_model::memory::zeroed::<u32>(g.edges().len());
    let mut chunks = Vec::new();
    let mut rest = out.as_mut_slice();
    let first_edge = g.first_edges();
    for first in (0..n).step_by(CHUNK) {
        let last = (first + CHUNK).min(n);
        let len = (first_edge[last] - first_edge[first]) as usize;
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        chunks.push((first..last, head));
        rest = tail;
    }
    let retaining = chunks
        .into_par_iter()
        .map(|(nodes, out)| {
            let mut retaining = 0;
            let mut slots = out.iter_mut();
            for u in nodes.map(NodeOrdinal::from_index) {
                // The edge columns are read as slices: this loop passes
                // every edge of the snapshot.
                let edges = g.edge_range(u);
                let kinds = &g.edges().kinds()[edges.clone()];
                let names = &g.edges().names_or_indices()[edges.clone()];
                let targets = &g.edges().targets()[edges];
                let id = g.nodes().id(u).get();
                for ((&k, &name), &w) in kinds.iter().zip(names).zip(targets) {
                    let k = u16::from(k);
                    let retains = k != weak
                        && u != w
                        && (u == NodeOrdinal::ROOT || k != shortcut)
                        && (k != internal
                            || pairs
                                .table(SnapshotStringId::new(name))
                                .is_none_or(|table| u64::from(table) != id));
                    if let Some(s) = slots.next() {
                        *s = if retains { w.raw() } else { NOT_RETAINING };
                    }
                    retaining += usize::from(retains);
                }
            }
            retaining
        })
        .sum();
    (out, retaining)
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
