//! The whole path on the committed esbuild fixture: discovery, lookup,
//! original names, and the problems that leave a script generated.

use std::path::{Path, PathBuf};

use heapdiff_model::{FrameKey, HeapProfile, ProfileBuilder};

use super::{Given, Sources, apply};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sourcemap/esbuild")
        .join(name)
}

/// A temporary directory holding copies of fixture files.
fn copies(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for n in names {
        std::fs::copy(fixture(n), dir.path().join(n)).expect("copy fixture");
    }
    dir
}

/// Generated functions of the esbuild bundle as V8 names and places them
/// (0-based, at the parameter list), under one root.
const BUNDLE_FRAMES: [(&str, i32, i32); 4] = [
    ("tt", 1, 16911),
    ("Z", 1, 16762),
    ("E", 0, 141),
    ("remember", 0, 314),
];

fn profile(url: &str) -> HeapProfile {
    let mut b = ProfileBuilder::new();
    let root = b.push_stack(None, FrameKey::pseudo("(root)"), 0, 1);
    for (i, &(name, line, column)) in BUNDLE_FRAMES.iter().enumerate() {
        let key = FrameKey {
            name,
            script_id: "3",
            url,
            line,
            column,
        };
        b.push_stack(Some(root), key, 10, 2 + i as u64);
    }
    b.push_stack(Some(root), FrameKey::pseudo("(V8 API)"), 1, 9);
    b.finish()
}

/// (name, url, 1-based line) of each bundle frame.
fn placed(p: &HeapProfile) -> Vec<(String, String, i32)> {
    (1..=BUNDLE_FRAMES.len())
        .map(|s| {
            let f = p.stacks.frame[s];
            (
                p.frame_name(f).to_string(),
                p.frame_url(f).to_string(),
                p.frames.line[f.index()] + 1,
            )
        })
        .collect()
}

fn originals() -> Vec<(String, String, i32)> {
    [
        ("main", "src/index.js", 16),
        ("handleRequest", "src/index.js", 7),
        ("RequestRecord", "src/request-log.js", 2),
        ("remember", "src/request-log.js", 14),
    ]
    .iter()
    .map(|&(n, u, l)| (n.to_string(), u.to_string(), l))
    .collect()
}

fn warnings_about(subject: &str) -> Vec<String> {
    crate::input::warnings()
        .into_iter()
        .filter(|w| w.starts_with(&format!("'{subject}")))
        .collect()
}

#[test]
fn a_linked_map_next_to_a_local_script_is_found_and_applied() {
    let dir = copies(&["app.min.js", "app.min.js.map"]);
    let url = format!("file://{}", dir.path().join("app.min.js").display());
    let mut p = profile(&url);
    apply(&mut p, &Sources::default(), false).expect("applies");
    assert_eq!(placed(&p), originals());
    // The pseudo frame is untouched, and the generated place is kept.
    assert_eq!(p.frame_name(p.stacks.frame[5]), "(V8 API)");
    let g = p
        .frames
        .generated(p.stacks.frame[1])
        .expect("generated kept");
    assert_eq!((p.strings.get(g.name), g.line, g.column), ("tt", 1, 16911));
    assert!(
        super::applied()
            .iter()
            .any(|a| a.script == url && a.sha256.len() == 64)
    );
}

#[test]
fn an_inline_map_is_decoded() {
    let dir = copies(&["app.inline.js"]);
    let url = dir.path().join("app.inline.js").display().to_string();
    let mut p = profile(&url);
    apply(&mut p, &Sources::default(), false).expect("applies");
    assert_eq!(placed(&p), originals());
}

#[test]
fn a_given_map_applies_without_the_script_and_keeps_unchanged_names() {
    // The script is not on disk: names are recovered where the map's named
    // mapping ends at the parameter list, and for the class `E`, whose
    // constructor follows the `constructor` keyword, from the named mapping
    // of its header (`E=class{constructor(`).
    let url = "/nowhere/build-42/app.min.js";
    let mut p = profile(url);
    let sources = Sources {
        given: vec![Given::parse(
            &fixture("app.min.js.map").display().to_string(),
        )],
        dirs: Vec::new(),
    };
    apply(&mut p, &sources, false).expect("applies");
    assert_eq!(placed(&p), originals());
}

