//! The object graph of a heap snapshot (`.heapsnapshot`, `.heaptimeline`),
//! as columns (formats §5).
//!
//! * Nodes are identified by their **ordinal** ([`NodeOrdinal`]). V8's
//!   object id ([`ObjectId`]) is the only identity valid across snapshots.
//! * Edges are stored in CSR form: the edges of node `v` are
//!   [`HeapGraph::edge_range`]`(v)`, in file order, each an
//!   [`EdgePosition`]. Targets are ordinals (the parser divides V8's node
//!   indices by the field count).
//! * Strings keep V8's indices ([`SnapshotStringId`]; edges and nodes refer
//!   to them by position), so they are an arena without de-duplication.
//!
//! The columns are read through methods, as typed slices: a slice of
//! indices is laid out as a slice of `u32`s, so the hot loops of the
//! analysis read them at the same speed.

use crate::cast::{to_u32, to_usize};
use crate::ids::{EdgePosition, NodeOrdinal, ObjectId, SnapshotStringId};
use crate::sizes::Sizes;

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

    /// Appends a string and returns its index (for names a source map
    /// gave, added after V8's own).
    pub fn add(&mut self, s: &str) -> SnapshotStringId {
        let id = SnapshotStringId::new(to_u32(self.len()));
        self.push(s);
        id
    }

    /// The string at `index`; `""` when out of range (a corrupt reference
    /// is reported by validation, not by a panic here).
    #[must_use]
    pub fn get(&self, index: SnapshotStringId) -> &str {
        let i = index.index();
        if i + 1 >= self.starts.len() {
            return "";
        }
        let (a, b) = (to_usize(self.starts[i]), to_usize(self.starts[i + 1]));
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

    /// Every string index, in order.
    pub fn ids(&self) -> impl Iterator<Item = SnapshotStringId> + use<> {
        (0..to_u32(self.len())).map(SnapshotStringId::new)
    }
}

/// The accessors of the columns of [`NodeColumns`] and [`EdgeColumns`]: for
/// each, the whole column as a slice and, where a name for it is given, the
/// entry at one position. They are `#[inline]` reads, the same code as
/// written out: the analysis reads them in its hot loops.
macro_rules! columns {
    ($(
        $(#[$doc:meta])*
        $all:ident $(, $one:ident($at:ident: $at_ty:ty))? -> $t:ty = $field:ident;
    )*) => {
        $(
            $(#[$doc])*
            #[inline]
            #[must_use]
            pub fn $all(&self) -> &[$t] {
                &self.$field
            }

            $(
                #[doc = concat!(
                    "The entry of [`", stringify!($all), "`](Self::", stringify!($all), ") at `",
                    stringify!($at), "`."
                )]
                #[inline]
                #[must_use]
                pub fn $one(&self, $at: $at_ty) -> $t {
                    self.$field[$at.index()]
                }
            )?
        )*
    };
}

/// Node columns, one entry per node, by ordinal.
#[derive(Clone, Debug, Default)]
pub struct NodeColumns {
    kind: Vec<u8>,
    name: Vec<SnapshotStringId>,
    id: Vec<u32>,
    id_high: Vec<u32>,
    self_size: Sizes,
    trace_node: Vec<u32>,
    detachedness: Vec<u8>,
}

impl NodeColumns {
    /// The columns every snapshot has: type indices, names, object ids and
    /// shallow sizes, of equal lengths. `ids` are the low 32 bits of every
    /// id and, when some id does not fit 32 bits, the high 32 bits of every
    /// id (empty otherwise, so V8's own snapshots keep 4 bytes per id).
    ///
    /// # Panics
    /// When the lengths differ, or there are `u32::MAX` nodes or more
    /// (the parser refuses such files first).
    #[must_use]
    pub fn new(
        kind: Vec<u8>,
        name: Vec<SnapshotStringId>,
        (id, id_high): (Vec<u32>, Vec<u32>),
        self_size: Sizes,
    ) -> Self {
        let n = kind.len();
        assert!(
            name.len() == n && id.len() == n && self_size.len() == n,
            "node columns of different lengths"
        );
        assert!(
            id_high.is_empty() || id_high.len() == n,
            "a partial id column"
        );
        assert!(
            u32::try_from(n).is_ok_and(|n| n < u32::MAX),
            "too many nodes"
        );
        Self {
            kind,
            name,
            id,
            id_high,
            self_size,
            trace_node: Vec::new(),
            detachedness: Vec::new(),
        }
    }

