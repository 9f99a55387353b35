//! pprof's `profile.proto` (github.com/google/pprof/proto/profile.proto),
//! gzip-compressed, for `go tool pprof`, Pyroscope, Datadog and friends.
//!
//! The protobuf encoding is written by hand (varints and length-delimited
//! fields; a profile needs nothing else). One sample type, `space`/`bytes`;
//! one sample per call-tree node with self bytes, its locations leaf first
//! as pprof requires; one `Location` and one `Function` per distinct frame.
//! The output is byte-for-byte deterministic: no timestamps, and a gzip
//! header with mtime 0 and no file name.
//!
//! [`Stacks`] is the call tree both this module and [`crate::speedscope`]
//! write: a plain copy of the pruned tree with display names and 1-based
//! positions, so neither writer looks at the model again.

use std::collections::HashMap;
use std::io::{self, Write};

use flate2::{Compression, GzBuilder};
use heapdiff_analyzer::{CallTree, display_name};
use heapdiff_model::{HeapProfile, StackId};

/// One distinct function of the exported tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Display name (`(anonymous)` for anonymous functions).
    pub name: String,
    /// Script URL, `""` when unknown.
    pub file: String,
    /// 1-based line of the function, when known.
    pub line: Option<u32>,
    /// 1-based column of the function, when known.
    pub column: Option<u32>,
}

/// A node of the exported call tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The parent node, `None` for a child of `(root)` (which is not part of
    /// the stacks, as in folded output).
    pub parent: Option<u32>,
    /// Index into [`Stacks::frames`].
    pub frame: u32,
}

/// A node with self bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Index into [`Stacks::nodes`]: the leaf of the stack.
    pub node: u32,
    /// Self bytes of the node.
    pub bytes: u64,
}

/// The kept nodes of a call tree in pre-order, the frames they use (in
/// order of first use) and the nodes with self bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stacks {
    /// Distinct frames.
    pub frames: Vec<Frame>,
    /// Nodes, every parent before its children.
    pub nodes: Vec<Node>,
    /// Nodes with self bytes, in node order.
    pub samples: Vec<Sample>,
}

impl Stacks {
    /// Copies the pruned call tree of `p` weighed by `tree`. `(root)` is left
    /// out of the stacks; should it have self bytes of its own, it becomes a
    /// one-frame stack, so the samples always add up to the tree's total.
    #[must_use]
    pub fn from_profile(p: &HeapProfile, tree: &CallTree) -> Self {
        const NONE: u32 = u32::MAX;
        let mut out = Self::default();
        let mut frame_index = vec![NONE; p.frames.len()];
        let mut node_index = vec![NONE; p.stacks.len()];
        let mut frame_of = |out: &mut Self, s: StackId| -> u32 {
            let f = p.stacks.frame[s.index()];
            let slot = &mut frame_index[f.index()];
            if *slot == NONE {
                *slot = index_u32(out.frames.len());
                out.frames.push(Frame {
                    name: display_name(p.frame_name(f)).to_string(),
                    file: p.frame_url(f).to_string(),
                    line: one_based(p.frames.line[f.index()]),
                    column: one_based(p.frames.column[f.index()]),
                });
            }
            *slot
        };
        if tree.self_bytes.first().is_some_and(|&b| b > 0) {
            let frame = frame_of(&mut out, StackId::ROOT);
            out.nodes.push(Node {
                parent: None,
                frame,
            });
            out.samples.push(Sample {
                node: 0,
                bytes: tree.self_bytes[0],
            });
        }
        for s in p.stacks.ids().skip(1) {
            if !tree.kept(s) {
                continue;
            }
            let parent = p
                .stacks
                .parent(s)
                .filter(|&up| up != StackId::ROOT)
                .map(|up| node_index[up.index()])
                .filter(|&n| n != NONE);
            let frame = frame_of(&mut out, s);
            let node = index_u32(out.nodes.len());
            node_index[s.index()] = node;
            out.nodes.push(Node { parent, frame });
            let bytes = tree.self_bytes[s.index()];
            if bytes > 0 {
                out.samples.push(Sample { node, bytes });
            }
        }
        out
    }

    /// Σ self bytes of the samples.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.samples.iter().map(|s| s.bytes).sum()
    }

    /// The frames of the stack ending at `node`, leaf first, into `path`.
    pub fn leaf_first(&self, node: u32, path: &mut Vec<u32>) {
        path.clear();
        let mut at = Some(node);
        while let Some(n) = at {
            let node = self.nodes[n as usize];
            path.push(node.frame);
            at = node.parent;
        }
    }
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn one_based(v: i32) -> Option<u32> {
    u32::try_from(v).ok().map(|v| v + 1)
}

/// Options of [`write()`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PprofOptions {
    /// Bytes between samples (`Profile.period`, of type `space`/`bytes`):
    /// the sampling interval, 1 when unknown.
    pub period: u64,
}

impl Default for PprofOptions {
    fn default() -> Self {
        Self { period: 1 }
    }
}

