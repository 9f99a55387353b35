//! Inputs found by fuzzing (`fuzz/`, see fuzz/README.md), minimised and kept
//! in `tests/regressions/`. Every one must parse to `Ok` or fail with an
//! error naming a byte offset inside the input, and never panic; the tests
//! below also pin the value each fix produces.

use std::path::{Path, PathBuf};

use heapdiff_model::HeapProfile;
use heapdiff_parser::{ParseError, Parsed, Warning, parse_heapprofile};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions")
}

/// Parses `data`; an error must name its byte offset, within the input.
fn parse(data: &[u8]) -> Result<Parsed<HeapProfile>, ParseError> {
    let result = parse_heapprofile(data);
    if let Err(e) = &result {
        assert_names_offset(e, data);
    }
    result
}

/// `e` is about a place in `data`, and says which byte.
fn assert_names_offset(e: &ParseError, data: &[u8]) {
    {
        let offset = match e {
            ParseError::Truncated { offset, .. }
            | ParseError::Syntax { offset, .. }
            | ParseError::BadValue { offset, .. }
            | ParseError::DuplicateNodeId { offset, .. }
            | ParseError::MissingKey { offset, .. }
            | ParseError::Io { offset, .. } => *offset,
            other => panic!("regression inputs fail at a place in the input, not with: {other}"),
        };
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("byte {offset}")),
            "no byte offset in: {msg}"
        );
        assert!(
            offset <= data.len() as u64,
            "offset {offset} beyond the input: {msg}"
        );
    }
}

fn parse_file(name: &str) -> Result<Parsed<HeapProfile>, ParseError> {
    let data = std::fs::read(dir().join(name)).expect("regression input exists");
    parse(&data)
}

#[test]
fn every_regression_input_parses_or_fails_at_an_offset() {
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).expect("tests/regressions") {
        let path = entry.expect("dir entry").path();
        let data = std::fs::read(&path).expect("readable");
        if path.extension().is_some_and(|e| e == "heapsnapshot") {
            if let Err(e) = heapdiff_parser::parse_snapshot(&data) {
                assert_names_offset(&e, &data);
            }
        } else {
            let _ = parse(&data);
        }
        n += 1;
    }
    assert!(n > 0);
}

/// A high surrogate escape followed by a complete surrogate pair: the pair
/// was swallowed as a second lone surrogate and came out as three U+FFFD
/// instead of U+FFFD and U+10FEAE (JSON.parse then lossy UTF-8).
#[test]
fn lone_high_surrogate_before_a_pair_keeps_the_pair() {
    let p = parse_file("surrogate-high-before-pair.heapprofile")
        .expect("parses")
        .value;
    let f = p.stacks.frame[0];
    assert_eq!(p.frame_name(f), "\u{FFFD}\u{10FEAE}");
}

