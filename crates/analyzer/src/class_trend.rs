//! Trends over heap snapshots (README, "Trend semantics"): per class, the
//! Summary's count, shallow and retained size at every snapshot, the
//! objects that survive every later snapshot, and a verdict on one measure.
//!
//! Each snapshot is reduced to a [`SnapshotStep`] as soon as it is
//! analysed (its Summary rows and the id and class of every object), and
//! folded into a [`SnapshotSeries`], which keeps every step's class table
//! but only the last step's objects (each with the step its unbroken
//! presence began at: enough for the survivors), so a trend holds one
//! snapshot's graph and one step's objects at a time. Classes are matched across
//! steps by name and source position (by class key where the position is
//! unknown); objects by id *and* class, since V8 gives a new object the id
//! of a dead one that lay at the same address.
//!
//! Snapshot numbers are exact, so a step is judged by a minimum size of
//! effect instead of a noise floor: it grew (shrank) when the value rose
//! (fell) by at least max(1 % of the larger of the two values,
//! [`SnapshotMeasure::floor`]). A cache that fills up adds a little at a
//! late step and is not `grows every step`. The verdicts are then those
//! of [`crate::trend::verdict`].

use rustc_hash::FxHashMap;
use serde::Serialize;

use heapdiff_model::HeapGraph;
use heapdiff_model::cast::saturating_u32;

use crate::snapshot::{ClassRow, Derived, SourcePosition, SummaryOptions, summary};
use crate::trend::{
    Change, Series, TrendBy, TrendHead, TrendReport, TrendRow, TrendStep, by_confidence, judged,
    per_unit, ranked,
};
use crate::varints::Varints;

/// Which number of a class the verdicts judge (`--measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotMeasure {
    /// Objects of the class.
    Count,
    /// Σ shallow size.
    Shallow,
    /// The class's retained size (each dominator subtree once).
    #[default]
    Retained,
}

impl SnapshotMeasure {
    /// The absolute part of the minimum effect: a step must move by at
    /// least this much (and by 1 % of the larger value) to count.
    #[must_use]
    pub fn floor(self) -> u64 {
        match self {
            Self::Count => 1,
            Self::Shallow | Self::Retained => BYTE_FLOOR,
        }
    }

    /// The measure's name as written in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Shallow => "shallow",
            Self::Retained => "retained",
        }
    }
}

/// Smallest change of a size that counts as growth: two small objects.
pub const BYTE_FLOOR: u64 = 128;
/// Smallest relative change that counts, in percent of the larger value.
pub const RELATIVE_FLOOR_PERCENT: u64 = 1;

/// A class's numbers at every step (JSON `class` of a trend row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassSeries {
    /// The class key at the last step that has the class (formats §7.8).
    pub key: String,
    /// Objects at each step.
    pub count: Vec<u64>,
    /// Σ shallow size at each step.
    pub shallow: Vec<u64>,
    /// Retained size at each step.
    pub retained: Vec<u64>,
    /// At each step: objects first seen at that step (all objects at the
    /// first) that every later snapshot still holds, same id and class.
    pub survivors: Vec<u64>,
    /// Objects first seen after the first snapshot and before the last
    /// that survive to the last: Σ of `survivors` over the middle steps
    /// (with three snapshots, memlab's baseline/target/final rule).
    pub survived: u64,
}

/// One class of one snapshot.
#[derive(Debug, Clone)]
struct StepClass {
    name: String,
    key: String,
    source: Option<SourcePosition>,
    count: u64,
    shallow: u64,
    retained: u64,
}

/// What a trend keeps of one analysed snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotStep {
    label: String,
    total_size: u64,
    classes: Vec<StepClass>,
    /// (object id, index in `classes`) of every object with a size, by id.
    objects: Vec<(u64, u32)>,
}

