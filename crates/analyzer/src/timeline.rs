//! Allocation timelines (`.heaptimeline`, formats §10): DevTools' Allocation
//! view, per-interval live sizes, time spans as object id ranges, and the
//! allocation trace as a call tree so that every profile view (top, tree,
//! flame graphs, diffs) works on timelines too.

use heapdiff_model::steps::time;
use heapdiff_model::{
    FrameId, FrameKey, HeapGraph, HeapProfile, NodeOrdinal, OriginalFrame, ProfileBuilder,
    SnapshotStringId, StackId,
};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::snapshot::Derived;

/// Which bytes a trace node carries when the trace becomes a call tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Adjusted shallow size of the objects still alive in the snapshot.
    #[default]
    Live,
    /// Everything allocated at the stack while recording, dead or alive.
    Allocated,
}

/// Live objects per trace node (formats §10.3 step 1): count and adjusted
/// size of the snapshot's nodes carrying each trace node id, restricted to
/// object ids in `range` (`(min, max]`) when given.
#[derive(Debug, Clone)]
pub struct LiveByTrace {
    /// Live count per trace node position.
    pub count: Vec<u64>,
    /// Live size per trace node position.
    pub size: Vec<u64>,
}

/// Trace node position by trace node id: an array indexed by id when the
/// ids are V8's small sequential numbers, a hash map when they are not.
pub(crate) enum TracePositions {
    Dense(Vec<u32>),
    Sparse(FxHashMap<u32, u32>),
}

impl TracePositions {
    const NONE: u32 = u32::MAX;

    pub(crate) fn of(g: &HeapGraph) -> Self {
        Self::new(g.trace.as_ref().map_or(&[], |t| &t.id[..]))
    }

    fn new(ids: &[u32]) -> Self {
        let highest = ids.iter().copied().max().unwrap_or(0) as usize;
        let position = |i: usize| u32::try_from(i).unwrap_or(Self::NONE);
        if highest <= 64 * ids.len() + 4096 {
            let mut at = vec![Self::NONE; highest + 1];
            for (i, &id) in ids.iter().enumerate() {
                at[id as usize] = position(i);
            }
            Self::Dense(at)
        } else {
            Self::Sparse(
                ids.iter()
                    .enumerate()
                    .map(|(i, &id)| (id, position(i)))
                    .collect(),
            )
        }
    }

    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<usize> {
        let p = match self {
            Self::Dense(at) => at.get(id as usize).copied().unwrap_or(Self::NONE),
            Self::Sparse(map) => map.get(&id).copied().unwrap_or(Self::NONE),
        };
        (p != Self::NONE).then_some(p as usize)
    }
}

/// Counts live objects per trace node: the nodes are split into one part
/// per thread, each counted into its own (count, size) pairs (one cache
/// line per node, where two columns would take two), and the parts added
/// up (sizes add saturating, which gives the same sum in any order).
#[must_use]
pub fn live_by_trace(g: &HeapGraph, self_size: &[u64], range: Option<(u32, u32)>) -> LiveByTrace {
    use rayon::prelude::*;
    let n = g.trace.as_ref().map_or(0, |t| t.id.len());
    let trace_node = g.nodes().trace_nodes();
    if trace_node.is_empty() {
        return LiveByTrace {
            count: vec![0; n],
            size: vec![0; n],
        };
    }
    let pos = TracePositions::of(g);
    let parts = rayon::current_num_threads().max(1);
    let per_part = trace_node.len().div_ceil(parts).max(1);
    let live = (0..parts)
        .into_par_iter()
        .map(|k| {
            let mut live = vec![[0u64; 2]; n];
            let start = (k * per_part).min(trace_node.len());
            let end = (start + per_part).min(trace_node.len());
            for (i, (&t, &size)) in trace_node[start..end]
                .iter()
                .zip(&self_size[start..end])
                .enumerate()
            {
                let Some(p) = pos.get(t) else { continue };
                if let Some((lo, hi)) = range {
                    let id = g.nodes().id(NodeOrdinal::from_index(start + i)).get();
                    if id <= u64::from(lo) || id > u64::from(hi) {
                        continue;
                    }
                }
                let at = &mut live[p];
                at[0] += 1;
                at[1] = at[1].saturating_add(size);
            }
            live
        })
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x[0] += y[0];
                x[1] = x[1].saturating_add(y[1]);
            }
            a
        })
        .unwrap_or_default();
    LiveByTrace {
        count: live.iter().map(|c| c[0]).collect(),
        size: live.iter().map(|c| c[1]).collect(),
    }
}

