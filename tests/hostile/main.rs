//! Hostile inputs: a corpus of truncated, lying, oversized and mislabelled
//! files, built at test time from the repository's own fixtures, run
//! through the real binary with the natural command for each kind. Every
//! one must be rejected cleanly: exit 2 with one error line that names the
//! file (and the byte offset where the failure has one), no panic, no
//! hang, bounded memory, no raw control characters. A few quirks of real
//! files that DevTools opens are accepted instead, with one warning.
//!
//! All inputs run; the failures are reported together at the end, by
//! category. `KNOWN_FAILING` lists the categories that still fail, each
//! with the defect behind it; a failure in any other category fails the
//! test.

mod check;
mod corpus;
mod gz;
mod lies;
mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use corpus::Case;

/// Categories known to fail, with the defect behind each (a category can
/// hold several: all its failing inputs are listed in the report). None
/// today: a defect found by a new input is listed here only while its fix
/// is under way, and a listed category that passes is reported.
const KNOWN_FAILING: &[(&str, &str)] = &[];

/// Set to a directory to keep every input there (to reproduce a failure
/// by hand: `heapdiff top DIR/FILE`).
const KEEP: &str = "HEAPDIFF_HOSTILE_DIR";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Failure {
    category: String,
    file: String,
    note: String,
    problems: Vec<String>,
    stderr: String,
}

#[test]
fn hostile_inputs_are_rejected_cleanly() {
    let cases = corpus::build(&repo_root());
    assert!(cases.len() >= 500, "only {} hostile inputs", cases.len());
    let failures = run_all(&cases);

    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        *totals.entry(&case.category).or_default() += 1;
    }
    let summary = summarize(&failures, &totals);
    // The report of every failure, known or not (shown with --nocapture).
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{summary}");
    }
    let unknown: Vec<&str> = KNOWN_FAILING
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !totals.contains_key(c))
        .collect();
    assert!(
        unknown.is_empty(),
        "KNOWN_FAILING names categories that are not in the corpus: {unknown:?}"
    );
    let unexpected: Vec<&Failure> = failures
        .iter()
        .filter(|f| known_defect(&f.category).is_none())
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} of {} hostile inputs failed in categories not in KNOWN_FAILING:\n{}",
        unexpected.len(),
        cases.len(),
        unexpected
            .iter()
            .map(|f| describe(f))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn known_defect(category: &str) -> Option<&'static str> {
    KNOWN_FAILING
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, defect)| *defect)
}

/// Runs every case on a few threads (the slow ones first); returns the
/// failures in corpus order.
fn run_all(cases: &[Case]) -> Vec<Failure> {
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os(KEEP).map(PathBuf::from);
    let dir = keep.as_deref().unwrap_or(tmp.path());
    std::fs::create_dir_all(dir).unwrap();
    let out_dir = tmp.path().join(".out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| !cases[i].slow);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get() + 1);
    std::thread::scope(|s| {
        for _ in 0..workers.min(8) {
            s.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Some(f) = run_case(&cases[i], dir, &out_dir, i, keep.is_none()) {
                        failures.lock().unwrap().push((i, f));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(i, _)| *i);
    failures.into_iter().map(|(_, f)| f).collect()
}

fn run_case(
    case: &Case,
    dir: &Path,
    out_dir: &Path,
    index: usize,
    remove: bool,
) -> Option<Failure> {
    let path = dir.join(&case.file);
    std::fs::write(&path, case.data.bytes()).unwrap();
    let outcome = run::run(dir, &case.args(), out_dir, &index.to_string());
    if remove {
        std::fs::remove_file(&path).unwrap();
    }
    let problems = check::problems(case, &outcome);
    if problems.is_empty() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    let first: String = stderr
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(240)
        .collect();
    Some(Failure {
        category: case.category.clone(),
        file: case.file.to_string_lossy().into_owned(),
        note: case.note.chars().take(80).collect(),
        problems,
        stderr: first,
    })
}

fn describe(f: &Failure) -> String {
    format!(
        "  {} | {:?} | {:?} | {} | stderr: {:?}",
        f.category,
        f.file,
        f.note,
        f.problems.join("; "),
        f.stderr
    )
}

/// Per category: inputs, failures and the known defect; then every
/// failing input with what went wrong and the start of its stderr.
fn summarize(failures: &[Failure], totals: &BTreeMap<&str, usize>) -> String {
    let mut failing: BTreeMap<&str, usize> = BTreeMap::new();
    for f in failures {
        *failing.entry(&f.category).or_default() += 1;
    }
    let mut out = format!(
        "hostile corpus: {} inputs in {} categories, {} failing\n",
        totals.values().sum::<usize>(),
        totals.len(),
        failures.len()
    );
    for (category, n) in &failing {
        let known = known_defect(category).unwrap_or("NOT IN KNOWN_FAILING");
        out += &format!("  {category}: {n} of {} fail ({known})\n", totals[category]);
    }
    for (category, defect) in KNOWN_FAILING {
        if !failing.contains_key(category) && totals.contains_key(category) {
            out += &format!("  {category}: passes now; remove it from KNOWN_FAILING ({defect})\n");
        }
    }
    for f in failures {
        out += &describe(f);
        out.push('\n');
    }
    out
}
