//! `.heapprofile` parser (formats §3): `node --heap-prof` files, DevTools
//! "Save", raw CDP results and the `{"profile": …}` wrapper, in any key order
//! and whitespace.
//!
//! The call tree is read with an explicit stack of open nodes, so a deep or
//! hostile tree cannot overflow the thread's stack. Nodes are numbered in
//! pre-order as they open, which gives the model's `parent < child` order.

use std::io::{Read, Seek};

use heapdiff_model::{FrameKey, HeapProfile, ProfileBuilder, StackId, memory};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::cursor::{Cursor, Number};
use crate::kind::TopKeys;
use crate::split::{Forward, Nodes, Split};
use crate::{InputKind, ParseError, Parsed, Warning};

/// The largest byte count accepted: JavaScript's `Number.MAX_SAFE_INTEGER`.
/// V8 writes sizes as doubles, so anything larger has lost precision and is
/// a corrupt value.
const MAX_BYTES: u64 = (1 << 53) - 1;

/// A sample exactly as V8 writes it, up to each value.
pub(crate) const SAMPLE_KEYS: [&[u8]; 3] = [b"{\"size\":", b",\"nodeId\":", b",\"ordinal\":"];

/// Parses a sampling heap profile from `input`.
///
/// # Errors
/// A [`ParseError`] naming the section and byte offset when the input is not
/// a well-formed heap profile, or is another kind of V8 file.
pub fn parse_heapprofile<R: Read>(input: R) -> Result<Parsed<HeapProfile>, ParseError> {
    parse_from(Forward(input), None)
}

/// The parse of [`parse_heapprofile`], taking the records of `split`'s
/// second thread where they begin.
pub(crate) fn parse_from<R: Read + Seek>(
    input: R,
    split: Option<Split>,
) -> Result<Parsed<HeapProfile>, ParseError> {
    let mut p = Parser::new(input);
    p.split = split;
    p.cur.skip_bom()?;
    match p.cur.peek()? {
        None => {
            return Err(ParseError::WrongKind {
                found: InputKind::Empty,
            });
        }
        Some(_) => {
            if p.cur.peek_token()? != b'{' {
                return Err(ParseError::WrongKind {
                    found: InputKind::NotJson,
                });
            }
        }
    }
    p.top_level(false)?;
    // The top level's closing `}` was the last byte read.
    let end = p.cur.offset() - 1;
    if !p.cur.at_end()? {
        return Err(p
            .cur
            .syntax("unexpected data after the end of the profile".into()));
    }
    p.finish(end)
}

/// The keys the parser reads, in any of its objects; each has its bit in
/// [`SeenKeys`] (the discriminant).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Head,
    Samples,
    Profile,
    CallFrame,
    SelfSize,
    Id,
    Children,
    FunctionName,
    ScriptId,
    Url,
    LineNumber,
    ColumnNumber,
    Size,
    NodeId,
    Ordinal,
}

