//! DOM state (detachedness) propagation and "Detached" renaming (formats
//! §7.2). State flows only through native nodes, never through JS objects.

use heapdiff_model::{HeapGraph, NodeOrdinal};

/// Returns which native nodes are renamed `Detached …`, and how many. (The
/// states themselves, 0 unknown, 1 attached, 2 detached, are only a means.)
pub(crate) fn compute(g: &HeapGraph) -> (Vec<bool>, u64) {
    let n = g.n_nodes();
    let native = g.node_type_index("native");
    let detachedness = g.nodes().detachedness();
    if detachedness.is_empty() {
        // Old snapshots: detached nodes are already named so; no renaming.
        return (vec![false; n], 0);
    }
    let skip: Vec<bool> = g
        .edge_types
        .iter()
        .map(|t| matches!(t.as_str(), "hidden" | "invisible" | "weak"))
        .collect();
    let mut s = State {
        state: detachedness.to_vec(),
        visited: vec![false; n],
        detached: vec![false; n],
        detached_count: 0,
        attached_stack: Vec::new(),
        detached_stack: Vec::new(),
        native,
    };
    for (v, &st) in g.nodes().ordinals().zip(detachedness) {
        if st != 0 {
            s.process(g, v, st);
        }
    }
    let follows = |e| {
        !skip
            .get(usize::from(g.edges().kind(e)))
            .copied()
            .unwrap_or(false)
    };
    while let Some(v) = s.attached_stack.pop() {
        for e in g.edges_of(v).filter(|&e| follows(e)) {
            s.process(g, g.edges().target(e), 1);
        }
    }
    while let Some(v) = s.detached_stack.pop() {
        if s.state[v.index()] == 1 {
            continue;
        }
        for e in g.edges_of(v).filter(|&e| follows(e)) {
            s.process(g, g.edges().target(e), 2);
        }
    }
    (s.detached, s.detached_count)
}

struct State {
    state: Vec<u8>,
    visited: Vec<bool>,
    detached: Vec<bool>,
    detached_count: u64,
    attached_stack: Vec<NodeOrdinal>,
    detached_stack: Vec<NodeOrdinal>,
    native: Option<u8>,
}

impl State {
    fn process(&mut self, g: &HeapGraph, v: NodeOrdinal, st: u8) {
        let i = v.index();
        if self.visited[i] {
            return;
        }
        self.visited[i] = true;
        if Some(g.nodes().kind(v)) != self.native {
            return;
        }
        self.state[i] = st;
        match st {
            1 => self.attached_stack.push(v),
            2 => {
                self.detached[i] = true;
                self.detached_count += 1;
                self.detached_stack.push(v);
            }
            _ => {}
        }
    }
}
