//! One module per command: glue only (open, parse, analyze, render).

mod check;
mod collapse;
mod diff;
mod export;
mod flamegraph;
mod snapshot;
mod spans;
mod targets;
mod timeline;
mod top;
mod tree;

use std::path::Path;

use anyhow::{Context as _, bail};
use heapdiff_analyzer::{self as analyzer, CallTree, FrameFilter, OrdinalRange, Weights};
use heapdiff_model::HeapProfile;

use crate::Outcome;
use crate::args::{Cli, Command, Common, DiffFlags, DiffSort, NormalizeArg, RowArgs};

pub(crate) use diff::diff_options;

/// Runs the command on a thread pool of the requested size.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let common = match &cli.command {
        None => &cli.diff.common,
        Some(Command::Diff(a)) => &a.common,
        Some(Command::Top(a)) => &a.common,
        Some(Command::Tree(a)) => &a.common,
        Some(Command::Flamegraph(a)) => &a.common,
        Some(Command::Collapse(a)) => &a.common,
        Some(Command::Export(a)) => &a.common,
        Some(Command::Spans(a)) => &a.common,
        Some(Command::Summary(a)) => &a.common,
        Some(Command::Dominators(a)) => &a.common,
        Some(Command::Retainers(a)) => &a.common,
        Some(Command::Timeline(a)) => &a.common,
        Some(Command::Check(a)) => &a.common,
    };
    crate::output::check_distinct(&targets::of(&cli))?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = common.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        pool = pool.num_threads(capped_threads(n, common.quiet));
    }
    let pool = pool.build().context("cannot start worker threads")?;
    let quiet = common.quiet;
    crate::progress::init(quiet);
    let result = pool.install(|| match cli.command {
        None => diff::run(&cli.diff),
        Some(Command::Diff(a)) => diff::run(&a),
        Some(Command::Top(a)) => top::run(&a),
        Some(Command::Tree(a)) => tree::run(&a),
        Some(Command::Flamegraph(a)) => flamegraph::run(&a),
        Some(Command::Collapse(a)) => collapse::run(&a),
        Some(Command::Export(a)) => export::run(&a),
        Some(Command::Spans(a)) => spans::run(&a),
        Some(Command::Summary(a)) => snapshot::summary(&a),
        Some(Command::Dominators(a)) => snapshot::dominators(&a),
        Some(Command::Retainers(a)) => snapshot::retainers(&a),
        Some(Command::Timeline(a)) => timeline::run(&a),
        Some(Command::Check(a)) => check::run(&a),
    });
    crate::progress::clear();
    // Warnings go out once, in a fixed order, whatever the outcome.
    crate::input::print_warnings(quiet);
    result
}

/// Most worker threads worth starting: 4 per available core, at most 256.
const THREADS_PER_CORE: usize = 4;
const MAX_THREADS: usize = 256;

/// `--threads N`, capped at what the machine can use, with a one-line
/// warning when it had to be.
fn capped_threads(n: usize, quiet: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let most = cores.saturating_mul(THREADS_PER_CORE).min(MAX_THREADS);
    if n > most && !quiet {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "heapdiff: warning: --threads {n} is more than this machine can use; using {most} ({THREADS_PER_CORE} per core, {cores} cores, at most {MAX_THREADS})"
        );
    }
    n.min(most)
}

/// Self weights of a profile: `selfSize`, or sample sizes within `span`,
/// with `--focus`/`--ignore` applied, then pruned and totalled.
pub(crate) fn weigh(
    file: &Path,
    p: &HeapProfile,
    span: Option<&str>,
    focus: Option<&str>,
    ignore: Option<&str>,
) -> anyhow::Result<CallTree> {
    let mut w = match span {
        Some(text) => Weights::in_range(
            p,
            &OrdinalRange::parse(text, p).with_context(|| format!("'{}'", file.display()))?,
        ),
        None => Weights::self_size(p),
    };
    let filter = FrameFilter::new(focus, ignore)?;
    if !filter.is_empty() {
        w.retain(&filter.keep_mask(p));
    }
    Ok(analyzer::call_tree(p, &w))
}