impl Key {
    /// The known key spelled `key`, if any: one `match`, which compiles to
    /// a switch on the length and a compare or two.
    #[inline]
    fn of(key: &[u8]) -> Option<Self> {
        Some(match key {
            b"head" => Self::Head,
            b"samples" => Self::Samples,
            b"profile" => Self::Profile,
            b"callFrame" => Self::CallFrame,
            b"selfSize" => Self::SelfSize,
            b"id" => Self::Id,
            b"children" => Self::Children,
            b"functionName" => Self::FunctionName,
            b"scriptId" => Self::ScriptId,
            b"url" => Self::Url,
            b"lineNumber" => Self::LineNumber,
            b"columnNumber" => Self::ColumnNumber,
            b"size" => Self::Size,
            b"nodeId" => Self::NodeId,
            b"ordinal" => Self::Ordinal,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Samples => "samples",
            Self::Profile => "profile",
            Self::CallFrame => "callFrame",
            Self::SelfSize => "selfSize",
            Self::Id => "id",
            Self::Children => "children",
            Self::FunctionName => "functionName",
            Self::ScriptId => "scriptId",
            Self::Url => "url",
            Self::LineNumber => "lineNumber",
            Self::ColumnNumber => "columnNumber",
            Self::Size => "size",
            Self::NodeId => "nodeId",
            Self::Ordinal => "ordinal",
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// The keys read in the top-level object: `head`, `samples`, `profile`.
const TOP_KEYS: u16 = 0b111;
/// Inside the `profile` wrapper: `head`, `samples`.
const WRAPPED_KEYS: u16 = 0b11;
/// A node: `callFrame` to `children`, and the legacy frame fields.
const NODE_KEYS: u16 = 0b1111_1111_1000;
/// A `callFrame`: `functionName` to `columnNumber`.
const FRAME_KEYS: u16 = 0b1111_1000_0000;
/// A sample: `size`, `nodeId`, `ordinal`.
const SAMPLE_KEYS_READ: u16 = 0b111 << 12;

/// The known keys met so far in one object, so that a repeated one (whose
/// two values would contradict each other) is an error. Unknown keys are
/// skipped and not tracked.
#[derive(Clone, Copy, Default)]
struct SeenKeys {
    /// The keys this object's reader uses.
    read: u16,
    seen: u16,
}

impl SeenKeys {
    fn new(read: u16) -> Self {
        Self { read, seen: 0 }
    }

    /// Notes the key spelled `key`, which began at byte `at`: a key read
    /// twice is an error. Returns the key when this object's reader uses
    /// it, `None` for a key to skip.
    #[inline]
    fn note(
        &mut self,
        key: &[u8],
        at: u64,
        section: &'static str,
    ) -> Result<Option<Key>, ParseError> {
        let Some(known) = Key::of(key) else {
            return Ok(None);
        };
        let bit = known.bit();
        if self.read & bit == 0 {
            return Ok(None);
        }
        if self.seen & bit != 0 {
            return Err(duplicate_key(known, at, section));
        }
        self.seen |= bit;
        Ok(Some(known))
    }
}

#[cold]
fn duplicate_key(key: Key, at: u64, section: &'static str) -> ParseError {
    ParseError::Syntax {
        section,
        offset: at,
        message: format!("duplicate key `{}` in one object", key.name()),
    }
}

/// Fields of one tree node, gathered while its keys are read.
#[derive(Default)]
struct PendingNode {
    /// The keys read so far.
    keys: SeenKeys,
    stack: Option<StackId>,
    name: Text,
    script_id: Text,
    url: Text,
    line: Option<i64>,
    column: Option<i64>,
    has_call_frame: bool,
    self_size: u64,
    id: Option<u64>,
    /// Reading the `children` array (false: reading the node's own keys).
    in_children: bool,
}

impl PendingNode {
    /// Makes this slot the fresh node `stack`, keeping its strings' room.
    fn reset(&mut self, stack: StackId) {
        self.keys = SeenKeys::new(NODE_KEYS);
        self.stack = Some(stack);
        self.name.clear();
        self.script_id.clear();
        self.url.clear();
        self.line = None;
        self.column = None;
        self.has_call_frame = false;
        self.self_size = 0;
        self.id = None;
        self.in_children = false;
    }
}

/// A string field of a node, read into a buffer that is reused from node
/// to node.
#[derive(Default)]
struct Text {
    buf: String,
    set: bool,
}

impl Text {
    /// Room kept from one node to the next; a longer string's is given back.
    const KEEP: usize = 4096;

    fn get(&self) -> Option<&str> {
        self.set.then_some(self.buf.as_str())
    }

    /// Starts the value again (`set` once written).
    fn start(&mut self) -> &mut String {
        self.set = true;
        self.buf.clear();
        &mut self.buf
    }

    fn clear(&mut self) {
        self.set = false;
        if self.buf.capacity() > Self::KEEP {
            self.buf = String::new();
        } else {
            self.buf.clear();
        }
    }
}

/// The open nodes of the call tree, the deepest last. Their slots are
/// reused as the reading goes down and up the tree, so that no node
/// allocates its own strings.
#[derive(Default)]
struct OpenNodes {
    slots: Vec<PendingNode>,
    len: usize,
}

impl OpenNodes {
    fn push(&mut self, stack: StackId) {
        if self.len == self.slots.len() {
            self.slots.push(PendingNode::default());
        }
        self.slots[self.len].reset(stack);
        self.len += 1;
    }

    fn top(&mut self) -> Option<&mut PendingNode> {
        let i = self.len.checked_sub(1)?;
        Some(&mut self.slots[i])
    }

    /// Closes the deepest node; the caller has checked there is one.
    fn pop(&mut self) -> &PendingNode {
        self.len -= 1;
        &self.slots[self.len]
    }
}

/// V8 node id → stack. V8 hands ids out in order from 1, so ids are kept
/// in a flat table (one array load per sample) as long as they stay within
/// a small multiple of the node count; others go to a hash map.
#[derive(Default)]
struct NodeIndex {
    /// Raw stack id by node id; `u32::MAX` where no node has the id.
    dense: Vec<u32>,
    sparse: FxHashMap<u64, StackId>,
    len: usize,
}

impl NodeIndex {
    /// Ids below this many per node (plus a margin) go to the flat table.
    const SPREAD: usize = 4;
    const MARGIN: usize = 1024;

    /// Adds node `id`; false when a node had that id already.
    fn insert(&mut self, id: u64, stack: StackId) -> bool {
        if self.get(id).is_some() {
            return false;
        }
        self.len += 1;
        let limit = self
            .len
            .saturating_mul(Self::SPREAD)
            .saturating_add(Self::MARGIN);
        match usize::try_from(id) {
            Ok(i) if i < limit => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, u32::MAX);
                }
                self.dense[i] = stack.raw();
            }
            _ => {
                self.sparse.insert(id, stack);
            }
        }
        true
    }

    #[inline]
    fn get(&self, id: u64) -> Option<StackId> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(&raw) if raw != u32::MAX => Some(StackId::new(raw)),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Moves the ids of the hash map into the flat table when, with the
    /// tree complete, they all fit its bound: V8's ids are handed out as
    /// nodes are created, not in the order the tree is written, so early
    /// nodes may have had ids beyond the bound of their time.
    fn settle(&mut self) {
        let Some(&max) = self.sparse.keys().max() else {
            return;
        };
        let limit = self
            .len
            .saturating_mul(Self::SPREAD)
            .saturating_add(Self::MARGIN);
        let Ok(max) = usize::try_from(max) else {
            return;
        };
        if max >= limit {
            return;
        }
        if max >= self.dense.len() {
            self.dense.resize(max + 1, u32::MAX);
        }
        // Each id goes to its own slot, so the order does not matter.
        #[expect(clippy::iter_over_hash_type, reason = "one slot per id")]
        for (id, stack) in self.sparse.drain() {
            self.dense[usize::try_from(id).unwrap_or(0)] = stack.raw();
        }
    }

    /// The flat table, when it holds every id.
    fn all_dense(&self) -> Option<&[u32]> {
        (self.sparse.is_empty() && !self.dense.is_empty()).then_some(&self.dense[..])
    }
}

struct Parser<R> {
    cur: Cursor<R>,
    b: ProfileBuilder,
    scratch: Vec<u8>,
    saw_head: bool,
    /// The top-level keys that tell other kinds of file apart.
    keys: TopKeys,
    /// V8 node id → stack, filled as nodes close.
    nodes: NodeIndex,
    /// Samples read before the tree (re-ordered files): resolved at the end.
    deferred: Vec<(u64, u64, u64)>,
    legacy: bool,
    /// Whether the nodes were numbered here for want of ids (`None` until
    /// the first node closes).
    numbered: Option<bool>,
    /// Where the first sample starts, if there is one.
    first_sample: Option<u64>,
    /// The records a second thread reads from a point in `samples` on.
    split: Option<Split>,
}

impl<R: Read + Seek> Parser<R> {
    fn new(input: R) -> Self {
        Self {
            cur: Cursor::new(input),
            b: ProfileBuilder::new(),
            scratch: Vec::with_capacity(256),
            saw_head: false,
            keys: TopKeys::default(),
            nodes: NodeIndex::default(),
            deferred: Vec::new(),
            legacy: false,
            numbered: None,
            first_sample: None,
            split: None,
        }
    }

    /// The top-level object (or the object inside `{"profile": …}`).
    fn top_level(&mut self, wrapped: bool) -> Result<(), ParseError> {
        self.cur.section = "top level";
        self.cur.expect(b'{', "`{` at the start of the profile")?;
        if self.cur.peek_token()? == b'}' {
            self.cur.bump();
            return Ok(());
        }
        let mut seen = SeenKeys::new(if wrapped { WRAPPED_KEYS } else { TOP_KEYS });
        loop {
            let at = self.cur.key(&mut self.scratch)?;
            let is_wrapper =
                self.scratch == b"profile" && !wrapped && self.cur.peek_token()? == b'{';
            let key = if is_wrapper || self.scratch != b"profile" {
                seen.note(&self.scratch, at, self.cur.section)?
            } else {
                None
            };
            match key {
                Some(Key::Head) => self.head()?,
                Some(Key::Samples) => self.samples()?,
                Some(Key::Profile) => {
                    self.b.meta_mut().wrapped = true;
                    self.top_level(true)?;
                }
                // Anything else is ignored; the keys that name another
                // kind of file are noted for the error when `head` is absent.
                _ => {
                    let key = std::mem::take(&mut self.scratch);
                    let read = self.keys.read_value(&key, &mut self.cur, &mut self.scratch);
                    self.scratch = key;
                    read?;
                }
            }
            self.cur.section = "top level";
            if !self.cur.comma_or(b'}')? {
                return Ok(());
            }
        }
    }

