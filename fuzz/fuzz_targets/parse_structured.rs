//! Structured fuzzing: `arbitrary` builds a random but well-formed heap
//! profile (a tree of nodes with unicode/escaped names, possibly duplicated
//! ids, samples possibly pointing at missing ids, keys in random order,
//! random whitespace, unknown keys with nested values, the CDP wrapper, the
//! legacy layout), this file writes it as JSON text, and the parser must
//! read back exactly what was generated:
//!
//! * duplicated node ids: `Err(DuplicateNodeId)` naming one of them;
//! * otherwise `Ok`, with one stack per generated node (in pre-order), the
//!   frame fields decoded as written, and every generated sample either
//!   attributed to the node with its id or kept as unattributed, in order.
#![no_main]

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const MAX_SAFE: u64 = (1 << 53) - 1;
const MAX_NODES: usize = 256;
const MAX_SAMPLES: usize = 512;

#[derive(Arbitrary, Debug)]
struct Input {
    nodes: Vec<NodeSpec>,
    samples: Vec<SampleSpec>,
    /// Emit the `samples` array at all.
    with_samples: bool,
    /// `samples` before `head`.
    samples_first: bool,
    /// `{"profile": {...}}`, as a raw CDP result.
    wrapped: bool,
    bom: bool,
    extra_top: Vec<(TopKey, Value)>,
    /// Drives the whitespace between tokens.
    ws: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct NodeSpec {
    /// Parent is `parent % index` (node 0 is the root).
    parent: u16,
    name: Option<Vec<Seg>>,
    script_id: Option<ScriptId>,
    url: Option<Vec<Seg>>,
    line: Option<Position>,
    column: Option<Position>,
    self_size: Option<u64>,
    id: IdSpec,
    /// Frame fields on the node itself, without `callFrame`.
    legacy: bool,
    /// Write `"children":[]` for a leaf.
    empty_children: bool,
    /// Seeds of the key orders of the node and of its `callFrame`.
    order: u32,
    frame_order: u32,
    extra: Option<(NodeKey, Value)>,
    num_style: u8,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Position {
    Unknown,
    At(u32),
}

impl Position {
    /// The number written: V8 writes positions as `int`, and the parser
    /// rejects one beyond `i32::MAX` (a unit test covers that error).
    fn at(v: u32) -> u32 {
        v & 0x7fff_ffff
    }
}

#[derive(Arbitrary, Debug)]
enum ScriptId {
    Text(Vec<Seg>),
    Number(u32),
}

#[derive(Arbitrary, Debug)]
enum IdSpec {
    Fresh,
    SameAs(u16),
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
struct SampleSpec {
    target: Target,
    size: Option<u64>,
    ordinal: Option<u64>,
    order: u8,
    num_style: u8,
    extra: Option<Value>,
}

#[derive(Arbitrary, Debug)]
enum Target {
    Node(u16),
    Raw(u64),
}

/// Unknown top-level keys (never one that changes the meaning of the file).
#[derive(Arbitrary, Debug)]
enum TopKey {
    Title,
    Meta,
    Empty,
    Other(Vec<Seg>),
}

/// Unknown node keys.
#[derive(Arbitrary, Debug)]
enum NodeKey {
    HitCount,
    PositionTicks,
    Other(Vec<Seg>),
}

/// A JSON value for unknown keys; nesting is explicit so that generating it
/// does not recurse.
#[derive(Arbitrary, Debug)]
enum Value {
    Null,
    Bool(bool),
    Int(u64),
    Neg(i64),
    Float(f64),
    /// A number of any length in JSON's grammar: beyond `u64`, or with
    /// more digits than any float needs.
    Long {
        int: Vec<u8>,
        frac: Vec<u8>,
        exp: Option<(bool, Vec<u8>)>,
        negative: bool,
    },
    Str(Vec<Seg>),
    /// `depth` nested arrays (or objects) around `inner`.
    Nested {
        depth: u8,
        objects: bool,
        inner: Box<Scalar>,
    },
    Array(Vec<Scalar>),
}

#[derive(Arbitrary, Debug)]
enum Scalar {
    Null,
    Int(u32),
    Str(Vec<Seg>),
    Empty { objects: bool },
}

/// A piece of a string, and how to write it.
#[derive(Arbitrary, Debug)]
enum Seg {
    Text(String, Style),
    /// A `\uD800`–`\uDBFF` escape with nothing to pair with (unless the next
    /// segment starts with a low surrogate escape).
    LoneHigh(u16),
    /// A `\uDC00`–`\uDFFF` escape.
    LoneLow(u16),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Style {
    /// UTF-8 as is; only `"`, `\` and control characters escaped.
    Raw,
    /// Everything beyond ASCII as `\uXXXX` (surrogate pairs for astral).
    AsciiOnly,
    /// Every character as `\uXXXX`, upper-case hex.
    AllEscaped,
    /// Short escapes where they exist (`\/` too), else raw.
    Short,
}

/// What the parser should decode a string to: UTF-8 bytes, with runs of
/// `\u` escapes decoded as UTF-16 (unpaired surrogates become U+FFFD), then
/// invalid UTF-8 replaced — JSON.parse followed by a lossy conversion.
#[derive(Default)]
struct Decoded {
    bytes: Vec<u8>,
    units: Vec<u16>,
}

impl Decoded {
    fn unit(&mut self, u: u16) {
        self.units.push(u);
    }
    fn raw(&mut self, s: &str) {
        self.flush();
        self.bytes.extend_from_slice(s.as_bytes());
    }
    fn flush(&mut self) {
        let s: String = char::decode_utf16(self.units.drain(..))
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect();
        self.bytes.extend_from_slice(s.as_bytes());
    }
    fn finish(mut self) -> String {
        self.flush();
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Writes the segments as a JSON string; returns the expected decoding.
fn write_string(out: &mut String, segs: &[Seg]) -> String {
    let mut d = Decoded::default();
    out.push('"');
    for seg in segs {
        match seg {
            Seg::Text(s, style) => {
                for (i, c) in s.chars().enumerate() {
                    write_char(out, &mut d, c, *style, i);
                }
            }
            Seg::LoneHigh(v) => {
                let u = 0xD800 + v % 0x400;
                let _ = write!(out, "\\u{u:04x}");
                d.unit(u);
            }
            Seg::LoneLow(v) => {
                let u = 0xDC00 + v % 0x400;
                let _ = write!(out, "\\u{u:04X}");
                d.unit(u);
            }
        }
    }
    out.push('"');
    d.finish()
}

fn write_char(out: &mut String, d: &mut Decoded, c: char, style: Style, i: usize) {
    let short = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '/' if matches!(style, Style::Short) => Some("\\/"),
        _ => None,
    };
    let escape_all = match style {
        Style::AllEscaped => true,
        Style::AsciiOnly => !c.is_ascii(),
        Style::Raw | Style::Short => false,
    };
    let upper = i % 2 == 0;
    if escape_all
        || (short.is_none() && (c < ' ' || (matches!(style, Style::Raw) && c == '\u{7f}')))
    {
        let mut buf = [0u16; 2];
        for &u in c.encode_utf16(&mut buf).iter() {
            if upper {
                let _ = write!(out, "\\u{u:04X}");
            } else {
                let _ = write!(out, "\\u{u:04x}");
            }
            d.unit(u);
        }
    } else if let Some(s) = short {
        out.push_str(s);
        let mut b = [0u8; 4];
        d.raw(c.encode_utf8(&mut b));
    } else {
        out.push(c);
        let mut b = [0u8; 4];
        d.raw(c.encode_utf8(&mut b));
    }
}

/// A non-negative integer ≤ 2^53 in one of several spellings JSON allows.
fn write_uint(out: &mut String, v: u64, style: u8) {
    match style % 6 {
        1 => {
            let _ = write!(out, "{v}.0");
        }
        2 => {
            let _ = write!(out, "{v}e0");
        }
        3 => {
            let _ = write!(out, "{v}.000E+0");
        }
        4 if v >= 10 && v % 10 == 0 => {
            let _ = write!(out, "{}e1", v / 10);
        }
        5 if v > 0 => {
            let _ = write!(out, "{v}0E-1");
        }
        _ => {
            let _ = write!(out, "{v}");
        }
    }
}

struct Writer<'a> {
    out: String,
    ws: &'a [u8],
    ws_at: usize,
}

impl Writer<'_> {
    /// Optional whitespace, chosen by the input.
    fn sp(&mut self) {
        if self.ws.is_empty() {
            return;
        }
        let b = self.ws[self.ws_at % self.ws.len()];
        self.ws_at += 1;
        self.out.push_str(match b % 8 {
            0 | 1 | 2 => "",
            3 => " ",
            4 => "\n",
            5 => "\t",
            6 => "\r\n",
            _ => "\n    ",
        });
    }
    fn tok(&mut self, s: &str) {
        self.sp();
        self.out.push_str(s);
        self.sp();
    }
    fn key(&mut self, k: &str) {
        self.sp();
        let _ = write!(self.out, "\"{k}\"");
        self.tok(":");
    }
    fn key_segs(&mut self, segs: &[Seg]) {
        self.sp();
        write_string(&mut self.out, segs);
        self.tok(":");
    }
    fn string(&mut self, segs: &[Seg]) -> String {
        self.sp();
        let s = write_string(&mut self.out, segs);
        self.sp();
        s
    }
    fn scalar(&mut self, v: &Scalar) {
        self.sp();
        match v {
            Scalar::Null => self.out.push_str("null"),
            Scalar::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Scalar::Str(s) => {
                write_string(&mut self.out, s);
            }
            Scalar::Empty { objects: true } => self.out.push_str("{}"),
            Scalar::Empty { objects: false } => self.out.push_str("[]"),
        }
        self.sp();
    }
    fn value(&mut self, v: &Value) {
        self.sp();
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Neg(i) => {
                let _ = write!(self.out, "{}", -(i128::from(*i).abs()));
            }
            Value::Float(f) if f.is_finite() => {
                let _ = write!(self.out, "{f:?}");
            }
            Value::Float(_) => self.out.push_str("-1.5e-3"),
            Value::Long {
                int,
                frac,
                exp,
                negative,
            } => {
                let digit = |d: &u8| char::from(b'0' + d % 10);
                if *negative {
                    self.out.push('-');
                }
                self.out.push('1');
                self.out.extend(int.iter().map(digit));
                if !frac.is_empty() {
                    self.out.push('.');
                    self.out.extend(frac.iter().map(digit));
                }
                if let Some((minus, e)) = exp {
                    self.out.push_str(if *minus { "e-" } else { "E+" });
                    self.out.push('0');
                    self.out.extend(e.iter().map(digit));
                }
            }
            Value::Str(s) => {
                write_string(&mut self.out, s);
            }
            Value::Nested {
                depth,
                objects,
                inner,
            } => {
                for _ in 0..*depth {
                    self.out.push_str(if *objects { "{\"k\":" } else { "[" });
                    self.sp();
                }
                self.scalar(inner);
                for _ in 0..*depth {
                    self.sp();
                    self.out.push(if *objects { '}' } else { ']' });
                }
            }
            Value::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.tok(",");
                    }
                    self.scalar(item);
                }
                self.out.push(']');
            }
        }
        self.sp();
    }
}

