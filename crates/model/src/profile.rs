//! The call tree of a sampling heap profile, as three column tables.
//!
//! * [`FrameTable`]: one row per distinct function, interned on DevTools'
//!   `callUID` key (name, script id, line, column; formats §4.1), so two tree
//!   nodes with the same `FrameId` are merged by the Heavy view.
//! * [`StackTable`]: one row per node of V8's tree, unmerged, exactly as the
//!   file has it. Rows are numbered in pre-order, so every parent comes before
//!   its children (`parent < child`) and the subtree of row `s` is the
//!   contiguous range `s..s + subtree_len`. Cumulative sizes are therefore a
//!   single reverse loop, with no recursion on deep trees.
//! * [`SampleTable`]: the individual samples with their ordinals, needed for
//!   ordinal ranges (formats §4.6). Samples whose `nodeId` is not in the tree
//!   are kept apart in [`UnattributedSamples`] rather than dropped.

use rustc_hash::FxHashMap;

use crate::{FrameId, StackId, StringId, StringTable};

/// The fields that identify a function, borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameKey<'a> {
    /// `functionName`; `""` for anonymous functions.
    pub name: &'a str,
    /// `scriptId`, a string of digits; `"0"` for pseudo frames.
    pub script_id: &'a str,
    /// `url`; `""` when unknown.
    pub url: &'a str,
    /// 0-based line, -1 when unknown.
    pub line: i32,
    /// 0-based column, -1 when unknown.
    pub column: i32,
}

impl<'a> FrameKey<'a> {
    /// A V8 pseudo frame such as `(root)` or `(V8 API)`: script `"0"`, no
    /// URL, no position.
    #[must_use]
    pub fn pseudo(name: &'a str) -> Self {
        Self {
            name,
            script_id: "0",
            url: "",
            line: -1,
            column: -1,
        }
    }
}

/// Distinct functions, as columns.
#[derive(Clone, Debug, Default)]
pub struct FrameTable {
    /// `functionName` of each frame.
    pub name: Vec<StringId>,
    /// `scriptId` of each frame (kept as text: it is an opaque id).
    pub script_id: Vec<StringId>,
    /// `url` of each frame (of the first tree node seen with this key).
    pub url: Vec<StringId>,
    /// 0-based line, -1 when unknown.
    pub line: Vec<i32>,
    /// 0-based column, -1 when unknown.
    pub column: Vec<i32>,
    /// Where each frame was in the generated code, for frames a source map
    /// moved to their original source; empty when no map applied.
    pub generated: Vec<Option<GeneratedFrame>>,
}

/// A frame's name and position in the generated (bundled, minified) code,
/// kept when a source map gave it its original ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratedFrame {
    /// `functionName` as V8 wrote it.
    pub name: StringId,
    /// URL of the generated script.
    pub url: StringId,
    /// 0-based line in the generated script.
    pub line: i32,
    /// 0-based column in the generated script.
    pub column: i32,
}

impl FrameTable {
    /// The generated position of a frame a source map moved, `None` for a
    /// frame shown where V8 saw it.
    #[must_use]
    pub fn generated(&self, f: FrameId) -> Option<GeneratedFrame> {
        self.generated.get(f.index()).copied().flatten()
    }

    /// Number of frames.
    #[must_use]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when there are no frames.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

/// Nodes of the call tree, in pre-order, as columns.
#[derive(Clone, Debug, Default)]
pub struct StackTable {
    /// Parent row; `u32::MAX` for the root.
    parent: Vec<u32>,
    /// The function of each node.
    pub frame: Vec<FrameId>,
    /// `selfSize` of each node, in bytes.
    pub self_bytes: Vec<u64>,
    /// V8's node `id`, which samples refer to.
    pub node_id: Vec<u64>,
}

impl StackTable {
    const NO_PARENT: u32 = u32::MAX;

