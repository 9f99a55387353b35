//! Reports and `heapdiff check` through the real binary: JSON reports
//! validate against `docs/report.schema.json`, Markdown and JSON reports
//! are the same bytes for the same inputs, and the CI gate's exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn heapdiff(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn validate(report: &Path) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let v = schema();
    let errors: Vec<String> = v
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{}: {}",
        report.display(),
        errors.join("\n")
    );
    value
}

#[test]
fn json_reports_match_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let out = |name: &str| tmp.path().join(name);
    let leak = root().join("fixtures/diff/service-leak");
    let r = heapdiff(
        &[
            "before.heapprofile",
            "after.heapprofile",
            "-q",
            "--report",
            out("p.json").to_str().unwrap(),
        ],
        &leak,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let p = validate(&out("p.json"));
    assert_eq!(p["body"]["growers"][0]["name"], "rememberRequest");
    let snaps = root().join("fixtures/snapshot-diff/node-leak");
    let r = heapdiff(
        &[
            "before.heapsnapshot.gz",
            "after.heapsnapshot.gz",
            "-q",
            "--report",
            out("s.json").to_str().unwrap(),
        ],
        &snaps,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let s = validate(&out("s.json"));
    assert_eq!(s["body"]["diff_kind"], "snapshot");
    let tl = root().join("fixtures/heaptimeline/node-worker");
    let r = heapdiff(
        &[
            "spans",
            "input.heaptimeline.gz",
            "--before",
            "0%..50%",
            "--after",
            "50%..100%",
            "-q",
            "--report",
            out("t.json").to_str().unwrap(),
        ],
        &tl,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let t = validate(&out("t.json"));
    assert_eq!(t["body"]["growers"][0]["name"], "leakyCollect");
}

#[test]
fn reports_list_the_source_maps_applied_and_name_original_functions() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("m.json");
    let dir = root().join("fixtures/sourcemap/esbuild");
    let r = heapdiff(
        &[
            "app.heapprofile",
            "inline.heapprofile",
            "-q",
            "--source-map",
            "app.min.js.map",
            // The inline bundle's script is not on this machine: its map
            // is named by URL.
            "--source-map",
            "/tmp/heapdiff-sourcemap-fixture/app.inline.js=app.min.js.map",
            "--report",
            report.to_str().unwrap(),
        ],
        &dir,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let doc = validate(&report);
    let maps: Vec<&serde_json::Value> = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "source map")
        .collect();
    let details: Vec<&str> = maps.iter().filter_map(|m| m["detail"].as_str()).collect();
    assert_eq!(
        details,
        [
            "applied to /tmp/heapdiff-sourcemap-fixture/app.inline.js",
            "applied to /tmp/heapdiff-sourcemap-fixture/app.min.js"
        ]
    );
    assert!(maps.iter().all(|m| m["name"] == "app.min.js.map"));
    let names: Vec<&str> = doc["body"]["growers"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["body"]["shrinkers"].as_array().into_iter().flatten())
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(names.contains(&"handleRequest"), "{names:?}");
    assert!(!names.contains(&"Z"), "{names:?}");
}

#[test]
fn reports_are_deterministic() {
    let dir = root().join("fixtures/diff/service-leak");
    let tmp = tempfile::tempdir().unwrap();
    for ext in ["md", "json", "html"] {
        let a = tmp.path().join(format!("a.{ext}"));
        let b = tmp.path().join(format!("b.{ext}"));
        for (path, threads) in [(&a, "1"), (&b, "4")] {
            let r = heapdiff(
                &[
                    "before.heapprofile",
                    "after.heapprofile",
                    "-q",
                    "--threads",
                    threads,
                    "--report",
                    path.to_str().unwrap(),
                ],
                &dir,
            );
            assert_eq!(r.status.code(), Some(0));
        }
        // The command line differs in --threads and the output name only.
        let clean = |p: &Path| {
            String::from_utf8(std::fs::read(p).unwrap())
                .unwrap()
                .replace("--threads 4", "--threads 1")
                .replace(&b.display().to_string(), &a.display().to_string())
        };
        assert_eq!(clean(&a), clean(&b), "{ext} report differs between runs");
    }
}

#[test]
fn check_fails_on_the_leak_and_passes_on_two_fixed_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("check.json");
    let leak = root().join("fixtures/diff/service-leak");
    let r = heapdiff(
        &[
            "check",
            "before.heapprofile",
            "after.heapprofile",
            "-q",
            "--max-growth",
            "20%",
            "--max-function-growth",
            "200kB",
            "--report",
            report.to_str().unwrap(),
        ],
        &leak,
    );
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains("FAILED") && stdout.contains("rememberRequest"),
        "{stdout}"
    );
    let v = validate(&report);
    assert_eq!(v["check"]["passed"], false);

    let same = root().join("fixtures/diff/service-same");
    let r = heapdiff(
        &[
            "check",
            "before.heapprofile",
            "after.heapprofile",
            "-q",
            "--max-growth",
            "20%",
            "--max-function-growth",
            "200kB",
        ],
        &same,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    assert!(
        !same.join("heapdiff-check.md").exists(),
        "no report is written when the check passes"
    );

    // The same budgets from a committed budget file, against a baseline.
    let budget = tmp.path().join("budget.toml");
    std::fs::write(
        &budget,
        "max_growth = \"20%\"\n[per]\nfunction = \"200kB\"\n",
    )
    .unwrap();
    let md = tmp.path().join("check.md");
    let r = heapdiff(
        &[
            "check",
            "--baseline",
            "before.heapprofile",
            "after.heapprofile",
            "-q",
            "--budget",
            budget.to_str().unwrap(),
            "--report",
            md.to_str().unwrap(),
        ],
        &leak,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .contains("**Check failed**")
    );
}

#[test]
fn check_on_snapshots_uses_class_budgets() {
    let dir = root().join("fixtures/snapshot-diff/node-leak");
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("c.md");
    let r = heapdiff(
        &[
            "check",
            "before.heapsnapshot.gz",
            "after.heapsnapshot.gz",
            "-q",
            "--max-class-growth",
            "60kB",
            "--report",
            report.to_str().unwrap(),
        ],
        &dir,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stdout).contains("OrderLine"));
    let r = heapdiff(
        &[
            "check",
            "before.heapsnapshot.gz",
            "after.heapsnapshot.gz",
            "-q",
            "--max-function-growth",
            "1MB",
        ],
        &dir,
    );
    assert_eq!(
        r.status.code(),
        Some(2),
        "function budgets do not apply to snapshots"
    );
}