/// A permutation of `0..n` from a seed.
fn permutation(n: usize, mut seed: u32) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let j = (seed >> 8) as usize % (i + 1);
        v.swap(i, j);
    }
    v
}

/// What one stack of the model should hold.
struct ExpectedNode {
    name: String,
    script_id: String,
    url: String,
    line: i32,
    column: i32,
    self_size: u64,
    id: u64,
}

fn expected_position(p: Option<Position>, legacy: bool) -> i32 {
    let v: i64 = match p {
        None | Some(Position::Unknown) => -1,
        Some(Position::At(v)) => i64::from(Position::at(v)),
    };
    if v < 0 {
        return -1;
    }
    let shift = i64::from(legacy);
    i32::try_from(v - shift).unwrap_or(-1).max(-1)
}

fn write_position(w: &mut Writer<'_>, p: Position, style: u8) {
    w.sp();
    match p {
        Position::Unknown => w.out.push_str(if style % 2 == 0 { "-1" } else { "-1.0" }),
        Position::At(v) => write_uint(&mut w.out, u64::from(Position::at(v)), style),
    }
    w.sp();
}

/// Writes node `i` and its subtree (iteratively, in pre-order); fills
/// `expected` in pre-order.
fn write_tree(
    w: &mut Writer<'_>,
    nodes: &[NodeSpec],
    ids: &[u64],
    children: &[Vec<usize>],
    expected: &mut Vec<ExpectedNode>,
) {
    enum Step {
        Open(usize),
        /// After child `k` of node `i` was written.
        Next(usize, usize, Vec<usize>, usize),
    }
    let mut todo = vec![Step::Open(0)];
    while let Some(step) = todo.pop() {
        match step {
            Step::Open(i) => {
                let n = &nodes[i];
                w.tok("{");
                // Keys: 0 frame, 1 selfSize, 2 id, 3 children, 4 extra.
                let mut keys = vec![0, 2];
                if n.self_size.is_some() {
                    keys.push(1);
                }
                if !children[i].is_empty() || n.empty_children {
                    keys.push(3);
                }
                if n.extra.is_some() {
                    keys.push(4);
                }
                let order: Vec<usize> = permutation(keys.len(), n.order)
                    .into_iter()
                    .map(|k| keys[k])
                    .collect();
                let mut exp = ExpectedNode {
                    name: String::new(),
                    script_id: "0".into(),
                    url: String::new(),
                    line: expected_position(n.line, n.legacy),
                    column: expected_position(n.column, n.legacy),
                    self_size: n.self_size.map_or(0, |s| s % (MAX_SAFE + 1)),
                    id: ids[i],
                };
                let mut rest: Vec<usize> = Vec::new();
                let mut first = true;
                for (pos, &k) in order.iter().enumerate() {
                    if k == 3 {
                        // Children come later; the keys after them wait.
                        rest = order[pos + 1..].to_vec();
                        if !first {
                            w.tok(",");
                        }
                        w.key("children");
                        w.tok("[");
                        break;
                    }
                    let wrote = write_node_key(w, n, ids[i], k, first, &mut exp);
                    first &= !wrote;
                }
                let had_children_key = order.contains(&3);
                expected.push(exp);
                if had_children_key {
                    todo.push(Step::Next(i, 0, rest, expected.len() - 1));
                } else {
                    w.tok("}");
                }
            }
            Step::Next(i, k, rest, at) => {
                if k < children[i].len() {
                    if k > 0 {
                        w.tok(",");
                    }
                    todo.push(Step::Next(i, k + 1, rest, at));
                    todo.push(Step::Open(children[i][k]));
                } else {
                    w.tok("]");
                    let n = &nodes[i];
                    // The node's keys after `children` (frame after children
                    // is what re-serialized files do). `exp` was pushed
                    // already; patch it.
                    let mut exp = std::mem::replace(
                        &mut expected[at],
                        ExpectedNode {
                            name: String::new(),
                            script_id: String::new(),
                            url: String::new(),
                            line: 0,
                            column: 0,
                            self_size: 0,
                            id: 0,
                        },
                    );
                    for &key in &rest {
                        write_node_key(w, n, ids[i], key, false, &mut exp);
                    }
                    expected[at] = exp;
                    w.tok("}");
                }
            }
        }
    }
}

