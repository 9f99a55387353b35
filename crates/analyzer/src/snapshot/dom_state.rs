//! DOM state (detachedness) propagation and "Detached" renaming (formats
//! §7.2). State flows only through native nodes, never through JS objects.

use heapdiff_model::HeapGraph;

/// Returns which native nodes are renamed `Detached …`, and how many. (The
/// states themselves, 0 unknown, 1 attached, 2 detached, are only a means.)
pub(crate) fn compute(g: &HeapGraph) -> (Vec<bool>, u64) {
    let n = g.n_nodes();
    let native = g.node_type_index("native");
    if g.nodes.detachedness.is_empty() {
        // Old snapshots: detached nodes are already named so; no renaming.
        return (vec![false; n], 0);
    }
    let skip: Vec<bool> = g
        .edge_types
        .iter()
        .map(|t| matches!(t.as_str(), "hidden" | "invisible" | "weak"))
        .collect();
    let mut s = State {
        state: g.nodes.detachedness.clone(),
        visited: vec![false; n],
        detached: vec![false; n],
        detached_count: 0,
        attached_stack: Vec::new(),
        detached_stack: Vec::new(),
        native,
    };
    for v in 0..n {
        let st = g.nodes.detachedness[v];
        if st != 0 {
            s.process(g, v as u32, st);
        }
    }
    while let Some(v) = s.attached_stack.pop() {
        for e in g.edge_range(v) {
            if !skip.get(g.edges.kind[e] as usize).copied().unwrap_or(false) {
                s.process(g, g.edges.to[e], 1);
            }
        }
    }
    while let Some(v) = s.detached_stack.pop() {
        if s.state[v as usize] == 1 {
            continue;
        }
        for e in g.edge_range(v) {
            if !skip.get(g.edges.kind[e] as usize).copied().unwrap_or(false) {
                s.process(g, g.edges.to[e], 2);
            }
        }
    }
    (s.detached, s.detached_count)
}

struct State {
    state: Vec<u8>,
    visited: Vec<bool>,
    detached: Vec<bool>,
    detached_count: u64,
    attached_stack: Vec<u32>,
    detached_stack: Vec<u32>,
    native: Option<u8>,
}

impl State {
    fn process(&mut self, g: &HeapGraph, v: u32, st: u8) {
        let i = v as usize;
        if self.visited[i] {
            return;
        }
        self.visited[i] = true;
        if Some(g.nodes.kind[i]) != self.native {
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
