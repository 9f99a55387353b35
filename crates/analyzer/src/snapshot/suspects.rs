//! Leak suspects of a snapshot diff: the new objects (ids not in the base)
//! that carry the growth, grouped by class key (class and allocation
//! position), ranked by the retained size they add, each with its retainer
//! paths from the GC roots clustered by shape.
//!
//! Every byte is counted once across all suspects: an object counts only
//! when no dominator above it is itself a counted object (a new application
//! object), so the `OrderLine`s a new `RequestRecord` holds are part of that
//! record's retained size, not a suspect of their own. Only application
//! objects count (`object`, `closure` and `regexp` nodes, not `system / …`),
//! reachable from a root over strong edges: V8 internals (code, feedback,
//! shapes, `(system)`), strings and arrays are inside the retained size of
//! what holds them, weak-only objects and embedder (`native`) nodes, such as
//! node's detached bindings, are left out, unless `all` asks for every new
//! object. The one kind of embedder node that counts is detached DOM (a
//! page's removed elements still referenced from JS): in a browser it is
//! application state, often the leak itself.

use heapdiff_model::{HeapGraph, NodeOrdinal};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::report::{RetainerGroup, Suspect, SuspectCluster};
use super::retainers::{Hops, RetainerIndex, path_groups_of_sets};
use super::{Derived, NO_DISTANCE};

/// Suspects shown.
pub(crate) const SUSPECTS: usize = 5;
/// Retainer path clusters shown per suspect.
const CLUSTERS: usize = 3;

/// The node types that hold application state.
const APPLICATION_TYPES: [&str; 3] = ["object", "closure", "regexp"];

/// The suspects of `g` against `base`, most likely first.
pub(crate) fn suspects(
    base: &HeapGraph,
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    all: bool,
) -> Vec<Suspect> {
    use heapdiff_model::steps::time;
    let old = time("suspects.base_ids", || IdSet::of(base));
    let is_new = |v: NodeOrdinal| !old.contains(g.nodes().id(v).get());
    let mut groups = time("suspects.groups", || ranked_groups(g, d, all, is_new));
    groups.truncate(SUSPECTS);
    shown(g, d, index, &groups, |_| None)
}

/// The suspects of `current` against `base` when object ids cannot tell
/// new objects from old ones (their producer numbers objects anew in each
/// snapshot, or the snapshots come from two processes): the application
/// objects of every class key with more objects than in the base, each
/// suspect with its class's growth in objects.
pub(crate) fn by_growth(
    base: (&HeapGraph, &Derived),
    current: (&HeapGraph, &Derived),
    index: &RetainerIndex,
    all: bool,
) -> Vec<Suspect> {
    use heapdiff_model::steps::time;
    let ((bg, bd), (g, d)) = (base, current);
    let growth = class_growth((bg, bd), (g, d));
    let mut groups = time("suspects.groups", || {
        ranked_groups(g, d, all, |v| growth[d.class_of(v)] > 0)
    });
    groups.truncate(SUSPECTS);
    shown(g, d, index, &groups, |c| Some(growth[c]))
}

/// Per class index of `current`: its objects less the base's objects of
/// the same class key.
fn class_growth(base: (&HeapGraph, &Derived), current: (&HeapGraph, &Derived)) -> Vec<i64> {
    let counts = |(g, d): (&HeapGraph, &Derived)| {
        let mut n = vec![0i64; d.classes.keys.len()];
        for v in g.nodes().ordinals() {
            n[d.class_of(v)] += 1;
        }
        n
    };
    let (bd, d) = (base.1, current.1);
    let before: FxHashMap<&str, i64> = bd
        .classes
        .keys
        .iter()
        .map(String::as_str)
        .zip(counts(base))
        .collect();
    d.classes
        .keys
        .iter()
        .zip(counts(current))
        .map(|(key, n)| n - before.get(key.as_str()).copied().unwrap_or(0))
        .collect()
}

