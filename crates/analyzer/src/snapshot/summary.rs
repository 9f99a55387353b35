//! The Summary view (formats §8): per class count, shallow size, retained
//! size ("max retained": each dominator subtree counted once per class) and
//! minimum distance.

use heapdiff_model::HeapGraph;
use rayon::prelude::*;
use regex::Regex;

use super::report::{ClassRow, SummaryReport, SummaryTotals};
use super::{BASE_SYSTEM_DISTANCE, Derived};

/// Options of [`summary`].
#[derive(Debug, Clone, Default)]
pub struct SummaryOptions {
    /// Keep only the first N classes.
    pub limit: Option<usize>,
    /// Keep only classes whose name matches.
    pub filter: Option<Regex>,
    /// Keep only nodes whose object id is in `(min, max]` (DevTools' node
    /// filter for "objects allocated between snapshots" and time spans).
    pub id_range: Option<(u32, u32)>,
}

/// Per-class sums; `member` decides which nodes count (DevTools' node
/// filter), `None` counts all.
pub(crate) struct ClassSums {
    pub(crate) count: Vec<u64>,
    pub(crate) self_size: Vec<u64>,
    pub(crate) retained: Vec<u64>,
    pub(crate) distance: Vec<i32>,
}

pub(crate) fn class_sums(
    g: &HeapGraph,
    d: &Derived,
    member: &(dyn Fn(u32) -> bool + Sync),
) -> ClassSums {
    let n_classes = d.classes.names.len();
    // Nodes are summed in parallel ranges, each into its own table.
    let empty = || ClassSums {
        count: vec![0; n_classes],
        self_size: vec![0; n_classes],
        retained: vec![0; n_classes],
        distance: vec![i32::MAX; n_classes],
    };
    let n = g.n_nodes();
    let mut s = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .fold(empty, |mut s, chunk| {
            for v in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                if d.self_size[v] == 0 || !member(v as u32) {
                    continue;
                }
                let c = d.classes.of_node[v] as usize;
                s.count[c] += 1;
                s.self_size[c] = s.self_size[c].saturating_add(d.self_size[v]);
                s.distance[c] = s.distance[c].min(d.distance[v]);
            }
            s
        })
        .reduce(empty, |mut a, b| {
            for c in 0..n_classes {
                a.count[c] += b.count[c];
                a.self_size[c] = a.self_size[c].saturating_add(b.self_size[c]);
                a.distance[c] = a.distance[c].min(b.distance[c]);
            }
            a
        });
    max_retained(d, member, &mut s.retained);
    s
}

/// Nodes per parallel task.
const CHUNK: usize = 1 << 18;

/// A node counts for its class unless a dominator ancestor already counted
/// for the same class. The dominator tree's order keeps every subtree
/// contiguous, so a counted node blocks its class until the end of its
/// range. Ranges of one class never nest (nothing inside a counted range
/// counts for that class), so one "blocked until" position per class
/// suffices. The class of each position is looked up in parallel first;
/// sizes come from the running sums in tree order, so the walk itself
/// reads in sequence.
fn max_retained(d: &Derived, member: &(dyn Fn(u32) -> bool + Sync), out: &mut [u64]) {
    let tree = &d.dominators;
    let class_at: Vec<u32> = tree
        .tree_order
        .par_iter()
        .map(|&v| d.classes.of_node[v as usize])
        .collect();
    let sums = &d.tree_sums;
    if sums.len() == tree.tree_order.len() + 1 {
        walk(d, &class_at, member, out, |at, _| {
            (
                sums[at + 1] - sums[at],
                sums[at + tree.tree_size[at] as usize] - sums[at],
            )
        });
    } else {
        // No running sums (sizes near 2^64): read the sizes by node.
        walk(d, &class_at, member, out, |_, v| {
            (d.self_size[v as usize], d.retained[v as usize])
        });
    }
}

/// The walk of [`max_retained`]; `sizes(position, node)` gives the node's
/// self and retained sizes.
fn walk(
    d: &Derived,
    class_at: &[u32],
    member: &(dyn Fn(u32) -> bool + Sync),
    out: &mut [u64],
    sizes: impl Fn(usize, u32) -> (u64, u64),
) {
    let tree = &d.dominators;
    let mut blocked_until = vec![0u32; out.len()];
    for (at, &c) in class_at.iter().enumerate() {
        let c = c as usize;
        if (at as u32) < blocked_until[c] {
            continue;
        }
        let v = tree.tree_order[at];
        // Counts: a self size and a member of the node filter.
        let (self_size, retained) = sizes(at, v);
        if self_size == 0 || !member(v) {
            continue;
        }
        out[c] = out[c].saturating_add(retained);
        blocked_until[c] = at as u32 + tree.tree_size[at];
    }
}

/// DevTools shows a distance only if it is ≥ 0 and below the system base.
pub(crate) fn shown_distance(d: i32) -> Option<i32> {
    (0..BASE_SYSTEM_DISTANCE).contains(&d).then_some(d)
}

/// The Summary of a snapshot.
#[must_use]
pub fn summary(g: &HeapGraph, d: &Derived, opts: &SummaryOptions) -> SummaryReport {
    let range = opts.id_range;
    let member = move |v: u32| {
        range.is_none_or(|(lo, hi)| {
            (lo..=hi).contains(&g.nodes.id[v as usize]) && g.nodes.id[v as usize] != lo
        })
    };
    let sums = class_sums(g, d, &member);
    let mut classes: Vec<ClassRow> = (0..d.classes.names.len())
        .filter(|&c| sums.count[c] > 0)
        .filter(|&c| {
            opts.filter
                .as_ref()
                .is_none_or(|re| re.is_match(&d.classes.names[c]))
        })
        .map(|c| ClassRow {
            name: d.classes.names[c].clone(),
            key: d.classes.keys[c].clone(),
            count: sums.count[c],
            self_size: sums.self_size[c],
            retained_size: sums.retained[c],
            distance: shown_distance(sums.distance[c]),
        })
        .collect();
    classes.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.key.cmp(&b.key))
    });
    let n_classes = classes.len();
    if let Some(limit) = opts.limit {
        classes.truncate(limit);
    }
    let (detached_nodes, detached_retained) = detached_totals(d);
    SummaryReport {
        schema_version: 1,
        kind: "summary",
        classes,
        totals: SummaryTotals {
            total_size: d.total_size,
            nodes: g.n_nodes() as u64,
            edges: g.edges.len() as u64,
            classes: n_classes,
            unreachable_nodes: d.unreachable,
            detached_nodes,
            detached_retained,
        },
    }
}

/// Detached DOM nodes, and what the outermost of them retain.
fn detached_totals(d: &Derived) -> (u64, u64) {
    let nodes = d.detached.iter().filter(|&&x| x).count() as u64;
    let mut retained = 0;
    for &v in &d.dominators.tree_order {
        let v = v as usize;
        if d.detached[v] {
            let mut up = d.dominators.idom[v] as usize;
            let mut inside = false;
            while up != 0 {
                if d.detached[up] {
                    inside = true;
                    break;
                }
                up = d.dominators.idom[up] as usize;
            }
            if !inside {
                retained = d.retained[v].saturating_add(retained);
            }
        }
    }
    (nodes, retained)
}
