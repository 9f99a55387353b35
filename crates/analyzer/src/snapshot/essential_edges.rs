//! Which edges retain, for the dominator tree (formats §7.4).
//!
//! Every edge is judged on its own, so node ranges are judged in parallel;
//! WeakMap pair names are parsed once per string ([`PairNames`]).

use heapdiff_model::HeapGraph;
use rayon::prelude::*;

use super::flags::BitSet;
use super::weakmap::PairNames;

/// Nodes per parallel task.
const CHUNK: usize = 1 << 16;

/// One bit per edge: true when the edge is essential.
pub(crate) fn compute(g: &HeapGraph, page_owned: &[bool]) -> Vec<bool> {
    let rules = Rules::new(g, page_owned);
    let mut essential = vec![true; g.edges.len()];
    node_chunks(g, &mut essential)
        .into_par_iter()
        .for_each(|(first, out)| rules.mark(first, out));
    essential
}

/// Splits `per_edge` into the edge slices of consecutive node ranges,
/// each paired with its first node.
fn node_chunks<'a, T>(g: &HeapGraph, mut per_edge: &'a mut [T]) -> Vec<(u32, &'a mut [T])> {
    let n = g.n_nodes();
    let mut chunks = Vec::new();
    for first in (0..n).step_by(CHUNK) {
        let last = (first + CHUNK).min(n);
        let len = (g.first_edge[last] - g.first_edge[first]) as usize;
        let (head, tail) = std::mem::take(&mut per_edge).split_at_mut(len);
        chunks.push((first as u32, head));
        per_edge = tail;
    }
    chunks
}

struct Rules<'a> {
    g: &'a HeapGraph,
    page_owned: BitSet,
    pairs: PairNames,
    internal: Option<u8>,
    weak: Option<u8>,
    shortcut: Option<u8>,
}

impl<'a> Rules<'a> {
    fn new(g: &'a HeapGraph, page_owned: &[bool]) -> Self {
        Self {
            g,
            page_owned: BitSet::from_bools(page_owned),
            pairs: PairNames::build(g),
            internal: g.edge_type_index("internal"),
            weak: g.edge_type_index("weak"),
            shortcut: g.edge_type_index("shortcut"),
        }
    }

    /// Clears the non-essential edges of the nodes from `first` on whose
    /// edges `out` holds.
    fn mark(&self, first: u32, out: &mut [bool]) {
        let g = self.g;
        let base = g.first_edge[first as usize] as usize;
        let mut u = first;
        while g.first_edge[u as usize] as usize - base < out.len() {
            let source = Source {
                u,
                id: g.nodes.id[u as usize],
                page_owned: self.page_owned.contains(u),
            };
            for e in g.edge_range(u) {
                if !self.essential(&source, e) {
                    out[e - base] = false;
                }
            }
            u += 1;
        }
    }

    fn essential(&self, source: &Source, e: usize) -> bool {
        let g = self.g;
        let k = Some(g.edges.kind[e]);
        let w = g.edges.to[e];
        let table_edge =
            k == self.internal && self.pairs.table(g.edges.name_or_index[e]) == Some(source.id);
        // Most nodes are page-owned, which spares the lookup of `w`.
        let into_page = || !source.page_owned && self.page_owned.contains(w);
        !(table_edge
            || k == self.weak
            || source.u == w
            || (source.u != 0 && (k == self.shortcut || into_page())))
    }
}

/// What the rules need of an edge's source node.
struct Source {
    u: u32,
    id: u32,
    page_owned: bool,
}