    fn head(&mut self) -> Result<(), ParseError> {
        self.cur.section = "head";
        if self.saw_head {
            return Err(self.cur.syntax("a second `head` call tree".into()));
        }
        self.saw_head = true;
        self.cur.expect(b'{', "the `head` node object")?;
        let mut open = OpenNodes::default();
        self.open_node(None, &mut open)?;
        let mut first_key = true;
        while let Some(top) = open.top() {
            if top.in_children {
                let b = self.cur.peek_token()?;
                if b == b']' {
                    self.cur.bump();
                    top.in_children = false;
                    first_key = false;
                    continue;
                }
                if !first_key {
                    self.cur.expect(b',', "`,` or `]` in `children`")?;
                }
                first_key = true;
                self.cur.expect(b'{', "a child node object")?;
                let parent = top.stack;
                self.open_node(parent, &mut open)?;
                continue;
            }
            let b = self.cur.peek_token()?;
            if b == b'}' {
                self.cur.bump();
                self.close_node(open.pop())?;
                // Back in the parent's children array, after an element.
                first_key = false;
                continue;
            }
            if !first_key {
                self.cur.expect(b',', "`,` or `}` in a node")?;
            }
            first_key = false;
            let at = self.cur.key(&mut self.scratch)?;
            let top = open.top().expect("invariant: checked above");
            let key = top.keys.note(&self.scratch, at, self.cur.section)?;
            if key == Some(Key::Children) {
                self.cur.expect(b'[', "the `children` array")?;
                top.in_children = true;
                first_key = true;
            } else {
                self.node_field(key, top)?;
            }
        }
        self.nodes.settle();
        self.send_table();
        Ok(())
    }

    /// Hands the node table to the second thread, if there is one and
    /// every id is in its dense part: the second thread then looks up the
    /// nodes of its records itself.
    fn send_table(&mut self) {
        let Some(table) = self.split.as_mut().and_then(|s| s.table.take()) else {
            return;
        };
        if let Some(dense) = self.nodes.all_dense() {
            // The second thread may have stopped; then it needs no table.
            let _ = table.send(dense.to_vec());
        }
    }

    fn open_node(
        &mut self,
        parent: Option<StackId>,
        open: &mut OpenNodes,
    ) -> Result<(), ParseError> {
        if self.b.n_stacks() >= (u32::MAX - 1) as usize {
            return Err(self
                .cur
                .syntax("more than 4 billion call tree nodes".into()));
        }
        open.push(self.b.open_stack(parent));
        Ok(())
    }

    /// The value of the node key `key` (`None`: a key to skip).
    fn node_field(&mut self, key: Option<Key>, node: &mut PendingNode) -> Result<(), ParseError> {
        match key {
            Some(Key::CallFrame) => {
                node.has_call_frame = true;
                self.call_frame(node)
            }
            Some(Key::SelfSize) => {
                node.self_size = self.byte_count("selfSize")?;
                Ok(())
            }
            Some(Key::Id) => {
                node.id = Some(self.node_id("id")?);
                Ok(())
            }
            // The legacy layout puts the frame on the node itself.
            key => self.frame_field(key, node),
        }
    }

    fn call_frame(&mut self, node: &mut PendingNode) -> Result<(), ParseError> {
        self.cur.expect(b'{', "the `callFrame` object")?;
        if self.cur.peek_token()? == b'}' {
            self.cur.bump();
            return Ok(());
        }
        let mut seen = SeenKeys::new(FRAME_KEYS);
        loop {
            let at = self.cur.key(&mut self.scratch)?;
            let key = seen.note(&self.scratch, at, self.cur.section)?;
            self.frame_field(key, node)?;
            if !self.cur.comma_or(b'}')? {
                return Ok(());
            }
        }
    }

    /// The value of the frame key `key` (`None`, or a key that is no
    /// frame field: a key to skip).
    fn frame_field(&mut self, key: Option<Key>, node: &mut PendingNode) -> Result<(), ParseError> {
        match key {
            Some(Key::FunctionName) => self.text("functionName", &mut node.name)?,
            Some(Key::Url) => self.text("url", &mut node.url)?,
            Some(Key::ScriptId) => self.script_id(&mut node.script_id)?,
            Some(Key::LineNumber) => node.line = Some(self.position("lineNumber")?),
            Some(Key::ColumnNumber) => node.column = Some(self.position("columnNumber")?),
            _ => self.cur.skip_value(&mut self.scratch)?,
        }
        Ok(())
    }

    fn close_node(&mut self, node: &PendingNode) -> Result<(), ParseError> {
        let stack = node.stack.expect("invariant: every open node has a stack");
        let id = self.node_id_of(node, stack)?;
        // Legacy nodes (no `callFrame`) used 1-based positions (formats §3.2).
        let shift = if node.has_call_frame { 0 } else { 1 };
        if !node.has_call_frame && (node.line.is_some() || node.name.set) {
            self.legacy = true;
        }
        let line = clamp_position(node.line.unwrap_or(-1), shift);
        let column = clamp_position(node.column.unwrap_or(-1), shift);
        let key = FrameKey {
            name: node.name.get().unwrap_or(""),
            script_id: node.script_id.get().unwrap_or("0"),
            url: node.url.get().unwrap_or(""),
            line,
            column,
        };
        self.b.close_stack(stack, key, node.self_size, id);
        if !self.nodes.insert(id, stack) {
            return Err(ParseError::DuplicateNodeId {
                id,
                offset: self.cur.offset(),
            });
        }
        Ok(())
    }

    /// The node's V8 id. Old profiles (Chrome 69 and earlier, node 10) have
    /// no ids at all; their nodes are numbered in tree order from 1, the
    /// root's number in V8. A tree with ids on some nodes only is an error.
    fn node_id_of(&mut self, node: &PendingNode, stack: StackId) -> Result<u64, ParseError> {
        let (id, numbered) = match node.id {
            Some(id) => (id, false),
            None => (u64::from(stack.raw()) + 1, true),
        };
        match self.numbered {
            None => self.numbered = Some(numbered),
            Some(before) if before != numbered => {
                return Err(ParseError::BadValue {
                    section: "head",
                    field: "id",
                    offset: self.cur.offset(),
                    reason: if numbered {
                        "this node has no `id`, but others have one".into()
                    } else {
                        "this node has an `id`, but others have none".into()
                    },
                });
            }
            Some(_) => {}
        }
        Ok(id)
    }

