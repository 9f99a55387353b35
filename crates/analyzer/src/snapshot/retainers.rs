//! What keeps objects alive: shortest retainer paths from the GC roots
//! (following DevTools' distances, formats §7.7), grouped by shape; and the
//! biggest objects of the dominator tree with their dominator chains.

use std::collections::BTreeMap;

use heapdiff_model::HeapGraph;

use super::report::{DominatorRow, DominatorsReport, PathStep, RetainerGroup, RetainersReport};
use super::{BASE_SYSTEM_DISTANCE, Derived, NO_DISTANCE, weakmap};

/// Every edge by target: (source node, edge position), in source order.
/// Every edge by target, for walking retainers.
pub struct RetainerIndex {
    first: Vec<u32>,
    source: Vec<u32>,
    edge: Vec<u32>,
}

impl RetainerIndex {
    /// Builds the index (one pass over the edges).
    #[must_use]
    pub fn build(g: &HeapGraph) -> Self {
        let n = g.n_nodes();
        let mut first = vec![0u32; n + 1];
        for &to in &g.edges.to {
            first[to as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut source = vec![0u32; g.edges.len()];
        let mut edge = vec![0u32; g.edges.len()];
        for u in 0..n as u32 {
            for e in g.edge_range(u) {
                let to = g.edges.to[e] as usize;
                let at = fill[to] as usize;
                source[at] = u;
                edge[at] = e as u32;
                fill[to] += 1;
            }
        }
        Self {
            first,
            source,
            edge,
        }
    }

    fn of(&self, v: u32) -> impl Iterator<Item = (u32, usize)> + '_ {
        let r = self.first[v as usize] as usize..self.first[v as usize + 1] as usize;
        r.map(move |i| (self.source[i], self.edge[i] as usize))
    }
}

/// An edge as DevTools names it in the Retainers view (formats §5.5).
pub(crate) fn edge_label(g: &HeapGraph, e: usize) -> String {
    let kind = g
        .edge_types
        .get(g.edges.kind[e] as usize)
        .map_or("", String::as_str);
    let raw = g.edges.name_or_index[e];
    let name = || g.strings.get(raw).to_string();
    match kind {
        "element" => format!("[{raw}]"),
        "hidden" => format!("{{{raw}}}"),
        "context" => format!("->{}", name()),
        "property" | "shortcut" => {
            let n = name();
            if n.contains(' ') {
                format!("[\"{n}\"]")
            } else {
                format!(".{n}")
            }
        }
        "weak" => format!("[[{}]]", name()),
        _ => format!("{{{}}}", name()),
    }
}

/// The shortest strong path from a root to `v`, root-most step first:
/// at every hop, the first retainer one distance level closer.
#[must_use]
pub fn shortest_path(g: &HeapGraph, d: &Derived, index: &RetainerIndex, v: u32) -> Vec<PathStep> {
    let weak = g.edge_type_index("weak");
    let internal = g.edge_type_index("internal");
    let mut steps = Vec::new();
    let mut cur = v;
    let dist = &d.distance;
    if dist[v as usize] == NO_DISTANCE {
        return steps;
    }
    loop {
        let dc = dist[cur as usize];
        let step_class = d.classes.names[d.classes.of_node[cur as usize] as usize].clone();
        // Among the retainers one level closer to a root, prefer what a
        // person wrote (properties, variables, elements) over VM-internal
        // links; ties go to the first in retainer order.
        let mut chosen: Option<(u32, usize)> = None;
        let mut best_rank = u8::MAX;
        if cur != 0 && dc != 1 && dc != BASE_SYSTEM_DISTANCE + 1 {
            for (u, e) in index.of(cur) {
                let k = Some(g.edges.kind[e]);
                if k == weak || dist[u as usize] != dc - 1 {
                    continue;
                }
                let rank = edge_rank(g, e, k == internal);
                if rank < best_rank {
                    best_rank = rank;
                    chosen = Some((u, e));
                    if rank == 0 {
                        break;
                    }
                }
            }
        }
        match chosen {
            Some((u, e)) => {
                steps.push(PathStep {
                    edge: edge_label(g, e),
                    class: step_class,
                    id: g.nodes.id(cur as usize),
                });
                cur = u;
            }
            None => {
                // A root's child: label it with the root's edge to it.
                let edge = if cur == 0 {
                    String::new()
                } else {
                    g.edge_range(0)
                        .find(|&e| g.edges.to[e] == cur)
                        .map(|e| edge_label(g, e))
                        .unwrap_or_default()
                };
                steps.push(PathStep {
                    edge,
                    class: step_class,
                    id: g.nodes.id(cur as usize),
                });
                break;
            }
        }
        if steps.len() > 10_000 {
            break;
        }
    }
    steps.reverse();
    steps
}

/// How readable an edge is in a retainer path: 0 for properties,
/// variables and elements, 1 for other links, 2 for VM-internal ones, 3 for
/// WeakMap table edges (which do not retain).
fn edge_rank(g: &HeapGraph, e: usize, internal: bool) -> u8 {
    let kind = g
        .edge_types
        .get(g.edges.kind[e] as usize)
        .map_or("", String::as_str);
    match kind {
        "property" | "context" | "element" => 0,
        "internal" | "hidden" => {
            if internal && weakmap::parse(g.strings.get(g.edges.name_or_index[e])).is_some() {
                3
            } else {
                2
            }
        }
        _ => 1,
    }
}

/// What to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetainerTarget {
    /// Every object of a class (by class name or class key).
    Class(String),
    /// One object by V8 id.
    Id(u64),
}