impl SnapshotStep {
    /// Reduces an analysed snapshot to its Summary rows and the class of
    /// every object; `label` names the input. The analysis is dropped
    /// before the object list is made, so that list never sits beside it.
    #[must_use]
    pub fn new(g: &HeapGraph, d: Derived, label: String) -> Self {
        let report = summary(g, &d, &SummaryOptions::default());
        let class_of_node = summary_class_of_nodes(g, &d, &report.classes);
        let total_size = d.total_size;
        drop(d);
        let mut objects: Vec<(u64, u32)> = g
            .nodes()
            .ordinals()
            .zip(class_of_node)
            .filter(|&(_, c)| c != NO_CLASS)
            .map(|(v, c)| (g.nodes().id(v).get(), c))
            .collect();
        objects.sort_unstable();
        let classes = report
            .classes
            .into_iter()
            .map(|c| StepClass {
                name: c.name,
                key: c.key,
                source: c.origin.source,
                count: c.count,
                shallow: c.self_size,
                retained: c.retained_size,
            })
            .collect();
        Self {
            label,
            total_size,
            classes,
            objects,
        }
    }
}

/// A node that counts for no Summary row (no size, or a class the Summary
/// leaves out).
const NO_CLASS: u32 = u32::MAX;

/// For every node in ordinal order, the index of its Summary row in
/// `rows` ([`NO_CLASS`] for none).
fn summary_class_of_nodes(g: &HeapGraph, d: &Derived, rows: &[ClassRow]) -> Vec<u32> {
    let row_of_key: FxHashMap<&str, u32> = rows
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), u32::try_from(i).unwrap_or(NO_CLASS)))
        .collect();
    let row_of_class: Vec<u32> = d
        .classes
        .keys
        .iter()
        .map(|k| row_of_key.get(k.as_str()).copied().unwrap_or(NO_CLASS))
        .collect();
    g.nodes()
        .ordinals()
        .map(|v| {
            if d.self_size_of(v) > 0 {
                row_of_class[d.class_of(v)]
            } else {
                NO_CLASS
            }
        })
        .collect()
}

/// Options of [`SnapshotSeries`].
#[derive(Debug, Clone, Default)]
pub struct SnapshotTrendOptions {
    /// The measure of `values` and of the verdicts.
    pub measure: SnapshotMeasure,
    /// Keep only the first N rows.
    pub limit: Option<usize>,
    /// Work done in each step: values are divided by it before they are
    /// compared. One entry per step.
    pub ops: Option<Vec<u64>>,
}

/// How a class is told apart across snapshots: name and source position,
/// or name and class key where no position is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    At(String, SourcePosition),
    Keyed(String),
}

fn identity(c: &StepClass) -> Identity {
    match &c.source {
        Some(at) => Identity::At(c.name.clone(), at.clone()),
        None => Identity::Keyed(c.key.clone()),
    }
}

/// A snapshot trend being made, one [`SnapshotStep`] at a time: each
/// step's class table, the classes aligned across steps, and the objects of
/// the last step with the step their unbroken presence began at. No
/// step's object list outlives its [`SnapshotSeries::push`].
pub struct SnapshotSeries {
    opts: SnapshotTrendOptions,
    rows: FxHashMap<Identity, u32>,
    /// The latest class of each row (its name, key and position).
    latest: Vec<StepClass>,
    /// By step, its label, total size, classes and the row of each class.
    steps: Vec<(String, u64, Vec<StepClass>, Vec<u32>)>,
    /// The last step's objects with the first step of the run of steps up
    /// to the last that all hold the object with that id and class.
    run: ObjectRun,
}

impl SnapshotSeries {
    /// An empty series.
    #[must_use]
    pub fn new(opts: SnapshotTrendOptions) -> Self {
        Self {
            opts,
            rows: FxHashMap::default(),
            latest: Vec::new(),
            steps: Vec::new(),
            run: ObjectRun::default(),
        }
    }

