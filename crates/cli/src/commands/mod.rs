//! One module per command: glue only (open, parse, analyze, render).

mod check;
mod collapse;
mod diff;
mod export;
mod flamegraph;
mod leaks;
mod snapshot;
mod spans;
mod targets;
mod timeline;
mod top;
mod tree;
mod trend;

use std::path::Path;

use anyhow::{Context as _, bail};
use heapdiff_analyzer::live_growth::{Growth, LiveGrowth, Side};
use heapdiff_analyzer::snapshot::RetainerIndex;
use heapdiff_analyzer::{self as analyzer, CallTree, FrameFilter, OrdinalRange, Weights};
use heapdiff_model::{HeapGraph, HeapProfile};

use crate::Outcome;
use crate::args::{Cli, Command, DiffFlags, DiffSort, NormalizeArg, RowArgs};
use crate::context::Context;

pub(crate) use diff::diff_options;

/// Resolves the shared flags into the [`Context`], then runs the command on
/// a thread pool of the requested size.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let (command, common) = cli.into_parts();
    crate::output::check_distinct(&targets::of(&command))?;
    let ctx = Context::resolve(&common)?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = ctx.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start worker threads")?;
    crate::progress::init(ctx.quiet);
    let start = std::time::Instant::now();
    if ctx.timings {
        heapdiff_model::steps::enable();
    }
    let result = pool.install(|| dispatch(&command, &ctx));
    crate::timings::report_unreported(ctx.timings, start);
    crate::progress::clear();
    // Warnings go out once, in a fixed order, whatever the outcome.
    crate::input::print_warnings(ctx.quiet);
    result
}

/// Hands the command its own flags and the context.
fn dispatch(command: &Command, ctx: &Context) -> anyhow::Result<Outcome> {
    refuse_shallow(command, ctx)?;
    match command {
        Command::Diff(a) => diff::run(a, ctx),
        Command::Top(a) => top::run(a, ctx),
        Command::Tree(a) => tree::run(a, ctx),
        Command::Flamegraph(a) => flamegraph::run(a, ctx),
        Command::Collapse(a) => collapse::run(a, ctx),
        Command::Export(a) => export::run(a, ctx),
        Command::Spans(a) => spans::run(a, ctx),
        Command::Summary(a) => snapshot::summary(a, ctx),
        Command::Dominators(a) => snapshot::dominators(a, ctx),
        Command::Retainers(a) => snapshot::retainers(a, ctx),
        Command::Suspects(a) => snapshot::suspects(a, ctx),
        Command::Timeline(a) => timeline::run(a, ctx),
        Command::Check(a) => check::run(a, ctx),
        Command::Trend(a) => trend::run(a, ctx),
        Command::Leaks(a) => leaks::run(a, ctx),
    }
}

/// `--shallow` applies to `summary` and the diff; every other command
/// needs the whole object graph or is not about heap snapshots.
fn refuse_shallow(command: &Command, ctx: &Context) -> anyhow::Result<()> {
    if !ctx.shallow {
        return Ok(());
    }
    refuse(
        ctx.maps_given,
        "--source-map",
        "has no use with --shallow, whose rows have no source positions",
    )?;
    let name = match command {
        Command::Summary(_) | Command::Diff(_) => return Ok(()),
        Command::Top(_) => "top",
        Command::Tree(_) => "tree",
        Command::Flamegraph(_) => "flamegraph",
        Command::Collapse(_) => "collapse",
        Command::Export(_) => "export",
        Command::Spans(_) => "spans",
        Command::Dominators(_) => "dominators",
        Command::Retainers(_) => "retainers",
        Command::Suspects(_) => "suspects",
        Command::Timeline(_) => "timeline",
        Command::Check(_) => "check",
        Command::Trend(_) => "trend",
        Command::Leaks(_) => "leaks",
    };
    bail!(
        "--shallow applies to `summary` and to the diff of two heap snapshots; `{name}` needs what it leaves out"
    )
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
    if let Some(keep) = keep_mask(p, focus, ignore)? {
        w.retain(&keep);
    }
    Ok(analyzer::call_tree(p, &w))
}

/// Which stacks of `p` `--focus` and `--ignore` keep (`None`: neither is
/// given, every stack counts).
pub(crate) fn keep_mask(
    p: &HeapProfile,
    focus: Option<&str>,
    ignore: Option<&str>,
) -> anyhow::Result<Option<Vec<bool>>> {
    let filter = FrameFilter::new(focus, ignore)?;
    Ok((!filter.is_empty()).then(|| filter.keep_mask(p)))
}

