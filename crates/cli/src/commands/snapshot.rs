//! `heapdiff summary`, `dominators`, `retainers` and the snapshot diff.

use std::path::Path;

use anyhow::Context as _;
use heapdiff_analyzer::snapshot::{
    self, CompareOptions, RetainerTarget, RetainersOptions, SummaryOptions,
};
use heapdiff_analyzer::timeline;
use heapdiff_model::HeapGraph;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{
    By, DiffArgs, DominatorsArgs, Format, RetainersArgs, SnapshotBy, SummaryArgs, SuspectsArgs,
};
use crate::context::Context;

fn limit(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

pub(crate) fn summary(a: &SummaryArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    if ctx.shallow {
        return summary_shallow(a, ctx);
    }
    let mut t = ctx.stopwatch();
    let g = crate::input::load_snapshot(crate::input::open(&a.file)?, ctx)?;
    t.phase("parse");
    let d = snapshot::analyze(&g);
    t.phase("analyze");
    let filter = class_filter(a)?;
    let id_range = match &a.span {
        Some(text) => {
            let shown = a.file.display();
            if g.samples.is_empty() {
                anyhow::bail!(
                    "'{shown}': --span needs an allocation timeline (this snapshot has no timeline samples)"
                );
            }
            let iv = timeline::intervals(&g, &d.self_size.to_vec());
            let (lo, hi) =
                timeline::parse_time_span(text, &iv).with_context(|| format!("'{shown}'"))?;
            Some(timeline::id_range(&iv, lo, hi, false))
        }
        None => None,
    };
    if a.by == Some(SnapshotBy::Package) {
        super::refuse(
            filter.is_some(),
            "--filter",
            "matches class names; it has no meaning with --by package",
        )?;
        summary_by_package(&g, &d, id_range, limit(a.top), a.format)?;
        t.phase("render");
        t.report();
        crate::output::release_at_exit((g, d));
        return Ok(Outcome::Success);
    }
    let report = snapshot::summary(
        &g,
        &d,
        &SummaryOptions {
            limit: limit(a.top),
            filter,
            id_range,
        },
    );
    crate::output::to_stdout(|out| match a.format {
        Format::Table => renderer::snapshot::summary_table(out, &report),
        Format::Csv => renderer::csv::summary(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::snapshot::summary_markdown(out, &report),
    })?;
    t.phase("render");
    t.report();
    crate::output::release_at_exit((g, d));
    Ok(Outcome::Success)
}

/// `--filter RE` of `summary`, compiled.
fn class_filter(a: &SummaryArgs) -> anyhow::Result<Option<regex::Regex>> {
    a.filter
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .context("invalid --filter expression")
}

/// `summary --shallow`: counts and shallow sizes per class, the snapshot
/// read in one pass.
fn summary_shallow(a: &SummaryArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let why = "needs each object's id or source position, which --shallow does not keep";
    super::refuse(a.span.is_some(), "--span", why)?;
    super::refuse(a.by == Some(SnapshotBy::Package), "--by package", why)?;
    let filter = class_filter(a)?;
    let mut t = ctx.stopwatch();
    let s = crate::input::load_shallow(crate::input::open_stream(&a.file)?, ctx)?;
    t.phase("parse");
    let report = snapshot::shallow_summary(
        &s,
        &snapshot::ShallowOptions {
            limit: limit(a.top),
            filter,
        },
    );
    crate::output::to_stdout(|out| match a.format {
        Format::Table => renderer::shallow::summary_table(out, &report),
        Format::Csv => renderer::shallow::summary_csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::shallow::summary_markdown(out, &report),
    })?;
    t.phase("render");
    t.report();
    Ok(Outcome::Success)
}

/// `summary --by package`: the objects (of the span, when given) by the
/// package of their source positions.
fn summary_by_package(
    g: &HeapGraph,
    d: &snapshot::Derived,
    id_range: Option<(u32, u32)>,
    top: Option<usize>,
    format: Format,
) -> anyhow::Result<()> {
    let in_range = |(lo, hi): (u32, u32)| {
        move |v: heapdiff_model::NodeOrdinal| {
            let id = g.nodes().id(v).get();
            u64::from(lo) < id && id <= u64::from(hi)
        }
    };
    let member = id_range.map(in_range);
    let member = member
        .as_ref()
        .map(|m| m as &(dyn Fn(heapdiff_model::NodeOrdinal) -> bool + Sync));
    let report = snapshot::package_summary(g, d, member, top);
    crate::output::to_stdout(|out| match format {
        Format::Table => renderer::packages::summary_table(out, &report),
        Format::Csv => renderer::packages::summary_csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::packages::summary_markdown(out, &report),
    })
}

pub(crate) fn dominators(a: &DominatorsArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    refuse_csv(a.format, "dominators")?;
    let g = crate::input::load_snapshot(crate::input::open(&a.file)?, ctx)?;
    let d = snapshot::analyze(&g);
    let report = snapshot::dominators_report(&g, &d, limit(a.top));
    crate::output::to_stdout(|out| match a.format {
        // CSV was refused above.
        Format::Table | Format::Csv => renderer::snapshot::dominators_table(out, &report),
        Format::Markdown => renderer::snapshot::dominators_markdown(out, &report),
        Format::Json => renderer::json::write(out, &report),
    })?;
    crate::output::release_at_exit((g, d));
    Ok(Outcome::Success)
}

pub(crate) fn retainers(a: &RetainersArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let target = match (&a.class, &a.id) {
        (Some(class), _) => RetainerTarget::Class(class.clone()),
        (None, Some(id)) => {
            let digits = id.trim_start_matches('@');
            RetainerTarget::Id(
                digits
                    .parse()
                    .with_context(|| format!("--id `{id}` is not an object id like @123"))?,
            )
        }
        (None, None) => anyhow::bail!("give --class NAME or --id @ID"),
    };
    refuse_csv(a.format, "retainers")?;
    let g = crate::input::load_snapshot(crate::input::open(&a.file)?, ctx)?;
    let d = snapshot::analyze(&g);
    let report = snapshot::retainers(
        &g,
        &d,
        &target,
        &RetainersOptions {
            limit: limit(a.top),
        },
    );
    crate::output::to_stdout(|out| match a.format {
        // CSV was refused above.
        Format::Table | Format::Csv => renderer::snapshot::retainers_text(out, &report),
        Format::Markdown => renderer::snapshot::retainers_markdown(out, &report),
        Format::Json => renderer::json::write(out, &report),
    })?;
    crate::output::release_at_exit((g, d));
    Ok(Outcome::Success)
}

/// `heapdiff suspects`: the accumulation points of one snapshot.
pub(crate) fn suspects(a: &SuspectsArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    refuse_csv(a.format, "suspects")?;
    super::refuse(
        !(0.0..=100.0).contains(&a.min_share),
        "--min-share",
        &format!("must be a percentage from 0 to 100, not {}", a.min_share),
    )?;
    let g = crate::input::load_snapshot(crate::input::open(&a.file)?, ctx)?;
    let d = snapshot::analyze(&g);
    let opts = snapshot::AccumulationOptions {
        min_share: a.min_share,
        all: a.all_suspects,
    };
    let report = snapshot::accumulation_points(&g, &d, &opts);
    if let Some(path) = &a.report {
        let title = format!("Leak suspects of {}", a.file.display());
        let inputs = vec![snapshot_input(&a.file, &g)?];
        let body = heapdiff_analyzer::report_doc::ReportBody::Suspects {
            suspects: report.clone(),
        };
        let doc = crate::report::document(title, inputs, body, None);
        crate::report::write(path, &[a.file.as_path()], &doc)?;
    }
    crate::output::to_stdout(|out| match a.format {
        Format::Table | Format::Csv => renderer::suspects::text(out, &report),
        Format::Markdown => renderer::suspects::markdown(out, &report),
        Format::Json => renderer::json::write(out, &report),
    })?;
    crate::output::release_at_exit((g, d));
    Ok(Outcome::Success)
}

/// The views with dominator chains and retainer paths have no CSV form.
fn refuse_csv(format: Format, command: &str) -> anyhow::Result<()> {
    super::refuse(
        format == Format::Csv,
        "--format csv",
        &format!("is not available for `{command}`; use table, markdown or json"),
    )
}

/// `heapdiff A.heapsnapshot B.heapsnapshot`: DevTools' Comparison view.
pub(crate) fn diff(
    a: &DiffArgs,
    ctx: &Context,
    before: (&Path, &HeapGraph),
    after: (&Path, &HeapGraph),
) -> anyhow::Result<Outcome> {
    refuse_profile_flags(a)?;
    let (bg, cg) = (before.1, after.1);
    let (bd, cd) = analyze_pair(bg, cg);
    if a.rows.by == Some(By::Package) {
        return diff_by_package(a, (bg, &bd), (cg, &cd));
    }
    let mut report = None;
    if let Some(path) = &a.flags.report {
        let full = snapshot::compare(
            (bg, &bd),
            (cg, &cd),
            &CompareOptions {
                limit: None,
                all_suspects: a.all_suspects,
            },
        );
        // The rows printed are the report's first ones.
        report = full.limited(a.rows.limit());
        let title = format!("{} → {}", before.0.display(), after.0.display());
        let inputs = vec![snapshot_input(before.0, bg)?, snapshot_input(after.0, cg)?];
        let body = heapdiff_analyzer::report_doc::ReportBody::Snapshot { comparison: full };
        let doc = crate::report::document(title, inputs, body, None);
        crate::report::write(path, &[before.0, after.0], &doc)?;
    }
    let report = report.unwrap_or_else(|| {
        snapshot::compare(
            (bg, &bd),
            (cg, &cd),
            &CompareOptions {
                limit: a.rows.limit(),
                all_suspects: a.all_suspects,
            },
        )
    });
    // CSV rows have no place for the report's warning: it goes to stderr.
    if report.different_processes && a.rows.format == Format::Csv {
        let current = after.0.display().to_string();
        crate::input::warn(
            &current,
            renderer::snapshot::DIFFERENT_PROCESSES.to_string(),
            ctx.strict,
        )?;
    }
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::snapshot::compare_table(out, &report),
        Format::Csv => renderer::csv::compare(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::snapshot::compare_markdown(out, &report),
    })?;
    Ok(super::fail_on_growth(
        a.flags.fail_on_growth,
        report.total_before,
        report.total_after,
    ))
}

/// `heapdiff A.heapsnapshot B.heapsnapshot --shallow`: each class's count
/// and shallow size before and after, both snapshots read in one pass each.
pub(crate) fn diff_shallow(
    a: &DiffArgs,
    ctx: &Context,
    before: &Path,
    after: &Path,
) -> anyhow::Result<Outcome> {
    refuse_profile_flags(a)?;
    let why = "needs each object's id and the dominator tree, which --shallow does not keep";
    super::refuse(a.rows.by == Some(By::Package), "--by package", why)?;
    super::refuse(a.all_suspects, "--all-suspects", why)?;
    super::refuse(
        a.flags.match_rows.is_some(),
        "--match",
        "matches function rows of sampling heap profiles; heap snapshots are compared by class",
    )?;
    let mut t = ctx.stopwatch();
    let (ia, ib) = (
        crate::input::open_stream(before)?,
        crate::input::open_stream(after)?,
    );
    let (sa, sb) = rayon::join(
        || crate::input::load_shallow(ia, ctx),
        || crate::input::load_shallow(ib, ctx),
    );
    let (sa, sb) = (sa?, sb?);
    t.phase("parse");
    if let Some(path) = &a.flags.report {
        let full = snapshot::shallow_compare(&sa, &sb, None);
        let title = format!("{} → {}", before.display(), after.display());
        let inputs = vec![shallow_input(before, &sa)?, shallow_input(after, &sb)?];
        let body = heapdiff_analyzer::report_doc::ReportBody::ShallowSnapshot { comparison: full };
        let doc = crate::report::document(title, inputs, body, None);
        crate::report::write(path, &[before, after], &doc)?;
    }
    let report = snapshot::shallow_compare(&sa, &sb, a.rows.limit());
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::shallow::compare_table(out, &report),
        Format::Csv => renderer::shallow::compare_csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::shallow::compare_markdown(out, &report),
    })?;
    t.phase("render");
    t.report();
    Ok(super::fail_on_growth(
        a.flags.fail_on_growth,
        report.total_before,
        report.total_after,
    ))
}

