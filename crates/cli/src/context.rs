//! The flags every command shares (`--threads`, `--quiet`, `--strict`,
//! `--no-color`, `--timings`, the source-map flags), resolved once, with the environment and the
//! terminal, into the [`Context`] every command receives.

use std::io::{IsTerminal as _, Write as _};

use anyhow::bail;
use heapdiff_renderer::TextOptions;

use crate::args::Common;
use crate::timings::Timings;

/// What a command needs to know beyond its own flags.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Warnings about the inputs are errors (`--strict`).
    pub(crate) strict: bool,
    /// No warnings and no progress line (`--quiet`).
    pub(crate) quiet: bool,
    /// Phase timings on stderr (the hidden `--timings`).
    pub(crate) timings: bool,
    /// Worker threads, already capped at what the machine can use; `None`:
    /// one per core.
    pub(crate) threads: Option<usize>,
    /// How text tables are written: colours and the terminal's width.
    pub(crate) text: TextOptions,
    /// Where source maps are looked for (`--source-map`,
    /// `--source-map-dir`, and the maps local scripts name); `None` under
    /// `--no-source-maps`.
    pub(crate) source_maps: Option<crate::sourcemap::Sources>,
    /// `--shallow`: heap snapshots read for counts and shallow sizes only.
    pub(crate) shallow: bool,
    /// Source maps were named on the command line (`--source-map`,
    /// `--source-map-dir`), which `--shallow` has no use for.
    pub(crate) maps_given: bool,
}

impl Context {
    /// Resolves the shared flags: refuses `--threads 0`, caps the thread
    /// count (with a warning unless `--quiet`), and asks the environment
    /// and the terminal about colours and width.
    pub(crate) fn resolve(common: &Common) -> anyhow::Result<Self> {
        let threads = match common.threads {
            Some(0) => bail!("--threads must be at least 1"),
            Some(n) => Some(capped_threads(n, common.quiet)),
            None => None,
        };
        Ok(Self {
            strict: common.strict,
            quiet: common.quiet,
            timings: common.timings,
            threads,
            text: text_options(common.no_color),
            source_maps: (!common.no_source_maps).then(|| common.source_maps()),
            shallow: common.shallow,
            maps_given: !common.source_map.is_empty() || !common.source_map_dir.is_empty(),
        })
    }

    /// A phase stopwatch, printing only under `--timings`.
    pub(crate) fn stopwatch(&self) -> Timings {
        Timings::new(self.timings)
    }
}

/// Most worker threads worth starting: 4 per available core, at most 256.
const THREADS_PER_CORE: usize = 4;
const MAX_THREADS: usize = 256;

/// `--threads N`, capped at what the machine can use, with a one-line
/// warning when it had to be.
fn capped_threads(n: usize, quiet: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let most = cores.saturating_mul(THREADS_PER_CORE).min(MAX_THREADS);
    if n > most && !quiet {
        let _ = writeln!(
            std::io::stderr(),
            "heapdiff: warning: --threads {n} is more than this machine can use; using {most} ({THREADS_PER_CORE} per core, {cores} cores, at most {MAX_THREADS})"
        );
    }
    n.min(most)
}

/// Colours and the terminal's width, both only when standard output is a
/// terminal. `COLUMNS` overrides the width.
fn text_options(no_color: bool) -> TextOptions {
    let terminal = std::io::stdout().is_terminal();
    let width = terminal.then(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .or_else(|| {
                terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
            })
    });
    TextOptions {
        color: terminal && !no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width: width.flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_thread_counts_are_capped() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        assert_eq!(capped_threads(1, true), 1);
        assert_eq!(
            capped_threads(cores * THREADS_PER_CORE, true),
            (cores * THREADS_PER_CORE).min(MAX_THREADS)
        );
        assert!(capped_threads(usize::MAX, true) <= MAX_THREADS);
        assert!(capped_threads(100_000, true) <= cores * THREADS_PER_CORE);
    }
}
