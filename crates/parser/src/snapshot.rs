//! `.heapsnapshot` / `.heaptimeline` parser (formats §5, §12).
//!
//! The input is the whole file in memory (memory-mapped by the CLI). The
//! top level is read key by key ([`TopLevel`]), in any key order, noting
//! where each value is; the header (serde_json, it is small) and the
//! integer arrays (the dedicated digit scanner, straight into columns) are
//! read once found, the node scan beside the rest of the top level; the
//! strings are read into one arena where they are met. Every column is
//! looked up by name in `meta`; counts and references are checked, and the
//! header counts lose to the arrays with a warning.

use heapdiff_model::steps::time;
use heapdiff_model::{
    AllocationTrace, EdgeColumns, HeapGraph, Location, NodeColumns, SnapshotMeta, SnapshotStrings,
    TraceFunction,
};
use rayon::prelude::*;
use serde::Deserialize;

use crate::columns::{self, ArrayText, ColumnKind, Done, Owned};
use crate::scan::{self, skip_ws};
use crate::{InputKind, ParseError, Parsed, Warning};

#[derive(Deserialize)]
struct Header {
    meta: Meta,
    #[serde(default)]
    node_count: f64,
    #[serde(default)]
    edge_count: f64,
    #[serde(default)]
    trace_function_count: f64,
    #[serde(default)]
    extra_native_bytes: f64,
}

#[derive(Deserialize)]
struct Meta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    trace_function_info_fields: Vec<String>,
    #[serde(default)]
    trace_node_fields: Vec<String>,
    #[serde(default)]
    sample_fields: Vec<String>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// Where each top-level value starts.
#[derive(Default)]
struct Sections<'a> {
    header: Option<(usize, usize)>,
    nodes: Option<ArrayText<'a>>,
    edges: Option<ArrayText<'a>>,
    trace_function_infos: Option<usize>,
    trace_tree: Option<usize>,
    samples: Option<usize>,
    locations: Option<ArrayText<'a>>,
    /// Read where they are met: the scan would otherwise have to pass
    /// over them once only to find where they end.
    strings: Option<SnapshotStrings>,
}

/// Parses a heap snapshot or allocation timeline held in memory.
///
/// # Errors
/// A [`ParseError`] naming the section and byte offset when the input is
/// not a well-formed snapshot, or is another kind of file.
pub fn parse_snapshot(bytes: &[u8]) -> Result<Parsed<HeapGraph>, ParseError> {
    parse_snapshot_with(bytes, &|_| {})
}

