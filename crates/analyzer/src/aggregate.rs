//! Per-row self and total bytes: DevTools' Heavy view top level (formats
//! §4.3 steps 1–2), generalised from functions to any grouping.
//!
//! * self = Σ self of every node in the row;
//! * total = Σ total of every node in the row that has **no ancestor in the
//!   same row**, so recursion does not count a subtree twice.

use rayon::prelude::*;

use heapdiff_model::HeapProfile;

use crate::call_tree::CallTree;
use crate::frame_label::one_based;
use crate::grouping::{self, GroupBy, Groups, NO_GROUP};
use crate::report::{SCHEMA_VERSION, TopReport, TopRow, TopTotals};

/// Options of [`top`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopOptions {
    /// What a row stands for.
    pub by: GroupBy,
    /// Keep only the first N rows.
    pub limit: Option<usize>,
    /// Sort by total instead of self.
    pub sort_by_total: bool,
}

/// Sums per row.
pub(crate) struct GroupSums {
    pub(crate) self_bytes: Vec<u64>,
    pub(crate) total: Vec<u64>,
    pub(crate) samples: Vec<u64>,
}

const CHUNK: usize = 1 << 14;

/// Self, total and sample count of every group.
pub(crate) fn group_sums(p: &HeapProfile, tree: &CallTree, groups: &Groups) -> GroupSums {
    let n_groups = groups.keys.len();
    let counted = first_in_group_on_path(p, groups);
    let n = p.stacks.len();
    let [self_bytes, total, samples] = (0..n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .fold(
            || {
                [
                    vec![0u64; n_groups],
                    vec![0u64; n_groups],
                    vec![0u64; n_groups],
                ]
            },
            |mut acc, s| {
                let g = groups.of_stack[s];
                if g != NO_GROUP {
                    let g = g as usize;
                    acc[0][g] = acc[0][g].saturating_add(tree.self_bytes[s]);
                    acc[2][g] += tree.n_samples[s];
                    if counted[s] {
                        acc[1][g] = acc[1][g].saturating_add(tree.total[s]);
                    }
                }
                acc
            },
        )
        .reduce(
            || {
                [
                    vec![0u64; n_groups],
                    vec![0u64; n_groups],
                    vec![0u64; n_groups],
                ]
            },
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (x, y) in x.iter_mut().zip(y) {
                        *x = x.saturating_add(y);
                    }
                }
                a
            },
        );
    GroupSums {
        self_bytes,
        total,
        samples,
    }
}

/// For every stack, true when no ancestor belongs to the same group. One
/// pre-order walk keeps the current path and a per-group count of how often
/// the group occurs on it.
pub(crate) fn first_in_group_on_path(p: &HeapProfile, groups: &Groups) -> Vec<bool> {
    let parent = p.stacks.parent_column();
    let n = p.stacks.len();
    let mut on_path = vec![0u32; groups.keys.len()];
    let mut path: Vec<usize> = vec![0];
    let mut counted = vec![false; n];
    for s in 1..n {
        let up = parent[s] as usize;
        while let Some(&top) = path.last() {
            if top == up || path.len() == 1 {
                break;
            }
            path.pop();
            let g = groups.of_stack[top];
            if g != NO_GROUP {
                on_path[g as usize] -= 1;
            }
        }
        let g = groups.of_stack[s];
        if g != NO_GROUP {
            counted[s] = on_path[g as usize] == 0;
            on_path[g as usize] += 1;
        }
        path.push(s);
    }
    counted
}

