//! Strategies and helpers the property tests share.

use heapdiff_analyzer::{CallTree, GroupBy, Weights, call_tree};
use heapdiff_model::HeapProfile;
use heapdiff_testkit::ArbParams;
use proptest::prelude::*;

/// Profiles small enough that the `--by stack` and bottom-up reports of
/// deep chains (quadratic in depth) stay cheap in debug builds.
pub(crate) const SMALL: ArbParams = ArbParams {
    max_frames: 12,
    max_nodes: 60,
    max_chain: 60,
    max_samples: 60,
};

/// The call tree of `p` by self size.
pub(crate) fn tree_of(p: &HeapProfile) -> CallTree {
    call_tree(p, &Weights::self_size(p))
}

/// Any row grouping of `--by`.
pub(crate) fn arb_group_by() -> impl Strategy<Value = GroupBy> {
    prop::sample::select(vec![
        GroupBy::Function,
        GroupBy::Stack,
        GroupBy::Script,
        GroupBy::Package,
    ])
}
