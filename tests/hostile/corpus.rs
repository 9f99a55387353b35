//! The hostile corpus, built from the repository's own fixtures: every case
//! is an input the binary must reject with one clean error line, but for a
//! few quirks of real files that it must accept with one warning.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::gz;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Profile,
    Snapshot,
    Timeline,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::Snapshot => "snapshot",
            Kind::Timeline => "timeline",
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Kind::Profile => "heapprofile",
            Kind::Snapshot => "heapsnapshot",
            Kind::Timeline => "heaptimeline",
        }
    }

    /// The command one would naturally run on a file of this kind.
    fn command(self) -> Cmd {
        match self {
            Kind::Profile => Cmd::Top,
            Kind::Snapshot => Cmd::Summary,
            Kind::Timeline => Cmd::Timeline,
        }
    }
}

#[derive(Clone)]
pub(crate) enum Cmd {
    Top,
    Summary,
    Timeline,
    /// `diff VALID INPUT`: the valid file comes first, so that the error
    /// must be about the second one.
    Diff(PathBuf),
}

/// Whether the error must say `byte N` (with N at most `max`).
#[derive(Clone, Copy)]
pub(crate) enum Offset {
    Required { max: u64 },
    Optional,
}

/// What the binary must do with a case.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Exit 2 with one error line.
    Rejected,
    /// A quirk of real files that DevTools opens: exit 0 with one warning
    /// line naming the file.
    Warned,
}

pub(crate) struct Case {
    pub(crate) category: String,
    /// The file name in the corpus directory (may hold any byte).
    pub(crate) file: OsString,
    /// What the error line must contain to name the file.
    pub(crate) shown: String,
    pub(crate) data: Data,
    pub(crate) cmd: Cmd,
    pub(crate) offset: Offset,
    pub(crate) expect: Expect,
    /// Expected to take seconds (bombs): started first.
    pub(crate) slow: bool,
    /// What was done to the input, for the report.
    pub(crate) note: String,
}

/// The bytes of a case: a prefix of a shared buffer (truncations of big
/// inputs share one copy).
#[derive(Clone)]
pub(crate) struct Data {
    bytes: Arc<Vec<u8>>,
    len: usize,
}

