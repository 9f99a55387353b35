//! Cross-profile identity, defined once for any number of inputs: the rows
//! of `diff` (two inputs), of `trend` (n inputs) and the frames of the
//! differential flame graph all come from here, so a row means the same
//! thing in all of them.
//!
//! * [`align_rows`]: every input's rows (`--by`) keyed across profiles by
//!   (name, URL, line, column), by (name, URL) for two builds of the same
//!   code ([`Identity::Function`]), or by the stack's path of frame labels,
//!   script ids left out (every process numbers its scripts anew). Keys are
//!   interned once; each input gets one value column indexed by row.
//! * [`align_tree`]: the union of the inputs' call trees, a node per path of
//!   frame labels (`name (url:line:col)`), with one self-bytes and one
//!   sample column per input.

use heapdiff_model::{FrameId, HeapProfile, StackId};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::aggregate::group_sums;
use crate::call_tree::CallTree;
use crate::grouping::{self, GroupBy, GroupKey, Identity};
use crate::report::GeneratedPosition;

/// One input's values, indexed by aligned row (zero where the input has no
/// such row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) self_bytes: Vec<u64>,
    pub(crate) total: Vec<u64>,
    pub(crate) samples: Vec<u64>,
    /// Where a source map moved the row's first frame from (`None` where
    /// no map applied, and for rows the input does not have).
    pub(crate) generated: Vec<Option<GeneratedPosition>>,
    /// Under [`Identity::Function`], the (line, column) of the row's first
    /// frame in this input, which the key leaves out.
    pub(crate) position: Vec<Option<(i32, i32)>>,
}

/// Rows of n inputs: `keys` in key order, one [`Column`] per input.
pub(crate) struct AlignedRows {
    pub(crate) keys: Vec<GroupKey>,
    pub(crate) columns: Vec<Column>,
}

/// Aligns the rows of `inputs` by their cross-profile key; `identity` is
/// [`Identity::Position`] or [`Identity::Function`].
pub(crate) fn align_rows(
    inputs: &[(&HeapProfile, &CallTree)],
    by: GroupBy,
    identity: Identity,
) -> AlignedRows {
    let per_input: Vec<(Vec<GroupKey>, Column, Vec<u32>)> = inputs
        .par_iter()
        .map(|&(p, tree)| input_rows(p, tree, by, identity))
        .collect();
    let mut keys = KeyTable::default();
    let rows: Vec<Vec<u32>> = per_input.iter().map(|(k, _, _)| keys.intern(k)).collect();
    let (keys, rank) = keys.in_key_order();
    let columns = per_input
        .iter()
        .zip(&rows)
        .map(|((_, col, _), rows)| scatter(col, rows, &rank, keys.len()))
        .collect();
    AlignedRows { keys, columns }
}

/// Row keys of inputs taken one at a time, interned: each distinct key gets
/// an id in the order first seen; [`KeyTable::in_key_order`] then puts the
/// rows in key order, so that every consumer sees them in one total order.
#[derive(Default)]
pub(crate) struct KeyTable {
    index: FxHashMap<GroupKey, u32>,
    keys: Vec<GroupKey>,
}

impl KeyTable {
    /// The id of each of one input's row keys.
    pub(crate) fn intern(&mut self, input_keys: &[GroupKey]) -> Vec<u32> {
        input_keys
            .iter()
            .map(|k| {
                if let Some(&id) = self.index.get(k) {
                    return id;
                }
                let id = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
                self.index.insert(k.clone(), id);
                self.keys.push(k.clone());
                id
            })
            .collect()
    }

