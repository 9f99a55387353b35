//! Trends over n ≥ 2 profiles in order (README, "Trends over many
//! profiles"): the rows of `align_rows`, the series of each row's self
//! and total bytes with each point's sampling error, and a verdict from how
//! many steps grew beyond the noise.
//!
//! A step i → i+1 of a row *grew* (or *shrank*) when its value rose (fell)
//! by more than the diff's noise rule allows: two sampling errors of the
//! two points combined, |Δ| ≥ 2·√(Rᵢ²·nᵢ + Rᵢ₊₁²·nᵢ₊₁) (`noise.rs`). With
//! `ops`, values and errors are divided by each step's work first.
//!
//! Verdicts, first rule that applies (g = steps grown, s = steps shrunk,
//! out of n − 1):
//! 1. `grows every step`: g = n − 1;
//! 2. `noisy`: g ≥ 1 and s ≥ 1 (moves both ways beyond the noise);
//! 3. `one-off`: g = 1, s = 0, and the growth is not the last step (grew
//!    once, then stayed within the noise: warm-up, a cache filling);
//! 4. `grows`: g ≥ 1 (and s = 0);
//! 5. `shrinks`: s ≥ 1 (and g = 0);
//! 6. `flat`: every step within the noise.

use rayon::prelude::*;
use serde::Serialize;

use heapdiff_model::HeapProfile;
use heapdiff_model::cast::{saturating_u32, to_u32};

use crate::aggregate::display_row_name;
use crate::align::{Column, KeyTable, input_rows, scatter};
use crate::call_tree::CallTree;
use crate::diff::signed_delta;
use crate::frame_label::one_based;
use crate::grouping::{GroupBy, GroupKey, Identity, NO_GROUP};
use crate::report::SCHEMA_VERSION;
use crate::varints::Varints;

/// Options of [`trend`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrendOptions {
    /// What a row stands for.
    pub by: GroupBy,
    /// Keep only the first N rows.
    pub limit: Option<usize>,
    /// Work done in each step (requests, iterations): values are divided by
    /// it before they are compared. Must have one entry per input.
    pub ops: Option<Vec<u64>>,
    /// Sampling interval of every input, if known (else estimated per input).
    pub interval: Option<u64>,
    /// A name for each input (its file name), in order.
    pub labels: Vec<String>,
    /// The inputs are time windows of one timeline ([`Series::Windows`]).
    pub windows: bool,
}

/// The judgement on a row's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Verdict {
    /// Every step grew beyond the noise.
    #[serde(rename = "grows every step")]
    GrowsEveryStep,
    /// Some steps grew beyond the noise, none shrank.
    #[serde(rename = "grows")]
    Grows,
    /// Grew beyond the noise in one step, then stayed within it.
    #[serde(rename = "one-off")]
    OneOff,
    /// Grew and shrank beyond the noise.
    #[serde(rename = "noisy")]
    Noisy,
    /// Some steps shrank beyond the noise, none grew.
    #[serde(rename = "shrinks")]
    Shrinks,
    /// Every step within the noise.
    #[serde(rename = "flat")]
    Flat,
}

impl Verdict {
    /// The verdict as written in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GrowsEveryStep => "grows every step",
            Self::Grows => "grows",
            Self::OneOff => "one-off",
            Self::Noisy => "noisy",
            Self::Shrinks => "shrinks",
            Self::Flat => "flat",
        }
    }
}

/// How one step of a series moved, judged against its sampling error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Rose beyond the noise.
    Grew,
    /// Fell beyond the noise.
    Shrank,
    /// Within the noise (or unchanged).
    Within,
}

/// What the inputs look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Series {
    /// Peeks of one recording: each profile holds the previous one's
    /// surviving samples (same sample ordinal, size and node id) and adds
    /// only samples with later ordinals.
    Peeks,
    /// Independent runs: some profile holds samples whose ordinals the
    /// previous one already used for other objects.
    Runs,
    /// Time windows of one allocation timeline (`--windows`): each step
    /// holds the previous one's objects; exact bytes.
    Windows,
    /// Too few samples to tell.
    Unknown,
    /// Heap snapshots: exact counts and sizes per class, objects matched
    /// by id and class ([`crate::class_trend`]).
    Snapshots,
}

