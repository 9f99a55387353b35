//! Output targets and streams through the real binary: files that are not
//! regular files are written in place, `-` is standard output, two outputs
//! or an output and an input on one file are refused, temporary files do not
//! outlive a signal, modes follow the umask, a closed pipe is a success in
//! every format, and untrusted names come out inert (well-formed SVG, no raw
//! control characters, no Markdown links, no terminal escapes).
#![cfg(unix)]

#[path = "../common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, heapdiff, text};

/// A directory holding a copy of the worked example as `in.heapprofile`.
fn workdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(
        fixture("heapprofile/worked-example/input.heapprofile"),
        tmp.path().join("in.heapprofile"),
    )
    .unwrap();
    tmp
}

fn assert_refused(o: &Output, what: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: {err}");
    assert!(err.starts_with("heapdiff: error: "), "{what}: {err}");
    assert!(o.stdout.is_empty(), "{what}");
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

/// Starts `cat FIFO` so that a writer can open the FIFO.
fn fifo_reader(fifo: &Path) -> Child {
    Command::new("cat")
        .arg(fifo)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What the reader got; a reader still waiting (the FIFO was replaced, so
/// nobody will ever open it) is stopped.
fn reader_output(mut reader: Child, fifo_kept: bool) -> Vec<u8> {
    if !fifo_kept {
        let _ = reader.kill();
    }
    reader.wait_with_output().unwrap().stdout
}

fn is_svg(bytes: &[u8]) -> bool {
    let t = text(bytes);
    (t.starts_with("<?xml") || t.starts_with("<svg")) && t.trim_end().ends_with("</svg>")
}

#[test]
fn a_fifo_is_written_not_replaced() {
    let tmp = workdir();
    let fifo = tmp.path().join("out.fifo");
    mkfifo(&fifo);
    let reader = fifo_reader(&fifo);
    let o = heapdiff(
        &["flamegraph", "in.heapprofile", "-o", "out.fifo"],
        tmp.path(),
    );
    let kept = fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
    let got = reader_output(reader, kept);
    assert!(kept, "the FIFO was replaced by a file");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(is_svg(&got), "{}", text(&got));
}

#[test]
fn a_symlink_to_a_fifo_is_written_through() {
    let tmp = workdir();
    let fifo = tmp.path().join("out.fifo");
    mkfifo(&fifo);
    std::os::unix::fs::symlink("out.fifo", tmp.path().join("link")).unwrap();
    let reader = fifo_reader(&fifo);
    let o = heapdiff(&["collapse", "in.heapprofile", "-o", "link"], tmp.path());
    let link = fs::symlink_metadata(tmp.path().join("link")).unwrap();
    let kept =
        link.file_type().is_symlink() && fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
    let got = reader_output(reader, kept);
    assert!(kept, "the symlink or the FIFO was replaced");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let expected = heapdiff(&["collapse", "in.heapprofile"], tmp.path()).stdout;
    assert_eq!(got, expected);
}

/// Writes a flame graph through the symbolic link `link.svg` to `file`
/// (holding `old`, or not there yet) and checks that the link stays a link
/// and the file it names gets the graph.
fn write_through_link(file: &str, old: Option<&str>) {
    let tmp = workdir();
    if let Some(old) = old {
        fs::write(tmp.path().join(file), old).unwrap();
    }
    std::os::unix::fs::symlink(file, tmp.path().join("link.svg")).unwrap();
    let o = heapdiff(
        &["flamegraph", "in.heapprofile", "-o", "link.svg"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let link = fs::symlink_metadata(tmp.path().join("link.svg")).unwrap();
    assert!(link.file_type().is_symlink(), "the symlink was replaced");
    assert!(is_svg(&fs::read(tmp.path().join(file)).unwrap()));
}

#[test]
fn a_symlink_to_a_regular_file_stays_a_symlink() {
    write_through_link("real.svg", Some("old"));
}

#[test]
fn a_symlink_to_a_file_not_yet_there_creates_it() {
    write_through_link("new.svg", None);
}

#[test]
fn dash_is_standard_output_for_every_output_flag() {
    let tmp = workdir();
    let svg = heapdiff(&["flamegraph", "in.heapprofile", "-o", "-"], tmp.path());
    assert_eq!(svg.status.code(), Some(0), "{}", text(&svg.stderr));
    assert!(is_svg(&svg.stdout));

    let folded = heapdiff(&["collapse", "in.heapprofile"], tmp.path()).stdout;
    assert!(!folded.is_empty());
    for args in [
        &["collapse", "in.heapprofile", "-o", "-"][..],
        &["export", "in.heapprofile", "--folded", "-"][..],
    ] {
        let o = heapdiff(args, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert_eq!(o.stdout, folded, "{args:?}");
    }

    let o = heapdiff(
        &["export", "in.heapprofile", "--speedscope", "-"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("profiles").is_some());

    let o = heapdiff(&["export", "in.heapprofile", "--pprof", "-"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(o.stdout.get(..2), Some(&[0x1f, 0x8b][..]), "gzip magic");

    assert!(
        !tmp.path().join("-").exists(),
        "a file named '-' was written"
    );
}

#[test]
fn dash_is_refused_where_standard_output_already_carries_a_table() {
    let tmp = workdir();
    for args in [
        &["in.heapprofile", "in.heapprofile", "--report", "-"][..],
        &["in.heapprofile", "in.heapprofile", "--flamegraph", "-"][..],
        &[
            "export",
            "in.heapprofile",
            "--folded",
            "-",
            "--speedscope",
            "-",
        ][..],
    ] {
        let o = heapdiff(args, tmp.path());
        assert_refused(&o, &format!("{args:?}"));
    }
}

#[test]
fn two_outputs_on_one_file_are_refused() {
    let tmp = workdir();
    let sub = tmp.path().join("sub");
    fs::create_dir(&sub).unwrap();
    fs::write(tmp.path().join("exists.svg"), "x").unwrap();
    fs::hard_link(tmp.path().join("exists.svg"), tmp.path().join("alias.svg")).unwrap();
    for args in [
        &[
            "in.heapprofile",
            "in.heapprofile",
            "--report",
            "x.md",
            "--flamegraph",
            "x.md",
        ][..],
        &[
            "in.heapprofile",
            "in.heapprofile",
            "--report",
            "sub/../y.json",
            "--flamegraph",
            "./y.json",
        ][..],
        &[
            "in.heapprofile",
            "in.heapprofile",
            "--report",
            "exists.svg",
            "--flamegraph",
            "alias.svg",
        ][..],
        &[
            "export",
            "in.heapprofile",
            "--pprof",
            "a",
            "--folded",
            "./a",
        ][..],
    ] {
        let o = heapdiff(args, tmp.path());
        assert_refused(&o, &format!("{args:?}"));
    }
    for name in ["x.md", "y.json", "a"] {
        assert!(!tmp.path().join(name).exists(), "{name} was written");
    }
    assert_eq!(fs::read(tmp.path().join("exists.svg")).unwrap(), b"x");
}

#[test]
fn an_input_under_another_name_is_not_an_output() {
    let tmp = workdir();
    let input = tmp.path().join("in.heapprofile");
    let before = fs::read(&input).unwrap();
    fs::hard_link(&input, tmp.path().join("hard.heapprofile")).unwrap();
    std::os::unix::fs::symlink("in.heapprofile", tmp.path().join("soft.heapprofile")).unwrap();
    for target in ["hard.heapprofile", "soft.heapprofile", "./in.heapprofile"] {
        let o = heapdiff(&["flamegraph", "in.heapprofile", "-o", target], tmp.path());
        assert_refused(&o, target);
        let o = heapdiff(
            &["collapse", "hard.heapprofile", "-o", "in.heapprofile"],
            tmp.path(),
        );
        assert_refused(&o, "collapse");
        assert_eq!(fs::read(&input).unwrap(), before, "{target}");
    }
}

/// Runs `heapdiff ARGS` under `umask MASK` in `dir`.
fn with_umask(mask: &str, args: &[&str], dir: &Path) -> Output {
    let mut script = format!("umask {mask} && exec \"$0\"");
    for i in 1..=args.len() {
        write!(script, " \"${i}\"").unwrap();
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn new_files_follow_the_umask_and_existing_ones_keep_their_mode() {
    let tmp = workdir();
    for (mask, expected) in [("077", 0o600), ("027", 0o640), ("022", 0o644)] {
        let name = format!("new-{mask}.svg");
        let o = with_umask(
            mask,
            &["flamegraph", "in.heapprofile", "-o", &name],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(mode(&tmp.path().join(&name)), expected, "umask {mask}");
    }
    for kept in [0o600, 0o755, 0o640] {
        let path = tmp.path().join(format!("old-{kept:o}.svg"));
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(kept)).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let o = with_umask(
            "022",
            &["flamegraph", "in.heapprofile", "-o", name],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(mode(&path), kept);
        assert!(is_svg(&fs::read(&path).unwrap()));
    }
}

/// A profile with `width` stacks of `depth` frames, every frame its own
/// function with a long name: outputs of a megabyte and more.
fn wide_profile(width: usize, depth: usize) -> String {
    let mut s = String::from(
        r#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":["#,
    );
    let mut id = 2;
    let mut samples = Vec::new();
    for i in 0..width {
        if i > 0 {
            s.push(',');
        }
        for d in 0..depth {
            write!(
                s,
                r#"{{"callFrame":{{"functionName":"a_rather_long_function_name_{i}_{d}","scriptId":"3","url":"file:///srv/app/module_{m}.js","lineNumber":{d},"columnNumber":{c}}},"selfSize":{size},"id":{id},"children":["#,
                m = i % 50,
                c = i % 80,
                size = 100 + d,
            )
            .unwrap();
            samples.push(format!(
                r#"{{"size":{},"nodeId":{id},"ordinal":{id}}}"#,
                100 + d
            ));
            id += 1;
        }
        s.push_str(&"]}".repeat(depth));
    }
    s.push_str(r#"]},"samples":["#);
    s.push_str(&samples.join(","));
    s.push_str("]}");
    s
}

/// Runs `heapdiff ARGS`, reads one byte of its standard output and closes
/// the pipe.
fn closed_after_one_byte(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_is_a_success_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("wide.heapprofile"), wide_profile(1000, 8)).unwrap();
    let mut runs: Vec<Vec<&str>> = ["table", "json", "markdown", "csv"]
        .into_iter()
        .flat_map(|f| {
            [
                vec!["top", "wide.heapprofile", "-n", "0", "--format", f],
                vec![
                    "wide.heapprofile",
                    "wide.heapprofile",
                    "-n",
                    "0",
                    "--format",
                    f,
                ],
            ]
        })
        .collect();
    runs.push(vec!["collapse", "wide.heapprofile"]);
    runs.push(vec!["flamegraph", "wide.heapprofile", "-o", "-"]);
    runs.push(vec!["export", "wide.heapprofile", "--speedscope", "-"]);
    for args in &runs {
        let full = heapdiff(args, tmp.path());
        assert!(full.stdout.len() > 256 * 1024, "{args:?}: output too small");
        let o = closed_after_one_byte(args, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "{args:?}: {}", text(&o.stderr));
    }
}

fn leftover_temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.starts_with(".heapdiff-"))
        .collect()
}

/// Sends `signal` to a flame graph run as soon as its temporary file
/// exists. Returns the exit status, or `None` when the run finished before
/// a temporary file was seen.
fn interrupt_while_writing(signal: &str, dir: &Path) -> Option<std::process::ExitStatus> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(["flamegraph", "wide.heapprofile", "-o", "out.svg"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        if !leftover_temporaries(dir).is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_micros(200));
    }
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    Some(child.wait().unwrap())
}

#[test]
fn a_signal_removes_the_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let mut width = 4000;
        let status = loop {
            fs::write(tmp.path().join("wide.heapprofile"), wide_profile(width, 10)).unwrap();
            let _ = fs::remove_file(tmp.path().join("out.svg"));
            if let Some(status) = interrupt_while_writing(signal, tmp.path()) {
                break status;
            }
            assert!(
                width < 16_000,
                "the flame graph is always written too fast to interrupt"
            );
            width *= 2;
        };
        assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
        assert_eq!(
            leftover_temporaries(tmp.path()),
            Vec::<String>::new(),
            "SIG{signal}"
        );
        assert!(!tmp.path().join("out.svg").exists(), "SIG{signal}");
    }
}

fn control_char_profiles() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixture("heapprofile/control-chars"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "heapprofile"))
        .collect();
    v.sort();
    assert!(v.len() >= 7);
    v
}

/// Characters that must never reach a folded file, a terminal or an SVG
/// raw: C0 and C1 controls but the line break, DEL, bidirectional
/// embeddings, overrides and isolates, and the non-characters XML forbids.
fn raw_hazard(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

#[test]
fn flame_graphs_of_names_with_control_characters_are_well_formed_xml() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inputs = control_char_profiles();
    inputs.push(fixture("diff/malicious-names/after.heapprofile"));
    for input in inputs {
        let input = input.to_str().unwrap();
        let title = format!("{input} \u{1b}[2J\u{7} <&> \u{FFFE}");
        let one = heapdiff(
            &["flamegraph", input, "-o", "one.svg", "--title", &title],
            tmp.path(),
        );
        assert_eq!(one.status.code(), Some(0), "{input}: {}", text(&one.stderr));
        let two = heapdiff(
            &[
                "flamegraph",
                input,
                input,
                "-o",
                "two.svg",
                "--title",
                &title,
            ],
            tmp.path(),
        );
        assert_eq!(two.status.code(), Some(0), "{input}: {}", text(&two.stderr));
        for svg in ["one.svg", "two.svg"] {
            let body = fs::read_to_string(tmp.path().join(svg)).unwrap();
            assert_well_formed_xml(&body, &format!("{input}: {svg}"));
        }
    }
}

/// A name that is markup, an attribute break, an entity, a terminal
/// escape, a noncharacter and a bidirectional override at once; it is
/// also a valid file name.
const HOSTILE: &str = "<script>\"x'&amp;\u{1b}[2J\u{FFFE}\u{202E}";

/// `HOSTILE` as the HTML and SVG outputs must show it.
const HOSTILE_ESCAPED: &str = "&lt;script&gt;&quot;x&#39;&amp;amp;\\u{1b}[2J\\u{fffe}\\u{202e}";

fn assert_well_formed_xml(body: &str, what: &str) {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    if let Err(e) = roxmltree::Document::parse_with_options(body, opts) {
        panic!("{what} is not well-formed XML: {e}");
    }
    assert!(
        !body.chars().any(|c| raw_hazard(c) && c != '\t'),
        "{what}: raw control character"
    );
}

/// The timeline chart (titled by the file name) and the image of an empty
/// profile (titled by `--title`) show a hostile name as text.
#[test]
fn the_timeline_chart_and_the_empty_image_show_hostile_names_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let timeline = format!("{HOSTILE}.heaptimeline");
    fs::copy(
        fixture("heaptimeline/worked-example-t/input.heaptimeline"),
        tmp.path().join(&timeline),
    )
    .unwrap();
    let o = heapdiff(&["timeline", &timeline, "-o", "chart.svg"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let empty = r#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[]},"samples":[]}"#;
    fs::write(tmp.path().join("empty.heapprofile"), empty).unwrap();
    let o = heapdiff(
        &[
            "flamegraph",
            "empty.heapprofile",
            "-o",
            "empty.svg",
            "--title",
            HOSTILE,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for svg in ["chart.svg", "empty.svg"] {
        let body = fs::read_to_string(tmp.path().join(svg)).unwrap();
        assert_well_formed_xml(&body, svg);
        assert!(body.contains(HOSTILE_ESCAPED), "{svg}: {body}");
    }
}

/// The elements the HTML report is made of; a name that became markup
/// would add another (or an attribute).
const REPORT_TAGS: [&str; 25] = [
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "table",
    "thead", "tbody", "tr", "th", "td", "code", "pre", "ul", "li", "div", "input", "button",
    "span",
];

/// The report's own script, the only `<script>` but the flame graph's data.
const REPORT_SCRIPT: &str = include_str!("../../crates/renderer/src/report_html/report.js");

/// The report's markup with the style sheet and the scripts left out,
/// after checking that the scripts are the report's own one and, at most,
/// one block of flame graph data.
fn report_markup(html: &str, what: &str) -> String {
    let page_script = format!("<script>{REPORT_SCRIPT}</script>");
    assert_eq!(html.matches(&page_script).count(), 1, "{what}: page script");
    let data = html
        .matches("<script id=\"flame-data\" type=\"application/json\">")
        .count();
    assert!(data <= 1, "{what}: flame data");
    assert_eq!(html.matches("<script").count(), 1 + data, "{what}: scripts");
    let mut markup = String::new();
    let mut rest = html.replacen(&page_script, "", 1);
    while let Some(start) = ["<style>", "<script"]
        .iter()
        .filter_map(|open| rest.find(open))
        .min()
    {
        let close = if rest[start..].starts_with("<style>") {
            "</style>"
        } else {
            "</script>"
        };
        let end = rest[start..].find(close).unwrap() + start + close.len();
        markup.push_str(&rest[..start]);
        rest = rest[end..].to_string();
    }
    markup.push_str(&rest);
    markup
}

/// Every `<…>` of the report's markup (scripts and style left out) is one
/// of the report's own elements, with no event handler attribute.
fn assert_only_report_tags(html: &str, what: &str) {
    let markup = report_markup(html, what);
    for tag in markup.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let name = tag.trim_start_matches('/').split(' ').next().unwrap();
        assert!(
            REPORT_TAGS.contains(&name),
            "{what}: unexpected tag <{tag}>"
        );
        assert!(!tag.contains(" on"), "{what}: event handler in <{tag}>");
    }
}

/// The HTML reports of profile diffs, checks and snapshot diffs show
/// hostile function names, class names and file names as text: no element
/// or attribute but the report's own, the flame graph's data inside its
/// script element, no raw control character.
#[test]
fn html_reports_show_hostile_names_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let copy = |from: PathBuf, to: &str| fs::copy(from, dir.join(to)).unwrap();
    copy(
        fixture("diff/malicious-names/before.heapprofile"),
        &format!("{HOSTILE}.b"),
    );
    copy(
        fixture("diff/malicious-names/after.heapprofile"),
        &format!("{HOSTILE}.a"),
    );
    copy(
        fixture("heapprofile/worked-example/input.heapprofile"),
        "worked.heapprofile",
    );
    for (i, input) in control_char_profiles().into_iter().enumerate() {
        copy(input, &format!("cc{i}.heapprofile"));
    }
    for side in ["before", "after"] {
        let snapshot = fs::read_to_string(fixture(&format!(
            "snapshot-diff/worked-example/{side}.heapsnapshot"
        )))
        .unwrap();
        let hostile_json = serde_json::to_string(HOSTILE).unwrap();
        let snapshot = snapshot.replace("\"Foo\"", &hostile_json);
        fs::write(dir.join(format!("{HOSTILE}.{side}.heapsnapshot")), snapshot).unwrap();
    }
    let (b, a) = (format!("{HOSTILE}.b"), format!("{HOSTILE}.a"));
    let (sb, sa) = (
        format!("{HOSTILE}.before.heapsnapshot"),
        format!("{HOSTILE}.after.heapsnapshot"),
    );
    let mut runs: Vec<(Vec<String>, &str)> = vec![
        (vec![b.clone(), a.clone()], "diff.html"),
        (
            ["check", &b, &a, "--max-function-growth", "1B"]
                .map(String::from)
                .to_vec(),
            "check.html",
        ),
        (vec![sb, sa], "snapshot.html"),
    ];
    for i in 0..control_char_profiles().len() {
        runs.push((
            vec!["worked.heapprofile".into(), format!("cc{i}.heapprofile")],
            "cc.html",
        ));
    }
    for (args, report) in runs {
        let mut args = args;
        args.extend(["-q", "--report", report].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = heapdiff(&args, dir);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            text(&o.stderr)
        );
        let html = fs::read_to_string(dir.join(report)).unwrap();
        let what = format!("{args:?}");
        assert_only_report_tags(&html, &what);
        assert!(
            !html.chars().any(|c| raw_hazard(c) && c != '\t'),
            "{what}: raw control character"
        );
        assert!(html.contains("\\u{"), "{what}: no visible escape");
        let data = html.split("type=\"application/json\">").nth(1);
        if let Some(data) = data {
            let data = &data[..data.find("</script>").unwrap()];
            assert!(!data.contains(['<', '>', '&']), "{what}: {data}");
        }
    }
    let diff = fs::read_to_string(dir.join("diff.html")).unwrap();
    assert!(
        diff.contains(HOSTILE_ESCAPED),
        "the title and the inputs: {diff}"
    );
    assert!(
        diff.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"),
        "a function name"
    );
    let snapshot = fs::read_to_string(dir.join("snapshot.html")).unwrap();
    assert!(
        snapshot.contains(&format!("<td>{HOSTILE_ESCAPED}</td>")),
        "a class name: {snapshot}"
    );
}

#[test]
fn folded_stacks_hold_no_raw_control_or_bidi_characters() {
    let tmp = tempfile::tempdir().unwrap();
    for input in control_char_profiles() {
        let input = input.to_str().unwrap();
        let o = heapdiff(&["collapse", input], tmp.path());
        assert_eq!(o.status.code(), Some(0), "{input}: {}", text(&o.stderr));
        let folded = String::from_utf8(o.stdout).unwrap();
        assert!(!folded.chars().any(raw_hazard), "{input}: {folded:?}");
        assert!(folded.contains("\\u{"), "{input}: {folded:?}");
    }
}

/// Whether Markdown text has a bare URL, `www.` link, email, mention or
/// reference: `@` and `#` unescaped (outside heading marks and code
/// blocks), `://`, or `www.` as it is.
fn markdown_links(md: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let body = line.trim_start_matches('#');
        if body.to_ascii_lowercase().contains("www.") {
            found.push(line.to_string());
        }
        let mut prev = ' ';
        for (i, c) in body.char_indices() {
            let unescaped = prev != '\\';
            if unescaped && (c == '@' || c == '#' || body[i..].starts_with("://")) {
                found.push(line.to_string());
            }
            prev = c;
        }
    }
    found
}

#[test]
fn markdown_never_links_names() {
    let tmp = tempfile::tempdir().unwrap();
    let before = fixture("diff/link-names/before.heapprofile");
    let after = fixture("diff/link-names/after.heapprofile");
    let (before, after) = (before.to_str().unwrap(), after.to_str().unwrap());
    let mut outputs = Vec::new();
    for args in [
        &["top", after, "--format", "markdown"][..],
        &["top", after, "--by", "stack", "--format", "markdown"][..],
        &["tree", after, "--format", "markdown"][..],
        &[before, after, "--format", "markdown"][..],
    ] {
        let o = heapdiff(args, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        outputs.push(text(&o.stdout));
    }
    let o = heapdiff(&[before, after, "--report", "r.md"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    outputs.push(fs::read_to_string(tmp.path().join("r.md")).unwrap());
    for md in outputs {
        assert!(md.contains("example"), "{md}");
        assert_eq!(markdown_links(&md), Vec::<String>::new());
    }
}

#[test]
fn the_error_line_shows_control_characters_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let o = heapdiff(&["top", "no\u{1b}[2Jsuch\u{7}file"], tmp.path());
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("no\\u{1b}[2Jsuch\\u{7}file"), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
}

/// A file name that is not UTF-8 and holds an escape sequence: every run,
/// failing or not, shows it lossily with its control characters escaped,
/// and a report still records the command line.
#[test]
fn file_names_not_utf8_or_with_controls_are_shown_inert() {
    use std::os::unix::ffi::OsStrExt as _;
    let tmp = workdir();
    let good = std::ffi::OsStr::from_bytes(b"in-\xff\x1b[31m.heapprofile");
    fs::copy(tmp.path().join("in.heapprofile"), tmp.path().join(good)).unwrap();
    let cut = std::ffi::OsStr::from_bytes(b"cut-\xff\x1b[31m.heapprofile");
    let whole = fs::read(tmp.path().join("in.heapprofile")).unwrap();
    fs::write(tmp.path().join(cut), &whole[..whole.len() / 2]).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_heapdiff"))
            .args(args)
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let o = run(&["top".as_ref(), cut]);
    assert_refused(&o, "a cut file");
    let err = text(&o.stderr);
    assert!(
        err.starts_with("heapdiff: error: 'cut-\u{FFFD}\\u{1b}[31m.heapprofile': "),
        "{err}"
    );
    assert!(err.contains(" at byte "), "{err}");
    let o = run(&[
        "diff".as_ref(),
        "in.heapprofile".as_ref(),
        good,
        "--report".as_ref(),
        "r.md".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains('\u{1b}'));
    let report = fs::read_to_string(tmp.path().join("r.md")).unwrap();
    assert!(report.contains("in-\u{FFFD}"), "{report}");
    assert!(
        report
            .contains(r"heapdiff diff in.heapprofile $'in-\xff\x1b[31m.heapprofile' --report r.md"),
        "{report}"
    );
    assert!(!report.contains('\u{1b}'));
}

/// The hidden `--timings` flag is honoured by every command: those that
/// record phases print them, the others one `total` phase; always exactly
/// one JSON line on stderr with the peak memory.
#[test]
fn every_command_prints_one_timings_line() {
    let dir = fixture("heapprofile/worked-example");
    let snapshot = fixture("heapsnapshot/worked-example-a/input.heapsnapshot");
    let snapshot = snapshot.to_str().unwrap();
    for args in [
        vec!["top", "input.heapprofile"],
        vec!["tree", "input.heapprofile"],
        vec!["collapse", "input.heapprofile"],
        vec!["dominators", snapshot],
        vec!["retainers", snapshot, "--class", "Object"],
    ] {
        let mut args = args.clone();
        args.extend(["--timings", "-q"]);
        let r = heapdiff(&args, &dir);
        assert_eq!(r.status.code(), Some(0), "{args:?}: {}", text(&r.stderr));
        let stderr = text(&r.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert!(
            line["phases_ms"].as_object().is_some_and(|p| !p.is_empty()),
            "{args:?}: {stderr}"
        );
        assert!(line["peak_rss_kib"].is_u64(), "{args:?}: {stderr}");
    }
}
