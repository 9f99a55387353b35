//! `heapdiff collapse FILE`: folded stacks.

use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::CollapseArgs;
use crate::context::Context;

pub(crate) fn run(a: &CollapseArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let (loaded, tree) = super::load_selected(&a.file, ctx, &a.timeline, &a.select)?;
    let stacks = analyzer::collapse(&loaded.profile, &tree);
    match &a.output {
        Some(path) => crate::output::to_file(path, &[&a.file], |out| {
            renderer::folded::write(out, &stacks)
        })?,
        None => crate::output::to_stdout(|out| renderer::folded::write(out, &stacks))?,
    }
    Ok(Outcome::Success)
}
