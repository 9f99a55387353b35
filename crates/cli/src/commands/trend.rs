//! `heapdiff trend FILE1 FILE2 FILE3 …`: the series of every row over the
//! inputs in order, with verdicts (README, "Trends over many profiles").

use std::path::{Path, PathBuf};

use anyhow::bail;
use heapdiff_analyzer::report_doc::{ReportBody, ReportDocument};
use heapdiff_analyzer::trend::{TrendOptions, TrendReport, trend};
use heapdiff_analyzer::{CallTree, GroupBy};
use heapdiff_parser::InputKind;
use heapdiff_renderer as renderer;
use rayon::prelude::*;

use crate::Outcome;
use crate::args::{Format, TrendArgs};
use crate::input::Loaded;
use crate::timings::Timings;

/// Fewest inputs a trend takes: two are a diff.
const MIN_STEPS: usize = 3;

pub(crate) fn run(a: &TrendArgs) -> anyhow::Result<Outcome> {
    let mut t = Timings::new(a.common.timings);
    refuse_inapplicable(a)?;
    let loaded = load_all(a)?;
    t.phase("parse");
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let trees: Vec<CallTree> = a
        .files
        .par_iter()
        .zip(&loaded)
        .map(|(f, l)| super::weigh(f, &l.profile, None, focus, ignore))
        .collect::<anyhow::Result<_>>()?;
    let inputs: Vec<_> = loaded.iter().map(|l| &l.profile).zip(&trees).collect();
    let mut opts = TrendOptions {
        by: GroupBy::from(a.rows.by()),
        limit: None,
        ops: a.ops.clone(),
        interval: a.interval,
        labels: a.files.iter().map(|f| f.display().to_string()).collect(),
    };
    let full = trend(&inputs, &opts);
    opts.limit = a.rows.limit();
    let mut report = full.clone();
    if let Some(limit) = opts.limit {
        report.rows.truncate(limit);
    }
    t.phase("trend");
    let paths: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
    if let Some(path) = &a.chart {
        let svg = renderer::trend::chart(&full, renderer::trend::CHART_ROWS);
        crate::output::to_file(path, &paths, |out| out.write_all(svg.as_bytes()))?;
    }
    if let Some(path) = &a.report {
        let chart = a.chart.as_deref().map(|c| chart_link(path, c));
        write_report(path, full, chart, &loaded, &paths)?;
    }
    let text = super::text_options(&a.common);
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::trend::table(out, &report, text),
        Format::Csv => renderer::trend::csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::trend::markdown(out, &report),
    })?;
    t.phase("render");
    t.report();
    Ok(Outcome::Success)
}

/// Too few inputs, and `--ops` that does not fit them.
fn refuse_inapplicable(a: &TrendArgs) -> anyhow::Result<()> {
    if a.files.len() < MIN_STEPS {
        bail!(
            "trend needs at least {MIN_STEPS} profiles in order (got {}); for two, use `heapdiff diff BEFORE AFTER`",
            a.files.len()
        );
    }
    if let Some(ops) = &a.ops {
        if ops.len() != a.files.len() {
            bail!(
                "--ops gives {} counts for {} inputs; give one count of work done per input, in order",
                ops.len(),
                a.files.len()
            );
        }
        if ops.contains(&0) {
            bail!("--ops counts must be at least 1 (work done in each step)");
        }
    }
    Ok(())
}

/// Opens every input and parses them in parallel: all sampling profiles,
/// or all allocation timelines (as their allocation trees).
fn load_all(a: &TrendArgs) -> anyhow::Result<Vec<Loaded>> {
    let opened = a
        .files
        .iter()
        .map(|f| crate::input::open(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (f, o) in a.files.iter().zip(&opened) {
        if o.kind == InputKind::HeapSnapshot {
            bail!(
                "'{}' is a heap snapshot; trend reads sampling heap profiles (.heapprofile) or allocation timelines (.heaptimeline)",
                f.display()
            );
        }
    }
    let timelines = opened
        .iter()
        .filter(|o| o.kind == InputKind::HeapTimeline)
        .count();
    if timelines != 0 && timelines != opened.len() {
        bail!(
            "trend inputs must be of one kind: {timelines} of the {} are allocation timelines, the rest sampling profiles",
            opened.len()
        );
    }
    if timelines == 0 {
        super::refuse_measure(&a.timeline, &a.files[0])?;
    }
    let req = super::request(&a.timeline, None);
    opened
        .into_par_iter()
        .map(|o| crate::input::load_profile(o, &a.common, req))
        .collect()
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

fn write_report(
    path: &Path,
    full: TrendReport,
    chart: Option<String>,
    loaded: &[Loaded],
    paths: &[&Path],
) -> anyhow::Result<()> {
    let inputs = paths
        .iter()
        .zip(loaded)
        .map(|(p, l)| super::profile_input(p, l))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let title = format!(
        "Trend over {} profiles: {} … {}",
        paths.len(),
        paths[0].display(),
        paths[paths.len() - 1].display()
    );
    let doc = ReportDocument {
        schema_version: 1,
        kind: "report",
        title,
        command: crate::report::command_line(),
        inputs,
        warnings: crate::input::warnings(),
        body: ReportBody::Trend { trend: full, chart },
        check: None,
    };
    crate::report::write(path, paths, &doc)
}
