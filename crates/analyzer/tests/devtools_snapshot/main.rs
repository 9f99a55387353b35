//! Field-by-field equality with Chrome DevTools' own heap snapshot engine:
//! the `*.devtools.json` files next to each fixture were produced by
//! `scripts/oracle/expected.sh` (DevTools' code run in node) and are never
//! written from heapdiff's output.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use heapdiff_analyzer::snapshot::{
    self, BASE_SYSTEM_DISTANCE, CompareOptions, Derived, SummaryOptions,
};
use heapdiff_model::{HeapGraph, NodeOrdinal};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn read(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        bytes
    }
}

fn find_input(dir: &Path, stem: &str) -> PathBuf {
    for ext in [
        "heapsnapshot",
        "heapsnapshot.gz",
        "heaptimeline",
        "heaptimeline.gz",
    ] {
        let p = dir.join(format!("{stem}.{ext}"));
        if p.exists() {
            return p;
        }
    }
    panic!("no {stem}.* in {}", dir.display());
}

fn load(path: &Path) -> HeapGraph {
    heapdiff_parser::parse_snapshot(&read(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .value
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&read(path)).unwrap()
}

fn shown(d: i64) -> Option<i64> {
    (0..i64::from(BASE_SYSTEM_DISTANCE))
        .contains(&d)
        .then_some(d)
}

/// Summary rows: (key, name, count, self, retained, distance).
fn check_summary(case: &Path, g: &HeapGraph, d: &Derived) -> Vec<String> {
    check_summary_with(&case.join("expected/summary.devtools.json"), g, d)
}

/// [`check_summary`] against the DevTools Summary in `file`.
fn check_summary_with(file: &Path, g: &HeapGraph, d: &Derived) -> Vec<String> {
    let expected = json(file);
    let report = snapshot::summary(g, d, &SummaryOptions::default());
    let mut failures = Vec::new();
    if expected["totalSize"].as_u64() != Some(d.total_size) {
        failures.push(format!(
            "total size {} vs DevTools {}",
            d.total_size, expected["totalSize"]
        ));
    }
    let ours: std::collections::BTreeMap<&str, _> =
        report.classes.iter().map(|c| (c.key.as_str(), c)).collect();
    let theirs = expected["classes"].as_array().unwrap();
    if ours.len() != theirs.len() {
        failures.push(format!(
            "{} classes vs DevTools {}",
            ours.len(),
            theirs.len()
        ));
    }
    for t in theirs {
        let key = t["key"].as_str().unwrap();
        let Some(o) = ours.get(key) else {
            failures.push(format!("class {key:?} missing"));
            continue;
        };
        let got = (
            o.name.as_str(),
            o.count,
            o.self_size,
            o.retained_size,
            o.distance.map(i64::from),
        );
        let want = (
            t["name"].as_str().unwrap(),
            t["count"].as_u64().unwrap(),
            t["self"].as_u64().unwrap(),
            t["retained"].as_u64().unwrap(),
            shown(t["distance"].as_i64().unwrap()),
        );
        if got != want {
            failures.push(format!("class {key:?}: ours {got:?} vs DevTools {want:?}"));
        }
    }
    failures
}

/// Every node: (id, class, self, retained, distance, dominator id).
fn check_nodes(case: &Path, g: &HeapGraph, d: &Derived) -> Vec<String> {
    let expected = json(&case.join("expected/nodes.devtools.json.gz"));
    let theirs = expected["nodes"].as_array().unwrap();
    let mut failures = Vec::new();
    if theirs.len() != g.n_nodes() {
        failures.push(format!(
            "{} nodes vs DevTools {}",
            g.n_nodes(),
            theirs.len()
        ));
    }
    for (v, t) in theirs.iter().enumerate().take(g.n_nodes()) {
        let class = &d.classes.names[d.classes.of_node[v] as usize];
        // DevTools holds the node fields in a Uint32Array: of an id beyond
        // 32 bits (snapshots written by other runtimes) it sees the low half.
        let seen = |v: NodeOrdinal| g.nodes().id(v).get() & u64::from(u32::MAX);
        let dom = (v != 0).then(|| seen(d.dominators.idom()[v]));
        let got = (
            seen(NodeOrdinal::from_index(v)),
            class.as_str(),
            d.self_size.get(v),
            d.retained()[v],
            i64::from(d.distance[v]),
            dom,
        );
        let want = (
            t["id"].as_u64().unwrap(),
            t["class"].as_str().unwrap(),
            t["self"].as_u64().unwrap(),
            t["retained"].as_u64().unwrap(),
            t["distance"].as_i64().unwrap(),
            t["dominator"].as_u64(),
        );
        if got != want && failures.len() < 20 {
            failures.push(format!("node {v}: ours {got:?} vs DevTools {want:?}"));
        }
    }
    failures
}

fn snapshot_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = ["heapsnapshot", "heaptimeline"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(fixtures().join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected/summary.devtools.json").exists())
        .collect();
    cases.sort();
    cases
}

/// (name, script, line, column, count, size, live count, live size).
type AllocationTop = (String, String, u64, u64, u64, u64, u64, u64);

/// DevTools' Allocation view (formats §10.3) on every timeline fixture.
#[test]
fn allocation_view_equals_devtools() {
    use heapdiff_analyzer::timeline;
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for case in snapshot_cases() {
        let path = case.join("expected/allocation.devtools.json");
        if !path.exists() {
            continue;
        }
        n_cases += 1;
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let g = load(&find_input(&case, "input"));
        let d = snapshot::analyze(&g);
        let live = timeline::live_by_trace(&g, &d.self_size.to_vec(), None);
        let report = timeline::allocation_view(&g, &live, None, timeline::AllocationSort::Size);
        let mut ours: Vec<AllocationTop> = report
            .rows
            .iter()
            .map(|r| {
                let name = if r.function.name == "(anonymous)" {
                    String::new()
                } else {
                    r.function.name.clone()
                };
                (
                    name,
                    r.function.url.clone(),
                    r.function.line.map_or(0, u64::from),
                    r.function.column.map_or(0, u64::from),
                    r.count,
                    r.size,
                    r.live_count,
                    r.live_size,
                )
            })
            .collect();
        let expected = json(&path);
        let mut theirs: Vec<AllocationTop> = expected["tops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_string(),
                    t["scriptName"].as_str().unwrap().to_string(),
                    t["line"].as_u64().unwrap(),
                    t["column"].as_u64().unwrap(),
                    t["count"].as_u64().unwrap(),
                    t["size"].as_u64().unwrap(),
                    t["liveCount"].as_u64().unwrap(),
                    t["liveSize"].as_u64().unwrap(),
                )
            })
            .collect();
        ours.sort();
        theirs.sort();
        if ours != theirs {
            let diff: Vec<String> = theirs
                .iter()
                .filter(|t| !ours.contains(t))
                .take(10)
                .map(|t| format!("DevTools {t:?}"))
                .chain(
                    ours.iter()
                        .filter(|o| !theirs.contains(o))
                        .take(10)
                        .map(|o| format!("ours {o:?}")),
                )
                .collect();
            failures.push(format!(
                "[{name}] allocation rows differ:\n{}",
                diff.join("\n")
            ));
        }
        let samples = case.join("expected/samples.devtools.json");
        if samples.exists() {
            let iv = timeline::intervals(&g, &d.self_size.to_vec());
            let want: Vec<u64> = json(&samples)["sizes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            if iv.sizes != want {
                failures.push(format!(
                    "[{name}] interval sizes {:?} vs DevTools {want:?}",
                    iv.sizes
                ));
            }
        }
    }
    assert!(n_cases > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn summary_and_nodes_equal_devtools() {
    let cases = snapshot_cases();
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in &cases {
        let g = load(&find_input(case, "input"));
        let d = snapshot::analyze(&g);
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        failures.extend(
            check_summary(case, &g, &d)
                .into_iter()
                .map(|f| format!("[{name} summary] {f}")),
        );
        failures.extend(
            check_nodes(case, &g, &d)
                .into_iter()
                .map(|f| format!("[{name} nodes] {f}")),
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn comparison_equals_devtools() {
    let mut failures = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join("snapshot-diff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let (base, cur) = (
            load(&find_input(&dir, "before")),
            load(&find_input(&dir, "after")),
        );
        let files = ["compare-ui.devtools.json", "compare.devtools.json"]
            .map(|file| dir.join("expected").join(file));
        failures.extend(check_comparison(&name, &base, &cur, &files));
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The Comparison of `base` → `cur` against each DevTools file in `files`.
fn check_comparison(
    name: &str,
    base: &HeapGraph,
    cur: &HeapGraph,
    files: &[PathBuf],
) -> Vec<String> {
    let mut failures = Vec::new();
    let cd = snapshot::analyze(cur);
    // The Memory panel (compare-ui) and the oracle's dump.mjs (compare)
    // both name the base's plain objects with the current snapshot's
    // interface definitions, so both files hold the same rows.
    let bd = snapshot::analyze_with(base, Some(&cd.classes.interfaces));
    let report = snapshot::compare((base, &bd), (cur, &cd), &CompareOptions::default());
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy();
        let name = format!("{name} {file}");
        let expected = json(path);
        let theirs = expected["classes"].as_array().unwrap();
        let ours: std::collections::BTreeMap<&str, _> =
            report.classes.iter().map(|c| (c.key.as_str(), c)).collect();
        if ours.len() != theirs.len() {
            failures.push(format!(
                "[{name}] {} classes vs DevTools {}",
                ours.len(),
                theirs.len()
            ));
        }
        for t in theirs {
            let key = t["key"].as_str().unwrap();
            let Some(o) = ours.get(key) else {
                failures.push(format!("[{name}] class {key:?} missing"));
                continue;
            };
            let got = (
                o.name.as_str(),
                o.change.new,
                o.change.deleted,
                o.change.delta,
                o.change.alloc_size,
                o.change.freed_size,
                o.change.size_delta,
            );
            let want = (
                t["name"].as_str().unwrap(),
                t["new"].as_u64().unwrap(),
                t["deleted"].as_u64().unwrap(),
                t["delta"].as_i64().unwrap(),
                t["allocSize"].as_u64().unwrap(),
                t["freedSize"].as_u64().unwrap(),
                t["sizeDelta"].as_i64().unwrap(),
            );
            if got != want {
                failures.push(format!(
                    "[{name}] class {key:?}: ours {got:?} vs DevTools {want:?}"
                ));
            }
        }
    }
    failures
}

/// The Chromium page's snapshots (fixtures/browser-dom): each Summary, and
/// the Comparison of each with the next, equal DevTools', detached DOM
/// included.
#[test]
fn browser_dom_snapshots_equal_devtools() {
    const STEPS: [&str; 3] = ["baseline", "target", "final"];
    let mut failures = Vec::new();
    for build in ["leak", "fixed"] {
        let dir = fixtures().join("browser-dom").join(build);
        let graphs = STEPS.map(|step| load(&dir.join(format!("{step}.heapsnapshot.gz"))));
        for (step, g) in STEPS.iter().zip(&graphs) {
            let file = dir.join(format!("expected/{step}.summary.devtools.json.gz"));
            failures.extend(
                check_summary_with(&file, g, &snapshot::analyze(g))
                    .into_iter()
                    .map(|f| format!("[{build} {step}] {f}")),
            );
        }
        for k in 1..STEPS.len() {
            let pair = format!("{}-{}", STEPS[k - 1], STEPS[k]);
            let file = dir.join(format!("expected/{pair}.compare.devtools.json"));
            let name = format!("{build} {pair}");
            failures.extend(check_comparison(&name, &graphs[k - 1], &graphs[k], &[file]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