/// `heapdiff top`: one row per function (or stack, script, package) with
/// self and total bytes, as DevTools' Heavy view.
#[must_use]
pub fn top(p: &HeapProfile, tree: &CallTree, opts: &TopOptions) -> TopReport {
    let groups = grouping::groups(p, tree, opts.by, grouping::Identity::Profile);
    let sums = group_sums(p, tree, &groups);
    // Rows are ordered by their keys and sums, and only the ones shown are
    // made: a profile can have a million distinct functions.
    let row_name = |g: usize| display_row_name(opts.by, &groups.keys[g].name);
    let mut order: Vec<usize> = (0..groups.keys.len())
        .filter(|&g| sums.total[g] > 0 || sums.self_bytes[g] > 0)
        .collect();
    let ranked = |&a: &usize, &b: &usize| {
        let (ka, kb) = if opts.sort_by_total {
            (sums.total[a], sums.total[b])
        } else {
            (sums.self_bytes[a], sums.self_bytes[b])
        };
        let (x, y) = (&groups.keys[a], &groups.keys[b]);
        kb.cmp(&ka)
            .then(sums.total[b].cmp(&sums.total[a]))
            .then_with(|| row_name(a).cmp(row_name(b)))
            .then_with(|| x.url.cmp(&y.url))
            .then(one_based(x.line).cmp(&one_based(y.line)))
            .then(one_based(x.column).cmp(&one_based(y.column)))
            .then_with(|| x.stack.cmp(&y.stack))
            // Rows equal in all the above keep their first-seen order.
            .then(a.cmp(&b))
    };
    let n_rows = order.len();
    shown_first(&mut order, opts.limit, ranked);
    let rows = order
        .into_iter()
        .map(|g| {
            let key = &groups.keys[g];
            TopRow {
                function: crate::report::Function {
                    name: row_name(g).to_string(),
                    url: key.url.clone(),
                    line: one_based(key.line),
                    column: one_based(key.column),
                    generated: groups.generated(p, g),
                },
                self_bytes: sums.self_bytes[g],
                total: sums.total[g],
                samples: sums.samples[g],
                stack: key.stack.clone(),
            }
        })
        .collect();
    TopReport {
        schema_version: SCHEMA_VERSION,
        kind: "top",
        by: opts.by,
        rows,
        totals: totals(p, tree, n_rows),
    }
}

/// Sorts `order` by `ranked`, keeping only the first `limit`: those are
/// selected before they are sorted, so a profile of a million rows is not
/// sorted whole to show ten. `ranked` must be a total order.
fn shown_first(
    order: &mut Vec<usize>,
    limit: Option<usize>,
    ranked: impl Fn(&usize, &usize) -> std::cmp::Ordering,
) {
    if let Some(limit) = limit.filter(|&l| l < order.len()) {
        order.select_nth_unstable_by(limit, &ranked);
        order.truncate(limit);
    }
    order.sort_unstable_by(ranked);
}

pub(crate) fn totals(p: &HeapProfile, tree: &CallTree, rows: usize) -> TopTotals {
    let _ = p;
    TopTotals {
        total: tree.root_total(),
        samples: tree.n_samples.iter().sum(),
        unattributed: tree.unattributed_bytes,
        rows,
    }
}

pub(crate) fn display_row_name(by: GroupBy, name: &str) -> &str {
    match by {
        GroupBy::Function | GroupBy::Stack => crate::display_name(name),
        GroupBy::Script | GroupBy::Package => name,
    }
}

#[cfg(test)]
mod tests {
    use super::shown_first;

    #[test]
    fn the_rows_shown_are_the_first_of_the_whole_order() {
        // Ties on the key are broken by position, as a stable sort would.
        let key = [5u32, 3, 5, 1, 3, 5, 0, 3];
        let ranked = |a: &usize, b: &usize| key[*b].cmp(&key[*a]).then(a.cmp(b));
        let mut whole: Vec<usize> = (0..key.len()).collect();
        whole.sort_by(|a, b| key[*b].cmp(&key[*a]));
        for limit in [None, Some(0), Some(1), Some(4), Some(8), Some(20)] {
            let mut order: Vec<usize> = (0..key.len()).collect();
            shown_first(&mut order, limit, ranked);
            let n = limit.unwrap_or(key.len()).min(key.len());
            assert_eq!(order, whole[..n], "limit {limit:?}");
        }
    }
}
