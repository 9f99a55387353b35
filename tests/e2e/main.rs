//! End-to-end tests: every `[[run]]` of every `fixtures/**/case.toml` runs
//! through the real binary, once with `--threads 1` and once with
//! `--threads 4`; both must give the same bytes, equal to the committed
//! expected files (stdout, stderr, exit code, written files). The runs
//! execute on one worker per core; their outputs are then checked against
//! the expected files in case order, on one thread.
//!
//! Adding a test means adding a case directory; no Rust changes. Set
//! `HEAPDIFF_BLESS=1` to rewrite expected files that differ. A missing
//! expected file is written and the test fails, so no golden lands unread.
//! Files named `*.devtools.*` are oracle output and are never written.

mod case;
mod leaks;
mod shallow;
mod sourcemap;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use case::{Case, Run};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn find_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            find_cases(&p, out);
        } else if p.file_name().is_some_and(|n| n == "case.toml") {
            out.push(p.parent().unwrap().to_path_buf());
        }
    }
}

struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    code: i32,
    files: Vec<(String, Vec<u8>)>,
}

fn execute(case_dir: &Path, run: &Run, threads: u32) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let tmp_str = tmp.path().to_str().unwrap().to_string();
    let mut args: Vec<String> = run
        .args
        .iter()
        .map(|a| a.replace("{tmp}", &tmp_str))
        .collect();
    if run.threads {
        args.push("--threads".into());
        args.push(threads.to_string());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(&args)
        .current_dir(case_dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // Temporary paths must not leak into goldens.
    let clean = |b: Vec<u8>| {
        String::from_utf8_lossy(&b)
            .replace(&tmp_str, "{tmp}")
            .into_bytes()
    };
    let files = run
        .files
        .keys()
        .map(|name| {
            (
                name.clone(),
                clean(std::fs::read(tmp.path().join(name)).unwrap_or_default()),
            )
        })
        .collect();
    Outcome {
        stdout: clean(out.stdout),
        stderr: clean(out.stderr),
        code: out.status.code().unwrap_or(-1),
        files,
    }
}

/// Compares `actual` with the expected file; returns a failure message.
fn check_golden(path: &Path, actual: &[u8], bless: bool) -> Option<String> {
    let is_oracle = path.to_string_lossy().contains(".devtools.");
    match std::fs::read(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => {
            if bless && !is_oracle {
                std::fs::write(path, actual).unwrap();
                return None;
            }
            let e = String::from_utf8_lossy(&expected);
            let a = String::from_utf8_lossy(actual);
            let diff = similar::TextDiff::from_lines(&e, &a)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            let diff: String = diff.lines().take(60).collect::<Vec<_>>().join("\n");
            Some(format!("{} differs:\n{diff}", path.display()))
        }
        Err(_) if is_oracle => Some(format!(
            "{} is missing (oracle files are never generated here)",
            path.display()
        )),
        Err(_) => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, actual).unwrap();
            Some(format!(
                "{} was missing; written now, review and commit it",
                path.display()
            ))
        }
    }
}

/// The outputs of one run: on one thread, and on four when the run
/// compares them.
struct Outcomes {
    one: Outcome,
    four: Option<Outcome>,
}

fn execute_run(case_dir: &Path, run: &Run) -> Outcomes {
    Outcomes {
        one: execute(case_dir, run, 1),
        four: run.threads.then(|| execute(case_dir, run, 4)),
    }
}

fn check_run(case_dir: &Path, run: &Run, outcomes: &Outcomes, bless: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let one = &outcomes.one;
    if let Some(four) = &outcomes.four {
        if one.stdout != four.stdout || one.files != four.files || one.code != four.code {
            failures.push(format!(
                "{:?}: output differs between --threads 1 and --threads 4",
                run.args
            ));
        }
    }
    if one.code != run.exit {
        failures.push(format!(
            "{:?}: exit code {} instead of {}; stderr: {}",
            run.args,
            one.code,
            run.exit,
            String::from_utf8_lossy(&one.stderr)
        ));
    }
    if let Some(stdout) = &run.stdout {
        failures.extend(check_golden(&case_dir.join(stdout), &one.stdout, bless));
    }
    if let Some(stderr) = &run.stderr {
        failures.extend(check_golden(&case_dir.join(stderr), &one.stderr, bless));
    } else if run.exit == 0 && !run.allow_stderr && !one.stderr.is_empty() {
        failures.push(format!(
            "{:?}: unexpected stderr: {}",
            run.args,
            String::from_utf8_lossy(&one.stderr)
        ));
    }
    for (name, content) in &one.files {
        failures.extend(check_golden(
            &case_dir.join(&run.files[name]),
            content,
            bless,
        ));
    }
    for check in &run.contains {
        if !String::from_utf8_lossy(&one.stdout).contains(check.as_str()) {
            failures.push(format!("{:?}: stdout does not contain {check:?}", run.args));
        }
    }
    failures
}

/// Every run of every case directory, in directory order.
fn all_runs(dirs: &[PathBuf]) -> Vec<(&Path, Run)> {
    dirs.iter()
        .flat_map(|dir| {
            let case = Case::load(&dir.join("case.toml"));
            case.run.into_iter().map(move |run| (dir.as_path(), run))
        })
        .collect()
}

/// Executes the runs on one worker per core (each run is a process of its
/// own, most of them on one thread); returns the outcomes in run order.
fn execute_all(runs: &[(&Path, Run)]) -> Vec<Outcomes> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(runs.len()));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((dir, run)) = runs.get(i) else { break };
                    let outcomes = execute_run(dir, run);
                    done.lock().unwrap().push((i, outcomes));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, outcomes)| outcomes).collect()
}

