//! Structural lies: the worked-example fixtures with one thing made wrong
//! (a count, a field list, an index out of range, a negative, huge,
//! fractional or mistyped number, a duplicate key, data after the end).
//! Each is a text edit of the fixture, so the rest stays byte-for-byte.

use crate::corpus::{Kind, LieSink};

/// Replaces the first `from` in `text` (which must be there).
fn edit(text: &str, from: &str, to: &str) -> Vec<u8> {
    assert!(text.contains(from), "{from:?} is not in the fixture");
    text.replacen(from, to, 1).into_bytes()
}

/// Lies that sit at one place in the file (the error must name its byte
/// offset), as (category, text to find, replacement).
type Edits<'a> = &'a [(&'a str, &'a str, &'a str)];

fn apply(sink: &mut LieSink<'_>, kind: Kind, text: &str, edits: Edits<'_>, offset: bool) {
    for (what, from, to) in edits {
        sink.lie(kind, what, to, edit(text, from, to), offset);
    }
}

/// Quirks of real files that DevTools' engine opens: accepted with one
/// warning, as (category, text to find, replacement).
fn apply_quirks(sink: &mut LieSink<'_>, kind: Kind, text: &str, edits: Edits<'_>) {
    for (what, from, to) in edits {
        sink.quirk(kind, what, to, edit(text, from, to));
    }
}

/// Data after a whole, valid file.
fn trailing(sink: &mut LieSink<'_>, kind: Kind, data: &[u8]) {
    let tails: [(&str, &[u8]); 6] = [
        ("trailing-garbage", b"x"),
        ("trailing-garbage", b"\0"),
        ("trailing-garbage", b"\n}"),
        ("trailing-garbage", b",\"more\":1}"),
        ("trailing-garbage", b"\n[]\n"),
        ("concatenated", data),
    ];
    for (what, tail) in tails {
        let note = String::from_utf8_lossy(&tail[..tail.len().min(40)]);
        sink.lie(
            kind,
            what,
            &format!("then {note:?}"),
            [data, tail].concat(),
            true,
        );
    }
}

pub(crate) fn profile_lies(sink: &mut LieSink<'_>, data: &[u8]) {
    let p = std::str::from_utf8(data).unwrap();
    let at_place: Edits<'_> = &[
        ("negative", "\"selfSize\":100", "\"selfSize\":-100"),
        ("negative", "\"selfSize\":100", "\"selfSize\":-0.5"),
        ("negative", "\"id\":2,", "\"id\":-2,"),
        ("negative", "\"size\":300", "\"size\":-300"),
        ("negative", "\"nodeId\":3", "\"nodeId\":-3"),
        ("negative", "\"ordinal\":7", "\"ordinal\":-7"),
        ("huge", "\"selfSize\":100", "\"selfSize\":1e400"),
        (
            "huge",
            "\"selfSize\":100",
            "\"selfSize\":18446744073709551616",
        ),
        ("huge", "\"selfSize\":100", "\"selfSize\":9007199254740993"),
        ("huge", "\"id\":2,", "\"id\":18446744073709551617,"),
        ("huge", "\"id\":2,", "\"id\":1e30,"),
        ("huge", "\"size\":300", "\"size\":1e300"),
        (
            "huge",
            "\"nodeId\":3",
            "\"nodeId\":123456789012345678901234567890",
        ),
        ("huge", "\"lineNumber\":0", "\"lineNumber\":99999999999"),
        (
            "huge",
            "\"columnNumber\":0",
            "\"columnNumber\":-99999999999",
        ),
        ("fraction", "\"selfSize\":100", "\"selfSize\":100.5"),
        ("fraction", "\"id\":2,", "\"id\":2.5,"),
        ("fraction", "\"nodeId\":3", "\"nodeId\":3.25"),
        ("bad-number", "\"selfSize\":100", "\"selfSize\":0x64"),
        ("bad-number", "\"selfSize\":100", "\"selfSize\":1e"),
        ("bad-number", "\"selfSize\":100", "\"selfSize\":01"),
        ("bad-number", "\"selfSize\":100", "\"selfSize\":NaN"),
        ("bad-number", "\"selfSize\":100", "\"selfSize\":Infinity"),
        ("wrong-type", "\"selfSize\":100", "\"selfSize\":\"100\""),
        ("wrong-type", "\"selfSize\":100", "\"selfSize\":null"),
        ("wrong-type", "\"selfSize\":100", "\"selfSize\":true"),
        ("wrong-type", "\"selfSize\":100", "\"selfSize\":[100]"),
        ("wrong-type", "\"selfSize\":100", "\"selfSize\":{}"),
        ("wrong-type", "\"id\":2,", "\"id\":\"2\","),
        (
            "wrong-type",
            "\"functionName\":\"main\"",
            "\"functionName\":5",
        ),
        (
            "wrong-type",
            "\"functionName\":\"main\"",
            "\"functionName\":[\"main\"]",
        ),
        ("wrong-type", "\"scriptId\":\"10\"", "\"scriptId\":{}"),
        ("wrong-type", "\"lineNumber\":0", "\"lineNumber\":\"0\""),
        (
            "wrong-type",
            "\"callFrame\":{",
            "\"callFrame\":null,\"cf\":{",
        ),
        ("wrong-type", "\"children\":[]", "\"children\":{}"),
        ("wrong-type", "\"children\":[]", "\"children\":5"),
        ("wrong-type", "\"children\":[]", "\"children\":[5]"),
        ("wrong-type", "\"children\":[]", "\"children\":[null]"),
        ("wrong-type", "\"children\":[]", "\"children\":[[]]"),
        ("wrong-type", "\"samples\":[", "\"samples\":5,\"s\":["),
        ("wrong-type", "\"samples\":[{", "\"samples\":[7,{"),
        ("wrong-type", "\"nodeId\":3", "\"nodeId\":\"3\""),
        ("wrong-type", "\"size\":300", "\"size\":[300]"),
        ("wrong-type", "{\"head\":", "{\"head\":[],\"h\":"),
        ("duplicate-key", "{\"head\":", "{\"head\":{},\"head\":"),
        (
            "duplicate-key",
            "\"selfSize\":100,",
            "\"selfSize\":100,\"selfSize\":5,",
        ),
        ("duplicate-key", "\"id\":2,", "\"id\":2,\"id\":9,"),
        (
            "duplicate-key",
            "\"functionName\":\"main\"",
            "\"functionName\":\"main\",\"functionName\":\"x\"",
        ),
        (
            "duplicate-key",
            "\"callFrame\":{",
            "\"callFrame\":{},\"callFrame\":{",
        ),
        (
            "duplicate-key",
            "\"children\":[]",
            "\"children\":[],\"children\":[]",
        ),
        (
            "duplicate-key",
            "\"samples\":[",
            "\"samples\":[],\"samples\":[",
        ),
        ("duplicate-key", "\"size\":300,", "\"size\":300,\"size\":1,"),
        ("duplicate-id", "\"id\":3,", "\"id\":2,"),
        ("duplicate-id", "\"id\":8,", "\"id\":1,"),
        ("syntax", "\"selfSize\":100,", "\"selfSize\":100,,"),
        ("syntax", "\"selfSize\":100,", "\"selfSize\" 100,"),
        ("syntax", "\"children\":[]", "\"children\":[}"),
        (
            "syntax",
            "\"functionName\":\"main\"",
            "\"functionName\":\"ma\\qin\"",
        ),
        (
            "syntax",
            "\"functionName\":\"main\"",
            "\"functionName\":\"\\ud800\\u12\"",
        ),
        (
            "syntax",
            "\"functionName\":\"main\"",
            "'functionName':'main'",
        ),
        (
            "syntax",
            "\"functionName\":\"main\"",
            "\"functionName\":\"m\u{0}ain\"",
        ),
    ];
    apply(sink, Kind::Profile, p, at_place, true);
    let wrapped = format!("{{\"profile\":{}}}", p.trim_end());
    let extra = format!("{wrapped}}}").into_bytes();
    sink.lie(
        Kind::Profile,
        "trailing-garbage",
        "{\"profile\":…}}",
        extra,
        true,
    );
    let array = edit(&wrapped, "{\"profile\":{", "{\"profile\":[{");
    sink.lie(Kind::Profile, "wrong-type", "{\"profile\":[…}", array, true);
    trailing(sink, Kind::Profile, data);
}

pub(crate) fn snapshot_lies(sink: &mut LieSink<'_>, data: &[u8]) {
    let s = std::str::from_utf8(data).unwrap();
    let fields = "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"]";
    let at_place: Edits<'_> = &[
        ("count", "\"node_count\":13", "\"node_count\":14"),
        ("count", "\"node_count\":13", "\"node_count\":12"),
        ("count", "\"node_count\":13", "\"node_count\":0"),
        ("count", "\"node_count\":13", "\"node_count\":4294967296"),
        ("count", "\"edge_count\":19", "\"edge_count\":20"),
        ("count", "\"edge_count\":19", "\"edge_count\":18"),
        ("count", "\"edge_count\":19", "\"edge_count\":19.5"),
        ("negative", "\"node_count\":13", "\"node_count\":-13"),
        ("negative", "\"edge_count\":19", "\"edge_count\":-19"),
        (
            "negative",
            "\"trace_function_count\":0",
            "\"trace_function_count\":-1",
        ),
        ("huge", "\"node_count\":13", "\"node_count\":1e300"),
        (
            "huge",
            "\"node_count\":13",
            "\"node_count\":18446744073709551616",
        ),
        ("huge", "\"edge_count\":19", "\"edge_count\":1e20"),
        ("wrong-type", "\"node_count\":13", "\"node_count\":\"13\""),
        ("wrong-type", "\"edge_count\":19", "\"edge_count\":null"),
        (
            "wrong-type",
            "\"trace_function_count\":0",
            "\"trace_function_count\":[]",
        ),
        ("wrong-type", "\"meta\":", "\"meta\":5,\"m\":"),
        ("wrong-type", "{\"snapshot\":", "{\"snapshot\":5,\"s\":"),
        ("wrong-type", "\"nodes\":", "\"nodes\":5,\"n\":"),
        ("wrong-type", "\"edges\":", "\"edges\":{},\"e\":"),
        ("wrong-type", "\"strings\":", "\"strings\":\"s\",\"t\":"),
        ("wrong-type", "\"strings\":[\"<dummy>\"", "\"strings\":[5"),
        (
            "wrong-type",
            "\"strings\":[\"<dummy>\"",
            "\"strings\":[null",
        ),
        (
            "wrong-type",
            "\"node_fields\":",
            "\"node_fields\":5,\"nf\":",
        ),
        (
            "wrong-type",
            "\"node_fields\":[\"type\"",
            "\"node_fields\":[1",
        ),
        (
            "wrong-type",
            "\"edge_fields\":",
            "\"edge_fields\":{},\"ef\":",
        ),
        ("wrong-type", "\"node_types\":[[", "\"node_types\":[5,["),
        ("wrong-type", "\"edge_types\":[[", "\"edge_types\":[{},["),
        ("wrong-type", "\"nodes\":[9,1,", "\"nodes\":[9,\"1\","),
        ("wrong-type", "\"nodes\":[9,1,", "\"nodes\":[9,null,"),
        ("wrong-type", "\"nodes\":[9,1,", "\"nodes\":[9,[1],"),
        ("wrong-type", "\"edges\":[1,1,7", "\"edges\":[1,1,{}"),
        ("wrong-type", "\"locations\":[28,", "\"locations\":[\"28\","),
        (
            "node-fields",
            fields,
            "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\"]",
        ),
        (
            "node-fields",
            fields,
            "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\",\"extra\"]",
        ),
        (
            "node-fields",
            fields,
            "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"trace_node_id\",\"detachedness\",\"extra\"]",
        ),
        (
            "node-fields",
            fields,
            "\"node_fields\":[\"type\",\"name\",\"name\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"]",
        ),
        ("node-fields", fields, "\"node_fields\":[]"),
        (
            "edge-fields",
            "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"]",
            "\"edge_fields\":[\"type\",\"name_or_index\"]",
        ),
        (
            "edge-fields",
            "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"]",
            "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\",\"x\"]",
        ),
        (
            "edge-fields",
            "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"]",
            "\"edge_fields\":[\"name_or_index\",\"type\",\"from_node\"]",
        ),
        (
            "array-length",
            "\"nodes\":[9,1,1,0,2,0,0",
            "\"nodes\":[9,1,1,0,2,0",
        ),
        (
            "array-length",
            "\"nodes\":[9,1,1,0,2,0,0",
            "\"nodes\":[9,1,1,0,2,0,0,0",
        ),
        ("array-length", "\"edges\":[1,1,7", "\"edges\":[1,1"),
        ("array-length", "\"edges\":[1,1,7", "\"edges\":[1,1,7,1"),
        (
            "array-length",
            "\"locations\":[28,1,0,10",
            "\"locations\":[28,1,0",
        ),
        ("array-length", "\"nodes\":[9,1,1,0,2,0,0", "\"nodes\":[]"),
        ("edge-count", ",3,4,7,40,5,0,0", ",3,4,7,40,500,0,0"),
        ("edge-count", ",3,4,7,40,5,0,0", ",3,4,7,40,4,0,0"),
        ("edge-count", ",3,4,7,40,5,0,0", ",3,4,7,40,4294967295,0,0"),
        ("edge-target", "\"edges\":[1,1,7", "\"edges\":[1,1,9999"),
        ("edge-target", "\"edges\":[1,1,7", "\"edges\":[1,1,91"),
        (
            "edge-target",
            "\"edges\":[1,1,7",
            "\"edges\":[1,1,4294967296",
        ),
        ("edge-target", "\"edges\":[1,1,7", "\"edges\":[1,1,6"),
        ("edge-target", ",2,21,42]", ",2,21,43]"),
        ("type-index", "\"nodes\":[9,1,", "\"nodes\":[99,1,"),
        ("type-index", "\"edges\":[1,1,7", "\"edges\":[7,1,7"),
        ("type-index", "\"edges\":[1,1,7", "\"edges\":[99,1,7"),
        ("string-index", "\"nodes\":[9,1,", "\"nodes\":[9,23,"),
        (
            "string-index",
            "\"nodes\":[9,1,",
            "\"nodes\":[9,4294967295,",
        ),
        ("string-index", ",2,12,28", ",2,999,28"),
        ("string-index", ",3,16,35", ",3,23,35"),
        ("string-index", ",\n\"y\"]}", "]}"),
        ("negative", "\"nodes\":[9,1,", "\"nodes\":[-9,1,"),
        ("negative", ",3,4,7,40,5,0,0", ",3,4,7,-40,5,0,0"),
        ("negative", ",3,4,7,40,5,0,0", ",3,4,-7,40,5,0,0"),
        ("negative", ",3,4,7,40,5,0,0", ",3,4,7,40,-5,0,0"),
        ("negative", "\"edges\":[1,1,7", "\"edges\":[1,1,-7"),
        ("negative", "\"locations\":[28,", "\"locations\":[-28,"),
        ("fraction", ",3,4,7,40,5,0,0", ",3,4,7,40.5,5,0,0"),
        ("fraction", ",3,4,7,40,5,0,0", ",3,4,7,4e1,5,0,0"),
        ("fraction", "\"edges\":[1,1,7", "\"edges\":[1,1,7.0"),
        (
            "huge",
            ",3,4,7,40,5,0,0",
            ",3,4,7,18446744073709551616,5,0,0",
        ),
        ("huge", ",3,4,7,40,5,0,0", ",3,4,7,1e300,5,0,0"),
        (
            "huge",
            "\"nodes\":[9,1,",
            "\"nodes\":[99999999999999999999999999999,1,",
        ),
        (
            "location-index",
            "\"locations\":[28,",
            "\"locations\":[9999,",
        ),
        ("location-index", "\"locations\":[28,", "\"locations\":[29,"),
        ("duplicate-key", "\"nodes\":[", "\"nodes\":[],\"nodes\":["),
        ("duplicate-key", "\"edges\":[", "\"edges\":[],\"edges\":["),
        (
            "duplicate-key",
            "\"strings\":[",
            "\"strings\":[],\"strings\":[",
        ),
        (
            "duplicate-key",
            "\"node_count\":13",
            "\"node_count\":13,\"node_count\":13",
        ),
        (
            "duplicate-key",
            "{\"snapshot\":{",
            "{\"snapshot\":{},\"snapshot\":{",
        ),
        ("duplicate-key", "\"meta\":{", "\"meta\":{},\"meta\":{"),
        ("duplicate-key", fields, &format!("{fields},{fields}")),
        ("syntax", "\"nodes\":[9,1,", "\"nodes\":[9,,1,"),
        ("syntax", "\"nodes\":[9,1,", "\"nodes\":[9 1,"),
        ("syntax", "\"edges\":[1,1,7", "\"edges\":[1,1,7]]"),
        (
            "syntax",
            "\"strings\":[\"<dummy>\"",
            "\"strings\":[\"<dum\\xmy>\"",
        ),
        (
            "syntax",
            "\"strings\":[\"<dummy>\"",
            "\"strings\":[\"<dummy>",
        ),
    ];
    apply(sink, Kind::Snapshot, s, at_place, true);
    // Old V8 wrote its symbols with the type index after the list; other
    // runtimes write ids beyond 32 bits.
    let quirks: Edits<'_> = &[
        ("type-index", "\"nodes\":[9,1,", "\"nodes\":[16,1,"),
        ("huge", ",3,4,7,40,5,0,0", ",3,4,4294967296,40,5,0,0"),
    ];
    apply_quirks(sink, Kind::Snapshot, s, quirks);
    let missing: Edits<'_> = &[
        ("missing-section", "\"nodes\":", "\"nodez\":"),
        ("missing-section", "\"edges\":", "\"edgez\":"),
        ("missing-section", "\"strings\":", "\"strinx\":"),
        ("missing-section", "\"meta\":", "\"mata\":"),
        ("missing-section", "\"edge_fields\":", "\"edge_fieldz\":"),
    ];
    apply(sink, Kind::Snapshot, s, missing, false);
    trailing(sink, Kind::Snapshot, data);
}