#[test]
fn a_missing_map_is_a_warning_naming_the_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    let js = dir.path().join("gone.js");
    std::fs::write(&js, "f()\n//# sourceMappingURL=gone.js.map\n").expect("write");
    let url = js.display().to_string();
    let mut p = profile(&url);
    let before = placed(&p);
    apply(&mut p, &Sources::default(), false).expect("a warning, not an error");
    assert_eq!(placed(&p), before);
    let w = warnings_about(&url);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("'gone.js.map', which is not at"), "{w:?}");
}

#[test]
fn a_corrupt_map_is_one_warning_naming_the_map_and_the_fault() {
    let dir = copies(&["app.min.js"]);
    let map = dir.path().join("app.min.js.map");
    std::fs::write(
        &map,
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,!!"}"#,
    )
    .expect("write");
    let url = dir.path().join("app.min.js").display().to_string();
    let mut p = profile(&url);
    apply(&mut p, &Sources::default(), false).expect("a warning, not an error");
    assert_eq!(p.frame_name(p.stacks.frame[1]), "tt");
    let w = warnings_about(&map.display().to_string());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("bad `mappings`"), "{w:?}");
}

#[test]
fn a_map_that_does_not_fit_its_script_leaves_it_generated() {
    // The fixture's map beside a script of other, shorter lines.
    let dir = copies(&["app.min.js.map"]);
    let js = dir.path().join("app.min.js");
    std::fs::write(
        &js,
        "short();\nlines();\n//# sourceMappingURL=app.min.js.map\n",
    )
    .expect("write");
    let url = js.display().to_string();
    let mut p = profile(&url);
    let before = placed(&p);
    apply(&mut p, &Sources::default(), false).expect("a warning, not an error");
    assert_eq!(placed(&p), before);
    let w = warnings_about(&dir.path().join("app.min.js.map").display().to_string());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("does not fit") && w[0].contains("past the end of that line"),
        "{w:?}"
    );
}

#[test]
fn a_map_for_another_file_is_reported() {
    let dir = copies(&["app.min.js"]);
    let js = dir.path().join("app.min.js");
    let text = std::fs::read_to_string(&js).expect("read");
    let other = dir.path().join("other.js");
    std::fs::write(&other, &text).expect("write");
    let map = std::fs::read_to_string(fixture("app.min.js.map")).expect("read");
    let with_file = map.replacen('{', r#"{"file":"app.min.js","#, 1);
    std::fs::write(dir.path().join("other.js.map"), with_file).expect("write");
    let url = other.display().to_string();
    let sources = Sources {
        given: Vec::new(),
        dirs: vec![dir.path().to_path_buf()],
    };
    let mut p = profile(&url);
    apply(&mut p, &sources, false).expect("a warning, not an error");
    assert_eq!(p.frame_name(p.stacks.frame[1]), "tt");
    let w = warnings_about(&dir.path().join("other.js.map").display().to_string());
    assert!(
        w.iter().any(|w| w.contains("is for 'app.min.js', not")),
        "{w:?}"
    );
}

#[test]
fn strict_turns_a_map_problem_into_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let js = dir.path().join("strict.js");
    std::fs::write(&js, "f()\n//# sourceMappingURL=strict.js.map\n").expect("write");
    let url = js.display().to_string();
    let e = apply(&mut profile(&url), &Sources::default(), true).expect_err("--strict");
    assert!(e.to_string().contains("(--strict)"), "{e}");
    assert!(e.to_string().starts_with(&format!("'{url}'")), "{e}");
}