/// What a trend's row stands for: a grouping of profile rows (`--by`), or
/// a class of heap snapshots (serialized `"class"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendBy {
    /// Rows of sampling profiles or timelines.
    Rows(GroupBy),
    /// Classes of heap snapshots (class name and allocation position).
    Class,
}

impl TrendBy {
    /// How the renderer places a row: a class has a name and a source
    /// position, as a function row does.
    #[must_use]
    pub fn rows(self) -> GroupBy {
        match self {
            Self::Rows(by) => by,
            Self::Class => GroupBy::Function,
        }
    }
}

impl Serialize for TrendBy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Rows(by) => by.serialize(s),
            Self::Class => s.serialize_str("class"),
        }
    }
}

/// One input of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendStep {
    /// The input's name (its file name).
    pub label: String,
    /// The profile's total self bytes.
    pub total: u64,
    /// Number of samples in the call tree.
    pub samples: u64,
    /// Sampling interval used for the noise floor (`null`: no samples).
    pub interval: Option<u64>,
    /// Work done in this step (`--ops`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ops: Option<u64>,
}

/// One row of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// The function (or stack leaf, script, package; for snapshots the
    /// class and its source position).
    #[serde(flatten)]
    pub function: crate::report::Function,
    /// Root-to-leaf frames, for `--by stack`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
    /// Self bytes at each step.
    pub values: Vec<u64>,
    /// Sampling error of each value, R·√n bytes.
    pub errors: Vec<u64>,
    /// Total bytes (self and callees) at each step.
    pub totals: Vec<u64>,
    /// Samples at each step.
    pub samples: Vec<u64>,
    /// Self bytes per unit of work at each step (`--ops`), rounded to 0.01.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_op: Option<Vec<f64>>,
    /// Self bytes at the first step.
    pub first: u64,
    /// Self bytes at the last step.
    pub last: u64,
    /// last − first.
    pub net: i64,
    /// Steps (of n − 1) that grew beyond the noise.
    pub steps_grown: u32,
    /// Steps that shrank beyond the noise.
    pub steps_shrunk: u32,
    /// Least-squares slope per step, of `values` (of `per_op` with ops),
    /// rounded to 0.01.
    pub slope: f64,
    /// R² of the linear fit, rounded to 0.0001; `null` when every value is
    /// the same.
    pub r2: Option<f64>,
    /// The judgement (module documentation).
    pub verdict: Verdict,
    /// For heap snapshots: the class's key and its series in every measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<crate::class_trend::ClassSeries>,
}

/// Counts over all rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendTotals {
    /// Rows before the limit.
    pub rows: usize,
    /// Rows with each verdict, in the order of [`Verdict`].
    pub grows_every_step: usize,
    /// Rows that grow.
    pub grows: usize,
    /// Rows that grew once.
    pub one_off: usize,
    /// Rows that moved both ways.
    pub noisy: usize,
    /// Rows that shrink.
    pub shrinks: usize,
    /// Flat rows.
    pub flat: usize,
}

/// A trend over n profiles (JSON `kind: "trend"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendReport {
    /// JSON schema version.
    pub schema_version: u32,
    /// `"trend"`.
    pub kind: &'static str,
    /// What a row stands for.
    pub by: TrendBy,
    /// For heap snapshots: the measure of `values` and of the verdicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<crate::class_trend::SnapshotMeasure>,
    /// What the inputs look like.
    pub series: Series,
    /// The inputs, in order.
    pub steps: Vec<TrendStep>,
    /// Rows, most confident growth first.
    pub rows: Vec<TrendRow>,
    /// Counts over all rows.
    pub totals: TrendTotals,
}

/// The trend of `inputs`, in order (each reduced to a [`ProfileStep`],
/// then folded into a [`ProfileSeries`]).
#[must_use]
pub fn trend(inputs: &[(&HeapProfile, &CallTree)], opts: &TrendOptions) -> TrendReport {
    let mut series = ProfileSeries::new(opts.clone());
    let steps: Vec<ProfileStep> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, &(p, tree))| {
            let label = opts.labels.get(i).cloned().unwrap_or_default();
            series.step_of(p, tree, label)
        })
        .collect();
    for step in steps {
        series.push(step);
    }
    series.finish()
}

