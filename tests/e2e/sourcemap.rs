//! Source map discovery for a page script saved as a file: the Chromium
//! page of `fixtures/sourcemap/browser` loaded its bundle from
//! `http://127.0.0.1:47631/app.min.js`; here the same profile names the
//! bundle by a `file://` URL of a copy on disk, whose
//! `//# sourceMappingURL=app.min.js.map` comment leads to the map beside it
//! with no flag given.

use std::io::Read as _;

use super::{json_in, repo_root};

const PAGE_URL: &str = "http://127.0.0.1:47631/app.min.js";

#[test]
fn a_file_url_script_finds_its_map_through_its_comment() {
    let fixture = repo_root().join("fixtures/sourcemap/browser");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("page dir/app.min.js");
    std::fs::create_dir(script.parent().unwrap()).unwrap();
    std::fs::copy(fixture.join("app.min.js"), &script).unwrap();
    std::fs::copy(
        fixture.join("app.min.js.map"),
        dir.path().join("page dir/app.min.js.map"),
    )
    .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(fixture.join("page.heapprofile.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let file_url = format!("file://{}", script.display()).replace(' ', "%20");
    assert!(text.contains(PAGE_URL));
    std::fs::write(
        dir.path().join("page.heapprofile"),
        text.replace(PAGE_URL, &file_url),
    )
    .unwrap();
    let top3 = |more: &[&str]| {
        let mut args = vec![
            "top",
            "page.heapprofile",
            "--top",
            "3",
            "--format",
            "json",
            "-q",
        ];
        args.extend_from_slice(more);
        json_in(dir.path(), &args)
    };
    let top = top3(&[]);
    let row = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["generated"].is_object())
        .expect("a row the map moved");
    assert_eq!(row["name"], "renderBatch");
    assert_eq!(row["url"], "src/feed.js");
    assert_eq!(row["generated"]["url"], file_url.as_str());
    let unmapped = top3(&["--no-source-maps"]);
    assert!(
        unmapped["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["generated"].is_null() && r["name"] != "renderBatch")
    );
}