/// What a report says about a snapshot read with `--shallow`.
fn shallow_input(
    path: &Path,
    s: &heapdiff_model::ShallowSnapshot,
) -> anyhow::Result<heapdiff_analyzer::report_doc::InputInfo> {
    let detail = format!("{} nodes, {} edges", s.node_count, s.edge_count);
    crate::report::input_info(path, "heap snapshot", detail)
}

/// The snapshot diff `--by package`: objects matched by id within each
/// package, and each package's retained size before and after.
fn diff_by_package(
    a: &DiffArgs,
    base: (&HeapGraph, &snapshot::Derived),
    current: (&HeapGraph, &snapshot::Derived),
) -> anyhow::Result<Outcome> {
    let why = "is not available with --by package (the report holds the comparison by class); use --format json, markdown or csv";
    super::refuse(a.flags.report.is_some(), "--report", why)?;
    super::refuse(
        a.all_suspects,
        "--all-suspects",
        "has no meaning with --by package (suspects are classes; the rows by package list none)",
    )?;
    let report = snapshot::package_compare(base, current, a.rows.limit());
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::packages::compare_table(out, &report),
        Format::Csv => renderer::packages::compare_csv(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::packages::compare_markdown(out, &report),
    })?;
    Ok(super::fail_on_growth(
        a.flags.fail_on_growth,
        report.total_before,
        report.total_after,
    ))
}