/// One function of DevTools' Allocation view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AllocationRow {
    /// The trace function.
    #[serde(flatten)]
    pub function: crate::report::Function,
    /// Objects allocated while recording (dead included).
    pub count: u64,
    /// Bytes allocated while recording.
    pub size: u64,
    /// Objects still alive in the snapshot.
    pub live_count: u64,
    /// Adjusted size of those objects.
    pub live_size: u64,
}

/// `heapdiff top FILE.heaptimeline`: DevTools' Allocation view.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"allocation"`.
    pub kind: &'static str,
    /// Functions by the chosen measure ([`AllocationSort`]) descending, then
    /// the other measures (live size, size, live count, count), name, URL,
    /// position.
    pub rows: Vec<AllocationRow>,
    /// Rows before `--top`.
    pub total_rows: usize,
}

/// The measure the Allocation view's rows are ordered by, largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationSort {
    /// Bytes still alive: where a leak shows (heapdiff's default).
    Live,
    /// Bytes allocated while recording, dead included (DevTools' order).
    Size,
    /// Objects allocated while recording.
    Count,
    /// Objects still alive.
    LiveCount,
}

impl AllocationSort {
    /// The row's measures, the chosen one first, then the others in a fixed
    /// order (live size, size, live count, count) to break ties.
    fn key(self, r: &AllocationRow) -> [u64; 5] {
        let first = match self {
            Self::Live => r.live_size,
            Self::Size => r.size,
            Self::Count => r.count,
            Self::LiveCount => r.live_count,
        };
        [first, r.live_size, r.size, r.live_count, r.count]
    }
}

/// DevTools' Allocation view (formats §10.3 steps 3–4): per function, the
/// sums over its trace nodes with `count > 0`, ordered by `sort`.
#[must_use]
pub fn allocation_view(
    g: &HeapGraph,
    live: &LiveByTrace,
    limit: Option<usize>,
    sort: AllocationSort,
) -> AllocationReport {
    let mut per_fn: Vec<[u64; 4]> = Vec::new();
    if let Some(t) = &g.trace {
        per_fn = vec![[0; 4]; t.functions.len()];
        for i in 0..t.id.len() {
            if t.count[i] == 0 {
                continue;
            }
            if let Some(f) = per_fn.get_mut(t.function[i] as usize) {
                f[0] = f[0].saturating_add(t.count[i]);
                f[1] = f[1].saturating_add(t.size[i]);
                f[2] = f[2].saturating_add(live.count[i]);
                f[3] = f[3].saturating_add(live.size[i]);
            }
        }
    }
    let mut rows: Vec<AllocationRow> = per_fn
        .iter()
        .enumerate()
        .filter(|(_, s)| s[0] > 0)
        .map(|(f, s)| AllocationRow {
            function: row_function(g, f),
            count: s[0],
            size: s[1],
            live_count: s[2],
            live_size: s[3],
        })
        .collect();
    rows.sort_by(|a, b| {
        sort.key(b)
            .cmp(&sort.key(a))
            .then_with(|| a.function.name.cmp(&b.function.name))
            .then_with(|| a.function.url.cmp(&b.function.url))
            .then(a.function.line.cmp(&b.function.line))
            .then(a.function.column.cmp(&b.function.column))
    });
    let total_rows = rows.len();
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    AllocationReport {
        schema_version: 1,
        kind: "allocation",
        rows,
        total_rows,
    }
}

