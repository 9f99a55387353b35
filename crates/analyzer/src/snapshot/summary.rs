//! The Summary view (formats §8): per class count, shallow size, retained
//! size ("max retained": each dominator subtree counted once per class) and
//! minimum distance.

use heapdiff_model::cast::to_u32;
use heapdiff_model::{HeapGraph, NodeOrdinal, Sizes};
use rayon::prelude::*;
use regex::Regex;

use super::flags::BitSet;
use super::prefetch::prefetch;
use super::report::{ClassRow, SpanTotals, SummaryReport, SummaryTotals};
use super::{BASE_SYSTEM_DISTANCE, ClassTable, Derived};

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

/// DevTools' node filter: which nodes count in a view.
pub(crate) type NodeFilter<'a> = dyn Fn(NodeOrdinal) -> bool + Sync + 'a;

/// Per-class sums; `member` decides which nodes count (DevTools' node
/// filter).
pub(crate) struct ClassSums {
    pub(crate) count: Vec<u64>,
    pub(crate) self_size: Vec<u64>,
    pub(crate) retained: Vec<u64>,
    pub(crate) distance: Vec<i32>,
}

/// Per-class count, shallow size and smallest distance of the nodes with
/// a size: everything of a class row but the retained size, which needs
/// the dominator tree. The analysis works it out for all nodes beside the
/// dominator chain ([`Derived::class_counts`]).
#[derive(Debug, Clone, Default)]
pub struct ClassCounts {
    pub(crate) count: Vec<u64>,
    pub(crate) self_size: Vec<u64>,
    pub(crate) distance: Vec<i32>,
}

