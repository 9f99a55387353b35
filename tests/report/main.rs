//! Reports and `heapdiff check` through the real binary: JSON reports
//! validate against `docs/report.schema.json`, Markdown and JSON reports
//! are the same bytes for the same inputs, and the CI gate's exit codes.

#[path = "../common/mod.rs"]
mod common;

use std::path::Path;

use common::{fixture, heapdiff, root, text};

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
    let leak = fixture("diff/service-leak");
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
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let p = validate(&out("p.json"));
    assert_eq!(p["body"]["growers"][0]["name"], "rememberRequest");
    let snaps = fixture("snapshot-diff/node-leak");
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
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let s = validate(&out("s.json"));
    assert_eq!(s["body"]["diff_kind"], "snapshot");
    let r = heapdiff(
        &[
            "before.heapsnapshot.gz",
            "after.heapsnapshot.gz",
            "--shallow",
            "-q",
            "--report",
            out("shallow.json").to_str().unwrap(),
        ],
        &snaps,
    );
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let s = validate(&out("shallow.json"));
    assert_eq!(s["body"]["diff_kind"], "shallow-snapshot");
    assert_eq!(s["body"]["comparison"]["mode"], "shallow");
    let tl = fixture("heaptimeline/node-worker");
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
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let t = validate(&out("t.json"));
    assert_eq!(t["body"]["growers"][0]["name"], "leakyCollect");
    // The timeline's leak leads, with the class it made.
    let lead = &t["body"]["live_growth"]["sites"][0];
    assert_eq!(lead["name"], "leakyCollect");
    assert_eq!(lead["classes"][0]["class"], "LeakedEntry");
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
    exits_with(&r, 0);
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
    let dir = fixture("diff/service-leak");
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
    let leak = fixture("diff/service-leak");
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
    assert_eq!(r.status.code(), Some(1), "{}", text(&r.stdout));
    let stdout = text(&r.stdout);
    assert!(
        stdout.contains("FAILED") && stdout.contains("rememberRequest"),
        "{stdout}"
    );
    let v = validate(&report);
    assert_eq!(v["check"]["passed"], false);

    let same = fixture("diff/service-same");
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
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stdout));
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
    let dir = fixture("snapshot-diff/node-leak");
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
    assert!(text(&r.stdout).contains("OrderLine"));
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

/// Runs `check` on the leaking pair with this budget file; the exit code
/// and standard error.
fn check_with_budget_file(budget: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("budget.toml");
    std::fs::write(&file, budget).unwrap();
    let r = heapdiff(
        &[
            "check",
            "before.heapprofile",
            "after.heapprofile",
            "-q",
            "--budget",
            file.to_str().unwrap(),
            "--report",
            tmp.path().join("check.md").to_str().unwrap(),
        ],
        &root().join("fixtures/diff/service-leak"),
    );
    let stderr = String::from_utf8_lossy(&r.stderr).into_owned();
    (
        r.status.code(),
        stderr.replace(file.to_str().unwrap(), "FILE"),
    )
}

#[test]
fn budget_file_errors_name_the_file_and_the_bad_value() {
    let (code, stderr) =
        check_with_budget_file("[[rule]]\nby = \"stack\"\nname = \"x\"\nmax_growth = \"1kB\"\n");
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "heapdiff: error: 'FILE': rule `by = \"stack\"`: expected function, package, script, class or retained\n"
    );
    // `total` is what `max_growth` limits, not a kind of row.
    let (code, stderr) =
        check_with_budget_file("[[rule]]\nby = \"total\"\nname = \"x\"\nmax_growth = \"1kB\"\n");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("rule `by = \"total\"`"), "{stderr}");
    let (code, stderr) = check_with_budget_file("[per]\npackage = \"5 parsecs\"\n");
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "heapdiff: error: 'FILE': budget per.package: `5 parsecs` is not a size (`5MiB`, `500kB`, `1200`) or a percentage (`10%`)\n"
    );
    // Every scope a budget file names is checked by its kind of rows.
    let (code, stderr) = check_with_budget_file(
        "[[rule]]\nby = \"function\"\nname = \"rememberRequest\"\nmax_growth = \"10kB\"\n",
    );
    assert_eq!(code, Some(1), "{stderr}");
    let (code, stderr) = check_with_budget_file("[per]\nclass = \"1kB\"\n");
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "heapdiff: error: class budgets apply to heap snapshots; these are profiles\n"
    );
}