/// What a profile trend keeps of one input: its rows (cross-profile keys
/// and sums), the identity of its samples for the peek test (while the
/// series may still be peeks), and its step. Made while the profile is
/// loaded ([`ProfileSeries::step_of`]), so that the profile, its call tree
/// and its grouping can be dropped before the next input is read.
pub struct ProfileStep {
    keys: Vec<GroupKey>,
    column: Column,
    samples: PackedSamples,
    step: TrendStep,
}

/// One sample, as the peek test and the shared-sample counts see it.
#[derive(Debug, Clone, Copy)]
struct StepSample {
    ordinal: u64,
    bytes: u64,
    node_id: u64,
    /// The input's row the sample counts for (`NO_GROUP`: none, or the
    /// call tree left it out).
    row: u32,
}

impl ProfileStep {
    /// Reduces one weighed profile to what its trend needs, its samples
    /// only `with_samples`; `label` names the input (its `ops` entry is
    /// filled in by [`ProfileSeries::push`]).
    fn new(
        p: &HeapProfile,
        tree: &CallTree,
        opts: &TrendOptions,
        label: String,
        with_samples: bool,
    ) -> Self {
        let (keys, column, row_of_stack) = input_rows(p, tree, opts.by, Identity::Position);
        let samples = if with_samples {
            PackedSamples::of(p, tree, &row_of_stack)
        } else {
            PackedSamples::default()
        };
        let step = TrendStep {
            label,
            total: tree.root_total(),
            samples: tree.n_samples.iter().sum(),
            interval: opts.interval.or_else(|| crate::estimate_interval(p)),
            ops: None,
        };
        Self {
            keys,
            column,
            samples,
            step,
        }
    }
}

/// A profile trend being made, one [`ProfileStep`] at a time: the rows'
/// interned keys, every step's column, and the samples of the last step
/// only (the peek test compares neighbours).
pub struct ProfileSeries {
    opts: TrendOptions,
    keys: KeyTable,
    /// Each step's column (in its own row order) and the key id of its rows.
    columns: Vec<(Column, Vec<u32>)>,
    /// For peeks, by step s ≥ 1 (index s − 1) and key id, the samples that
    /// steps s − 1 and s both hold.
    shared: Vec<Vec<(u32, u64)>>,
    /// Samples two neighbouring steps share so far; `None` once some step
    /// does not continue the one before it (independent runs).
    kept: Option<usize>,
    previous: Option<PackedSamples>,
    steps: Vec<TrendStep>,
}

impl ProfileSeries {
    /// An empty series with the options of the whole trend.
    #[must_use]
    pub fn new(opts: TrendOptions) -> Self {
        Self {
            opts,
            keys: KeyTable::default(),
            columns: Vec::new(),
            shared: Vec::new(),
            kept: Some(0),
            previous: None,
            steps: Vec::new(),
        }
    }

    /// Reduces one weighed profile, the next input (or one of the next few,
    /// reduced side by side before any is pushed), to what the trend needs;
    /// `label` names the input. Its samples are kept only while the series
    /// may still be peeks of one recording.
    #[must_use]
    pub fn step_of(&self, p: &HeapProfile, tree: &CallTree, label: String) -> ProfileStep {
        let with_samples = self.kept.is_some() && !self.opts.windows;
        ProfileStep::new(p, tree, &self.opts, label, with_samples)
    }

    /// Adds the next input.
    pub fn push(&mut self, step: ProfileStep) {
        let ProfileStep {
            keys,
            column,
            samples,
            mut step,
        } = step;
        let ids = self.keys.intern(&keys);
        drop(keys);
        if let (Some(previous), Some(kept)) = (&self.previous, self.kept) {
            self.kept = match continues(previous, &samples) {
                Some(n) => {
                    self.shared.push(shared_samples(previous, &samples, &ids));
                    Some(kept + n)
                }
                None => {
                    self.shared = Vec::new();
                    None
                }
            };
        }
        // Independent runs need no samples: the peek test is over.
        self.previous = self.kept.map(|_| samples);
        step.ops = self
            .opts
            .ops
            .as_ref()
            .and_then(|o| o.get(self.steps.len()).copied());
        self.steps.push(step);
        self.columns.push((column, ids));
    }