    /// Number of nodes, root included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// True when the table has no rows (never the case for a parsed profile).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// The parent of `s`, `None` for the root.
    #[must_use]
    pub fn parent(&self, s: StackId) -> Option<StackId> {
        match self.parent[s.index()] {
            Self::NO_PARENT => None,
            p => Some(StackId::new(p)),
        }
    }

    /// All stack ids in pre-order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = StackId> + ExactSizeIterator {
        (0..self.len()).map(StackId::from_index)
    }

    /// The raw parent column (`u32::MAX` for the root), for tight loops.
    #[must_use]
    pub fn parent_column(&self) -> &[u32] {
        &self.parent
    }
}

/// Samples attributed to a node of the tree.
#[derive(Clone, Debug, Default)]
pub struct SampleTable {
    /// The node that allocated the sampled object.
    pub stack: Vec<StackId>,
    /// Bytes credited to the sample (`size`).
    pub bytes: Vec<u64>,
    /// V8's running sample number: orders samples in allocation time.
    pub ordinal: Vec<u64>,
}

impl SampleTable {
    /// Number of samples.
    #[must_use]
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// True when there are no samples.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }
}

/// Samples whose `nodeId` matches no node of the tree (formats §3.5.1).
/// DevTools drops them; heapdiff reports them.
#[derive(Clone, Debug, Default)]
pub struct UnattributedSamples {
    /// The missing node ids.
    pub node_id: Vec<u64>,
    /// Bytes of each sample.
    pub bytes: Vec<u64>,
    /// Ordinal of each sample.
    pub ordinal: Vec<u64>,
}

/// Facts about the input that are not part of the tree.
#[derive(Clone, Debug, Default)]
pub struct ProfileMeta {
    /// The profile came wrapped as `{"profile": …}` (a raw CDP result).
    pub wrapped: bool,
    /// The file had a `samples` array.
    pub has_samples: bool,
    /// Nodes used the legacy layout (no `callFrame`, 1-based positions).
    pub legacy_positions: bool,
}

/// A sampling heap profile (`.heapprofile`).
#[derive(Clone, Debug, Default)]
pub struct HeapProfile {
    /// All names, URLs and script ids.
    pub strings: StringTable,
    /// Distinct functions.
    pub frames: FrameTable,
    /// The call tree; row 0 is `(root)`.
    pub stacks: StackTable,
    /// Samples attributed to tree nodes.
    pub samples: SampleTable,
    /// Samples pointing at nodes missing from the tree.
    pub unattributed: UnattributedSamples,
    /// Input facts.
    pub meta: ProfileMeta,
}

impl HeapProfile {
    /// The display-independent name of a frame (`""` for anonymous).
    #[must_use]
    pub fn frame_name(&self, f: FrameId) -> &str {
        self.strings.get(self.frames.name[f.index()])
    }

    /// The URL of a frame (`""` when unknown).
    #[must_use]
    pub fn frame_url(&self, f: FrameId) -> &str {
        self.strings.get(self.frames.url[f.index()])
    }
}

/// Builds a [`HeapProfile`] in pre-order: a node is opened before its
/// children and closed (given its frame and size) after them, which allows
/// `callFrame` to follow `children` in re-serialized files.
#[derive(Debug, Default)]
pub struct ProfileBuilder {
    profile: HeapProfile,
    frame_lookup: FxHashMap<(StringId, StringId, i32, i32), FrameId>,
}

