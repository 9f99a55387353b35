//! `heapdiff trend FILE1 FILE2 FILE3 …`: the series of every row over the
//! inputs in order, with verdicts (README, "Trends over many profiles").

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use heapdiff_analyzer::report_doc::{CheckSection, InputInfo, ReportBody};
use heapdiff_analyzer::trend::{TrendOptions, TrendReport, trend};
use heapdiff_analyzer::{CallTree, GroupBy, timeline};
use heapdiff_parser::InputKind;
use heapdiff_renderer as renderer;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{Format, MeasureArg, TimelineFlags, TrendArgs, TrendMeasureArg};
use crate::context::Context;
use crate::input::{Loaded, Opened};

mod snapshots;

/// Fewest inputs a trend takes: two are a diff.
const MIN_STEPS: usize = 3;

pub(crate) fn run(a: &TrendArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let mut t = ctx.stopwatch();
    refuse_inapplicable(a)?;
    let timeline = TimelineFlags {
        measure: a.measure.and_then(timeline_measure),
    };
    let series = Series {
        files: &a.files,
        interval: a.interval,
        timeline: &timeline,
        ctx,
    };
    let selection = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let by = GroupBy::from(a.rows.by());
    let (full, inputs) = match a.windows {
        Some(k) => {
            refuse_snapshot_measure(a)?;
            let (full, loaded) = series.windows(k, by, a.ops.clone(), selection)?;
            (full, profile_inputs(&loaded, &a.files)?)
        }
        None => {
            let opened = series.open_all()?;
            if opened[0].kind == InputKind::HeapSnapshot {
                snapshots::trend(a, opened, ctx)?
            } else {
                refuse_snapshot_measure(a)?;
                let (full, loaded) = series.trend_of(opened, by, a.ops.clone(), Some(selection))?;
                (full, profile_inputs(&loaded, &a.files)?)
            }
        }
    };
    t.phase("trend");
    write_outputs(a, ctx, full, inputs)?;
    t.phase("render");
    t.report();
    Ok(Outcome::Success)
}

/// The chart, the report and the rows on standard output.
fn write_outputs(
    a: &TrendArgs,
    ctx: &Context,
    full: TrendReport,
    inputs: Vec<InputInfo>,
) -> anyhow::Result<()> {
    let mut report = full.clone();
    if let Some(limit) = a.rows.limit() {
        report.rows.truncate(limit);
    }
    let paths: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
    if let Some(path) = &a.chart {
        let svg = renderer::trend::chart(&full, renderer::trend::CHART_ROWS);
        crate::output::to_file(path, &paths, |out| svg.write_to(out))?;
    }
    if let Some(path) = &a.report {
        let chart = a.chart.as_deref().map(|c| chart_link(path, c));
        let what = if full.series == heapdiff_analyzer::trend::Series::Snapshots {
            "heap snapshots"
        } else {
            "profiles"
        };
        let title = format!(
            "Trend over {} {what}: {} … {}",
            paths.len(),
            paths[0].display(),
            paths[paths.len() - 1].display()
        );
        write_report_of(path, title, full, chart, inputs, &paths, None)?;
    }
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::trend::table(out, &report, ctx.text),
        Format::Csv => renderer::trend::csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::trend::markdown(out, &report),
    })
}

/// The timeline part of `--measure` (`None` for the snapshot measures).
fn timeline_measure(m: TrendMeasureArg) -> Option<MeasureArg> {
    match m {
        TrendMeasureArg::Live => Some(MeasureArg::Live),
        TrendMeasureArg::Allocated => Some(MeasureArg::Allocated),
        TrendMeasureArg::Count | TrendMeasureArg::Shallow | TrendMeasureArg::Retained => None,
    }
}

/// `--measure count|shallow|retained` for inputs that are not snapshots.
fn refuse_snapshot_measure(a: &TrendArgs) -> anyhow::Result<()> {
    let Some(m) = a.measure.filter(|&m| timeline_measure(m).is_none()) else {
        return Ok(());
    };
    let name = clap::ValueEnum::to_possible_value(&m)
        .map_or_else(String::new, |v| v.get_name().to_string());
    super::refuse(
        true,
        &format!("--measure {name}"),
        "applies to heap snapshots; profiles and timelines are weighed in bytes (timelines: --measure live|allocated)",
    )
}

