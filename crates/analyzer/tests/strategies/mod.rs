//! Strategies the property tests share.

use heapdiff_analyzer::GroupBy;
use proptest::prelude::*;

/// Any row grouping of `--by`.
pub(crate) fn arb_group_by() -> impl Strategy<Value = GroupBy> {
    prop::sample::select(vec![
        GroupBy::Function,
        GroupBy::Stack,
        GroupBy::Script,
        GroupBy::Package,
    ])
}
