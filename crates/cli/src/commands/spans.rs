//! `heapdiff spans FILE --before R --after R`: a diff of two ordinal spans
//! of one recording.

use anyhow::Context as _;
use heapdiff_analyzer as analyzer;

use crate::Outcome;
use crate::args::SpansArgs;

pub(crate) fn run(a: &SpansArgs) -> anyhow::Result<Outcome> {
    let loaded = crate::input::load_profile(&a.file, &a.common)?;
    let p = &loaded.profile;
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let before = super::weigh(&a.file, p, Some(&a.before), focus, ignore).context("--before")?;
    let after = super::weigh(&a.file, p, Some(&a.after), focus, ignore).context("--after")?;
    let report = analyzer::diff(
        (p, &before),
        (p, &after),
        &super::diff_options(&a.rows, &a.flags, "spans"),
    );
    let flame = a
        .flags
        .flamegraph
        .as_ref()
        .map(|_| analyzer::flame_tree((p, &before), (p, &after)));
    let title = format!("{}: {} → {}", a.file.display(), a.before, a.after);
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
