//! `.heapsnapshot` / `.heaptimeline` parser (formats §5, §12).
//!
//! The input is the whole file in memory (memory-mapped by the CLI). The
//! top level is read key by key ([`TopLevel`]), in any key order, noting
//! where each value is; the header (serde_json, it is small) and the
//! integer arrays (the dedicated digit scanner, straight into columns) are
//! read once found, the node scan beside the rest of the top level; the
//! strings are read into one arena where they are met. Every column is
//! looked up by name in `meta`; counts and references are checked: a header
//! node or edge count that disagrees with its array is an error, a stale
//! `trace_function_count` a warning (formats §5.8).

use heapdiff_model::cast::{saturating_u32, to_usize};
use heapdiff_model::steps::time;
use heapdiff_model::{
    AllocationTrace, EdgeColumns, HeapGraph, Location, NodeColumns, NodeOrdinal, Sizes,
    SnapshotMeta, SnapshotStringId, SnapshotStrings, TraceFunction,
};
use rayon::prelude::*;
use serde::Deserialize;

use crate::columns::{self, ArrayText, ColumnKind, Done, Owned};
use crate::scan::{self, skip_ws};
use crate::{InputKind, ParseError, Parsed, Warning};

#[derive(Deserialize)]
pub(crate) struct Header {
    pub(crate) meta: Meta,
    /// NaN when absent (a `null` is an error, as for any non-number).
    #[serde(default = "absent")]
    pub(crate) node_count: f64,
    #[serde(default = "absent")]
    pub(crate) edge_count: f64,
    #[serde(default)]
    trace_function_count: f64,
    #[serde(default)]
    pub(crate) extra_native_bytes: f64,
}

fn absent() -> f64 {
    f64::NAN
}

#[derive(Deserialize)]
pub(crate) struct Meta {
    node_fields: Vec<String>,
    pub(crate) node_types: Vec<serde_json::Value>,
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
    let mut top = TopLevel::new(b, object_start(b)?);
    // The header and `nodes` come first in V8's files; the node scan
    // starts as soon as both are found, and the rest of the top level
    // (edges, locations, strings) is found and read beside it.
    let mut sections = Sections::default();
    time("parse.sections", || {
        top.read(&mut sections, |s| s.header.is_some() && s.nodes.is_some())
    })?;
    let head = Head::read(b, &sections)?;
    let nodes = sections
        .nodes
        .take()
        .ok_or(top.missing("nodes", "the snapshot has no `nodes` array"))?;
    let mut warnings = Vec::new();
    let (parsed, locations) = nodes_beside_the_rest(&head, &nodes, &mut top, &mut sections, &done)?;
    let ParsedNodes {
        columns: node_columns,
        edge_counts,
        unlisted,
    } = parsed;
    let mut node_types = head.node_types.clone();
    warnings.extend(wide_ids_warning(&node_columns));
    if unlisted > 0 {
        // Old V8 (2017) wrote symbols with the index after its last type;
        // DevTools looks the name up past the list and gets `undefined`.
        warnings.push(Warning::UnlistedNodeType {
            index: node_types.len() as u64,
            nodes: unlisted,
        });
        node_types.push("undefined".into());
    }
    let edges = sections
        .edges
        .as_ref()
        .ok_or(top.missing("edges", "the snapshot has no `edges` array"))?;
    let strings = sections
        .strings
        .take()
        .ok_or(top.missing("strings", "the snapshot has no `strings` array"))?;
    let (edge_columns, first_edge, large) =
        edges_beside_node_checks(&head, (&nodes, edges), &node_columns, edge_counts, &done)?;
    let mut meta = head.meta.clone();
    meta.node_count = head.counts.check("node_count", node_columns.len())?;
    meta.edge_count = head.counts.check("edge_count", edge_columns.len())?;
    let mut g = HeapGraph::new(node_columns, first_edge, edge_columns);
    g.strings = strings;
    g.node_types = node_types;
    g.edge_types = head.edge_types.clone();
    g.meta = meta;
    time("parse.check", || {
        check_strings(&g, &head.layout, (&nodes, edges))
    })?;
    read_the_rest(b, &head, &sections, locations, &mut g, &mut warnings)?;
    if large > 0 {
        warnings.push(Warning::LargeSelfSize { nodes: large });
    }
    Ok(Parsed { value: g, warnings })
}

/// What comes after the graph itself: the locations (parsed beside the
/// nodes, checked here against the node count), the timeline samples and
/// the allocation trace.
fn read_the_rest(
    b: &[u8],
    head: &Head,
    sections: &Sections<'_>,
    locations: MaybeLocations,
    g: &mut HeapGraph,
    warnings: &mut Vec<Warning>,
) -> Result<(), ParseError> {
    if let (Some(locations), Some(arr)) = (locations, &sections.locations) {
        g.locations = locations?;
        time("parse.locations_check", || {
            check_location_nodes(
                &g.locations,
                g.n_nodes(),
                arr,
                &head.header.meta,
                &head.layout,
            )
        })?;
    }
    if let Some(at) = sections.samples {
        g.samples = time("parse.samples", || read_samples(b, at, &head.header.meta))?;
    }
    g.trace = time("parse.trace", || {
        read_trace_if_counted(b, head, sections, g, warnings)
    })?;
    Ok(())
}

/// Where the top-level object starts: an error naming the kind when the
/// input is empty or not a JSON object.
fn object_start(b: &[u8]) -> Result<usize, ParseError> {
    let start = skip_ws(b, 0);
    match b.get(start) {
        Some(b'{') => Ok(start),
        None => Err(ParseError::WrongKind {
            found: InputKind::Empty,
        }),
        Some(_) => Err(ParseError::WrongKind {
            found: InputKind::NotJson,
        }),
    }
}

/// What the header says: the parsed header, the column layout, the counts
/// to check the arrays against, the type names and the header facts.
struct Head {
    header: Header,
    layout: Layout,
    counts: HeaderCounts,
    node_types: Vec<String>,
    edge_types: Vec<String>,
    /// The header's facts but the node and edge counts, which are set once
    /// the arrays agree with them.
    meta: SnapshotMeta,
}

