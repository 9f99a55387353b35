//! The DevTools heap snapshot pipeline (formats §6), one step per module, in
//! the order DevTools runs them. [`analyze`] runs them all and returns the
//! derived columns; the views (summary, comparison, retainers, dominators)
//! read those.

mod classes;
mod comparison;
mod distances;
mod dom_state;
mod dominators;
mod essential_edges;
mod flags;
mod ownership;
mod report;
mod retained;
mod retainers;
mod summary;
mod weakmap;

pub use classes::{ClassTable, InterfaceDefinitions};
pub use comparison::{CompareOptions, compare};
pub use dominators::{Dominators, compute as compute_dominators};
pub use report::{
    ClassRow, CompareReport, CompareRow, DominatorRow, DominatorsReport, NewObjectsRow, PathStep,
    RetainerGroup, RetainersReport, SummaryReport, SummaryTotals,
};
pub use retainers::{
    RetainerIndex, RetainerTarget, RetainersOptions, dominators_report, retainers, shortest_path,
};
pub use summary::{SummaryOptions, summary};

use heapdiff_model::HeapGraph;

/// DevTools' "no distance" (unreachable) value.
pub const NO_DISTANCE: i32 = -5;
/// DevTools' base distance of nodes reached only from system roots.
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;

/// Everything the pipeline derives from a snapshot.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Shallow sizes after owned-storage reassignment (formats §7.5).
    pub self_size: Vec<u64>,
    /// Immediate dominator ordinal of every node (the root dominates
    /// itself), and the order nodes were numbered in.
    pub dominators: Dominators,
    /// Retained sizes (formats §7.6).
    pub retained: Vec<u64>,
    /// BFS distances (formats §7.7).
    pub distance: Vec<i32>,
    /// Class name and key of every node (formats §7.8).
    pub classes: ClassTable,
    /// Native nodes renamed "Detached …" (formats §7.2).
    pub detached: Vec<bool>,
    /// The snapshot has user roots (formats §7.3).
    pub has_user_roots: bool,
    /// `retained[root] + extra_native_bytes`: the denominator of percentages.
    pub total_size: u64,
    /// Nodes not reachable from the root over essential edges.
    pub unreachable: u64,
}

/// Only the shallow sizes after owned-storage reassignment (formats §7.5):
/// all that live sizes of timelines need, without dominators or classes.
#[must_use]
pub fn adjusted_sizes(g: &HeapGraph) -> Vec<u64> {
    if flags::has_user_roots(g) {
        ownership::adjusted_sizes(g)
    } else {
        g.nodes.self_size.clone()
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
    // Independent steps run side by side; each is deterministic, so the
    // result does not depend on the thread count.
    let ((_state, detached), page_owned) =
        rayon::join(|| dom_state::compute(g), || flags::page_owned(g));
    let has_user_roots = flags::has_user_roots(g);
    let (essential, self_size) = rayon::join(
        || essential_edges::compute(g, &page_owned),
        || {
            if has_user_roots {
                ownership::adjusted_sizes(g)
            } else {
                g.nodes.self_size.clone()
            }
        },
    );
    drop(page_owned);
    let ((dominators, retained), (distance, classes)) = rayon::join(
        || {
            let dominators = dominators::compute(g, &essential);
            let retained = retained::compute(&dominators, &self_size);
            (dominators, retained)
        },
        || {
            rayon::join(
                || distances::compute(g, has_user_roots),
                || classes::compute(g, &detached, interfaces),
            )
        },
    );
    drop(essential);
    let total_size = retained[0].saturating_add(g.meta.extra_native_bytes);
    let unreachable = dominators.n_unreachable;
    Derived {
        self_size,
        dominators,
        retained,
        distance,
        classes,
        detached,
        has_user_roots,
        total_size,
        unreachable,
    }
}