/// [`parse_snapshot`], telling `done` which byte ranges of `bytes` it has
/// finished with (parts of the big `nodes`, `edges` and `locations`
/// arrays, as each is parsed, from the parsing threads), so that a caller
/// holding the input in a memory map can let the kernel drop those pages
/// while the rest is parsed: peak memory is then not the whole file plus
/// the whole model.
///
/// # Errors
/// As [`parse_snapshot`].
pub fn parse_snapshot_with(
    bytes: &[u8],
    done: &(dyn Fn(std::ops::Range<usize>) + Sync),
) -> Result<Parsed<HeapGraph>, ParseError> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let shift = bytes.len() - b.len();
    let done = move |r: std::ops::Range<usize>| done(shift + r.start..shift + r.end);
    let start = skip_ws(b, 0);
    match b.get(start) {
        None => {
            return Err(ParseError::WrongKind {
                found: InputKind::Empty,
            });
        }
        Some(b'{') => {}
        Some(_) => {
            return Err(ParseError::WrongKind {
                found: InputKind::NotJson,
            });
        }
    }
    // The header and `nodes` come first in V8's files; the node scan
    // starts as soon as both are found, and the rest of the top level
    // (edges, locations, strings) is found and read beside it. Errors are
    // still reported in file order: the node scan's before the rest's.
    let mut warnings = Vec::new();
    let mut top = TopLevel::new(b, start);
    let mut sections = Sections::default();
    time("parse.sections", || {
        top.read(&mut sections, |s| s.header.is_some() && s.nodes.is_some())
    })?;
    let (hs, he) = sections.header.ok_or(ParseError::Missing {
        what: "snapshot",
        hint: "a heap snapshot starts with a `snapshot` header; this JSON has none",
    })?;
    let header: Header = serde_json::from_slice(&b[hs..he]).map_err(|e| ParseError::Syntax {
        section: "snapshot",
        offset: hs as u64 + offset_in(&b[hs..he], e.line(), e.column()),
        message: format!("unreadable header: {e}"),
    })?;
    let layout = Layout::new(&header.meta)?;
    let mut g = HeapGraph {
        node_types: type_names(&header.meta.node_types),
        edge_types: type_names(&header.meta.edge_types),
        meta: SnapshotMeta {
            node_count: whole(header.node_count),
            edge_count: whole(header.edge_count),
            trace_function_count: whole(header.trace_function_count),
            extra_native_bytes: whole(header.extra_native_bytes),
        },
        ..HeapGraph::default()
    };
    let nodes = sections.nodes.take().ok_or(ParseError::Missing {
        what: "nodes",
        hint: "the snapshot has no `nodes` array",
    })?;
    let (node_columns, rest) = rayon::join(
        || {
            time("parse.nodes", || {
                read_nodes(&nodes, &layout, g.node_types.len(), &done)
            })
        },
        || {
            time("parse.rest", || top.read(&mut sections, |_| false))?;
            let locations = sections.locations.as_ref().map(|arr| {
                time("parse.locations", || {
                    read_locations(arr, &header.meta, &layout, &done)
                })
            });
            Ok::<_, ParseError>(locations)
        },
    );
    let (node_columns, edge_counts) = node_columns?;
    g.nodes = node_columns;
    let locations = match rest {
        Ok(locations) => locations,
        Err(e) => {
            // Found before the failure, the edges come first in the file.
            if let Some(edges) = &sections.edges {
                read_edges(edges, &layout, g.edge_types.len(), g.nodes.len(), &done)?;
            }
            return Err(e);
        }
    };
    let edges = sections.edges.as_ref().ok_or(ParseError::Missing {
        what: "edges",
        hint: "the snapshot has no `edges` array",
    })?;
    g.strings = sections.strings.take().ok_or(ParseError::Missing {
        what: "strings",
        hint: "the snapshot has no `strings` array (a truncated file?)",
    })?;
    // What needs only the nodes is done beside the edge scan.
    let (edge_columns, (first_edge, large)) = rayon::join(
        || {
            time("parse.edges", || {
                read_edges(edges, &layout, g.edge_types.len(), g.nodes.len(), &done)
            })
        },
        || {
            let large = g
                .nodes
                .self_size
                .iter()
                .filter(|&&s| s > u64::from(u32::MAX))
                .count() as u64;
            (first_edges(edge_counts), large)
        },
    );
    let edge_columns = edge_columns?;
    g.first_edge = first_edge?;
    check_edge_total(&g.first_edge, edge_columns.len())?;
    g.edges = edge_columns;
    check_counts(&g, &mut warnings);
    time("parse.check", || check_strings(&g, &layout))?;
    if let Some(locations) = locations {
        g.locations = locations?;
    }
    if let Some(at) = sections.samples {
        g.samples = read_samples(b, at, &header.meta)?;
    }
    // DevTools reads the trace only when the header counts functions. The
    // header can be smaller than the array (in-process inspector sessions,
    // formats §5.8): heapdiff reads the whole array and warns.
    if g.meta.trace_function_count > 0 {
        if let (Some(fi), Some(tt)) = (sections.trace_function_infos, sections.trace_tree) {
            let trace = read_trace(b, fi, tt, &header.meta)?;
            let actual = trace.functions.len() as u64;
            if actual != g.meta.trace_function_count {
                warnings.push(Warning::HeaderCountMismatch {
                    field: "trace_function_count",
                    header: g.meta.trace_function_count,
                    actual,
                });
            }
            g.trace = Some(trace);
        }
    }
    if large > 0 {
        warnings.push(Warning::LargeSelfSize { nodes: large });
    }
    Ok(Parsed { value: g, warnings })
}

/// serde_json reports line and column; turn them into a byte offset.
fn offset_in(text: &[u8], line: usize, column: usize) -> u64 {
    let mut at = 0usize;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text[at..]) {
            Some(k) => at += k + 1,
            None => break,
        }
    }
    (at + column.saturating_sub(1)) as u64
}

fn whole(v: f64) -> u64 {
    if v.is_finite() && v >= 0.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let w = v as u64;
        w
    } else {
        0
    }
}