impl Head {
    fn read(b: &[u8], sections: &Sections<'_>) -> Result<Self, ParseError> {
        let (hs, he) = sections.header.ok_or(ParseError::Missing {
            what: "snapshot",
            hint: "a heap snapshot starts with a `snapshot` header; this JSON has none",
        })?;
        let header: Header =
            serde_json::from_slice(&b[hs..he]).map_err(|e| ParseError::Syntax {
                section: "snapshot",
                offset: hs as u64 + offset_in(&b[hs..he], e.line(), e.column()),
                message: format!("unreadable header: {e}"),
            })?;
        let layout = Layout::new(&header.meta).map_err(|e| in_header(e, hs))?;
        let counts = HeaderCounts::read(b, hs, &header)?;
        let meta = SnapshotMeta {
            node_count: 0,
            edge_count: 0,
            trace_function_count: header_count(
                b,
                hs,
                "trace_function_count",
                header.trace_function_count,
            )?,
            extra_native_bytes: whole(header.extra_native_bytes),
        };
        Ok(Self {
            node_types: type_names(&header.meta.node_types, layout.n_type),
            edge_types: type_names(&header.meta.edge_types, layout.e_type),
            header,
            layout,
            counts,
            meta,
        })
    }
}

/// The node columns, each node's edge count and how many nodes have the
/// unlisted type right after the listed ones (see [`unlisted_types`]).
struct ParsedNodes {
    columns: NodeColumns,
    edge_counts: Vec<u32>,
    unlisted: u64,
}

/// The parsed locations, when the snapshot has a `locations` array.
type MaybeLocations = Option<Result<Vec<(NodeOrdinal, Location)>, ParseError>>;

/// Scans `nodes` while the rest of the top level is read (and the
/// locations parsed). Errors come in file order: the node scan's before
/// the rest's, and the edges' (found before the rest failed, and first in
/// the file) before the rest's too.
fn nodes_beside_the_rest<'a>(
    head: &Head,
    nodes: &ArrayText<'_>,
    top: &mut TopLevel<'a>,
    sections: &mut Sections<'a>,
    done: &Done<'_>,
) -> Result<(ParsedNodes, MaybeLocations), ParseError> {
    let (parsed, rest) = rayon::join(
        || {
            time("parse.nodes", || {
                read_nodes(nodes, &head.layout, head.node_types.len(), done)
            })
        },
        || {
            time("parse.rest", || top.read(sections, |_| false))?;
            let locations = sections.locations.as_ref().map(|arr| {
                time("parse.locations", || {
                    read_locations(arr, &head.header.meta, &head.layout, done)
                })
            });
            Ok::<_, ParseError>(locations)
        },
    );
    let parsed = parsed?;
    match rest {
        Ok(locations) => Ok((parsed, locations)),
        Err(e) => {
            if let Some(edges) = &sections.edges {
                let n_types = head.edge_types.len();
                read_edges(edges, &head.layout, n_types, parsed.columns.len(), done)?;
            }
            Err(e)
        }
    }
}

/// Scans `edges` while what needs only the nodes is done: the first edge
/// of every node, and the check of the shallow sizes (whose result is the
/// number of sizes beyond 32 bits). Errors in file order: the nodes'
/// before the edges'.
fn edges_beside_node_checks(
    head: &Head,
    (nodes, edges): (&ArrayText<'_>, &ArrayText<'_>),
    node_columns: &NodeColumns,
    edge_counts: Vec<u32>,
    done: &Done<'_>,
) -> Result<(EdgeColumns, Vec<u32>, u64), ParseError> {
    let l = &head.layout;
    let (edge_columns, (first_edge, sizes)) = rayon::join(
        || {
            time("parse.edges", || {
                read_edges(edges, l, head.edge_types.len(), node_columns.len(), done)
            })
        },
        || {
            (
                first_edges(edge_counts, |v| {
                    columns::number_offset(nodes, v * l.node_fields as u64 + l.n_edges as u64)
                }),
                check_sizes(node_columns, nodes, l),
            )
        },
    );
    let large = sizes?;
    let edge_columns = edge_columns?;
    let first_edge = first_edge?;
    check_edge_total(&first_edge, edge_columns.len(), (nodes, edges), l)?;
    Ok((edge_columns, first_edge, large))
}

/// One warning for the ids beyond 32 bits, if there are any.
fn wide_ids_warning(nodes: &NodeColumns) -> Option<Warning> {
    let wide = nodes.wide_ids();
    (wide > 0).then_some(Warning::WideIds { nodes: wide })
}

/// The allocation trace, read only when the header counts functions (as
/// DevTools does). The header can count fewer than the array holds
/// (in-process inspector sessions, formats §5.8): the whole array is read,
/// with a warning; so are trace node ids of nodes the tree lacks.
fn read_trace_if_counted(
    b: &[u8],
    head: &Head,
    sections: &Sections<'_>,
    g: &HeapGraph,
    warnings: &mut Vec<Warning>,
) -> Result<Option<AllocationTrace>, ParseError> {
    let counted = g.meta.trace_function_count;
    let (Some(fi), Some(tt)) = (sections.trace_function_infos, sections.trace_tree) else {
        return Ok(None);
    };
    if counted == 0 {
        return Ok(None);
    }
    let hs = head.counts.at;
    let trace = read_trace(b, (fi, tt), &head.header.meta, g.strings.len())
        .map_err(|e| in_header(e, hs))?;
    let actual = trace.functions.len() as u64;
    if actual != counted {
        warnings.push(Warning::HeaderCountMismatch {
            field: "trace_function_count",
            header: counted,
            actual,
        });
    }
    warnings.extend(trace_nodes_not_in_tree(g.nodes().trace_nodes(), &trace));
    Ok(Some(trace))
}