/// Writes one key of a node (with a leading comma unless `first`); returns
/// whether anything was written.
fn write_node_key(
    w: &mut Writer<'_>,
    n: &NodeSpec,
    id: u64,
    k: usize,
    first: bool,
    exp: &mut ExpectedNode,
) -> bool {
    let comma = |w: &mut Writer<'_>| {
        if !first {
            w.tok(",");
        }
    };
    match k {
        0 => {
            if n.legacy {
                // Frame fields on the node itself.
                let mut any = false;
                let mut f = first;
                write_frame_fields(w, n, &mut f, &mut any, exp);
                any
            } else {
                comma(w);
                w.key("callFrame");
                w.tok("{");
                let mut f = true;
                let mut any = false;
                write_frame_fields(w, n, &mut f, &mut any, exp);
                w.tok("}");
                true
            }
        }
        1 => {
            comma(w);
            w.key("selfSize");
            w.sp();
            write_uint(&mut w.out, exp.self_size, n.num_style);
            w.sp();
            true
        }
        2 => {
            comma(w);
            w.key("id");
            w.sp();
            write_uint(&mut w.out, id, n.num_style / 8);
            w.sp();
            true
        }
        4 => {
            let Some((key, value)) = &n.extra else {
                return false;
            };
            comma(w);
            match key {
                NodeKey::HitCount => w.key("hitCount"),
                NodeKey::PositionTicks => w.key("positionTicks"),
                NodeKey::Other(segs) => {
                    let mut probe = String::new();
                    let decoded = write_string(&mut probe, segs);
                    if matches!(
                        decoded.as_str(),
                        "callFrame"
                            | "selfSize"
                            | "id"
                            | "children"
                            | "functionName"
                            | "scriptId"
                            | "url"
                            | "lineNumber"
                            | "columnNumber"
                    ) {
                        w.key("x");
                    } else {
                        w.key_segs(segs);
                    }
                }
            }
            w.value(value);
            true
        }
        _ => unreachable!(),
    }
}