/// Trace function `f` as a row shows it: its display name, script URL and
/// 1-based position (V8 writes 0 for an unknown line or column), and where
/// a source map moved it, its generated position. A row names its function
/// by this alone: [`kept_by_function`] finds the row's trace nodes by it.
fn row_function(g: &HeapGraph, f: usize) -> crate::report::Function {
    let func = g
        .trace
        .as_ref()
        .and_then(|t| t.functions.get(f).cloned())
        .unwrap_or_else(unreachable_function);
    crate::report::Function {
        name: crate::display_name(g.strings.get(func.name)).to_string(),
        url: g.strings.get(func.script_name).to_string(),
        line: (func.line > 0).then_some(func.line),
        column: (func.column > 0).then_some(func.column),
        generated: generated_position(g, f),
    }
}

/// Where a source map found trace function `f` in the generated code,
/// `None` for a function shown where V8 saw it.
fn generated_position(g: &HeapGraph, f: usize) -> Option<crate::report::GeneratedPosition> {
    let v8 = g.trace.as_ref()?.generated.get(f)?.as_ref()?;
    Some(crate::report::GeneratedPosition {
        name: crate::display_name(g.strings.get(v8.name)).to_string(),
        url: g.strings.get(v8.script_name).to_string(),
        line: (v8.line > 0).then_some(v8.line),
        column: (v8.column > 0).then_some(v8.column),
    })
}

fn unreachable_function() -> heapdiff_model::TraceFunction {
    heapdiff_model::TraceFunction {
        name: SnapshotStringId::default(),
        script_name: SnapshotStringId::default(),
        script_id: 0,
        line: 0,
        column: 0,
    }
}

/// The allocation trace as a call tree whose self bytes are `measure`
/// (live bytes restricted to `live`), so every profile view works on it.
/// Trace positions are the stack ids: both are in pre-order.
#[must_use]
pub fn trace_profile(g: &HeapGraph, live: &LiveByTrace, measure: Measure) -> HeapProfile {
    let mut b = ProfileBuilder::new();
    let Some(t) = &g.trace else {
        b.push_stack(None, FrameKey::pseudo("(root)"), 0, 0);
        return b.finish();
    };
    // Each trace function's frame is interned once, on first use (so
    // frames are numbered in tree order): a page's trace has many nodes
    // per function. The last slot is for a function index out of range.
    let mut frames: Vec<Option<FrameId>> = vec![None; t.functions.len() + 1];
    let mut stacks: Vec<StackId> = Vec::with_capacity(t.id.len());
    for i in 0..t.id.len() {
        let parent = t.parent[i];
        let parent = (parent != u32::MAX).then(|| stacks[parent as usize]);
        let f = (t.function[i] as usize).min(t.functions.len());
        let frame = *frames[f].get_or_insert_with(|| {
            let f = t
                .generated_function(f)
                .cloned()
                .unwrap_or_else(unreachable_function);
            b.intern_frame(function_key(g, &f, &f.script_id.to_string()))
        });
        let bytes = match measure {
            Measure::Live => live.size[i],
            Measure::Allocated => t.size[i],
        };
        let parent = if i == 0 {
            None
        } else {
            parent.or(Some(StackId::ROOT))
        };
        stacks.push(b.push_stack_on(parent, frame, bytes, u64::from(t.id[i])));
    }
    let mut p = b.finish();
    if !t.generated.is_empty() {
        let originals = original_frames(g, t, &p);
        p.remap_frames(&originals);
    }
    p
}

/// The frame of trace function `f` (1-based line and column in V8's
/// record, 0-based in a frame).
fn function_key<'a>(
    g: &'a HeapGraph,
    f: &heapdiff_model::TraceFunction,
    script_id: &'a str,
) -> FrameKey<'a> {
    FrameKey {
        name: g.strings.get(f.name),
        script_id,
        url: g.strings.get(f.script_name),
        line: i32::try_from(f.line).unwrap_or(0) - 1,
        column: i32::try_from(f.column).unwrap_or(0) - 1,
    }
}

