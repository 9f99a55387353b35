//! The DevTools heap snapshot pipeline (formats §6), one step per module, in
//! the order DevTools runs them. [`analyze`] runs them all and returns the
//! derived columns; the views (summary, comparison, retainers, dominators)
//! read those.

mod accumulation;
mod classes;
mod comparison;
mod distances;
mod dom_state;
mod dominators;
mod essential_edges;
mod flags;
mod leaks;
mod ownership;
mod packages;
mod pages;
mod prefetch;
mod report;
mod retained;
mod retainers;
mod scripts;
mod shallow;
mod summary;
mod suspects;
mod weakmap;

pub use accumulation::{AccumulationOptions, accumulation_points};
pub use classes::{ClassTable, InterfaceDefinitions};
pub use comparison::{CompareOptions, compare};
pub use dominators::{Dominators, compute as compute_dominators};
pub use leaks::{LeaksOptions, leaks};
pub use packages::{NO_SOURCE, Packages, package_compare, package_summary};
pub use report::{
    AccumulationCluster, AccumulationReport, Change, ClassRow, CompareReport, CompareRow,
    DominatorRow, DominatorsReport, HeldClass, LeakCluster, LeaksReport, NewObjectsRow, Origin,
    PackageCompareReport, PackageCompareRow, PackageRow, PackageSummaryReport, PathStep,
    RetainerGroup, RetainersReport, SpanTotals, SummaryReport, SummaryTotals, Suspect,
    SuspectBasis, SuspectCluster,
};
pub use retainers::{
    RetainerIndex, RetainerTarget, RetainersOptions, dominators_report, retainers, shortest_path,
};
pub use scripts::{Scripts, SourcePosition};
pub use shallow::{
    ShallowClassRow, ShallowCompareReport, ShallowCompareRow, ShallowOptions, ShallowSummaryReport,
    ShallowTotals, shallow_compare, shallow_summary,
};
pub(crate) use summary::class_sums;
pub use summary::{ClassCounts, SummaryOptions, summary};
pub(crate) use suspects::{Group, clusters_of, outermost_objects};

use std::sync::OnceLock;

use heapdiff_model::{HeapGraph, NodeOrdinal, Sizes};

use weakmap::PairNames;

/// DevTools' "no distance" (unreachable) value.
pub const NO_DISTANCE: i32 = -5;
/// DevTools' base distance of nodes reached only from system roots.
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;

/// Everything the pipeline derives from a snapshot.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Shallow sizes after owned-storage reassignment (formats §7.5).
    pub self_size: Sizes,
    /// Immediate dominator ordinal of every node (the root dominates
    /// itself), and the order nodes were numbered in.
    pub dominators: Dominators,
    /// Retained sizes by ordinal (formats §7.6), made from `tree_sums` on
    /// first use: see [`Derived::retained`].
    retained: OnceLock<Vec<u64>>,
    /// Running sums of the adjusted self sizes in the dominator tree's
    /// order (`n + 1` entries, from 0): the subtree at position `i` retains
    /// `tree_sums[i + size] - tree_sums[i]`. Empty when the sums would
    /// pass `u64::MAX` (a corrupt file); the views then use
    /// [`Derived::retained`].
    pub tree_sums: Vec<u64>,
    /// BFS distances (formats §7.7).
    pub distance: Vec<i32>,
    /// Class name and key of every node (formats §7.8).
    pub classes: ClassTable,
    /// Count, shallow size and smallest distance per class, over all
    /// nodes (the Summary's rows but for the retained sizes).
    pub class_counts: ClassCounts,
    /// Native nodes renamed "Detached …" (formats §7.2).
    pub detached: Vec<bool>,
    /// How many nodes `detached` marks.
    pub detached_count: u64,
    /// The snapshot has user roots (formats §7.3).
    pub has_user_roots: bool,
    /// `retained[root] + extra_native_bytes`: the denominator of percentages.
    pub total_size: u64,
    /// Nodes not reachable from the root over essential edges.
    pub unreachable: u64,
    /// Script ids resolved to URLs, and the original places a source map
    /// gave (formats §5.7): every view's source positions read these.
    pub scripts: Scripts,
}

/// Only the shallow sizes after owned-storage reassignment (formats §7.5):
/// all that live sizes of timelines need, without dominators or classes,
/// on every thread (nothing runs beside it there).
#[must_use]
pub fn adjusted_sizes(g: &HeapGraph) -> Vec<u64> {
    if flags::has_user_roots(g) {
        ownership::adjusted_sizes_on_threads(g)
    } else {
        g.nodes().self_sizes().to_vec()
    }
}

/// Runs the whole pipeline with the snapshot's own interface definitions.
#[must_use]
pub fn analyze(g: &HeapGraph) -> Derived {
    analyze_with(g, None)
}