#[test]
fn fixture_cases() {
    let bless = std::env::var_os("HEAPDIFF_BLESS").is_some_and(|v| v == "1");
    let mut dirs = Vec::new();
    find_cases(&repo_root().join("fixtures"), &mut dirs);
    assert!(!dirs.is_empty(), "no fixture cases found");
    let runs = all_runs(&dirs);
    assert!(!runs.is_empty(), "no runs in any case.toml");
    // Golden files are read (and blessed) on this thread only, in run order.
    let mut failures = Vec::new();
    for ((dir, run), outcomes) in runs.iter().zip(execute_all(&runs)) {
        for f in check_run(dir, run, &outcomes, bless) {
            failures.push(format!(
                "[{}] {f}",
                dir.strip_prefix(repo_root()).unwrap_or(dir).display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {} runs:\n\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}

/// Runs the binary in `fixtures/diff/service-leak` and parses its JSON.
fn diff_json(args: &[&str]) -> serde_json::Value {
    json_in(&repo_root().join("fixtures/diff/service-leak"), args)
}

/// Runs the binary in `dir`, checks it succeeded, and parses its JSON.
fn json_in(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The acceptance check: on the real fixed/leaky pair, the leaking
/// allocation site is the top grower, well beyond sampling noise.
#[test]
fn leaking_site_is_the_top_grower() {
    let report = diff_json(&[
        "before.heapprofile",
        "after.heapprofile",
        "--format",
        "json",
        "-q",
    ]);
    let top = &report["rows"][0];
    assert_eq!(top["name"], "rememberRequest");
    assert!(top["url"].as_str().unwrap().ends_with("cache.js"));
    assert_eq!(top["status"], "grew");
    assert_eq!(top["noise"], false);
    assert!(top["delta"].as_i64().unwrap() > 1_000_000);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["kind"], "diff");
}

/// A profile diffed against itself shows no growth anywhere.
#[test]
fn a_profile_against_itself_shows_no_growth() {
    let report = diff_json(&[
        "after.heapprofile",
        "after.heapprofile",
        "--format",
        "json",
        "--top",
        "0",
        "-q",
    ]);
    let rows = report["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["delta"] == 0 && r["status"] == "same")
    );
    assert_eq!(report["totals"]["delta"], 0);
}

/// The differential flame graph draws the leaking function in the "grew"
/// colour family, under its callers, which grew too.
#[test]
fn flame_graph_shows_the_leak_and_its_callers_as_grown() {
    let svg =
        std::fs::read_to_string(repo_root().join("fixtures/diff/service-leak/expected/diff.svg"))
            .unwrap();
    let frames: Vec<&str> = svg.split("<g class=\"frame\">").skip(1).collect();
    let of = |name: &str| -> Vec<&str> {
        frames
            .iter()
            .copied()
            .filter(|f| f.starts_with(&format!("<title>{name} (")))
            .collect()
    };
    let leak = of("rememberRequest");
    assert!(!leak.is_empty(), "rememberRequest is drawn");
    for frame in leak {
        let fill = frame.split("fill=\"").nth(1).unwrap().get(..7).unwrap();
        // Vermillion (#D55E00) blended toward white: red high, blue lower.
        let rgb = |i: usize| u8::from_str_radix(&fill[1 + 2 * i..3 + 2 * i], 16).unwrap();
        assert!(rgb(0) > 0xD0 && rgb(2) < rgb(0), "leak drawn as {fill}");
        assert!(frame.contains("Δ: +"), "{frame}");
    }
    for caller in ["endReadableNT", "processTicksAndRejections"] {
        assert!(
            of(caller).iter().all(|f| f.contains("Δ: +")),
            "{caller} should have grown"
        );
    }
}

/// Top function names of `heapdiff top FILE ARGS… --format json`, run in
/// `dir`.
fn top_names(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "top",
        "app.heapprofile",
        "--top",
        "8",
        "--format",
        "json",
        "-q",
    ];
    all.extend(args);
    json_in(dir, &all)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The esbuild profile pointed at a copy of its bundle on this machine:
/// the bundle's `sourceMappingURL` is followed without any flag, names are
/// recovered from the script's text (the class `E` is `RequestRecord`), and
/// `--no-source-maps` keeps the generated names.
#[test]
fn a_local_bundle_names_its_map_and_no_source_maps_turns_it_off() {
    let fixture = repo_root().join("fixtures/sourcemap/esbuild");
    let tmp = tempfile::tempdir().unwrap();
    for f in ["app.min.js", "app.min.js.map"] {
        std::fs::copy(fixture.join(f), tmp.path().join(f)).unwrap();
    }
    let profile = std::fs::read_to_string(fixture.join("app.heapprofile")).unwrap();
    let here = tmp.path().join("app.min.js").display().to_string();
    std::fs::write(
        tmp.path().join("app.heapprofile"),
        profile.replace("/tmp/heapdiff-sourcemap-fixture/app.min.js", &here),
    )
    .unwrap();
    let mapped = top_names(tmp.path(), &[]);
    for name in ["main", "handleRequest", "RequestRecord", "remember"] {
        assert!(mapped.iter().any(|n| n == name), "{name} in {mapped:?}");
    }
    let generated = top_names(tmp.path(), &["--no-source-maps"]);
    assert!(generated.iter().any(|n| n == "tt"), "{generated:?}");
    assert!(!generated.iter().any(|n| n == "main"), "{generated:?}");
}