    /// The trend of the inputs pushed, in order.
    #[must_use]
    pub fn finish(self) -> TrendReport {
        let Self {
            opts,
            keys,
            columns,
            shared,
            kept,
            steps,
            ..
        } = self;
        let series = if opts.windows {
            Series::Windows
        } else {
            match kept {
                None => Series::Runs,
                Some(0) => Series::Unknown,
                Some(_) => Series::Peeks,
            }
        };
        let (keys, rank) = keys.in_key_order();
        let n_rows = keys.len();
        let columns: Vec<Column> = columns
            .iter()
            .map(|(col, ids)| scatter(col, ids, &rank, n_rows))
            .collect();
        let shared: Vec<Vec<u64>> = match series {
            Series::Peeks => shared.iter().map(|s| by_row(s, &rank, n_rows)).collect(),
            Series::Runs | Series::Windows | Series::Unknown | Series::Snapshots => Vec::new(),
        };
        let intervals: Vec<Option<u64>> = steps.iter().map(|s| s.interval).collect();
        let ops = opts.ops.as_deref().filter(|o| o.len() == steps.len());
        let pts = Points {
            columns: &columns,
            shared: &shared,
            intervals: &intervals,
            ops,
        };
        let rows: Vec<TrendRow> = keys
            .into_iter()
            .enumerate()
            .filter(|&(i, _)| columns.iter().any(|c| c.self_bytes[i] > 0))
            .map(|(i, key)| TrendRow {
                function: crate::report::Function {
                    name: display_row_name(opts.by, &key.name).to_string(),
                    url: key.url,
                    line: one_based(key.line),
                    column: one_based(key.column),
                    generated: None,
                },
                stack: key.stack,
                ..row_series(&pts, i)
            })
            .collect();
        let head = TrendHead {
            by: TrendBy::Rows(opts.by),
            measure: None,
            series,
            steps,
        };
        ranked(head, rows, by_confidence, opts.limit)
    }
}

/// Counts by key id moved to rows in key order.
fn by_row(counts: &[(u32, u64)], rank: &[u32], n_rows: usize) -> Vec<u64> {
    let mut out = vec![0u64; n_rows];
    for &(id, n) in counts {
        out[rank[id as usize] as usize] = n;
    }
    out
}

/// What a trend report says besides its rows.
pub(crate) struct TrendHead {
    pub(crate) by: TrendBy,
    pub(crate) measure: Option<crate::class_trend::SnapshotMeasure>,
    pub(crate) series: Series,
    pub(crate) steps: Vec<TrendStep>,
}

/// The report of `rows`: ordered by `order`, the verdicts counted over all
/// of them, then cut to `limit`.
pub(crate) fn ranked(
    head: TrendHead,
    mut rows: Vec<TrendRow>,
    order: impl FnMut(&TrendRow, &TrendRow) -> std::cmp::Ordering,
    limit: Option<usize>,
) -> TrendReport {
    rows.sort_by(order);
    let totals = count_verdicts(&rows);
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    TrendReport {
        schema_version: SCHEMA_VERSION,
        kind: "trend",
        by: head.by,
        measure: head.measure,
        series: head.series,
        steps: head.steps,
        rows,
        totals,
    }
}

/// Most confident growth first: steps grown, then slope, then last value.
pub(crate) fn by_confidence(a: &TrendRow, b: &TrendRow) -> std::cmp::Ordering {
    b.steps_grown
        .cmp(&a.steps_grown)
        .then(b.slope.total_cmp(&a.slope))
        .then(b.last.cmp(&a.last))
}

/// What the series of every row is made from.
struct Points<'a> {
    /// One column per input.
    columns: &'a [Column],
    /// For peeks: by step s ≥ 1 (index s − 1) and row, the samples that
    /// peeks s − 1 and s both hold. Empty for independent runs.
    shared: &'a [Vec<u64>],
    intervals: &'a [Option<u64>],
    ops: Option<&'a [u64]>,
}

/// The numbers of row `i` (its key fields left blank).
fn row_series(pts: &Points<'_>, i: usize) -> TrendRow {
    let (columns, intervals, ops) = (pts.columns, pts.intervals, pts.ops);
    let values: Vec<u64> = columns.iter().map(|c| c.self_bytes[i]).collect();
    let samples: Vec<u64> = columns.iter().map(|c| c.samples[i]).collect();
    let errors: Vec<u64> = samples
        .iter()
        .zip(intervals)
        .map(|(&n, r)| sampling_error(n, *r))
        .collect();
    let changes: Vec<Change> = (1..values.len())
        .map(|s| {
            let both = pts.shared.get(s - 1).map_or(0, |row| row[i]);
            let differing = [
                samples[s - 1].saturating_sub(both),
                samples[s].saturating_sub(both),
            ];
            step_change(&values, differing, intervals, ops, s)
        })
        .collect();
    TrendRow {
        totals: columns.iter().map(|c| c.total[i]).collect(),
        errors,
        samples,
        ..judged(values, &changes, ops)
    }
}