/// The diff flags that shape rows of call stacks or a flame graph mean
/// nothing for two heap snapshots, whose comparison is per class.
fn refuse_profile_flags(a: &DiffArgs) -> anyhow::Result<()> {
    if let Some(by) = a.rows.by.filter(|&b| b != By::Package) {
        let name = format!("{by:?}").to_lowercase();
        super::refuse(
            true,
            &format!("--by {name}"),
            "has no meaning for heap snapshots (their rows are classes, or packages with --by package)",
        )?;
    }
    let why = "has no meaning for heap snapshots (their comparison is per class, by object id)";
    let given = [
        (a.rows.focus.is_some(), "--focus"),
        (a.rows.ignore.is_some(), "--ignore"),
        (a.flags.normalize.is_some(), "--normalize"),
        (a.flags.sort.is_some(), "--sort"),
        (a.flags.interval.is_some(), "--interval"),
        (a.flags.flamegraph.is_some(), "--flamegraph"),
        (a.flags.inverted, "--inverted"),
        (a.timeline.measure.is_some(), "--measure"),
    ];
    for (given, flag) in given {
        super::refuse(given, flag, why)?;
    }
    Ok(())
}

/// Both snapshots analysed for DevTools' Comparison view: the base's plain
/// objects are named with the current snapshot's interface definitions, as
/// the Memory panel does (formats §9 step 1).
pub(crate) fn analyze_pair(
    base: &HeapGraph,
    current: &HeapGraph,
) -> (snapshot::Derived, snapshot::Derived) {
    let cd = snapshot::analyze(current);
    let bd = snapshot::analyze_with(base, Some(&cd.classes.interfaces));
    (bd, cd)
}

/// What a report says about a snapshot or timeline input.
pub(crate) fn snapshot_input(
    path: &Path,
    g: &HeapGraph,
) -> anyhow::Result<heapdiff_analyzer::report_doc::InputInfo> {
    let (kind, detail) = snapshot_description(g);
    crate::report::input_info(path, kind, detail)
}

/// The kind of a snapshot-like input and its one-line detail for a report.
pub(crate) fn snapshot_description(g: &HeapGraph) -> (&'static str, String) {
    let kind = if g.trace.is_some() {
        "allocation timeline"
    } else {
        "heap snapshot"
    };
    (
        kind,
        format!("{} nodes, {} edges", g.n_nodes(), g.edges().len()),
    )
}