/// The ranked groups as suspects, with their retainer path clusters and,
/// by class index, the growth `grown` gives.
fn shown(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    groups: &[(usize, Group)],
    grown: impl Fn(usize) -> Option<i64>,
) -> Vec<Suspect> {
    use heapdiff_model::steps::time;
    let clusters = time("suspects.paths", || {
        clusters_of(g, d, index, groups, Some(CLUSTERS))
    });
    groups
        .iter()
        .zip(clusters)
        .map(|((c, group), paths)| {
            let (class, origin) = d.scripts.shown_class_with_origin(&d.classes, *c);
            Suspect {
                class,
                key: d.classes.keys[*c].clone(),
                count: group.count,
                class_growth: grown(*c),
                retained_size: group.retained,
                origin,
                clusters: paths.into_iter().map(SuspectCluster::from).collect(),
            }
        })
        .collect()
}

/// The object ids of a snapshot, for asking whether an id is in it: a bit
/// per id below 64 per node (V8 numbers heap objects from 1, two apart, so
/// these are nearly all of them), and the ids beyond, sorted (node's
/// embedder objects have ids far apart). Either part may be empty.
struct IdSet {
    /// A bit per id below `bits.len() × 64`.
    bits: Vec<u64>,
    /// The ids from there on, sorted.
    far: Vec<u64>,
}

impl IdSet {
    /// Bits per node the bit part may take at most.
    const BITS_PER_NODE: u64 = 64;

    fn of(g: &HeapGraph) -> Self {
        let ids = || g.nodes().ordinals().map(|v| g.nodes().id(v).get());
        let max = ids().max().unwrap_or(0);
        let most = g.n_nodes() as u64 * Self::BITS_PER_NODE / 64;
        Self::split(ids(), (max / 64 + 1).min(most))
    }

    /// `ids` as bits in `words` words, the rest sorted.
    fn split(ids: impl Iterator<Item = u64>, words: u64) -> Self {
        let mut bits = vec![0u64; usize::try_from(words).unwrap_or(usize::MAX)];
        let mut far = Vec::new();
        for id in ids {
            match bits.get_mut(usize::try_from(id / 64).unwrap_or(usize::MAX)) {
                Some(word) => *word |= 1 << (id % 64),
                None => far.push(id),
            }
        }
        far.par_sort_unstable();
        Self { bits, far }
    }

    fn contains(&self, id: u64) -> bool {
        match self
            .bits
            .get(usize::try_from(id / 64).unwrap_or(usize::MAX))
        {
            Some(word) => word & (1 << (id % 64)) != 0,
            None => self.far.binary_search(&id).is_ok(),
        }
    }
}

/// The new objects of one class key that count.
#[derive(Debug, Default)]
pub(crate) struct Group {
    /// The outermost ones: no new application object dominates them.
    pub(crate) outermost: Vec<NodeOrdinal>,
    /// The retained size of each of them (the walk has it at hand; the
    /// array of every node's retained size is not made for this).
    pub(crate) outermost_retained: Vec<u64>,
    /// Those and the new objects of the same key inside their dominator
    /// subtrees (a list's later links).
    pub(crate) count: u64,
    /// Σ retained size of the outermost ones.
    pub(crate) retained: u64,
}

/// What the snapshot diff's suspects and `leaks` share: the application
/// objects of `g` that `chosen` picks (new ones, survivors), counted once
/// through the dominator tree, grouped by class index, largest retained
/// size first (then count, then class key). With `all`, every chosen object
/// counts, V8 internals and weak-only ones too (`--all-suspects`).
pub(crate) fn ranked_groups(
    g: &HeapGraph,
    d: &Derived,
    all: bool,
    chosen: impl Fn(NodeOrdinal) -> bool + Sync,
) -> Vec<(usize, Group)> {
    let mut groups: Vec<(usize, Group)> = outermost_objects(g, d, all, |v| d.class_of(v), chosen)
        .into_iter()
        .collect();
    groups.sort_by(|(a, ga), (b, gb)| {
        gb.retained
            .cmp(&ga.retained)
            .then(gb.count.cmp(&ga.count))
            .then_with(|| d.classes.keys[*a].cmp(&d.classes.keys[*b]))
    });
    groups
}

