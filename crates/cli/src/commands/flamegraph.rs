//! `heapdiff flamegraph FILE [AFTER] -o out.svg`.

use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::FlameArgs;
use crate::context::Context;

pub(crate) fn run(a: &FlameArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let (before, tree_a) = super::load_selected(&a.file, ctx, &a.timeline, &a.select)?;
    let Some(after_path) = &a.after else {
        let stacks = analyzer::collapse(&before.profile, &tree_a);
        let opts = renderer::flame::FlameOptions {
            title: a
                .title
                .clone()
                .unwrap_or_else(|| format!("Allocations: {}", a.file.display())),
            inverted: a.inverted,
            no_javascript: false,
        };
        crate::output::to_file(&a.output, &[&a.file], |out| {
            renderer::flame::write(out, &stacks, &opts)
        })?;
        return Ok(Outcome::Success);
    };
    let (after, tree_b) = super::load_selected(after_path, ctx, &a.timeline, &a.select)?;
    let intervals = [
        analyzer::estimate_interval(&before.profile),
        analyzer::estimate_interval(&after.profile),
    ];
    let flame = analyzer::flame_tree(
        (&before.profile, &tree_a),
        (&after.profile, &tree_b),
        intervals,
    );
    let opts = renderer::diff_flame::DiffFlameOptions {
        title: a
            .title
            .clone()
            .unwrap_or_else(|| format!("{} → {}", a.file.display(), after_path.display())),
        inverted: !a.inverted,
        ..renderer::diff_flame::DiffFlameOptions::default()
    };
    crate::output::to_file(&a.output, &[&a.file, after_path], |out| {
        renderer::diff_flame::write(out, &flame, &opts)
    })?;
    Ok(Outcome::Success)
}
