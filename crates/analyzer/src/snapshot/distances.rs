//! Distances: BFS levels from the user roots, then from the root for what
//! only system roots reach (formats §7.7), with DevTools' edge filters.

use std::collections::VecDeque;

use heapdiff_model::HeapGraph;
use rustc_hash::FxHashSet;

use super::{BASE_SYSTEM_DISTANCE, NO_DISTANCE, flags, weakmap};

pub(crate) fn compute(g: &HeapGraph, has_user_roots: bool) -> Vec<i32> {
    let n = g.n_nodes();
    let mut dist = vec![NO_DISTANCE; n];
    let mut bfs = Bfs::new(g);
    let mut queue = VecDeque::new();
    for e in g.edge_range(0) {
        let to = g.edges.to[e];
        if flags::is_user_root(g, to) && dist[to as usize] == NO_DISTANCE {
            dist[to as usize] = 1;
            queue.push_back(to);
        }
    }
    bfs.run(g, &mut dist, &mut queue);
    dist[0] = if has_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    queue.push_back(0);
    bfs.run(g, &mut dist, &mut queue);
    dist
}

struct Bfs {
    weak: Option<u8>,
    internal: Option<u8>,
    hidden: Option<u8>,
    array: Option<u8>,
    /// WeakMap pair parts seen once (formats §7.7 filter c); persists
    /// across both phases.
    seen_pairs: FxHashSet<String>,
}

impl Bfs {
    fn new(g: &HeapGraph) -> Self {
        Self {
            weak: g.edge_type_index("weak"),
            internal: g.edge_type_index("internal"),
            hidden: g.node_type_index("hidden"),
            array: g.node_type_index("array"),
            seen_pairs: FxHashSet::default(),
        }
    }

    fn run(&mut self, g: &HeapGraph, dist: &mut [i32], queue: &mut VecDeque<u32>) {
        while let Some(v) = queue.pop_front() {
            let d = dist[v as usize] + 1;
            for e in g.edge_range(v) {
                let k = Some(g.edges.kind[e]);
                if k == self.weak {
                    continue;
                }
                let c = g.edges.to[e] as usize;
                if dist[c] != NO_DISTANCE || !self.allows(g, v, e) {
                    continue;
                }
                dist[c] = d;
                queue.push_back(c as u32);
            }
        }
    }

    fn allows(&mut self, g: &HeapGraph, v: u32, e: usize) -> bool {
        let kind = Some(g.nodes.kind[v as usize]);
        let edge_kind = Some(g.edges.kind[e]);
        let numeric = matches!(
            g.edge_types
                .get(g.edges.kind[e] as usize)
                .map(String::as_str),
            Some("element" | "hidden")
        );
        let name = if numeric {
            ""
        } else {
            g.strings.get(g.edges.name_or_index[e])
        };
        if kind == self.hidden
            && g.node_name(v) == "system / NativeContext"
            && name == "sloppy_function_map"
        {
            return false;
        }
        if kind == self.array && g.node_name(v) == "(map descriptors)" {
            let index = if numeric {
                Some(g.edges.name_or_index[e])
            } else {
                name.parse::<u32>().ok()
            };
            if let Some(i) = index {
                if i >= 2 && i % 3 == 1 {
                    return false;
                }
            }
            return true;
        }
        if edge_kind == self.internal {
            if let Some((part, _)) = weakmap::parse(name) {
                if self.seen_pairs.remove(part) {
                    return true;
                }
                self.seen_pairs.insert(part.to_string());
                return false;
            }
        }
        true
    }
}
