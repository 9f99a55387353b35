//! `heapdiff export`: the pprof, speedscope and folded files of real
//! fixtures, decoded independently of the code that wrote them.
//!
//! * pprof: a protobuf decoder of a few lines below (varints and
//!   length-delimited fields) checks the structure profile.proto asks for,
//!   and that the samples are exactly heapdiff's own folded stacks and total.
//! * speedscope: the same, through serde_json.
//! * `pprof-format` (npm), a third-party decoder, through
//!   `scripts/export-check/check-pprof.mjs`, when `node` is installed.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: [&str; 2] = [
    "fixtures/heapprofile/worked-example/input.heapprofile",
    "fixtures/diff/service-leak/after.heapprofile",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn heapdiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .arg("-q")
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run heapdiff")
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = heapdiff(args);
    assert!(
        out.status.success(),
        "heapdiff {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `heapdiff top FILE --format json` → `totals.total`.
fn top_total(file: &str, extra: &[&str]) -> u64 {
    let mut args = vec!["top", file, "--format", "json"];
    args.extend_from_slice(extra);
    let v: serde_json::Value = serde_json::from_slice(&ok(&args)).unwrap();
    v["totals"]["total"].as_u64().expect("totals.total")
}

/// The three files of one `heapdiff export` run.
struct Exported {
    _dir: tempfile::TempDir,
    pprof: PathBuf,
    speedscope: PathBuf,
    folded: PathBuf,
}

fn export(file: &str, extra: &[&str]) -> Exported {
    let dir = tempfile::tempdir().unwrap();
    let pprof = dir.path().join("out.pb.gz");
    let speedscope = dir.path().join("out.json");
    let folded = dir.path().join("out.folded");
    let mut args = vec![
        "export",
        file,
        "--pprof",
        pprof.to_str().unwrap(),
        "--speedscope",
        speedscope.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = ok(&args);
    assert!(out.is_empty(), "export writes files only");
    Exported {
        _dir: dir,
        pprof,
        speedscope,
        folded,
    }
}

// ---- a minimal protobuf decoder ----------------------------------------

#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = buf[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
    }
    panic!("varint longer than 10 bytes");
}

/// The fields of one message, in order.
fn fields(buf: &[u8]) -> Vec<(u64, Value<'_>)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < buf.len() {
        let key = varint(buf, &mut at);
        let value = match key & 7 {
            0 => Value::Varint(varint(buf, &mut at)),
            2 => {
                let len = usize::try_from(varint(buf, &mut at)).unwrap();
                let v = &buf[at..at + len];
                at += len;
                Value::Bytes(v)
            }
            w => panic!("unexpected wire type {w} of field {}", key >> 3),
        };
        out.push((key >> 3, value));
    }
    out
}

fn uint(fields: &[(u64, Value<'_>)], field: u64) -> u64 {
    let mut v = 0;
    for &(f, x) in fields {
        if f == field {
            match x {
                Value::Varint(n) => v = n,
                Value::Bytes(_) => panic!("field {field} is not a varint"),
            }
        }
    }
    v
}

fn message<'a>(fields: &[(u64, Value<'a>)], field: u64) -> Vec<&'a [u8]> {
    fields
        .iter()
        .filter(|(f, _)| *f == field)
        .map(|&(_, x)| match x {
            Value::Bytes(b) => b,
            Value::Varint(_) => panic!("field {field} is not length-delimited"),
        })
        .collect()
}