    fn samples(&mut self) -> Result<(), ParseError> {
        self.cur.section = "samples";
        self.b.meta_mut().has_samples = true;
        self.cur.expect(b'[', "the `samples` array")?;
        if self.cur.peek_token()? == b']' {
            self.cur.bump();
            return Ok(());
        }
        self.first_sample.get_or_insert(self.cur.offset());
        loop {
            let at_split = self
                .split
                .as_ref()
                .is_some_and(|s| s.at == self.cur.offset());
            if !(at_split && self.take_split()?) {
                let (node_id, size, ordinal) = self.sample()?;
                self.take_sample(node_id, size, ordinal);
            }
            if !self.cur.comma_or(b']')? {
                // The second thread's work, if any, began elsewhere.
                self.split = None;
                return Ok(());
            }
        }
    }

    fn take_sample(&mut self, node_id: u64, size: u64, ordinal: u64) {
        if self.saw_head {
            self.attribute(node_id, size, ordinal);
        } else {
            self.deferred.push((node_id, size, ordinal));
        }
    }

    /// At the split point, between two records of `samples`: takes the
    /// records the second thread read from here and moves on after the
    /// last of them. False when it read none.
    fn take_split(&mut self) -> Result<bool, ParseError> {
        let Some(mut split) = self.split.take() else {
            return Ok(false);
        };
        // Without the tree read, the second thread leaves its lookups to
        // this one: it must not wait for a table.
        split.table = None;
        // The second thread always sends; without it, it failed.
        let records = split.records.recv().map_err(|_| ParseError::Io {
            offset: split.at,
            source: std::io::Error::other("the second thread reading `samples` stopped"),
        })?;
        if records.len() == 0 {
            return Ok(false);
        }
        let end = records.end;
        match records.nodes {
            Nodes::Stacks(stack) => self.append_resolved(stack, records.size, records.ordinal),
            Nodes::Ids(mut node_id) => {
                let (mut size, mut ordinal) = (records.size, records.ordinal);
                for_chunks(node_id.len(), |from, to| {
                    for i in from..to {
                        self.take_sample(u64::from(node_id[i]), size[i], ordinal[i]);
                    }
                    // Copied into the model: their memory goes back as the
                    // model's grows, so that peak memory stays that of one
                    // thread.
                    memory::discard(&mut node_id[from..to]);
                    memory::discard(&mut size[from..to]);
                    memory::discard(&mut ordinal[from..to]);
                });
            }
        }
        self.cur.seek_to(end)?;
        Ok(true)
    }

    /// Adds records whose stacks the second thread looked up, after this
    /// thread's own: column by column, the shorter part is copied into the
    /// longer (none when this thread read no sample), which keeps both the
    /// copy and the peak memory small.
    fn append_resolved(&mut self, stack: Vec<StackId>, size: Vec<u64>, ordinal: Vec<u64>) {
        let samples = self.b.samples_mut();
        let mine = std::mem::take(samples);
        samples.stack = joined(mine.stack, stack);
        samples.bytes = joined(mine.bytes, size);
        samples.ordinal = joined(mine.ordinal, ordinal);
    }

    fn sample(&mut self) -> Result<(u64, u64, u64), ParseError> {
        if let Some([size, node_id, ordinal]) = self.cur.fast_record3(SAMPLE_KEYS) {
            return Ok((node_id, size, ordinal));
        }
        let start = self.cur.offset();
        self.cur.expect(b'{', "a sample object")?;
        let (mut node_id, mut size, mut ordinal) = (None, 0, 0);
        if self.cur.peek_token()? != b'}' {
            let mut seen = SeenKeys::new(SAMPLE_KEYS_READ);
            loop {
                let at = self.cur.key(&mut self.scratch)?;
                match seen.note(&self.scratch, at, self.cur.section)? {
                    Some(Key::NodeId) => node_id = Some(self.node_id("nodeId")?),
                    Some(Key::Size) => size = self.byte_count("size")?,
                    Some(Key::Ordinal) => ordinal = self.byte_count("ordinal")?,
                    _ => self.cur.skip_value(&mut self.scratch)?,
                }
                if !self.cur.comma_or(b'}')? {
                    break;
                }
            }
        } else {
            self.cur.bump();
        }
        let node_id = node_id.ok_or(ParseError::BadValue {
            section: "samples",
            field: "nodeId",
            offset: start,
            reason: "a sample has no `nodeId`".into(),
        })?;
        Ok((node_id, size, ordinal))
    }

    fn attribute(&mut self, node_id: u64, size: u64, ordinal: u64) {
        match self.nodes.get(node_id) {
            Some(stack) => self.b.push_sample(stack, size, ordinal),
            None => self.b.push_unattributed(node_id, size, ordinal),
        }
    }

    /// Resolves what the end of the input decides; `end` is the offset of
    /// the top level's closing `}`.
    fn finish(mut self, end: u64) -> Result<Parsed<HeapProfile>, ParseError> {
        if !self.saw_head {
            return Err(match self.keys.kind(true) {
                InputKind::OtherJson | InputKind::HeapProfile => ParseError::MissingKey {
                    what: "head",
                    offset: end,
                    hint: "a sampling heap profile has a `head` call tree; this JSON has none",
                },
                found => ParseError::WrongKind { found },
            });
        }
        let mut warnings = Vec::new();
        if self.numbered == Some(true) {
            if let Some(offset) = self.first_sample {
                return Err(ParseError::BadValue {
                    section: "samples",
                    field: "nodeId",
                    offset,
                    reason: "samples name node ids, but the nodes of `head` have none".into(),
                });
            }
            warnings.push(Warning::NodesWithoutIds);
        }
        for (node_id, size, ordinal) in std::mem::take(&mut self.deferred) {
            self.attribute(node_id, size, ordinal);
        }
        if self.legacy {
            self.b.meta_mut().legacy_positions = true;
            warnings.push(Warning::LegacyOneBasedPositions);
        }
        let profile = self.b.finish();
        if !profile.meta.has_samples {
            warnings.push(Warning::NoSamples);
        }
        let lost = (0..profile.frames.len())
            .filter(|&f| {
                let script = profile.strings.get(profile.frames.script_id[f]);
                script != "0"
                    && !script.is_empty()
                    && profile.strings.get(profile.frames.url[f]).is_empty()
            })
            .count() as u64;
        if lost > 0 {
            warnings.push(Warning::LostScriptInfo { frames: lost });
        }
        let un = &profile.unattributed;
        if !un.node_id.is_empty() {
            let distinct: FxHashSet<u64> = un.node_id.iter().copied().collect();
            warnings.push(Warning::SamplesWithoutNode {
                count: un.node_id.len() as u64,
                // Saturating: up to 2^53 each, so 2048 samples overflow u64.
                bytes: un.bytes.iter().fold(0u64, |a, &b| a.saturating_add(b)),
                distinct_nodes: distinct.len() as u64,
            });
        }
        Ok(Parsed {
            value: profile,
            warnings,
        })
    }