    /// With the allocation trace node id of every node (a timeline's), or
    /// none (empty).
    ///
    /// # Panics
    /// When a non-empty column's length is not the node count.
    #[must_use]
    pub fn with_trace_nodes(mut self, trace_node: Vec<u32>) -> Self {
        assert!(trace_node.is_empty() || trace_node.len() == self.len());
        self.trace_node = trace_node;
        self
    }

    /// With the detachedness of every node (0 unknown, 1 attached, 2
    /// detached), or none (empty).
    ///
    /// # Panics
    /// When a non-empty column's length is not the node count.
    #[must_use]
    pub fn with_detachedness(mut self, detachedness: Vec<u8>) -> Self {
        assert!(detachedness.is_empty() || detachedness.len() == self.len());
        self.detachedness = detachedness;
        self
    }

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

    /// Every ordinal, in order.
    pub fn ordinals(
        &self,
    ) -> impl DoubleEndedIterator<Item = NodeOrdinal> + ExactSizeIterator + use<> {
        // `new` checked that the count fits.
        (0..to_u32(self.len())).map(NodeOrdinal::new)
    }

    columns! {
        /// Type indices into [`HeapGraph::node_types`], by ordinal.
        kinds, kind(v: NodeOrdinal) -> u8 = kind;
        /// Name strings, by ordinal.
        names, name(v: NodeOrdinal) -> SnapshotStringId = name;
        /// Allocation trace node ids by ordinal (0: none); empty when the
        /// snapshot has no such column.
        trace_nodes -> u32 = trace_node;
        /// Detachedness by ordinal (0 unknown, 1 attached, 2 detached); empty
        /// when the snapshot has no such column.
        detachedness -> u8 = detachedness;
    }

    /// Shallow sizes in bytes as V8 wrote them, by ordinal.
    #[must_use]
    pub fn self_sizes(&self) -> &Sizes {
        &self.self_size
    }

    /// The shallow size of node `v` in bytes, as V8 wrote it.
    #[inline]
    #[must_use]
    pub fn self_size(&self, v: NodeOrdinal) -> u64 {
        self.self_size.get(v.index())
    }

    /// The object id of node `v`.
    #[inline]
    #[must_use]
    pub fn id(&self, v: NodeOrdinal) -> ObjectId {
        let low = u64::from(self.id[v.index()]);
        ObjectId::new(match self.id_high.get(v.index()) {
            Some(&high) => (u64::from(high) << 32) | low,
            None => low,
        })
    }

    /// The node whose object id is `id`, if any (a linear search).
    #[must_use]
    pub fn with_id(&self, id: ObjectId) -> Option<NodeOrdinal> {
        if self.id_high.is_empty() {
            let id = u32::try_from(id.get()).ok()?;
            return self
                .id
                .iter()
                .position(|&x| x == id)
                .map(NodeOrdinal::from_index);
        }
        self.ordinals().find(|&v| self.id(v) == id)
    }

    /// How many nodes have an id beyond 32 bits.
    #[must_use]
    pub fn wide_ids(&self) -> u64 {
        self.id_high.iter().filter(|&&h| h != 0).count() as u64
    }
}

/// Edge columns, grouped by source node, by [`EdgePosition`].
#[derive(Clone, Debug, Default)]
pub struct EdgeColumns {
    kind: Vec<u8>,
    name_or_index: Vec<u32>,
    to: Vec<NodeOrdinal>,
}

