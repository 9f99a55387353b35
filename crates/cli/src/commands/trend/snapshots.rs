//! `heapdiff trend` over heap snapshots: each snapshot is parsed, analysed
//! and reduced to its class rows and object ids before the next one is
//! read, so one graph is in memory at a time.

use std::path::Path;

use heapdiff_analyzer::class_trend::{
    SnapshotMeasure, SnapshotSeries, SnapshotStep, SnapshotTrendOptions,
};
use heapdiff_analyzer::snapshot;
use heapdiff_analyzer::trend::TrendReport;
use heapdiff_parser::InputKind;

use super::Description;
use crate::args::{TrendArgs, TrendMeasureArg};
use crate::context::Context;
use crate::input::Opened;

/// The trend of heap snapshots `opened` (every input must be one), with
/// the description of each input for a report.
pub(super) fn trend(
    a: &TrendArgs,
    opened: Vec<Opened>,
    ops: Option<Vec<u64>>,
    ctx: &Context,
) -> anyhow::Result<(TrendReport, Vec<Description>)> {
    refuse_inapplicable(a)?;
    for (f, o) in a.files.iter().zip(&opened) {
        if o.kind != InputKind::HeapSnapshot {
            anyhow::bail!(
                "'{}' is not a heap snapshot; a trend's inputs must be of one kind (here heap snapshots, in order)",
                f.display()
            );
        }
    }
    heapdiff_model::memory::map_large_blocks();
    let mut series = SnapshotSeries::new(SnapshotTrendOptions {
        measure: measure(a.measure),
        limit: None,
        ops,
    });
    let mut inputs = Vec::with_capacity(opened.len());
    for (file, o) in a.files.iter().zip(opened) {
        let (step, info) = reduce(file, o, ctx)?;
        series.push(step);
        inputs.push(info);
    }
    Ok((series.finish(), inputs))
}

/// One snapshot parsed, analysed and reduced to what the trend keeps.
fn reduce(file: &Path, o: Opened, ctx: &Context) -> anyhow::Result<(SnapshotStep, Description)> {
    let g = crate::input::load_snapshot(o, ctx)?;
    let d = snapshot::analyze(&g);
    let step = SnapshotStep::new(&g, d, file.display().to_string());
    let info = crate::commands::snapshot::snapshot_description(&g);
    drop(g);
    heapdiff_model::memory::return_freed();
    Ok((step, info))
}

fn measure(m: Option<TrendMeasureArg>) -> SnapshotMeasure {
    match m {
        Some(TrendMeasureArg::Count) => SnapshotMeasure::Count,
        Some(TrendMeasureArg::Shallow) => SnapshotMeasure::Shallow,
        _ => SnapshotMeasure::Retained,
    }
}

/// Flags of profile and timeline trends, meaningless for classes of heap
/// snapshots.
fn refuse_inapplicable(a: &TrendArgs) -> anyhow::Result<()> {
    let why = "has no meaning for heap snapshots (their rows are classes, their numbers exact)";
    let given = [
        (a.rows.by.is_some(), "--by"),
        (a.rows.focus.is_some(), "--focus"),
        (a.rows.ignore.is_some(), "--ignore"),
        (a.interval.is_some(), "--interval"),
        (
            matches!(
                a.measure,
                Some(TrendMeasureArg::Live | TrendMeasureArg::Allocated)
            ),
            "--measure live|allocated",
        ),
    ];
    for (given, flag) in given {
        crate::commands::refuse(given, flag, why)?;
    }
    Ok(())
}