/// A row of `values` judged by its step `changes`: first, last, net, the
/// counts of steps grown and shrunk, the least-squares slope and R² (of the
/// rates per unit of work with `ops`), the verdict. The row's key, errors,
/// totals, samples and class are left empty for the caller.
pub(crate) fn judged(values: Vec<u64>, changes: &[Change], ops: Option<&[u64]>) -> TrendRow {
    let (per_op, fit_of) = rates(&values, ops);
    let (slope, r2) = linear_fit(&fit_of);
    let (first, last) = (values[0], values[values.len() - 1]);
    TrendRow {
        function: crate::report::Function::default(),
        stack: Vec::new(),
        totals: Vec::new(),
        first,
        last,
        net: signed_delta(first, last),
        steps_grown: count(changes, Change::Grew),
        steps_shrunk: count(changes, Change::Shrank),
        slope: round_to(slope, 100.0),
        r2: r2.map(|r| round_to(r, 10_000.0)),
        verdict: verdict(changes),
        values,
        errors: Vec::new(),
        samples: Vec::new(),
        class: None,
        per_op: per_op.map(|rates| rates.into_iter().map(|r| round_to(r, 100.0)).collect()),
    }
}

pub(crate) fn count(changes: &[Change], c: Change) -> u32 {
    u32::try_from(changes.iter().filter(|&&x| x == c).count()).unwrap_or(u32::MAX)
}

/// R·√n, rounded down; 0 when the interval is unknown (no samples).
fn sampling_error(n: u64, r: Option<u64>) -> u64 {
    r.map_or(0, |r| {
        u64::try_from((u128::from(r).pow(2) * u128::from(n)).isqrt()).unwrap_or(u64::MAX)
    })
}

/// The values per unit of work (with `ops`), and what the linear fit is
/// made of: the rates with `ops`, else the values.
pub(crate) fn rates(values: &[u64], ops: Option<&[u64]>) -> (Option<Vec<f64>>, Vec<f64>) {
    let per_op: Option<Vec<f64>> = ops.map(|o| {
        values
            .iter()
            .zip(o)
            .map(|(&v, &w)| per_unit(v, w))
            .collect()
    });
    let fit_of = per_op
        .clone()
        .unwrap_or_else(|| values.iter().map(|&v| v as f64).collect());
    (per_op, fit_of)
}

pub(crate) fn per_unit(v: u64, ops: u64) -> f64 {
    if ops == 0 { 0.0 } else { v as f64 / ops as f64 }
}

pub(crate) fn round_to(x: f64, scale: f64) -> f64 {
    let r = (x * scale).round() / scale;
    // No negative zero in the output.
    if r == 0.0 { 0.0 } else { r }
}

/// How step `s − 1 → s` moved: the diff's noise rule on the two points, on
/// bytes per unit of work when `ops` is given. `samples` are the two
/// points' samples that the other point does not hold (all of them for
/// independent runs): samples two peeks share are the same objects and
/// add no error to the difference.
fn step_change(
    values: &[u64],
    samples: [u64; 2],
    intervals: &[Option<u64>],
    ops: Option<&[u64]>,
    s: usize,
) -> Change {
    let (a, b) = (values[s - 1], values[s]);
    let within = match ops {
        None => {
            crate::noise::is_noise(a, b, samples[0], samples[1], intervals[s - 1], intervals[s])
        }
        Some(o) => is_noise_per_op(
            [a, b],
            samples,
            [intervals[s - 1], intervals[s]],
            [o[s - 1], o[s]],
        ),
    };
    let (ra, rb) = match ops {
        None => (a as f64, b as f64),
        Some(o) => (per_unit(a, o[s - 1]), per_unit(b, o[s])),
    };
    if within || ra == rb {
        Change::Within
    } else if rb > ra {
        Change::Grew
    } else {
        Change::Shrank
    }
}