impl EdgeColumns {
    /// Type indices into [`HeapGraph::edge_types`], names (a string index,
    /// or the numeric index of `element` and `hidden` edges) and target
    /// ordinals, of equal lengths.
    ///
    /// # Panics
    /// When the lengths differ, or there are more than `u32::MAX` edges
    /// (the parser refuses such files first).
    #[must_use]
    pub fn new(kind: Vec<u8>, name_or_index: Vec<u32>, to: Vec<NodeOrdinal>) -> Self {
        assert!(
            name_or_index.len() == kind.len() && to.len() == kind.len(),
            "edge columns of different lengths"
        );
        assert!(u32::try_from(kind.len()).is_ok(), "too many edges");
        Self {
            kind,
            name_or_index,
            to,
        }
    }

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

    columns! {
        /// Type indices, by edge position.
        kinds, kind(e: EdgePosition) -> u8 = kind;
        /// `name_or_index` as V8 wrote it, by edge position: a string index,
        /// or the numeric index of `element` and `hidden` edges.
        names_or_indices, name_or_index(e: EdgePosition) -> u32 = name_or_index;
        /// Target ordinals, by edge position.
        targets, target(e: EdgePosition) -> NodeOrdinal = to;
    }

    /// The name string of edge `e`: meaningful for the edge types whose
    /// `name_or_index` is a string index (all but `element` and `hidden`).
    #[inline]
    #[must_use]
    pub fn name(&self, e: EdgePosition) -> SnapshotStringId {
        SnapshotStringId::new(self.name_or_index[e.index()])
    }
}

/// A source location of an object (formats §5.7), 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
}

/// Where a source map puts a location of the snapshot (a function, or the
/// constructor of a class's objects): the original source and position,
/// and the original name where the map has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalLocation {
    /// The original function or class name; `None` keeps V8's.
    pub name: Option<String>,
    /// The original source, as the map names it.
    pub url: String,
    /// 0-based line in the original source.
    pub line: u32,
    /// 0-based column in the original source.
    pub column: u32,
}

/// One function of the allocation trace (formats §5.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFunction {
    /// Function name.
    pub name: SnapshotStringId,
    /// Script name.
    pub script_name: SnapshotStringId,
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
    /// Each function as V8 recorded it, for functions a source map moved
    /// to their original source (`functions` then holds the original);
    /// empty when no map applied.
    pub generated: Vec<Option<TraceFunction>>,
}

impl AllocationTrace {
    /// Function `f` as V8 recorded it (before any source map).
    #[must_use]
    pub fn generated_function(&self, f: usize) -> Option<&TraceFunction> {
        match self.generated.get(f) {
            Some(Some(g)) => Some(g),
            _ => self.functions.get(f),
        }
    }
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
    nodes: NodeColumns,
    /// CSR offsets into the edge columns, `len = nodes + 1`. Raw `u32`s:
    /// they are only ever read as the bounds of a range of positions.
    first_edge: Vec<u32>,
    edges: EdgeColumns,
    /// Object locations, sorted by node ordinal, one per node.
    pub locations: Vec<(NodeOrdinal, Location)>,
    /// Timeline samples: (timestamp in µs, last assigned id).
    pub samples: Vec<(u64, u32)>,
    /// Allocation trace, when the snapshot was taken while tracking.
    pub trace: Option<AllocationTrace>,
    /// The original places of the located functions of scripts a source
    /// map applied to (empty when none did).
    pub original_locations: rustc_hash::FxHashMap<Location, OriginalLocation>,
    /// The URL of each script id as the heap names it, when it was
    /// resolved before the analysis (the source-map step needs the URLs
    /// first), so that the analyzer's `Scripts` takes it rather than
    /// resolving again; `None` when not resolved yet.
    pub script_urls: Option<rustc_hash::FxHashMap<u32, String>>,
    /// Header facts.
    pub meta: SnapshotMeta,
}