    /// Adds the next snapshot.
    pub fn push(&mut self, step: SnapshotStep) {
        let SnapshotStep {
            label,
            total_size,
            classes,
            objects,
        } = step;
        let rows: Vec<u32> = classes.iter().map(|c| self.row_of(c)).collect();
        let k = u32::try_from(self.steps.len()).unwrap_or(u32::MAX);
        let mut present: Vec<(u64, u32)> = objects
            .into_iter()
            .map(|(id, c)| (id, rows[c as usize]))
            .collect();
        present.sort_unstable();
        self.run = continued_run(&self.run, present, k);
        self.steps.push((label, total_size, classes, rows));
    }

    /// The row of class `c`, a new one for a class not seen before; the row
    /// takes `c` as its latest class.
    fn row_of(&mut self, c: &StepClass) -> u32 {
        let next = u32::try_from(self.latest.len()).unwrap_or(u32::MAX);
        let row = *self.rows.entry(identity(c)).or_insert(next);
        if row == next {
            self.latest.push(c.clone());
        } else {
            self.latest[row as usize] = c.clone();
        }
        row
    }

    /// The trend of the snapshots pushed, in order.
    #[must_use]
    pub fn finish(self) -> TrendReport {
        let n = self.steps.len();
        let n_rows = self.latest.len();
        let mut kept = vec![vec![0u64; n_rows]; n];
        for (_, row, start) in self.run.iter() {
            kept[start as usize][row as usize] += 1;
        }
        let ops = self.opts.ops.as_deref().filter(|o| o.len() == n);
        let mut columns = vec![[vec![0u64; n], vec![0; n], vec![0; n]]; n_rows];
        for (k, (_, _, classes, rows)) in self.steps.iter().enumerate() {
            for (c, &row) in classes.iter().zip(rows) {
                let col = &mut columns[row as usize];
                col[0][k] = c.count;
                col[1][k] = c.shallow;
                col[2][k] = c.retained;
            }
        }
        let rows: Vec<TrendRow> = columns
            .into_iter()
            .enumerate()
            .map(|(row, [count, shallow, retained])| {
                let last = &self.latest[row];
                let survivors: Vec<u64> = kept.iter().map(|k| k[row]).collect();
                let series = ClassSeries {
                    key: last.key.clone(),
                    survived: middle(&survivors).iter().sum(),
                    survivors,
                    count,
                    shallow,
                    retained,
                };
                class_row(last, series, self.opts.measure, ops)
            })
            .collect();
        let steps = self
            .steps
            .into_iter()
            .enumerate()
            .map(|(i, (label, total, _, _))| TrendStep {
                label,
                total,
                samples: 0,
                interval: None,
                ops: ops.map(|o| o[i]),
            })
            .collect();
        let head = TrendHead {
            by: TrendBy::Class,
            measure: Some(self.opts.measure),
            series: Series::Snapshots,
            steps,
        };
        let order = |a: &TrendRow, b: &TrendRow| {
            by_confidence(a, b)
                .then_with(|| a.function.name.cmp(&b.function.name))
                .then_with(|| class_key(a).cmp(class_key(b)))
        };
        ranked(head, rows, order, self.opts.limit)
    }
}

/// The objects of step `k` (`present`, sorted) with the step their run
/// began at: that of the previous step's `run` for objects it held (one
/// merge of the two sorted lists), else `k`.
fn continued_run(run: &ObjectRun, present: Vec<(u64, u32)>, k: u32) -> ObjectRun {
    let mut before = run.iter().peekable();
    ObjectRun::of_sorted(present.into_iter().map(|(id, row)| {
        while before.next_if(|&(i, r, _)| (i, r) < (id, row)).is_some() {}
        let start = match before.peek() {
            Some(&(i, r, start)) if (i, r) == (id, row) => start,
            _ => k,
        };
        (id, row, start)
    }))
}

/// A step's objects as (id, row, first step of their run), by (id, row),
/// packed between steps: each as its id's difference from the previous
/// object's id, its row and its step, in varints (three or four bytes an
/// object of a real snapshot instead of sixteen).
#[derive(Debug, Default)]
struct ObjectRun(Varints);

