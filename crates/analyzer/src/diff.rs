//! The diff of two profiles (README, "Diff semantics"): rows matched
//! across profiles by their cross-profile key, absolute bytes by default,
//! `new`/`gone` instead of ±100 %, and a noise flag from the sampling error.

use heapdiff_model::HeapProfile;
use serde::Serialize;

use crate::aggregate::display_row_name;
use crate::align::{AlignedRows, align_rows};
use crate::call_tree::CallTree;
use crate::frame_label::one_based;
use crate::grouping::{GroupBy, Identity};
use crate::noise::is_noise;
use crate::report::{DiffReport, DiffRow, DiffTotals, SCHEMA_VERSION, Status};

/// How the before profile is scaled before subtracting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalize {
    /// Absolute bytes (the default for memory).
    #[default]
    None,
    /// Scale before to the after total: compares shares, not bytes.
    Total,
    /// Profiles taken with different sampling intervals. V8 already scales
    /// every sample to an estimated byte count, so values stay as they are;
    /// the noise floor uses each profile's own interval.
    Interval,
}

/// Row order of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Largest growth first, largest shrink last.
    #[default]
    Delta,
    /// Largest absolute change first.
    AbsDelta,
}

/// What a diff compares, written as the report's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    /// Two profiles (`"diff"`).
    #[default]
    Diff,
    /// Two spans of one recording (`"spans"`).
    Spans,
}

/// How rows of two profiles are matched (`--by function`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchRows {
    /// By name, URL, line and column: the same build, or positions that
    /// did not move.
    #[default]
    Position,
    /// By name and URL only: two builds of the same code, where lines
    /// moved. Functions of one name in one file become one row.
    Function,
}

/// Options of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// What a row stands for.
    pub by: GroupBy,
    /// Keep only the first N rows.
    pub limit: Option<usize>,
    /// Scaling of the before profile.
    pub normalize: Normalize,
    /// Row order.
    pub sort: SortOrder,
    /// Sampling interval of the before profile, if known (else estimated).
    pub interval_before: Option<u64>,
    /// Sampling interval of the after profile, if known (else estimated).
    pub interval_after: Option<u64>,
    /// What is compared: two profiles or two spans of one.
    pub kind: DiffKind,
    /// How rows of the two profiles are matched.
    pub match_rows: MatchRows,
}

/// Diffs `before` against `after`.
#[must_use]
pub fn diff(
    before: (&HeapProfile, &CallTree),
    after: (&HeapProfile, &CallTree),
    opts: &DiffOptions,
) -> DiffReport {
    let identity = match opts.match_rows {
        MatchRows::Position => Identity::Position,
        MatchRows::Function => Identity::Function,
    };
    let AlignedRows { keys, columns, .. } = align_rows(&[before, after], opts.by, identity);
    let [a, b] = [&columns[0], &columns[1]];
    let (ta, tb) = (before.1.root_total(), after.1.root_total());
    let scale = scaling(opts.normalize, ta, tb);
    let (ra, rb) = (
        opts.interval_before
            .or_else(|| crate::estimate_interval(before.0)),
        opts.interval_after
            .or_else(|| crate::estimate_interval(after.0)),
    );
    let mut rows: Vec<DiffRow> = keys
        .into_iter()
        .enumerate()
        .map(|(i, key)| {
            let (bef, aft) = (scale(a.self_bytes[i]), b.self_bytes[i]);
            let (line, column) = b.position[i]
                .or(a.position[i])
                .unwrap_or((key.line, key.column));
            DiffRow {
                function: crate::report::Function {
                    name: display_row_name(opts.by, &key.name).to_string(),
                    url: key.url,
                    line: one_based(line),
                    column: one_based(column),
                    // The after build's place where it has the row.
                    generated: b.generated[i].clone().or_else(|| a.generated[i].clone()),
                },
                before: bef,
                after: aft,
                delta: signed_delta(bef, aft),
                status: Status::of(bef, aft),
                noise: is_noise(bef, aft, a.samples[i], b.samples[i], ra, rb),
                total_before: scale(a.total[i]),
                total_after: b.total[i],
                samples_before: a.samples[i],
                samples_after: b.samples[i],
                stack: key.stack,
            }
        })
        .filter(|r| r.before > 0 || r.after > 0)
        .collect();
    sort_rows(&mut rows, opts.sort);
    let n_rows = rows.len();
    let new_rows = rows.iter().filter(|r| r.status == Status::New).count();
    let gone_rows = rows.iter().filter(|r| r.status == Status::Gone).count();
    if let Some(limit) = opts.limit {
        rows.truncate(limit);
    }
    let (total_a, total_b) = (scale(ta), tb);
    DiffReport {
        schema_version: SCHEMA_VERSION,
        kind: opts.kind,
        by: opts.by,
        normalize: opts.normalize,
        live_growth: None,
        rows,
        totals: DiffTotals {
            before: total_a,
            after: total_b,
            delta: signed_delta(total_a, total_b),
            unattributed_before: before.1.unattributed_bytes,
            unattributed_after: after.1.unattributed_bytes,
            interval_before: ra,
            interval_after: rb,
            rows: n_rows,
            new_rows,
            gone_rows,
        },
    }
}

/// How a before value is scaled: under [`Normalize::Total`], by the after
/// total over the before total (`ta`, `tb`), rounded; else unchanged.
fn scaling(normalize: Normalize, ta: u64, tb: u64) -> impl Fn(u64) -> u64 {
    move |v| match normalize {
        Normalize::Total if ta > 0 => {
            u64::try_from((u128::from(v) * u128::from(tb) + u128::from(ta) / 2) / u128::from(ta))
                .unwrap_or(u64::MAX)
        }
        _ => v,
    }
}

pub(crate) fn signed_delta(before: u64, after: u64) -> i64 {
    if after >= before {
        i64::try_from(after - before).unwrap_or(i64::MAX)
    } else {
        i64::try_from(before - after).map_or(i64::MIN, |d| -d)
    }
}

fn sort_rows(rows: &mut [DiffRow], order: SortOrder) {
    rows.sort_by(|a, b| {
        let primary = match order {
            SortOrder::Delta => b.delta.cmp(&a.delta),
            SortOrder::AbsDelta => b.delta.unsigned_abs().cmp(&a.delta.unsigned_abs()),
        };
        primary
            .then(b.after.cmp(&a.after))
            .then(b.before.cmp(&a.before))
            .then_with(|| a.function.name.cmp(&b.function.name))
            .then_with(|| a.function.url.cmp(&b.function.url))
            .then(a.function.line.cmp(&b.function.line))
            .then(a.function.column.cmp(&b.function.column))
            .then_with(|| a.stack.cmp(&b.stack))
    });
}
