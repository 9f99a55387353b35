//! Which edges retain, for the dominator tree (formats §7.4). The
//! dominator search asks [`Rules`] edge by edge as it passes them; WeakMap
//! pair names are parsed once per string ([`PairNames`]).

use heapdiff_model::HeapGraph;

use super::dominators::Retains;
use super::flags::BitSet;
use super::weakmap::PairNames;

/// DevTools' essential-edge rules over one snapshot.
pub(crate) struct Rules<'a> {
    g: &'a HeapGraph,
    page_owned: BitSet,
    pairs: &'a PairNames,
    internal: Option<u8>,
    weak: Option<u8>,
    shortcut: Option<u8>,
}

impl<'a> Rules<'a> {
    pub(crate) fn new(g: &'a HeapGraph, page_owned: BitSet, pairs: &'a PairNames) -> Self {
        Self {
            g,
            page_owned,
            pairs,
            internal: g.edge_type_index("internal"),
            weak: g.edge_type_index("weak"),
            shortcut: g.edge_type_index("shortcut"),
        }
    }
}

impl Retains for Rules<'_> {
    /// Not essential: weak edges, self references, a WeakMap table's own
    /// edges to its pair parts, and (except from the root) shortcuts and
    /// edges from outside the page into it.
    #[inline]
    fn retains(&self, u: u32, e: usize) -> bool {
        let g = self.g;
        let k = Some(g.edges.kind[e]);
        let w = g.edges.to[e];
        if k == self.weak || u == w {
            return false;
        }
        if u != 0
            && (k == self.shortcut || (!self.page_owned.contains(u) && self.page_owned.contains(w)))
        {
            return false;
        }
        !(k == self.internal
            && self.pairs.table(g.edges.name_or_index[e]) == Some(g.nodes.id[u as usize]))
    }
}