/// What a timeline comparison leads with: the allocation sites whose live
/// objects grew most from `before` to `after`, each a timeline, the object
/// ids of a span (`None`: all) and the trace nodes `--focus`/`--ignore`
/// keep ([`keep_mask`] of its trace profile; `None`: all). Two spans of
/// one recording share its analysis.
pub(crate) fn live_growth((ga, ra, ka): LiveSide<'_>, (gb, rb, kb): LiveSide<'_>) -> LiveGrowth {
    let (da, (db, index)) = if std::ptr::eq(ga, gb) {
        (
            None,
            (analyzer::snapshot::analyze(gb), RetainerIndex::build(gb)),
        )
    } else {
        let (da, rest) = rayon::join(
            || analyzer::snapshot::analyze(ga),
            || (analyzer::snapshot::analyze(gb), RetainerIndex::build(gb)),
        );
        (Some(da), rest)
    };
    let side = |graph, derived, range, keep| Side {
        graph,
        derived,
        range,
        keep,
    };
    let growth = if da.is_none() {
        Growth::Span
    } else {
        Growth::Recordings
    };
    analyzer::live_growth::live_growth(
        side(ga, da.as_ref().unwrap_or(&db), ra, ka),
        side(gb, &db, rb, kb),
        &index,
        growth,
    )
}

/// One side of [`live_growth`]: a timeline, a span's object ids, the trace
/// nodes the rows keep.
pub(crate) type LiveSide<'a> = (&'a HeapGraph, Option<(u32, u32)>, Option<&'a [bool]>);

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

/// The outputs of a profile diff (of two files or of two spans of one):
/// the rows on standard output, `--flamegraph`, `--report` and
/// `--fail-on-growth`.
pub(crate) struct DiffOutputs<'a> {
    pub(crate) rows: &'a RowArgs,
    pub(crate) flags: &'a DiffFlags,
    /// The input files (no output may replace one).
    pub(crate) inputs: Vec<&'a Path>,
    /// The title of the flame graph and of the report.
    pub(crate) title: String,
}

impl DiffOutputs<'_> {
    /// Writes the `--report` file at `path`: `full` is the diff without a
    /// row limit, `inputs` what the report says about each input.
    pub(crate) fn write_report(
        &self,
        path: &Path,
        full: &analyzer::DiffReport,
        flame: Option<analyzer::FlameTree>,
        inputs: Vec<heapdiff_analyzer::report_doc::InputInfo>,
    ) -> anyhow::Result<()> {
        let body = heapdiff_analyzer::report_doc::profile_body(full, 25, flame);
        let doc = crate::report::document(self.title.clone(), inputs, body, None);
        crate::report::write(path, &self.inputs, &doc)
    }

    /// Writes the flame graph if asked, renders the rows to standard output
    /// and applies `--fail-on-growth`.
    pub(crate) fn finish(
        &self,
        ctx: &Context,
        report: &analyzer::DiffReport,
        flame: Option<analyzer::FlameTree>,
    ) -> anyhow::Result<Outcome> {
        use heapdiff_renderer as renderer;
        if let (Some(path), Some(tree)) = (&self.flags.flamegraph, flame) {
            let opts = renderer::diff_flame::DiffFlameOptions {
                title: self.title.clone(),
                inverted: !self.flags.inverted,
                ..renderer::diff_flame::DiffFlameOptions::default()
            };
            crate::output::to_file(path, &self.inputs, |out| {
                renderer::diff_flame::write(out, &tree, &opts)
            })?;
        }
        crate::output::to_stdout(|out| match self.rows.format {
            crate::args::Format::Table => renderer::table::diff(out, report, ctx.text),
            crate::args::Format::Csv => renderer::csv::diff(out, report),
            crate::args::Format::Json => renderer::json::write(out, report),
            crate::args::Format::Markdown => renderer::markdown::diff(out, report),
        })?;
        Ok(fail_on_growth(
            self.flags.fail_on_growth,
            report.totals.before,
            report.totals.after,
        ))
    }
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
    let (kind, detail) = profile_description(loaded);
    crate::report::input_info(path, kind, detail)
}

/// The kind of a profile-like input and its one-line detail for a report
/// (the file's size and hash are read when the report is written).
pub(crate) fn profile_description(loaded: &crate::input::Loaded) -> (&'static str, String) {
    let p = &loaded.profile;
    match &loaded.timeline {
        Some(t) => (
            "allocation timeline",
            format!(
                "{} nodes, {} edges, {} allocation stacks, {} timeline samples",
                t.graph.n_nodes(),
                t.graph.edges().len(),
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
    }
}

/// Loads a profile (or a timeline's allocation trace) and weighs it as
/// `select` asks: the span, then `--focus`/`--ignore`.
pub(crate) fn load_selected(
    file: &Path,
    ctx: &Context,
    timeline: &crate::args::TimelineFlags,
    select: &crate::args::Selection,
) -> anyhow::Result<(crate::input::Loaded, CallTree)> {
    let loaded = crate::input::load_profile(
        crate::input::open(file)?,
        ctx,
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