/// The original place of each frame of the trace's call tree, for the
/// functions a source map moved (`AllocationTrace::generated`). The call
/// tree is built from V8's functions and then moved like a sampling
/// profile's frames, so functions that land on one original function merge
/// the same way and keep their generated place.
fn original_frames<'g>(
    g: &'g HeapGraph,
    t: &heapdiff_model::AllocationTrace,
    p: &HeapProfile,
) -> Vec<Option<OriginalFrame<'g>>> {
    let mut originals = vec![None; p.frames.len()];
    for (i, &f) in t.function.iter().enumerate() {
        let f = f as usize;
        if t.generated.get(f).is_none_or(Option::is_none) {
            continue;
        }
        let o = &t.functions[f];
        let zero_based = |v: u32| i32::try_from(v).unwrap_or(0) - 1;
        originals[p.stacks.frame[i].index()] = Some(OriginalFrame {
            name: Some(g.strings.get(o.name)),
            url: g.strings.get(o.script_name),
            line: zero_based(o.line),
            column: zero_based(o.column),
        });
    }
    originals
}

/// An allocation timeline seen as a sampling profile (formats §10.3): the
/// trace as a call tree, with the adjusted sizes and live bytes per trace
/// node that the timeline views (Allocation view, spans) need next to it.
#[derive(Debug, Clone)]
pub struct TimelineProfile {
    /// The trace as a call tree, its self bytes as the `Measure` asked.
    pub profile: HeapProfile,
    /// Shallow sizes after owned-storage reassignment, by node.
    pub self_size: Vec<u64>,
    /// Live objects per trace node (within the time span, if one was given).
    pub live: LiveByTrace,
}

/// Why a timeline cannot become a profile.
#[derive(Debug)]
pub enum TimelineError {
    /// Recorded without allocation stacks: there is no trace to show.
    NoAllocationStacks,
    /// The time span is not one.
    Span(crate::SpanError),
}

impl std::fmt::Display for TimelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelineError::NoAllocationStacks => f.write_str(
                "this timeline has no allocation stacks (recorded without \"Allocation stack traces\")",
            ),
            TimelineError::Span(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for TimelineError {}

/// Turns a timeline into a profile: adjusted sizes, live bytes per trace
/// node (only objects allocated in the time `span`, by DevTools' rule,
/// when given), and the trace as a call tree weighed by `measure`.
///
/// # Errors
/// When the timeline has no allocation trace, or `span` is not a time span.
pub fn as_profile(
    g: &HeapGraph,
    measure: Measure,
    span: Option<&str>,
) -> Result<TimelineProfile, TimelineError> {
    if g.trace.is_none() {
        return Err(TimelineError::NoAllocationStacks);
    }
    as_profile_with(g, sizes(g), measure, span)
}

/// The adjusted shallow sizes of a timeline's objects (formats §7.5), by
/// node, as [`as_profile`] needs them.
#[must_use]
pub fn sizes(g: &HeapGraph) -> Vec<u64> {
    time("timeline.sizes", || crate::snapshot::adjusted_sizes(g))
}

/// [`as_profile`] with the adjusted sizes already computed by [`sizes`]
/// (beside other work on the graph).
///
/// # Errors
/// As [`as_profile`].
pub fn as_profile_with(
    g: &HeapGraph,
    self_size: Vec<u64>,
    measure: Measure,
    span: Option<&str>,
) -> Result<TimelineProfile, TimelineError> {
    if g.trace.is_none() {
        return Err(TimelineError::NoAllocationStacks);
    }
    let range = match span {
        Some(text) => {
            let iv = intervals(g, &self_size);
            let (lo, hi) = parse_time_span(text, &iv).map_err(TimelineError::Span)?;
            Some(id_range(&iv, lo, hi, false))
        }
        None => None,
    };
    let live = time("timeline.live", || live_by_trace(g, &self_size, range));
    let profile = time("timeline.profile", || trace_profile(g, &live, measure));
    Ok(TimelineProfile {
        profile,
        self_size,
        live,
    })
}

/// The objects allocated in the time span `text` and still alive, as the
/// trace's call tree. The span ends at its last sample (`id_range`'s
/// strict rule), so adjacent spans do not overlap; the stacks are those of
/// [`as_profile`], so two spans can be compared row by row.
///
/// # Errors
/// When `text` is not a time span.
pub fn span_profile(
    g: &HeapGraph,
    self_size: &[u64],
    iv: &Intervals,
    text: &str,
) -> Result<HeapProfile, crate::SpanError> {
    let live = live_by_trace(g, self_size, Some(span_ids(iv, text)?));
    Ok(trace_profile(g, &live, Measure::Live))
}

/// The object ids `(min, max]` of the time span `text`, ending at its last
/// sample (`id_range`'s strict rule), as `spans` cuts a recording.
///
/// # Errors
/// When `text` is not a time span.
pub fn span_ids(iv: &Intervals, text: &str) -> Result<(u32, u32), crate::SpanError> {
    let (lo, hi) = parse_time_span(text, iv)?;
    Ok(id_range(iv, lo, hi, true))
}

/// One recording cut into `k` equal time windows, as `k` profiles of the
/// trace's call tree: profile i holds the live objects allocated up to the
/// end of window i (cumulative, each window ending at its last sample by
/// `id_range`'s strict rule), the last one every live object. A steady leak
/// then grows at every step and a cache filled once grows once.
#[must_use]
pub fn window_profiles(g: &HeapGraph, self_size: &[u64], k: usize) -> Vec<HeapProfile> {
    let iv = intervals(g, self_size);
    let end = iv.timestamps_ms.last().copied().unwrap_or(0.0);
    (1..=k)
        .map(|i| {
            let range = (i < k).then(|| {
                #[allow(clippy::cast_precision_loss)]
                let hi = end * i as f64 / k as f64;
                id_range(&iv, 0.0, hi, true)
            });
            let live = live_by_trace(g, self_size, range);
            trace_profile(g, &live, Measure::Live)
        })
        .collect()
}

/// Live bytes per interval of a timeline, from its own adjusted sizes.
#[must_use]
pub fn live_intervals(g: &HeapGraph) -> Intervals {
    intervals(g, &crate::snapshot::adjusted_sizes(g))
}

/// Per-interval live sizes (formats §10.1).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Intervals {
    /// Sample times in milliseconds from the start.
    pub timestamps_ms: Vec<f64>,
    /// Last object id assigned at each sample.
    pub last_ids: Vec<u32>,
    /// Adjusted size of the live objects allocated in each interval.
    pub sizes: Vec<u64>,
}

