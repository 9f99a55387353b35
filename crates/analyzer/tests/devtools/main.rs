//! DevTools' rules for sampling heap profiles (formats §4), checked on the
//! hand-written fixtures that illustrate each rule.

use std::path::PathBuf;

use heapdiff_analyzer::{
    BottomUpNode, BottomUpOptions, GroupBy, OrdinalRange, TopOptions, TreeOptions, Weights,
    bottom_up, call_tree, top, top_down,
};
use heapdiff_model::HeapProfile;

fn load(case: &str) -> HeapProfile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/heapprofile")
        .join(case)
        .join("input.heapprofile");
    let bytes = std::fs::read(&path).unwrap();
    heapdiff_parser::parse_heapprofile(&bytes[..])
        .unwrap()
        .value
}

/// `(name, self, total)` of the top rows.
fn check_top(p: &HeapProfile, w: &Weights, expected: &[(&str, u64, u64)]) {
    let tree = call_tree(p, w);
    let report = top(p, &tree, &TopOptions::default());
    let got: Vec<(&str, u64, u64)> = report
        .rows
        .iter()
        .map(|r| (r.function.name.as_str(), r.self_bytes, r.total))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn worked_example_heavy_view_top_level() {
    let p = load("worked-example");
    check_top(
        &p,
        &Weights::self_size(&p),
        &[
            ("alloc", 540, 540),
            ("main", 100, 640),
            ("(V8 API)", 50, 50),
            ("helper", 0, 240),
        ],
    );
}

#[test]
fn worked_example_tree_view_prunes_gc_and_totals() {
    let p = load("worked-example");
    let tree = call_tree(&p, &Weights::self_size(&p));
    assert_eq!(tree.root_total(), 690);
    let report = top_down(&p, &tree, &TreeOptions::default());
    let got: Vec<(u32, &str, u64, u64)> = report
        .rows
        .iter()
        .map(|r| (r.depth, r.function.name.as_str(), r.self_bytes, r.total))
        .collect();
    assert_eq!(
        got,
        [
            (0, "main", 100, 640),
            (1, "alloc", 300, 300),
            (1, "helper", 0, 240),
            (2, "alloc", 200, 240),
            (3, "alloc", 40, 40),
            (0, "(V8 API)", 50, 50),
        ]
    );
}

fn flatten(nodes: &[BottomUpNode], depth: usize, out: &mut Vec<(usize, String, u64, u64)>) {
    for n in nodes {
        out.push((depth, n.function.name.clone(), n.self_bytes, n.total));
        flatten(&n.callers, depth + 1, out);
    }
}

#[test]
fn worked_example_heavy_view_callers() {
    let p = load("worked-example");
    let tree = call_tree(&p, &Weights::self_size(&p));
    let report = bottom_up(&p, &tree, &BottomUpOptions::default());
    let mut got = Vec::new();
    flatten(&report.rows, 0, &mut got);
    let expected = [
        (0, "alloc", 540, 540),
        (1, "main", 300, 300),
        (1, "helper", 200, 240),
        (2, "main", 200, 240),
        // A new caller row starts at the node's values even though alloc#8
        // was excluded from alloc's total (formats §4.3 step 4).
        (1, "alloc", 40, 40),
        (2, "helper", 40, 40),
        (3, "main", 40, 40),
        (0, "main", 100, 640),
        (0, "(V8 API)", 50, 50),
        (0, "helper", 0, 240),
        (1, "main", 0, 240),
    ];
    let expected: Vec<(usize, String, u64, u64)> = expected
        .iter()
        .map(|&(d, n, s, t)| (d, n.to_string(), s, t))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn range_uses_sample_sizes_and_keeps_root_self() {
    let p = load("range-rule");
    assert_eq!(p.unattributed.bytes, [999]);
    // Without a range: selfSize.
    check_top(
        &p,
        &Weights::self_size(&p),
        &[
            ("alloc", 310, 310),
            ("main", 100, 410),
            ("(V8 API)", 50, 50),
        ],
    );
    // Ordinals 3..=5: main's sample (3) and (V8 API)'s (5); alloc's (7) is out.
    let w = Weights::in_range(&p, &OrdinalRange { lo: 3, hi: 5 });
    check_top(&p, &w, &[("main", 100, 100), ("(V8 API)", 50, 50)]);
    // The unattributed sample (ordinal 6) is reported, not dropped.
    let w = Weights::in_range(&p, &OrdinalRange { lo: 6, hi: 7 });
    assert_eq!(w.unattributed_bytes, 999);
    check_top(&p, &w, &[("alloc", 300, 300), ("main", 0, 300)]);
    // Both bounds 0 means "no range" in DevTools.
    let w = Weights::in_range(&p, &OrdinalRange { lo: 0, hi: 0 });
    assert_eq!(w.self_bytes, p.stacks.self_bytes);
}

#[test]
fn fraction_spans_partition_the_recording() {
    let p = load("range-rule");
    let first = OrdinalRange::parse("0%..50%", &p).unwrap();
    let second = OrdinalRange::parse("50%..100%", &p).unwrap();
    assert_eq!((first.lo, first.hi), (3, 5));
    assert_eq!((second.lo, second.hi), (6, 7));
}

#[test]
fn grouping_by_script_counts_recursion_once() {
    let p = load("worked-example");
    let tree = call_tree(&p, &Weights::self_size(&p));
    let report = top(
        &p,
        &tree,
        &TopOptions {
            by: GroupBy::Script,
            ..TopOptions::default()
        },
    );
    let got: Vec<(&str, u64, u64)> = report
        .rows
        .iter()
        .map(|r| (r.function.name.as_str(), r.self_bytes, r.total))
        .collect();
    assert_eq!(got, [("file:///app.js", 640, 640), ("(V8 API)", 50, 50)]);
}
