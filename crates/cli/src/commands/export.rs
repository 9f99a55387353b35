//! `heapdiff export FILE --pprof OUT.pb.gz --speedscope OUT.json --folded OUT`:
//! one profile in other tools' formats.

use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::ExportArgs;
use crate::context::Context;

const EXPORTER: &str = concat!("heapdiff ", env!("CARGO_PKG_VERSION"));

pub(crate) fn run(a: &ExportArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let (loaded, tree) = super::load_selected(&a.file, ctx, &a.timeline, &a.select)?;
    let inputs = [a.file.as_path()];
    if a.pprof.is_some() || a.speedscope.is_some() {
        let stacks = renderer::pprof::Stacks::from_profile(&loaded.profile, &tree);
        if let Some(path) = &a.pprof {
            let opts = renderer::pprof::PprofOptions {
                period: analyzer::estimate_interval(&loaded.profile)
                    .unwrap_or(1)
                    .max(1),
            };
            crate::output::to_file(path, &inputs, |out| {
                renderer::pprof::write(out, &stacks, &opts)
            })?;
        }
        if let Some(path) = &a.speedscope {
            let name = a.file.file_name().map_or_else(
                || a.file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            crate::output::to_file(path, &inputs, |out| {
                renderer::speedscope::write(out, &stacks, &name, EXPORTER)
            })?;
        }
    }
    if let Some(path) = &a.folded {
        let stacks = analyzer::collapse(&loaded.profile, &tree);
        crate::output::to_file(path, &inputs, |out| renderer::folded::write(out, &stacks))?;
    }
    Ok(Outcome::Success)
}