/// The retainer paths of each group's outermost objects, clustered by
/// shape through one path forest, at most `limit` clusters per group.
pub(crate) fn clusters_of(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    groups: &[(usize, Group)],
    limit: Option<usize>,
) -> Vec<Vec<RetainerGroup>> {
    clusters_by(g, d, Hops::Index(index), groups, limit)
}

/// [`clusters_of`], the next hops found through `hops`.
pub(crate) fn clusters_by(
    g: &HeapGraph,
    d: &Derived,
    hops: Hops<'_>,
    groups: &[(usize, Group)],
    limit: Option<usize>,
) -> Vec<Vec<RetainerGroup>> {
    let sets: Vec<(&[NodeOrdinal], &[u64])> = groups
        .iter()
        .map(|(_, m)| (m.outermost.as_slice(), m.outermost_retained.as_slice()))
        .collect();
    path_groups_of_sets(g, d, hops, &sets, limit)
        .into_iter()
        .map(|(paths, _)| paths)
        .collect()
}

/// Per group `key` (a class index for suspects and `leaks`, an allocation
/// site for timelines), the application objects `chosen` picks that count,
/// walking the dominator tree in order: an outermost object counts its
/// retained size, and chosen objects of its own key inside its subtree
/// count as members. With `all`, any chosen object but V8's synthetic roots
/// counts.
pub(crate) fn outermost_objects(
    g: &HeapGraph,
    d: &Derived,
    all: bool,
    key: impl Fn(NodeOrdinal) -> usize,
    chosen: impl Fn(NodeOrdinal) -> bool + Sync,
) -> FxHashMap<usize, Group> {
    let application: Vec<u8> = APPLICATION_TYPES
        .iter()
        .filter_map(|t| g.node_type_index(t))
        .collect();
    let synthetic = g.node_type_index("synthetic");
    let native = g.node_type_index("native");
    let detached_dom = |v: NodeOrdinal| {
        Some(g.nodes().kind(v)) == native
            && d.detached[v.index()]
            && super::summary::is_dom(g, v.index())
    };
    let system: Vec<bool> = d
        .classes
        .names
        .iter()
        .map(|name| name.starts_with("system / "))
        .collect();
    let counts = |v: NodeOrdinal| {
        d.self_size_of(v) > 0
            && (if all {
                Some(g.nodes().kind(v)) != synthetic
            } else {
                (application.contains(&g.nodes().kind(v)) || detached_dom(v))
                    && d.distance_of(v) != NO_DISTANCE
                    && !system[d.class_of(v)]
            })
            && chosen(v)
    };
    // Which nodes count, in node order (reading the columns in order, on
    // every core), before the walk in tree order reads one flag per node.
    let counted: Vec<bool> = (0..g.n_nodes())
        .into_par_iter()
        .map(|i| counts(NodeOrdinal::from_index(i)))
        .collect();
    let tree = &d.dominators;
    let mut groups: FxHashMap<usize, Group> = FxHashMap::default();
    let (mut inside_until, mut inside) = (0, usize::MAX);
    for at in 0..tree.tree_order.len() {
        let v = tree.node_at(at);
        if !counted[v.index()] {
            continue;
        }
        let c = key(v);
        if at < inside_until {
            if c == inside {
                groups.entry(inside).or_default().count += 1;
            }
            continue;
        }
        (inside_until, inside) = (at + tree.tree_size[at] as usize, c);
        let group = groups.entry(c).or_default();
        let retained = d.retained_at(at);
        group.outermost.push(v);
        group.outermost_retained.push(retained);
        group.count += 1;
        group.retained = group.retained.saturating_add(retained);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    fn node_leak() -> (HeapGraph, HeapGraph, Derived) {
        let base = load("../../fixtures/snapshot-diff/node-leak/before.heapsnapshot.gz");
        let cur = load("../../fixtures/snapshot-diff/node-leak/after.heapsnapshot.gz");
        let d = super::super::analyze(&cur);
        (base, cur, d)
    }

    /// The id set holds exactly the snapshot's ids, in its bits and in
    /// its sorted part alike.
    #[test]
    fn id_sets_hold_the_snapshot_ids() {
        let (base, cur, _) = node_leak();
        let ids = || base.nodes().ordinals().map(|v| base.nodes().id(v).get());
        let mut sorted: Vec<u64> = ids().collect();
        sorted.sort_unstable();
        // Node's embedder objects have ids far beyond the node count: they
        // fall in the sorted part, the heap's objects in the bits.
        let of = IdSet::of(&base);
        assert!(!of.bits.is_empty() && !of.far.is_empty());
        // Also all in bits, all sorted, and split in the middle.
        let max = *sorted.last().unwrap();
        let forms = [
            of,
            IdSet::split(ids(), max / 64 + 1),
            IdSet::split(ids(), 0),
            IdSet::split(ids(), sorted[sorted.len() / 2] / 64),
        ];
        let others = cur.nodes().ordinals().map(|v| cur.nodes().id(v).get());
        for id in others.chain(ids()).chain([0, max + 1, u64::MAX]) {
            let want = sorted.binary_search(&id).is_ok();
            for set in &forms {
                assert_eq!(set.contains(id), want, "id {id}");
            }
        }
    }

    /// The real leak of `gen-node-leak.mjs`: every new `RequestRecord`
    /// (cache.js:32) kept in the module-level Map `requestLog` is the
    /// first suspect, its path clustered through that Map.
    #[test]
    fn the_leaking_records_are_the_first_suspect() {
        let (base, cur, d) = node_leak();
        let index = RetainerIndex::build(&cur);
        let list = suspects(&base, &cur, &d, &index, false);
        let first = &list[0];
        assert_eq!((first.class.as_str(), first.count), ("RequestRecord", 464));
        assert_eq!(
            first.origin.source.as_ref().unwrap().short(),
            "cache.js:32:14"
        );
        let top = &first.clusters[0];
        assert_eq!(top.count, 464);
        let edges: Vec<&str> = top.path.iter().map(|s| s.edge.as_str()).collect();
        assert!(edges.contains(&".requestLog"), "{edges:?}");
        assert_eq!(top.path.last().unwrap().class, "RequestRecord");
        // Closures on the path say where they are defined; other steps not.
        let micro = top
            .path
            .iter()
            .find(|s| s.edge == ".queueMicrotask")
            .unwrap();
        let at = micro.source.as_ref().unwrap();
        assert_eq!(at.url, "node:internal/process/task_queues");
        assert!(
            top.path
                .iter()
                .all(|s| s.class == "Function" || s.source.is_none())
        );
        // The OrderLines the records hold are inside their retained size.
        assert!(list.iter().all(|s| s.class != "OrderLine"));
        // V8's internals ((compiled code) grew by 113 kB, (string) by 387 kB)
        // and node's embedder objects (Detached Node / BindingData, new in
        // this diff) are no suspects.
        for s in &list {
            let c = s.class.as_str();
            assert!(
                !c.starts_with('(') && !c.starts_with("system / ") && !c.starts_with("Detached"),
                "{c}"
            );
        }
        assert!(list.len() <= SUSPECTS);
    }

    /// Each byte counts once: the suspects' objects do not dominate one
    /// another, and their retained sizes are those of the objects.
    #[test]
    fn suspects_do_not_overlap() {
        let (base, cur, d) = node_leak();
        let mut old: Vec<u64> = base
            .nodes()
            .ordinals()
            .map(|v| base.nodes().id(v).get())
            .collect();
        old.sort_unstable();
        let groups = outermost_objects(
            &cur,
            &d,
            false,
            |v| d.class_of(v),
            |v| old.binary_search(&cur.nodes().id(v).get()).is_err(),
        );
        let idom = d.dominators.idom();
        let mut counted = vec![false; cur.n_nodes()];
        #[allow(clippy::iter_over_hash_type)]
        for group in groups.values() {
            for &v in &group.outermost {
                counted[v.index()] = true;
            }
        }
        #[allow(clippy::iter_over_hash_type)]
        for group in groups.values() {
            let sum: u64 = group.outermost.iter().map(|&v| d.retained_of(v)).sum();
            assert_eq!(sum, group.retained);
            for &v in &group.outermost {
                let mut up = idom[v.index()];
                while up != NodeOrdinal::ROOT {
                    assert!(!counted[up.index()], "@{} inside another", v.index());
                    up = idom[up.index()];
                }
            }
        }
    }

    /// A growing list is one suspect: its first new link retains the
    /// others, which count as its members.
    #[test]
    fn a_growing_list_is_one_suspect_with_every_new_link() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/snapshot-diff/chain-growth");
        let read = |name: &str| {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            heapdiff_parser::parse_snapshot(&bytes).unwrap().value
        };
        let (base, cur) = (read("before.heapsnapshot"), read("after.heapsnapshot"));
        let d = super::super::analyze(&cur);
        let index = RetainerIndex::build(&cur);
        let list = suspects(&base, &cur, &d, &index, false);
        assert_eq!(list.len(), 1);
        let links = &list[0];
        assert_eq!(
            (links.class.as_str(), links.count, links.retained_size),
            ("Link", 15, 480)
        );
        assert_eq!(links.clusters.len(), 1);
        assert_eq!(links.clusters[0].count, 1);
    }

    /// On request, V8's internals and node's embedder objects are
    /// suspects too; the leak stays first.
    #[test]
    fn every_new_object_counts_on_request() {
        let (base, cur, d) = node_leak();
        let index = RetainerIndex::build(&cur);
        let list = suspects(&base, &cur, &d, &index, true);
        assert_eq!(list[0].class, "RequestRecord");
        assert!(list.iter().any(|s| s.class.starts_with('(')), "{list:?}");
    }

    /// A page's leak: every rendered page's removed `<li>` rows kept in
    /// the array `removedRows` of a listener (fixtures/browser-dom). The
    /// detached rows are the first suspect, kept through that array, the
    /// closure on the path placed in the page's script; the fixed page,
    /// which keeps only the rows' ids, has no suspect.
    #[test]
    fn a_pages_detached_rows_are_the_first_suspect() {
        let page = |build: &str, step: &str| {
            load(&format!(
                "../../fixtures/browser-dom/{build}/{step}.heapsnapshot.gz"
            ))
        };
        let (base, cur) = (page("leak", "baseline"), page("leak", "target"));
        let d = super::super::analyze(&cur);
        let index = RetainerIndex::build(&cur);
        let list = suspects(&base, &cur, &d, &index, false);
        let first = &list[0];
        // 10 pages of 40 rows, less the 40 still shown.
        assert_eq!((first.class.as_str(), first.count), ("Detached <li>", 360));
        let path = &first.clusters[0].path;
        assert!(path.iter().any(|s| s.edge == "->removedRows"), "{path:?}");
        let closure = path.iter().find_map(|s| s.source.as_ref()).unwrap();
        assert_eq!(closure.url, "http://127.0.0.1:47615/app.js");

        let (base, cur) = (page("fixed", "baseline"), page("fixed", "target"));
        let d = super::super::analyze(&cur);
        let index = RetainerIndex::build(&cur);
        assert_eq!(suspects(&base, &cur, &d, &index, false), vec![]);
    }

    /// A snapshot against itself has no new objects, so no suspects.
    #[test]
    fn no_new_objects_no_suspects() {
        let (_, cur, d) = node_leak();
        let index = RetainerIndex::build(&cur);
        assert!(suspects(&cur, &cur, &d, &index, false).is_empty());
    }
}
