//! `heapdiff spans FILE --before R --after R`: a diff of two spans of one
//! recording — ordinal spans of a sampling profile, time spans of a
//! timeline (what was allocated in each span and is still alive).

use anyhow::Context as _;
use heapdiff_analyzer::live_growth::LiveGrowth;
use heapdiff_analyzer::{self as analyzer, CallTree, DiffKind, timeline};
use heapdiff_parser::InputKind;

use crate::Outcome;
use crate::args::{MeasureArg, SpansArgs};
use crate::context::Context;
use crate::input::Loaded;

pub(crate) fn run(a: &SpansArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    super::refuse_inverted_alone(&a.flags)?;
    super::refuse_match_by(&a.rows, &a.flags)?;
    let input = crate::input::open(&a.file)?;
    if input.kind == InputKind::HeapTimeline {
        return timeline_spans(a, ctx, input);
    }
    super::refuse_measure(&a.timeline, &a.file)?;
    let loaded = crate::input::load_profile(input, ctx, super::request(&a.timeline, None))?;
    let p = &loaded.profile;
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let before = super::weigh(&a.file, p, Some(&a.before), focus, ignore).context("--before")?;
    let after = super::weigh(&a.file, p, Some(&a.after), focus, ignore).context("--after")?;
    let opts = super::diff_options(&a.rows, &a.flags, DiffKind::Spans);
    compare(a, ctx, &loaded, (&before, &after), &opts, None)
}

/// Spans of a timeline: objects allocated in each time span and still
/// alive, by allocation stack. Adjacent spans do not overlap.
fn timeline_spans(
    a: &SpansArgs,
    ctx: &Context,
    input: crate::input::Opened,
) -> anyhow::Result<Outcome> {
    let shown = a.file.display();
    let exact = "has no meaning for allocation timelines: their live bytes are exact, not sampled";
    super::refuse(a.flags.interval.is_some(), "--interval", exact)?;
    super::refuse(
        a.flags.normalize == Some(crate::args::NormalizeArg::Interval),
        "--normalize interval",
        exact,
    )?;
    if a.timeline.measure() == MeasureArg::Allocated {
        anyhow::bail!(
            "'{shown}': spans of a timeline compare live objects; --measure allocated has no times"
        );
    }
    let loaded = crate::input::load_profile(input, ctx, super::request(&a.timeline, None))?;
    let tl = loaded
        .timeline
        .as_ref()
        .context("a timeline without allocation stacks")?;
    let iv = timeline::intervals(&tl.graph, &tl.self_size);
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let side = |text: &str| -> anyhow::Result<CallTree> {
        let p = timeline::span_profile(&tl.graph, &tl.self_size, &iv, text)
            .with_context(|| format!("'{shown}'"))?;
        super::weigh(&a.file, &p, None, focus, ignore)
    };
    // One call tree shape, two weightings: the trace profile's stacks are
    // the same for both spans.
    let (before, after) = (
        side(&a.before).context("--before")?,
        side(&a.after).context("--after")?,
    );
    let opts = analyzer::DiffOptions {
        // Live bytes of a timeline are exact, not sampled: no noise floor.
        interval_before: Some(0),
        interval_after: Some(0),
        ..super::diff_options(&a.rows, &a.flags, DiffKind::Spans)
    };
    let ids = |text: &str| timeline::span_ids(&iv, text).with_context(|| format!("'{shown}'"));
    // The spans' profiles have the stacks of the whole recording's.
    let keep = super::keep_mask(&loaded.profile, focus, ignore)?;
    let growth = super::live_growth(
        (&tl.graph, Some(ids(&a.before)?), keep.as_deref()),
        (&tl.graph, Some(ids(&a.after)?), keep.as_deref()),
    );
    compare(a, ctx, &loaded, (&before, &after), &opts, Some(growth))
}

/// The diff of the two weightings of the loaded profile, with its outputs:
/// the rows (after a timeline's `growth`), `--flamegraph`, `--report`
/// (without a row limit, one input).
fn compare(
    a: &SpansArgs,
    ctx: &Context,
    loaded: &Loaded,
    (before, after): (&CallTree, &CallTree),
    opts: &analyzer::DiffOptions,
    growth: Option<LiveGrowth>,
) -> anyhow::Result<Outcome> {
    let p = &loaded.profile;
    let (before, after) = ((p, before), (p, after));
    let report = analyzer::DiffReport {
        live_growth: growth,
        ..analyzer::diff(before, after, opts)
    };
    let flame = a
        .flags
        .flamegraph
        .as_ref()
        .map(|_| analyzer::flame_tree(before, after, super::intervals(&report)));
    let out = super::DiffOutputs {
        rows: &a.rows,
        flags: &a.flags,
        inputs: vec![&a.file],
        title: format!("{}: {} → {}", a.file.display(), a.before, a.after),
    };
    if let Some(path) = &a.flags.report {
        let all = analyzer::DiffOptions {
            limit: None,
            ..opts.clone()
        };
        let full = analyzer::DiffReport {
            live_growth: report.live_growth.clone(),
            ..analyzer::diff(before, after, &all)
        };
        let flame = analyzer::flame_tree(before, after, super::intervals(&full));
        let inputs = vec![super::profile_input(&a.file, loaded)?];
        out.write_report(path, &full, Some(flame), inputs)?;
    }
    out.finish(ctx, &report, flame)
}