impl HeapGraph {
    /// A graph of `nodes` whose edges are `edges`, node `v` owning the
    /// positions `first_edge[v]..first_edge[v + 1]`; the other parts start
    /// empty.
    ///
    /// # Panics
    /// When `first_edge` is not one longer than the nodes, does not start
    /// at 0, decreases, or does not end at the edge count (the parser
    /// checks the counts first).
    #[must_use]
    pub fn new(nodes: NodeColumns, first_edge: Vec<u32>, edges: EdgeColumns) -> Self {
        assert_eq!(first_edge.len(), nodes.len() + 1, "one first edge per node");
        assert_eq!(first_edge[0], 0, "the first node's edges start at 0");
        assert_eq!(
            first_edge[nodes.len()] as usize,
            edges.len(),
            "the edge counts add up to the edges"
        );
        assert!(first_edge.is_sorted(), "edge ranges go backwards");
        Self {
            nodes,
            first_edge,
            edges,
            ..Self::default()
        }
    }

    /// Number of nodes.
    #[must_use]
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The node columns.
    #[inline]
    #[must_use]
    pub fn nodes(&self) -> &NodeColumns {
        &self.nodes
    }

    /// The edge columns.
    #[inline]
    #[must_use]
    pub fn edges(&self) -> &EdgeColumns {
        &self.edges
    }

    /// The edges of node `v` as a range of positions, to slice the edge
    /// columns with (the hot loops read the slices).
    #[inline]
    #[must_use]
    pub fn edge_range(&self, v: NodeOrdinal) -> std::ops::Range<usize> {
        self.first_edge[v.index()] as usize..self.first_edge[v.index() + 1] as usize
    }

    /// The edges of node `v`, in file order.
    #[inline]
    pub fn edges_of(
        &self,
        v: NodeOrdinal,
    ) -> impl DoubleEndedIterator<Item = EdgePosition> + ExactSizeIterator + use<> {
        (self.first_edge[v.index()]..self.first_edge[v.index() + 1]).map(EdgePosition::new)
    }

    /// The first edge of every node, and the edge count at the end: the
    /// raw CSR offsets, for the loops that prefetch them.
    #[inline]
    #[must_use]
    pub fn first_edges(&self) -> &[u32] {
        &self.first_edge
    }

    /// The type name of node `v`.
    #[must_use]
    pub fn node_type(&self, v: NodeOrdinal) -> &str {
        self.node_types
            .get(usize::from(self.nodes.kind(v)))
            .map_or("", String::as_str)
    }

    /// The raw name of node `v`.
    #[must_use]
    pub fn node_name(&self, v: NodeOrdinal) -> &str {
        self.strings.get(self.nodes.name(v))
    }

    /// Index of a node type name, if the snapshot has it.
    #[must_use]
    pub fn node_type_index(&self, name: &str) -> Option<u8> {
        type_index(&self.node_types, name)
    }

    /// Index of an edge type name, if the snapshot has it.
    #[must_use]
    pub fn edge_type_index(&self, name: &str) -> Option<u8> {
        type_index(&self.edge_types, name)
    }

    /// The type name of edge `e`.
    #[must_use]
    pub fn edge_type(&self, e: EdgePosition) -> &str {
        self.edge_types
            .get(usize::from(self.edges.kind(e)))
            .map_or("", String::as_str)
    }

    /// The location of node `v`, if any.
    #[must_use]
    pub fn location(&self, v: NodeOrdinal) -> Option<Location> {
        self.locations
            .binary_search_by_key(&v, |&(n, _)| n)
            .ok()
            .map(|i| self.locations[i].1)
    }
}

/// Where `name` is in a snapshot's list of node or edge type names (types
/// are stored in one byte, so a list longer than 256 has no index past it).
fn type_index(types: &[String], name: &str) -> Option<u8> {
    types
        .iter()
        .position(|t| t == name)
        .and_then(|i| u8::try_from(i).ok())
}
