//! `heapdiff top FILE`.

use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{Format, TopArgs, TopSort};
use crate::timings::Timings;

pub(crate) fn run(a: &TopArgs) -> anyhow::Result<Outcome> {
    let mut t = Timings::new(a.common.timings);
    let loaded = crate::input::load_profile(&a.file, &a.common)?;
    t.phase("parse");
    let p = &loaded.profile;
    let tree = super::weigh(
        &a.file,
        p,
        a.span.as_deref(),
        a.rows.focus.as_deref(),
        a.rows.ignore.as_deref(),
    )?;
    let opts = analyzer::TopOptions {
        by: a.rows.by.into(),
        limit: a.rows.limit(),
        sort_by_total: a.sort == TopSort::Total,
    };
    let report = analyzer::top(p, &tree, &opts);
    t.phase("aggregate");
    let text = renderer::TextOptions {
        color: super::color(&a.common),
    };
    crate::output::to_stdout(|out| match a.rows.format {
        Format::Table => renderer::table::top(out, &report, text),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::markdown::top(out, &report),
    })?;
    t.phase("render");
    t.report();
    Ok(Outcome::Success)
}
