//! DevTools' Heavy (bottom-up) view with caller chains (formats §4.3).
//!
//! Nodes are visited breadth-first, as DevTools does, because the order
//! decides which node creates a caller row; that matters for the quirk of
//! step 4: a new caller row starts at the node's self and total even when
//! the node was excluded from its function's total by the recursion rule.

use std::collections::VecDeque;

use heapdiff_model::{FrameId, HeapProfile, StackId};
use rustc_hash::FxHashMap;

use crate::call_tree::CallTree;
use crate::grouping::GroupBy;
use crate::report::{BottomUpNode, BottomUpReport, SCHEMA_VERSION};

/// Options of [`bottom_up`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BottomUpOptions {
    /// Keep only the first N functions.
    pub limit: Option<usize>,
    /// Expand callers at most this deep.
    pub max_depth: Option<usize>,
}

/// Caller chains are expanded at most this deep. V8 caps captured stacks at
/// 128 frames, so real profiles never reach it; the bound keeps the view
/// linear in the input for hostile, arbitrarily deep trees (the expansion
/// is nodes × depth).
const MAX_CALLER_DEPTH: usize = 256;

struct Row {
    frame: FrameId,
    self_bytes: u64,
    total: u64,
    children: FxHashMap<FrameId, usize>,
}

/// The Heavy view: every function with self and total, and below it the
/// chains of callers through which those bytes were allocated.
#[must_use]
pub fn bottom_up(p: &HeapProfile, tree: &CallTree, opts: &BottomUpOptions) -> BottomUpReport {
    let excluded = excluded_by_recursion(p, tree);
    let mut rows: Vec<Row> = Vec::new();
    let mut top: FxHashMap<FrameId, usize> = FxHashMap::default();
    for n in breadth_first(p, tree) {
        let frame = p.stacks.frame[n.index()];
        let (self_n, total_n) = (tree.self_bytes[n.index()], tree.total[n.index()]);
        let mut row = *top
            .entry(frame)
            .or_insert_with(|| new_row(&mut rows, frame, 0, 0));
        rows[row].self_bytes += self_n;
        if !excluded[n.index()] {
            rows[row].total += total_n;
        }
        let mut caller = p.stacks.parent(n);
        let mut levels = 0;
        while let Some(c) = caller.filter(|&c| c != StackId::ROOT && levels < MAX_CALLER_DEPTH) {
            levels += 1;
            let cf = p.stacks.frame[c.index()];
            row = match rows[row].children.get(&cf).copied() {
                Some(child) => {
                    rows[child].self_bytes += self_n;
                    if !excluded[n.index()] {
                        rows[child].total += total_n;
                    }
                    child
                }
                None => {
                    let child = new_row(&mut rows, cf, self_n, total_n);
                    rows[row].children.insert(cf, child);
                    child
                }
            };
            caller = p.stacks.parent(c);
        }
    }
    let mut roots: Vec<BottomUpNode> = top
        .values()
        .map(|&r| {
            to_node(
                p,
                &rows,
                r,
                opts.max_depth
                    .unwrap_or(MAX_CALLER_DEPTH)
                    .min(MAX_CALLER_DEPTH),
            )
        })
        .collect();
    sort_nodes(&mut roots);
    let n_rows = roots.len();
    if let Some(limit) = opts.limit {
        roots.truncate(limit);
    }
    BottomUpReport {
        schema_version: SCHEMA_VERSION,
        kind: "bottom-up",
        rows: roots,
        totals: crate::aggregate::totals(p, tree, n_rows),
    }
}

fn new_row(rows: &mut Vec<Row>, frame: FrameId, self_bytes: u64, total: u64) -> usize {
    rows.push(Row {
        frame,
        self_bytes,
        total,
        children: FxHashMap::default(),
    });
    rows.len() - 1
}

/// Kept non-root nodes in breadth-first order, children in file order.
fn breadth_first(p: &HeapProfile, tree: &CallTree) -> Vec<StackId> {
    let n = p.stacks.len();
    let mut children: Vec<Vec<StackId>> = vec![Vec::new(); n];
    for s in p.stacks.ids().skip(1) {
        if tree.kept(s) {
            if let Some(up) = p.stacks.parent(s) {
                children[up.index()].push(s);
            }
        }
    }
    let mut order = Vec::new();
    let mut queue: VecDeque<StackId> = children[0].iter().copied().collect();
    while let Some(s) = queue.pop_front() {
        order.push(s);
        queue.extend(children[s.index()].iter().copied());
    }
    order
}

/// Nodes with an ancestor of the same function (step 2's exclusion).
fn excluded_by_recursion(p: &HeapProfile, tree: &CallTree) -> Vec<bool> {
    let groups = crate::grouping::groups(
        p,
        tree,
        GroupBy::Function,
        crate::grouping::Identity::Profile,
    );
    let counted = crate::aggregate::first_in_group_on_path(p, &groups);
    counted.into_iter().map(|c| !c).collect()
}

fn to_node(p: &HeapProfile, rows: &[Row], r: usize, depth: usize) -> BottomUpNode {
    let row = &rows[r];
    let mut callers: Vec<BottomUpNode> = if depth == 0 {
        Vec::new()
    } else {
        row.children
            .values()
            .map(|&c| to_node(p, rows, c, depth - 1))
            .collect()
    };
    sort_nodes(&mut callers);
    BottomUpNode {
        function: crate::frame_label::function(p, row.frame),
        self_bytes: row.self_bytes,
        total: row.total,
        callers,
    }
}

fn sort_nodes(nodes: &mut [BottomUpNode]) {
    nodes.sort_by(|a, b| {
        b.self_bytes
            .cmp(&a.self_bytes)
            .then(b.total.cmp(&a.total))
            .then_with(|| a.function.name.cmp(&b.function.name))
            .then_with(|| a.function.url.cmp(&b.function.url))
            .then(a.function.line.cmp(&b.function.line))
            .then(a.function.column.cmp(&b.function.column))
    });
}
