//! `heapdiff leaks BASELINE TARGET FINAL [MORE…]`: memlab's three-snapshot
//! rule (`heapdiff_analyzer::snapshot::leaks`).

use std::path::Path;

use anyhow::Context as _;
use heapdiff_analyzer::report_doc::ReportBody;
use heapdiff_analyzer::snapshot::{self, LeaksOptions};
use heapdiff_model::HeapGraph;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{Format, LeaksArgs};
use crate::context::Context;

pub(crate) fn run(a: &LeaksArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let ignore_class = a
        .ignore_class
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .context("invalid --ignore-class expression")?;
    let mut t = ctx.stopwatch();
    let series = a
        .files
        .iter()
        .map(|f| crate::input::load_snapshot(crate::input::open(f)?, ctx))
        .collect::<anyhow::Result<Vec<HeapGraph>>>()?;
    t.phase("parse");
    let last = snapshot::analyze(&series[series.len() - 1]);
    t.phase("analyze");
    let graphs: Vec<&HeapGraph> = series.iter().collect();
    let full = snapshot::leaks(
        &graphs,
        &last,
        &LeaksOptions {
            limit: None,
            ignore_class,
        },
    );
    t.phase("leaks");
    let mut report = full.clone();
    if a.top > 0 {
        report.clusters.truncate(a.top);
    }
    if let Some(path) = &a.report {
        write_report(path, &a.files, &series, full)?;
    }
    // CSV rows have no place for the basis: a warning on stderr says it.
    if report.basis == snapshot::SuspectBasis::GrownClasses && a.format == Format::Csv {
        let last = a.files[a.files.len() - 1].display().to_string();
        crate::input::warn(
            &last,
            renderer::snapshot::DIFFERENT_PROCESSES.to_string(),
            ctx.strict,
        )?;
    }
    crate::output::to_stdout(|out| match a.format {
        Format::Table => renderer::leaks::text(out, &report),
        Format::Csv => renderer::leaks::csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::leaks::markdown(out, &report),
    })?;
    t.phase("render");
    t.report();
    crate::output::release_at_exit((series, last));
    Ok(Outcome::Success)
}

/// The report holds every cluster; its title names the first and last
/// snapshots.
fn write_report(
    path: &Path,
    files: &[std::path::PathBuf],
    series: &[HeapGraph],
    leaks: heapdiff_analyzer::snapshot::LeaksReport,
) -> anyhow::Result<()> {
    let inputs = files
        .iter()
        .zip(series)
        .map(|(f, g)| super::snapshot::snapshot_input(f, g))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let title = format!(
        "Leaks: {} … {} ({} snapshots)",
        files[0].display(),
        files[files.len() - 1].display(),
        files.len()
    );
    let doc = crate::report::document(title, inputs, ReportBody::Leaks { leaks }, None);
    let paths: Vec<&Path> = files.iter().map(std::path::PathBuf::as_path).collect();
    crate::report::write(path, &paths, &doc)
}