/// Writes the gzip-compressed profile.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn Write, stacks: &Stacks, opts: &PprofOptions) -> io::Result<()> {
    let mut gz = GzBuilder::new().mtime(0).write(out, Compression::default());
    write_uncompressed(&mut gz, stacks, opts)?;
    gz.finish()?;
    Ok(())
}

// Field numbers of profile.proto.
const PROFILE_SAMPLE_TYPE: u32 = 1;
const PROFILE_SAMPLE: u32 = 2;
const PROFILE_LOCATION: u32 = 4;
const PROFILE_FUNCTION: u32 = 5;
const PROFILE_STRING_TABLE: u32 = 6;
const PROFILE_PERIOD_TYPE: u32 = 11;
const PROFILE_PERIOD: u32 = 12;
const PROFILE_DEFAULT_SAMPLE_TYPE: u32 = 14;
const VALUE_TYPE_TYPE: u32 = 1;
const VALUE_TYPE_UNIT: u32 = 2;
const SAMPLE_LOCATION_ID: u32 = 1;
const SAMPLE_VALUE: u32 = 2;
const LOCATION_ID: u32 = 1;
const LOCATION_LINE: u32 = 4;
const LINE_FUNCTION_ID: u32 = 1;
const LINE_LINE: u32 = 2;
const LINE_COLUMN: u32 = 3;
const FUNCTION_ID: u32 = 1;
const FUNCTION_NAME: u32 = 2;
const FUNCTION_SYSTEM_NAME: u32 = 3;
const FUNCTION_FILENAME: u32 = 4;
const FUNCTION_START_LINE: u32 = 5;

const VARINT: u32 = 0;
const LEN: u32 = 2;

/// Writes the profile message without compression (location and function
/// ids are frame index + 1).
///
/// # Errors
/// When writing fails.
pub fn write_uncompressed(
    out: &mut dyn Write,
    stacks: &Stacks,
    opts: &PprofOptions,
) -> io::Result<()> {
    let mut strings = Strings::default();
    let space = strings.intern("space");
    let bytes = strings.intern("bytes");
    let frame_strings: Vec<(u64, u64)> = stacks
        .frames
        .iter()
        .map(|f| (strings.intern(&f.name), strings.intern(&f.file)))
        .collect();

    let mut msg = Vec::new();
    let mut value_type = Vec::new();
    put_uint(&mut value_type, VALUE_TYPE_TYPE, space);
    put_uint(&mut value_type, VALUE_TYPE_UNIT, bytes);
    put_bytes(&mut msg, PROFILE_SAMPLE_TYPE, &value_type);
    out.write_all(&msg)?;
    write_samples(out, stacks)?;
    write_frames(out, stacks, &frame_strings)?;
    write_string_table(out, &strings.list)?;
    msg.clear();
    put_bytes(&mut msg, PROFILE_PERIOD_TYPE, &value_type);
    put_uint(&mut msg, PROFILE_PERIOD, opts.period);
    put_uint(&mut msg, PROFILE_DEFAULT_SAMPLE_TYPE, space);
    out.write_all(&msg)
}

/// One `Sample` per stack: its location ids, leaf first, and its bytes.
fn write_samples(out: &mut dyn Write, stacks: &Stacks) -> io::Result<()> {
    let mut msg = Vec::new();
    let mut path = Vec::new();
    let mut packed = Vec::new();
    let mut sample = Vec::new();
    for s in &stacks.samples {
        stacks.leaf_first(s.node, &mut path);
        packed.clear();
        for &f in &path {
            put_varint(&mut packed, u64::from(f) + 1);
        }
        sample.clear();
        put_bytes(&mut sample, SAMPLE_LOCATION_ID, &packed);
        packed.clear();
        put_varint(&mut packed, s.bytes);
        put_bytes(&mut sample, SAMPLE_VALUE, &packed);
        msg.clear();
        put_bytes(&mut msg, PROFILE_SAMPLE, &sample);
        out.write_all(&msg)?;
    }
    Ok(())
}

/// One `Location` (with its one `Line`) and one `Function` per frame,
/// both with id frame index + 1; `frame_strings` holds each frame's name
/// and file in the string table.
fn write_frames(
    out: &mut dyn Write,
    stacks: &Stacks,
    frame_strings: &[(u64, u64)],
) -> io::Result<()> {
    let mut msg = Vec::new();
    let mut line = Vec::new();
    let mut location = Vec::new();
    let mut function = Vec::new();
    for (i, (f, &(name, file))) in stacks.frames.iter().zip(frame_strings).enumerate() {
        let id = i as u64 + 1;
        line.clear();
        put_uint(&mut line, LINE_FUNCTION_ID, id);
        put_uint(&mut line, LINE_LINE, f.line.map_or(0, u64::from));
        put_uint(&mut line, LINE_COLUMN, f.column.map_or(0, u64::from));
        location.clear();
        put_uint(&mut location, LOCATION_ID, id);
        put_bytes(&mut location, LOCATION_LINE, &line);
        function.clear();
        put_uint(&mut function, FUNCTION_ID, id);
        put_uint(&mut function, FUNCTION_NAME, name);
        put_uint(&mut function, FUNCTION_SYSTEM_NAME, name);
        put_uint(&mut function, FUNCTION_FILENAME, file);
        put_uint(
            &mut function,
            FUNCTION_START_LINE,
            f.line.map_or(0, u64::from),
        );
        msg.clear();
        put_bytes(&mut msg, PROFILE_LOCATION, &location);
        put_bytes(&mut msg, PROFILE_FUNCTION, &function);
        out.write_all(&msg)?;
    }
    Ok(())
}

