//! `heapdiff leaks`: memlab's three-snapshot rule. The objects allocated
//! after the baseline (the first snapshot) that exist in the target (the
//! second) and are still alive in every later snapshot, the final (last)
//! one included, grouped and clustered in the final snapshot as the
//! snapshot diff's suspects are (`suspects.rs`).
//!
//! An object is the same object in two snapshots when its id and its class
//! (node type and name: an object's constructor name) are the same. V8
//! gives a new object the id of a dead one that lay at the same address, so
//! an id found on a node of another class is another object: not a
//! survivor, and not an old object either.
//!
//! Some producers number the objects anew in every snapshot (Bun's V8-format
//! snapshots do), and snapshots of two processes share no ids either: when
//! the baseline and the final snapshot share too few ids (the diff's test,
//! `comparison::different_processes`), no object can be followed, and the
//! objects reported are instead those of the classes (node type and name)
//! whose object count grew at every step.

use heapdiff_model::cast::to_u32;
use heapdiff_model::steps::time;
use heapdiff_model::{HeapGraph, NodeOrdinal};
use rayon::prelude::*;
use regex::Regex;

use super::Derived;
use super::report::{LeakCluster, LeaksReport, RetainerGroup, SuspectBasis};
use super::retainers::{Hops, NextHops};
use super::suspects::{Group, clusters_by, ranked_groups};

/// What `leaks` shows.
#[derive(Debug, Clone, Default)]
pub struct LeaksOptions {
    /// Clusters shown (`None`: all).
    pub limit: Option<usize>,
    /// Classes left out, by name, before counting: the survivors an
    /// ignored object retains are counted on their own.
    pub ignore_class: Option<Regex>,
}

/// The leaks of a series of snapshots of one process, oldest first: at
/// least three (baseline, target, final); `last` is the analysis of the
/// final one.
///
/// # Panics
/// When fewer than three snapshots are given.
#[must_use]
pub fn leaks(series: &[&HeapGraph], last: &Derived, options: &LeaksOptions) -> LeaksReport {
    assert!(series.len() >= 3, "leaks needs three snapshots or more");
    let g = series[series.len() - 1];
    let ignored = ignored_classes(last, options);
    let survival = Survival::of(series);
    let survives = |v: NodeOrdinal| !ignored[last.class_of(v)] && survival.survives(g, v);
    let groups = time("leaks.groups", || ranked_groups(g, last, false, survives));
    // No survivor, no path to find.
    let clusters = if groups.is_empty() {
        Vec::new()
    } else {
        let hops = time("leaks.next_hops", || NextHops::build(g, last));
        time("leaks.paths", || {
            clusters_by(g, last, Hops::Table(&hops), &groups, None)
        })
    };
    let mut rows = cluster_rows(last, &groups, clusters);
    let clusters_total = rows.len();
    if let Some(n) = options.limit {
        rows.truncate(n);
    }
    LeaksReport {
        schema_version: 1,
        kind: "leaks",
        basis: survival.basis(),
        snapshots: series.len(),
        survivors: groups.iter().map(|(_, m)| m.count).sum(),
        survivors_retained: groups.iter().map(|(_, m)| m.retained).sum(),
        classes: groups.len(),
        clusters_total,
        total_final: last.total_size,
        clusters: rows,
    }
}

/// Per class of the final snapshot, whether `--ignore-class` leaves it
/// out. An ignored class is left out before counting, so what it held
/// becomes visible on its own.
fn ignored_classes(last: &Derived, options: &LeaksOptions) -> Vec<bool> {
    last.classes
        .names
        .iter()
        .map(|name| {
            options
                .ignore_class
                .as_ref()
                .is_some_and(|re| re.is_match(name))
        })
        .collect()
}

