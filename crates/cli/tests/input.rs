//! Inputs that are not regular files: standard input (`-`), `/dev/stdin`,
//! pipes, process substitution and named FIFOs give the same output as the
//! file itself, for every kind; and gzip input is decompressed within
//! bounds (a run of zeros is rejected on its first bytes, running out of
//! memory is an error saying so).

#![cfg(unix)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

const PROFILE: &str = "heapprofile/worked-example/input.heapprofile";
const SNAPSHOT: &str = "heapsnapshot/worked-example-a/input.heapsnapshot";
const TIMELINE: &str = "heaptimeline/worked-example-t/input.heaptimeline";

/// (command, input): one of each kind, and a timeline read as a profile.
const RUNS: [(&str, &str); 4] = [
    ("top", PROFILE),
    ("summary", SNAPSHOT),
    ("timeline", TIMELINE),
    ("top", TIMELINE),
];

fn heapdiff() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_heapdiff"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs heapdiff with `stdin` written to its standard input.
fn with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = heapdiff()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // heapdiff may stop reading early on an error; that is fine.
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn run(args: &[&str]) -> Output {
    heapdiff().args(args).output().unwrap()
}

fn stdout_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn standard_input_and_dev_stdin_read_like_the_file() {
    for (cmd, rel) in RUNS {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        let expected = stdout_of(&run(&[cmd, path.to_str().unwrap()]));
        for name in ["-", "/dev/stdin"] {
            assert_eq!(
                stdout_of(&with_stdin(&[cmd, name], &bytes)),
                expected,
                "{cmd} {name} < {rel}"
            );
            assert_eq!(
                stdout_of(&with_stdin(&[cmd, name], &gzip(&bytes))),
                expected,
                "{cmd} {name} < {rel} (gzip)"
            );
        }
        // `heapdiff top - < file`: standard input is the file itself.
        let file = std::fs::File::open(&path).unwrap();
        let out = heapdiff()
            .args([cmd, "-"])
            .stdin(Stdio::from(file))
            .output()
            .unwrap();
        assert_eq!(stdout_of(&out), expected, "{cmd} - < {rel} (file)");
    }
}

#[test]
fn named_fifos_and_process_substitution_read_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (cmd, rel)) in RUNS.into_iter().enumerate() {
        let path = fixture(rel);
        let expected = stdout_of(&run(&[cmd, path.to_str().unwrap()]));
        let fifo = dir.path().join(format!("fifo{i}"));
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let (src, dst) = (path.clone(), fifo.clone());
        let writer = std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(dst).unwrap();
            let _ = f.write_all(&std::fs::read(src).unwrap());
        });
        let out = run(&[cmd, fifo.to_str().unwrap()]);
        writer.join().unwrap();
        assert_eq!(stdout_of(&out), expected, "{cmd} FIFO of {rel}");

        let script = format!(
            "exec \"$0\" {cmd} <(cat '{}')",
            path.to_str().unwrap().replace('\'', "'\\''")
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_heapdiff"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(stdout_of(&out), expected, "{cmd} <(cat {rel})");
    }
}

#[test]
fn a_report_hashes_standard_input_as_it_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(PROFILE);
    let file_report = dir.path().join("file.json");
    let pipe_report = dir.path().join("pipe.json");
    let p = path.to_str().unwrap();
    stdout_of(&run(&[p, p, "--report", file_report.to_str().unwrap()]));
    let bytes = std::fs::read(&path).unwrap();
    stdout_of(&with_stdin(
        &["-", p, "--report", pipe_report.to_str().unwrap()],
        &bytes,
    ));
    let input = |report: &Path| -> (serde_json::Value, serde_json::Value) {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
        (
            doc["inputs"][0]["sha256"].clone(),
            doc["inputs"][0]["bytes"].clone(),
        )
    };
    assert_eq!(input(&pipe_report), input(&file_report));
    assert_eq!(input(&pipe_report).1, serde_json::json!(bytes.len()));
}

/// `members` copies of one gzip member of `chunk` bytes of `byte`, after
/// an optional first member holding `head`: gigabytes from a small file.
fn gzip_run(head: &[u8], byte: u8, chunk: usize, members: usize) -> Vec<u8> {
    let mut out = if head.is_empty() {
        Vec::new()
    } else {
        gzip(head)
    };
    let one = gzip(&vec![byte; chunk]);
    for _ in 0..members {
        out.extend_from_slice(&one);
    }
    out
}

/// Runs heapdiff with at most `kib` KiB of address space.
fn limited(kib: u64, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_gzip_bomb_of_zeros_is_rejected_on_its_first_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.heapsnapshot.gz");
    // 4 GiB of zeros in 4 MB.
    std::fs::write(&bomb, gzip_run(b"", 0, 64 << 20, 64)).unwrap();
    let name = bomb.to_str().unwrap();
    for cmd in ["summary", "top"] {
        let out = limited(200_000, &[cmd, "--threads", "1", name]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("heapdiff: error: '{name}': this is not a V8 memory profile (not JSON)\n"),
            "{cmd}"
        );
    }
}

#[test]
fn running_out_of_memory_on_a_compressed_snapshot_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.heapsnapshot.gz");
    // A snapshot's header, then 320 MiB of digits (not whitespace, whose
    // long runs are refused before memory runs out).
    let snapshot = std::fs::read_to_string(fixture(SNAPSHOT)).unwrap();
    let header = format!(
        "{}\"nodes\":[",
        &snapshot[..snapshot.find("\"nodes\"").unwrap()]
    );
    std::fs::write(&big, gzip_run(header.as_bytes(), b'0', 16 << 20, 20)).unwrap();
    let name = big.to_str().unwrap();
    let out = limited(200_000, &["summary", "--threads", "1", name]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let prefix = format!("heapdiff: error: out of memory reading '{name}' (");
    assert!(
        stderr.starts_with(&prefix) && stderr.ends_with(" bytes so far)\n"),
        "{stderr}"
    );
}

#[test]
fn warnings_show_control_characters_of_the_input_name_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A warning names its input; a name may hold any byte but `/` and NUL.
    let name = "legacy\x1b[2J\x07.heapprofile";
    std::fs::copy(
        fixture("heapprofile/legacy-layout/input.heapprofile"),
        dir.path().join(name),
    )
    .unwrap();
    let out = heapdiff()
        .args(["top", name])
        .current_dir(dir.path())
        .output()
        .unwrap();
    stdout_of(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "heapdiff: warning: 'legacy\\u{1b}[2J\\u{7}.heapprofile': nodes use the legacy layout \
         without `callFrame`; 1-based positions were converted\n\
         heapdiff: warning: 'legacy\\u{1b}[2J\\u{7}.heapprofile': the profile has no `samples` \
         array; ordinal ranges are unavailable\n"
    );
}

#[test]
fn standard_input_given_twice_is_an_error() {
    let bytes = std::fs::read(fixture(PROFILE)).unwrap();
    let out = with_stdin(&["diff", "-", "-"], &bytes);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "heapdiff: error: cannot open '-': standard input is given twice; it can be read only once\n"
    );
}
