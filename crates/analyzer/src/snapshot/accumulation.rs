//! Leak suspects of one snapshot, as Eclipse MAT's "Leak Suspects": the
//! objects and classes whose retained size is a large share of the heap.
//!
//! Objects: from the root, the dominator tree is walked down into every
//! child that retains at least the threshold; where no child does, the
//! walk stops, and the node reached accumulates what is below it in small
//! pieces. A stop in one of the VM's containers (an array's elements, a
//! hash table) names the application object holding it, when that object's
//! retained size is the container's alone. Classes: the objects of one
//! class, each counted once (an object inside another of its class is part
//! of that one's retained size), outside the objects found first, whose
//! retained sizes add up to the threshold.

use heapdiff_model::{EdgePosition, HeapGraph, NodeOrdinal};
use rustc_hash::FxHashMap;

use super::report::{AccumulationCluster, AccumulationReport, HeldClass};
use super::retainers::{RetainerIndex, edge_label, shortest_path};
use super::{Derived, NO_DISTANCE, Scripts, SourcePosition};

/// What `heapdiff suspects` looks for.
#[derive(Debug, Clone, Copy)]
pub struct AccumulationOptions {
    /// A suspect retains at least this share of the heap, in percent.
    pub min_share: f64,
    /// Also V8 internals, strings, arrays and embedder objects.
    pub all: bool,
}

/// The node types that hold application state.
const APPLICATION_TYPES: [&str; 3] = ["object", "closure", "regexp"];
/// The node types of the VM's own containers (elements, hash tables).
const CONTAINER_TYPES: [&str; 2] = ["array", "hidden"];
/// Classes shown per accumulation point.
const HELD_CLASSES: usize = 5;

/// The suspects of `g`, by retained size descending.
#[must_use]
pub fn accumulation_points(
    g: &HeapGraph,
    d: &Derived,
    opts: &AccumulationOptions,
) -> AccumulationReport {
    let total = d.total_size;
    let threshold = threshold(total, opts.min_share);
    let kinds = Kinds::of(g);
    let index = RetainerIndex::build(g);
    let points = object_points(g, d, &kinds, threshold);
    let mut clusters: Vec<AccumulationCluster> = points
        .iter()
        .map(|&at| object_cluster(g, d, &kinds, &index, at, total))
        .collect();
    clusters.extend(
        class_points(g, d, &points, threshold)
            .into_iter()
            .map(|(c, sum)| class_cluster(g, d, &kinds, &index, c, &sum, total)),
    );
    clusters.retain(|c| opts.all || !c.internal);
    clusters.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(a.scope.cmp(b.scope))
            .then(a.id.cmp(&b.id))
    });
    AccumulationReport {
        schema_version: 1,
        kind: "suspects",
        total_size: total,
        min_share: opts.min_share,
        clusters,
    }
}

/// The smallest retained size that is `share` percent of `total` (at
/// least 1 byte).
fn threshold(total: u64, share: f64) -> u64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a non-negative share of a u64 total, rounded up, fits in u64"
    )]
    let t = (total as f64 * share.clamp(0.0, 100.0) / 100.0).ceil() as u64;
    t.max(1)
}

/// The snapshot's node type indices that matter here.
struct Kinds {
    application: Vec<u8>,
    container: Vec<u8>,
}

impl Kinds {
    fn of(g: &HeapGraph) -> Self {
        let indices = |names: &[&str]| names.iter().filter_map(|t| g.node_type_index(t)).collect();
        Self {
            application: indices(&APPLICATION_TYPES),
            container: indices(&CONTAINER_TYPES),
        }
    }

    /// An object the program made (not a V8 internal, string, array or
    /// embedder object).
    fn is_application(&self, g: &HeapGraph, d: &Derived, v: NodeOrdinal) -> bool {
        let name = &d.classes.names[d.class_of(v)];
        self.application.contains(&g.nodes().kind(v))
            && d.distance_of(v) != NO_DISTANCE
            && !name.starts_with("system / ")
            && !name.starts_with('(')
    }

