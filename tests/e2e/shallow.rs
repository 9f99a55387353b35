//! `--shallow` against DevTools' own numbers (`*.devtools.json`, the
//! oracle): counts and shallow sizes per class wherever DevTools' rule needs
//! nothing `--shallow` leaves out (README "Snapshots larger than memory").
//!
//! Rows are compared by name after folding what `--shallow` cannot tell
//! apart: interface classes (`{x, y}`) into `Object`, `Detached X` into `X`,
//! and rows of one name from several source positions into one.

use std::collections::BTreeMap;
use std::path::Path;

use super::{json_in, repo_root};

/// Snapshots without user roots, where DevTools moves no size to owners
/// (formats §7.5): every folded class must match.
const NO_REASSIGNMENT: &[&str] = &[
    "heapsnapshot/browser-detached",
    "heapsnapshot/browser-symbol-keys",
    "heapsnapshot/expose-internals",
    "heapsnapshot/julia-wide-ids",
    "heaptimeline/browser-page",
];

/// Classes whose objects neither own nor are owned (formats §7.5): equal
/// in every snapshot.
const NEVER_MOVED: &[&str] = &[
    "(string)",
    "(concatenated string)",
    "(sliced string)",
    "(number)",
    "(symbol)",
    "(bigint)",
    "(undefined)",
];

fn fold(name: &str) -> String {
    if name.starts_with('{') {
        return "Object".into();
    }
    name.strip_prefix("Detached ").unwrap_or(name).to_string()
}

/// `(count, size)` by folded name, from rows with the given fields.
fn folded(rows: &serde_json::Value, count: &str, size: &str) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in rows.as_array().unwrap() {
        let e = out.entry(fold(r["name"].as_str().unwrap())).or_default();
        e.0 += r[count].as_i64().unwrap();
        e.1 += r[size].as_i64().unwrap();
    }
    out
}

/// The name of the file in `dir` that starts with `prefix` (plain or `.gz`).
fn file_starting(dir: &Path, prefix: &str) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with(prefix))
        .unwrap()
}

fn sums(m: &BTreeMap<String, (i64, i64)>) -> (i64, i64) {
    m.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1))
}

/// Every snapshot and timeline fixture with DevTools' Summary: the totals
/// agree, the shallow sizes add up to DevTools' (reassignment moves sizes,
/// it keeps their sum), the never-moved classes agree, and without user
/// roots every class agrees.
#[test]
fn shallow_summary_counts_and_sizes_equal_devtools() {
    let mut checked = 0;
    for kind in ["heapsnapshot", "heaptimeline"] {
        let root = repo_root().join("fixtures").join(kind);
        let mut cases: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for dir in cases {
            let oracle = dir.join("expected/summary.devtools.json");
            let Ok(text) = std::fs::read_to_string(&oracle) else {
                continue;
            };
            let case = format!("{kind}/{}", dir.file_name().unwrap().to_str().unwrap());
            let devtools: serde_json::Value = serde_json::from_str(&text).unwrap();
            let input = file_starting(&dir, "input.");
            let ours = shallow_json(&dir, &["summary", &input]);
            assert_eq!(ours["mode"], "shallow");
            assert_eq!(
                ours["totals"]["total_size"], devtools["totalSize"],
                "{case}"
            );
            assert_eq!(ours["totals"]["nodes"], devtools["nodeCount"], "{case}");
            let d = folded(&devtools["classes"], "count", "self");
            let o = folded(&ours["classes"], "count", "self_size");
            assert_eq!(sums(&o).1, sums(&d).1, "{case}: Σ shallow size");
            for name in NEVER_MOVED {
                assert_eq!(o.get(*name), d.get(*name), "{case}: {name}");
            }
            if NO_REASSIGNMENT.contains(&case.as_str()) {
                assert_eq!(o, d, "{case}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} cases with DevTools' Summary");
}

/// The snapshot diffs with DevTools' Comparison: a class's change of count
/// and size is DevTools' `# Delta` and `Size Delta` for the never-moved
/// classes (strings do not change size in place, so matching them by id,
/// which `--shallow` cannot, changes nothing), and the size changes add up
/// to the change of the total.
#[test]
fn shallow_diff_deltas_equal_devtools() {
    let root = repo_root().join("fixtures/snapshot-diff");
    let mut checked = 0;
    for case in [
        "node-leak",
        "symbol-keys",
        "julia-wide-ids",
        "worked-example",
        "packages",
    ] {
        let dir = root.join(case);
        let devtools: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected/compare-ui.devtools.json")).unwrap(),
        )
        .unwrap();
        let (before, after) = (
            file_starting(&dir, "before."),
            file_starting(&dir, "after."),
        );
        let ours = shallow_json(&dir, &["diff", &before, &after]);
        assert_eq!(ours["mode"], "shallow");
        let d = folded(&devtools["classes"], "delta", "sizeDelta");
        let o = folded(&ours["classes"], "count_delta", "size_delta");
        let total = |k: &str| ours[k].as_i64().unwrap();
        assert_eq!(
            sums(&o).1,
            total("total_after") - total("total_before"),
            "{case}"
        );
        for name in NEVER_MOVED {
            let zero = (0, 0);
            assert_eq!(
                o.get(*name).unwrap_or(&zero),
                d.get(*name).unwrap_or(&zero),
                "{case}: {name}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

/// heapdiff's JSON for `command` with `--shallow`, every row, run in `dir`.
fn shallow_json(dir: &std::path::Path, command: &[&str]) -> serde_json::Value {
    let flags = ["--shallow", "--format", "json", "--top", "0", "-q"];
    let args: Vec<&str> = command.iter().copied().chain(flags).collect();
    json_in(dir, &args)
}
