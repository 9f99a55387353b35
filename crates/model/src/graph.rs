//! The object graph of a heap snapshot (`.heapsnapshot`, `.heaptimeline`),
//! as columns (formats §5).
//!
//! * Nodes are identified by their **ordinal** (`u32` position). V8's
//!   object id (`id` column) is the only identity valid across snapshots.
//! * Edges are stored in CSR form: the edges of node `v` are
//!   `first_edge[v]..first_edge[v + 1]`, in file order. `to` holds target
//!   ordinals (the parser divides V8's node indices by the field count).
//! * Strings keep V8's indices (edges and nodes refer to them by position),
//!   so they are an arena without de-duplication.

/// Strings of a snapshot, by V8 string index.
#[derive(Clone, Debug, Default)]
pub struct SnapshotStrings {
    text: String,
    starts: Vec<u64>,
}

impl SnapshotStrings {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self {
            text: String::new(),
            starts: vec![0],
        }
    }

    /// Appends a string; its index is the previous length.
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.starts.push(self.text.len() as u64);
    }

    /// The string at `index`; `""` when out of range (a corrupt reference
    /// is reported by validation, not by a panic here).
    #[must_use]
    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        if i + 1 >= self.starts.len() {
            return "";
        }
        #[allow(clippy::cast_possible_truncation)]
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        &self.text[a..b]
    }

    /// Number of strings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no strings.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Node columns.
#[derive(Clone, Debug, Default)]
pub struct NodeColumns {
    /// Index into [`HeapGraph::node_types`].
    pub kind: Vec<u8>,
    /// String index of the name.
    pub name: Vec<u32>,
    /// V8's heap object id; its low 32 bits when [`Self::id_high`] is not
    /// empty. Read ids through [`Self::id`].
    pub id: Vec<u32>,
    /// The high 32 bits of every id, when some id does not fit 32 bits
    /// (snapshots in V8's format written by other runtimes, up to 2^53);
    /// empty otherwise, so V8's own snapshots keep 4 bytes per id.
    pub id_high: Vec<u32>,
    /// Shallow size in bytes, as V8 wrote it.
    pub self_size: Vec<u64>,
    /// Allocation trace node id (empty when the column is absent).
    pub trace_node: Vec<u32>,
    /// 0 unknown, 1 attached, 2 detached (empty when the column is absent).
    pub detachedness: Vec<u8>,
}

impl NodeColumns {
    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// True when there are no nodes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// The object id of node `v`.
    #[inline]
    #[must_use]
    pub fn id(&self, v: usize) -> u64 {
        let low = u64::from(self.id[v]);
        match self.id_high.get(v) {
            Some(&high) => (u64::from(high) << 32) | low,
            None => low,
        }
    }

    /// The node whose object id is `id`, if any (a linear search).
    #[must_use]
    pub fn with_id(&self, id: u64) -> Option<usize> {
        if self.id_high.is_empty() {
            let id = u32::try_from(id).ok()?;
            return self.id.iter().position(|&x| x == id);
        }
        (0..self.len()).find(|&v| self.id(v) == id)
    }
}

/// Edge columns, grouped by source node.
#[derive(Clone, Debug, Default)]
pub struct EdgeColumns {
    /// Index into [`HeapGraph::edge_types`].
    pub kind: Vec<u8>,
    /// String index, or the numeric index for `element` and `hidden` edges.
    pub name_or_index: Vec<u32>,
    /// Target node ordinal.
    pub to: Vec<u32>,
}

impl EdgeColumns {
    /// Number of edges.
    #[must_use]
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// True when there are no edges.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}

/// A source location of an object (formats §5.7), 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
}

/// One function of the allocation trace (formats §5.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFunction {
    /// Function name string index.
    pub name: u32,
    /// Script name string index.
    pub script_name: u32,
    /// Script id.
    pub script_id: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

/// The allocation trace tree, parent-first (formats §5.8).
#[derive(Clone, Debug, Default)]
pub struct AllocationTrace {
    /// Functions, by function info index.
    pub functions: Vec<TraceFunction>,
    /// Trace node id of each trace node.
    pub id: Vec<u32>,
    /// Function info index of each trace node.
    pub function: Vec<u32>,
    /// Allocations made at exactly this stack (dead included).
    pub count: Vec<u64>,
    /// Bytes allocated at exactly this stack (dead included).
    pub size: Vec<u64>,
    /// Parent trace node position; `u32::MAX` for the root.
    pub parent: Vec<u32>,
}

/// Header facts.
#[derive(Clone, Debug, Default)]
pub struct SnapshotMeta {
    /// `node_count` of the header.
    pub node_count: u64,
    /// `edge_count` of the header.
    pub edge_count: u64,
    /// `trace_function_count` of the header.
    pub trace_function_count: u64,
    /// `extra_native_bytes` (newer Chromium), 0 when absent.
    pub extra_native_bytes: u64,
}

/// A heap snapshot.
#[derive(Clone, Debug, Default)]
pub struct HeapGraph {
    /// Strings by V8 index.
    pub strings: SnapshotStrings,
    /// Node type names (`meta.node_types[0]`).
    pub node_types: Vec<String>,
    /// Edge type names (`meta.edge_types[0]`).
    pub edge_types: Vec<String>,
    /// Nodes.
    pub nodes: NodeColumns,
    /// CSR offsets into the edge columns, `len = nodes + 1`.
    pub first_edge: Vec<u32>,
    /// Edges.
    pub edges: EdgeColumns,
    /// Object locations, sorted by node ordinal, one per node.
    pub locations: Vec<(u32, Location)>,
    /// Timeline samples: (timestamp in µs, last assigned id).
    pub samples: Vec<(u64, u32)>,
    /// Allocation trace, when the snapshot was taken while tracking.
    pub trace: Option<AllocationTrace>,
    /// Header facts.
    pub meta: SnapshotMeta,
}

impl HeapGraph {
    /// Number of nodes.
    #[must_use]
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The edges of node `v` as a range of edge positions.
    #[must_use]
    pub fn edge_range(&self, v: u32) -> std::ops::Range<usize> {
        self.first_edge[v as usize] as usize..self.first_edge[v as usize + 1] as usize
    }

    /// The type name of node `v`.
    #[must_use]
    pub fn node_type(&self, v: u32) -> &str {
        self.node_types
            .get(self.nodes.kind[v as usize] as usize)
            .map_or("", String::as_str)
    }

    /// The raw name of node `v`.
    #[must_use]
    pub fn node_name(&self, v: u32) -> &str {
        self.strings.get(self.nodes.name[v as usize])
    }

    /// Index of a node type name, if the snapshot has it.
    #[must_use]
    pub fn node_type_index(&self, name: &str) -> Option<u8> {
        self.node_types
            .iter()
            .position(|t| t == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// Index of an edge type name, if the snapshot has it.
    #[must_use]
    pub fn edge_type_index(&self, name: &str) -> Option<u8> {
        self.edge_types
            .iter()
            .position(|t| t == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The location of node `v`, if any.
    #[must_use]
    pub fn location(&self, v: u32) -> Option<Location> {
        self.locations
            .binary_search_by_key(&v, |&(n, _)| n)
            .ok()
            .map(|i| self.locations[i].1)
    }
}