    /// The keys in key order, and the rank (row in that order) of each id.
    pub(crate) fn in_key_order(self) -> (Vec<GroupKey>, Vec<u32>) {
        let Self { index, keys } = self;
        drop(index);
        let mut order: Vec<u32> = (0..u32::try_from(keys.len()).unwrap_or(u32::MAX)).collect();
        order.sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        let mut rank = vec![0u32; keys.len()];
        for (r, &k) in order.iter().enumerate() {
            rank[k as usize] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        let mut slots: Vec<Option<GroupKey>> = keys.into_iter().map(Some).collect();
        let keys = order
            .iter()
            .map(|&k| slots[k as usize].take().unwrap_or_else(grouping::blank))
            .collect();
        (keys, rank)
    }
}

/// One input's column, moved to the aligned row order.
pub(crate) fn scatter(col: &Column, rows: &[u32], rank: &[u32], n: usize) -> Column {
    let mut out = Column {
        self_bytes: vec![0; n],
        total: vec![0; n],
        samples: vec![0; n],
        generated: vec![None; n],
        position: vec![None; n],
    };
    for (i, &k) in rows.iter().enumerate() {
        let r = rank[k as usize] as usize;
        out.self_bytes[r] = col.self_bytes[i];
        out.total[r] = col.total[i];
        out.samples[r] = col.samples[i];
        out.generated[r].clone_from(&col.generated[i]);
        out.position[r] = col.position[i];
    }
    out
}

/// One input's rows with cross-profile keys, their sums, and the row of
/// each stack.
pub(crate) fn input_rows(
    p: &HeapProfile,
    tree: &CallTree,
    by: GroupBy,
    identity: Identity,
) -> (Vec<GroupKey>, Column, Vec<u32>) {
    let groups = grouping::groups(p, tree, by, identity);
    let sums = group_sums(p, tree, &groups);
    let n = groups.keys.len();
    let generated = (0..n).map(|g| groups.generated(p, g)).collect();
    let position = (0..n).map(|g| groups.position.get(g).copied()).collect();
    (
        groups.keys,
        Column {
            self_bytes: sums.self_bytes,
            total: sums.total,
            samples: sums.samples,
            generated,
            position,
        },
        groups.of_stack,
    )
}

/// The union of n call trees: node 0 is `(root)`, every other node is a
/// path of frame labels below its parent; ids are given parent first, so
/// totals are one reverse loop.
pub(crate) struct AlignedTree {
    /// (name, location) of each distinct frame label.
    pub(crate) labels: Vec<(String, String)>,
    /// Label of each node.
    pub(crate) label: Vec<u32>,
    /// Parent of each node (`u32::MAX` for the root).
    pub(crate) parent: Vec<u32>,
    /// Self bytes per input, by node.
    pub(crate) self_bytes: Vec<Vec<u64>>,
    /// Samples per input, by node.
    pub(crate) samples: Vec<Vec<u64>>,
}

impl AlignedTree {
    /// Number of nodes, root included.
    pub(crate) fn len(&self) -> usize {
        self.label.len()
    }

