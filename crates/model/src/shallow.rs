//! A heap snapshot read without its graph (`--shallow`): objects counted
//! per node type and name while the `nodes` array streams past, so memory
//! does not grow with the number of nodes or edges.

/// Objects of one node type, name and detachedness, with a shallow size
/// above 0 (the objects the Summary counts, formats §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShallowGroup {
    /// Index into [`ShallowSnapshot::node_types`]; the number of listed
    /// types for nodes of the type right after them (older V8's symbols).
    pub kind: u8,
    /// The node name, for the types whose class is their name (`object`
    /// and `native`); empty for the others.
    pub name: String,
    /// A `native` node whose own `detachedness` is 2 (detached).
    pub detached: bool,
    /// Number of objects.
    pub count: u64,
    /// Σ self size as written in the file.
    pub self_size: u64,
}

/// What `--shallow` reads from a heap snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShallowSnapshot {
    /// Node type names (`meta.node_types[0]`).
    pub node_types: Vec<String>,
    /// The groups, in the order their first object appears.
    pub groups: Vec<ShallowGroup>,
    /// Number of nodes.
    pub node_count: u64,
    /// Number of edges.
    pub edge_count: u64,
    /// Σ self size of every node.
    pub total_self: u64,
    /// The header's `extra_native_bytes` (0 when absent).
    pub extra_native_bytes: u64,
    /// Whether the snapshot has a `detachedness` column.
    pub has_detachedness: bool,
}

impl ShallowSnapshot {
    /// The type name of a group, `""` for the type after the listed ones.
    #[must_use]
    pub fn type_name(&self, g: &ShallowGroup) -> &str {
        self.node_types
            .get(usize::from(g.kind))
            .map_or("", String::as_str)
    }
}
