//! What a report for a bug ticket holds (`--report`): the inputs and how
//! to reproduce, the totals, the top growers and shrinkers, the new and
//! gone rows, the warnings, the check outcome; and for profiles the union
//! call tree the HTML report draws. The renderer only formats it.

use serde::Serialize;

use crate::GroupBy;
use crate::check::Violation;
use crate::report::{DiffReport, DiffRow, DiffTotals, FlameTree, Status};
use crate::snapshot::CompareReport;

/// One input file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InputInfo {
    /// The path as given on the command line.
    pub name: String,
    /// `sampling heap profile`, `heap snapshot`, `allocation timeline`.
    pub kind: String,
    /// File size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Sampling interval, node count, or other facts of the input.
    pub detail: String,
}

/// The diff part of a report.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "diff_kind", rename_all = "lowercase")]
pub enum ReportBody {
    /// Two sampling profiles, two timelines, or two spans.
    Profile {
        /// What a row stands for.
        by: GroupBy,
        /// Totals of the diff.
        totals: DiffTotals,
        /// Timelines only: the allocation sites whose live objects grew
        /// most (see [`DiffReport::live_growth`]).
        #[serde(skip_serializing_if = "Option::is_none")]
        live_growth: Option<crate::live_growth::LiveGrowth>,
        /// Rows that grew (or are new), largest growth first.
        growers: Vec<DiffRow>,
        /// Rows that shrank (or are gone), largest shrink first.
        shrinkers: Vec<DiffRow>,
        /// Rows only in the after profile, largest first.
        new: Vec<DiffRow>,
        /// Rows only in the before profile, largest first.
        gone: Vec<DiffRow>,
        /// The union call tree, for the flame graph.
        #[serde(skip_serializing_if = "Option::is_none")]
        flame: Option<FlameTree>,
    },
    /// Two heap snapshots.
    Snapshot {
        /// DevTools' Comparison view and the objects allocated in between.
        comparison: CompareReport,
    },
    /// Two heap snapshots read with `--shallow`: counts and shallow sizes
    /// per class.
    #[serde(rename = "shallow-snapshot")]
    ShallowSnapshot {
        /// The change of each class's count and shallow size.
        comparison: crate::snapshot::ShallowCompareReport,
    },
    /// The leak suspects of one heap snapshot (`heapdiff suspects`).
    Suspects {
        /// The accumulation points and classes.
        suspects: crate::snapshot::AccumulationReport,
    },
    /// A trend over n profiles, all rows.
    Trend {
        /// The trend (`heapdiff trend`), without a row limit.
        trend: crate::trend::TrendReport,
        /// Where `--chart` wrote the small-multiples SVG, relative to the
        /// report when it is beside or below it: the Markdown report shows
        /// it as an image.
        #[serde(skip_serializing_if = "Option::is_none")]
        chart: Option<String>,
    },
    /// Objects that survive a series of heap snapshots (`heapdiff leaks`).
    Leaks {
        /// The clusters, without the `--top` limit.
        leaks: crate::snapshot::LeaksReport,
    },
}

/// The outcome of `heapdiff check`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckSection {
    /// No budget was exceeded.
    pub passed: bool,
    /// The budgets that were checked, as written.
    pub budgets: Vec<String>,
    /// What exceeded its budget.
    pub violations: Vec<Violation>,
}

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDocument {
    /// Always 1.
    pub schema_version: u32,
    /// `"report"`.
    pub kind: &'static str,
    /// A one-line title.
    pub title: String,
    /// The command that reproduces this report.
    pub command: String,
    /// The inputs.
    pub inputs: Vec<InputInfo>,
    /// Warnings about the inputs.
    pub warnings: Vec<String>,
    /// The diff.
    pub body: ReportBody,
    /// The check outcome, for `heapdiff check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckSection>,
}

/// The report body of a profile diff made without a row limit: the top
/// `n` growers and shrinkers and every new and gone row (at most `n` each).
#[must_use]
pub fn profile_body(all: &DiffReport, n: usize, flame: Option<FlameTree>) -> ReportBody {
    let mut growers: Vec<DiffRow> = all.rows.iter().filter(|r| r.delta > 0).cloned().collect();
    growers.sort_by(|a, b| {
        b.delta
            .cmp(&a.delta)
            .then_with(|| a.function.name.cmp(&b.function.name))
            .then_with(|| a.function.url.cmp(&b.function.url))
    });
    let mut shrinkers: Vec<DiffRow> = all.rows.iter().filter(|r| r.delta < 0).cloned().collect();
    shrinkers.sort_by(|a, b| {
        a.delta
            .cmp(&b.delta)
            .then_with(|| a.function.name.cmp(&b.function.name))
            .then_with(|| a.function.url.cmp(&b.function.url))
    });
    let new: Vec<DiffRow> = growers
        .iter()
        .filter(|r| r.status == Status::New)
        .take(n)
        .cloned()
        .collect();
    let gone: Vec<DiffRow> = shrinkers
        .iter()
        .filter(|r| r.status == Status::Gone)
        .take(n)
        .cloned()
        .collect();
    growers.truncate(n);
    shrinkers.truncate(n);
    ReportBody::Profile {
        by: all.by,
        totals: all.totals.clone(),
        live_growth: all.live_growth.clone(),
        growers,
        shrinkers,
        new,
        gone,
        flame,
    }
}