/// The noise rule of `noise.rs` on values divided by the work done: each
/// side's error R·√n is divided by its ops as well.
fn is_noise_per_op(v: [u64; 2], n: [u64; 2], r: [Option<u64>; 2], ops: [u64; 2]) -> bool {
    let [Some(ra), Some(rb)] = r else {
        return false;
    };
    if v == [0, 0] || ops.contains(&0) {
        return false;
    }
    let (wa, wb) = (ops[0] as f64, ops[1] as f64);
    let delta = v[1] as f64 / wb - v[0] as f64 / wa;
    let var = (ra as f64).powi(2) * n[0] as f64 / (wa * wa)
        + (rb as f64).powi(2) * n[1] as f64 / (wb * wb);
    delta * delta < 4.0 * var
}

/// The verdict of a series of step changes (module documentation).
#[must_use]
pub fn verdict(changes: &[Change]) -> Verdict {
    let grew = changes.iter().filter(|&&c| c == Change::Grew).count();
    let shrank = changes.iter().filter(|&&c| c == Change::Shrank).count();
    if !changes.is_empty() && grew == changes.len() {
        Verdict::GrowsEveryStep
    } else if grew > 0 && shrank > 0 {
        Verdict::Noisy
    } else if grew == 1 && changes.last() != Some(&Change::Grew) {
        Verdict::OneOff
    } else if grew > 0 {
        Verdict::Grows
    } else if shrank > 0 {
        Verdict::Shrinks
    } else {
        Verdict::Flat
    }
}

/// Least-squares slope of `y` over x = 0, 1, …, and R² of the fit (`None`
/// when every y is the same: there is no variation to explain).
#[must_use]
pub fn linear_fit(y: &[f64]) -> (f64, Option<f64>) {
    let n = y.len() as f64;
    if y.len() < 2 {
        return (0.0, None);
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let (dx, dy) = (i as f64 - mean_x, v - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let slope = sxy / sxx;
    if syy == 0.0 {
        return (slope, None);
    }
    (slope, Some((sxy * sxy / (sxx * syy)).clamp(0.0, 1.0)))
}

pub(crate) fn count_verdicts(rows: &[TrendRow]) -> TrendTotals {
    let n = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    TrendTotals {
        rows: rows.len(),
        grows_every_step: n(Verdict::GrowsEveryStep),
        grows: n(Verdict::Grows),
        one_off: n(Verdict::OneOff),
        noisy: n(Verdict::Noisy),
        shrinks: n(Verdict::Shrinks),
        flat: n(Verdict::Flat),
    }
}

/// A step's samples in order of ordinal (of samples with one ordinal, the
/// last given first), packed: each as its ordinal's difference from the
/// previous sample's, its size, its node id and its row + 1 (0: none), in
/// varints (about a quarter of the 32 bytes a [`StepSample`] takes).
#[derive(Default)]
struct PackedSamples {
    numbers: Varints,
    /// The largest ordinal (`None`: no samples).
    reached: Option<u64>,
}

impl PackedSamples {
    /// The samples of `p`; `row_of_stack` is the input's row of each stack
    /// node, and samples the call tree leaves out count for no row.
    fn of(p: &HeapProfile, tree: &CallTree, row_of_stack: &[u32]) -> Self {
        let ordinal = &p.samples.ordinal;
        let mut order: Vec<u32> = (0..to_u32(p.samples.len())).rev().collect();
        order.sort_by_key(|&k| ordinal[k as usize]);
        let mut packed = Self::default();
        let mut last = 0;
        for k in order.into_iter().map(|k| k as usize) {
            let stack = p.samples.stack[k].index();
            let counted = tree.n_samples.get(stack).is_some_and(|&n| n > 0);
            let row = if counted {
                row_of_stack[stack]
            } else {
                NO_GROUP
            };
            packed.numbers.push(ordinal[k] - last);
            packed.numbers.push(p.samples.bytes[k]);
            packed.numbers.push(p.stacks.node_id[stack]);
            packed.numbers.push(u64::from(row.wrapping_add(1)));
            last = ordinal[k];
            packed.reached = Some(last);
        }
        packed.numbers.shrink_to_fit();
        packed
    }

    /// Every sample, in order.
    fn iter(&self) -> impl Iterator<Item = StepSample> + '_ {
        let mut numbers = self.numbers.iter();
        let mut ordinal = 0;
        std::iter::from_fn(move || {
            ordinal += numbers.next()?;
            let bytes = numbers.next()?;
            let node_id = numbers.next()?;
            let row = saturating_u32(numbers.next()?).wrapping_sub(1);
            Some(StepSample {
                ordinal,
                bytes,
                node_id,
                row,
            })
        })
    }

    /// The sample of each ordinal, in order: the last given of those with
    /// one ordinal, as a map from ordinals would keep it.
    fn by_ordinal(&self) -> std::iter::Peekable<impl Iterator<Item = StepSample> + '_> {
        let mut last = None;
        self.iter()
            .filter(move |s| last.replace(s.ordinal) != Some(s.ordinal))
            .peekable()
    }
}