/// The request that turns a timeline into a profile.
pub(crate) fn request<'a>(
    t: &crate::args::TimelineFlags,
    span: Option<&'a str>,
) -> crate::input::ProfileRequest<'a> {
    crate::input::ProfileRequest {
        measure: t.measure(),
        span,
    }
}

/// Refuses a flag that means nothing for these inputs, saying why (exit
/// 2): a flag is never silently ignored.
pub(crate) fn refuse(given: bool, flag: &str, why: &str) -> anyhow::Result<()> {
    if given {
        bail!("{flag} {why}");
    }
    Ok(())
}

/// `--measure` is for allocation timelines only.
pub(crate) fn refuse_measure(t: &crate::args::TimelineFlags, file: &Path) -> anyhow::Result<()> {
    refuse(
        t.measure.is_some(),
        "--measure",
        &format!(
            "applies to allocation timelines; '{}' is not one",
            file.display()
        ),
    )
}

/// `--match` chooses how function rows match.
pub(crate) fn refuse_match_by(rows: &RowArgs, flags: &DiffFlags) -> anyhow::Result<()> {
    refuse(
        flags.match_rows.is_some() && rows.by() != crate::args::By::Function,
        "--match",
        "chooses how function rows are matched; it has no meaning with --by stack, script or package",
    )
}

/// `--inverted` shapes the flame graph of `--flamegraph`.
pub(crate) fn refuse_inverted_alone(flags: &DiffFlags) -> anyhow::Result<()> {
    refuse(
        flags.inverted && flags.flamegraph.is_none(),
        "--inverted",
        "turns the flame graph the other way up; give --flamegraph OUT.svg too",
    )
}

/// How text tables are written: colours and the terminal's width, both
/// only when standard output is a terminal. `COLUMNS` overrides the width.
pub(crate) fn text_options(common: &Common) -> heapdiff_renderer::TextOptions {
    use std::io::IsTerminal as _;
    let width = std::io::stdout().is_terminal().then(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .or_else(|| {
                terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
            })
    });
    heapdiff_renderer::TextOptions {
        color: color(common),
        width: width.flatten(),
    }
}

/// Whether to colour terminal output.
pub(crate) fn color(common: &Common) -> bool {
    use std::io::IsTerminal as _;
    !common.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

pub(crate) fn normalize(n: NormalizeArg) -> analyzer::Normalize {
    match n {
        NormalizeArg::None => analyzer::Normalize::None,
        NormalizeArg::Total => analyzer::Normalize::Total,
        NormalizeArg::Interval => analyzer::Normalize::Interval,
    }
}

pub(crate) fn sort(s: DiffSort) -> analyzer::SortOrder {
    match s {
        DiffSort::Delta => analyzer::SortOrder::Delta,
        DiffSort::Abs => analyzer::SortOrder::AbsDelta,
    }
}

/// Renders a diff report to stdout, writes the flame graph if asked, and
/// applies `--fail-on-growth`.
pub(crate) fn finish_diff(
    report: &analyzer::DiffReport,
    flame: Option<analyzer::FlameTree>,
    rows: &RowArgs,
    flags: &DiffFlags,
    common: &Common,
    inputs: &[&Path],
    title: &str,
) -> anyhow::Result<Outcome> {
    use heapdiff_renderer as renderer;
    if let (Some(path), Some(tree)) = (&flags.flamegraph, flame) {
        let opts = renderer::diff_flame::DiffFlameOptions {
            title: title.to_string(),
            inverted: !flags.inverted,
            ..renderer::diff_flame::DiffFlameOptions::default()
        };
        crate::output::to_file(path, inputs, |out| {
            renderer::diff_flame::write(out, &tree, &opts)
        })?;
    }
    let text = text_options(common);
    crate::output::to_stdout(|out| match rows.format {
        crate::args::Format::Table => renderer::table::diff(out, report, text),
        crate::args::Format::Csv => renderer::csv::diff(out, report),
        crate::args::Format::Json => renderer::json::write(out, report),
        crate::args::Format::Markdown => renderer::markdown::diff(out, report),
    })?;
    Ok(fail_on_growth(
        flags.fail_on_growth,
        report.totals.before,
        report.totals.after,
    ))
}

/// `--fail-on-growth`: a failed check when the total grew by more than the
/// limit, with the evidence on stderr.
pub(crate) fn fail_on_growth(limit: Option<u64>, before: u64, after: u64) -> Outcome {
    let delta = i128::from(after) - i128::from(before);
    match limit {
        Some(limit) if delta > i128::from(limit) => {
            eprint_check_failure(i64::try_from(delta).unwrap_or(i64::MAX), limit);
            Outcome::CheckFailed
        }
        _ => Outcome::Success,
    }
}

fn eprint_check_failure(delta: i64, limit: u64) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "heapdiff: check failed: the total grew by {delta} bytes, more than --fail-on-growth {limit}"
    );
}