pub(crate) fn timeline_lies(sink: &mut LieSink<'_>, data: &[u8]) {
    let t = std::str::from_utf8(data).unwrap();
    let at_place: Edits<'_> = &[
        (
            "trace-infos",
            "\"trace_function_infos\":[0,23,1,0,0,0",
            "\"trace_function_infos\":[0,23,1,0,0",
        ),
        (
            "trace-infos",
            "\"trace_function_infos\":[0,23,1,0,0,0",
            "\"trace_function_infos\":[0,9999,1,0,0,0",
        ),
        (
            "trace-infos",
            "\"trace_function_infos\":[0,23,1,0,0,0",
            "\"trace_function_infos\":[0,23,9999,0,0,0",
        ),
        (
            "trace-infos",
            "\"trace_function_infos\":[0,23,1,0,0,0",
            "\"trace_function_infos\":[0,-23,1,0,0,0",
        ),
        (
            "trace-infos",
            "\"trace_function_infos\":[0,23,1,0,0,0",
            "\"trace_function_infos\":[0,\"main\",1,0,0,0",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,",
            "\"trace_tree\":[1,0,0,0,[2,99,",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,",
            "\"trace_tree\":[1,0,0,0,[2,4,",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[",
            "\"trace_tree\":[1,0,0,[",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[",
            "\"trace_tree\":[1,0,0,0,5,[",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,1,24",
            "\"trace_tree\":[1,0,0,0,[2,1,-1,24",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,1,24",
            "\"trace_tree\":[1,0,0,0,[2,1,1,1e400",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,1,24",
            "\"trace_tree\":[1,0,0,0,[2,1,1,\"24\"",
        ),
        ("trace-tree", "5,3,4,96,[]]]", "5,3,4,96,{}]]"),
        (
            "trace-tree",
            "\"trace_tree\":[",
            "\"trace_tree\":5,\"tt\":[",
        ),
        (
            "trace-tree",
            "\"trace_tree\":[1,0,0,0,[2,1,",
            "\"trace_tree\":[1,0,0,0,[1,1,",
        ),
        ("trace-node-index", ",3,5,9,32,2,3,0", ",3,5,9,32,2,-3,0"),
        ("samples", "\"samples\":[0,7", "\"samples\":[0"),
        ("samples", "\"samples\":[0,7", "\"samples\":[-5,7"),
        ("samples", "\"samples\":[0,7", "\"samples\":[0,\"7\""),
        ("samples", "\"samples\":[0,7", "\"samples\":[0.5e400,7"),
        (
            "samples",
            "\"samples\":[0,7",
            "\"samples\":[0,18446744073709551616",
        ),
        ("samples", "\"samples\":[", "\"samples\":{},\"sx\":["),
        (
            "locations",
            "\"locations\":[28,1,0,10",
            "\"locations\":[28,1,0",
        ),
        (
            "locations",
            "\"locations\":[28,1,0,10",
            "\"locations\":[9999,1,0,10",
        ),
        (
            "negative",
            "\"trace_function_count\":4",
            "\"trace_function_count\":-4",
        ),
        (
            "wrong-type",
            "\"trace_function_count\":4",
            "\"trace_function_count\":\"4\"",
        ),
        (
            "duplicate-key",
            "\"trace_tree\":[",
            "\"trace_tree\":[],\"trace_tree\":[",
        ),
        (
            "duplicate-key",
            "\"samples\":[",
            "\"samples\":[],\"samples\":[",
        ),
        (
            "trace-fields",
            "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"]",
            "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\"]",
        ),
        (
            "trace-fields",
            "\"trace_function_info_fields\":[\"function_id\",",
            "\"trace_function_info_fields\":[",
        ),
    ];
    apply(sink, Kind::Timeline, t, at_place, true);
    // A `trace_node_id` missing from the tree: DevTools leaves the object
    // out of the Allocation view.
    let quirks: Edits<'_> = &[
        ("trace-node-index", ",3,5,9,32,2,3,0", ",3,5,9,32,2,99,0"),
        (
            "trace-node-index",
            ",3,5,9,32,2,3,0",
            ",3,5,9,32,2,4294967295,0",
        ),
    ];
    apply_quirks(sink, Kind::Timeline, t, quirks);
    trailing(sink, Kind::Timeline, data);
}