impl ObjectRun {
    /// Packs `objects`, given in order of (id, row).
    fn of_sorted(objects: impl Iterator<Item = (u64, u32, u32)>) -> Self {
        let mut packed = Varints::default();
        let mut last = 0;
        for (id, row, start) in objects {
            packed.push(id - last);
            packed.push(u64::from(row));
            packed.push(u64::from(start));
            last = id;
        }
        packed.shrink_to_fit();
        Self(packed)
    }

    /// The objects, in order of (id, row).
    fn iter(&self) -> impl Iterator<Item = (u64, u32, u32)> + '_ {
        let mut numbers = self.0.iter();
        let mut id = 0;
        std::iter::from_fn(move || {
            id += numbers.next()?;
            let row = saturating_u32(numbers.next()?);
            let start = saturating_u32(numbers.next()?);
            Some((id, row, start))
        })
    }
}

fn class_key(r: &TrendRow) -> &str {
    r.class.as_ref().map_or("", |c| c.key.as_str())
}

/// The steps strictly between the first and the last.
fn middle(v: &[u64]) -> &[u64] {
    if v.len() < 3 { &[] } else { &v[1..v.len() - 1] }
}

/// The row of one class: its series in `measure`, judged step by step.
fn class_row(
    class: &StepClass,
    series: ClassSeries,
    measure: SnapshotMeasure,
    ops: Option<&[u64]>,
) -> TrendRow {
    let values = match measure {
        SnapshotMeasure::Count => series.count.clone(),
        SnapshotMeasure::Shallow => series.shallow.clone(),
        SnapshotMeasure::Retained => series.retained.clone(),
    };
    let changes: Vec<Change> = (1..values.len())
        .map(|s| {
            let scale = ops.map_or((1, 1), |o| (o[s - 1], o[s]));
            exact_change(values[s - 1], values[s], scale, measure.floor())
        })
        .collect();
    TrendRow {
        function: crate::report::Function {
            name: class.name.clone(),
            url: class
                .source
                .as_ref()
                .map_or_else(String::new, |p| p.url.clone()),
            line: class.source.as_ref().map(|p| p.line),
            column: class.source.as_ref().map(|p| p.column),
            generated: None,
        },
        errors: vec![0; values.len()],
        class: Some(series),
        ..judged(values, &changes, ops)
    }
}