/// What a report says about a profile-like input.
pub(crate) fn profile_input(
    path: &Path,
    loaded: &crate::input::Loaded,
) -> anyhow::Result<heapdiff_analyzer::report_doc::InputInfo> {
    let p = &loaded.profile;
    let (kind, detail) = match &loaded.timeline {
        Some(t) => (
            "allocation timeline",
            format!(
                "{} nodes, {} edges, {} allocation stacks, {} timeline samples",
                t.graph.n_nodes(),
                t.graph.edges.len(),
                p.stacks.len(),
                t.graph.samples.len()
            ),
        ),
        None => {
            let interval = analyzer::estimate_interval(p).map_or_else(
                || "interval unknown (no samples)".to_string(),
                |i| format!("sampling interval ≈ {i} bytes (estimated)"),
            );
            (
                "sampling heap profile",
                format!(
                    "{interval}, {} samples, {} call tree nodes",
                    p.samples.len(),
                    p.stacks.len()
                ),
            )
        }
    };
    crate::report::input_info(path, kind, detail)
}

/// Writes `--report` for a profile diff: `full` is the diff without a row
/// limit.
pub(crate) fn write_profile_report(
    path: &Path,
    full: &analyzer::DiffReport,
    flame: Option<analyzer::FlameTree>,
    inputs: Vec<heapdiff_analyzer::report_doc::InputInfo>,
    input_paths: &[&Path],
    title: &str,
    check: Option<heapdiff_analyzer::report_doc::CheckSection>,
) -> anyhow::Result<()> {
    use heapdiff_analyzer::report_doc::{ReportDocument, profile_body};
    let doc = ReportDocument {
        schema_version: 1,
        kind: "report",
        title: title.to_string(),
        command: crate::report::command_line(),
        inputs,
        warnings: crate::input::warnings(),
        body: profile_body(full, 25, flame),
        check,
    };
    crate::report::write(path, input_paths, &doc)
}

/// Loads a profile (or a timeline's allocation trace) and weighs it as
/// `select` asks: the span, then `--focus`/`--ignore`.
pub(crate) fn load_selected(
    file: &Path,
    common: &Common,
    timeline: &crate::args::TimelineFlags,
    select: &crate::args::Selection,
) -> anyhow::Result<(crate::input::Loaded, CallTree)> {
    let loaded = crate::input::load_profile(
        crate::input::open(file)?,
        common,
        request(timeline, select.span.as_deref()),
    )?;
    if loaded.timeline.is_none() {
        refuse_measure(timeline, file)?;
    }
    let span = loaded.ordinal_span(select.span.as_deref());
    let tree = weigh(
        file,
        &loaded.profile,
        span,
        select.focus.as_deref(),
        select.ignore.as_deref(),
    )?;
    Ok((loaded, tree))
}

/// The sampling intervals a diff judged noise with, for its flame graph.
pub(crate) fn intervals(report: &analyzer::DiffReport) -> [Option<u64>; 2] {
    [report.totals.interval_before, report.totals.interval_after]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_thread_counts_are_capped() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        assert_eq!(capped_threads(1, true), 1);
        assert_eq!(
            capped_threads(cores * THREADS_PER_CORE, true),
            (cores * THREADS_PER_CORE).min(MAX_THREADS)
        );
        assert!(capped_threads(usize::MAX, true) <= MAX_THREADS);
        assert!(capped_threads(100_000, true) <= cores * THREADS_PER_CORE);
    }
}
