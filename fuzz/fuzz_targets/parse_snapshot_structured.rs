//! Structured fuzzing of the snapshot parser and pipeline: `arbitrary`
//! builds a random but well-formed heap snapshot (up to 200 nodes and 200
//! edges with random types from `meta`, self loops, weak edges, shortcuts
//! from the root, WeakMap ephemeron edge names, locations, optional
//! detachedness and allocation trace, node/edge fields and top-level keys
//! in random order), writes it as V8's JSON, parses and analyzes it.
//! Checks: `Ok`; node and edge counts as generated; `retained[0]` equals
//! the sum of adjusted self sizes; every node's idom chain reaches the
//! root; `retained[v] >= self[v]`.
#![no_main]

use std::fmt::Write;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;

const NODE_TYPES: [&str; 15] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
];
const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];
const NAMES: [&str; 16] = [
    "",
    "(GC roots)",
    "(Document DOM trees)",
    "(Handle scope)",
    "Window",
    "global / ",
    "Window / https://example.com",
    "system / Context",
    "system / ExternalStringData",
    "Detached HTMLDivElement",
    "HTMLDivElement",
    "Object",
    "Foo",
    "InternalNode",
    "\u{e9}t\u{e9} \"q\" \\ \n",
    "(system)",
];
const EDGE_NAMES: [&str; 8] = [
    "a",
    "__proto__",
    "map",
    "context",
    "native",
    "part of key",
    "table",
    "",
];

#[derive(Debug)]
struct Node {
    kind: u8,
    name: u8,
    id: u32,
    self_size: u32,
    trace: u8,
    detached: u8,
}

#[derive(Debug)]
struct Edge {
    from: u16,
    kind: u8,
    /// 0..8 an edge name, 8 a WeakMap pair name, 9.. a number.
    name: u16,
    to: u16,
    weakmap: (u16, u16, u32),
}

#[derive(Debug)]
struct Snapshot {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    node_perm: u32,
    edge_perm: u32,
    section_perm: u64,
    with_trace_column: bool,
    with_detached: bool,
    locations: Vec<(u16, u16, u16, u16)>,
    trace: Option<Trace>,
    whitespace: bool,
}

#[derive(Debug)]
struct Trace {
    functions: Vec<(u8, u8, u16, u16, u16)>,
    /// Parent (an earlier node, or none), function, count, size.
    nodes: Vec<(Option<u8>, u8, u16, u32)>,
    samples: Vec<(u32, u16)>,
}

impl<'a> Arbitrary<'a> for Snapshot {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let n = u.int_in_range(1..=200usize)?;
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            nodes.push(Node {
                kind: u.int_in_range(0..=(NODE_TYPES.len() - 1) as u8)?,
                name: u.int_in_range(0..=(NAMES.len() - 1) as u8)?,
                id: if u.arbitrary()? {
                    2 * i as u32 + 1
                } else {
                    u.arbitrary()?
                },
                self_size: if u.ratio(1, 8)? {
                    u32::MAX
                } else {
                    u.int_in_range(0..=4096)?
                },
                trace: u.arbitrary()?,
                detached: u.int_in_range(0..=2)?,
            });
        }
        let m = u.int_in_range(0..=200usize)?;
        let mut edges = Vec::with_capacity(m);
        for _ in 0..m {
            let from: u16 = if u.ratio(1, 4)? {
                0
            } else {
                u.int_in_range(0..=(n - 1) as u16)?
            };
            let to: u16 = if u.ratio(1, 8)? {
                from
            } else {
                u.int_in_range(0..=(n - 1) as u16)?
            };
            edges.push(Edge {
                from,
                kind: u.int_in_range(0..=(EDGE_TYPES.len() - 1) as u8)?,
                name: u.int_in_range(0..=12)?,
                to,
                weakmap: (u.arbitrary()?, u.arbitrary()?, u.arbitrary()?),
            });
        }
        let mut locations = Vec::new();
        for _ in 0..u.int_in_range(0..=8)? {
            locations.push((
                u.int_in_range(0..=(n - 1) as u16)?,
                u.arbitrary()?,
                u.arbitrary()?,
                u.arbitrary()?,
            ));
        }
        let trace = if u.arbitrary()? {
            let nf = u.int_in_range(1..=8usize)?;
            let mut functions = Vec::new();
            for _ in 0..nf {
                functions.push((
                    u.arbitrary()?,
                    u.arbitrary()?,
                    u.arbitrary()?,
                    u.arbitrary()?,
                    u.arbitrary()?,
                ));
            }
            let nt = u.int_in_range(1..=40usize)?;
            let mut tnodes = Vec::new();
            for i in 0..nt {
                let parent = if i == 0 {
                    None
                } else {
                    Some(u.int_in_range(0..=(i - 1) as u8)?)
                };
                tnodes.push((parent, u.arbitrary()?, u.arbitrary()?, u.arbitrary()?));
            }
            let mut samples = Vec::new();
            let mut ts = 0u32;
            let mut id = 0u16;
            for _ in 0..u.int_in_range(0..=10)? {
                ts = ts.saturating_add(u.int_in_range(0..=200_000)?);
                id = id.saturating_add(u.int_in_range(0..=100)?);
                samples.push((ts, id));
            }
            Some(Trace {
                functions,
                nodes: tnodes,
                samples,
            })
        } else {
            None
        };
        Ok(Snapshot {
            nodes,
            edges,
            node_perm: u.arbitrary()?,
            edge_perm: u.arbitrary()?,
            section_perm: u.arbitrary()?,
            with_trace_column: u.arbitrary()?,
            with_detached: u.arbitrary()?,
            locations,
            trace,
            whitespace: u.arbitrary()?,
        })
    }
}