fn type_names(types: &[serde_json::Value]) -> Vec<String> {
    match types.first() {
        Some(serde_json::Value::Array(names)) => names
            .iter()
            .map(|n| n.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// The top-level object, read key by key into [`Sections`].
struct TopLevel<'a> {
    b: &'a [u8],
    /// Where the next key (or the closing `}`) is looked for.
    pos: usize,
    key: String,
    closed: bool,
}

impl<'a> TopLevel<'a> {
    /// `start` is the object's `{`.
    fn new(b: &'a [u8], start: usize) -> Self {
        Self {
            b,
            pos: start + 1,
            key: String::new(),
            closed: false,
        }
    }

    /// Reads values into `s` until `enough(s)` holds or the object ends.
    fn read(
        &mut self,
        s: &mut Sections<'a>,
        enough: impl Fn(&Sections<'a>) -> bool,
    ) -> Result<(), ParseError> {
        let b = self.b;
        while !self.closed && !enough(s) {
            let pos = skip_ws(b, self.pos);
            match b.get(pos) {
                None => {
                    return Err(ParseError::Truncated {
                        section: "top level",
                        offset: b.len() as u64,
                    });
                }
                Some(b'}') => {
                    self.closed = true;
                    continue;
                }
                Some(b',') => {
                    self.pos = pos + 1;
                    continue;
                }
                Some(b'"') => {}
                Some(&c) => {
                    return Err(ParseError::Syntax {
                        section: "top level",
                        offset: pos as u64,
                        message: format!("expected a key, found {}", scan::show(c)),
                    });
                }
            }
            let (end, _) = scan::string_end(b, pos + 1, "top level")?;
            scan::decode_string(&b[pos + 1..end - 1], &mut self.key, pos + 1, "top level")?;
            let value = skip_ws(
                b,
                scan::expect(b, end, b':', "top level", "`:` after a key")?,
            );
            self.pos = self.value(s, value)?;
        }
        Ok(())
    }

    /// Records (or, for the strings, reads) the value of the key just
    /// read, at `value`; returns where it ends.
    fn value(&mut self, s: &mut Sections<'a>, value: usize) -> Result<usize, ParseError> {
        let b = self.b;
        let key = self.key.as_str();
        let section = section_name(key);
        if key == "nodes" && b.get(skip_ws(b, value + 1)) == Some(&b'{') {
            return Err(ParseError::WrongKind {
                found: InputKind::CpuProfile,
            });
        }
        // The big flat arrays are found once, here, for their parsers.
        if matches!(key, "nodes" | "edges" | "locations") {
            let arr = columns::array_text(b, value, section)?;
            let end = arr.end;
            match key {
                "nodes" => s.nodes = Some(arr),
                "edges" => s.edges = Some(arr),
                _ => s.locations = Some(arr),
            }
            return Ok(end);
        }
        if key == "strings" {
            let (strings, end) = time("parse.strings", || read_strings(b, value))?;
            s.strings = Some(strings);
            return Ok(end);
        }
        let after = scan::skip_value(b, value, section)?;
        match key {
            "snapshot" => s.header = Some((value, after)),
            "trace_function_infos" => s.trace_function_infos = Some(value),
            "trace_tree" => s.trace_tree = Some(value),
            "samples" => s.samples = Some(value),
            "head" => {
                return Err(ParseError::WrongKind {
                    found: InputKind::HeapProfile,
                });
            }
            "startTime" | "timeDeltas" => {
                return Err(ParseError::WrongKind {
                    found: InputKind::CpuProfile,
                });
            }
            _ => {}
        }
        Ok(after)
    }
}

fn section_name(key: &str) -> &'static str {
    match key {
        "snapshot" => "snapshot",
        "nodes" => "nodes",
        "edges" => "edges",
        "trace_function_infos" => "trace_function_infos",
        "trace_tree" => "trace_tree",
        "samples" => "samples",
        "locations" => "locations",
        "strings" => "strings",
        _ => "top level",
    }
}

/// Column positions, looked up by name.
struct Layout {
    node_fields: usize,
    n_type: usize,
    n_name: usize,
    n_id: usize,
    n_self: usize,
    n_edges: usize,
    n_trace: Option<usize>,
    n_detached: Option<usize>,
    edge_fields: usize,
    e_type: usize,
    e_name: usize,
    e_to: usize,
    /// Edge types whose `name_or_index` is a number, not a string index.
    numeric_edge_types: Vec<bool>,
}

impl Layout {
    fn new(meta: &Meta) -> Result<Self, ParseError> {
        if meta.node_fields.len() > 64 || meta.edge_fields.len() > 64 {
            return Err(ParseError::Inconsistent {
                section: "snapshot",
                reason: "implausible field counts in `meta`".into(),
            });
        }
        let find = |fields: &[String], name: &str| fields.iter().position(|f| f == name);
        let need = |fields: &[String], name: &'static str| {
            find(fields, name).ok_or(ParseError::Inconsistent {
                section: "snapshot",
                reason: format!("`meta` lists no `{name}` column"),
            })
        };
        let nf = &meta.node_fields;
        let ef = &meta.edge_fields;
        let edge_types = type_names(&meta.edge_types);
        Ok(Self {
            node_fields: nf.len(),
            n_type: need(nf, "type")?,
            n_name: need(nf, "name")?,
            n_id: need(nf, "id")?,
            n_self: need(nf, "self_size")?,
            n_edges: need(nf, "edge_count")?,
            n_trace: find(nf, "trace_node_id"),
            n_detached: find(nf, "detachedness"),
            edge_fields: ef.len(),
            e_type: need(ef, "type")?,
            e_name: need(ef, "name_or_index")?,
            e_to: need(ef, "to_node")?,
            numeric_edge_types: edge_types
                .iter()
                .map(|t| t == "element" || t == "hidden")
                .collect(),
        })
    }
}

fn read_nodes(
    arr: &ArrayText<'_>,
    l: &Layout,
    n_types: usize,
    done: &Done<'_>,
) -> Result<(NodeColumns, Vec<u32>), ParseError> {
    let mut kinds = vec![ColumnKind::Skip; l.node_fields];
    kinds[l.n_type] = ColumnKind::U8;
    kinds[l.n_name] = ColumnKind::U32;
    kinds[l.n_id] = ColumnKind::U32;
    kinds[l.n_self] = ColumnKind::U64;
    kinds[l.n_edges] = ColumnKind::U32;
    if let Some(t) = l.n_trace {
        kinds[t] = ColumnKind::SparseU32;
    }
    if let Some(d) = l.n_detached {
        kinds[d] = ColumnKind::SparseU8;
    }
    let mut cols = columns::parse_records(arr, "nodes", &kinds, (0, 0), done)?;
    let mut take = |i: usize| cols.take(i);
    let n = NodeColumns {
        kind: take(l.n_type).into_u8(),
        name: take(l.n_name).into_u32(),
        id: take(l.n_id).into_u32(),
        self_size: take(l.n_self).into_u64(),
        trace_node: l
            .n_trace
            .map(&mut take)
            .map(Owned::into_u32)
            .unwrap_or_default(),
        detachedness: l
            .n_detached
            .map(&mut take)
            .map(Owned::into_u8)
            .unwrap_or_default(),
    };
    let edge_counts = take(l.n_edges).into_u32();
    if let Some(i) = n
        .kind
        .iter()
        .position(|&k| k as usize >= n_types && n_types > 0)
    {
        return Err(ParseError::Inconsistent {
            section: "nodes",
            reason: format!(
                "node {i} has type {}, but `meta` lists {n_types} types",
                n.kind[i]
            ),
        });
    }
    if n.kind.len() >= u32::MAX as usize {
        return Err(ParseError::Inconsistent {
            section: "nodes",
            reason: "more than 4 billion nodes".into(),
        });
    }
    Ok((n, edge_counts))
}

fn read_edges(
    arr: &ArrayText<'_>,
    l: &Layout,
    n_types: usize,
    n_nodes: usize,
    done: &Done<'_>,
) -> Result<EdgeColumns, ParseError> {
    let mut kinds = vec![ColumnKind::Skip; l.edge_fields];
    kinds[l.e_type] = ColumnKind::U8;
    kinds[l.e_name] = ColumnKind::U32;
    kinds[l.e_to] = ColumnKind::NodeIndex;
    let mut cols = columns::parse_records(
        arr,
        "edges",
        &kinds,
        (l.node_fields as u64, n_nodes as u64),
        done,
    )?;
    let mut take = |i: usize| cols.take(i);
    let e = EdgeColumns {
        kind: take(l.e_type).into_u8(),
        name_or_index: take(l.e_name).into_u32(),
        to: take(l.e_to).into_u32(),
    };
    if let Some(i) = e
        .kind
        .iter()
        .position(|&k| k as usize >= n_types && n_types > 0)
    {
        return Err(ParseError::Inconsistent {
            section: "edges",
            reason: format!(
                "edge {i} has type {}, but `meta` lists {n_types} types",
                e.kind[i]
            ),
        });
    }
    Ok(e)
}

/// The CSR offsets, made in place from the nodes' edge counts: each count
/// becomes the sum of those before it, and the total goes at the end.
/// Each node's first edge from the nodes' edge counts, in place, with the
/// total at the end.
fn first_edges(mut counts: Vec<u32>) -> Result<Vec<u32>, ParseError> {
    let mut sum: u64 = 0;
    for c in &mut counts {
        let here = u32::try_from(sum).map_err(|_| too_many_edges())?;
        sum += u64::from(*c);
        *c = here;
    }
    counts.reserve_exact(1);
    counts.push(u32::try_from(sum).map_err(|_| too_many_edges())?);
    Ok(counts)
}

/// The edge counts must add up to the edges there are.
fn check_edge_total(first_edge: &[u32], n_edges: usize) -> Result<(), ParseError> {
    let sum = first_edge.last().map_or(0, |&s| u64::from(s));
    if sum != n_edges as u64 {
        return Err(ParseError::Inconsistent {
            section: "edges",
            reason: format!(
                "the nodes' edge counts add up to {sum}, but the `edges` array holds {n_edges} edges"
            ),
        });
    }
    Ok(())
}

fn too_many_edges() -> ParseError {
    ParseError::Inconsistent {
        section: "nodes",
        reason: "more than 4 billion edges".into(),
    }
}

fn check_counts(g: &HeapGraph, warnings: &mut Vec<Warning>) {
    if g.meta.node_count != g.nodes.len() as u64 {
        warnings.push(Warning::HeaderCountMismatch {
            field: "node_count",
            header: g.meta.node_count,
            actual: g.nodes.len() as u64,
        });
    }
    if g.meta.edge_count != g.edges.len() as u64 {
        warnings.push(Warning::HeaderCountMismatch {
            field: "edge_count",
            header: g.meta.edge_count,
            actual: g.edges.len() as u64,
        });
    }
}

fn check_strings(g: &HeapGraph, l: &Layout) -> Result<(), ParseError> {
    let n = g.strings.len();
    if g.nodes.is_empty() {
        return Err(ParseError::Inconsistent {
            section: "nodes",
            reason: "the snapshot has no nodes".into(),
        });
    }
    if let Some(i) = g.nodes.name.iter().position(|&s| s as usize >= n) {
        return Err(ParseError::Inconsistent {
            section: "nodes",
            reason: format!(
                "node {i} names string {}, but there are {n} strings",
                g.nodes.name[i]
            ),
        });
    }
    // One pass over every edge: split across threads, the first bad edge
    // in file order reported.
    const CHUNK: usize = 1 << 20;
    let names = &g.edges.name_or_index;
    let bad = g
        .edges
        .kind
        .par_chunks(CHUNK)
        .enumerate()
        .find_map_first(|(c, kinds)| {
            let base = c * CHUNK;
            kinds.iter().enumerate().find_map(|(k, &kind)| {
                let numeric = l
                    .numeric_edge_types
                    .get(kind as usize)
                    .copied()
                    .unwrap_or(false);
                (!numeric && names[base + k] as usize >= n).then_some(base + k)
            })
        });
    if let Some(i) = bad {
        return Err(ParseError::Inconsistent {
            section: "edges",
            reason: format!(
                "edge {i} names string {}, but there are {n} strings",
                g.edges.name_or_index[i]
            ),
        });
    }
    Ok(())
}

/// The strings array at `at`, and where it ends.
fn read_strings(b: &[u8], at: usize) -> Result<(SnapshotStrings, usize), ParseError> {
    let mut strings = SnapshotStrings::new();
    let mut pos = scan::expect(b, at, b'[', "strings", "the `strings` array")?;
    let mut text = String::new();
    loop {
        pos = skip_ws(b, pos);
        match b.get(pos) {
            None => {
                return Err(ParseError::Truncated {
                    section: "strings",
                    offset: b.len() as u64,
                });
            }
            Some(b']') => return Ok((strings, pos + 1)),
            Some(b',') if !strings.is_empty() => pos += 1,
            Some(b'"') => {
                let (end, escaped) = scan::string_end(b, pos + 1, "strings")?;
                let raw = &b[pos + 1..end - 1];
                if escaped {
                    scan::decode_string(raw, &mut text, pos + 1, "strings")?;
                    strings.push(&text);
                } else {
                    match std::str::from_utf8(raw) {
                        Ok(s) => strings.push(s),
                        Err(_) => strings.push(&String::from_utf8_lossy(raw)),
                    }
                }
                pos = end;
            }
            Some(&c) => {
                return Err(ParseError::Syntax {
                    section: "strings",
                    offset: pos as u64,
                    message: format!("expected a string, found {}", scan::show(c)),
                });
            }
        }
    }
}

/// Reads a flat array of `fields`-wide records; the caller walks it with
/// `chunks_exact(fields)`.
fn records(
    b: &[u8],
    at: usize,
    section: &'static str,
    fields: usize,
) -> Result<Vec<u64>, ParseError> {
    let mut values = Vec::new();
    scan::uint_array(b, at, section, |v| {
        values.push(v);
        Ok(())
    })?;
    if fields == 0 || values.len() % fields != 0 {
        return Err(ParseError::Inconsistent {
            section,
            reason: format!("the array does not hold whole records of {fields} fields"),
        });
    }
    Ok(values)
}

fn field(fields: &[String], name: &str) -> Option<usize> {
    fields.iter().position(|f| f == name)
}

fn read_locations(
    arr: &ArrayText<'_>,
    meta: &Meta,
    l: &Layout,
    done: &Done<'_>,
) -> Result<Vec<(u32, Location)>, ParseError> {
    let f = &meta.location_fields;
    let (Some(obj), Some(script), Some(line), Some(col)) = (
        field(f, "object_index"),
        field(f, "script_id"),
        field(f, "line"),
        field(f, "column"),
    ) else {
        return Ok(Vec::new());
    };
    // The array is as long as a tenth of the snapshot: it goes through the
    // parallel scanner of `nodes` and `edges`.
    let mut kinds = vec![ColumnKind::Skip; f.len()];
    kinds[obj] = ColumnKind::U64;
    kinds[script] = ColumnKind::U32;
    kinds[line] = ColumnKind::U32;
    kinds[col] = ColumnKind::U32;
    let mut cols = columns::parse_records(arr, "locations", &kinds, (0, 0), done)?;
    let mut take = |i: usize| cols.take(i);
    let (mut keys, scripts, lines, columns) = (
        take(obj).into_u64(),
        take(script).into_u32(),
        take(line).into_u32(),
        take(col).into_u32(),
    );
    // V8 writes them in no particular node order; one location per node,
    // a later record overriding an earlier one. The records are sorted by
    // node, keeping their order within a node, as (node << 32 | record)
    // keys made in place of the object indices; the last of each node wins.
    let node_fields = l.node_fields as u64;
    keys.par_iter_mut().enumerate().for_each(|(i, key)| {
        let node = u32::try_from(*key / node_fields).unwrap_or(u32::MAX);
        #[allow(clippy::cast_possible_truncation)]
        let record = i as u32;
        *key = (u64::from(node) << 32) | u64::from(record);
    });
    let keys = sort_by_high_half(keys);
    let mut out = Vec::with_capacity(keys.len());
    for (j, &k) in keys.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation)]
        let (node, i) = ((k >> 32) as u32, k as u32 as usize);
        if keys.get(j + 1).is_some_and(|&next| next >> 32 == k >> 32) {
            continue;
        }
        out.push((
            node,
            Location {
                script_id: scripts[i],
                line: lines[i],
                column: columns[i],
            },
        ));
    }
    Ok(out)
}

