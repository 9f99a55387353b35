//! The outputs each command writes, gathered before it runs so that two of
//! them on one file (or both on standard output) are refused up front.

use std::path::PathBuf;

use crate::args::{Command, DiffFlags};
use crate::output::Target;

/// Every output of the command line, standard output included when the
/// command prints its result there.
pub(super) fn of(command: &Command) -> Vec<Target<'_>> {
    let mut t = Vec::new();
    match command {
        Command::Diff(a) => diff_flags(&mut t, &a.flags),
        Command::Spans(a) => diff_flags(&mut t, &a.flags),
        Command::Check(a) => t.extend(file("--report", &a.report)),
        Command::Leaks(a) => t.extend(file("--report", &a.report)),
        Command::Timeline(a) => t.extend(file("-o", &a.output)),
        Command::Trend(a) => {
            t.extend(file("--chart", &a.chart));
            t.extend(file("--report", &a.report));
        }
        Command::Top(_) | Command::Tree(_) => {}
        Command::Summary(_)
        | Command::Dominators(_)
        | Command::Retainers(_)
        | Command::Suspects(_) => {}
        Command::Flamegraph(a) => {
            t.push(Target {
                flag: "-o",
                path: &a.output,
            });
            return t;
        }
        Command::Collapse(a) => {
            t.extend(file("-o", &a.output));
            if t.is_empty() {
                t.push(Target::printed());
            }
            return t;
        }
        Command::Export(a) => {
            t.extend(file("--pprof", &a.pprof));
            t.extend(file("--speedscope", &a.speedscope));
            t.extend(file("--folded", &a.folded));
            return t;
        }
    }
    t.push(Target::printed());
    t
}

fn file<'a>(flag: &'static str, path: &'a Option<PathBuf>) -> Option<Target<'a>> {
    path.as_deref().map(|path| Target { flag, path })
}

fn diff_flags<'a>(t: &mut Vec<Target<'a>>, f: &'a DiffFlags) {
    t.extend(file("--flamegraph", &f.flamegraph));
    t.extend(file("--report", &f.report));
}