    fn is_container(&self, g: &HeapGraph, v: NodeOrdinal) -> bool {
        self.container.contains(&g.nodes().kind(v))
    }
}

/// The positions of the dominator tree's children of the node at `at`.
fn children(d: &Derived, at: usize) -> impl Iterator<Item = usize> + '_ {
    let sizes = &d.dominators.tree_size;
    let end = at + sizes[at] as usize;
    let mut next = at + 1;
    std::iter::from_fn(move || {
        (next < end).then(|| {
            let p = next;
            next += sizes[p] as usize;
            p
        })
    })
}

/// The accumulation points (tree positions): the walk from the root into
/// every child retaining `threshold` or more stops where none does; a stop
/// in a container moves up to the application object that holds it alone.
fn object_points(g: &HeapGraph, d: &Derived, kinds: &Kinds, threshold: u64) -> Vec<usize> {
    // (position, parent's entry in `seen`, big children of the parent)
    let mut seen: Vec<(usize, usize, usize)> = vec![(0, usize::MAX, 1)];
    let mut stack = vec![0usize];
    let mut stops = Vec::new();
    let synthetic = g.node_type_index("synthetic");
    while let Some(i) = stack.pop() {
        let at = seen[i].0;
        let big: Vec<usize> = children(d, at)
            .filter(|&p| d.retained_at(p) >= threshold)
            .collect();
        // The root and the synthetic groups of roots hold, they do not
        // accumulate.
        if big.is_empty() && Some(g.nodes().kind(d.dominators.node_at(at))) != synthetic {
            stops.push(i);
        }
        for &p in &big {
            seen.push((p, i, big.len()));
            stack.push(seen.len() - 1);
        }
    }
    let mut points: Vec<usize> = stops
        .into_iter()
        .map(|i| holder_of(g, d, kinds, &seen, i))
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// The stop at `seen[i]`, or the application object up the walk that
/// holds it through containers only, each its parent's one big child.
fn holder_of(
    g: &HeapGraph,
    d: &Derived,
    kinds: &Kinds,
    seen: &[(usize, usize, usize)],
    i: usize,
) -> usize {
    let mut j = i;
    loop {
        let (at, parent, siblings) = seen[j];
        let v = d.dominators.node_at(at);
        if kinds.is_application(g, d, v) {
            return at;
        }
        if !kinds.is_container(g, v) || parent == usize::MAX || siblings != 1 || parent == 0 {
            return seen[i].0;
        }
        j = parent;
    }
}

/// Per class: Σ retained size and count of its outermost objects (no
/// object of the class dominates them) outside the accumulation points'
/// subtrees, and the biggest of them.
#[derive(Debug, Default)]
struct ClassSum {
    retained: u64,
    count: u64,
    biggest: Option<(u64, NodeOrdinal)>,
}

/// The classes whose outermost objects outside `points` retain
/// `threshold` or more.
fn class_points(
    g: &HeapGraph,
    d: &Derived,
    points: &[usize],
    threshold: u64,
) -> Vec<(usize, ClassSum)> {
    let tree = &d.dominators;
    let synthetic = g.node_type_index("synthetic");
    let mut inside_until = vec![0usize; d.classes.names.len()];
    let mut sums: FxHashMap<usize, ClassSum> = FxHashMap::default();
    let mut skip = points.iter().map(|&p| (p, p + tree.tree_size[p] as usize));
    let mut next_skip = skip.next();
    let mut at = 1;
    while at < tree.tree_order.len() {
        if let Some((start, end)) = next_skip
            && at == start
        {
            at = end;
            next_skip = skip.next();
            continue;
        }
        let v = tree.node_at(at);
        let c = d.class_of(v);
        if at >= inside_until[c]
            && Some(g.nodes().kind(v)) != synthetic
            && d.self_size_of(v) > 0
            && d.distance_of(v) != NO_DISTANCE
        {
            inside_until[c] = at + tree.tree_size[at] as usize;
            let size = d.retained_at(at);
            let sum = sums.entry(c).or_default();
            sum.retained = sum.retained.saturating_add(size);
            sum.count += 1;
            if sum.biggest.is_none_or(|(b, _)| size > b) {
                sum.biggest = Some((size, v));
            }
        }
        at += 1;
    }
    let mut found: Vec<(usize, ClassSum)> = sums
        .into_iter()
        .filter(|(_, s)| s.retained >= threshold && s.count > 1)
        .collect();
    found.sort_by_key(|(c, _)| *c);
    found
}

fn share(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (part as f64 / total as f64 * 1000.0).round() / 10.0
}

/// One accumulation point as a cluster.
fn object_cluster(
    g: &HeapGraph,
    d: &Derived,
    kinds: &Kinds,
    index: &RetainerIndex,
    at: usize,
    total: u64,
) -> AccumulationCluster {
    let v = d.dominators.node_at(at);
    let c = d.class_of(v);
    let retained = d.retained_at(at);
    let (class, origin) = d.scripts.shown_class_with_origin(&d.classes, c);
    let path = shortest_path(g, d, index, v);
    let holder_source = match (&origin.source, path.last()) {
        (None, Some(last)) => holder_position(g, d, index, v, &last.edge),
        _ => None,
    };
    AccumulationCluster {
        scope: "object",
        class,
        count: 1,
        retained_size: retained,
        share: share(retained, total),
        origin,
        holder_source,
        id: g.nodes().id(v).get(),
        internal: !kinds.is_application(g, d, v),
        holds: held_classes(g, d, kinds, &d.scripts, at),
        path,
    }
}

/// A class whose objects together retain a large share.
fn class_cluster(
    g: &HeapGraph,
    d: &Derived,
    kinds: &Kinds,
    index: &RetainerIndex,
    c: usize,
    sum: &ClassSum,
    total: u64,
) -> AccumulationCluster {
    let v = sum.biggest.map_or(NodeOrdinal::ROOT, |(_, v)| v);
    let (class, origin) = d.scripts.shown_class_with_origin(&d.classes, c);
    // Built-in classes (`Function`, `Object`, node's own) are everywhere:
    // a class of the program has a constructor in one of its scripts.
    let programs = (origin.source.as_ref()).is_some_and(|s| !s.url.starts_with("node:"));
    AccumulationCluster {
        scope: "class",
        class,
        count: sum.count,
        retained_size: sum.retained,
        share: share(sum.retained, total),
        origin,
        holder_source: None,
        id: g.nodes().id(v).get(),
        internal: !(programs && kinds.is_application(g, d, v)),
        holds: Vec::new(),
        path: shortest_path(g, d, index, v),
    }
}

/// Where a holder of `v` is defined: among `v`'s strong retainers, those
/// whose edge has the name of the path's last edge (`.requestLog` from
/// `module.exports`, `->requestLog` from the module's context) first, the
/// first with a position (see [`defined_at`]).
fn holder_position(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    v: NodeOrdinal,
    path_edge: &str,
) -> Option<SourcePosition> {
    let weak = g.edge_type_index("weak");
    let strong: Vec<(NodeOrdinal, EdgePosition)> = index
        .of(v)
        .filter(|&(_, e)| Some(g.edges().kind(e)) != weak)
        .collect();
    let name = bare_edge_name(path_edge);
    let same_name = |e: EdgePosition| !name.is_empty() && bare_edge_name(&edge_label(g, e)) == name;
    let (named, others): (Vec<_>, Vec<_>) = strong.into_iter().partition(|&(_, e)| same_name(e));
    named
        .into_iter()
        .chain(others)
        .find_map(|(u, _)| defined_at(g, d, index, u))
}

/// An edge label without its kind's marks: `requestLog` of `.requestLog`
/// and `->requestLog`.
fn bare_edge_name(label: &str) -> &str {
    label.trim_start_matches("->").trim_start_matches('.')
}

/// Where `u` is defined: a closure's own position, an object's
/// constructor's, and for a context (the variables of a function) the
/// position of the first closure that uses it.
fn defined_at(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    u: NodeOrdinal,
) -> Option<SourcePosition> {
    if g.node_type(u) == "closure" {
        return d.scripts.position(g.location(u)?);
    }
    if let Some(at) = d.scripts.position_of_key(&d.classes.keys[d.class_of(u)]) {
        return Some(at);
    }
    if d.classes.names[d.class_of(u)] != "system / Context" {
        return None;
    }
    index
        .of(u)
        .filter(|&(w, e)| g.node_type(w) == "closure" && edge_label(g, e) == "{context}")
        .find_map(|(w, _)| d.scripts.position(g.location(w)?))
}

/// What the node at `at` dominates directly, looking through the VM's
/// containers, by class: biggest retained size first.
fn held_classes(
    g: &HeapGraph,
    d: &Derived,
    kinds: &Kinds,
    scripts: &Scripts,
    at: usize,
) -> Vec<HeldClass> {
    let mut by_class: FxHashMap<usize, (u64, u64)> = FxHashMap::default();
    let mut stack: Vec<usize> = children(d, at).collect();
    while let Some(p) = stack.pop() {
        let v = d.dominators.node_at(p);
        if kinds.is_container(g, v) && !kinds.is_application(g, d, v) {
            stack.extend(children(d, p));
            continue;
        }
        let entry = by_class.entry(d.class_of(v)).or_default();
        entry.0 += 1;
        entry.1 = entry.1.saturating_add(d.retained_at(p));
    }
    let mut held: Vec<HeldClass> = by_class
        .into_iter()
        .map(|(c, (count, retained_size))| {
            let (class, generated) = scripts.shown_class(&d.classes, c);
            HeldClass {
                class,
                generated,
                count,
                retained_size,
            }
        })
        .collect();
    held.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.class.cmp(&b.class))
    });
    held.truncate(HELD_CLASSES);
    held
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    fn suspects_of(path: &str, all: bool) -> AccumulationReport {
        let g = load(path);
        let d = super::super::analyze(&g);
        accumulation_points(
            &g,
            &d,
            &AccumulationOptions {
                min_share: 10.0,
                all,
            },
        )
    }

    /// The leaking service's module-level array `requestLog` is the one
    /// accumulation point: one Array holding the 911 `RequestRecord`s of
    /// the run, reached through `cache.js`'s exports.
    #[test]
    fn the_request_log_is_the_accumulation_point() {
        let r = suspects_of(
            "../../fixtures/series/leak/snapshot-5.heapsnapshot.gz",
            false,
        );
        assert_eq!(r.clusters.len(), 1, "{:?}", r.clusters);
        let log = &r.clusters[0];
        assert_eq!(
            (log.scope, log.class.as_str(), log.count),
            ("object", "Array", 1)
        );
        assert!(log.share >= 20.0, "{}", log.share);
        assert_eq!(log.path.last().unwrap().edge, ".requestLog");
        let held = &log.holds[0];
        assert_eq!((held.class.as_str(), held.count), ("RequestRecord", 911));
        assert!(held.retained_size * 100 / log.retained_size >= 95);
    }

    /// The control keeps no log: no object or class of the program
    /// retains 10 % of its heap, while V8's own (code, contexts, shapes)
    /// do and are shown on request.
    #[test]
    fn the_control_has_no_application_accumulation_point() {
        let path = "../../fixtures/series/control/snapshot-5.heapsnapshot.gz";
        assert!(suspects_of(path, false).clusters.is_empty());
        let all = suspects_of(path, true);
        assert!(!all.clusters.is_empty());
        assert!(all.clusters.iter().all(|c| c.internal));
        assert!(all.clusters.iter().any(|c| c.class == "(compiled code)"));
    }

    /// Every suspect retains at least the threshold.
    #[test]
    fn every_suspect_reaches_the_threshold() {
        let r = suspects_of(
            "../../fixtures/series/leak/snapshot-5.heapsnapshot.gz",
            true,
        );
        let t = threshold(r.total_size, 10.0);
        assert!(r.clusters.iter().all(|c| c.retained_size >= t));
        // The records are inside the log's retained size, not a class of
        // their own.
        assert!(!r.clusters.iter().any(|c| c.class == "RequestRecord"));
    }
}
