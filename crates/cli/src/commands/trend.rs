//! `heapdiff trend FILE1 FILE2 FILE3 …`: the series of every row over the
//! inputs in order, with verdicts (README, "Trends over many profiles").

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use heapdiff_analyzer::report_doc::{CheckSection, ReportBody};
use heapdiff_analyzer::trend::{ProfileSeries, ProfileStep, TrendOptions, TrendReport, trend};
use heapdiff_analyzer::{CallTree, GroupBy, timeline};
use heapdiff_parser::InputKind;
use heapdiff_renderer as renderer;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{Format, MeasureArg, TimelineFlags, TrendArgs, TrendMeasureArg};
use crate::context::Context;
use crate::input::Opened;

mod snapshots;

/// What a report says about an input besides its size and hash: its kind
/// and a one-line detail, taken while the input is loaded.
pub(crate) type Description = (&'static str, String);

/// Fewest inputs a trend takes: two are a diff.
const MIN_STEPS: usize = 3;

pub(crate) fn run(a: &TrendArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let mut t = ctx.stopwatch();
    let ops = work_per_step(a)?;
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
            refuse_per_for(a, "--windows")?;
            series.windows(k, by, ops, selection)?
        }
        None => {
            let opened = series.open_all()?;
            if opened[0].kind == InputKind::HeapSnapshot {
                refuse_per_for(a, "heap snapshots of one process")?;
                snapshots::trend(a, opened, ops, ctx)?
            } else {
                refuse_snapshot_measure(a)?;
                let made = series.trend_of(opened, by, ops, Some(selection))?;
                if made.0.series == heapdiff_analyzer::trend::Series::Peeks {
                    refuse_per_for(a, "these profiles, peeks of one recording,")?;
                }
                made
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
    inputs: Vec<Description>,
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
        write_report(path, title, full, chart, inputs, &paths, None)?;
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

/// The work done in each step: `--ops`, or `--normalize per=N` as N for
/// every step; an error when they do not fit the steps.
fn work_per_step(a: &TrendArgs) -> anyhow::Result<Option<Vec<u64>>> {
    let steps = a.windows.unwrap_or(a.files.len());
    let ops = match (&a.ops, a.normalize.as_deref()) {
        (Some(_), Some(_)) => {
            bail!("--ops and --normalize per=N both give the work done per step; give one of them")
        }
        (None, Some(per)) => Some(vec![per_units(per)?; steps]),
        (ops, None) => ops.clone(),
    };
    if let Some(ops) = &ops {
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
    Ok(ops)
}

/// N of `--normalize per=N`.
fn per_units(value: &str) -> anyhow::Result<u64> {
    let Some(n) = value.strip_prefix("per=") else {
        bail!(
            "--normalize {value}: a trend takes --normalize per=N (every step did N units of work); total and interval are diff's"
        );
    };
    match n.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => bail!(
            "--normalize per={n}: N must be a whole number of at least 1 (units of work done in every step)"
        ),
    }
}

/// `--normalize per=N` for inputs whose work adds up from step to step.
fn refuse_per_for(a: &TrendArgs, inputs: &str) -> anyhow::Result<()> {
    super::refuse(
        a.normalize.is_some(),
        "--normalize per=N",
        &format!(
            "says every step is an independent run of N units of work; for {inputs} the work adds up from step to step: give it with --ops N1,N2,…"
        ),
    )
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
    /// `selection` is `--focus` and `--ignore`. Also what a report says
    /// about each input.
    pub(crate) fn trend(
        &self,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        selection: Option<(Option<&str>, Option<&str>)>,
    ) -> anyhow::Result<(TrendReport, Vec<Description>)> {
        let opened = self.open_all()?;
        self.trend_of(opened, by, ops, selection)
    }

    /// [`Series::trend`] of inputs already opened. The inputs are parsed a
    /// few at a time (one per worker thread) and each is reduced to its
    /// rows before the next few are read, so memory holds the rows of every
    /// input but the parsed profiles of a few only.
    fn trend_of(
        &self,
        opened: Vec<Opened>,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        selection: Option<(Option<&str>, Option<&str>)>,
    ) -> anyhow::Result<(TrendReport, Vec<Description>)> {
        self.check_kinds(&opened)?;
        let exact = opened[0].kind == InputKind::HeapTimeline;
        if exact {
            super::refuse(
                self.interval.is_some(),
                "--interval",
                "has no meaning for allocation timelines: their bytes are exact, not sampled",
            )?;
        }
        let opts = TrendOptions {
            by,
            limit: None,
            ops,
            interval: if exact { Some(0) } else { self.interval },
            labels: Vec::new(),
            windows: false,
        };
        heapdiff_model::memory::map_large_blocks();
        let mut series = ProfileSeries::new(opts);
        let mut inputs = Vec::with_capacity(opened.len());
        let width = rayon::current_num_threads().max(1);
        let mut opened = self.files.iter().zip(opened);
        loop {
            let batch: Vec<(&PathBuf, Opened)> = opened.by_ref().take(width).collect();
            if batch.is_empty() {
                break;
            }
            let reduced: Vec<(ProfileStep, Description)> = batch
                .into_par_iter()
                .map(|(f, o)| {
                    self.reduce(f, o.side_by_side(), &series, selection.unwrap_or_default())
                })
                .collect::<anyhow::Result<_>>()?;
            for (step, info) in reduced {
                series.push(step);
                inputs.push(info);
            }
        }
        Ok((series.finish(), inputs))
    }

    /// One profile or timeline parsed, weighed and reduced to what its
    /// trend keeps, with what a report says about it.
    fn reduce(
        &self,
        file: &Path,
        o: Opened,
        series: &ProfileSeries,
        (focus, ignore): (Option<&str>, Option<&str>),
    ) -> anyhow::Result<(ProfileStep, Description)> {
        let loaded = crate::input::load_profile(o, self.ctx, super::request(self.timeline, None))?;
        let tree = super::weigh(file, &loaded.profile, None, focus, ignore)?;
        let label = file.display().to_string();
        let step = series.step_of(&loaded.profile, &tree, label);
        Ok((step, super::profile_description(&loaded)))
    }

    /// One allocation timeline cut into `k` time windows, its trend.
    fn windows(
        &self,
        k: usize,
        by: GroupBy,
        ops: Option<Vec<u64>>,
        (focus, ignore): (Option<&str>, Option<&str>),
    ) -> anyhow::Result<(TrendReport, Vec<Description>)> {
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
        let info = super::profile_description(&loaded);
        Ok((trend(&inputs, &opts), vec![info]))
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

    /// Every opened input is a sampling profile, or every one an
    /// allocation timeline (read as its allocation tree).
    fn check_kinds(&self, opened: &[Opened]) -> anyhow::Result<()> {
        for (f, o) in self.files.iter().zip(opened) {
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
        Ok(())
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
/// `check` section); the inputs' sizes and hashes are read now.
pub(crate) fn write_report(
    path: &Path,
    title: String,
    full: TrendReport,
    chart: Option<String>,
    inputs: Vec<Description>,
    paths: &[&Path],
    check: Option<CheckSection>,
) -> anyhow::Result<()> {
    let inputs = paths
        .iter()
        .zip(inputs)
        .map(|(p, (kind, detail))| crate::report::input_info(p, kind, detail))
        .collect::<anyhow::Result<Vec<_>>>()?;
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