impl ClassCounts {
    /// Sums the nodes `member` accepts, in parallel ranges, each into its
    /// own table.
    pub(crate) fn compute(
        self_size: &Sizes,
        classes: &ClassTable,
        distance: &[i32],
        member: &NodeFilter<'_>,
    ) -> Self {
        let n_classes = classes.names.len();
        let empty = || ClassCounts {
            count: vec![0; n_classes],
            self_size: vec![0; n_classes],
            distance: vec![i32::MAX; n_classes],
        };
        let n = self_size.len();
        (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .fold(empty, |mut s, chunk| {
                let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                let nodes = classes.of_node[range.clone()]
                    .iter()
                    .zip(&distance[range.clone()]);
                for (v, (&c, &dist)) in range.zip(nodes) {
                    let size = self_size.get(v);
                    if size == 0 || !member(NodeOrdinal::from_index(v)) {
                        continue;
                    }
                    let c = c as usize;
                    s.count[c] += 1;
                    s.self_size[c] = s.self_size[c].saturating_add(size);
                    s.distance[c] = s.distance[c].min(dist);
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
            })
    }
}

/// The class rows' sums over the nodes `member` accepts (`None`: all).
pub(crate) fn class_sums(d: &Derived, member: Option<&NodeFilter<'_>>) -> ClassSums {
    let (counts, member) = match member {
        Some(member) => (
            ClassCounts::compute(&d.self_size, &d.classes, &d.distance, member),
            member,
        ),
        None => (d.class_counts.clone(), &(|_| true) as &NodeFilter<'_>),
    };
    let mut retained = vec![0; d.classes.names.len()];
    heapdiff_model::steps::time("summary.max", || {
        max_retained(d, &d.classes.of_node, member, &mut retained)
    });
    ClassSums {
        count: counts.count,
        self_size: counts.self_size,
        retained,
        distance: counts.distance,
    }
}

/// Nodes per parallel task.
const CHUNK: usize = 1 << 18;

/// Retained size per group (`group_of` by node: classes, or packages),
/// into `out`. A node counts for its group unless a dominator ancestor
/// already counted for the same group. The dominator tree's order keeps every subtree
/// contiguous, so a counted node blocks its class until the end of its
/// range. Ranges of one class never nest (nothing inside a counted range
/// counts for that class), so one "blocked until" position per class
/// suffices. Sizes come from the running sums in tree order, so the walk
/// reads in sequence but for each node's class.
///
/// The positions are walked in parallel ranges. What a range needs from
/// before it is which classes its ancestors block, and those are the
/// ranges that contain its first position.
pub(crate) fn max_retained(
    d: &Derived,
    group_of: &[u32],
    member: &NodeFilter<'_>,
    out: &mut [u64],
) {
    let n = d.dominators.tree_order.len();
    let pieces = (2 * rayon::current_num_threads()).clamp(1, n.div_ceil(MIN_RANGE).max(1));
    max_retained_in(d, group_of, member, out, pieces);
}

/// [`max_retained`] in `pieces` ranges.
fn max_retained_in(
    d: &Derived,
    group_of: &[u32],
    member: &NodeFilter<'_>,
    out: &mut [u64],
    pieces: usize,
) {
    let n = d.dominators.tree_order.len();
    let parts: Vec<Vec<u64>> = (0..pieces)
        .into_par_iter()
        .map(|k| {
            let range = n * k / pieces..n * (k + 1) / pieces;
            let mut part = vec![0; out.len()];
            let sums = &d.tree_sums;
            if sums.len() == n + 1 {
                let tree = &d.dominators;
                walk(d, group_of, range, member, &mut part, |at, _| {
                    (
                        sums[at + 1] - sums[at],
                        sums[at + tree.tree_size[at] as usize] - sums[at],
                    )
                });
            } else {
                // No running sums (sizes near 2^64): read the sizes by node.
                let retained = d.retained();
                walk(d, group_of, range, member, &mut part, |_, v| {
                    (d.self_size.get(v.index()), retained[v.index()])
                });
            }
            part
        })
        .collect();
    for part in parts {
        for (o, p) in out.iter_mut().zip(part) {
            *o = o.saturating_add(p);
        }
    }
}

/// Positions per range of [`max_retained`], at least.
const MIN_RANGE: usize = 1 << 12;

/// The walk of [`max_retained`] over `range`; `sizes(position, node)`
/// gives the node's self and retained sizes.
fn walk(
    d: &Derived,
    group_of: &[u32],
    range: std::ops::Range<usize>,
    member: &NodeFilter<'_>,
    out: &mut [u64],
    sizes: impl Fn(usize, NodeOrdinal) -> (u64, u64),
) {
    let tree = &d.dominators;
    let class_of = group_of;
    // Positions as `u32`s, as the tree order's sizes are: the positions
    // are the nodes', whose count fits.
    let mut blocked_until = vec![0u32; out.len()];
    // The ancestors of the first position: from the root down, the child
    // range that contains it, found by jumping over its older siblings.
    let mut a = 0;
    while a < range.start {
        let end = a + tree.tree_size[a] as usize;
        let v = tree.node_at(a);
        let (self_size, _) = sizes(a, v);
        if self_size != 0 && member(v) {
            let c = class_of[v.index()] as usize;
            blocked_until[c] = blocked_until[c].max(to_u32(end));
        }
        a += 1;
        while a + (tree.tree_size[a] as usize) <= range.start {
            a += tree.tree_size[a] as usize;
        }
    }
    // The tree order is read raw: this loop passes every node.
    for at32 in to_u32(range.start)..to_u32(range.end) {
        let at = at32 as usize;
        if let Some(&ahead) = tree.tree_order.get(at + LOOKAHEAD) {
            prefetch(class_of, ahead as usize);
        }
        let v = tree.node_at(at);
        let c = class_of[v.index()] as usize;
        if at32 < blocked_until[c] {
            continue;
        }
        // Counts: a self size and a member of the node filter.
        let (self_size, retained) = sizes(at, v);
        if self_size == 0 || !member(v) {
            continue;
        }
        out[c] = out[c].saturating_add(retained);
        blocked_until[c] = at32 + tree.tree_size[at];
    }
}

/// How far ahead the walk asks for classes.
const LOOKAHEAD: usize = 16;

/// DevTools shows a distance only if it is ≥ 0 and below the system base.
pub(crate) fn shown_distance(d: i32) -> Option<i32> {
    (0..BASE_SYSTEM_DISTANCE).contains(&d).then_some(d)
}

/// The Summary of a snapshot.
#[must_use]
pub fn summary(g: &HeapGraph, d: &Derived, opts: &SummaryOptions) -> SummaryReport {
    let in_range = |(lo, hi): (u32, u32)| {
        move |v: NodeOrdinal| {
            let id = g.nodes().id(v).get();
            u64::from(lo) < id && id <= u64::from(hi)
        }
    };
    let member = opts.id_range.map(in_range);
    let sums = heapdiff_model::steps::time("summary.sums", || {
        class_sums(d, member.as_ref().map(|m| m as &NodeFilter<'_>))
    });
    let span = member.is_some().then(|| SpanTotals {
        objects: sums.count.iter().sum(),
        self_size: sums.self_size.iter().fold(0, |a, &b| a.saturating_add(b)),
    });
    let scripts = &d.scripts;
    let mut classes: Vec<ClassRow> = (0..d.classes.names.len())
        .filter(|&c| sums.count[c] > 0)
        .filter(|&c| {
            opts.filter.as_ref().is_none_or(|re| {
                let (key, name) = (&d.classes.keys[c], &d.classes.names[c]);
                re.is_match(name) || re.is_match(scripts.class_name(key, name))
            })
        })
        .map(|c| {
            let (key, name) = (&d.classes.keys[c], &d.classes.names[c]);
            ClassRow {
                name: scripts.class_name(key, name).to_string(),
                key: key.clone(),
                count: sums.count[c],
                self_size: sums.self_size[c],
                retained_size: sums.retained[c],
                distance: shown_distance(sums.distance[c]),
                origin: scripts.origin_of_key(key, name),
            }
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
    let (detached_nodes, detached_retained) =
        heapdiff_model::steps::time("summary.detached", || detached_totals(g, d));
    SummaryReport {
        schema_version: 1,
        kind: "summary",
        classes,
        totals: SummaryTotals {
            total_size: d.total_size,
            nodes: g.n_nodes() as u64,
            edges: g.edges().len() as u64,
            classes: n_classes,
            unreachable_nodes: d.unreachable,
            detached_nodes,
            detached_retained,
            span,
        },
    }
}

/// Detached DOM nodes, and what the outermost of them retain. node's own
/// native objects (named `Node / …`) carry the detached flag too when
/// nothing attaches them, but a node process has no DOM: they stay in their
/// `Detached Node / …` classes, as in DevTools, and are not counted here.
fn detached_totals(g: &HeapGraph, d: &Derived) -> (u64, u64) {
    if d.detached_count == 0 {
        return (0, 0);
    }
    let tree = &d.dominators;
    // The detached nodes' positions, found in parallel (the tree order is
    // long, the detached nodes few), in order; looked up in a bit set, which
    // stays in cache where the flags by node would not.
    let mut set = BitSet::new(d.detached.len());
    let mut nodes = 0;
    for (v, &detached) in d.detached.iter().enumerate() {
        if detached && is_dom(g, v) {
            set.insert(NodeOrdinal::from_index(v));
            nodes += 1;
        }
    }
    if nodes == 0 {
        return (0, 0);
    }
    let positions: Vec<usize> = tree
        .tree_order
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(k, chunk)| {
            let set = &set;
            chunk
                .iter()
                .enumerate()
                .filter(move |&(_, &v)| set.contains(NodeOrdinal::new(v)))
                .map(move |(i, _)| k * CHUNK + i)
        })
        .collect();
    // The outermost count: one whose subtree holds no other detached
    // node's position before it. Detached subtrees nest or are apart, so
    // the last counted one's end tells.
    let mut retained: u64 = 0;
    let mut inside_until = 0;
    for at in positions {
        if at >= inside_until {
            retained = retained.saturating_add(d.retained_at(at));
            inside_until = at + tree.tree_size[at] as usize;
        }
    }
    (nodes, retained)
}

/// A detached node that is DOM: anything but node's native objects.
pub(super) fn is_dom(g: &HeapGraph, v: usize) -> bool {
    !g.node_name(NodeOrdinal::from_index(v))
        .starts_with("Node / ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    /// node's native objects flagged detached are not DOM: a node
    /// snapshot reports no detached DOM.
    #[test]
    fn node_snapshots_have_no_detached_dom() {
        let g = load("../../fixtures/heaptimeline/node-worker/input.heaptimeline.gz");
        let d = super::super::analyze(&g);
        assert!(
            d.detached_count > 0,
            "node flags some of its objects detached"
        );
        assert_eq!(detached_totals(&g, &d), (0, 0));
    }

    /// Detached totals: every detached node, and what the outermost ones
    /// (no detached dominator above) retain, as a walk up the dominators
    /// finds them.
    #[test]
    fn detached_totals_count_the_outermost_detached_nodes() {
        let g = load("../../fixtures/heapsnapshot/browser-detached/input.heapsnapshot.gz");
        let d = super::super::analyze(&g);
        let idom = d.dominators.idom();
        let mut nodes = 0;
        let mut retained = 0;
        for v in 0..g.n_nodes() {
            if d.detached[v] && is_dom(&g, v) {
                nodes += 1;
                let mut up = idom[v];
                while up != NodeOrdinal::ROOT && !d.detached[up.index()] {
                    up = idom[up.index()];
                }
                if up == NodeOrdinal::ROOT {
                    retained += d.retained()[v];
                }
            }
        }
        assert!(nodes > 0 && retained > 0);
        assert_eq!(detached_totals(&g, &d), (nodes, retained));
    }

    /// The parallel ranges of the max-retained walk start with the blocks
    /// their ancestors set: any cut gives the one-range answer, with and
    /// without a node filter.
    #[test]
    fn max_retained_does_not_depend_on_the_cuts() {
        for path in [
            "../../fixtures/snapshot-diff/node-leak/after.heapsnapshot.gz",
            "../../fixtures/heapsnapshot/browser-detached/input.heapsnapshot.gz",
        ] {
            let g = load(path);
            let d = super::super::analyze(&g);
            let id = |v| g.nodes().id(v);
            let median = {
                let mut sorted: Vec<_> = g.nodes().ordinals().map(id).collect();
                sorted.sort_unstable();
                sorted[sorted.len() / 2]
            };
            let all = |_| true;
            let newer = |v| id(v) > median;
            for member in [&all as &NodeFilter<'_>, &newer] {
                let mut whole = vec![0; d.classes.names.len()];
                max_retained_in(&d, &d.classes.of_node, member, &mut whole, 1);
                assert!(whole.iter().any(|&r| r > 0), "{path}");
                for pieces in [2, 3, 7, 64, 1000] {
                    let mut cut = vec![0; d.classes.names.len()];
                    max_retained_in(&d, &d.classes.of_node, member, &mut cut, pieces);
                    assert_eq!(cut, whole, "{path}: {pieces} ranges");
                }
            }
        }
    }
}