#[test]
fn current_files_with_one_name_are_refused_before_any_is_checked() {
    let leak = root().join("fixtures/diff/service-leak");
    let tmp = tempfile::tempdir().unwrap();
    let same_name = tmp.path().join("after.heapprofile");
    std::fs::copy(leak.join("after.heapprofile"), &same_name).unwrap();
    let r = heapdiff(
        &[
            "check",
            "-q",
            "--baseline",
            "before.heapprofile",
            "after.heapprofile",
            same_name.to_str().unwrap(),
            "--max-growth",
            "100kB",
            "--report",
            tmp.path().join("check.md").to_str().unwrap(),
        ],
        &leak,
    );
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "heapdiff: error: two current files are named 'after.heapprofile'; their reports would overwrite each other\n"
    );
    assert!(r.stdout.is_empty(), "no verdict before the refusal");
    assert!(
        !tmp.path().join("check-after.heapprofile.md").exists(),
        "no report before the refusal"
    );
}

/// A trend report and `trend --format json` follow the schema (the latter
/// its `trendReport` part), and the leaking series' top rows grow every step.
/// The suspects of one snapshot as a JSON report: valid, with the leaking
/// series' `requestLog` array first; the Markdown and HTML reports name it.
#[test]
fn suspects_reports_match_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture("series/leak");
    for name in ["s.json", "s.md", "s.html"] {
        let out = tmp.path().join(name);
        let r = heapdiff(
            &[
                "suspects",
                "snapshot-5.heapsnapshot.gz",
                "--report",
                out.to_str().unwrap(),
            ],
            &dir,
        );
        assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    }
    let v = validate(&tmp.path().join("s.json"));
    let first = &v["body"]["suspects"]["clusters"][0];
    assert_eq!(first["class"], "Array");
    assert_eq!(first["holds"][0]["class"], "RequestRecord");
    for name in ["s.md", "s.html"] {
        let page = std::fs::read_to_string(tmp.path().join(name)).unwrap();
        assert!(page.contains("in 911 RequestRecord"), "{name}");
    }
}

#[test]
fn trend_reports_match_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("trend.json");
    let dir = root().join("fixtures/trend/leak");
    let peeks = [
        "peek-1.heapprofile",
        "peek-2.heapprofile",
        "peek-3.heapprofile",
        "peek-4.heapprofile",
        "peek-5.heapprofile",
    ];
    let mut args = vec!["trend"];
    args.extend(peeks);
    args.extend(["-q", "--report", report.to_str().unwrap()]);
    let r = heapdiff(&args, &dir);
    exits_with(&r, 0);
    let doc = validate(&report);
    assert_eq!(doc["body"]["diff_kind"], "trend");
    assert_eq!(
        doc["body"]["trend"]["rows"][0]["verdict"],
        "grows every step"
    );

    // `check --trend` writes the same body with its check section.
    let check = tmp.path().join("check.json");
    let mut args = vec!["check", "--trend"];
    args.extend(peeks);
    args.extend([
        "-q",
        "--max-step-growth",
        "20kB",
        "--report",
        check.to_str().unwrap(),
    ]);
    let r = heapdiff(&args, &dir);
    exits_with(&r, 1);
    let doc = validate(&check);
    assert_eq!(doc["check"]["passed"], false);

    let mut args = vec!["trend"];
    args.extend(peeks);
    args.extend(["--format", "json", "--ops", "1,2,3,4,5", "--by", "stack"]);
    let r = heapdiff(&args, &dir);
    exits_with(&r, 0);
    let value = validate_part("trendReport", &r.stdout);
    assert!(value["rows"][0]["per_op"].is_array());
}

/// `r` exited with `code`; its standard error is shown when not.
fn exits_with(r: &std::process::Output, code: i32) {
    assert_eq!(r.status.code(), Some(code), "{}", text(&r.stderr));
}

/// `trend --format json` output, validated against the schema's
/// `trendReport` part.
fn trend_json(stdout: &[u8]) -> serde_json::Value {
    validate_part("trendReport", stdout)
}

/// Checks `json` against one definition of the schema (`$defs/NAME`, its
/// references kept) and returns it parsed.
fn validate_part(name: &str, json: &[u8]) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    schema["$ref"] = format!("#/$defs/{name}").into();
    for key in ["required", "properties", "additionalProperties", "type"] {
        schema.as_object_mut().unwrap().remove(key);
    }
    let v = jsonschema::validator_for(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_slice(json).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    value
}

/// The rows of `heapdiff trend` over one case of `fixtures/series`: its
/// three snapshots, or its five peeks.
fn series_trend(case: &str, snapshots: bool) -> Vec<serde_json::Value> {
    let dir = root().join("fixtures/series").join(case);
    let files: Vec<String> = if snapshots {
        [1, 3, 5]
            .iter()
            .map(|k| format!("snapshot-{k}.heapsnapshot.gz"))
            .collect()
    } else {
        (1..=5)
            .map(|k| format!("peek-{k}.heapprofile.gz"))
            .collect()
    };
    let mut args = vec!["trend", "--format", "json", "--top", "0"];
    args.extend(files.iter().map(String::as_str));
    let r = heapdiff(&args, &dir);
    exits_with(&r, 0);
    let value = trend_json(&r.stdout);
    value["rows"].as_array().unwrap().clone()
}