/// How an object of the final snapshot is judged to have survived.
enum Survival<'a> {
    /// One process: by object id, new since the baseline (index 0) and
    /// present in every later snapshot but the final one.
    ById(Vec<ById<'a>>),
    /// Snapshots that share too few ids (Bun, two processes): the objects
    /// of the classes that grew at every step.
    Grown(GrowingClasses<'a>),
}

impl<'a> Survival<'a> {
    fn of(series: &[&'a HeapGraph]) -> Self {
        let (baseline, g) = (series[0], series[series.len() - 1]);
        if super::comparison::different_processes(baseline, g) {
            return Survival::Grown(GrowingClasses::of(series));
        }
        let earlier = &series[..series.len() - 1];
        Survival::ById(time("leaks.ids", || {
            earlier.par_iter().map(|&s| ById::new(s)).collect()
        }))
    }

    fn basis(&self) -> SuspectBasis {
        match self {
            Survival::ById(_) => SuspectBasis::NewObjects,
            Survival::Grown(_) => SuspectBasis::GrownClasses,
        }
    }

    fn survives(&self, g: &HeapGraph, v: NodeOrdinal) -> bool {
        match self {
            Survival::Grown(grew) => grew.contains(g, v),
            Survival::ById(by_id) => {
                let (old, kept) = by_id.split_first().expect("a baseline");
                !old.has_same(g, v) && kept.iter().all(|s| s.has_same(g, v))
            }
        }
    }
}

/// The groups' clusters as report rows, largest retained size first;
/// stable, so within equal sizes the groups' order and each group's
/// clusters' order stay.
fn cluster_rows(
    last: &Derived,
    groups: &[(usize, Group)],
    clusters: Vec<Vec<RetainerGroup>>,
) -> Vec<LeakCluster> {
    let mut rows: Vec<LeakCluster> = groups
        .iter()
        .zip(clusters)
        .flat_map(|((c, _), paths)| {
            let key = &last.classes.keys[*c];
            let (class, origin) = last.scripts.shown_class_with_origin(&last.classes, *c);
            paths.into_iter().map(move |p| LeakCluster {
                class: class.clone(),
                key: key.clone(),
                count: p.count,
                retained_size: p.retained_size,
                origin: origin.clone(),
                path: p.path,
            })
        })
        .collect();
    rows.sort_by_key(|c| std::cmp::Reverse(c.retained_size));
    rows
}

/// The classes (node type and name) whose object count grew at every step
/// of a series, oldest first.
struct GrowingClasses<'a> {
    grew: rustc_hash::FxHashSet<(&'a str, &'a str)>,
}

impl<'a> GrowingClasses<'a> {
    fn of(series: &[&'a HeapGraph]) -> Self {
        let counts: Vec<rustc_hash::FxHashMap<(&str, &str), u64>> = series
            .iter()
            .map(|g| {
                let mut n = rustc_hash::FxHashMap::default();
                for v in g.nodes().ordinals() {
                    *n.entry((g.node_type(v), g.node_name(v))).or_insert(0) += 1;
                }
                n
            })
            .collect();
        let (last, earlier) = counts.split_last().expect("a final snapshot");
        let grew = last
            .keys()
            .filter(|class| {
                let steps = earlier.iter().chain(std::iter::once(last));
                let n: Vec<u64> = steps.map(|c| c.get(*class).copied().unwrap_or(0)).collect();
                n.windows(2).all(|w| w[0] < w[1])
            })
            .copied()
            .collect();
        Self { grew }
    }

    /// Whether `v`, a node of the final snapshot `g`, is of a growing class.
    fn contains(&self, g: &HeapGraph, v: NodeOrdinal) -> bool {
        self.grew.contains(&(g.node_type(v), g.node_name(v)))
    }
}

/// One snapshot's nodes by object id: the node of each id below four per
/// node in a table by id (V8 numbers heap objects from 1, two apart, so
/// these are nearly all of them), the others (node's embedder objects have
/// ids far apart, and a broken file may repeat an id) sorted by id.
struct ById<'a> {
    g: &'a HeapGraph,
    /// Ordinal + 1 of the first node with each id below `near.len()`, 0
    /// for none.
    near: Vec<u32>,
    /// (id, node) of the other nodes, sorted.
    far: Vec<(u64, NodeOrdinal)>,
}

impl<'a> ById<'a> {
    /// Table entries per node the table may take at most.
    const NEAR_PER_NODE: u64 = 4;

    fn new(g: &'a HeapGraph) -> Self {
        let ids = || g.nodes().ordinals().map(|v| g.nodes().id(v).get());
        let max = ids().max().unwrap_or(0);
        let most = g.n_nodes() as u64 * Self::NEAR_PER_NODE;
        Self::split(g, (max + 1).min(most))
    }

    /// The nodes of `g` with ids below `near` in the table, the others
    /// sorted.
    fn split(g: &'a HeapGraph, near: u64) -> Self {
        let mut table = vec![0u32; usize::try_from(near).unwrap_or(usize::MAX)];
        let mut far = Vec::new();
        for v in g.nodes().ordinals() {
            let id = g.nodes().id(v).get();
            match usize::try_from(id).ok().and_then(|at| table.get_mut(at)) {
                Some(slot) if *slot == 0 => *slot = to_u32(v.index() + 1),
                _ => far.push((id, v)),
            }
        }
        far.par_sort_unstable();
        Self {
            g,
            near: table,
            far,
        }
    }

    /// Whether this snapshot holds the object `v` of `other`: a node with
    /// its id and its class.
    fn has_same(&self, other: &HeapGraph, v: NodeOrdinal) -> bool {
        let id = other.nodes().id(v).get();
        let same = |u: NodeOrdinal| {
            self.g.node_type(u) == other.node_type(v) && self.g.node_name(u) == other.node_name(v)
        };
        let near = usize::try_from(id)
            .ok()
            .and_then(|at| self.near.get(at))
            .copied()
            .unwrap_or(0);
        if near != 0 && same(NodeOrdinal::from_index(near as usize - 1)) {
            return true;
        }
        let from = self.far.partition_point(|&(x, _)| x < id);
        self.far[from..]
            .iter()
            .take_while(|&&(x, _)| x == id)
            .any(|&(_, u)| same(u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot whose global object holds `objects` (class name, object
    /// id) through properties `p0`, `p1`, …, each 32 bytes.
    fn snapshot(objects: &[(&str, u64)]) -> HeapGraph {
        let mut strings: Vec<String> = ["", "(GC roots)", "global / "]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let mut intern = |s: &str| {
            strings.iter().position(|x| x == s).unwrap_or_else(|| {
                strings.push(s.to_string());
                strings.len() - 1
            })
        };
        let n = objects.len();
        // Nodes: root, (GC roots), global, then the objects; 7 fields each.
        let mut nodes = vec![
            format!("9,0,1,0,2,0,0"),
            format!("9,1,3,0,1,0,0"),
            format!("3,2,5,40,{n},0,0"),
        ];
        // Edges: root → (GC roots), root ⇢ global, (GC roots) → global,
        // global → each object.
        let mut edges = vec!["1,1,7".to_string(), "5,2,14".into(), "1,1,14".into()];
        for (i, (class, id)) in objects.iter().enumerate() {
            nodes.push(format!("3,{},{id},32,0,0,0", intern(class)));
            edges.push(format!("2,{},{}", intern(&format!("p{i}")), (i + 3) * 7));
        }
        let quoted: Vec<String> = strings.iter().map(|s| format!("{s:?}")).collect();
        let json = format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{},"edge_count":{}}},"nodes":[{}],"edges":[{}],"locations":[],"strings":[{}]}}"#,
            nodes.len(),
            edges.len(),
            nodes.join(","),
            edges.join(","),
            quoted.join(",")
        );
        heapdiff_parser::parse_snapshot(json.as_bytes())
            .unwrap()
            .value
    }

    /// Surviving objects by class, over all clusters (each property is
    /// a path of its own).
    fn found(series: &[&HeapGraph]) -> Vec<(String, u64)> {
        let last = super::super::analyze(series[series.len() - 1]);
        let mut by_class = std::collections::BTreeMap::new();
        for c in leaks(series, &last, &LeaksOptions::default()).clusters {
            *by_class.entry(c.class).or_insert(0) += c.count;
        }
        by_class.into_iter().collect()
    }

    /// An id the final snapshot holds on a node of another class is a new
    /// object that took a dead one's id, not a survivor; objects in the
    /// baseline and objects new after the target are none either.
    #[test]
    fn a_reused_id_is_not_a_survivor() {
        let baseline = snapshot(&[("Old", 11)]);
        let target = snapshot(&[("Old", 11), ("Rec", 13), ("Rec", 15)]);
        let fin = snapshot(&[("Old", 11), ("Rec", 13), ("Other", 15), ("Rec", 19)]);
        assert_eq!(found(&[&baseline, &target, &fin]), [("Rec".to_string(), 1)]);
        let last = super::super::analyze(&fin);
        let r = leaks(&[&baseline, &target, &fin], &last, &LeaksOptions::default());
        assert_eq!((r.survivors, r.survivors_retained), (1, 32));
        assert_eq!(r.clusters[0].path.last().unwrap().id, 13);
    }

    /// An id of the baseline on a node of another class in the target is
    /// a new object there.
    #[test]
    fn a_baseline_id_on_another_class_is_new() {
        let baseline = snapshot(&[("Old", 13)]);
        let target = snapshot(&[("Rec", 13)]);
        let fin = snapshot(&[("Rec", 13)]);
        assert_eq!(found(&[&baseline, &target, &fin]), [("Rec".to_string(), 1)]);
    }

    /// With more than three snapshots an object must be alive in every
    /// one after the baseline: one gone in a middle snapshot does not
    /// survive, though the three outer ones alone would keep it.
    #[test]
    fn more_snapshots_need_every_later_one() {
        let baseline = snapshot(&[("Old", 11)]);
        let target = snapshot(&[("Old", 11), ("Rec", 13), ("Rec", 15)]);
        let middle = snapshot(&[("Old", 11), ("Rec", 13)]);
        let fin = snapshot(&[("Old", 11), ("Rec", 13), ("Rec", 15)]);
        assert_eq!(found(&[&baseline, &target, &fin]), [("Rec".to_string(), 2)]);
        assert_eq!(
            found(&[&baseline, &target, &middle, &fin]),
            [("Rec".to_string(), 1)]
        );
    }

    /// `--ignore-class` leaves a class out of the clusters and the totals.
    /// (What an ignored object holds is counted on its own: see the e2e
    /// run on the real leak.)
    #[test]
    fn ignored_classes_are_left_out() {
        let baseline = snapshot(&[]);
        let target = snapshot(&[("Rec", 13), ("Tmp", 15)]);
        let last = super::super::analyze(&target);
        let options = LeaksOptions {
            limit: None,
            ignore_class: Some(Regex::new("^Tmp$").unwrap()),
        };
        let r = leaks(&[&baseline, &target, &target], &last, &options);
        let classes: Vec<&str> = r.clusters.iter().map(|c| c.class.as_str()).collect();
        assert_eq!((classes, r.survivors), (vec!["Rec"], 1));
    }

    /// Every form of the id table answers as a look at every node does:
    /// all ids in the table, all sorted, split in the middle; an id given
    /// to two nodes finds either.
    #[test]
    fn id_tables_find_the_same_objects() {
        let read = |name: &str| {
            super::super::tests::load(&format!("../../fixtures/snapshot-diff/node-leak/{name}"))
        };
        let (base, cur) = (
            read("before.heapsnapshot.gz"),
            read("after.heapsnapshot.gz"),
        );
        let max = base
            .nodes()
            .ordinals()
            .map(|v| base.nodes().id(v).get())
            .max();
        let of = ById::new(&base);
        // Node's embedder objects have ids far beyond the node count.
        assert!(!of.near.is_empty() && !of.far.is_empty());
        let forms = [
            of,
            ById::split(&base, max.unwrap() + 1),
            ById::split(&base, 0),
            ById::split(&base, max.unwrap() / 2),
        ];
        let mut by_id: std::collections::HashMap<u64, Vec<NodeOrdinal>> = Default::default();
        for u in base.nodes().ordinals() {
            by_id.entry(base.nodes().id(u).get()).or_default().push(u);
        }
        for v in cur.nodes().ordinals() {
            let want = by_id.get(&cur.nodes().id(v).get()).is_some_and(|us| {
                us.iter().any(|&u| {
                    base.node_type(u) == cur.node_type(v) && base.node_name(u) == cur.node_name(v)
                })
            });
            for form in &forms {
                assert_eq!(form.has_same(&cur, v), want, "@{}", cur.nodes().id(v).get());
            }
        }

        let twice = snapshot(&[("Old", 13), ("Rec", 13)]);
        let rec = snapshot(&[("Rec", 13)]);
        let old = snapshot(&[("Old", 13)]);
        let object = NodeOrdinal::from_index(3);
        for near in [0, 14] {
            let table = ById::split(&twice, near);
            assert!(table.has_same(&rec, object) && table.has_same(&old, object));
        }
    }
}