    fn node(&mut self, index: &mut FxHashMap<(u32, u32), u32>, parent: u32, label: u32) -> u32 {
        let n = u32::try_from(self.label.len()).unwrap_or(u32::MAX);
        let id = *index.entry((parent, label)).or_insert(n);
        if id == n {
            self.label.push(label);
            self.parent.push(parent);
            for col in self.self_bytes.iter_mut().chain(&mut self.samples) {
                col.push(0);
            }
        }
        id
    }
}

/// Merges the call trees of `inputs` by path of frame labels.
pub(crate) fn align_tree(inputs: &[(&HeapProfile, &CallTree)]) -> AlignedTree {
    let mut t = AlignedTree {
        labels: vec![("(root)".into(), String::new())],
        label: vec![0],
        parent: vec![u32::MAX],
        self_bytes: vec![vec![0]; inputs.len()],
        samples: vec![vec![0]; inputs.len()],
    };
    let mut label_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut index: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    for (i, &(p, tree)) in inputs.iter().enumerate() {
        let frame_label = intern_labels(p, &mut label_ids, &mut t.labels);
        let mut map = vec![0u32; p.stacks.len()];
        for s in p.stacks.ids().skip(1) {
            if !tree.kept(s) {
                continue;
            }
            let up = p.stacks.parent(s).map_or(0, StackId::index);
            let id = t.node(
                &mut index,
                map[up],
                frame_label[p.stacks.frame[s.index()].index()],
            );
            map[s.index()] = id;
            credit(&mut t, i, id as usize, tree, s.index());
        }
        credit(&mut t, i, 0, tree, 0);
    }
    t
}

/// The label id of every frame of `p`, new labels appended to `labels`.
fn intern_labels(
    p: &HeapProfile,
    ids: &mut FxHashMap<String, u32>,
    labels: &mut Vec<(String, String)>,
) -> Vec<u32> {
    (0..p.frames.len())
        .map(|f| {
            let (name, loc) = grouping::frame_parts(p, FrameId::from_index(f));
            let key = format!("{name}\u{0}{loc}");
            let next = u32::try_from(labels.len()).unwrap_or(u32::MAX);
            let id = *ids.entry(key).or_insert(next);
            if id == next {
                labels.push((name, loc));
            }
            id
        })
        .collect()
}

fn credit(t: &mut AlignedTree, input: usize, node: usize, tree: &CallTree, stack: usize) {
    t.self_bytes[input][node] += tree.self_bytes[stack];
    t.samples[input][node] += tree.n_samples.get(stack).copied().unwrap_or(0);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use heapdiff_testkit::{ArbParams, arb_profile_pair_with, proptest_config};
    use proptest::prelude::*;

    use super::{align_rows, input_rows};
    use crate::grouping::{GroupBy, GroupKey, Identity};
    use crate::{CallTree, Weights, call_tree};

    const SMALL: ArbParams = ArbParams {
        max_frames: 12,
        max_nodes: 60,
        max_chain: 40,
        max_samples: 60,
    };

    type Values = (u64, u64, u64);

    /// The keyed join the diff made before rows were aligned: a `BTreeMap`
    /// from key to (before, after) (self, total, samples).
    fn joined(
        a: (&heapdiff_model::HeapProfile, &CallTree),
        b: (&heapdiff_model::HeapProfile, &CallTree),
        by: GroupBy,
    ) -> BTreeMap<GroupKey, (Values, Values)> {
        let mut map: BTreeMap<GroupKey, (Values, Values)> = BTreeMap::new();
        for (side, (p, t)) in [a, b].into_iter().enumerate() {
            let (keys, col, _) = input_rows(p, t, by, Identity::Position);
            for (i, k) in keys.into_iter().enumerate() {
                let v = (col.self_bytes[i], col.total[i], col.samples[i]);
                let slot = map.entry(k).or_default();
                if side == 0 { slot.0 = v } else { slot.1 = v }
            }
        }
        map
    }

    fn by_strategy() -> impl Strategy<Value = GroupBy> {
        prop::sample::select(vec![
            GroupBy::Function,
            GroupBy::Stack,
            GroupBy::Script,
            GroupBy::Package,
        ])
    }

    proptest! {
        #![proptest_config(proptest_config())]

        /// Aligning two inputs gives exactly the rows of the keyed join,
        /// in the same (key) order, with the same values.
        #[test]
        fn two_inputs_align_as_the_keyed_join((a, b) in arb_profile_pair_with(SMALL), by in by_strategy()) {
            let (a, b) = (a.to_model(), b.to_model());
            let (ta, tb) = (call_tree(&a, &Weights::self_size(&a)), call_tree(&b, &Weights::self_size(&b)));
            let reference = joined((&a, &ta), (&b, &tb), by);
            let aligned = align_rows(&[(&a, &ta), (&b, &tb)], by, Identity::Position);
            let rows: Vec<(GroupKey, (Values, Values))> = aligned
                .keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let v = |c: &super::Column| (c.self_bytes[i], c.total[i], c.samples[i]);
                    (k.clone(), (v(&aligned.columns[0]), v(&aligned.columns[1])))
                })
                .collect();
            prop_assert_eq!(rows, reference.into_iter().collect::<Vec<_>>());
        }
    }
}