/// Rows of the service's own code: classes and functions of its scripts.
fn application(row: &serde_json::Value) -> bool {
    row["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("/tmp/heapdiff-series/src/"))
}

/// fixtures/series/README.md: in the leaking build, the leak's classes and
/// allocation sites are the top application rows and grow every step,
/// with the objects of batches 2 and 3 surviving to the last snapshot
/// (matched by id and class); the fixed and control builds have no
/// application row that grows every step, in snapshots or in peeks.
#[test]
fn series_trends_find_the_leak_and_nothing_in_the_fixed_builds() {
    let rows = series_trend("leak", true);
    let top: Vec<&serde_json::Value> = rows.iter().filter(|r| application(r)).take(3).collect();
    let names: Vec<&str> = top.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["RequestRecord", "Order", "OrderLine"]);
    for (row, survived) in top.iter().zip([377, 377, 1131]) {
        assert_eq!(row["verdict"], "grows every step", "{row}");
        assert_eq!(row["class"]["survived"], survived, "{row}");
    }
    assert_eq!(
        top[0]["class"]["retained"],
        serde_json::json!([203_904, 638_208, 1_049_472])
    );
    assert!(
        rows.iter()
            .position(|r| r["name"] == "RequestRecord")
            .unwrap()
            < 3
    );

    let rows = series_trend("leak", false);
    let leaking = [
        "parseOrder",
        "(anonymous)",
        "RequestRecord",
        "rememberRequest",
    ];
    let top: Vec<&serde_json::Value> = rows.iter().filter(|r| application(r)).take(4).collect();
    for row in &top {
        assert_eq!(row["verdict"], "grows every step", "{row}");
        assert!(leaking.contains(&row["name"].as_str().unwrap()), "{row}");
    }

    for case in ["fixed", "control"] {
        for snapshots in [true, false] {
            for row in series_trend(case, snapshots)
                .iter()
                .filter(|r| application(r))
            {
                assert_ne!(row["verdict"], "grows every step", "{case}: {row}");
            }
        }
    }
    // The LRU warming up (25,576 → 26,856 → 26,928 B) grew once.
    let rows = series_trend("fixed", true);
    let lru = rows.iter().find(|r| r["name"] == "LruCache").unwrap();
    assert_eq!(
        lru["class"]["retained"],
        serde_json::json!([25_576, 26_856, 26_928])
    );
    assert_eq!(lru["verdict"], "one-off");
}

/// A leaks report and `leaks --format json` follow the schema, and the
/// report holds every cluster whatever `--top` says.
#[test]
fn leaks_reports_match_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("leaks.json");
    let dir = root().join("fixtures/series/leak");
    let snapshots = [
        "snapshot-1.heapsnapshot.gz",
        "snapshot-3.heapsnapshot.gz",
        "snapshot-5.heapsnapshot.gz",
    ];
    let mut args = vec!["leaks", "-q", "--top", "1", "--format", "json"];
    args.extend(snapshots);
    args.extend(["--report", report.to_str().unwrap()]);
    let r = heapdiff(&args, &dir);
    exits_with(&r, 0);
    let printed = validate_part("leaksReport", &r.stdout);
    assert_eq!(printed["clusters"].as_array().unwrap().len(), 1);
    let doc = validate(&report);
    assert_eq!(doc["body"]["diff_kind"], "leaks");
    let leaks = &doc["body"]["leaks"];
    assert_eq!(leaks["clusters"][0]["class"], "RequestRecord");
    assert_eq!(
        leaks["clusters"].as_array().unwrap().len() as u64,
        leaks["clusters_total"].as_u64().unwrap()
    );
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 3);

    // The HTML page lists the same clusters, the leak first.
    let html = tmp.path().join("leaks.html");
    let mut args = vec!["leaks", "-q"];
    args.extend(snapshots);
    args.extend(["--report", html.to_str().unwrap()]);
    assert_eq!(heapdiff(&args, &dir).status.code(), Some(0));
    let page = std::fs::read_to_string(&html).unwrap();
    let first = page
        .find("<li>#1 <b>RequestRecord</b>")
        .expect("the leak first");
    assert!(page[first..].contains(">cache.js:37:14</span>"));
    assert!(page[first..].contains(".requestLog Array"));
}