/// The string table, in index order.
fn write_string_table(out: &mut dyn Write, list: &[String]) -> io::Result<()> {
    let mut msg = Vec::new();
    for s in list {
        msg.clear();
        // string_table[0] is "": a present, empty entry.
        put_key(&mut msg, PROFILE_STRING_TABLE, LEN);
        put_varint(&mut msg, s.len() as u64);
        msg.extend_from_slice(s.as_bytes());
        out.write_all(&msg)?;
    }
    Ok(())
}

/// The string table: `""` first, then strings in order of first use.
struct Strings {
    list: Vec<String>,
    index: HashMap<String, u64>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut s = Self {
            list: Vec::new(),
            index: HashMap::new(),
        };
        s.intern("");
        s
    }
}

impl Strings {
    fn intern(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(((v & 0x7f) as u8) | 0x80);
        v >>= 7;
    }
    buf.push((v & 0x7f) as u8);
}

fn put_key(buf: &mut Vec<u8>, field: u32, wire_type: u32) {
    put_varint(buf, u64::from((field << 3) | wire_type));
}

/// A varint field; zero is proto3's default and is left out.
fn put_uint(buf: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        put_key(buf, field, VARINT);
        put_varint(buf, v);
    }
}

/// A length-delimited field (sub-message, packed repeated, string).
fn put_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(buf, field, LEN);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use heapdiff_analyzer::{Weights, call_tree};
    use heapdiff_model::{FrameKey, ProfileBuilder};

    #[test]
    fn varints_match_the_protobuf_encoding() {
        let mut b = Vec::new();
        put_varint(&mut b, 1);
        put_varint(&mut b, 300);
        put_varint(&mut b, u64::MAX);
        assert_eq!(
            b,
            [
                1, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ]
        );
        let mut k = Vec::new();
        put_uint(&mut k, 12, 150);
        assert_eq!(k, [0x60, 0x96, 0x01]);
    }

    fn profile() -> (HeapProfile, CallTree) {
        let mut b = ProfileBuilder::new();
        let key = |name, line| FrameKey {
            name,
            script_id: "1",
            url: "file:///a.js",
            line,
            column: 4,
        };
        let root = b.push_stack(None, FrameKey::pseudo("(root)"), 0, 1);
        let main = b.push_stack(Some(root), key("main", 0), 0, 2);
        b.push_stack(Some(main), key("", 9), 100, 3);
        b.push_stack(Some(main), key("main", 0), 20, 4);
        b.push_stack(Some(root), FrameKey::pseudo("(GC)"), 0, 5);
        let p = b.finish();
        let tree = call_tree(&p, &Weights::self_size(&p));
        (p, tree)
    }

    #[test]
    fn stacks_keep_pruned_nodes_out_and_share_frames() {
        let (p, tree) = profile();
        let s = Stacks::from_profile(&p, &tree);
        assert_eq!(s.frames.len(), 2, "(GC) is pruned, main is one frame");
        assert_eq!(s.frames[1].name, "(anonymous)");
        assert_eq!((s.frames[0].line, s.frames[0].column), (Some(1), Some(5)));
        assert_eq!(s.total(), 120);
        let mut path = Vec::new();
        s.leaf_first(s.samples[1].node, &mut path);
        assert_eq!(path, [0, 0]);
        s.leaf_first(s.samples[0].node, &mut path);
        assert_eq!(path, [1, 0]);
    }

    #[test]
    fn output_is_deterministic_and_starts_with_the_sample_type() {
        let (p, tree) = profile();
        let s = Stacks::from_profile(&p, &tree);
        let mut a = Vec::new();
        let mut b = Vec::new();
        write(&mut a, &s, &PprofOptions::default()).unwrap();
        write(&mut b, &s, &PprofOptions::default()).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], &[0x1f, 0x8b]);
        assert_eq!(&a[4..8], &[0, 0, 0, 0], "mtime 0");
        let mut raw = Vec::new();
        write_uncompressed(&mut raw, &s, &PprofOptions { period: 4096 }).unwrap();
        // sample_type { type: 1 ("space"), unit: 2 ("bytes") }
        assert_eq!(&raw[..6], &[0x0a, 4, 0x08, 1, 0x10, 2]);
    }
}