/// A contradiction in `meta` (found without a place) placed at the header.
fn in_header(e: ParseError, header: usize) -> ParseError {
    match e {
        ParseError::Inconsistent { section, reason } => ParseError::InconsistentAt {
            section,
            offset: header as u64,
            reason,
        },
        other => other,
    }
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

/// The header's `node_count` and `edge_count`, checked against the arrays
/// once they are read: a file whose header disagrees with its arrays is
/// broken (formats §12.1). An absent count is not checked.
struct HeaderCounts {
    /// Where the header starts.
    at: usize,
    node_count: Option<u64>,
    edge_count: Option<u64>,
}

impl HeaderCounts {
    fn read(b: &[u8], hs: usize, header: &Header) -> Result<Self, ParseError> {
        let count = |key, v: f64| {
            (!v.is_nan())
                .then(|| header_count(b, hs, key, v))
                .transpose()
        };
        Ok(Self {
            at: hs,
            node_count: count("node_count", header.node_count)?,
            edge_count: count("edge_count", header.edge_count)?,
        })
    }

    /// `actual`, when the header's `field` (a node or an edge count) agrees.
    fn check(&self, field: &'static str, actual: usize) -> Result<u64, ParseError> {
        let (header, array) = match field {
            "node_count" => (self.node_count, "nodes"),
            _ => (self.edge_count, "edges"),
        };
        let actual = actual as u64;
        match header {
            Some(h) if h != actual => Err(ParseError::InconsistentAt {
                section: "snapshot",
                offset: self.at as u64,
                reason: format!(
                    "the header says {field} = {h}, but the `{array}` array holds {actual}"
                ),
            }),
            _ => Ok(actual),
        }
    }
}

/// A count of the header: a whole number from 0 to 2^53 − 1 (V8 writes
/// some through a floating point path, so `19.0` passes); anything else
/// is an error at the value.
pub(crate) fn header_count(
    b: &[u8],
    hs: usize,
    key: &'static str,
    v: f64,
) -> Result<u64, ParseError> {
    let max = MAX_SAFE_INTEGER as f64;
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= max {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number in 0..=2^53 - 1, checked just above"
        )]
        return Ok(v as u64);
    }
    Err(ParseError::BadValue {
        section: "snapshot",
        field: key,
        offset: header_value_at(b, hs, key).unwrap_or(hs) as u64,
        reason: "a count must be a whole number from 0 to 2^53 - 1".into(),
    })
}

/// Where the value of `key` starts in the header object at `hs` (which
/// serde_json has read, so it is well-formed), walking its keys.
fn header_value_at(b: &[u8], hs: usize, key: &str) -> Option<usize> {
    let mut pos = scan::expect(b, hs, b'{', "snapshot", "the header").ok()?;
    let mut name = String::new();
    loop {
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b',' => pos += 1,
            b'"' => {
                let (end, _) = scan::string_end(b, pos + 1, "snapshot").ok()?;
                scan::decode_string(&b[pos + 1..end - 1], &mut name, pos + 1, "snapshot").ok()?;
                let value = skip_ws(b, scan::expect(b, end, b':', "snapshot", "`:`").ok()?);
                if name == key {
                    return Some(value);
                }
                pos = scan::skip_value(b, value, "snapshot").ok()?;
            }
            _ => return None,
        }
    }
}

pub(crate) fn whole(v: f64) -> u64 {
    if v.is_finite() && v >= 0.0 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a float-to-integer cast saturates: beyond u64, u64::MAX"
        )]
        let w = v as u64;
        w
    } else {
        0
    }
}