/// Moves `earlier` (from [`PackedSamples::by_ordinal`]) on to the sample
/// with `ordinal`, if it has one, and gives it.
fn seek(
    earlier: &mut std::iter::Peekable<impl Iterator<Item = StepSample>>,
    ordinal: u64,
) -> Option<StepSample> {
    while earlier.next_if(|e| e.ordinal < ordinal).is_some() {}
    earlier.peek().copied().filter(|e| e.ordinal == ordinal)
}

/// For a series of peeks, by key id, how many samples of `later` (one of
/// its rows, counted by its call tree) `earlier` held too: same ordinal,
/// and [`continues`] has checked that they are the same samples; `ids` is
/// the key id of each of `later`'s rows.
fn shared_samples(earlier: &PackedSamples, later: &PackedSamples, ids: &[u32]) -> Vec<(u32, u64)> {
    let mut by_row = vec![0u64; ids.len()];
    let mut before = earlier.by_ordinal();
    for s in later.iter() {
        if seek(&mut before, s.ordinal).is_some() && s.row != NO_GROUP {
            by_row[s.row as usize] += 1;
        }
    }
    ids.iter()
        .zip(by_row)
        .filter(|&(_, n)| n > 0)
        .map(|(&id, n)| (id, n))
        .collect()
}

/// When `later` continues `earlier`'s recording, how many samples it kept
/// from it: every sample of `later` whose ordinal `earlier` had already
/// reached is one of `earlier`'s (same size, same node id). `None` when not.
fn continues(earlier: &PackedSamples, later: &PackedSamples) -> Option<usize> {
    let reached = earlier.reached?;
    let mut before = earlier.by_ordinal();
    let mut kept = 0;
    for s in later.iter().take_while(|s| s.ordinal <= reached) {
        let same = seek(&mut before, s.ordinal)
            .is_some_and(|e| (e.bytes, e.node_id) == (s.bytes, s.node_id));
        if !same {
            return None;
        }
        kept += 1;
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::{Change, Verdict, linear_fit, verdict};
    use Change::{Grew as G, Shrank as S, Within as W};

    #[test]
    fn verdicts_follow_the_documented_rules() {
        assert_eq!(verdict(&[G, G, G]), Verdict::GrowsEveryStep);
        assert_eq!(verdict(&[G, G]), Verdict::GrowsEveryStep);
        assert_eq!(verdict(&[G, S, G]), Verdict::Noisy);
        assert_eq!(verdict(&[W, S, G, W]), Verdict::Noisy);
        assert_eq!(verdict(&[G, W, W]), Verdict::OneOff);
        assert_eq!(verdict(&[W, G, W]), Verdict::OneOff);
        // Growth at the last step only may be the start of a trend.
        assert_eq!(verdict(&[W, W, G]), Verdict::Grows);
        assert_eq!(verdict(&[G, W, G]), Verdict::Grows);
        assert_eq!(verdict(&[W, S, W]), Verdict::Shrinks);
        assert_eq!(verdict(&[W, W, W]), Verdict::Flat);
        assert_eq!(verdict(&[]), Verdict::Flat);
    }

    #[test]
    fn linear_fit_of_lines_and_constants() {
        let (slope, r2) = linear_fit(&[10.0, 20.0, 30.0, 40.0]);
        assert!((slope - 10.0).abs() < 1e-9);
        assert_eq!(r2, Some(1.0));
        assert_eq!(linear_fit(&[5.0, 5.0, 5.0]), (0.0, None));
        let (slope, r2) = linear_fit(&[0.0, 10.0, 0.0, 10.0]);
        assert!((slope - 2.0).abs() < 1e-9);
        assert!(r2.is_some_and(|r| r < 0.3));
    }
}