/// A permutation of `items` chosen by `seed`.
fn permute<T: Clone>(items: &[T], mut seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    for i in (1..v.len()).rev() {
        let j = (seed % (i as u64 + 1)) as usize;
        seed /= i as u64 + 1;
        v.swap(i, j);
    }
    v
}

/// A JSON string literal, escaped as V8 writes them.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Strings {
    list: Vec<String>,
}

impl Strings {
    fn add(&mut self, s: &str) -> usize {
        self.list.push(s.to_string());
        self.list.len() - 1
    }
}

fn write_nums(out: &mut String, rows: &[Vec<u64>], ws: bool) {
    out.push('[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push_str(if ws { "\n," } else { "," });
        }
        for (j, x) in r.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write!(out, "{x}").unwrap();
        }
    }
    out.push(']');
}

/// Writes the snapshot; returns the text and the edges in CSR order.
fn serialize(s: &Snapshot) -> String {
    let mut strings = Strings {
        list: vec!["<dummy>".into()],
    };
    let name_idx: Vec<usize> = NAMES.iter().map(|n| strings.add(n)).collect();
    let edge_name_idx: Vec<usize> = EDGE_NAMES.iter().map(|n| strings.add(n)).collect();

    let mut node_fields: Vec<&str> = vec!["type", "name", "id", "self_size", "edge_count"];
    if s.with_trace_column {
        node_fields.push("trace_node_id");
    }
    if s.with_detached {
        node_fields.push("detachedness");
    }
    let node_fields = permute(&node_fields, u64::from(s.node_perm));
    let edge_fields = permute(
        &["type", "name_or_index", "to_node"],
        u64::from(s.edge_perm),
    );
    let nf = node_fields.len() as u64;

    // Edges grouped by source, in generation order within a source.
    let n = s.nodes.len();
    let mut by_source: Vec<Vec<&Edge>> = (0..n).map(|_| Vec::new()).collect();
    for e in &s.edges {
        by_source[e.from as usize].push(e);
    }
    let trace_ids: Vec<u64> = s
        .trace
        .as_ref()
        .map(|t| (0..t.nodes.len() as u64).map(|i| i + 1).collect())
        .unwrap_or_default();
    let mut node_rows = Vec::new();
    for (v, node) in s.nodes.iter().enumerate() {
        let row = node_fields
            .iter()
            .map(|f| match *f {
                "type" => u64::from(node.kind),
                "name" => name_idx[node.name as usize] as u64,
                "id" => u64::from(node.id),
                "self_size" => u64::from(node.self_size),
                "edge_count" => by_source[v].len() as u64,
                "trace_node_id" => {
                    if trace_ids.is_empty() || node.trace % 3 == 0 {
                        0
                    } else {
                        trace_ids[node.trace as usize % trace_ids.len()]
                    }
                }
                "detachedness" => u64::from(node.detached),
                _ => unreachable!(),
            })
            .collect();
        node_rows.push(row);
    }
    let mut edge_rows = Vec::new();
    for es in &by_source {
        for e in es {
            let kind = EDGE_TYPES[e.kind as usize];
            let name = if kind == "element" || kind == "hidden" {
                u64::from(e.name)
            } else if e.name < 8 {
                edge_name_idx[e.name as usize] as u64
            } else {
                let (k, val, table) = e.weakmap;
                let text = format!(
                    "{} / part of key (Object @{}) -> value (Foo @{}) pair in WeakMap (table @{})",
                    e.name,
                    s.nodes[k as usize % n].id,
                    s.nodes[val as usize % n].id,
                    table
                );
                strings.add(&text) as u64
            };
            let row = edge_fields
                .iter()
                .map(|f| match *f {
                    "type" => u64::from(e.kind),
                    "name_or_index" => name,
                    "to_node" => u64::from(e.to) * nf,
                    _ => unreachable!(),
                })
                .collect();
            edge_rows.push(row);
        }
    }

    let mut sections: Vec<(&str, String)> = Vec::new();
    let mut tfc = 0;
    if let Some(t) = &s.trace {
        tfc = t.functions.len();
        let mut rows = Vec::new();
        for (i, f) in t.functions.iter().enumerate() {
            let name = strings.add(&format!("fn{}", f.0)) as u64;
            let script = strings.add(&format!("s{}.js", f.1)) as u64;
            rows.push(vec![
                i as u64,
                name,
                script,
                u64::from(f.2),
                u64::from(f.3),
                u64::from(f.4),
            ]);
        }
        let mut text = String::new();
        write_nums(&mut text, &rows, s.whitespace);
        sections.push(("trace_function_infos", text));
        // Nested tuples [id, fn, count, size, [children]].
        fn tuple(t: &Trace, i: usize, out: &mut String) {
            let (_, f, count, size) = t.nodes[i];
            write!(
                out,
                "{},{},{},{},[",
                i + 1,
                f as usize % t.functions.len(),
                count,
                size
            )
            .unwrap();
            let mut first = true;
            for (c, node) in t.nodes.iter().enumerate() {
                if node.0 == Some(i as u8) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    tuple(t, c, out);
                }
            }
            out.push(']');
        }
        let mut text = String::from("[");
        tuple(t, 0, &mut text);
        text.push(']');
        sections.push(("trace_tree", text));
        let rows: Vec<Vec<u64>> = t
            .samples
            .iter()
            .map(|&(ts, id)| vec![u64::from(ts), u64::from(id)])
            .collect();
        let mut text = String::new();
        write_nums(&mut text, &rows, s.whitespace);
        sections.push(("samples", text));
    }
    let rows: Vec<Vec<u64>> = s
        .locations
        .iter()
        .map(|&(v, sc, l, c)| vec![u64::from(v) * nf, u64::from(sc), u64::from(l), u64::from(c)])
        .collect();
    let mut text = String::new();
    write_nums(&mut text, &rows, s.whitespace);
    sections.push(("locations", text));

    let mut text = String::new();
    write_nums(&mut text, &node_rows, s.whitespace);
    sections.push(("nodes", text));
    let mut text = String::new();
    write_nums(&mut text, &edge_rows, s.whitespace);
    sections.push(("edges", text));
    let mut text = String::from("[");
    for (i, st) in strings.list.iter().enumerate() {
        if i > 0 {
            text.push_str(if s.whitespace { ",\n" } else { "," });
        }
        text.push_str(&json_str(st));
    }
    text.push(']');
    sections.push(("strings", text));

    let list = |xs: &[&str]| {
        let v: Vec<String> = xs.iter().map(|x| json_str(x)).collect();
        format!("[{}]", v.join(","))
    };
    let node_meta_types: Vec<String> = node_fields
        .iter()
        .map(|f| match *f {
            "type" => list(&NODE_TYPES),
            "name" => json_str("string"),
            _ => json_str("number"),
        })
        .collect();
    let edge_meta_types: Vec<String> = edge_fields
        .iter()
        .map(|f| match *f {
            "type" => list(&EDGE_TYPES),
            "name_or_index" => json_str("string_or_number"),
            _ => json_str("node"),
        })
        .collect();
    let header = format!(
        concat!(
            "{{\"meta\":{{\"node_fields\":{},\"node_types\":[{}],\"edge_fields\":{},\"edge_types\":[{}],",
            "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],",
            "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],",
            "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],",
            "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},",
            "\"node_count\":{},\"edge_count\":{},\"trace_function_count\":{}}}"
        ),
        list(&node_fields),
        node_meta_types.join(","),
        list(&edge_fields),
        edge_meta_types.join(","),
        n,
        edge_rows.len(),
        tfc
    );
    sections.push(("snapshot", header));
    let sections = permute(&sections, s.section_perm);
    let mut out = String::from("{");
    for (i, (k, v)) in sections.iter().enumerate() {
        if i > 0 {
            out.push_str(if s.whitespace { ",\n" } else { "," });
        }
        write!(out, "\"{k}\":{v}").unwrap();
    }
    out.push('}');
    out
}