/// Sorts `keys` by their high 32 bits, equal ones staying in order: a
/// least-significant-digit radix sort over as many bits as the largest
/// key has (node ordinals: 25 bits for 17 million nodes, two passes).
fn sort_by_high_half(keys: Vec<u64>) -> Vec<u64> {
    let highest = keys.iter().map(|&k| k >> 32).max().unwrap_or(0);
    let bits = 64 - highest.leading_zeros();
    if bits == 0 {
        return keys;
    }
    let passes = bits.div_ceil(13);
    let width = bits.div_ceil(passes);
    let mask = (1u64 << width) - 1;
    let mut from = keys;
    let mut to = vec![0u64; from.len()];
    for pass in 0..passes {
        let shift = 32 + pass * width;
        let digit = |k: u64| ((k >> shift) & mask) as usize;
        let mut next = vec![0usize; 1 << width];
        for &k in &from {
            next[digit(k)] += 1;
        }
        let mut at = 0;
        for slot in &mut next {
            let count = *slot;
            *slot = at;
            at += count;
        }
        for &k in &from {
            let d = digit(k);
            to[next[d]] = k;
            next[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    from
}

fn read_samples(b: &[u8], at: usize, meta: &Meta) -> Result<Vec<(u64, u32)>, ParseError> {
    let f = &meta.sample_fields;
    let (Some(ts), Some(id)) = (field(f, "timestamp_us"), field(f, "last_assigned_id")) else {
        return Ok(Vec::new());
    };
    Ok(records(b, at, "samples", f.len())?
        .chunks_exact(f.len())
        .map(|r| (r[ts], u32::try_from(r[id]).unwrap_or(u32::MAX)))
        .collect())
}

fn read_trace(
    b: &[u8],
    infos_at: usize,
    tree_at: usize,
    meta: &Meta,
) -> Result<AllocationTrace, ParseError> {
    let f = &meta.trace_function_info_fields;
    let need = |fields: &[String], name: &'static str, section: &'static str| {
        field(fields, name).ok_or(ParseError::Inconsistent {
            section,
            reason: format!("`meta` lists no `{name}` field"),
        })
    };
    let (name, script_name, script_id, line, column) = (
        need(f, "name", "trace_function_infos")?,
        need(f, "script_name", "trace_function_infos")?,
        need(f, "script_id", "trace_function_infos")?,
        need(f, "line", "trace_function_infos")?,
        need(f, "column", "trace_function_infos")?,
    );
    let to32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let functions = records(b, infos_at, "trace_function_infos", f.len())?
        .chunks_exact(f.len())
        .map(|r| TraceFunction {
            name: to32(r[name]),
            script_name: to32(r[script_name]),
            script_id: to32(r[script_id]),
            line: to32(r[line]),
            column: to32(r[column]),
        })
        .collect();
    let mut trace = crate::trace_tree::read(b, tree_at, &meta.trace_node_fields)?;
    trace.functions = functions;
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_sort_is_a_stable_sort_by_the_high_half() {
        let mut rng = heapdiff_testkit::SplitMix64::new(7);
        let mut next = move || rng.next_u64();
        for (len, high_bits) in [(0, 0), (1, 5), (1000, 3), (5000, 25), (5000, 32), (300, 64)] {
            let keys: Vec<u64> = (0..len)
                .map(|i: u64| {
                    let high = if high_bits == 64 {
                        u64::from(u32::MAX) * (next() % 2)
                    } else {
                        next() % (1 << high_bits)
                    };
                    (high << 32) | i
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_by_key(|k| k >> 32);
            assert_eq!(
                sort_by_high_half(keys),
                expected,
                "{len} keys of {high_bits} bits"
            );
        }
    }

    #[test]
    fn locations_are_sorted_by_node_and_the_last_record_of_a_node_wins() {
        let text = br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],
            "node_types":[["object"]],"edge_fields":["type","name_or_index","to_node"],
            "edge_types":[["property"]],"location_fields":["object_index","script_id","line","column"]},
            "node_count":3,"edge_count":0},
            "nodes":[0,0,1,8,0, 0,0,3,8,0, 0,0,5,8,0],"edges":[],
            "locations":[10,7,1,1, 0,7,2,2, 10,7,3,3, 5,7,4,4],"strings":["x"]}"#;
        let g = parse_snapshot(text).unwrap().value;
        let got: Vec<(u32, u32)> = g.locations.iter().map(|(v, l)| (*v, l.line)).collect();
        assert_eq!(got, vec![(0, 2), (1, 4), (2, 3)]);
    }
}
