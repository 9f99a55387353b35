//! `heapdiff timeline FILE`: live bytes allocated per interval, as a table
//! and an SVG chart.

use heapdiff_analyzer::timeline;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{Format, TimelineArgs};
use crate::context::Context;

pub(crate) fn run(a: &TimelineArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let g = crate::input::load_snapshot(crate::input::open(&a.file)?, ctx)?;
    if g.samples.is_empty() {
        anyhow::bail!(
            "'{}': this file has no timeline samples (it is a plain heap snapshot)",
            a.file.display()
        );
    }
    let iv = timeline::live_intervals(&g);
    if let Some(path) = &a.output {
        let title = format!("Live bytes by allocation time: {}", a.file.display());
        crate::output::to_file(path, &[&a.file], |out| {
            renderer::timeline::chart_svg(out, &iv, &title)
        })?;
    }
    crate::output::to_stdout(|out| match a.format {
        Format::Table => renderer::timeline::intervals_table(out, &iv),
        Format::Markdown => renderer::timeline::intervals_markdown(out, &iv),
        Format::Csv => renderer::csv::intervals(out, &iv),
        Format::Json => {
            renderer::json::write(out, &renderer::timeline::IntervalsJson { intervals: &iv })
        }
    })?;
    Ok(Outcome::Success)
}