/// How an exact step `a → b` moved: it grew (shrank) when it rose (fell)
/// by at least max(1 % of the larger value, `floor`). With work counts
/// `(wa, wb)` the values are compared per unit of work, and the floor is
/// divided by the later step's work.
#[must_use]
pub fn exact_change(a: u64, b: u64, (wa, wb): (u64, u64), floor: u64) -> Change {
    let (ra, rb) = (per_unit(a, wa), per_unit(b, wb));
    let larger = ra.max(rb);
    let relative = larger * RELATIVE_FLOOR_PERCENT as f64 / 100.0;
    let threshold = relative.max(floor as f64 / wb.max(1) as f64);
    if rb - ra >= threshold && rb > ra {
        Change::Grew
    } else if ra - rb >= threshold && ra > rb {
        Change::Shrank
    } else {
        Change::Within
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::trend::verdict;

    /// A step of classes `A` and `B` (by key) holding `objects` as
    /// (id, class index).
    fn step_of(objects: &[(u64, u32)]) -> SnapshotStep {
        let class = |key: &str| StepClass {
            name: key.to_string(),
            key: key.to_string(),
            source: None,
            count: 0,
            shallow: 0,
            retained: 0,
        };
        let mut objects = objects.to_vec();
        objects.sort_unstable();
        SnapshotStep {
            label: String::new(),
            total_size: 0,
            classes: vec![class("A"), class("B")],
            objects,
        }
    }

    /// Survivors as defined, over every step's objects at once: at step k,
    /// the objects not held by step k − 1 that every later step holds.
    fn survivors_by_definition(steps: &[Vec<(u64, u32)>]) -> Vec<[u64; 2]> {
        let holds = |k: usize, o: &(u64, u32)| steps[k].contains(o);
        (0..steps.len())
            .map(|k| {
                let mut kept = [0u64; 2];
                let mut seen = std::collections::BTreeSet::new();
                for o in &steps[k] {
                    let new = k == 0 || !holds(k - 1, o);
                    if seen.insert(*o) && new && (k + 1..steps.len()).all(|j| holds(j, o)) {
                        kept[o.1 as usize] += 1;
                    }
                }
                kept
            })
            .collect()
    }

    proptest! {
        /// The series keeps only the last step's objects, yet counts the
        /// survivors of every step as the definition does.
        #[test]
        fn streamed_survivors_match_the_definition(
            steps in prop::collection::vec(
                prop::collection::btree_set((0u64..12, 0u32..2), 0..16),
                3..6,
            )
        ) {
            let steps: Vec<Vec<(u64, u32)>> =
                steps.into_iter().map(|s| s.into_iter().collect()).collect();
            let mut series = SnapshotSeries::new(SnapshotTrendOptions::default());
            for s in &steps {
                series.push(step_of(s));
            }
            let report = series.finish();
            let expected = survivors_by_definition(&steps);
            for row in &report.rows {
                let class = row.class.as_ref().map(|c| (c.key.as_str(), &c.survivors));
                let (key, got) = class.expect("snapshot rows have a class");
                let c = usize::from(key == "B");
                let want: Vec<u64> = expected.iter().map(|k| k[c]).collect();
                prop_assert_eq!(got, &want);
            }
        }
    }

    const BYTES: u64 = BYTE_FLOOR;

    /// The fixed build's `LruCache` (fixtures/series/README.md): retained
    /// 25,576 → 26,856 → 26,928 B, a cache warming up. The second step
    /// (+72 B, 0.3 %) is below the minimum effect, so the row is
    /// `one-off`, not `grows every step`.
    #[test]
    fn a_warming_cache_is_not_growth_at_every_step() {
        let values = [25_576, 26_856, 26_928];
        let changes: Vec<Change> = values
            .windows(2)
            .map(|w| exact_change(w[0], w[1], (1, 1), BYTES))
            .collect();
        assert_eq!(changes, [Change::Grew, Change::Within]);
        assert_eq!(verdict(&changes), crate::trend::Verdict::OneOff);
    }

    #[test]
    fn the_floor_is_the_larger_of_relative_and_absolute() {
        // 1 % of the larger value: +1,000 on 100,000 is within (1 % of
        // 101,000 is 1,010), +1,011 grew (1 % of 101,011 is 1,010.11).
        let step = |a, b| exact_change(a, b, (1, 1), BYTES);
        assert_eq!(step(100_000, 101_000), Change::Within);
        assert_eq!(step(100_000, 101_011), Change::Grew);
        assert_eq!(step(101_011, 100_000), Change::Shrank);
        // Small rows: the absolute floor.
        assert_eq!(exact_change(1_000, 1_127, (1, 1), BYTES), Change::Within);
        assert_eq!(exact_change(1_000, 1_128, (1, 1), BYTES), Change::Grew);
        // Counts: one object is enough below 100 objects.
        assert_eq!(exact_change(3, 4, (1, 1), 1), Change::Grew);
        assert_eq!(exact_change(4, 4, (1, 1), 1), Change::Within);
        assert_eq!(exact_change(0, 0, (1, 1), 1), Change::Within);
        // Per unit of work: twice the work for twice the bytes is flat.
        assert_eq!(
            exact_change(10_000, 20_000, (100, 200), BYTES),
            Change::Within
        );
        assert_eq!(
            exact_change(10_000, 30_000, (100, 200), BYTES),
            Change::Grew
        );
    }
}