impl Data {
    fn own(bytes: Vec<u8>) -> Data {
        let len = bytes.len();
        Data {
            bytes: Arc::new(bytes),
            len,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Case {
    pub(crate) fn args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = match &self.cmd {
            Cmd::Top => vec!["top".into()],
            Cmd::Summary => vec!["summary".into()],
            Cmd::Timeline => vec!["timeline".into()],
            Cmd::Diff(valid) => vec!["diff".into(), valid.clone().into_os_string()],
        };
        args.push(self.file.clone());
        args
    }
}

/// Collects cases; file names are numbered so that they never collide.
struct Corpus {
    cases: Vec<Case>,
    root: PathBuf,
}

impl Corpus {
    fn push(&mut self, category: String, ext: &str, data: Data, cmd: Cmd, offset: Offset) {
        let stem = category.replace('/', "-");
        let name = format!("{stem}-{:04}.{ext}", self.cases.len());
        self.cases.push(Case {
            category,
            file: name.clone().into(),
            shown: name,
            data,
            cmd,
            offset,
            expect: Expect::Rejected,
            slow: false,
            note: String::new(),
        });
    }

    /// Says what was done to the input of the last case pushed.
    fn note(&mut self, note: String) {
        self.cases.last_mut().expect("a case").note = note;
    }

    fn valid(&self, kind: Kind) -> PathBuf {
        self.root.join(match kind {
            Kind::Profile => "fixtures/heapprofile/worked-example/input.heapprofile",
            Kind::Snapshot => "fixtures/snapshot-diff/worked-example/after.heapsnapshot",
            Kind::Timeline => "fixtures/heaptimeline/worked-example-t/input.heaptimeline",
        })
    }
}

struct Fixtures {
    profile: Vec<u8>,
    profile_big: Vec<u8>,
    snapshot: Vec<u8>,
    snapshot_big_gz: Vec<u8>,
    timeline: Vec<u8>,
    timeline_big_gz: Vec<u8>,
    cpuprofile: Vec<u8>,
}

impl Fixtures {
    fn load(root: &Path) -> Fixtures {
        let read = |p: &str| {
            std::fs::read(root.join("fixtures").join(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
        };
        Fixtures {
            profile: read("heapprofile/worked-example/input.heapprofile"),
            profile_big: read("heapprofile/recursive/input.heapprofile"),
            snapshot: read("heapsnapshot/worked-example-a/input.heapsnapshot"),
            snapshot_big_gz: read("heapsnapshot/browser-detached/input.heapsnapshot.gz"),
            timeline: read("heaptimeline/worked-example-t/input.heaptimeline"),
            timeline_big_gz: read("heaptimeline/browser-page/input.heaptimeline.gz"),
            cpuprofile: read("invalid/cpuprofile/input.cpuprofile"),
        }
    }
}

pub(crate) fn build(root: &Path) -> Vec<Case> {
    let fx = Fixtures::load(root);
    let mut c = Corpus {
        cases: Vec::new(),
        root: root.to_path_buf(),
    };
    truncations(&mut c, &fx);
    crate::lies::profile_lies(&mut LieSink(&mut c), &fx.profile);
    crate::lies::snapshot_lies(&mut LieSink(&mut c), &fx.snapshot);
    crate::lies::timeline_lies(&mut LieSink(&mut c), &fx.timeline);
    bombs(&mut c, &fx);
    control_characters(&mut c, &fx);
    wrong_kinds(&mut c, &fx);
    gzip_damage(&mut c, &fx);
    c.cases
}

/// Where the lies in `lies.rs` go: each one is a whole file of a kind.
pub(crate) struct LieSink<'a>(&'a mut Corpus);

impl LieSink<'_> {
    /// An edit that real files hold and DevTools opens: accepted with one
    /// warning.
    pub(crate) fn quirk(&mut self, kind: Kind, what: &str, note: &str, text: Vec<u8>) {
        let first = self.0.cases.len();
        self.lie(kind, what, note, text, false);
        for case in &mut self.0.cases[first..] {
            case.expect = Expect::Warned;
        }
    }

    /// A structurally wrong input; `offset` says whether the error must
    /// name a byte offset (it must whenever the lie sits at one place).
    pub(crate) fn lie(&mut self, kind: Kind, what: &str, note: &str, text: Vec<u8>, offset: bool) {
        let max = text.len() as u64;
        let offset = if offset {
            Offset::Required { max }
        } else {
            Offset::Optional
        };
        let category = format!("lie/{}/{what}", kind.name());
        let data = Data::own(text);
        self.0.push(
            category.clone(),
            kind.ext(),
            data.clone(),
            kind.command(),
            offset,
        );
        self.0.note(note.to_string());
        // The same input as the second file of a diff, for about one in
        // four, chosen by the edit itself (stable when others are added).
        if fnv1a(note.as_bytes()) % 4 == 0 {
            let valid = self.0.valid(kind);
            self.0.push(
                format!("diff/{}/{what}", kind.name()),
                kind.ext(),
                data,
                Cmd::Diff(valid),
                offset,
            );
            self.0.note(note.to_string());
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Cut points: `head` points inside the first 64 KiB (denser near the
/// start, where the header and the kind detection are), `deep` points
/// evenly spread beyond it, the last byte, and just before and after the
/// first occurrence of each section key.
fn cut_points(data: &[u8], head: usize, deep: usize) -> Vec<usize> {
    const HEAD: usize = 64 * 1024;
    // Whitespace at the end is not part of the JSON: cutting it off cuts
    // nothing.
    let len = data.trim_ascii_end().len();
    let h = len.min(HEAD);
    let mut cuts: Vec<usize> = (0..head)
        .map(|i| 1 + i * i * (h - 2) / (head * head))
        .collect();
    if len > HEAD {
        cuts.extend((1..=deep).map(|i| HEAD + i * (len - HEAD) / (deep + 1)));
    }
    cuts.push(len - 1);
    for key in SECTION_KEYS {
        if let Some(p) = find(data, key.as_bytes()) {
            cuts.extend([p, p + 1, p + key.len(), p + key.len() + 1]);
        }
    }
    cuts.retain(|&c| c > 0 && c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

const SECTION_KEYS: [&str; 13] = [
    "\"head\"",
    "\"children\"",
    "\"samples\"",
    "\"meta\"",
    "\"node_count\"",
    "\"nodes\"",
    "\"edges\"",
    "\"trace_function_infos\"",
    "\"trace_tree\"",
    "\"locations\"",
    "\"strings\"",
    "\"selfSize\"",
    "\"callFrame\"",
];

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where in the file a cut is: inside the first bytes (where the kind is
/// told), the first 64 KiB (the detection prefix), or beyond.
fn zone(at: usize) -> &'static str {
    match at {
        0..256 => "tiny",
        256..65536 => "head",
        _ => "deep",
    }
}

fn truncations(c: &mut Corpus, fx: &Fixtures) {
    let snapshot_big = gz::gunzip(&fx.snapshot_big_gz);
    let timeline_big = gz::gunzip(&fx.timeline_big_gz);
    let profile_big_gz = gz::gzip(&fx.profile_big);
    // Plain cuts of small files (many: every section boundary), of big
    // ones (fewer: each costs a parse of up to megabytes).
    let plain: [(Kind, &[u8], usize, usize); 6] = [
        (Kind::Profile, &fx.profile, 24, 0),
        (Kind::Snapshot, &fx.snapshot, 24, 0),
        (Kind::Timeline, &fx.timeline, 24, 0),
        (Kind::Profile, &fx.profile_big, 8, 8),
        (Kind::Snapshot, &snapshot_big, 5, 5),
        (Kind::Timeline, &timeline_big, 4, 4),
    ];
    for (kind, data, head, deep) in plain {
        let shared = Arc::new(data.to_vec());
        for cut in cut_points(data, head, deep) {
            let data = Data {
                bytes: shared.clone(),
                len: cut,
            };
            let category = format!("truncate/{}/plain/{}", kind.name(), zone(cut));
            let offset = Offset::Required { max: cut as u64 };
            c.push(category, kind.ext(), data, kind.command(), offset);
            c.note(format!("cut at byte {cut} of {}", shared.len()));
        }
    }
    // Cut content, well-formed gzip around it.
    let content: [(Kind, &[u8], usize, usize); 4] = [
        (Kind::Profile, &fx.profile, 10, 0),
        (Kind::Snapshot, &fx.snapshot, 10, 0),
        (Kind::Timeline, &fx.timeline, 10, 0),
        (Kind::Profile, &fx.profile_big, 5, 5),
    ];
    for (kind, data, head, deep) in content {
        for cut in cut_points(data, head, deep).into_iter().step_by(2) {
            let category = format!("truncate/{}/gz-content/{}", kind.name(), zone(cut));
            let ext = format!("{}.gz", kind.ext());
            let offset = Offset::Required { max: cut as u64 };
            let note = format!("cut at byte {cut} of {}, then gzipped", data.len());
            let data = Data::own(gz::gzip(&data[..cut]));
            c.push(category, &ext, data, kind.command(), offset);
            c.note(note);
        }
    }
    // Cut gzip streams.
    let streams: [(Kind, Vec<u8>, usize); 5] = [
        (Kind::Profile, gz::gzip(&fx.profile), 8),
        (Kind::Snapshot, gz::gzip(&fx.snapshot), 8),
        (Kind::Timeline, gz::gzip(&fx.timeline), 8),
        (Kind::Profile, profile_big_gz, 12),
        (Kind::Snapshot, fx.snapshot_big_gz.clone(), 16),
    ];
    for (kind, stream, n) in streams {
        gz_stream_cuts(c, kind, stream, n);
    }
    gz_stream_cuts(c, Kind::Timeline, fx.timeline_big_gz.clone(), 12);
}

/// Cuts of a gzip file itself: `n` points spread over it (more near the
/// start), some inside its 8-byte trailer, some inside its header.
fn gz_stream_cuts(c: &mut Corpus, kind: Kind, stream: Vec<u8>, n: usize) {
    let len = stream.len();
    let full = gz::gunzip(&stream).len() as u64;
    let mut cuts: Vec<usize> = (1..=n).map(|i| 11 + i * i * (len - 20) / (n * n)).collect();
    cuts.extend([len - 8, len - 4, len - 1]);
    cuts.extend([1, 5, 10]);
    cuts.sort_unstable();
    cuts.dedup();
    let shared = Arc::new(stream);
    for cut in cuts {
        let got = gz::gunzip_prefix(&shared[..cut]);
        // All of the content but not all of the stream: the end of the
        // deflate data or the trailer (CRC, length) is missing.
        let where_ = if got as u64 == full {
            "trailer"
        } else {
            zone(got)
        };
        let category = format!("truncate/{}/gz-stream/{where_}", kind.name());
        let data = Data {
            bytes: shared.clone(),
            len: cut,
        };
        let ext = format!("{}.gz", kind.ext());
        let offset = if cut <= 10 {
            // Not even a gzip header: nothing was decompressed.
            Offset::Optional
        } else {
            Offset::Required { max: full }
        };
        c.push(category, &ext, data, kind.command(), offset);
        c.note(format!(
            "gzip stream cut at byte {cut} of {len} ({got} bytes decompress)"
        ));
    }
}

/// Damage to the gzip layer of whole, valid content: a wrong CRC, a wrong
/// length, flipped bits in the deflate data, garbage after the member.
fn gzip_damage(c: &mut Corpus, fx: &Fixtures) {
    let inputs: [(Kind, &[u8]); 4] = [
        (Kind::Profile, &fx.profile),
        (Kind::Snapshot, &fx.snapshot),
        (Kind::Timeline, &fx.timeline),
        (Kind::Profile, &fx.profile_big),
    ];
    for (kind, data) in inputs {
        let good = gz::gzip(data);
        let n = good.len();
        let ext = format!("{}.gz", kind.ext());
        let mut variants: Vec<(&str, Vec<u8>, bool)> = Vec::new();
        let mut crc = good.clone();
        crc[n - 8] ^= 0x55;
        variants.push(("crc", crc, false));
        let mut size = good.clone();
        size[n - 4] ^= 0x01;
        variants.push(("isize", size, false));
        for at in [n / 3, n / 2, n - 12] {
            let mut flipped = good.clone();
            flipped[at] ^= 0xa5;
            variants.push(("deflate-bits", flipped, false));
        }
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"GARBAGE after the gzip member\n");
        variants.push(("trailing-garbage", trailing, false));
        let mut zeros = good.clone();
        zeros.extend_from_slice(&[0; 64]);
        variants.push(("trailing-zeros", zeros, false));
        let mut second = good.clone();
        second.extend_from_slice(&gz::gzip(b"{\"second\":true}"));
        variants.push(("second-member", second, true));
        for (what, bytes, offset) in variants {
            let category = format!("gzip/{}/{what}", kind.name());
            let offset = if offset {
                Offset::Required { max: u64::MAX }
            } else {
                Offset::Optional
            };
            c.push(category, &ext, Data::own(bytes), kind.command(), offset);
            c.note(format!("gzip of {} bytes", data.len()));
        }
    }
}

/// Bombs: deep nesting, gzip files that decompress to gigabytes, long
/// strings and numbers.
fn bombs(c: &mut Corpus, fx: &Fixtures) {
    const DEEP: usize = 1_000_000;
    let open = |head: &str, unit: &str, n: usize| {
        let mut v = head.as_bytes().to_vec();
        for _ in 0..n {
            v.extend_from_slice(unit.as_bytes());
        }
        v
    };
    let req = |v: &Vec<u8>| Offset::Required {
        max: v.len() as u64,
    };
    // Unclosed: the file ends inside the nesting.
    let nests: [(Kind, &str, Vec<u8>); 5] = [
        (
            Kind::Profile,
            "nesting-children",
            open("{\"head\":", "{\"children\":[", 200_000),
        ),
        (
            Kind::Profile,
            "nesting-unknown-key",
            open("{\"head\":{\"x\":", "[", DEEP),
        ),
        (
            Kind::Snapshot,
            "nesting-meta",
            open("{\"snapshot\":{\"meta\":{\"x\":", "[", DEEP),
        ),
        (Kind::Snapshot, "nesting-unknown-key", {
            let head = section_head(&fx.snapshot, "\"nodes\"");
            let mut v = head.to_vec();
            v.extend_from_slice(&open("\"x\":", "{\"a\":", DEEP / 4));
            v
        }),
        (Kind::Timeline, "nesting-trace-tree", {
            let head = section_head(&fx.timeline, "\"trace_tree\"");
            let mut v = head.to_vec();
            v.extend_from_slice(&open("\"trace_tree\":[1,0,0,0,", "[1,0,0,0,", 300_000));
            v
        }),
    ];
    for (kind, what, v) in nests {
        let offset = req(&v);
        c.push(
            format!("bomb/{}/{what}", kind.name()),
            kind.ext(),
            Data::own(v),
            kind.command(),
            offset,
        );
    }
    // Closed nesting in an unknown key, then a lie the parser must reach.
    let mut closed = b"{\"x\":".to_vec();
    closed.extend(std::iter::repeat_n(b'[', DEEP));
    closed.extend(std::iter::repeat_n(b']', DEEP));
    closed.extend_from_slice(b",\"head\":{\"selfSize\":\"big\"}}");
    let offset = req(&closed);
    c.push(
        "bomb/profile/nesting-closed".into(),
        "heapprofile",
        Data::own(closed),
        Cmd::Top,
        offset,
    );

    // Gzip bombs: about 10 MB that decompress to about 10 GB.
    const GIB10: usize = 10 * 1024;
    for kind in [Kind::Profile, Kind::Snapshot, Kind::Timeline] {
        let ext = format!("{}.gz", kind.ext());
        let zeros = gz::bomb(b"", 0, GIB10, b"");
        c.push(
            format!("bomb/{}/gzip-zeros", kind.name()),
            &ext,
            Data::own(zeros),
            kind.command(),
            Offset::Optional,
        );
    }
    let snapshot_head = section_head(&fx.snapshot, "\"nodes\"");
    let mut head = snapshot_head.to_vec();
    head.extend_from_slice(b"\"nodes\":[");
    let ws = gz::bomb(&head, b' ', GIB10, b"");
    c.push(
        "bomb/snapshot/gzip-whitespace".into(),
        "heapsnapshot.gz",
        Data::own(ws),
        Cmd::Summary,
        Offset::Optional,
    );
    let ws = gz::bomb(
        b"{\"head\":{\"callFrame\":{\"functionName\":\"",
        b'a',
        GIB10,
        b"",
    );
    c.push(
        "bomb/profile/gzip-long-string".into(),
        "heapprofile.gz",
        Data::own(ws),
        Cmd::Top,
        Offset::Optional,
    );
    for case in c.cases.iter_mut().filter(|c| c.category.contains("gzip-")) {
        case.slow = true;
    }

    // Long strings and numbers, each followed by a lie.
    let long = "\u{1b}[31mA".repeat(2 << 20);
    let p = String::from_utf8(fx.profile.clone()).unwrap();
    let text = p
        .replacen(
            "\"functionName\":\"main\"",
            &format!("\"functionName\":\"{long}\""),
            1,
        )
        .replacen("\"selfSize\":100", "\"selfSize\":\"oops\"", 1);
    long_case(c, Kind::Profile, "long-name-then-lie", text);
    let text = p.replacen(
        "\"selfSize\":100",
        &format!("\"selfSize\":{}", "9".repeat(1 << 20)),
        1,
    );
    long_case(c, Kind::Profile, "long-number", text);
    let text = p.replacen("\"selfSize\":100", &format!("\"selfSize\":\"{long}\""), 1);
    long_case(c, Kind::Profile, "long-string-as-number", text);
    let text = p.replacen("\"id\":2,", &format!("\"{long}\":1,\"id\":2,\"id\":2,"), 1);
    long_case(c, Kind::Profile, "long-key-then-duplicate", text);
    let s = String::from_utf8(fx.snapshot.clone()).unwrap();
    let text = s
        .replacen("\"<dummy>\"", &format!("\"{long}\""), 1)
        .replacen("\"node_count\":13", "\"node_count\":14", 1);
    long_case(c, Kind::Snapshot, "long-string-then-count", text);
    let text = s.replacen(
        "\"nodes\":[9,1,",
        &format!("\"nodes\":[9,1{},", "0".repeat(1 << 20)),
        1,
    );
    long_case(c, Kind::Snapshot, "long-number-in-nodes", text);
    let text = s.replacen(
        "\"node_count\":13",
        &format!("\"node_count\":\"{long}\""),
        1,
    );
    long_case(c, Kind::Snapshot, "long-string-as-count", text);
}

fn long_case(c: &mut Corpus, kind: Kind, what: &str, text: String) {
    let max = text.len() as u64;
    c.push(
        format!("bomb/{}/{what}", kind.name()),
        kind.ext(),
        Data::own(text.into_bytes()),
        kind.command(),
        Offset::Required { max },
    );
}

/// The text of `data` up to `key` (the header of a snapshot).
fn section_head<'a>(data: &'a [u8], key: &str) -> &'a [u8] {
    &data[..find(data, key.as_bytes()).expect("section key in fixture")]
}

/// Control characters in names, keys, values and file names.
fn control_characters(c: &mut Corpus, fx: &Fixtures) {
    let p = String::from_utf8(fx.profile.clone()).unwrap();
    let s = String::from_utf8(fx.snapshot.clone()).unwrap();
    let t = String::from_utf8(fx.timeline.clone()).unwrap();
    let escaped = "\\u001b[31m\\u0007\\r\\n\\u0000\\u009b2J\\u0085\\u007f";
    let raw = "\u{1b}[31m\u{7}\r\n\u{0}\u{9b}2J\u{85}\u{7f}";
    let profile_lies: [(&str, &str, String); 8] = [
        (
            "value-escaped",
            "\"selfSize\":100",
            format!("\"selfSize\":\"{escaped}\""),
        ),
        (
            "value-raw",
            "\"selfSize\":100",
            format!("\"selfSize\":\"{raw}\""),
        ),
        (
            "name-raw",
            "\"functionName\":\"main\"",
            format!("\"functionName\":\"{raw}\""),
        ),
        (
            "key-escaped",
            "\"id\":2,",
            format!("\"id\":2,\"{escaped}\":1,\"{escaped}\":2,\"id\":2,"),
        ),
        ("key-raw", "\"id\":2,", format!("\"{raw}\":2,")),
        (
            "bare-raw",
            "\"selfSize\":100",
            format!("\"selfSize\":{raw}"),
        ),
        (
            "number-raw",
            "\"selfSize\":100",
            "\"selfSize\":1\u{1b}[2J00".to_string(),
        ),
        (
            "top-key-escaped",
            "{\"head\"",
            format!("{{\"{escaped}\":{{\"{escaped}\":1}},\"head\":5,\"head\""),
        ),
    ];
    for (what, from, to) in profile_lies {
        ctl_case(c, Kind::Profile, what, p.replacen(from, &to, 1));
    }
    let snapshot_lies: [(&str, &str, String); 5] = [
        (
            "field-name",
            "\"type\",\"name\",\"id\"",
            format!("\"type{escaped}\",\"name\",\"id\""),
        ),
        (
            "edge-field-name",
            "\"to_node\"",
            format!("\"to_{escaped}\""),
        ),
        (
            "count-string",
            "\"node_count\":13",
            format!("\"node_count\":\"{escaped}\""),
        ),
        ("section-name", "\"edges\"", format!("\"{escaped}\"")),
        (
            "raw-in-nodes",
            "\"nodes\":[9,1,",
            format!("\"nodes\":[9,{raw}1,"),
        ),
    ];
    for (what, from, to) in snapshot_lies {
        ctl_case(c, Kind::Snapshot, what, s.replacen(from, &to, 1));
    }
    let timeline_lies: [(&str, &str, String); 2] = [
        (
            "trace-field-name",
            "\"function_info_index\"",
            format!("\"{escaped}\""),
        ),
        (
            "raw-in-trace-tree",
            "\"trace_tree\":[1,0,",
            format!("\"trace_tree\":[1,{raw}0,"),
        ),
    ];
    for (what, from, to) in timeline_lies {
        ctl_case(c, Kind::Timeline, what, t.replacen(from, &to, 1));
    }
    // Unknown JSON with control characters in its keys.
    let unknown = format!("{{\"{escaped}\":1,\"{escaped}x\":[1,2]}}");
    c.push(
        "ctl/kind/unknown-keys".into(),
        "heapprofile",
        Data::own(unknown.into_bytes()),
        Cmd::Top,
        Offset::Optional,
    );
    // File names with control characters (and one that is not UTF-8),
    // holding a truncated profile.
    let names: [&[u8]; 4] = [
        b"ctl-name-\x1b[31m-\x07.heapprofile",
        b"ctl-name-line\nbreak.heapprofile",
        b"ctl-name-\r\x08\x7f.heapprofile",
        b"ctl-name-\xff\xfe-not-utf8.heapprofile",
    ];
    let cut = Data::own(fx.profile[..fx.profile.len() / 2].to_vec());
    for name in names {
        let max = cut.len as u64;
        c.cases.push(Case {
            category: "ctl/file-name".into(),
            file: OsString::from_vec(name.to_vec()),
            shown: "ctl-name-".into(),
            data: cut.clone(),
            cmd: Cmd::Top,
            offset: Offset::Required { max },
            expect: Expect::Rejected,
            slow: false,
            note: "a truncated profile".into(),
        });
    }
}

fn ctl_case(c: &mut Corpus, kind: Kind, what: &str, text: String) {
    let max = text.len() as u64;
    c.push(
        format!("ctl/{}/{what}", kind.name()),
        kind.ext(),
        Data::own(text.into_bytes()),
        kind.command(),
        Offset::Required { max },
    );
}

/// Inputs of the wrong kind for the command, or of no kind at all.
fn wrong_kinds(c: &mut Corpus, fx: &Fixtures) {
    let mismatched: [(&str, &[u8], &str, Cmd); 6] = [
        ("snapshot-to-top", &fx.snapshot, "heapsnapshot", Cmd::Top),
        (
            "profile-to-summary",
            &fx.profile,
            "heapprofile",
            Cmd::Summary,
        ),
        (
            "profile-to-timeline",
            &fx.profile,
            "heapprofile",
            Cmd::Timeline,
        ),
        (
            "snapshot-to-timeline",
            &fx.snapshot,
            "heapsnapshot",
            Cmd::Timeline,
        ),
        ("cpuprofile-to-top", &fx.cpuprofile, "cpuprofile", Cmd::Top),
        (
            "cpuprofile-to-summary",
            &fx.cpuprofile,
            "cpuprofile",
            Cmd::Summary,
        ),
    ];
    for (what, data, ext, cmd) in mismatched {
        c.push(
            format!("kind/{what}"),
            ext,
            Data::own(data.to_vec()),
            cmd,
            Offset::Optional,
        );
    }
    // A profile renamed: the content decides, and it is still the wrong kind.
    c.push(
        "kind/profile-named-snapshot".into(),
        "heapsnapshot",
        Data::own(fx.profile.clone()),
        Cmd::Summary,
        Offset::Optional,
    );
    c.push(
        "kind/snapshot-named-profile".into(),
        "heapprofile",
        Data::own(fx.snapshot.clone()),
        Cmd::Top,
        Offset::Optional,
    );
    let diffs = [
        (
            "diff-profile-vs-snapshot",
            Kind::Profile,
            fx.snapshot.clone(),
        ),
        (
            "diff-snapshot-vs-profile",
            Kind::Snapshot,
            fx.profile.clone(),
        ),
    ];
    for (what, kind, data) in diffs {
        let valid = c.valid(kind);
        c.push(
            format!("kind/{what}"),
            "json",
            Data::own(data),
            Cmd::Diff(valid),
            Offset::Optional,
        );
    }
    let mut utf16 = vec![0xff, 0xfe];
    for u in String::from_utf8_lossy(&fx.profile).encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec();
    let not_profiles: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b" \n\t\r\n ".to_vec()),
        ("bom-only", b"\xef\xbb\xbf".to_vec()),
        ("bom-garbage", b"\xef\xbb\xbfgarbage".to_vec()),
        ("empty-object", b"{}".to_vec()),
        ("empty-array", b"[]".to_vec()),
        ("null", b"null".to_vec()),
        ("number", b"12345".to_vec()),
        ("string", b"\"heap\"".to_vec()),
        ("true", b"true".to_vec()),
        (
            "array-of-profile",
            [b"[".as_slice(), &fx.profile, b"]"].concat(),
        ),
        ("utf16", utf16),
        ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("elf", elf),
        ("zip", b"PK\x03\x04\x14\0\0\0\x08\0".to_vec()),
        ("nul-bytes", vec![0; 4096]),
        (
            "high-bytes",
            (0..=255u8).cycle().take(5000).map(|b| b | 0x80).collect(),
        ),
        (
            "cpuprofile-shape",
            b"{\"nodes\":[],\"startTime\":0,\"endTime\":1,\"samples\":[],\"timeDeltas\":[]}"
                .to_vec(),
        ),
        ("trace-events", b"{\"traceEvents\":[]}".to_vec()),
        ("snapshot-empty", b"{\"snapshot\":{}}".to_vec()),
        ("head-null", b"{\"head\":null}".to_vec()),
        ("profile-wrapper-number", b"{\"profile\":5}".to_vec()),
        ("gzip-empty", gz::gzip(b"")),
        ("gzip-not-json", gz::gzip(b"this is not json at all\n")),
        ("gzip-of-gzip", gz::gzip(&gz::gzip(&fx.profile))),
    ];
    for (what, data) in not_profiles {
        for cmd in [Cmd::Top, Cmd::Summary, Cmd::Timeline] {
            c.push(
                format!("kind/{what}"),
                "bin",
                Data::own(data.clone()),
                cmd,
                Offset::Optional,
            );
        }
    }
}