/// What a report says about each profile or timeline input.
fn profile_inputs(loaded: &[Loaded], files: &[PathBuf]) -> anyhow::Result<Vec<InputInfo>> {
    files
        .iter()
        .zip(loaded)
        .map(|(p, l)| super::profile_input(p, l))
        .collect()
}

/// `--ops` that does not fit the steps.
fn refuse_inapplicable(a: &TrendArgs) -> anyhow::Result<()> {
    if let Some(ops) = &a.ops {
        let steps = a.windows.unwrap_or(a.files.len());
        if ops.len() != steps {
            bail!(
                "--ops gives {} counts for {steps} steps; give one count of work done per step, in order",
                ops.len()
            );
        }
        if ops.contains(&0) {
            bail!("--ops counts must be at least 1 (work done in each step)");
        }
    }
    Ok(())
}

/// A series of inputs in order, as `trend` and `check --trend` read it.
pub(crate) struct Series<'a> {
    pub(crate) files: &'a [PathBuf],
    /// `--interval`: the sampling interval of every profile.
    pub(crate) interval: Option<u64>,
    pub(crate) timeline: &'a TimelineFlags,
    pub(crate) ctx: &'a Context,
}

impl Series<'_> {
    /// Loads the inputs and makes their trend without a row limit;
    /// `selection` is `--focus` and `--ignore`.
    pub(crate) fn trend(
        &self,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        selection: Option<(Option<&str>, Option<&str>)>,
    ) -> anyhow::Result<(TrendReport, Vec<Loaded>)> {
        let opened = self.open_all()?;
        self.trend_of(opened, by, ops, selection)
    }

    /// [`Series::trend`] of inputs already opened.
    fn trend_of(
        &self,
        opened: Vec<Opened>,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        selection: Option<(Option<&str>, Option<&str>)>,
    ) -> anyhow::Result<(TrendReport, Vec<Loaded>)> {
        let loaded = self.load_all(opened)?;
        let exact = loaded[0].timeline.is_some();
        if exact {
            super::refuse(
                self.interval.is_some(),
                "--interval",
                "has no meaning for allocation timelines: their bytes are exact, not sampled",
            )?;
        }
        let (focus, ignore) = selection.unwrap_or_default();
        let trees: Vec<CallTree> = self
            .files
            .par_iter()
            .zip(&loaded)
            .map(|(f, l)| super::weigh(f, &l.profile, None, focus, ignore))
            .collect::<anyhow::Result<_>>()?;
        let inputs: Vec<_> = loaded.iter().map(|l| &l.profile).zip(&trees).collect();
        let opts = TrendOptions {
            by,
            limit: None,
            ops,
            interval: if exact { Some(0) } else { self.interval },
            labels: self.files.iter().map(|f| f.display().to_string()).collect(),
            windows: false,
        };
        let report = trend(&inputs, &opts);
        Ok((report, loaded))
    }

    /// One allocation timeline cut into `k` time windows, its trend.
    fn windows(
        &self,
        k: usize,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        (focus, ignore): (Option<&str>, Option<&str>),
    ) -> anyhow::Result<(TrendReport, Vec<Loaded>)> {
        let [file] = self.files else {
            bail!(
                "--windows cuts one allocation timeline into time windows; give one file (got {})",
                self.files.len()
            );
        };
        if k < MIN_STEPS {
            bail!("--windows {k}: give at least {MIN_STEPS} windows");
        }
        let opened = crate::input::open(file)?;
        if opened.kind != InputKind::HeapTimeline {
            bail!(
                "--windows cuts an allocation timeline (.heaptimeline) into time windows; '{}' is not one",
                file.display()
            );
        }
        super::refuse(
            self.interval.is_some(),
            "--interval",
            "has no meaning for allocation timelines: their bytes are exact, not sampled",
        )?;
        super::refuse(
            self.timeline.measure == Some(MeasureArg::Allocated),
            "--measure allocated",
            "does not apply to --windows: a window holds the live objects allocated in it",
        )?;
        let loaded =
            crate::input::load_profile(opened, self.ctx, super::request(self.timeline, None))?;
        let tl = loaded
            .timeline
            .as_ref()
            .context("a timeline without allocation stacks")?;
        let profiles = timeline::window_profiles(&tl.graph, &tl.self_size, k);
        let trees: Vec<CallTree> = profiles
            .par_iter()
            .map(|p| super::weigh(file, p, None, focus, ignore))
            .collect::<anyhow::Result<_>>()?;
        let inputs: Vec<_> = profiles.iter().zip(&trees).collect();
        let opts = TrendOptions {
            by,
            limit: None,
            ops,
            interval: Some(0),
            labels: (1..=k)
                .map(|i| format!("{} 0%..{}", file.display(), percent_of(i, k)))
                .collect(),
            windows: true,
        };
        Ok((trend(&inputs, &opts), vec![loaded]))
    }

    /// Opens every input (a trend needs at least three).
    fn open_all(&self) -> anyhow::Result<Vec<Opened>> {
        if self.files.len() < MIN_STEPS {
            bail!(
                "a trend needs at least {MIN_STEPS} profiles in order (got {}); for two, use `heapdiff diff BEFORE AFTER`",
                self.files.len()
            );
        }
        self.files.iter().map(|f| crate::input::open(f)).collect()
    }

    /// Parses opened inputs in parallel: all sampling profiles, or all
    /// allocation timelines (as their allocation trees).
    fn load_all(&self, opened: Vec<Opened>) -> anyhow::Result<Vec<Loaded>> {
        for (f, o) in self.files.iter().zip(&opened) {
            if o.kind == InputKind::HeapSnapshot {
                let why = if opened[0].kind == InputKind::HeapSnapshot {
                    "check --trend reads sampling heap profiles or allocation timelines (`heapdiff trend` reads a series of heap snapshots)"
                } else {
                    "a trend's inputs must be of one kind (here sampling heap profiles or allocation timelines, in order)"
                };
                bail!("'{}' is a heap snapshot; {why}", f.display());
            }
        }
        let timelines = opened
            .iter()
            .filter(|o| o.kind == InputKind::HeapTimeline)
            .count();
        if timelines != 0 && timelines != opened.len() {
            bail!(
                "a trend's inputs must be of one kind: {timelines} of the {} are allocation timelines, the rest sampling profiles",
                opened.len()
            );
        }
        if timelines == 0 {
            super::refuse_measure(self.timeline, &self.files[0])?;
        }
        let req = super::request(self.timeline, None);
        opened
            .into_par_iter()
            .map(|o| crate::input::load_profile(o, self.ctx, req))
            .collect()
    }
}

