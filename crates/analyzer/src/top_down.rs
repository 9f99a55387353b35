//! Top-down views: DevTools' Tree view (formats §4.2), folded stacks, and
//! the union call tree of two profiles that differential flame graphs draw.

use std::collections::BTreeMap;

use heapdiff_model::{HeapProfile, StackId};

use crate::align::{AlignedTree, align_tree};
use crate::call_tree::CallTree;
use crate::grouping::frame_labels;
use crate::report::{FlameNode, FlameTree, SCHEMA_VERSION, TreeReport, TreeRow};

/// Options of [`top_down`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeOptions {
    /// Show nodes at most this deep (root's children are depth 0).
    pub max_depth: Option<u32>,
    /// Hide nodes whose total is below this many thousandths of a percent of
    /// the profile total.
    pub min_total_permille: u32,
}

/// Children of every kept node, sorted for display: total descending, then
/// label, then position in the file.
fn sorted_children(p: &HeapProfile, tree: &CallTree, labels: &[String]) -> Vec<Vec<StackId>> {
    let mut children: Vec<Vec<StackId>> = vec![Vec::new(); p.stacks.len()];
    for s in p.stacks.ids().skip(1) {
        if tree.kept(s) {
            if let Some(up) = p.stacks.parent(s) {
                children[up.index()].push(s);
            }
        }
    }
    for list in &mut children {
        list.sort_by(|&a, &b| {
            tree.total[b.index()]
                .cmp(&tree.total[a.index()])
                .then_with(|| {
                    labels[p.stacks.frame[a.index()].index()]
                        .cmp(&labels[p.stacks.frame[b.index()].index()])
                })
                .then(a.cmp(&b))
        });
    }
    children
}

/// DevTools' Tree view: every kept node, unmerged, depth-first.
#[must_use]
pub fn top_down(p: &HeapProfile, tree: &CallTree, opts: &TreeOptions) -> TreeReport {
    let labels = frame_labels(p);
    let children = sorted_children(p, tree, &labels);
    let threshold = u128::from(tree.root_total()) * u128::from(opts.min_total_permille) / 100_000;
    let mut rows = Vec::new();
    let mut todo: Vec<(StackId, u32)> = children[0].iter().rev().map(|&s| (s, 0)).collect();
    while let Some((s, depth)) = todo.pop() {
        if u128::from(tree.total[s.index()]) < threshold
            || opts.max_depth.is_some_and(|m| depth > m)
        {
            continue;
        }
        rows.push(TreeRow {
            depth,
            function: crate::frame_label::function(p, p.stacks.frame[s.index()]),
            self_bytes: tree.self_bytes[s.index()],
            total: tree.total[s.index()],
        });
        todo.extend(children[s.index()].iter().rev().map(|&c| (c, depth + 1)));
    }
    let n_rows = rows.len();
    TreeReport {
        schema_version: SCHEMA_VERSION,
        kind: "tree",
        rows,
        totals: crate::aggregate::totals(p, tree, n_rows),
    }
}

/// One line of folded output: root-to-leaf frame labels and self bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedStack {
    /// Frame labels, root's child first.
    pub frames: Vec<String>,
    /// Self bytes of the stack.
    pub bytes: u64,
}

/// Folded stacks, identical paths merged, sorted by path.
#[must_use]
pub fn collapse(p: &HeapProfile, tree: &CallTree) -> Vec<FoldedStack> {
    let labels = frame_labels(p);
    let mut merged: BTreeMap<Vec<&str>, u64> = BTreeMap::new();
    let mut path: Vec<&str> = Vec::new();
    for s in p.stacks.ids().skip(1) {
        let bytes = tree.self_bytes[s.index()];
        if bytes == 0 {
            continue;
        }
        // Walk up to the root: memory stays proportional to the output.
        path.clear();
        let mut cur = Some(s);
        while let Some(c) = cur.filter(|&c| c != StackId::ROOT) {
            path.push(labels[p.stacks.frame[c.index()].index()].as_str());
            cur = p.stacks.parent(c);
        }
        path.reverse();
        let slot = merged.entry(path.clone()).or_default();
        *slot = slot.saturating_add(bytes);
    }
    merged
        .into_iter()
        .map(|(frames, bytes)| FoldedStack {
            frames: frames.into_iter().map(str::to_string).collect(),
            bytes,
        })
        .collect()
}

/// The union of two call trees, merged by path of frame labels, with self
/// and total bytes of both sides (a single profile: `before` all zero is
/// not used; pass the same tree twice for a plain flame graph).
/// `intervals` are the two sides' sampling intervals (as the diff's
/// totals give them): a frame whose total changed by less than its sampling
/// error is marked `noise`, by the same rule as the diff's rows.
#[must_use]
pub fn flame_tree(
    before: (&HeapProfile, &CallTree),
    after: (&HeapProfile, &CallTree),
    intervals: [Option<u64>; 2],
) -> FlameTree {
    flame_nodes(&align_tree(&[before, after]), intervals)
}

/// The flame tree of a two-input alignment: totals, widths (`max` of the
/// two selfs plus the children) and the noise flag of every node.
fn flame_nodes(t: &AlignedTree, [ra, rb]: [Option<u64>; 2]) -> FlameTree {
    let n = t.len();
    let (self_before, self_after) = (&t.self_bytes[0], &t.self_bytes[1]);
    // Aligned ids are assigned parent-first, so totals are a reverse loop.
    let mut total_before = self_before.clone();
    let mut total_after = self_after.clone();
    let mut n_before = t.samples[0].clone();
    let mut n_after = t.samples[1].clone();
    let mut width: Vec<u64> = (0..n).map(|i| self_before[i].max(self_after[i])).collect();
    for i in (1..n).rev() {
        let up = t.parent[i] as usize;
        total_before[up] += total_before[i];
        total_after[up] += total_after[i];
        n_before[up] += n_before[i];
        n_after[up] += n_after[i];
        width[up] += width[i];
    }
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    for i in 1..n {
        children[t.parent[i] as usize].push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    let nodes = (0..n)
        .map(|i| {
            let (name, location) = t.labels[t.label[i] as usize].clone();
            let mut kids = std::mem::take(&mut children[i]);
            kids.sort_by(|&a, &b| {
                let la = &t.labels[t.label[a as usize] as usize];
                let lb = &t.labels[t.label[b as usize] as usize];
                la.cmp(lb)
            });
            FlameNode {
                parent: (i > 0).then(|| t.parent[i]),
                name,
                location,
                self_before: self_before[i],
                self_after: self_after[i],
                total_before: total_before[i],
                total_after: total_after[i],
                noise: crate::noise::is_noise(
                    total_before[i],
                    total_after[i],
                    n_before[i],
                    n_after[i],
                    ra,
                    rb,
                ),
                width: width[i],
                children: kids,
            }
        })
        .collect();
    FlameTree { nodes }
}
