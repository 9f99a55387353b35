//! `heapdiff collapse FILE`: folded stacks.

use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::CollapseArgs;

pub(crate) fn run(a: &CollapseArgs) -> anyhow::Result<Outcome> {
    let loaded = crate::input::load_profile(
        &a.file,
        &a.common,
        super::request(&a.timeline, a.span.as_deref()),
    )?;
    let span = loaded.ordinal_span(a.span.as_deref());
    let tree = super::weigh(
        &a.file,
        &loaded.profile,
        span,
        a.focus.as_deref(),
        a.ignore.as_deref(),
    )?;
    let stacks = analyzer::collapse(&loaded.profile, &tree);
    match &a.output {
        Some(path) => crate::output::to_file(path, &[&a.file], |out| {
            renderer::folded::write(out, &stacks)
        })?,
        None => crate::output::to_stdout(|out| renderer::folded::write(out, &stacks))?,
    }
    Ok(Outcome::Success)
}