/// A repeated integer field, packed or not.
fn repeated(fields: &[(u64, Value<'_>)], field: u64) -> Vec<u64> {
    let mut out = Vec::new();
    for &(f, x) in fields {
        if f == field {
            match x {
                Value::Varint(n) => out.push(n),
                Value::Bytes(b) => {
                    let mut at = 0;
                    while at < b.len() {
                        out.push(varint(b, &mut at));
                    }
                }
            }
        }
    }
    out
}

struct Function {
    name: String,
    filename: String,
    start_line: u64,
}

struct Location {
    function_id: u64,
    line: u64,
    column: u64,
}

struct Pprof {
    strings: Vec<String>,
    sample_types: Vec<(String, String)>,
    period_type: (String, String),
    period: u64,
    samples: Vec<(Vec<u64>, Vec<u64>)>,
    locations: BTreeMap<u64, Location>,
    functions: BTreeMap<u64, Function>,
}

fn decode_pprof(gz: &[u8]) -> Pprof {
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "gzip magic");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .unwrap();
    let top = fields(&raw);
    let strings: Vec<String> = message(&top, 6)
        .into_iter()
        .map(|b| String::from_utf8(b.to_vec()).unwrap())
        .collect();
    let s = |i: u64| strings[usize::try_from(i).unwrap()].clone();
    let value_type = |b: &[u8]| {
        let f = fields(b);
        (s(uint(&f, 1)), s(uint(&f, 2)))
    };
    let sample_types = message(&top, 1).into_iter().map(value_type).collect();
    let period_type = value_type(message(&top, 11).first().expect("period_type"));
    let samples = message(&top, 2)
        .into_iter()
        .map(|b| {
            let f = fields(b);
            (repeated(&f, 1), repeated(&f, 2))
        })
        .collect();
    let mut locations = BTreeMap::new();
    for b in message(&top, 4) {
        let f = fields(b);
        let lines = message(&f, 4);
        assert_eq!(lines.len(), 1, "one Line per Location");
        let line = fields(lines[0]);
        let loc = Location {
            function_id: uint(&line, 1),
            line: uint(&line, 2),
            column: uint(&line, 3),
        };
        assert!(
            locations.insert(uint(&f, 1), loc).is_none(),
            "location ids are unique"
        );
    }
    let mut functions = BTreeMap::new();
    for b in message(&top, 5) {
        let f = fields(b);
        let func = Function {
            name: s(uint(&f, 2)),
            filename: s(uint(&f, 4)),
            start_line: uint(&f, 5),
        };
        assert_eq!(s(uint(&f, 3)), func.name, "system_name");
        assert!(
            functions.insert(uint(&f, 1), func).is_none(),
            "function ids are unique"
        );
    }
    Pprof {
        period: uint(&top, 12),
        strings,
        sample_types,
        period_type,
        samples,
        locations,
        functions,
    }
}

// ---- folded stacks, rebuilt -------------------------------------------

/// heapdiff's frame label (`name (url:line:col)`) made safe for the folded
/// format as `heapdiff collapse` does.
fn label(name: &str, file: &str, line: Option<u64>, col: Option<u64>) -> String {
    let loc = match (file.is_empty(), line, col) {
        (true, _, _) => String::new(),
        (false, Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (false, Some(l), None) => format!("{file}:{l}"),
        (false, None, _) => file.to_string(),
    };
    let label = if loc.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({loc})")
    };
    label
        .chars()
        .map(|c| match c {
            ';' => '\u{FF1B}',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect()
}

fn read_folded(path: &Path) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let (stack, n) = line.rsplit_once(' ').unwrap();
        *out.entry(stack.to_string()).or_default() += n.parse::<u64>().unwrap();
    }
    out
}

fn folded_from_pprof(p: &Pprof) -> BTreeMap<String, u64> {
    let nonzero = |v: u64| (v > 0).then_some(v);
    let mut out = BTreeMap::new();
    for (ids, values) in &p.samples {
        let frames: Vec<String> = ids
            .iter()
            .rev()
            .map(|id| {
                let loc = &p.locations[id];
                let f = &p.functions[&loc.function_id];
                label(&f.name, &f.filename, nonzero(loc.line), nonzero(loc.column))
            })
            .collect();
        *out.entry(frames.join(";")).or_default() += values[0];
    }
    out
}

fn check_pprof(file: &str, e: &Exported, total: u64) {
    let p = decode_pprof(&std::fs::read(&e.pprof).unwrap());
    assert_eq!(p.strings[0], "", "{file}: string_table[0]");
    let space = ("space".to_string(), "bytes".to_string());
    assert_eq!(p.sample_types.len(), 1, "{file}: sample types");
    assert_eq!(p.sample_types[0], space, "{file}: sample type");
    assert_eq!(p.period_type, space, "{file}: period type");
    assert!(p.period >= 1, "{file}: period");
    assert!(!p.samples.is_empty(), "{file}: samples");
    for (ids, values) in &p.samples {
        assert_eq!(values.len(), 1, "{file}: one value per sample type");
        assert!(values[0] > 0, "{file}: no empty samples");
        assert!(!ids.is_empty(), "{file}: every sample has a stack");
        for id in ids {
            assert!(p.locations.contains_key(id), "{file}: location {id}");
        }
    }
    let sum: u64 = p.samples.iter().map(|(_, v)| v[0]).sum();
    assert_eq!(sum, total, "{file}: Σ sample values");
    for (id, loc) in &p.locations {
        assert_ne!(*id, 0, "{file}: location ids are nonzero");
        let f = p
            .functions
            .get(&loc.function_id)
            .unwrap_or_else(|| panic!("{file}: function {}", loc.function_id));
        assert_eq!(f.start_line, loc.line, "{file}: start_line");
    }
    // Function names (with files and positions) and stacks are exactly
    // heapdiff's own folded output.
    assert_eq!(
        folded_from_pprof(&p),
        read_folded(&e.folded),
        "{file}: pprof stacks vs folded"
    );
}

fn check_speedscope(file: &str, e: &Exported, total: u64) {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&e.speedscope).unwrap()).unwrap();
    assert_eq!(
        v["$schema"],
        "https://www.speedscope.app/file-format-schema.json"
    );
    assert_eq!(v["activeProfileIndex"], 0);
    assert!(v["exporter"].as_str().unwrap().starts_with("heapdiff "));
    let frames = v["shared"]["frames"].as_array().unwrap();
    let labels: Vec<String> = frames
        .iter()
        .map(|f| {
            label(
                f["name"].as_str().unwrap(),
                f["file"].as_str().unwrap_or(""),
                f["line"].as_u64(),
                f["col"].as_u64(),
            )
        })
        .collect();
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p["type"], "sampled");
    assert_eq!(p["unit"], "bytes");
    assert_eq!(p["startValue"], 0);
    assert_eq!(p["endValue"].as_u64(), Some(total), "{file}: endValue");
    let samples = p["samples"].as_array().unwrap();
    let weights = p["weights"].as_array().unwrap();
    assert_eq!(samples.len(), weights.len());
    let sum: u64 = weights.iter().map(|w| w.as_u64().unwrap()).sum();
    assert_eq!(sum, total, "{file}: Σ weights");
    let mut folded = BTreeMap::new();
    for (stack, w) in samples.iter().zip(weights) {
        let stack: Vec<&str> = stack
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let i = usize::try_from(i.as_u64().unwrap()).unwrap();
                assert!(i < frames.len(), "{file}: frame index {i}");
                labels[i].as_str()
            })
            .collect();
        *folded.entry(stack.join(";")).or_default() += w.as_u64().unwrap();
    }
    assert_eq!(
        folded,
        read_folded(&e.folded),
        "{file}: speedscope stacks (root first) vs folded"
    );
}

