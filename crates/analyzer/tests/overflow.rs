//! Regressions found by fuzzing the snapshot parser: the largest sizes and
//! counts accepted (sizes up to 2^53 − 1 bytes, each and in total; counts
//! up to `u64::MAX`) never overflow; larger sizes are rejected.

use heapdiff_analyzer::{snapshot, timeline};

const HEADER: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],"node_types":[["hidden","object","synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property","weak"]],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"]}"#;

fn analyze_all(rest: &str) {
    let text = format!("{HEADER}{rest}");
    let g = heapdiff_parser::parse_snapshot(text.as_bytes())
        .unwrap()
        .value;
    let d = snapshot::analyze(&g);
    let _ = snapshot::summary(&g, &d, &snapshot::SummaryOptions::default());
    let _ = snapshot::dominators_report(&g, &d, Some(5));
    let live = timeline::live_by_trace(&g, &d.self_size.to_vec(), None);
    let _ = timeline::allocation_view(&g, &live, None, timeline::AllocationSort::Size);
    let _ = timeline::intervals(&g, &d.self_size.to_vec());
}

#[test]
fn sizes_at_the_bound_do_not_overflow() {
    analyze_all(
        r#","node_count":2,"edge_count":1,"trace_function_count":0},"nodes":[2,0,1,4503599627370496,1,0,1,0,3,4503599627370495,0,0],"edges":[0,0,6],"strings":[""]}"#,
    );
}

#[test]
fn sizes_beyond_the_bound_are_rejected() {
    let text = format!(
        "{HEADER}{}",
        r#","node_count":2,"edge_count":1,"trace_function_count":0},"nodes":[2,0,1,9223372036854775808,1,0,1,0,3,9223372036854775808,0,0],"edges":[0,0,6],"strings":[""]}"#
    );
    let e = heapdiff_parser::parse_snapshot(text.as_bytes()).err();
    let offset = text.find("9223372036854775808").unwrap();
    assert!(
        e.as_ref()
            .is_some_and(|e| e.to_string().contains(&format!("at byte {offset}"))),
        "{e:?}"
    );
}

#[test]
fn huge_extra_native_bytes_saturate() {
    analyze_all(
        r#","node_count":1,"edge_count":0,"trace_function_count":0,"extra_native_bytes":1e30},"nodes":[2,0,1,1,0,0],"edges":[],"strings":[""]}"#,
    );
}

#[test]
fn huge_trace_counts_saturate() {
    analyze_all(
        r#","node_count":1,"edge_count":0,"trace_function_count":1},"nodes":[2,0,1,1,0,0],"edges":[],"trace_function_infos":[0,0,0,0,0,0],"trace_tree":[1,0,18446744073709551615,9007199254740990,[2,0,18446744073709551615,1,[]]],"strings":[""]}"#,
    );
}