impl ProfileBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens a new tree node under `parent` (`None` for the root) and returns
    /// its id. Its frame and size are set by [`Self::close_stack`].
    ///
    /// # Panics
    /// With more than `u32::MAX - 1` nodes; the parser checks this first.
    pub fn open_stack(&mut self, parent: Option<StackId>) -> StackId {
        let stacks = &mut self.profile.stacks;
        let id =
            StackId::new(u32::try_from(stacks.len()).expect("invariant: parser limits node count"));
        stacks
            .parent
            .push(parent.map_or(StackTable::NO_PARENT, StackId::raw));
        stacks.frame.push(FrameId::new(0));
        stacks.self_bytes.push(0);
        stacks.node_id.push(0);
        id
    }

    /// Sets the frame, self size and V8 id of a node opened earlier.
    pub fn close_stack(&mut self, id: StackId, frame: FrameKey<'_>, self_bytes: u64, node_id: u64) {
        let frame = self.intern_frame(frame);
        let stacks = &mut self.profile.stacks;
        stacks.frame[id.index()] = frame;
        stacks.self_bytes[id.index()] = self_bytes;
        stacks.node_id[id.index()] = node_id;
    }

    /// Opens and closes a leaf-or-parent node in one call (for tests and
    /// builders that know the frame up front).
    pub fn push_stack(
        &mut self,
        parent: Option<StackId>,
        frame: FrameKey<'_>,
        self_bytes: u64,
        node_id: u64,
    ) -> StackId {
        let id = self.open_stack(parent);
        self.close_stack(id, frame, self_bytes, node_id);
        id
    }

    /// [`Self::push_stack`] with a frame interned before
    /// ([`Self::intern_frame`]): for builders that put many nodes on one
    /// frame.
    pub fn push_stack_on(
        &mut self,
        parent: Option<StackId>,
        frame: FrameId,
        self_bytes: u64,
        node_id: u64,
    ) -> StackId {
        let id = self.open_stack(parent);
        let stacks = &mut self.profile.stacks;
        stacks.frame[id.index()] = frame;
        stacks.self_bytes[id.index()] = self_bytes;
        stacks.node_id[id.index()] = node_id;
        id
    }

    /// Number of nodes opened so far.
    #[must_use]
    pub fn n_stacks(&self) -> usize {
        self.profile.stacks.len()
    }

    /// Records a sample attributed to a node.
    pub fn push_sample(&mut self, stack: StackId, bytes: u64, ordinal: u64) {
        let s = &mut self.profile.samples;
        s.stack.push(stack);
        s.bytes.push(bytes);
        s.ordinal.push(ordinal);
    }

    /// The samples recorded so far, for a parser that adds many at once
    /// (columns read on another thread) rather than one by one.
    pub fn samples_mut(&mut self) -> &mut SampleTable {
        &mut self.profile.samples
    }

    /// Records a sample whose node is missing from the tree.
    pub fn push_unattributed(&mut self, node_id: u64, bytes: u64, ordinal: u64) {
        let u = &mut self.profile.unattributed;
        u.node_id.push(node_id);
        u.bytes.push(bytes);
        u.ordinal.push(ordinal);
    }

    /// Input facts, to be filled by the parser.
    pub fn meta_mut(&mut self) -> &mut ProfileMeta {
        &mut self.profile.meta
    }

    /// V8 node ids of the nodes built so far, by stack id.
    #[must_use]
    pub fn node_ids(&self) -> &[u64] {
        &self.profile.stacks.node_id
    }

    /// Finishes the profile.
    #[must_use]
    pub fn finish(self) -> HeapProfile {
        self.profile
    }

    /// The frame of `key`, added to the frame table if it is new.
    pub fn intern_frame(&mut self, key: FrameKey<'_>) -> FrameId {
        let strings = &mut self.profile.strings;
        let name = strings.intern(key.name);
        let script = strings.intern(key.script_id);
        let lookup_key = (name, script, key.line, key.column);
        if let Some(&f) = self.frame_lookup.get(&lookup_key) {
            return f;
        }
        let url = strings.intern(key.url);
        let frames = &mut self.profile.frames;
        let id = FrameId::from_index(frames.len());
        frames.name.push(name);
        frames.script_id.push(script);
        frames.url.push(url);
        frames.line.push(key.line);
        frames.column.push(key.column);
        self.frame_lookup.insert(lookup_key, id);
        id
    }
}