/// Live bytes per interval: every odd-id node adds its adjusted size to the
/// first interval whose last id is ≥ its id.
#[must_use]
pub fn intervals(g: &HeapGraph, self_size: &[u64]) -> Intervals {
    let timestamps_ms: Vec<f64> = g
        .samples
        .iter()
        .map(|&(us, _)| us as f64 / 1000.0)
        .collect();
    let last_ids: Vec<u32> = g.samples.iter().map(|&(_, id)| id).collect();
    let mut sizes = vec![0u64; last_ids.len()];
    for (v, &size) in g.nodes().ordinals().zip(self_size) {
        let id = g.nodes().id(v);
        if !id.is_js() {
            continue;
        }
        let i = last_ids.partition_point(|&x| u64::from(x) < id.get());
        if i < sizes.len() {
            sizes[i] = sizes[i].saturating_add(size);
        }
    }
    Intervals {
        timestamps_ms,
        last_ids,
        sizes,
    }
}

/// The object id range `(min, max]` of the time window `[left, right]` in
/// milliseconds (formats §10.2). DevTools' rule lets the range reach one
/// interval past the window's last sample; `strict` stops at that sample,
/// so that adjacent windows (`0s..2s`, `2s..4s`) do not overlap.
#[must_use]
pub fn id_range(iv: &Intervals, left_ms: f64, right_ms: f64, strict: bool) -> (u32, u32) {
    let min_index = iv.timestamps_ms.partition_point(|&t| t < left_ms);
    let max_index = iv.timestamps_ms.partition_point(|&t| t <= right_ms);
    let min_id = if min_index > 0 {
        iv.last_ids[min_index - 1]
    } else {
        0
    };
    let max_id = if strict {
        max_index
            .checked_sub(1)
            .and_then(|i| iv.last_ids.get(i))
            .copied()
            .unwrap_or(0)
    } else {
        iv.last_ids.get(max_index).copied().unwrap_or(u32::MAX)
    };
    (min_id, max_id.max(min_id))
}