/// `var m=class extends k{constructor(t){}};` from
/// `class RequestRecord extends BaseRecord {` / `  constructor(t) {}`:
/// without the script's text, the class's name comes from the named
/// mapping of its header that comes first in the original line, not from
/// the superclass named after it; other positions get no name from it.
#[test]
fn a_minified_class_is_named_from_its_header_without_the_script() {
    let map = br#"{"version":3,"sources":["src/record.js"],"names":["RequestRecord","BaseRecord"],"mappings":"IACMA,EAAN,cAA0BC,CAAW,CACnC"}"#;
    let m = super::ScriptMap {
        map: std::sync::Arc::new(super::map::ParsedMap::parse(map).expect("parses")),
        lines: None,
    };
    let at_parameters = m.original("m", 0, 33).expect("mapped");
    assert_eq!(at_parameters.name, Some("RequestRecord"));
    assert_eq!(
        (at_parameters.url, at_parameters.line, at_parameters.column),
        ("src/record.js", 2, 2)
    );
    let elsewhere = m.original("m", 0, 34).expect("mapped");
    assert_eq!(elsewhere.name, None, "not where the constructor starts");
}

/// terser (as webpack runs it) writes `class r{constructor(t){}}` from
/// `class RequestRecord {` / `  constructor(seq) {}` with the mapping at the
/// parameter list named `constructor` and the keyword's own mapping just
/// before it: without the script's text, the class is still named from its
/// header.
#[test]
fn a_terser_class_is_named_from_its_header_without_the_script() {
    let map = br#"{"version":3,"sources":["src/cache.js"],"names":["RequestRecord","constructor","seq"],"mappings":"AAAA,MAAMA,EACJ,WAAAC,CAAYC"}"#;
    let m = super::ScriptMap {
        map: std::sync::Arc::new(super::map::ParsedMap::parse(map).expect("parses")),
        lines: None,
    };
    let at_parameters = m.original("r", 0, 19).expect("mapped");
    assert_eq!(at_parameters.name, Some("RequestRecord"));
    assert_eq!(
        (at_parameters.url, at_parameters.line, at_parameters.column),
        ("src/cache.js", 1, 2)
    );
    assert_eq!(m.original("t", 0, 20).expect("mapped").name, None);
}

/// A script that is not on disk is found through the text the input holds
/// for it (a snapshot's Script source): an inline map there applies, while
/// a text cut before its `sourceMappingURL` comment (V8 keeps 1024
/// characters of a string) gives no map.
#[test]
fn a_map_is_found_through_the_source_a_snapshot_holds() {
    let text = "f()\n//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbInNyYy9hLmpzIl0sIm5hbWVzIjpbXSwibWFwcGluZ3MiOiJBQUFBIn0=\n";
    let found = super::resolve(
        "/nowhere/embedded/app.js",
        &|| Some(text),
        &Sources::default(),
        true,
    )
    .expect("no warning");
    let m = found.expect("the embedded comment names an inline map");
    assert!(
        m.lines.is_none(),
        "a snapshot's copy is not used to check the fit"
    );
    assert_eq!(m.map.sources, [std::sync::Arc::from("src/a.js")]);
    let cut = super::resolve(
        "/nowhere/embedded/cut.js",
        &|| Some("f()\n"),
        &Sources::default(),
        true,
    )
    .expect("no warning");
    assert!(cut.is_none());
}

#[test]
fn maps_are_read_once_per_run_and_only_for_scripts_that_occur() {
    let dir = copies(&["app.min.js", "app.min.js.map"]);
    // Maps of scripts no profile names, in the map directory and given for
    // a URL: not maps at all, yet never read, so no problem under --strict.
    std::fs::write(dir.path().join("absent.js.map"), "not a map").expect("write");
    let given = dir.path().join("elsewhere.map");
    std::fs::write(&given, "not a map either").expect("write");
    let sources = Sources {
        given: vec![Given::parse(&format!(
            "/not/in/the/profile.js={}",
            given.display()
        ))],
        dirs: vec![dir.path().to_path_buf()],
    };
    let url = dir.path().join("app.min.js").display().to_string();
    let mut p = profile(&url);
    apply(&mut p, &sources, true).expect("no map of an absent script is read");
    assert_eq!(placed(&p), originals());
    // A second profile naming the script (a diff's other side) is mapped
    // from the first parse, even once the file is no longer a map.
    std::fs::write(dir.path().join("app.min.js.map"), "not a map").expect("write");
    let mut other = profile(&url);
    apply(&mut other, &sources, true).expect("the map parsed first is reused");
    assert_eq!(placed(&other), originals());
}