/// The chart's path as the report links it: relative to the report's
/// directory when the chart is in it or below it, else as given.
fn chart_link(report: &Path, chart: &Path) -> String {
    let dir = report.parent().unwrap_or(Path::new(""));
    chart
        .strip_prefix(dir)
        .unwrap_or(chart)
        .to_string_lossy()
        .into_owned()
}

/// Writes a trend report (of `trend`, or of `check --trend` with its
/// `check` section).
pub(crate) fn write_report(
    path: &Path,
    title: String,
    full: TrendReport,
    chart: Option<String>,
    loaded: &[Loaded],
    paths: &[&Path],
    check: Option<CheckSection>,
) -> anyhow::Result<()> {
    let inputs = paths
        .iter()
        .zip(loaded)
        .map(|(p, l)| super::profile_input(p, l))
        .collect::<anyhow::Result<Vec<_>>>()?;
    write_report_of(path, title, full, chart, inputs, paths, check)
}

/// Writes a trend report whose inputs are described already.
fn write_report_of(
    path: &Path,
    title: String,
    full: TrendReport,
    chart: Option<String>,
    inputs: Vec<InputInfo>,
    paths: &[&Path],
    check: Option<CheckSection>,
) -> anyhow::Result<()> {
    let doc = crate::report::document(
        title,
        inputs,
        ReportBody::Trend { trend: full, chart },
        check,
    );
    crate::report::write(path, paths, &doc)
}

/// `i / k` as a percentage with at most one decimal: `33.3%`, `50%`.
fn percent_of(i: usize, k: usize) -> String {
    let tenths = i * 1000 / k.max(1);
    if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}