/// Runs the pipeline; class naming uses `interfaces` when given (the
/// Comparison view names a base snapshot with the current one's
/// definitions), otherwise the snapshot's own.
#[must_use]
pub fn analyze_with(g: &HeapGraph, interfaces: Option<&InterfaceDefinitions>) -> Derived {
    use heapdiff_model::steps::time;
    // The dominator tree is the longest chain of steps; everything that
    // does not feed it runs beside it. Each step is deterministic, so the
    // result does not depend on the thread count.
    let has_user_roots = flags::has_user_roots(g);
    let n = g.n_nodes();
    // Stage 1 feeds the search: page ownership, then the search's arrays
    // (see `pages`), beside the pair names and the per-edge candidates,
    // then the array of the predecessor lists. The lists of retainers
    // hold one entry per retaining edge into a node searched before the
    // edge's source: on V8's snapshots nearly every retaining edge that is
    // not a tree edge, two to a `u64`. The chain cuts the array to what it
    // needs; the running sums reuse it, or take a larger one after the
    // tree, when the chain's arrays are gone. The arrays' pages are
    // brought in a block at a time, so whichever side ends first helps.
    let ((page_owned, search), (pairs, candidates, preds)) = rayon::join(
        || {
            let page_owned = time("page_owned", || flags::page_owned(g));
            let search = time("prepare.search", || dominators::SearchArrays::new(n));
            (page_owned, search)
        },
        || {
            let pairs = time("weakmap_pairs", || PairNames::build(g));
            let (candidates, retaining) =
                time("essential_edges", || essential_edges::candidates(g, &pairs));
            let preds = time("prepare.predecessors", || {
                pages::zeroed_on_threads(retaining.saturating_sub(n).div_ceil(2))
            });
            (pairs, candidates, preds)
        },
    );
    let ((dominators, sums), beside) = rayon::join(
        || {
            let page = essential_edges::PageRule::new(page_owned);
            time("dominators", || {
                dominators::compute_with(g, candidates, &page, search, Some(preds))
            })
        },
        || Beside::compute(g, pairs, has_user_roots, interfaces),
    );
    let sums = time("retained", || {
        retained::running_sums(&dominators, &beside.self_size, sums)
    });
    let (tree_sums, retained) = match sums {
        Some(sums) => (sums, OnceLock::new()),
        None => (
            Vec::new(),
            OnceLock::from(retained::saturating(&dominators, &beside.self_size)),
        ),
    };
    let unreachable = dominators.n_unreachable;
    let Beside {
        self_size,
        distance,
        classes,
        class_counts,
        detached: (detached, detached_count),
        scripts,
    } = beside;
    let mut d = Derived {
        self_size,
        dominators,
        retained,
        tree_sums,
        distance,
        classes,
        class_counts,
        detached,
        detached_count,
        has_user_roots,
        total_size: 0,
        unreachable,
        scripts,
    };
    d.total_size = d.retained_at(0).saturating_add(g.meta.extra_native_bytes);
    d
}

/// The steps that do not feed the dominator tree, run beside it.
struct Beside {
    self_size: Sizes,
    distance: Vec<i32>,
    classes: ClassTable,
    class_counts: ClassCounts,
    detached: (Vec<bool>, u64),
    scripts: Scripts,
}

impl Beside {
    fn compute(
        g: &HeapGraph,
        pairs: PairNames,
        has_user_roots: bool,
        interfaces: Option<&InterfaceDefinitions>,
    ) -> Self {
        use heapdiff_model::steps::time;
        let self_size = if has_user_roots {
            time("ownership", || ownership::adjusted_sizes(g))
        } else {
            g.nodes().self_sizes().clone()
        };
        let distance = time("distances", || {
            distances::compute(g, &pairs, has_user_roots)
        });
        // Nothing reads the pair names after this: their memory goes before
        // the dominator chain's arrays are at their largest.
        drop(pairs);
        let detached = time("dom_state", || dom_state::compute(g));
        let classes = time("classes", || classes::compute(g, &detached.0, interfaces));
        let class_counts = time("class_counts", || {
            ClassCounts::compute(&self_size, &classes, &distance, &|_| true)
        });
        let scripts = time("scripts", || Scripts::resolve(g));
        Self {
            self_size,
            distance,
            classes,
            class_counts,
            detached,
            scripts,
        }
    }
}

impl Derived {
    /// Retained sizes by ordinal. The analysis keeps running sums in tree
    /// order instead (the Summary reads those); this array is made from
    /// them the first time a view asks.
    pub fn retained(&self) -> &[u64] {
        self.retained
            .get_or_init(|| retained::from_sums(&self.dominators, &self.tree_sums))
    }

    /// Retained size of the node at position `at` of the dominator tree's
    /// order.
    pub(crate) fn retained_at(&self, at: usize) -> u64 {
        let tree = &self.dominators;
        let Some(&size) = tree.tree_size.get(at) else {
            return 0;
        };
        match self.tree_sums.get(at + size as usize) {
            Some(end) => end - self.tree_sums[at],
            None => self.retained()[tree.node_at(at).index()],
        }
    }

    /// Retained size of node `v`.
    #[must_use]
    pub fn retained_of(&self, v: NodeOrdinal) -> u64 {
        self.retained()[v.index()]
    }

    /// Adjusted shallow size of node `v`.
    #[must_use]
    pub fn self_size_of(&self, v: NodeOrdinal) -> u64 {
        self.self_size.get(v.index())
    }

    /// The class of node `v` (an index into the class table's names and
    /// keys).
    #[must_use]
    pub fn class_of(&self, v: NodeOrdinal) -> usize {
        self.classes.of_node[v.index()] as usize
    }

    /// Distance of node `v` (formats §7.7).
    #[must_use]
    pub fn distance_of(&self, v: NodeOrdinal) -> i32 {
        self.distance[v.index()]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Read as _;

    use heapdiff_model::HeapGraph;

    /// A gzipped fixture snapshot, `path` relative to this crate.
    pub(crate) fn load(path: &str) -> HeapGraph {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        heapdiff_parser::parse_snapshot(&bytes).unwrap().value
    }
}