/// The type names of a `node_types`/`edge_types` list: the array at the
/// `type` column's index (DevTools looks them up there too; V8 writes that
/// column first, other producers may not).
pub(crate) fn type_names(types: &[serde_json::Value], type_column: usize) -> Vec<String> {
    match types.get(type_column) {
        Some(serde_json::Value::Array(names)) => names
            .iter()
            .map(|n| n.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// A `node_types` or `edge_types` list as V8 writes it: a string per
/// column, except the list of type names (an array of strings) at the
/// `type` column's index.
fn types_as_v8_writes(types: &[serde_json::Value], type_column: usize) -> bool {
    types.iter().enumerate().all(|(i, t)| {
        if i == type_column {
            t.as_array()
                .is_some_and(|n| n.iter().all(serde_json::Value::is_string))
        } else {
            t.is_string()
        }
    })
}

/// The top-level object, read key by key into [`Sections`].
struct TopLevel<'a> {
    b: &'a [u8],
    /// Where the next key (or the closing `}`) is looked for.
    pos: usize,
    key: String,
    /// The keys read so far: a key given twice is an error (which of the
    /// two values would count is not defined).
    seen: Vec<String>,
    closed: bool,
}

impl<'a> TopLevel<'a> {
    /// `start` is the object's `{`.
    fn new(b: &'a [u8], start: usize) -> Self {
        Self {
            b,
            pos: start + 1,
            key: String::new(),
            seen: Vec::new(),
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
                    self.pos = pos + 1;
                    return self.check_end();
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
            self.check_new_key(pos)?;
            let value = skip_ws(
                b,
                scan::expect(b, end, b':', "top level", "`:` after a key")?,
            );
            self.pos = self.value(s, value)?;
        }
        Ok(())
    }

    /// The error for a `what` the object lacks, at its closing brace.
    fn missing(&self, what: &'static str, hint: &'static str) -> ParseError {
        ParseError::MissingKey {
            what,
            offset: self.pos.saturating_sub(1) as u64,
            hint,
        }
    }

    /// Nothing but whitespace may follow the object (a second object or
    /// stray bytes mean the file is not what its writer meant).
    fn check_end(&self) -> Result<(), ParseError> {
        let rest = skip_ws(self.b, self.pos);
        if rest < self.b.len() {
            return Err(ParseError::Syntax {
                section: "top level",
                offset: rest as u64,
                message: "unexpected data after the end of the snapshot".into(),
            });
        }
        Ok(())
    }

    /// The key just read, at `at`, must not have been read before.
    fn check_new_key(&mut self, at: usize) -> Result<(), ParseError> {
        if self.seen.contains(&self.key) {
            return Err(ParseError::Syntax {
                section: "top level",
                offset: at as u64,
                message: format!("the key {:?} appears twice", self.key),
            });
        }
        self.seen.push(self.key.clone());
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
pub(crate) struct Layout {
    pub(crate) node_fields: usize,
    pub(crate) n_type: usize,
    pub(crate) n_name: usize,
    pub(crate) n_id: usize,
    pub(crate) n_self: usize,
    pub(crate) n_edges: usize,
    pub(crate) n_trace: Option<usize>,
    pub(crate) n_detached: Option<usize>,
    pub(crate) edge_fields: usize,
    pub(crate) e_type: usize,
    pub(crate) e_name: usize,
    pub(crate) e_to: usize,
    /// Edge types whose `name_or_index` is a number, not a string index.
    pub(crate) numeric_edge_types: Vec<bool>,
}

impl Layout {
    pub(crate) fn new(meta: &Meta) -> Result<Self, ParseError> {
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
        let n_type = need(nf, "type")?;
        let e_type = need(ef, "type")?;
        for (name, types, type_column) in [
            ("node_types", &meta.node_types, n_type),
            ("edge_types", &meta.edge_types, e_type),
        ] {
            if !types_as_v8_writes(types, type_column) {
                return Err(ParseError::Inconsistent {
                    section: "snapshot",
                    reason: format!(
                        "`meta.{name}` must hold a string per column and, for the `type` \
                         column (number {}), a list of type names (an array of strings)",
                        type_column + 1
                    ),
                });
            }
        }
        let edge_types = type_names(&meta.edge_types, e_type);
        Ok(Self {
            node_fields: nf.len(),
            n_type,
            n_name: need(nf, "name")?,
            n_id: need(nf, "id")?,
            n_self: need(nf, "self_size")?,
            n_edges: need(nf, "edge_count")?,
            n_trace: find(nf, "trace_node_id"),
            n_detached: find(nf, "detachedness"),
            edge_fields: ef.len(),
            e_type,
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
) -> Result<ParsedNodes, ParseError> {
    let mut kinds = vec![ColumnKind::Skip; l.node_fields];
    kinds[l.n_type] = ColumnKind::U8;
    kinds[l.n_name] = ColumnKind::U32;
    kinds[l.n_id] = ColumnKind::Id;
    // Sizes as ids: 4 bytes each, read again as 8 if one does not fit.
    kinds[l.n_self] = ColumnKind::Id;
    kinds[l.n_edges] = ColumnKind::U32;
    if let Some(t) = l.n_trace {
        kinds[t] = ColumnKind::SparseU32;
    }
    if let Some(d) = l.n_detached {
        kinds[d] = ColumnKind::SparseU8;
    }
    let mut cols = match columns::parse_records(arr, "nodes", &kinds, (0, 0), done) {
        Err(e) if columns::is_wide_id(&e) => {
            kinds[l.n_id] = ColumnKind::U64;
            kinds[l.n_self] = ColumnKind::U64;
            columns::parse_records(arr, "nodes", &kinds, (0, 0), done)?
        }
        parsed => parsed?,
    };
    let n = match cols.take(l.n_type).into_u8() {
        kind if kind.len() >= u32::MAX as usize => {
            return Err(ParseError::Inconsistent {
                section: "nodes",
                reason: "more than 4 billion nodes".into(),
            });
        }
        kind => kind,
    };
    let ids = match cols.take(l.n_id) {
        Owned::U64(wide) => split_ids(&wide, arr, l)?,
        narrow => (narrow.into_u32(), Vec::new()),
    };
    let mut take = |i: usize| cols.take(i);
    let unlisted = unlisted_types(&n, n_types, |i| {
        columns::number_offset(arr, i * l.node_fields as u64 + l.n_type as u64)
    })?;
    let columns = NodeColumns::new(
        n,
        take(l.n_name).into_string_ids(),
        ids,
        match take(l.n_self) {
            Owned::U64(wide) => Sizes::from_wide(&wide),
            narrow => Sizes::new(narrow.into_u32(), Vec::new()),
        },
    )
    .with_trace_nodes(
        l.n_trace
            .map(&mut take)
            .map(Owned::into_u32)
            .unwrap_or_default(),
    )
    .with_detachedness(
        l.n_detached
            .map(&mut take)
            .map(Owned::into_u8)
            .unwrap_or_default(),
    );
    Ok(ParsedNodes {
        columns,
        edge_counts: take(l.n_edges).into_u32(),
        unlisted,
    })
}

/// 64-bit object ids as low and high halves; DevTools holds ids as
/// JavaScript numbers, so they must stay below 2^53.
fn split_ids(
    wide: &[u64],
    arr: &ArrayText<'_>,
    l: &Layout,
) -> Result<(Vec<u32>, Vec<u32>), ParseError> {
    if let Some(i) = wide.iter().position(|&id| id > MAX_SAFE_INTEGER) {
        return Err(ParseError::BadValue {
            section: "nodes",
            field: "id",
            offset: columns::number_offset(arr, (i * l.node_fields + l.n_id) as u64),
            reason: format!("node {i} has id {}, beyond 2^53", wide[i]),
        });
    }
    Ok(wide.iter().map(|&id| halves(id)).unzip())
}

/// The low and high 32 bits of `id`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "each half is cut to 32 bits on purpose"
)]
fn halves(id: u64) -> (u32, u32) {
    (id as u32, (id >> 32) as u32)
}

/// The number of nodes whose type is the index right after the `n_types`
/// types `meta` lists (old V8's symbols, read by DevTools as type
/// `undefined`). A type further out is an error at `offset(node)`.
fn unlisted_types(
    kind: &[u8],
    n_types: usize,
    offset: impl Fn(u64) -> u64,
) -> Result<u64, ParseError> {
    let highest = kind.iter().copied().max().map_or(0, usize::from);
    if n_types == 0 || highest < n_types {
        return Ok(0);
    }
    if let Some(i) = kind.iter().position(|&k| usize::from(k) > n_types) {
        return Err(ParseError::BadValue {
            section: "nodes",
            field: "type",
            offset: offset(i as u64),
            reason: format!(
                "node {i} has type {}, but `meta` lists {n_types} types",
                kind[i]
            ),
        });
    }
    Ok(kind.iter().filter(|&&k| usize::from(k) == n_types).count() as u64)
}

/// The largest shallow size accepted: JavaScript's `Number.MAX_SAFE_INTEGER`,
/// the bound of every size in every format.
pub(crate) const MAX_BYTES: u64 = MAX_SAFE_INTEGER;

/// JavaScript's `Number.MAX_SAFE_INTEGER`: DevTools holds sizes and ids
/// as JavaScript numbers.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Shallow sizes are at most 2^53 − 1 bytes each and in total (so that no
/// sum of them saturates); returns the number of sizes beyond 32 bits
/// (DevTools truncates those). Only when there are such sizes is more than
/// one pass made.
fn check_sizes(n: &NodeColumns, arr: &ArrayText<'_>, l: &Layout) -> Result<u64, ParseError> {
    let large = n
        .self_sizes()
        .iter()
        .filter(|&s| s > u64::from(u32::MAX))
        .count() as u64;
    if large == 0 {
        return Ok(0);
    }
    let mut total: u64 = 0;
    for (i, (v, s)) in n.ordinals().zip(n.self_sizes().iter()).enumerate() {
        total = total.saturating_add(s);
        if s > MAX_BYTES || total > MAX_BYTES {
            let what = if s > MAX_BYTES {
                format!("{s} is beyond 2^53 bytes")
            } else {
                format!("{s} takes the nodes' total beyond 2^53 bytes")
            };
            return Err(ParseError::BadValue {
                section: "nodes",
                field: "self_size",
                offset: columns::number_offset(
                    arr,
                    i as u64 * l.node_fields as u64 + l.n_self as u64,
                ),
                reason: format!("node {i} (id {}): {what}", n.id(v)),
            });
        }
    }
    Ok(large)
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
    let kinds = take(l.e_type).into_u8();
    if let Some(i) = kinds
        .iter()
        .position(|&k| usize::from(k) >= n_types && n_types > 0)
    {
        return Err(ParseError::BadValue {
            section: "edges",
            field: "type",
            offset: columns::number_offset(arr, (i * l.edge_fields + l.e_type) as u64),
            reason: format!(
                "edge {i} has type {}, but `meta` lists {n_types} types",
                kinds[i]
            ),
        });
    }
    Ok(EdgeColumns::new(
        kinds,
        take(l.e_name).into_u32(),
        take(l.e_to).into_ordinals(),
    ))
}

/// Each node's first edge from the nodes' edge counts, in place, with the
/// total at the end. Counts adding up to 2^32 edges or more are an error
/// at `offset(node)` of the node whose count goes past.
fn first_edges(mut counts: Vec<u32>, offset: impl Fn(u64) -> u64) -> Result<Vec<u32>, ParseError> {
    let mut sum: u64 = 0;
    for c in &mut counts {
        let here = u32::try_from(sum);
        sum += u64::from(*c);
        *c = here.unwrap_or(u32::MAX);
    }
    let Ok(total) = u32::try_from(sum) else {
        return Err(too_many_edges(&counts, offset));
    };
    counts.reserve_exact(1);
    counts.push(total);
    Ok(counts)
}

/// The edge counts must add up to the edges there are. Too many: the
/// error is at the count of the node that goes past the end; too few, at
/// the first edge no node owns.
fn check_edge_total(
    first_edge: &[u32],
    n_edges: usize,
    (nodes, edges): (&ArrayText<'_>, &ArrayText<'_>),
    l: &Layout,
) -> Result<(), ParseError> {
    let sum = first_edge.last().map_or(0, |&s| u64::from(s));
    let n = n_edges as u64;
    let (section, offset) = match sum.cmp(&n) {
        std::cmp::Ordering::Equal => return Ok(()),
        std::cmp::Ordering::Greater => {
            let v = first_edge[1..].partition_point(|&e| u64::from(e) <= n) as u64;
            let at = v * l.node_fields as u64 + l.n_edges as u64;
            ("nodes", columns::number_offset(nodes, at))
        }
        std::cmp::Ordering::Less => (
            "edges",
            columns::number_offset(edges, sum * l.edge_fields as u64),
        ),
    };
    Err(ParseError::InconsistentAt {
        section,
        offset,
        reason: format!(
            "the nodes' edge counts add up to {sum}, but the `edges` array holds {n_edges} edges"
        ),
    })
}

/// The error for edge counts adding up to 2^32 or more, at the count of
/// the first node whose edges go past (`first` holds the first edges made
/// so far, `u32::MAX` where they no longer fit).
fn too_many_edges(first: &[u32], offset: impl Fn(u64) -> u64) -> ParseError {
    let past = first
        .iter()
        .position(|&e| e == u32::MAX)
        .unwrap_or(first.len());
    let node = past.saturating_sub(1) as u64;
    ParseError::InconsistentAt {
        section: "nodes",
        offset: offset(node),
        reason: format!("the edge count of node {node} takes the edges past 4 billion"),
    }
}

fn check_strings(
    g: &HeapGraph,
    l: &Layout,
    (nodes, edges): (&ArrayText<'_>, &ArrayText<'_>),
) -> Result<(), ParseError> {
    let n = g.strings.len();
    if g.nodes().is_empty() {
        return Err(ParseError::Inconsistent {
            section: "nodes",
            reason: "the snapshot has no nodes".into(),
        });
    }
    let names = g.nodes().names();
    if let Some(i) = names.iter().position(|&s| s.index() >= n) {
        return Err(ParseError::BadValue {
            section: "nodes",
            field: "name",
            offset: columns::number_offset(nodes, (i * l.node_fields + l.n_name) as u64),
            reason: format!(
                "node {i} names string {}, but there are {n} strings",
                names[i].raw()
            ),
        });
    }
    // One pass over every edge: split across threads, the first bad edge
    // in file order reported. Each part is first checked without a branch
    // per edge (a table of the types that name strings); only a part with
    // a bad edge is searched for it.
    const CHUNK: usize = 1 << 20;
    let mut names_string = [true; 256];
    for (named, &numeric) in names_string.iter_mut().zip(&l.numeric_edge_types) {
        *named = !numeric;
    }
    let is_bad =
        |(&kind, &name): (&u8, &u32)| names_string[usize::from(kind)] & (name as usize >= n);
    let names = g.edges().names_or_indices();
    let bad = g
        .edges()
        .kinds()
        .par_chunks(CHUNK)
        .enumerate()
        .find_map_first(|(c, kinds)| {
            let base = c * CHUNK;
            let part = || kinds.iter().zip(&names[base..base + kinds.len()]);
            if !part().fold(false, |any, edge| any | is_bad(edge)) {
                return None;
            }
            part().position(is_bad).map(|k| base + k)
        });
    if let Some(i) = bad {
        return Err(ParseError::BadValue {
            section: "edges",
            field: "name_or_index",
            offset: columns::number_offset(edges, (i * l.edge_fields + l.e_name) as u64),
            reason: format!(
                "edge {i} names string {}, but there are {n} strings",
                names[i]
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
    let end = scan::uint_array(b, at, section, |v| {
        values.push(v);
        Ok(())
    })?;
    if fields == 0 || values.len() % fields != 0 {
        return Err(ParseError::InconsistentAt {
            section,
            offset: end as u64 - 1,
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
) -> Result<Vec<(NodeOrdinal, Location)>, ParseError> {
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
    if cols.len() >= u32::MAX as usize {
        return Err(ParseError::Inconsistent {
            section: "locations",
            reason: "more than 4 billion locations".into(),
        });
    }
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
    // An index that is no node's start is an error (its node is checked
    // once the nodes are counted, by `check_location_nodes`).
    let node_fields = l.node_fields as u64;
    let misaligned = keys
        .par_iter_mut()
        .enumerate()
        .filter_map(|(i, key)| {
            let index = *key;
            let node = index / node_fields;
            // Records fit 32 bits (checked above); a node past 32 bits
            // saturates, and is found past the nodes by
            // `check_location_nodes`.
            *key = (u64::from(saturating_u32(node)) << 32) | i as u64;
            (node * node_fields != index).then_some((i, index))
        })
        .min_by_key(|&(i, _)| i);
    if let Some((i, index)) = misaligned {
        return Err(bad_location(
            arr,
            (i * f.len() + obj) as u64,
            format!(
                "location {i} names object index {index}, which is not a multiple of the \
                 {node_fields} node fields"
            ),
        ));
    }
    let keys = sort_by_high_half(keys);
    Ok(last_of_each_node(&keys, (&scripts, &lines, &columns)))
}

/// The location of each node's last record, from `(node << 32 | record)`
/// keys sorted by node (records in order within a node).
fn last_of_each_node(
    keys: &[u64],
    (scripts, lines, columns): (&[u32], &[u32], &[u32]),
) -> Vec<(NodeOrdinal, Location)> {
    let mut out = Vec::with_capacity(keys.len());
    for (j, &k) in keys.iter().enumerate() {
        if keys.get(j + 1).is_some_and(|&next| next >> 32 == k >> 32) {
            continue;
        }
        let (record, node) = halves(k);
        let i = record as usize;
        out.push((
            NodeOrdinal::new(node),
            Location {
                script_id: scripts[i],
                line: lines[i],
                column: columns[i],
            },
        ));
    }
    out
}

fn bad_location(arr: &ArrayText<'_>, k: u64, reason: String) -> ParseError {
    ParseError::BadValue {
        section: "locations",
        field: "object_index",
        offset: columns::number_offset(arr, k),
        reason,
    }
}

/// Every location must be of one of the `n_nodes` nodes. `locations` is
/// sorted by node, so only its last one is looked at; when that is past
/// the nodes, the array is read again for the first such record.
fn check_location_nodes(
    locations: &[(NodeOrdinal, Location)],
    n_nodes: usize,
    arr: &ArrayText<'_>,
    meta: &Meta,
    l: &Layout,
) -> Result<(), ParseError> {
    if locations
        .last()
        .is_none_or(|&(node, _)| node.index() < n_nodes)
    {
        return Ok(());
    }
    let f = &meta.location_fields;
    let obj = field(f, "object_index").unwrap_or(0);
    let mut kinds = vec![ColumnKind::Skip; f.len()];
    kinds[obj] = ColumnKind::U64;
    let indexes = columns::parse_records(arr, "locations", &kinds, (0, 0), &|_| {})?
        .take(obj)
        .into_u64();
    let end = (n_nodes * l.node_fields) as u64;
    let i = indexes.iter().position(|&v| v >= end).unwrap_or(0);
    Err(bad_location(
        arr,
        (i * f.len() + obj) as u64,
        format!(
            "location {i} names object index {}, past the {n_nodes} nodes",
            indexes.get(i).copied().unwrap_or(0)
        ),
    ))
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
        let digit = |k: u64| to_usize((k >> shift) & mask);
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
        .map(|r| (r[ts], saturating_u32(r[id])))
        .collect())
}

/// The allocation trace: the functions (whose name and script name must
/// be among the `n_strings` strings) and the tree (whose function indices
/// must be among the functions).
fn read_trace(
    b: &[u8],
    (infos_at, tree_at): (usize, usize),
    meta: &Meta,
    n_strings: usize,
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
    let values = records(b, infos_at, "trace_function_infos", f.len())?;
    for (field_name, k) in [("name", name), ("script_name", script_name)] {
        let bad = values
            .chunks_exact(f.len())
            .position(|r| r[k] >= n_strings as u64);
        if let Some(i) = bad {
            let at = columns::array_text(b, infos_at, "trace_function_infos")?;
            return Err(ParseError::BadValue {
                section: "trace_function_infos",
                field: field_name,
                offset: columns::number_offset(&at, (i * f.len() + k) as u64),
                reason: format!(
                    "function {i} names string {}, but there are {n_strings} strings",
                    values[i * f.len() + k]
                ),
            });
        }
    }
    let functions: Vec<TraceFunction> = values
        .chunks_exact(f.len())
        .map(|r| TraceFunction {
            // Checked above to be below the string count.
            name: SnapshotStringId::new(saturating_u32(r[name])),
            script_name: SnapshotStringId::new(saturating_u32(r[script_name])),
            script_id: saturating_u32(r[script_id]),
            line: saturating_u32(r[line]),
            column: saturating_u32(r[column]),
        })
        .collect();
    let mut trace = crate::trace_tree::read(b, tree_at, &meta.trace_node_fields, functions.len())?;
    trace.functions = functions;
    Ok(trace)
}

/// Nodes whose `trace_node_id` (0: none) is no node of the trace tree,
/// counted in one parallel pass over the nodes with a bit per trace id
/// (ids are V8's small sequential numbers; a hash set when they are not).
fn trace_nodes_not_in_tree(trace_node: &[u32], trace: &AllocationTrace) -> Option<Warning> {
    let highest = trace.id.iter().copied().max().unwrap_or(0) as usize;
    let dense = highest <= 64 * trace.id.len() + 4096;
    let mut bits = vec![false; if dense { highest + 1 } else { 0 }];
    let mut set = rustc_hash::FxHashSet::default();
    for &id in &trace.id {
        if dense {
            bits[id as usize] = true;
        } else {
            set.insert(id);
        }
    }
    let known = |id: u32| {
        id == 0 || bits.get(id as usize).copied().unwrap_or(false) || (!dense && set.contains(&id))
    };
    let (nodes, example) = trace_node
        .par_chunks(1 << 20)
        .map(|c| {
            c.iter()
                .filter(|&&id| !known(id))
                .fold((0u64, None), |(n, e), &id| (n + 1, e.or(Some(id))))
        })
        .reduce(|| (0, None), |a, b| (a.0 + b.0, a.1.or(b.1)));
    example.map(|id| Warning::TraceNodeNotInTree {
        nodes,
        example: u64::from(id),
    })
}

#[cfg(test)]
mod tests {
    use heapdiff_model::ObjectId;

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

    const WORKED_EXAMPLE: &str =
        include_str!("../../../fixtures/heapsnapshot/worked-example-a/input.heapsnapshot");

    /// Structural errors found after the arrays are parsed name the byte
    /// of the value at fault (or of the array's end).
    #[test]
    fn structural_errors_name_the_byte_offset() {
        let big = 1u64 << 52;
        let cases: Vec<(&str, String, &str, &str)> = vec![
            // A node type far past the list.
            (
                ",3,4,7,40,5,0,0\n",
                ",3,4,7,40,5,0,0\n".replacen('3', "20", 1),
                "20,4,7",
                "has type 20",
            ),
            (
                ",3,4,7,40,5,0,0\n",
                ",3,99,7,40,5,0,0\n".into(),
                "99,7,40",
                "names string 99",
            ),
            (
                ",2,12,28\n",
                ",2,99,28\n".into(),
                "99,28",
                "names string 99",
            ),
            (",2,12,28\n", ",9,12,28\n".into(), "9,12,28", "type 9"),
            // Edge counts adding up to more edges than there are: the
            // count of the node that goes past the end.
            (
                ",3,10,25,8,0,0,0]",
                ",3,10,25,8,1,0,0]".into(),
                "1,0,0]",
                "add up to 20",
            ),
            // Fewer: the first edge no node owns.
            (
                ",3,4,7,40,5,0,0\n",
                ",3,4,7,40,4,0,0\n".into(),
                "2,21,42]",
                "add up to 18",
            ),
            (
                ",3,10,25,8,0,0,0]",
                ",3,10,25,8,0,0,0,1]".into(),
                "]",
                "whole records",
            ),
            // Two sizes of 2^52: the second takes the total beyond 2^53.
            (
                ",3,4,7,40,5,0,0\n",
                format!(",3,4,7,{big},5,0,0\n"),
                "4503599627370496,5",
                "node 3",
            ),
            (
                ",3,5,9,32,2,0,0\n",
                format!(",3,5,9,{big},2,0,0\n"),
                "4503599627370496,2",
                "node 4",
            ),
        ];
        let mut text = WORKED_EXAMPLE.to_string();
        for (from, to, at, says) in cases {
            // The two size cases build on each other; the rest start afresh.
            if says != "node 4" {
                text = WORKED_EXAMPLE.to_string();
            }
            assert!(text.contains(from), "{from:?}");
            text = text.replacen(from, &to, 1);
            let e = match parse_snapshot(text.as_bytes()) {
                Err(e) => e,
                Ok(_) if says == "node 3" => continue,
                Ok(_) => panic!("{to:?} parses"),
            };
            let offset = match &e {
                ParseError::BadValue { offset, .. } | ParseError::InconsistentAt { offset, .. } => {
                    usize::try_from(*offset).unwrap()
                }
                other => panic!("{to:?}: {other}"),
            };
            let msg = e.to_string();
            assert!(msg.contains(&format!("at byte {offset}")), "{msg}");
            assert!(msg.contains(says), "{msg}");
            assert!(
                text[offset..].starts_with(at),
                "{msg}: {:?}",
                &text[offset..]
            );
        }
    }

    /// The parse error for `text` and the text at its offset.
    fn error_at(text: &str) -> (String, &str) {
        let e = match parse_snapshot(text.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("accepted"),
        };
        let msg = e.to_string();
        let at = msg
            .split("at byte ")
            .nth(1)
            .unwrap_or_else(|| panic!("{msg}"));
        let digits: String = at.chars().take_while(char::is_ascii_digit).collect();
        (msg, &text[digits.parse::<usize>().unwrap()..])
    }

    /// A header count that disagrees with its array is an error at the
    /// header naming both numbers; a count that is no count (negative,
    /// fractional, beyond 2^53) is an error at the value.
    #[test]
    fn header_counts_must_agree_with_the_arrays() {
        let header = "{\"meta\"";
        let cases = [
            (
                "\"node_count\":13",
                "\"node_count\":14",
                header,
                "node_count = 14, but the `nodes` array holds 13",
            ),
            (
                "\"edge_count\":19",
                "\"edge_count\":4294967296",
                header,
                "edge_count = 4294967296, but the `edges` array holds 19",
            ),
            (
                "\"node_count\":13",
                "\"node_count\":-13",
                "-13",
                "whole number",
            ),
            (
                "\"edge_count\":19",
                "\"edge_count\":19.5",
                "19.5",
                "whole number",
            ),
            (
                "\"edge_count\":19",
                "\"edge_count\":1e20",
                "1e20",
                "whole number",
            ),
            (
                "\"trace_function_count\":0",
                "\"trace_function_count\":-4",
                "-4",
                "whole number",
            ),
            (
                "\"node_types\":[[",
                "\"node_types\":[5,[",
                header,
                "`meta.node_types`",
            ),
            (
                "\"edge_types\":[[",
                "\"edge_types\":[{},[",
                header,
                "`meta.edge_types`",
            ),
            (
                ",3,4,7,40,5,0,0",
                ",3,4,7,40,4294967295,0,0",
                "4294967295,0,0",
                "past 4 billion",
            ),
        ];
        for (from, to, at, says) in cases {
            assert!(WORKED_EXAMPLE.contains(from), "{from}");
            let text = WORKED_EXAMPLE.replacen(from, to, 1);
            let (msg, there) = error_at(&text);
            assert!(msg.contains(says), "{msg}");
            assert!(there.starts_with(at), "{msg}: {there:.20}");
        }
        let whole = WORKED_EXAMPLE.replacen("\"edge_count\":19", "\"edge_count\":19.0", 1);
        assert!(parse_snapshot(whole.as_bytes()).is_ok());
        let null = WORKED_EXAMPLE.replacen("\"edge_count\":19", "\"edge_count\":null", 1);
        assert!(parse_snapshot(null.as_bytes()).is_err());
    }

    /// A missing section is an error at the end of the top-level object.
    #[test]
    fn a_missing_section_is_named_at_the_end_of_the_object() {
        for key in ["\"nodes\"", "\"edges\"", "\"strings\""] {
            let text = WORKED_EXAMPLE.replacen(key, "\"other\"", 1);
            let (msg, there) = error_at(&text);
            assert!(
                msg.contains(&format!("no `{}` found", &key[1..key.len() - 1])),
                "{msg}"
            );
            assert_eq!(there.trim_end(), "}", "{msg}");
        }
    }

    /// Ids beyond 32 bits are kept whole (the array is read again with
    /// 64-bit ids), with one warning; beyond 2^53 they are an error.
    #[test]
    fn ids_beyond_32_bits_are_kept_whole_up_to_2_pow_53() {
        let text = include_str!("../../../fixtures/heapsnapshot/julia-wide-ids/input.heapsnapshot");
        let parsed = parse_snapshot(text.as_bytes()).unwrap();
        let g = &parsed.value;
        let (v, id) = (NodeOrdinal::new, ObjectId::new);
        assert_eq!(g.nodes().id(v(0)), id(0));
        assert_eq!(g.nodes().id(v(6)), id(0x7F00_0000_7000));
        assert_eq!(g.nodes().with_id(id(0x7F00_0000_7000)), Some(v(6)));
        assert_eq!(g.nodes().with_id(id(0x7000)), None);
        assert_eq!(parsed.warnings, vec![Warning::WideIds { nodes: 8 }]);
        let narrow = parse_snapshot(WORKED_EXAMPLE.as_bytes()).unwrap().value;
        assert_eq!(narrow.nodes().wide_ids(), 0);
        assert_eq!(narrow.nodes().with_id(id(13)), Some(v(6)));
        let too_wide = text.replace("139637976756224", "9007199254740992");
        let Err(e @ ParseError::BadValue { offset, .. }) = parse_snapshot(too_wide.as_bytes())
        else {
            panic!("an id of 2^53 is accepted");
        };
        assert!(
            too_wide[usize::try_from(offset).unwrap()..].starts_with("9007199254740992,22"),
            "{e}"
        );
    }

    /// Trailing bytes, a second object and a repeated key are errors at
    /// their first byte.
    #[test]
    fn the_top_level_is_one_object_with_distinct_keys() {
        let cases = [
            (format!("{WORKED_EXAMPLE}\n xyz"), "xyz"),
            (format!("{WORKED_EXAMPLE}{WORKED_EXAMPLE}"), "{\"snapshot\""),
            (
                WORKED_EXAMPLE.replacen("\"samples\":[],", "\"samples\":[],\"samples\":[],", 1),
                "\"samples\":[],\n\"locations\"",
            ),
        ];
        for (text, at) in cases {
            let Err(ParseError::Syntax { offset, .. }) = parse_snapshot(text.as_bytes()) else {
                panic!("accepted: {at}");
            };
            let offset = usize::try_from(offset).unwrap();
            assert!(text[offset..].starts_with(at), "{:?}", &text[offset..]);
        }
        let padded = format!("{WORKED_EXAMPLE}\n\r\n \t");
        assert!(parse_snapshot(padded.as_bytes()).is_ok());
    }

    /// An object index that is no node's start, or past the nodes, is an
    /// error at that number.
    #[test]
    fn location_object_indexes_must_be_nodes() {
        for (to, says) in [
            ("\"locations\":[29,", "not a multiple of the 7 node fields"),
            ("\"locations\":[9996,", "past the 13 nodes"),
            ("\"locations\":[91,", "past the 13 nodes"),
        ] {
            let text = WORKED_EXAMPLE.replacen("\"locations\":[28,", to, 1);
            let (msg, there) = error_at(&text);
            assert!(msg.contains(says), "{msg}");
            assert!(there.starts_with(&to[13..]), "{msg}: {there:.20}");
        }
    }

    /// Shallow sizes are read in 4 bytes each; one of 4 GiB or more has
    /// the array read again and every size kept whole, with one warning.
    #[test]
    fn sizes_beyond_32_bits_are_kept_whole() {
        let text = |size: &str| {
            format!(
                r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],
            "node_types":[["object"]],"edge_fields":["type","name_or_index","to_node"],
            "edge_types":[["property"]]}},"node_count":3,"edge_count":0}},
            "nodes":[0,0,1,8,0, 0,0,3,{size},0, 0,0,5,4294967295,0],"edges":[],"strings":["x"]}}"#
            )
        };
        let sizes = |g: &HeapGraph| -> Vec<u64> { g.nodes().self_sizes().to_vec() };
        let narrow = parse_snapshot(text("16").as_bytes()).unwrap();
        assert_eq!(sizes(&narrow.value), vec![8, 16, 4_294_967_295]);
        assert!(narrow.warnings.is_empty());
        let wide = parse_snapshot(text("8589934600").as_bytes()).unwrap();
        assert_eq!(sizes(&wide.value), vec![8, 8_589_934_600, 4_294_967_295]);
        assert_eq!(
            wide.value.nodes().self_size(NodeOrdinal::new(1)),
            8_589_934_600
        );
        assert_eq!(wide.value.nodes().id(NodeOrdinal::new(2)), ObjectId::new(5));
        assert_eq!(wide.warnings, vec![Warning::LargeSelfSize { nodes: 1 }]);
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
        let got: Vec<(u32, u32)> = g.locations.iter().map(|(v, l)| (v.raw(), l.line)).collect();
        assert_eq!(got, vec![(0, 2), (1, 4), (2, 3)]);
    }
}