/// Parses a time span `A..B` with `s` or `ms` units (`0s..2.5s`,
/// `500ms..1s`), or percentages of the recording (`0%..50%`), into
/// milliseconds.
///
/// # Errors
/// When the text is not such a span.
pub fn parse_time_span(text: &str, iv: &Intervals) -> Result<(f64, f64), crate::SpanError> {
    let bad = || {
        crate::SpanError(format!(
            "`{text}` is not a time span; write `START..END` in seconds (`0s..2.5s`), milliseconds (`500ms..1500ms`) or percentages (`0%..50%`)"
        ))
    };
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let end = iv.timestamps_ms.last().copied().unwrap_or(0.0);
    let one = |s: &str| -> Option<f64> {
        let s = s.trim();
        if let Some(ms) = s.strip_suffix("ms") {
            ms.parse::<f64>().ok()
        } else if let Some(sec) = s.strip_suffix('s') {
            sec.parse::<f64>().ok().map(|x| x * 1000.0)
        } else if let Some(p) = s.strip_suffix('%') {
            p.parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(|p| end * p / 100.0)
        } else {
            None
        }
    };
    let (lo, hi) = (one(a).ok_or_else(bad)?, one(b).ok_or_else(bad)?);
    if !(lo.is_finite() && hi.is_finite()) || lo > hi || lo < 0.0 {
        return Err(crate::SpanError(format!(
            "`{text}`: the start must be ≥ 0 and before the end"
        )));
    }
    Ok((lo, hi))
}

/// A class of live objects allocated by one function, and what keeps the
/// largest of them alive.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeptClass {
    /// Class name.
    pub class: String,
    /// Live objects of the class allocated by the function.
    pub count: u64,
    /// Their adjusted size.
    pub size: u64,
    /// Shortest retainer path of the largest of them, root first.
    pub retainer_path: Vec<crate::snapshot::PathStep>,
}