    // ---- typed values -------------------------------------------------

    fn bad(&self, field: &'static str, offset: u64, reason: String) -> ParseError {
        ParseError::BadValue {
            section: self.cur.section,
            field,
            offset,
            reason,
        }
    }

    /// A non-negative integer-valued number of bytes (or an ordinal).
    fn byte_count(&mut self, field: &'static str) -> Result<u64, ParseError> {
        let at = self.cur.offset();
        self.expect_number(field)?;
        match self.cur.number()? {
            Number::Unsigned(v) if v <= MAX_BYTES => Ok(v),
            Number::Unsigned(v) => Err(self.bad(field, at, format!("{v} is beyond 2^53 bytes"))),
            Number::Float(f) => {
                if f < 0.0 {
                    Err(self.bad(field, at, format!("negative value {}", short_float(f))))
                } else if f.fract() != 0.0 || !f.is_finite() {
                    Err(self.bad(
                        field,
                        at,
                        format!("{} is not a whole number", short_float(f)),
                    ))
                } else if f > MAX_BYTES as f64 {
                    Err(self.bad(
                        field,
                        at,
                        format!("{} is beyond 2^53 bytes", short_float(f)),
                    ))
                } else {
                    #[expect(clippy::cast_possible_truncation, reason = "whole, 0..=2^53 (above)")]
                    Ok(f as u64)
                }
            }
        }
    }

    fn node_id(&mut self, field: &'static str) -> Result<u64, ParseError> {
        self.byte_count(field)
    }

    /// A 0-based line or column; -1 for unknown.
    fn position(&mut self, field: &'static str) -> Result<i64, ParseError> {
        let at = self.cur.offset();
        self.expect_number(field)?;
        let too_large =
            |shown: &str| format!("{shown} is beyond the largest line number, {}", i32::MAX);
        match self.cur.number()? {
            Number::Unsigned(v) => i32::try_from(v)
                .map(i64::from)
                .map_err(|_| self.bad(field, at, too_large(&v.to_string()))),
            #[expect(
                clippy::cast_possible_truncation,
                reason = "whole, -1..=i32::MAX (guard)"
            )]
            Number::Float(f) if f.fract() == 0.0 && (-1.0..=f64::from(i32::MAX)).contains(&f) => {
                Ok(f as i64)
            }
            Number::Float(f) if f.fract() == 0.0 && f > f64::from(i32::MAX) => {
                Err(self.bad(field, at, too_large(&short_float(f))))
            }
            Number::Float(f) => {
                Err(self.bad(field, at, format!("{f} is not a line or column number")))
            }
        }
    }

    fn expect_number(&mut self, field: &'static str) -> Result<(), ParseError> {
        let b = self.cur.peek_token()?;
        if b.is_ascii_digit() || b == b'-' {
            Ok(())
        } else {
            let at = self.cur.offset();
            Err(self.bad(
                field,
                at,
                format!("expected a number, found {}", describe_token(b)),
            ))
        }
    }

    fn text(&mut self, field: &'static str, out: &mut Text) -> Result<(), ParseError> {
        let b = self.cur.peek_token()?;
        if b != b'"' {
            let at = self.cur.offset();
            return Err(self.bad(
                field,
                at,
                format!("expected a string, found {}", describe_token(b)),
            ));
        }
        self.cur.string(&mut self.scratch, "a string")?;
        out.start()
            .push_str(&String::from_utf8_lossy(&self.scratch));
        Ok(())
    }

    /// `scriptId` is a string of digits in CDP; accept a bare number too.
    fn script_id(&mut self, out: &mut Text) -> Result<(), ParseError> {
        if self.cur.peek_token()? == b'"' {
            return self.text("scriptId", out);
        }
        let shown = match self.cur.number()? {
            Number::Unsigned(v) => v.to_string(),
            Number::Float(f) => f.to_string(),
        };
        out.start().push_str(&shown);
        Ok(())
    }
}

/// `first` followed by `second`, built in the longer of the two, so that
/// the shorter is the one copied (or moved along). The shorter one's
/// memory goes back before the caller joins the next column.
fn joined<T: Copy>(mut first: Vec<T>, mut second: Vec<T>) -> Vec<T> {
    if first.len() >= second.len() {
        first.extend_from_slice(&second);
        return first;
    }
    second.splice(0..0, first);
    second
}

/// Calls `f(from, to)` over `0..len` in chunks of records taken between
/// two releases of their pages.
fn for_chunks(len: usize, mut f: impl FnMut(usize, usize)) {
    const CHUNK: usize = 1 << 16;
    let mut from = 0;
    while from < len {
        let to = (from + CHUNK).min(len);
        f(from, to);
        from = to;
    }
}

/// Converts a position to the model's 0-based `i32`, mapping anything
/// unknown or out of range to -1.
fn clamp_position(v: i64, shift: i64) -> i32 {
    if v < 0 {
        return -1;
    }
    i32::try_from(v - shift).unwrap_or(-1).max(-1)
}

/// A float for a one-line message: `1e300`, not three hundred digits.
fn short_float(f: f64) -> String {
    if f.abs() >= 1e15 {
        format!("{f:e}")
    } else {
        f.to_string()
    }
}

