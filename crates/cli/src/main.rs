//! The `heapdiff` binary: parses arguments, runs one command, and maps the
//! outcome to an exit code (0 success, 1 a requested check failed, 2 error).

mod args;
mod commands;
mod context;
mod input;
mod output;
mod progress;
mod report;
mod sourcemap;
mod timings;

use std::io::{self, Write as _};
use std::process::ExitCode;

/// What a command reports back to `main`.
pub(crate) enum Outcome {
    /// Everything asked for was done.
    Success,
    /// A check the user asked for (`--fail-on-growth`) failed.
    CheckFailed,
}

fn main() -> ExitCode {
    let cli = args::Cli::from_env();
    match commands::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe (`heapdiff top x | head`) is not an error.
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = io::stderr().lock();
            let message = heapdiff_renderer::escape::terminal(&format!("{err:#}"));
            let _ = writeln!(stderr, "heapdiff: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