/// Chains of unpaired high surrogates, and a pair after a short escape.
#[test]
fn surrogate_escape_sequences_decode_as_json_parse_does() {
    let cases: [(&str, &str); 6] = [
        (r"\ud800\ud800\ud83d\ude00", "\u{FFFD}\u{FFFD}\u{1F600}"),
        (r"\ud800", "\u{FFFD}"),
        (r"\udc00\ud83d\ude00", "\u{FFFD}\u{1F600}"),
        (r"\ud800\n\ud83d\ude00", "\u{FFFD}\n\u{1F600}"),
        (r"\ud800x", "\u{FFFD}x"),
        (r"\ud800\u0041", "\u{FFFD}A"),
    ];
    for (escaped, expected) in cases {
        let json = format!(r#"{{"head":{{"id":1,"callFrame":{{"functionName":"{escaped}"}}}}}}"#);
        let p = parse(json.as_bytes()).expect("parses").value;
        assert_eq!(p.frame_name(p.stacks.frame[0]), expected, "{escaped}");
    }
}

/// 2049 unattributed samples of 2^53 − 1 bytes: summing them for the
/// warning overflowed `u64` (a panic in debug builds).
#[test]
fn unattributed_bytes_saturate_instead_of_overflowing() {
    let parsed = parse_file("unattributed-bytes-overflow.heapprofile").expect("parses");
    assert_eq!(parsed.value.unattributed.node_id.len(), 2049);
    let bytes = parsed.warnings.iter().find_map(|w| match w {
        Warning::SamplesWithoutNode {
            count: 2049,
            bytes,
            distinct_nodes: 1,
        } => Some(*bytes),
        _ => None,
    });
    assert_eq!(bytes, Some(u64::MAX));
}

/// 1 MiB of `{"children":[`: the explicit stack of open nodes keeps this
/// off the thread's stack; it is a truncated file at its last byte.
#[test]
fn deeply_nested_children_are_a_truncation_not_a_stack_overflow() {
    let mut data = b"{\"head\":".to_vec();
    while data.len() < 1 << 20 {
        data.extend_from_slice(b"{\"children\":[");
    }
    match parse(&data) {
        Err(ParseError::Truncated { offset, .. }) => assert_eq!(offset, data.len() as u64),
        other => panic!("expected a truncation, got {other:?}"),
    }
}

/// Numbers of any length are valid JSON in keys the parser skips: one beyond
/// `u64` was "integer too large" and one longer than 64 characters left its
/// tail unread ("expected `,`"), rejecting a well-formed profile.
#[test]
fn unknown_keys_may_hold_numbers_of_any_length() {
    let p = parse_file("unknown-key-long-numbers.heapprofile")
        .expect("parses")
        .value;
    assert_eq!(p.samples.len(), 1);
}

/// Skipped numbers are still checked against JSON's grammar.
#[test]
fn malformed_numbers_in_unknown_keys_fail_at_their_offset() {
    for (bad, kind) in [
        ("-x", "syntax"),
        ("1.", "syntax"),
        ("1e+", "syntax"),
        (".5", "syntax"),
        ("1.", "truncated"),
    ] {
        let json = if kind == "truncated" {
            format!(r#"{{"head":{{"id":1}},"x":{bad}"#)
        } else {
            format!(r#"{{"head":{{"id":1}},"x":{bad}}}"#)
        };
        match parse(json.as_bytes()) {
            Err(ParseError::Syntax { .. }) if kind == "syntax" => {}
            Err(ParseError::Truncated { .. }) if kind == "truncated" => {}
            other => panic!("{json}: expected a {kind} error, got {other:?}"),
        }
    }
}

/// Parses a `.heapsnapshot` regression input. Snapshot inputs in
/// `tests/regressions/` open with a `samples` array of numbers, which the
/// `.heapprofile` parser rejects at its offset, so the sweep above still
/// holds for them.
fn parse_snapshot_file(name: &str) -> Result<Parsed<heapdiff_model::HeapGraph>, ParseError> {
    let data = std::fs::read(dir().join(name)).expect("regression input exists");
    assert!(
        parse_heapprofile(data.as_slice()).is_err(),
        "{name} must not parse as a heap profile"
    );
    heapdiff_parser::parse_snapshot(&data)
}

/// The `snapshot` header as the file's last value, ending in `0}}`:
/// skipping a number inside an object looked for the next quote or bracket
/// to find the braces, found none, and called the file truncated
/// ("ends inside `snapshot`"). Found by `parse_snapshot_structured`, which
/// writes the top-level keys in random order.
#[test]
fn snapshot_header_may_be_the_last_value() {
    let g = parse_snapshot_file("snapshot-header-last.heapsnapshot")
        .expect("parses")
        .value;
    assert_eq!(g.n_nodes(), 1);
    assert_eq!(g.meta.node_count, 1);
    assert_eq!(g.samples, vec![(0, 7)]);
}

/// `meta.node_types` holds the type names at the `type` column's index,
/// wherever that column is (DevTools looks them up there). The parser took
/// the first entry as the type names and rejected a snapshot whose `type`
/// column comes last. Found by `parse_snapshot_structured`, which shuffles
/// the columns.
#[test]
fn snapshot_type_names_follow_the_type_column() {
    let g = parse_snapshot_file("snapshot-type-column-last.heapsnapshot")
        .expect("parses")
        .value;
    assert_eq!(g.n_nodes(), 1);
    assert_eq!(g.node_types[3], "object");
    assert_eq!(g.edge_types[2], "property");
    assert_eq!(g.node_name(heapdiff_model::NodeOrdinal::ROOT), "Foo");
}
