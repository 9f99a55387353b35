//! DOM state (detachedness) propagation and "Detached" renaming (formats
//! §7.2). State flows only through native nodes, never through JS objects.

use heapdiff_model::HeapGraph;

/// Returns every node's state (0 unknown, 1 attached, 2 detached) and which
/// native nodes are renamed `Detached …`.
pub(crate) fn compute(g: &HeapGraph) -> (Vec<u8>, Vec<bool>) {
    let n = g.n_nodes();
    let native = g.node_type_index("native");
    if g.nodes.detachedness.is_empty() {
        // Old snapshots: name-based detection, no renaming.
        let state = (0..n)
            .map(|v| {
                u8::from(
                    Some(g.nodes.kind[v]) == native
                        && g.node_name(v as u32).starts_with("Detached "),
                ) * 2
            })
            .collect();
        return (state, vec![false; n]);
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
    (s.state, s.detached)
}

struct State {
    state: Vec<u8>,
    visited: Vec<bool>,
    detached: Vec<bool>,
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
                self.detached_stack.push(v);
            }
            _ => {}
        }
    }
}
