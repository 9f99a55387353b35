//! `heapdiff top FILE`: DevTools' Heavy view for sampling profiles, the
//! Allocation view for timelines.

use heapdiff_analyzer::timeline::AllocationSort;
use heapdiff_analyzer::{self as analyzer, GroupBy, snapshot, timeline};
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{Format, TopArgs, TopSort};
use crate::context::Context;
use crate::input::Timeline;

pub(crate) fn run(a: &TopArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let mut t = ctx.stopwatch();
    let loaded = crate::input::load_profile(
        crate::input::open(&a.file)?,
        ctx,
        super::request(&a.timeline, a.span.as_deref()),
    )?;
    t.phase("parse");
    let allocation = a.rows.by() == crate::args::By::Function
        && a.rows.focus.is_none()
        && a.rows.ignore.is_none();
    refuse_inapplicable(a, loaded.timeline.is_some(), allocation)?;
    if let Some(tl) = &loaded.timeline {
        if allocation {
            allocation_view(a, tl)?;
            t.phase("render");
            t.report();
            return Ok(Outcome::Success);
        }
    }
    let p = &loaded.profile;
    let span = loaded.ordinal_span(a.span.as_deref());
    let tree = super::weigh(
        &a.file,
        p,
        span,
        a.rows.focus.as_deref(),
        a.rows.ignore.as_deref(),
    )?;
    let opts = analyzer::TopOptions {
        by: GroupBy::from(a.rows.by()),
        limit: a.rows.limit(),
        sort_by_total: a.sort == Some(TopSort::Total),
    };
    let report = analyzer::top(p, &tree, &opts);
    t.phase("aggregate");
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::table::top(out, &report, ctx.text),
        Format::Csv => renderer::csv::top(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::markdown::top(out, &report),
    })?;
    t.phase("render");
    t.report();
    Ok(Outcome::Success)
}

/// Flags that mean nothing for this input or view.
fn refuse_inapplicable(a: &TopArgs, timeline: bool, allocation: bool) -> anyhow::Result<()> {
    use super::refuse;
    let allocation_sort = a.sort.is_some_and(TopSort::is_allocation);
    if !timeline {
        super::refuse_measure(&a.timeline, &a.file)?;
        refuse(
            allocation_sort,
            "--sort",
            &format!(
                "live, size, count and live-count order a timeline's Allocation view; '{}' is a sampling heap profile (use self or total)",
                a.file.display()
            ),
        )?;
        return refuse(
            a.retainers,
            "--retainers",
            &format!(
                "needs an allocation timeline (who keeps its objects); '{}' is a sampling heap profile",
                a.file.display()
            ),
        );
    }
    if allocation {
        refuse(
            a.retainers && a.rows.format == Format::Csv,
            "--retainers",
            "adds paths under the table, which CSV (one table of functions) has no place for; use table, markdown or json",
        )?;
        refuse(
            a.timeline.measure.is_some(),
            "--measure",
            "has no meaning in a timeline's Allocation view, which shows live and allocated bytes side by side (use it with --by, --focus or --ignore)",
        )?;
        return refuse(
            a.sort.is_some() && !allocation_sort,
            "--sort",
            "self and total order sampled stacks; a timeline's Allocation view sorts by live, size, count or live-count (self and total work with --by, --focus or --ignore)",
        );
    }
    refuse(
        allocation_sort,
        "--sort",
        "live, size, count and live-count order a timeline's Allocation view (without --by, --focus and --ignore); use self or total here",
    )?;
    refuse(
        a.retainers,
        "--retainers",
        "works in a timeline's Allocation view only (without --by, --focus and --ignore)",
    )
}

/// DevTools' Allocation view, and with `--retainers` the classes the top
/// functions allocated and what keeps them alive.
fn allocation_view(a: &TopArgs, tl: &Timeline) -> anyhow::Result<()> {
    let sort = match a.sort {
        Some(TopSort::Size) => AllocationSort::Size,
        Some(TopSort::Count) => AllocationSort::Count,
        Some(TopSort::LiveCount) => AllocationSort::LiveCount,
        _ => AllocationSort::Live,
    };
    let report = timeline::allocation_view(&tl.graph, &tl.live, a.rows.limit(), sort);
    // Who allocated it × who keeps it, for the functions with the most
    // live bytes.
    let kept: Vec<(timeline::AllocationRow, Vec<timeline::KeptClass>)> = if a.retainers {
        let index = snapshot::RetainerIndex::build(&tl.graph);
        let derived = snapshot::analyze(&tl.graph);
        let all = timeline::allocation_view(&tl.graph, &tl.live, None, AllocationSort::Live);
        all.rows
            .iter()
            .filter(|r| r.live_size > 0)
            .take(5)
            .map(|row| {
                (
                    row.clone(),
                    timeline::kept_by_function(&tl.graph, &derived, &index, row, 3),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::timeline::allocation_table(out, &report, &kept),
        Format::Markdown => renderer::timeline::allocation_markdown(out, &report, &kept),
        Format::Csv => renderer::csv::allocation(out, &report),
        Format::Json => renderer::json::write(
            out,
            &renderer::timeline::AllocationJson {
                report: &report,
                kept: &kept,
            },
        ),
    })
}