fn write_frame_fields(
    w: &mut Writer<'_>,
    n: &NodeSpec,
    first: &mut bool,
    any: &mut bool,
    exp: &mut ExpectedNode,
) {
    for k in permutation(5, n.frame_order) {
        let present = match k {
            0 => n.name.is_some(),
            1 => n.script_id.is_some(),
            2 => n.url.is_some(),
            3 => n.line.is_some(),
            _ => n.column.is_some(),
        };
        if !present {
            continue;
        }
        if !*first {
            w.tok(",");
        }
        *first = false;
        *any = true;
        match k {
            0 => {
                w.key("functionName");
                exp.name = w.string(n.name.as_deref().unwrap_or_default());
            }
            1 => {
                w.key("scriptId");
                match n.script_id.as_ref().expect("present") {
                    ScriptId::Text(segs) => exp.script_id = w.string(segs),
                    ScriptId::Number(v) => {
                        w.sp();
                        let _ = write!(w.out, "{v}");
                        w.sp();
                        exp.script_id = v.to_string();
                    }
                }
            }
            2 => {
                w.key("url");
                exp.url = w.string(n.url.as_deref().unwrap_or_default());
            }
            3 => {
                w.key("lineNumber");
                write_position(w, n.line.expect("present"), n.num_style);
            }
            _ => {
                w.key("columnNumber");
                write_position(w, n.column.expect("present"), n.num_style / 2);
            }
        }
    }
}