/// Who allocated it × who keeps it: for one function of the allocation
/// trace, the classes of its live objects (largest first, at most
/// `limit`) with a retainer path each.
#[must_use]
pub fn kept_by_function(
    g: &HeapGraph,
    d: &Derived,
    index: &crate::snapshot::RetainerIndex,
    row: &AllocationRow,
    limit: usize,
) -> Vec<KeptClass> {
    let Some(t) = &g.trace else { return Vec::new() };
    // The row's functions (one, or several the trace lists apart that
    // show alike), looked at once each rather than once per trace node.
    let shown: Vec<bool> = (0..t.functions.len())
        .map(|f| row_function(g, f) == row.function)
        .collect();
    let ids: rustc_hash::FxHashSet<u32> = (0..t.id.len())
        .filter(|&i| shown.get(t.function[i] as usize).copied().unwrap_or(false))
        .map(|i| t.id[i])
        .collect();
    // class → (count, size, largest node)
    let mut by_class: FxHashMap<u32, (u64, u64, NodeOrdinal)> = FxHashMap::default();
    for (v, trace_node) in g.nodes().ordinals().zip(g.nodes().trace_nodes()) {
        if !ids.contains(trace_node) || d.self_size_of(v) == 0 {
            continue;
        }
        let e = by_class
            .entry(d.classes.of_node[v.index()])
            .or_insert((0, 0, v));
        e.0 += 1;
        e.1 = e.1.saturating_add(d.self_size_of(v));
        if d.retained_of(v) > d.retained_of(e.2) {
            e.2 = v;
        }
    }
    let mut classes: Vec<(u32, (u64, u64, NodeOrdinal))> = by_class.into_iter().collect();
    classes.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    classes.truncate(limit);
    classes
        .into_iter()
        .map(|(c, (count, size, v))| KeptClass {
            class: d.scripts.shown_class(&d.classes, c as usize).0,
            count,
            size,
            retainer_path: crate::snapshot::shortest_path(g, d, index, v),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use heapdiff_model::HeapGraph;

    use super::{
        Measure, TimelineError, TracePositions, as_profile, live_by_trace, live_intervals,
        span_profile,
    };

    fn load(path: &str) -> HeapGraph {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let bytes = std::fs::read(file).unwrap();
        heapdiff_parser::parse_snapshot(&bytes).unwrap().value
    }

    fn timeline_t() -> HeapGraph {
        load("../../fixtures/heaptimeline/worked-example-t/input.heaptimeline")
    }

    #[test]
    fn a_timeline_becomes_its_trace_weighed_by_live_or_allocated_bytes() {
        let g = timeline_t();
        let t = g.trace.as_ref().unwrap();
        let live = as_profile(&g, Measure::Live, None).unwrap();
        assert_eq!(live.profile.stacks.len(), t.id.len());
        assert_eq!(live.profile.stacks.self_bytes, live.live.size);
        let allocated = as_profile(&g, Measure::Allocated, None).unwrap();
        assert_eq!(allocated.profile.stacks.self_bytes, t.size);
    }

    #[test]
    fn trace_nodes_are_found_by_id_whether_the_ids_are_dense_or_sparse() {
        let dense = [1, 2, 5, 3];
        let sparse = [1, 2, 4_000_000_000, 3];
        assert!(matches!(
            TracePositions::new(&dense),
            TracePositions::Dense(_)
        ));
        assert!(matches!(
            TracePositions::new(&sparse),
            TracePositions::Sparse(_)
        ));
        for ids in [&dense, &sparse] {
            let pos = TracePositions::new(ids);
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(pos.get(id), Some(i));
            }
            assert_eq!(pos.get(0), None);
            assert_eq!(pos.get(4), None);
            assert_eq!(pos.get(u32::MAX), None);
        }
    }

    #[test]
    fn live_objects_are_counted_once_whichever_thread_counts_them() {
        let g = timeline_t();
        let t = g.trace.as_ref().unwrap();
        let sizes = g.nodes().self_sizes().to_vec();
        let (mut count, mut size) = (vec![0; t.id.len()], vec![0; t.id.len()]);
        for (v, &s) in g.nodes().ordinals().zip(&sizes) {
            let id = g.nodes().trace_nodes()[v.index()];
            if let Some(p) = t.id.iter().position(|&x| x == id) {
                count[p] += 1;
                size[p] += s;
            }
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let live = pool.install(|| live_by_trace(&g, &sizes, None));
            assert_eq!(
                (&live.count, &live.size),
                (&count, &size),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn a_span_over_the_whole_recording_keeps_every_live_object() {
        let g = timeline_t();
        let all = as_profile(&g, Measure::Live, None).unwrap();
        let spanned = as_profile(&g, Measure::Live, Some("0%..100%")).unwrap();
        assert_eq!(spanned.live.size, all.live.size);
        let early = as_profile(&g, Measure::Live, Some("0ms..0ms")).unwrap();
        let total = |p: &super::TimelineProfile| p.live.size.iter().sum::<u64>();
        assert!(total(&early) < total(&all));
        assert!(matches!(
            as_profile(&g, Measure::Live, Some("soon")),
            Err(TimelineError::Span(_))
        ));
    }

    #[test]
    fn adjacent_spans_do_not_overlap() {
        let g = timeline_t();
        let all = as_profile(&g, Measure::Live, None).unwrap();
        let iv = live_intervals(&g);
        let half = |text| {
            span_profile(&g, &all.self_size, &iv, text)
                .unwrap()
                .stacks
                .self_bytes
        };
        let (a, b, whole) = (half("0%..50%"), half("50%..100%"), half("0%..100%"));
        let summed: Vec<u64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        assert_eq!(summed, whole);
    }

    #[test]
    fn a_snapshot_without_a_trace_is_not_a_profile() {
        let g = load("../../fixtures/heapsnapshot/worked-example-a/input.heapsnapshot");
        assert!(matches!(
            as_profile(&g, Measure::Live, None),
            Err(TimelineError::NoAllocationStacks)
        ));
    }
}
