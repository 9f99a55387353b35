//! The hidden `--timings` flag: phase durations and peak memory as one JSON
//! line on stderr, for the benchmark scripts.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Whether a command printed its timings line: a command that records no
/// phases of its own gets one `total` phase from [`report_unreported`].
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Phase stopwatch.
pub(crate) struct Timings {
    enabled: bool,
    last: Instant,
    phases: Vec<(&'static str, u128)>,
}

impl Timings {
    pub(crate) fn new(enabled: bool) -> Self {
        if enabled {
            heapdiff_model::steps::enable();
        }
        Self {
            enabled,
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends the current phase under `name`.
    pub(crate) fn phase(&mut self, name: &'static str) {
        if self.enabled {
            let now = Instant::now();
            self.phases
                .push((name, now.duration_since(self.last).as_micros()));
            self.last = now;
        }
    }

    /// Prints the line if enabled.
    pub(crate) fn report(&self) {
        if !self.enabled {
            return;
        }
        REPORTED.store(true, Ordering::Relaxed);
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(n, us)| format!("\"{n}\":{:.1}", *us as f64 / 1000.0))
            .collect();
        let steps: Vec<String> = heapdiff_model::steps::recorded()
            .iter()
            .map(|(n, ms)| format!("\"{n}\":{ms:.1}"))
            .collect();
        let rss = peak_rss_kib().map_or_else(|| "null".to_string(), |k| k.to_string());
        let _ = writeln!(
            std::io::stderr(),
            "{{\"phases_ms\":{{{}}},\"steps_ms\":{{{}}},\"peak_rss_kib\":{rss}}}",
            phases.join(","),
            steps.join(",")
        );
    }
}

/// `VmHWM` of this process (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Under `--timings`, prints the line for a command that printed none:
/// one `total` phase from `start`, with the recorded steps and peak memory.
/// Every command thus honours the flag.
pub(crate) fn report_unreported(enabled: bool, start: Instant) {
    if !enabled || REPORTED.load(Ordering::Relaxed) {
        return;
    }
    let mut t = Timings::new(true);
    t.last = start;
    t.phase("total");
    t.report();
}
