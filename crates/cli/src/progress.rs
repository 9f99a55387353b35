//! A one-line progress indicator on stderr for inputs that take more than a
//! moment: the current stage and the time spent, redrawn in place. Shown
//! only when stderr is a terminal and `--quiet` is not given, so pipes,
//! files and tests never see it.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Inputs smaller than this finish before a progress line would help.
const MIN_BYTES: u64 = 64 << 20;

static ENABLED: AtomicBool = AtomicBool::new(false);
static START: OnceLock<Instant> = OnceLock::new();
static LINE: Mutex<()> = Mutex::new(());

/// Turns the indicator on for this run if stderr is a terminal and the
/// user did not ask for quiet.
pub(crate) fn init(quiet: bool) {
    ENABLED.store(!quiet && std::io::stderr().is_terminal(), Ordering::Relaxed);
    let _ = START.set(Instant::now());
}

/// Shows `stage` (for an input of `bytes`, if it is big enough to matter).
pub(crate) fn stage(stage: &str, bytes: u64) {
    if !ENABLED.load(Ordering::Relaxed) || bytes < MIN_BYTES {
        return;
    }
    let elapsed = START.get().map_or(0.0, |s| s.elapsed().as_secs_f64());
    // The stage names an input, whose name may hold control characters.
    let stage = heapdiff_renderer::escape::terminal(stage);
    let _guard = LINE.lock();
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[2Kheapdiff: {stage} ({:.1} MB) … {elapsed:.1} s",
        bytes as f64 / 1e6
    );
    let _ = err.flush();
}

/// Clears the line before results or messages are printed.
pub(crate) fn clear() {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let _guard = LINE.lock();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}

/// Says that an output file was written (`--flamegraph`, `--report`, `-o`,
/// exports), so a person at a terminal sees where the results went.
pub(crate) fn wrote(path: &std::path::Path) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    clear();
    let shown = heapdiff_renderer::escape::terminal(&path.display().to_string());
    let _ = writeln!(std::io::stderr().lock(), "heapdiff: wrote {shown}");
}
