//! `heapdiff spans FILE --before R --after R`: a diff of two spans of one
//! recording — ordinal spans of a sampling profile, time spans of a
//! timeline (what was allocated in each span and is still alive).

use anyhow::Context as _;
use heapdiff_analyzer::{self as analyzer, timeline};
use heapdiff_parser::InputKind;

use crate::Outcome;
use crate::args::{MeasureArg, SpansArgs};

pub(crate) fn run(a: &SpansArgs) -> anyhow::Result<Outcome> {
    super::refuse_inverted_alone(&a.flags)?;
    super::refuse_match_by(&a.rows, &a.flags)?;
    let input = crate::input::open(&a.file)?;
    if input.kind == InputKind::HeapTimeline {
        return timeline_spans(a, input);
    }
    super::refuse_measure(&a.timeline, &a.file)?;
    let loaded = crate::input::load_profile(input, &a.common, super::request(&a.timeline, None))?;
    let p = &loaded.profile;
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let before = super::weigh(&a.file, p, Some(&a.before), focus, ignore).context("--before")?;
    let after = super::weigh(&a.file, p, Some(&a.after), focus, ignore).context("--after")?;
    let opts = super::diff_options(&a.rows, &a.flags, "spans");
    let report = analyzer::diff((p, &before), (p, &after), &opts);
    let flame = a
        .flags
        .flamegraph
        .as_ref()
        .map(|_| analyzer::flame_tree((p, &before), (p, &after), super::intervals(&report)));
    let title = format!("{}: {} → {}", a.file.display(), a.before, a.after);
    span_report(a, &loaded, (p, &before), (p, &after), opts, &title)?;
    super::finish_diff(
        &report,
        flame,
        &a.rows,
        &a.flags,
        &a.common,
        &[&a.file],
        &title,
    )
}

/// Spans of a timeline: objects allocated in each time span and still
/// alive, by allocation stack. Adjacent spans do not overlap.
fn timeline_spans(a: &SpansArgs, input: crate::input::Opened) -> anyhow::Result<Outcome> {
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
    let loaded = crate::input::load_profile(input, &a.common, super::request(&a.timeline, None))?;
    let tl = loaded
        .timeline
        .as_ref()
        .context("a timeline without allocation stacks")?;
    let iv = timeline::intervals(&tl.graph, &tl.self_size);
    let side = |text: &str| -> anyhow::Result<analyzer::CallTree> {
        let p = timeline::span_profile(&tl.graph, &tl.self_size, &iv, text)
            .with_context(|| format!("'{shown}'"))?;
        super::weigh(
            &a.file,
            &p,
            None,
            a.rows.focus.as_deref(),
            a.rows.ignore.as_deref(),
        )
    };
    // One call tree shape, two weightings: the trace profile's stacks are
    // the same for both spans.
    let p = &loaded.profile;
    let (before, after) = (
        side(&a.before).context("--before")?,
        side(&a.after).context("--after")?,
    );
    let mut opts = super::diff_options(&a.rows, &a.flags, "spans");
    // Live bytes of a timeline are exact, not sampled: no noise floor.
    opts.interval_before = Some(0);
    opts.interval_after = Some(0);
    let report = analyzer::diff((p, &before), (p, &after), &opts);
    let flame = a
        .flags
        .flamegraph
        .as_ref()
        .map(|_| analyzer::flame_tree((p, &before), (p, &after), super::intervals(&report)));
    let title = format!("{shown}: {} → {}", a.before, a.after);
    span_report(a, &loaded, (p, &before), (p, &after), opts, &title)?;
    super::finish_diff(
        &report,
        flame,
        &a.rows,
        &a.flags,
        &a.common,
        &[&a.file],
        &title,
    )
}

/// `--report` for spans: the diff without a row limit, one input.
fn span_report(
    a: &SpansArgs,
    loaded: &crate::input::Loaded,
    before: (&heapdiff_model::HeapProfile, &analyzer::CallTree),
    after: (&heapdiff_model::HeapProfile, &analyzer::CallTree),
    mut opts: analyzer::DiffOptions,
    title: &str,
) -> anyhow::Result<()> {
    let Some(path) = &a.flags.report else {
        return Ok(());
    };
    opts.limit = None;
    let full = analyzer::diff(before, after, &opts);
    let flame = analyzer::flame_tree(before, after, super::intervals(&full));
    let inputs = vec![super::profile_input(&a.file, loaded)?];
    super::write_profile_report(path, &full, Some(flame), inputs, &[&a.file], title, None)
}