fn write_samples(w: &mut Writer<'_>, samples: &[SampleSpec], ids: &[u64]) -> Vec<(u64, u64, u64)> {
    let mut expected = Vec::new();
    w.key("samples");
    w.tok("[");
    for (i, s) in samples.iter().enumerate() {
        if i > 0 {
            w.tok(",");
        }
        let node_id = match s.target {
            Target::Node(k) => ids[usize::from(k) % ids.len()],
            Target::Raw(v) => v % (MAX_SAFE + 1),
        };
        let size = s.size.map(|v| v % (MAX_SAFE + 1));
        let ordinal = s.ordinal.map(|v| v % (MAX_SAFE + 1));
        expected.push((node_id, size.unwrap_or(0), ordinal.unwrap_or(0)));
        w.tok("{");
        let mut keys = vec![0usize];
        if size.is_some() {
            keys.push(1);
        }
        if ordinal.is_some() {
            keys.push(2);
        }
        if s.extra.is_some() {
            keys.push(3);
        }
        for (j, k) in permutation(keys.len(), u32::from(s.order))
            .into_iter()
            .map(|k| keys[k])
            .enumerate()
        {
            if j > 0 {
                w.tok(",");
            }
            let (name, v) = match k {
                0 => ("nodeId", node_id),
                1 => ("size", size.unwrap_or(0)),
                2 => ("ordinal", ordinal.unwrap_or(0)),
                _ => {
                    w.key("type");
                    w.value(s.extra.as_ref().expect("present"));
                    continue;
                }
            };
            w.key(name);
            w.sp();
            write_uint(&mut w.out, v, s.num_style.rotate_left(k as u32));
            w.sp();
        }
        w.tok("}");
    }
    w.tok("]");
    expected
}