fuzz_target!(|s: Snapshot| {
    let text = serialize(&s);
    let parsed = match heapdiff_parser::parse_snapshot(text.as_bytes()) {
        Ok(p) => p,
        Err(e) => panic!("well-formed snapshot rejected: {e}\n{text}"),
    };
    let g = &parsed.value;
    assert_eq!(g.n_nodes(), s.nodes.len(), "node count\n{text}");
    assert_eq!(g.edges().len(), s.edges.len(), "edge count\n{text}");
    assert_eq!(g.trace.is_some(), s.trace.is_some(), "trace\n{text}");
    for (v, node) in g.nodes().ordinals().zip(&s.nodes) {
        assert_eq!(
            g.nodes().id(v).get(),
            u64::from(node.id),
            "id of node {v:?}\n{text}"
        );
        let size = g.nodes().self_sizes().get(v.index());
        assert_eq!(
            size,
            u64::from(node.self_size),
            "size of node {v:?}\n{text}"
        );
    }
    let d = heapdiff_analyzer::snapshot::analyze(g);
    let sum: u128 = d.self_size.iter().map(u128::from).sum();
    assert_eq!(
        u128::from(d.retained()[0]),
        sum,
        "retained[0] != sum of adjusted self sizes\n{text}"
    );
    let n = g.n_nodes();
    for v in 0..n {
        assert!(
            d.retained()[v] >= d.self_size.get(v),
            "retained < self at {v}\n{text}"
        );
        let mut x = v;
        let mut steps = 0;
        while x != 0 {
            x = d.dominators.idom()[x].index();
            steps += 1;
            assert!(
                steps <= n,
                "idom chain of {v} does not reach the root\n{text}"
            );
        }
    }
    assert_eq!(d.dominators.idom()[0], heapdiff_model::NodeOrdinal::ROOT);
    let _ = heapdiff_analyzer::snapshot::summary(g, &d, &Default::default());
    let _ = heapdiff_analyzer::snapshot::dominators_report(g, &d, Some(5));
    if g.trace.is_some() {
        use heapdiff_analyzer::timeline;
        let self_size = d.self_size.to_vec();
        let live = timeline::live_by_trace(g, &self_size, None);
        let _ = timeline::allocation_view(g, &live, Some(10), timeline::AllocationSort::Size);
        let _ = timeline::trace_profile(g, &live, timeline::Measure::Live);
        let _ = timeline::trace_profile(g, &live, timeline::Measure::Allocated);
        let iv = timeline::intervals(g, &self_size);
        let (lo, hi) = timeline::id_range(&iv, 0.0, 100.0, true);
        let live = timeline::live_by_trace(g, &self_size, Some((lo, hi)));
        let _ = timeline::allocation_view(g, &live, None, timeline::AllocationSort::Size);
    }
});
