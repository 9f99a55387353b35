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
    type Source = Source;

    #[inline]
    fn source(&self, u: u32) -> Source {
        Source {
            u,
            page_owned: self.page_owned.contains(u),
        }
    }

    /// Not essential: weak edges, self references, a WeakMap table's own
    /// edges to its pair parts, and (except from the root) shortcuts and
    /// edges from outside the page into it.
    #[inline]
    fn retains(&self, source: Source, e: usize) -> bool {
        let g = self.g;
        let u = source.u;
        let k = Some(g.edges.kind[e]);
        let w = g.edges.to[e];
        if k == self.weak || u == w {
            return false;
        }
        if u != 0 && (k == self.shortcut || (!source.page_owned && self.page_owned.contains(w))) {
            return false;
        }
        // Most edges are not `internal`, and most internal edges are not
        // pair edges: the table and the source's id are read last.
        k != self.internal
            || self
                .pairs
                .table(g.edges.name_or_index[e])
                .is_none_or(|table| table != g.nodes.id[u as usize])
    }
}

/// What the rules need of a source node.
#[derive(Clone, Copy)]
pub(crate) struct Source {
    u: u32,
    page_owned: bool,
}