fuzz_target!(|input: Input| {
    let mut nodes = input.nodes;
    nodes.truncate(MAX_NODES);
    if nodes.is_empty() {
        return;
    }
    let mut samples = input.samples;
    samples.truncate(MAX_SAMPLES);

    // Ids and the tree shape.
    let mut ids: Vec<u64> = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let id = match n.id {
            IdSpec::Fresh => i as u64 + 1,
            IdSpec::SameAs(k) if i > 0 => ids[usize::from(k) % i],
            IdSpec::SameAs(_) => 1,
            IdSpec::Raw(v) => v % (MAX_SAFE + 1),
        };
        ids.push(id);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        children[usize::from(n.parent) % i].push(i);
    }

    // The text.
    let mut w = Writer {
        out: String::new(),
        ws: &input.ws,
        ws_at: 0,
    };
    if input.bom {
        w.out.push('\u{FEFF}');
    }
    w.tok("{");
    if input.wrapped {
        w.key("profile");
        w.tok("{");
    }
    let mut first = true;
    let mut sep = |w: &mut Writer<'_>| {
        if !std::mem::take(&mut first) {
            w.tok(",");
        }
    };
    let mut expected_samples = Vec::new();
    let mut expected_nodes = Vec::new();
    if input.with_samples && input.samples_first {
        sep(&mut w);
        expected_samples = write_samples(&mut w, &samples, &ids);
    }
    for (key, value) in &input.extra_top {
        sep(&mut w);
        match key {
            TopKey::Title => w.key("title"),
            TopKey::Meta => w.key("meta"),
            TopKey::Empty => w.key(""),
            TopKey::Other(segs) => {
                let mut probe = String::new();
                let decoded = write_string(&mut probe, segs);
                // Keys of other kinds of file (`snapshot`, `startTime`,
                // `nodes`, …) are ignored beside `head`, so they stay.
                if matches!(decoded.as_str(), "head" | "samples" | "profile") {
                    w.key("y");
                } else {
                    w.key_segs(segs);
                }
            }
        }
        w.value(value);
    }
    sep(&mut w);
    w.key("head");
    write_tree(&mut w, &nodes, &ids, &children, &mut expected_nodes);
    if input.with_samples && !input.samples_first {
        sep(&mut w);
        expected_samples = write_samples(&mut w, &samples, &ids);
    }
    if input.wrapped {
        w.tok("}");
    }
    w.tok("}");
    let text = w.out;

    let result = heapdiff_parser::parse_heapprofile(text.as_bytes());
    let unique: HashSet<u64> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        match result {
            Err(heapdiff_parser::ParseError::DuplicateNodeId { id, .. }) => {
                assert!(
                    ids.iter().filter(|&&x| x == id).count() > 1,
                    "reported id {id} is not duplicated"
                );
            }
            other => panic!("duplicate ids not reported: {other:?}\n{text}"),
        }
        return;
    }
    let parsed = match result {
        Ok(p) => p,
        Err(e) => panic!("a well-formed profile was rejected: {e}\n{text}"),
    };
    let p = &parsed.value;
    heapdiff_model::validate(p).expect("model invariants");
    assert_eq!(p.stacks.len(), nodes.len(), "one stack per node\n{text}");
    assert_eq!(p.meta.wrapped, input.wrapped);
    assert_eq!(p.meta.has_samples, input.with_samples);

    // Frames, sizes and ids, in pre-order.
    let mut key_count: HashMap<(String, String, i32, i32), usize> = HashMap::new();
    for e in &expected_nodes {
        *key_count
            .entry((e.name.clone(), e.script_id.clone(), e.line, e.column))
            .or_default() += 1;
    }
    let mut stack_of_id: HashMap<u64, usize> = HashMap::new();
    for (s, e) in expected_nodes.iter().enumerate() {
        let f = p.stacks.frame[s].index();
        let got_name = p.strings.get(p.frames.name[f]);
        assert_eq!(got_name, e.name, "name of stack {s}\n{text}");
        assert_eq!(
            p.strings.get(p.frames.script_id[f]),
            e.script_id,
            "script id of stack {s}"
        );
        assert_eq!(p.frames.line[f], e.line, "line of stack {s}\n{text}");
        assert_eq!(p.frames.column[f], e.column, "column of stack {s}\n{text}");
        if key_count[&(e.name.clone(), e.script_id.clone(), e.line, e.column)] == 1 {
            // A frame shared by several nodes keeps one of their URLs.
            assert_eq!(p.strings.get(p.frames.url[f]), e.url, "url of stack {s}");
        }
        assert_eq!(p.stacks.self_bytes[s], e.self_size, "selfSize of stack {s}");
        assert_eq!(p.stacks.node_id[s], e.id, "id of stack {s}");
        stack_of_id.insert(e.id, s);
    }
    // Parents: pre-order numbering of the generated tree.
    let mut preorder = vec![0usize; nodes.len()];
    {
        let mut todo = vec![0usize];
        let mut k = 0;
        while let Some(i) = todo.pop() {
            preorder[i] = k;
            k += 1;
            todo.extend(children[i].iter().rev());
        }
    }
    for (i, n) in nodes.iter().enumerate().skip(1) {
        let parent = usize::from(n.parent) % i;
        let s = heapdiff_model::StackId::from_index(preorder[i]);
        assert_eq!(
            p.stacks.parent(s).map(|x| x.index()),
            Some(preorder[parent]),
            "parent of node {i}"
        );
    }

    // Samples: every one kept, in order, attributed when its id exists.
    assert_eq!(
        p.samples.len() + p.unattributed.node_id.len(),
        expected_samples.len(),
        "attributed + unattributed samples"
    );
    let (mut a, mut u) = (0, 0);
    for &(node_id, size, ordinal) in &expected_samples {
        if let Some(&s) = stack_of_id.get(&node_id) {
            assert_eq!(p.samples.stack[a].index(), s);
            assert_eq!(p.samples.bytes[a], size);
            assert_eq!(p.samples.ordinal[a], ordinal);
            a += 1;
        } else {
            assert_eq!(p.unattributed.node_id[u], node_id);
            assert_eq!(p.unattributed.bytes[u], size);
            assert_eq!(p.unattributed.ordinal[u], ordinal);
            u += 1;
        }
    }
});
