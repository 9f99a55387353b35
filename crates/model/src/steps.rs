//! Step timings for the hidden `--timings` flag and the benchmark scripts:
//! the parser and the analyzer time their steps with [`time`]; nothing is
//! recorded unless [`enable`] was called (one relaxed load per step
//! otherwise). Steps may run on several threads at once, so the log is
//! shared; each entry is (step name, milliseconds).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);
static LOG: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

/// Starts recording step timings.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Runs `f`, recording its wall time under `name` when enabled.
pub fn time<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !ENABLED.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if let Ok(mut log) = LOG.lock() {
        log.push((name, ms));
    }
    out
}

/// The steps recorded so far, in the order they ended.
#[must_use]
pub fn recorded() -> Vec<(&'static str, f64)> {
    LOG.lock().map(|log| log.clone()).unwrap_or_default()
}