#[test]
fn pprof_and_speedscope_carry_heapdiffs_stacks_and_total() {
    for file in FIXTURES {
        let total = top_total(file, &[]);
        let e = export(file, &[]);
        check_pprof(file, &e, total);
        check_speedscope(file, &e, total);
        // The folded file is `heapdiff collapse`.
        assert_eq!(
            std::fs::read(&e.folded).unwrap(),
            ok(&["collapse", file]),
            "{file}: folded"
        );
    }
}

#[test]
fn focus_ignore_and_span_apply_as_in_top() {
    let file = FIXTURES[1];
    for extra in [
        &["--focus", "cache\\.js"][..],
        &["--ignore", "cache\\.js"][..],
        &["--span", "50%..100%"][..],
    ] {
        let total = top_total(file, extra);
        let e = export(file, extra);
        check_pprof(file, &e, total);
        check_speedscope(file, &e, total);
    }
}

#[test]
fn timelines_export_their_allocation_stacks() {
    let file = "fixtures/heaptimeline/worked-example-t/input.heaptimeline";
    let e = export(file, &[]);
    let total: u64 = read_folded(&e.folded).values().sum();
    assert!(total > 0);
    check_pprof(file, &e, total);
    check_speedscope(file, &e, total);
}

#[test]
fn output_is_deterministic_across_runs_and_threads() {
    let file = FIXTURES[1];
    let a = export(file, &["--threads", "1"]);
    let b = export(file, &["--threads", "4"]);
    assert_eq!(
        std::fs::read(&a.pprof).unwrap(),
        std::fs::read(&b.pprof).unwrap()
    );
    assert_eq!(
        std::fs::read(&a.speedscope).unwrap(),
        std::fs::read(&b.speedscope).unwrap()
    );
}

#[test]
fn an_output_is_required() {
    let out = heapdiff(&["export", FIXTURES[0]]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--pprof"), "{stderr}");
}

/// Decodes the pprof files with the `pprof-format` npm package. Skipped
/// (with a note) where `node` is not installed; installs the package with
/// `npm ci` when it is missing.
#[test]
fn pprof_format_decodes_the_profile() {
    let root = repo_root();
    let check = root.join("scripts/export-check");
    let has_node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_node {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: node is not installed");
        return;
    }
    if !check.join("node_modules/pprof-format").exists() {
        let st = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&check)
            .status()
            .expect("run npm ci");
        assert!(st.success(), "npm ci --prefix scripts/export-check failed");
    }
    for file in FIXTURES {
        let total = top_total(file, &[]);
        let e = export(file, &[]);
        let out = Command::new("node")
            .arg(check.join("check-pprof.mjs"))
            .arg(&e.pprof)
            .output()
            .expect("run node");
        assert!(
            out.status.success(),
            "check-pprof.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["sample_types"],
            serde_json::json!([["space", "bytes"]]),
            "{file}"
        );
        assert_eq!(v["total"].as_u64(), Some(total), "{file}: Σ values");
        assert_eq!(v["string_table_0"], "", "{file}");
        assert_eq!(v["dangling_locations"], 0, "{file}");
        assert_eq!(v["dangling_functions"], 0, "{file}");
        assert!(v["samples"].as_u64().unwrap() > 0, "{file}");
    }
}
