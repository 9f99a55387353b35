#![allow(clippy::needless_range_loop)]
//! Property test: the flat-array dominator tree equals petgraph's
//! `simple_fast` on random graphs (cycles, self-loops, unreachable parts,
//! edges that do not retain), once the graph is augmented the way DevTools
//! does (formats §7.6), and retained sizes add up.

use heapdiff_analyzer::snapshot::compute_dominators;
use heapdiff_model::{
    EdgeColumns, HeapGraph, NodeColumns, NodeOrdinal, SnapshotStringId, SnapshotStrings,
};
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

/// A graph of `n` object nodes whose edges are all essential.
fn graph(n: usize, edges: &[(u32, u32)]) -> HeapGraph {
    let n32 = u32::try_from(n).unwrap();
    let mut sorted: Vec<(u32, u32)> = edges.iter().map(|&(a, b)| (a % n32, b % n32)).collect();
    sorted.sort_by_key(|&(a, _)| a);
    let mut first = vec![0u32; n + 1];
    for &(a, _) in &sorted {
        first[a as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut strings = SnapshotStrings::new();
    strings.push("");
    let nodes = NodeColumns::new(
        vec![0; n],
        vec![SnapshotStringId::new(0); n],
        ((0..n32).map(|i| 2 * i + 1).collect(), Vec::new()),
        (0..n as u64).map(|i| i % 7 + 1).collect(),
    );
    let edges = EdgeColumns::new(
        vec![0; sorted.len()],
        vec![0; sorted.len()],
        sorted.iter().map(|&(_, b)| NodeOrdinal::new(b)).collect(),
    );
    let mut g = HeapGraph::new(nodes, first, edges);
    g.strings = strings;
    g.node_types = vec!["object".into()];
    g.edge_types = vec!["property".into()];
    g
}

/// DevTools' augmentation of the essential edges, written out plainly:
/// DFS from the root; then every unvisited node without any incoming edge
/// gets a root edge and a DFS; then every node still unvisited gets a root
/// edge.
fn augmented(g: &HeapGraph, essential: &[bool]) -> Vec<(u32, u32)> {
    let n = g.n_nodes();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for u in g.nodes().ordinals() {
        for e in g.edges_of(u) {
            if essential[e.index()] {
                edges.push((u.raw(), g.edges().target(e).raw()));
            }
        }
    }
    let mut has_pred = vec![false; n];
    for &(_, b) in &edges {
        has_pred[b as usize] = true;
    }
    let mut seen = vec![false; n];
    let dfs = |start: NodeOrdinal, seen: &mut Vec<bool>| {
        let mut stack = vec![start];
        seen[start.index()] = true;
        while let Some(v) = stack.pop() {
            for e in g.edges_of(v).filter(|&e| essential[e.index()]) {
                let t = g.edges().target(e);
                if !seen[t.index()] {
                    seen[t.index()] = true;
                    stack.push(t);
                }
            }
        }
    };
    dfs(NodeOrdinal::ROOT, &mut seen);
    let mut extra = Vec::new();
    for v in g.nodes().ordinals() {
        if !seen[v.index()] && !has_pred[v.index()] {
            extra.push((0, v.raw()));
            dfs(v, &mut seen);
        }
    }
    for v in g.nodes().ordinals() {
        if !seen[v.index()] {
            extra.push((0, v.raw()));
        }
    }
    edges.extend(extra);
    edges
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn dominators_equal_petgraph(
        n in 1usize..80,
        edges in proptest::collection::vec((0u32..80, 0u32..80), 0..240),
        dropped in proptest::collection::vec(any::<bool>(), 240),
        drop_some in any::<bool>(),
    ) {
        let g = graph(n, &edges);
        // Half the cases keep every edge; the others drop about half.
        let essential: Vec<bool> = (0..g.edges().len()).map(|e| !(drop_some && dropped[e])).collect();
        let ours = compute_dominators(&g, essential.as_slice());
        let mut pg: DiGraph<(), ()> = DiGraph::new();
        let ids: Vec<NodeIndex> = (0..n).map(|_| pg.add_node(())).collect();
        for (a, b) in augmented(&g, &essential) {
            pg.add_edge(ids[a as usize], ids[b as usize], ());
        }
        let theirs = simple_fast(&pg, ids[0]);
        for v in 1..n {
            let want = theirs.immediate_dominator(ids[v]).map(|d| NodeOrdinal::from_index(d.index()));
            prop_assert_eq!(Some(ours.idom()[v]), want, "node {}", v);
        }
        prop_assert_eq!(ours.tree_order.len(), n);
        // Tree order: the root first, and every subtree is the contiguous
        // run of `tree_size` nodes from its root, holding exactly the
        // nodes it dominates.
        prop_assert_eq!(ours.tree_order[0], 0);
        let mut at = vec![0usize; n];
        for (i, &v) in ours.tree_order.iter().enumerate() {
            at[v as usize] = i;
        }
        let dominated_by = |u: usize, v: usize| {
            let mut x = u;
            loop {
                if x == v {
                    return true;
                }
                if x == 0 {
                    return false;
                }
                x = ours.idom()[x].index();
            }
        };
        for v in 0..n {
            let range = at[v]..at[v] + ours.tree_size[at[v]] as usize;
            for u in 0..n {
                prop_assert_eq!(range.contains(&at[u]), dominated_by(u, v), "{} under {}", u, v);
            }
        }
        // Retained sizes: root = Σ self, every node ≥ its own size.
        let self_size = g.nodes().self_sizes();
        let mut retained = self_size.to_vec();
        for &v in ours.tree_order.iter().skip(1).rev() {
            let r = retained[v as usize];
            retained[ours.idom()[v as usize].index()] += r;
        }
        prop_assert_eq!(retained[0], self_size.iter().sum::<u64>());
        for v in 0..n {
            prop_assert!(retained[v] >= self_size.get(v));
        }
    }
}