/// Options of [`retainers`].
#[derive(Debug, Clone, Default)]
pub struct RetainersOptions {
    /// Keep only the first N groups.
    pub limit: Option<usize>,
}

/// Groups the shortest retainer paths of the target objects by shape
/// (classes and edge names, array indices ignored).
#[must_use]
pub fn retainers(
    g: &HeapGraph,
    d: &Derived,
    target: &RetainerTarget,
    opts: &RetainersOptions,
) -> RetainersReport {
    let objects: Vec<u32> = match target {
        RetainerTarget::Id(id) => g
            .nodes
            .with_id(*id)
            .map(|v| vec![v as u32])
            .unwrap_or_default(),
        RetainerTarget::Class(name) => (0..g.n_nodes() as u32)
            .filter(|&v| {
                let c = d.classes.of_node[v as usize] as usize;
                (d.classes.names[c] == *name || d.classes.keys[c] == *name)
                    && d.self_size[v as usize] > 0
            })
            .collect(),
    };
    let index = RetainerIndex::build(g);
    let mut groups: BTreeMap<Vec<(String, String)>, RetainerGroup> = BTreeMap::new();
    let mut unreachable = 0;
    for &v in &objects {
        let path = shortest_path(g, d, &index, v);
        if path.is_empty() {
            unreachable += 1;
            continue;
        }
        let shape: Vec<(String, String)> = path
            .iter()
            .map(|s| (shape_of(&s.edge), s.class.clone()))
            .collect();
        let group = groups.entry(shape).or_insert_with(|| RetainerGroup {
            count: 0,
            retained_size: 0,
            path,
        });
        group.count += 1;
        group.retained_size += d.retained()[v as usize];
    }
    let mut groups: Vec<RetainerGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.retained_size.cmp(&a.retained_size))
            .then_with(|| a.path.cmp(&b.path))
    });
    if let Some(limit) = opts.limit {
        groups.truncate(limit);
    }
    RetainersReport {
        schema_version: 1,
        kind: "retainers",
        target: match target {
            RetainerTarget::Class(n) => format!("class {n}"),
            RetainerTarget::Id(id) => format!("@{id}"),
        },
        objects: objects.len() as u64,
        unreachable,
        groups,
    }
}

/// Array positions do not make paths different: `[17]` → `[]`.
fn shape_of(edge: &str) -> String {
    if edge.starts_with('[')
        && edge[1..]
            .trim_end_matches(']')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        "[]".to_string()
    } else if edge.starts_with('{')
        && edge[1..]
            .trim_end_matches('}')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        "{}".to_string()
    } else {
        edge.to_string()
    }
}

/// The objects with the largest retained sizes and their dominator chains.
#[must_use]
pub fn dominators_report(g: &HeapGraph, d: &Derived, limit: usize) -> DominatorsReport {
    let synthetic = g.node_type_index("synthetic");
    let mut nodes: Vec<u32> = (1..g.n_nodes() as u32)
        .filter(|&v| Some(g.nodes.kind[v as usize]) != synthetic)
        .collect();
    let retained = d.retained();
    let larger_first = |a: &u32, b: &u32| {
        retained[*b as usize]
            .cmp(&retained[*a as usize])
            .then(a.cmp(b))
    };
    // The first `limit` only are sorted (there are millions of nodes).
    if limit < nodes.len() {
        nodes.select_nth_unstable_by(limit, larger_first);
        nodes.truncate(limit);
    }
    nodes.sort_by(larger_first);
    let class = |v: u32| d.classes.names[d.classes.of_node[v as usize] as usize].clone();
    let objects = nodes
        .into_iter()
        .map(|v| {
            let mut chain = Vec::new();
            let mut up = d.dominators.idom()[v as usize];
            while up != 0 && chain.len() < 10_000 {
                chain.push(PathStep {
                    edge: String::new(),
                    class: class(up),
                    id: g.nodes.id(up as usize),
                });
                up = d.dominators.idom()[up as usize];
            }
            chain.reverse();
            DominatorRow {
                class: class(v),
                id: g.nodes.id(v as usize),
                self_size: d.self_size[v as usize],
                retained_size: d.retained()[v as usize],
                dominated_by: chain,
            }
        })
        .collect();
    DominatorsReport {
        schema_version: 1,
        kind: "dominators",
        total_size: d.total_size,
        objects,
    }
}