fn describe_token(b: u8) -> &'static str {
    match b {
        b'"' => "a string",
        b'{' => "an object",
        b'[' => "an array",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'0'..=b'9' | b'-' => "a number",
        _ => "something that is not a JSON value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per tree node: parent, name, url, line, column, self bytes,
    /// node id; then the samples as (stack, bytes, ordinal).
    type Shape = (
        Vec<(Option<u32>, String, String, i32, i32, u64, u64)>,
        Vec<(u32, u64, u64)>,
    );

    fn shape(p: &HeapProfile) -> Shape {
        let nodes = p
            .stacks
            .ids()
            .map(|s| {
                let f = p.stacks.frame[s.index()].index();
                (
                    p.stacks.parent(s).map(StackId::raw),
                    p.strings.get(p.frames.name[f]).to_string(),
                    p.strings.get(p.frames.url[f]).to_string(),
                    p.frames.line[f],
                    p.frames.column[f],
                    p.stacks.self_bytes[s.index()],
                    p.stacks.node_id[s.index()],
                )
            })
            .collect();
        let samples = (0..p.samples.len())
            .map(|i| {
                (
                    p.samples.stack[i].raw(),
                    p.samples.bytes[i],
                    p.samples.ordinal[i],
                )
            })
            .collect();
        (nodes, samples)
    }

    fn parse(text: &str) -> Result<Parsed<HeapProfile>, ParseError> {
        parse_heapprofile(text.as_bytes())
    }

    fn frame(name: &str, line: i32) -> String {
        format!(
            r#""callFrame": {{"functionName": "{name}", "scriptId": "10", "url": "file:///app.js", "lineNumber": {line}, "columnNumber": 2}}"#
        )
    }

    /// The reproducers' profile: `main` and a second function under the
    /// root, with `extra` spliced in at `{top}`, `{node}`, `{frame}` or
    /// `{sample}`.
    fn profile(second: &str, top: &str, node: &str, in_frame: &str) -> String {
        let root = r#""callFrame": {"functionName": "(root)", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1"#;
        format!(
            r#"{{"head": {{{root}{in_frame}}}, "selfSize": 0, "id": 1, "children": [{{{}, "selfSize": 1000, "id": 2, "children": []}}, {{{}, "selfSize": 2000, "id": 3, "children": []}}]{node}}}, "samples": [{{"size": 1000, "nodeId": 2, "ordinal": 1}}, {{"size": 2000, "nodeId": 3, "ordinal": 2}}]{top}}}"#,
            frame("main", 0),
            frame(second, 1)
        )
    }

    #[test]
    fn unknown_keys_anywhere_change_nothing() {
        let base = parse(&profile("alloc", "", "", "")).unwrap();
        assert!(base.warnings.is_empty());
        let expected = shape(&base.value);
        let top = [
            r#", "startTime": 1"#,
            r#", "endTime": 2"#,
            r#", "timeDeltas": []"#,
            r#", "nodes": []"#,
            r#", "nodes": [{"id": 1}], "startTime": 1, "timeDeltas": [3]"#,
            r#", "snapshot": {"meta": {}, "trace_function_count": 1}, "nodes": [1, 2]"#,
            r#", "snapshot": {"trace_function_count": "x"}"#,
            r#", "foo": 1"#,
        ];
        let node = [r#", "hitCount": 0"#, r#", "foo": [1, {"x": 2}]"#];
        let in_frame = [r#", "codeType": "JS""#];
        let variants = top
            .iter()
            .map(|t| profile("alloc", t, "", ""))
            .chain(node.iter().map(|n| profile("alloc", "", n, "")))
            .chain(in_frame.iter().map(|c| profile("alloc", "", "", c)));
        for text in variants {
            let parsed = parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(shape(&parsed.value), expected, "{text}");
            assert!(parsed.warnings.is_empty(), "{text}");
        }
    }

    #[test]
    fn functions_named_like_keys_are_just_names() {
        for name in ["snapshot", "head", "nodes", "startTime"] {
            let parsed = parse(&profile(name, "", "", "")).unwrap();
            let (nodes, _) = shape(&parsed.value);
            assert_eq!(nodes[2].1, name);
            assert_eq!(nodes[2].5, 2000);
        }
    }

    #[test]
    fn without_head_the_error_names_the_kind_the_keys_make() {
        let kind = |text: &str| match parse(text) {
            Err(ParseError::WrongKind { found }) => Some(found),
            _ => None,
        };
        assert_eq!(
            kind(r#"{"snapshot": {"meta": {}}, "nodes": [0], "strings": []}"#),
            Some(InputKind::HeapSnapshot)
        );
        assert_eq!(
            kind(r#"{"nodes": [{"id": 1}], "startTime": 1, "endTime": 2, "timeDeltas": []}"#),
            Some(InputKind::CpuProfile)
        );
        assert_eq!(
            kind(r#"{"profile": {"nodes": [], "startTime": 1, "timeDeltas": []}}"#),
            Some(InputKind::CpuProfile)
        );
        let text = r#"{"samples": [], "startTime": 1, "nodes": []} "#;
        let err = parse(text).unwrap_err();
        assert!(
            matches!(err, ParseError::MissingKey { offset: 43, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "no `head` found in the object that ends at byte 43: a sampling heap profile has a \
             `head` call tree; this JSON has none"
        );
    }

    /// Ids in any order, beyond the flat table's bound or not: each is
    /// found, none is taken twice, and the table holds them all once the
    /// tree is read if they fit its bound then.
    #[test]
    fn the_node_index_finds_every_id_and_refuses_repeats() {
        let mut index = NodeIndex::default();
        let ids = [5u64, 3, 100_000, 1, 2, 7_000];
        for (k, &id) in (0u32..).zip(&ids) {
            assert!(index.insert(id, StackId::new(k)));
        }
        assert!(!index.insert(100_000, StackId::new(9)));
        assert!(!index.insert(3, StackId::new(9)));
        for (k, &id) in (0u32..).zip(&ids) {
            assert_eq!(index.get(id), Some(StackId::new(k)));
        }
        assert_eq!(index.get(4), None);
        assert_eq!(index.get(u64::MAX), None);
        index.settle();
        assert!(index.all_dense().is_none());

        // A node created early (a large id) that closes first.
        let mut index = NodeIndex::default();
        assert!(index.insert(2_000, StackId::new(0)));
        for i in 1..=300u32 {
            assert!(index.insert(u64::from(i), StackId::new(i)));
        }
        assert!(index.all_dense().is_none());
        index.settle();
        let dense = index.all_dense().unwrap();
        assert_eq!(dense[2_000], 0);
        assert_eq!(index.get(2_000), Some(StackId::new(0)));
        assert!(!index.insert(2_000, StackId::new(1)));
    }

    /// The same tree as `profile("alloc", …)` with a child under `main`, in
    /// the old format: no `id` on any node, no `samples`.
    const OLD: &str = r#"{"head": {"callFrame": {"functionName": "(root)", "scriptId": "0", "url": "", "lineNumber": -1, "columnNumber": -1}, "selfSize": 0, "children": [
        {"callFrame": {"functionName": "main", "scriptId": "10", "url": "file:///app.js", "lineNumber": 0, "columnNumber": 2}, "selfSize": 1000, "children": [
            {"callFrame": {"functionName": "inner", "scriptId": "10", "url": "file:///app.js", "lineNumber": 5, "columnNumber": 2}, "selfSize": 300, "children": []}]},
        {"callFrame": {"functionName": "alloc", "scriptId": "10", "url": "file:///app.js", "lineNumber": 1, "columnNumber": 2}, "selfSize": 2000, "children": []}]}}"#;

    #[test]
    fn nodes_without_ids_are_numbered_in_tree_order() {
        let parsed = parse(OLD).unwrap();
        let (nodes, samples) = shape(&parsed.value);
        let ids: Vec<(&str, u64, u64)> = nodes.iter().map(|n| (n.1.as_str(), n.5, n.6)).collect();
        assert_eq!(
            ids,
            [
                ("(root)", 0, 1),
                ("main", 1000, 2),
                ("inner", 300, 3),
                ("alloc", 2000, 4)
            ]
        );
        assert!(samples.is_empty());
        assert_eq!(
            parsed.warnings,
            [Warning::NodesWithoutIds, Warning::NoSamples]
        );
        assert_eq!(
            parsed.warnings[0].to_string(),
            "the call tree's nodes have no ids (an old profile format); they were numbered in \
             tree order"
        );
    }

    #[test]
    fn ids_on_some_nodes_only_are_an_error() {
        // `inner` closes first, with an id; then `main`, without one.
        let some = OLD.replacen(r#""selfSize": 300,"#, r#""selfSize": 300, "id": 7,"#, 1);
        let err = parse(&some).unwrap_err();
        let main_end = some.find("}]},").unwrap() as u64 + 3;
        assert_eq!(
            err.to_string(),
            format!(
                "bad value for `id` in `head` at byte {main_end}: this node has no `id`, but \
                 others have one"
            )
        );
        // Only the root, the last node to close, has one.
        let root_only = OLD.replacen(r#""selfSize": 0,"#, r#""selfSize": 0, "id": 1,"#, 1);
        let err = parse(&root_only).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "bad value for `id` in `head` at byte {}: this node has an `id`, but others \
                 have none",
                root_only.len() - 1
            )
        );
    }

    #[test]
    fn samples_need_node_ids() {
        let text = format!(
            r#"{}, "samples": [{{"size": 5, "nodeId": 2, "ordinal": 1}}]}}"#,
            &OLD[..OLD.len() - 1]
        );
        let err = parse(&text).unwrap_err();
        let at = text.find(r#"{"size""#).unwrap() as u64;
        assert_eq!(
            err.to_string(),
            format!(
                "bad value for `nodeId` in `samples` at byte {at}: samples name node ids, but \
                 the nodes of `head` have none"
            )
        );
        // An empty array is no contradiction.
        let empty = format!(r#"{}, "samples": []}}"#, &OLD[..OLD.len() - 1]);
        let parsed = parse(&empty).unwrap();
        assert_eq!(parsed.warnings, [Warning::NodesWithoutIds]);
    }

    #[test]
    fn errors_show_control_characters_escaped() {
        // A backslash followed by a raw ESC: an unknown escape.
        let text = profile("ma\\\u{1b}[2Jin", "", "", "");
        let msg = parse(&text).unwrap_err().to_string();
        assert!(
            msg.ends_with("unknown escape `\\` followed by byte 0x1b in a string"),
            "{msg}"
        );
        // A raw C1 byte after the backslash (not UTF-8).
        let mut bytes = profile("ma__in", "", "", "").into_bytes();
        let at = bytes.windows(2).position(|w| w == b"__").unwrap();
        bytes[at..at + 2].copy_from_slice(b"\\\x9b");
        let msg = parse_heapprofile(&bytes[..]).unwrap_err().to_string();
        assert!(msg.ends_with("followed by byte 0x9b in a string"), "{msg}");
        assert!(!msg.contains('\u{9b}'));
    }

    /// Every structural error of a heap profile names a byte offset inside
    /// the input.
    #[test]
    fn structural_errors_name_a_byte_offset() {
        let good = profile("alloc", "", "", "");
        let cases = [
            r#"{"head": 5}"#.to_string(),
            r#"{"head": {"selfSize": 1, "id": 1}, "head": {}}"#.to_string(),
            r#"{"head": {"id": 1, "children": [5]}}"#.to_string(),
            r#"{"head": {"id": 1, "children": {}}}"#.to_string(),
            r#"{"head": {"id": 1, "callFrame": []}}"#.to_string(),
            r#"{"head": {"id": 1, "selfSize": -3}}"#.to_string(),
            r#"{"head": {"id": 1.5}}"#.to_string(),
            r#"{"head": {"id": 1, "callFrame": {"lineNumber": "x"}}}"#.to_string(),
            r#"{"head": {"id": 1, "children": [{"id": 1}]}}"#.to_string(),
            r#"{"head": {"id": 1}, "samples": 5}"#.to_string(),
            r#"{"head": {"id": 1}, "samples": [{"size": 1}]}"#.to_string(),
            r#"{"head": {"id": 1}, "samples": [{"nodeId": 1, "size": 1e300}]}"#.to_string(),
            r#"{"head": {"id": 1}} {}"#.to_string(),
            r#"{"samples": []}"#.to_string(),
            r#"{"head": {"id": 1}, "x": [1, 2"#.to_string(),
            good[..good.len() / 2].to_string(),
            good.replacen(": 2000,", ": 2000 2,", 1),
            good.replacen("\"nodeId\"", "nodeId", 1),
        ];
        for text in cases {
            let err = parse(&text).expect_err(&text);
            let msg = err.to_string();
            let offset: u64 = msg
                .split("byte ")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no byte offset in `{msg}` for {text}"));
            assert!(offset <= text.len() as u64, "{msg} for {text}");
        }
    }

    /// A file cut anywhere is reported as truncated where it ends, and its
    /// prefix is told a heap profile as soon as `head` has begun.
    #[test]
    fn every_cut_is_truncated_at_its_length() {
        let good = profile("alloc", r#", "nodes": [], "startTime": 1"#, "", "");
        let head_at = good.find('{').unwrap() + r#"{"head": {"#.len();
        for len in 1..good.len() {
            let cut = &good.as_bytes()[..len];
            match parse_heapprofile(cut) {
                Err(ParseError::Truncated { offset, .. }) => assert_eq!(offset, len as u64),
                other => panic!("cut at {len}: {other:?}"),
            }
            let kind = crate::detect(cut);
            if len >= head_at {
                assert_eq!(kind, InputKind::HeapProfile, "cut at {len}");
            } else {
                assert_eq!(kind, InputKind::OtherJson, "cut at {len}");
            }
        }
    }
}

#[cfg(test)]
mod strict_json_tests {
    use std::io::Read as _;

    use super::*;

    fn error(text: &str) -> String {
        match parse_heapprofile(text.as_bytes()) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e.to_string(),
        }
    }

    /// A valid profile with compact samples, long enough for the fast path
    /// of sample records.
    fn compact(head_extra: &str, sample: &str) -> String {
        format!(
            r#"{{"head":{{"callFrame":{{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1}},"selfSize":0,"id":1{head_extra},"children":[]}},"samples":[{sample},{{"size":8,"nodeId":1,"ordinal":2}}],"padding":"{}"}}"#,
            "x".repeat(200)
        )
    }

    #[test]
    fn the_compact_profile_is_valid() {
        let text = compact("", r#"{"size":16,"nodeId":1,"ordinal":1}"#);
        let parsed = parse_heapprofile(text.as_bytes()).unwrap();
        assert_eq!(parsed.value.samples.bytes, [16, 8]);
    }

    #[test]
    fn a_repeated_key_is_an_error_in_every_object() {
        let cases = [
            (
                compact("", r#"{"size":16,"nodeId":1,"ordinal":1}"#).replacen(
                    r#""samples":["#,
                    r#""samples":[],"samples":["#,
                    1,
                ),
                "samples",
                r#""samples":[{"#,
            ),
            (
                compact(r#","selfSize":5"#, r#"{"size":1,"nodeId":1,"ordinal":1}"#),
                "selfSize",
                r#""selfSize":5"#,
            ),
            (
                compact(r#","id":9"#, r#"{"size":1,"nodeId":1,"ordinal":1}"#),
                "id",
                r#""id":9"#,
            ),
            (
                compact(r#","children":[]"#, r#"{"size":1,"nodeId":1,"ordinal":1}"#),
                "children",
                r#""children":[]}"#,
            ),
            (
                compact(
                    r#","url":"a","url":"b""#,
                    r#"{"size":1,"nodeId":1,"ordinal":1}"#,
                ),
                "url",
                r#""url":"b""#,
            ),
            (
                compact("", r#"{"size":1,"nodeId":1,"ordinal":1}"#).replacen(
                    r#""url":"""#,
                    r#""url":"","u\u0072l":"x""#,
                    1,
                ),
                "url",
                r#""u\u0072l""#,
            ),
            (
                compact("", r#"{"size":1, "nodeId":1,"size":2}"#),
                "size",
                r#""size":2"#,
            ),
        ];
        for (text, key, at) in cases {
            let offset = text.find(at).unwrap();
            assert_eq!(
                error(&text),
                format!(
                    "invalid JSON in `{}` at byte {offset}: duplicate key `{key}` in one object",
                    match key {
                        "samples" => "top level",
                        "size" => "samples",
                        _ => "head",
                    }
                ),
                "{text}"
            );
        }
        // Unknown keys may repeat; the same key in two objects is no repeat.
        let text = compact(
            r#","x":1,"x":2"#,
            r#"{"size":1,"nodeId":1,"ordinal":1,"y":1,"y":1}"#,
        );
        let text = text.replacen(r#""selfSize":0"#, r#""selfSize":0,"url":"n""#, 1);
        parse_heapprofile(text.as_bytes()).unwrap();
    }

    #[test]
    fn raw_control_characters_in_strings_are_errors() {
        for (raw, shown) in [
            ("\u{0}", "0x00"),
            ("\u{1b}", "0x1b"),
            ("\n", "0x0a"),
            ("\u{1f}", "0x1f"),
        ] {
            let text = compact("", r#"{"size":1,"nodeId":1,"ordinal":1}"#).replacen(
                "(root)",
                &format!("(ro{raw}ot)"),
                1,
            );
            let offset = text.find(raw).unwrap();
            assert_eq!(
                error(&text),
                format!(
                    "invalid JSON in `head` at byte {offset}: raw control character {shown} in a \
                     string (JSON allows it only escaped)"
                )
            );
        }
        // In a key, and in the value of an unknown key.
        let text = compact("", r#"{"size":1,"nodeId":1,"ordinal":1}"#);
        for (from, to) in [
            (r#""id""#, "\"i\u{7}d\""),
            (r#""padding":"x"#, "\"padding\":\"\u{7}"),
        ] {
            let bad = text.replacen(from, to, 1);
            let msg = error(&bad);
            assert!(msg.contains("raw control character 0x07"), "{msg}");
        }
    }

    #[test]
    fn a_string_beyond_the_bound_is_an_error_where_it_begins() {
        let head = br#"{"head":{"callFrame":{"functionName":""#;
        let long = std::io::repeat(b'a').take(crate::cursor::MAX_STRING as u64 + 1);
        let err = parse_heapprofile((&head[..]).chain(long)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid JSON in `head` at byte {}: the string that begins here is longer than \
                 64 MiB",
                head.len() - 1
            )
        );
        // Exactly at the bound is accepted.
        let mut text = head.to_vec();
        text.resize(text.len() + crate::cursor::MAX_STRING, b'a');
        text.extend_from_slice(br#""},"id":1}}"#);
        parse_heapprofile(&text[..]).unwrap();
    }

    #[test]
    fn leading_zeros_are_errors() {
        let sample = r#"{"size":16,"nodeId":1,"ordinal":1}"#;
        let cases = [
            compact("", r#"{"size":01,"nodeId":1,"ordinal":1}"#),
            compact("", r#"{"size":1, "nodeId":007,"ordinal":1}"#),
            compact(r#","x":-01"#, sample),
            compact(r#","x":00.5"#, sample),
            compact("", sample).replacen(r#""lineNumber":-1"#, r#""lineNumber":-01"#, 1),
            compact("", sample).replacen(r#""selfSize":0"#, r#""selfSize":00"#, 1),
        ];
        for text in cases {
            let at = text
                .as_bytes()
                .windows(2)
                .position(|w| w[0] == b'0' && w[1].is_ascii_digit())
                .unwrap();
            let at = if text.as_bytes()[at - 1] == b'-' {
                at - 1
            } else {
                at
            };
            let msg = error(&text);
            assert!(
                msg.ends_with(&format!("at byte {at}: malformed number: a leading zero")),
                "{msg} for {text}"
            );
        }
        // A plain zero, and zero before a fraction, are fine.
        let text = compact(
            r#","x":0,"y":-0.5,"z":0e3"#,
            r#"{"size":0,"nodeId":1,"ordinal":0}"#,
        );
        parse_heapprofile(text.as_bytes()).unwrap();
    }

    #[test]
    fn positions_beyond_i32_are_errors() {
        let sample = r#"{"size":16,"nodeId":1,"ordinal":1}"#;
        for (from, to) in [
            (r#""lineNumber":-1"#, r#""lineNumber":2147483648"#),
            (r#""columnNumber":-1"#, r#""columnNumber":99999999999"#),
            (r#""columnNumber":-1"#, r#""columnNumber":3e9"#),
        ] {
            let text = compact("", sample).replacen(from, to, 1);
            let at = text.find(to).unwrap() + to.find(':').unwrap() + 1;
            let msg = error(&text);
            assert!(
                msg.contains(&format!("at byte {at}: "))
                    && msg.ends_with("is beyond the largest line number, 2147483647"),
                "{msg}"
            );
        }
        let text =
            compact("", sample).replacen(r#""lineNumber":-1"#, r#""lineNumber":2147483647"#, 1);
        parse_heapprofile(text.as_bytes()).unwrap();
    }
}
