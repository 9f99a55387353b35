//! What keeps objects alive: shortest retainer paths from the GC roots
//! (following DevTools' distances, formats §7.7), grouped by shape; and the
//! biggest objects of the dominator tree with their dominator chains.

use heapdiff_model::{EdgePosition, HeapGraph, NodeOrdinal, ObjectId};
use rustc_hash::{FxHashMap, FxHashSet};

use super::report::{DominatorRow, DominatorsReport, PathStep, RetainerGroup, RetainersReport};
use super::{BASE_SYSTEM_DISTANCE, Derived, NO_DISTANCE, Scripts, SourcePosition, weakmap};

/// Every edge by target: (source node, edge position), in source order,
/// for walking retainers.
pub struct RetainerIndex {
    first: Vec<u32>,
    source: Vec<NodeOrdinal>,
    edge: Vec<EdgePosition>,
}

impl RetainerIndex {
    /// Builds the index (one pass over the edges).
    #[must_use]
    pub fn build(g: &HeapGraph) -> Self {
        let n = g.n_nodes();
        let mut first = vec![0u32; n + 1];
        for &to in g.edges().targets() {
            first[to.index() + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut source = vec![NodeOrdinal::ROOT; g.edges().len()];
        let mut edge = vec![EdgePosition::default(); g.edges().len()];
        for u in g.nodes().ordinals() {
            for e in g.edges_of(u) {
                let to = g.edges().target(e).index();
                let at = fill[to] as usize;
                source[at] = u;
                edge[at] = e;
                fill[to] += 1;
            }
        }
        Self {
            first,
            source,
            edge,
        }
    }

    /// The retainers of `v`: (source node, edge position), in source
    /// order.
    pub(crate) fn of(
        &self,
        v: NodeOrdinal,
    ) -> impl Iterator<Item = (NodeOrdinal, EdgePosition)> + '_ {
        let r = self.first[v.index()] as usize..self.first[v.index() + 1] as usize;
        r.map(move |i| (self.source[i], self.edge[i]))
    }
}

/// Where closure `v` is defined (`None` for other objects).
fn closure_source(g: &HeapGraph, scripts: &Scripts, v: NodeOrdinal) -> Option<SourcePosition> {
    if g.node_type(v) != "closure" {
        return None;
    }
    scripts.position(g.location(v)?)
}

/// An edge as DevTools names it in the Retainers view (formats §5.5).
pub(crate) fn edge_label(g: &HeapGraph, e: EdgePosition) -> String {
    let raw = g.edges().name_or_index(e);
    let name = || g.strings.get(g.edges().name(e)).to_string();
    match g.edge_type(e) {
        "element" => format!("[{raw}]"),
        "hidden" => format!("{{{raw}}}"),
        "context" => format!("->{}", name()),
        "property" | "shortcut" => {
            let n = name();
            if n.contains(' ') {
                format!("[\"{n}\"]")
            } else {
                format!(".{n}")
            }
        }
        "weak" => format!("[[{}]]", name()),
        _ => format!("{{{}}}", name()),
    }
}

/// How [`next_hop`] ranks an edge by its kind, looked up once per graph
/// rather than by the kind's name per edge.
struct HopRanks {
    /// The rank of each edge kind (see [`edge_rank`]); `u8::MAX` for
    /// weak edges, which never retain.
    by_kind: Vec<u8>,
    /// The kind of `internal` edges, whose WeakMap table edges rank last.
    internal: Option<u8>,
}

impl HopRanks {
    fn of(g: &HeapGraph) -> Self {
        let kinds = g.edge_types.len().min(usize::from(u8::MAX) + 1);
        Self {
            by_kind: (0..kinds)
                .map(|k| match g.edge_types[k].as_str() {
                    "weak" => u8::MAX,
                    other => edge_rank(other),
                })
                .collect(),
            internal: g.edge_type_index("internal"),
        }
    }

    /// The rank of the edges of a kind, but for WeakMap table edges.
    fn of_kind(&self, kind: u8) -> u8 {
        self.by_kind.get(usize::from(kind)).copied().unwrap_or(1)
    }

    /// The rank of edge `e` (of kind `kind`): `u8::MAX` for a weak one.
    fn rank(&self, g: &HeapGraph, e: EdgePosition, kind: u8) -> u8 {
        let rank = self.of_kind(kind);
        if Some(kind) == self.internal && weakmap::parse(g.strings.get(g.edges().name(e))).is_some()
        {
            return 3;
        }
        rank
    }
}

/// The next hop of a shortest strong path from `cur` towards a root: among
/// the retainers one distance level closer, prefer what a person wrote
/// (properties, variables, elements) over VM-internal links; ties go to the
/// first in retainer order. `None` for a root's child (and the root).
fn next_hop(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    ranks: &HopRanks,
    cur: NodeOrdinal,
) -> Option<(NodeOrdinal, EdgePosition)> {
    let dc = d.distance_of(cur);
    if cur == NodeOrdinal::ROOT || dc == 1 || dc == BASE_SYSTEM_DISTANCE + 1 {
        return None;
    }
    let mut chosen = None;
    let mut best_rank = u8::MAX;
    for (u, e) in index.of(cur) {
        if d.distance_of(u) != dc - 1 {
            continue;
        }
        let rank = ranks.rank(g, e, g.edges().kind(e));
        if rank < best_rank {
            best_rank = rank;
            chosen = Some((u, e));
            if rank == 0 {
                break;
            }
        }
    }
    chosen
}

/// Where shortest paths go next: found through the retainer index node by
/// node (when the index is there for other uses), or read from a table
/// made in one pass over the edges (when only paths need it).
#[derive(Clone, Copy)]
pub(crate) enum Hops<'a> {
    Index(&'a RetainerIndex),
    Table(&'a NextHops),
}

/// The next hop of every node, as [`next_hop`] finds it: made in one pass
/// over the edges in source order, which is the retainers' order, keeping
/// for each node its first retainer of the best rank one distance level
/// closer. Two columns instead of the retainer index's three, and one
/// random read per edge instead of the index's writes: of a byte per node
/// (see [`step_levels`]) where the levels fit one, which stays in the
/// cache far more than the distances' four bytes do.
pub(crate) struct NextHops {
    parent: UntouchedIsMax,
    edge: UntouchedIsMax,
}

impl NextHops {
    pub(crate) fn build(g: &HeapGraph, d: &Derived) -> Self {
        match step_levels(d) {
            Some(levels) => Self::by_levels(g, &levels, |l| l != 0, |l| l + 1),
            None => Self::by_levels(g, &d.distance, |_| true, |x| x + 1),
        }
    }

    /// The pass over the edges, `levels` telling which edges go one level
    /// down: from a node of level `l` where `reached(l)`, to nodes of level
    /// `below(l)`.
    fn by_levels<T: Copy + PartialEq>(
        g: &HeapGraph,
        levels: &[T],
        reached: impl Fn(T) -> bool,
        below: impl Fn(T) -> T,
    ) -> Self {
        let ranks = HopRanks::of(g);
        let n = g.n_nodes();
        let mut best = vec![u8::MAX; n];
        let mut table = Self {
            parent: UntouchedIsMax::new(n),
            edge: UntouchedIsMax::new(n),
        };
        let (kinds, targets) = (g.edges().kinds(), g.edges().targets());
        for u in g.nodes().ordinals() {
            let lu = levels[u.index()];
            if !reached(lu) {
                continue;
            }
            let next = below(lu);
            let r = g.edge_range(u);
            for (at, (&kind, &v)) in r.clone().zip(kinds[r.clone()].iter().zip(&targets[r])) {
                let i = v.index();
                // Of the kind's rank: a WeakMap table edge ranks lower
                // still, so a kind no better than the best is skipped.
                if levels[i] != next || ranks.of_kind(kind) >= best[i] {
                    continue;
                }
                let e = EdgePosition::from_index(at);
                let rank = ranks.rank(g, e, kind);
                if rank < best[i] {
                    best[i] = rank;
                    table.parent.set(i, u.raw());
                    table.edge.set(i, e.raw());
                }
            }
        }
        table
    }

    fn of(&self, d: &Derived, v: NodeOrdinal) -> Option<(NodeOrdinal, EdgePosition)> {
        let dv = d.distance_of(v);
        if v == NodeOrdinal::ROOT || dv == 1 || dv == BASE_SYSTEM_DISTANCE + 1 {
            return None;
        }
        match NodeOrdinal::new(self.parent.get(v.index())) {
            NO_NODE => None,
            u => Some((u, EdgePosition::new(self.edge.get(v.index())))),
        }
    }
}

/// Every node's distance level in a byte, when there are few enough
/// levels: 0 for unreachable nodes, then the levels from the user roots
/// (distance 0 is 1), then, one number left out between them, those of what
/// only system roots reach (from `BASE_SYSTEM_DISTANCE`). Two nodes are
/// one distance apart exactly when their bytes (both reached) are one
/// apart. `None` when the levels need more than a byte.
fn step_levels(d: &Derived) -> Option<Vec<u8>> {
    let user = |x: i32| (0..BASE_SYSTEM_DISTANCE).contains(&x);
    // The deepest user and system levels, in one pass.
    let (user_max, system_max) =
        d.distance
            .iter()
            .fold((-1, BASE_SYSTEM_DISTANCE - 1), |(u, s), &x| {
                if user(x) {
                    (u.max(x), s)
                } else {
                    (u, s.max(x))
                }
            });
    // User level x is x + 1; system level x is user_max + 3 + (x - base).
    let system_first = user_max + 3;
    let last = i64::from(system_first) + i64::from(system_max - BASE_SYSTEM_DISTANCE);
    if last > i64::from(u8::MAX) {
        return None;
    }
    Some(
        d.distance
            .iter()
            .map(|&x| {
                let level = if user(x) {
                    x + 1
                } else if x >= BASE_SYSTEM_DISTANCE {
                    system_first + (x - BASE_SYSTEM_DISTANCE)
                } else {
                    0
                };
                u8::try_from(level).unwrap_or(0)
            })
            .collect(),
    )
}

/// The root's first edge to `v`, which labels the first step of a path.
fn root_edge_to(g: &HeapGraph, v: NodeOrdinal) -> Option<EdgePosition> {
    if v == NodeOrdinal::ROOT {
        return None;
    }
    g.edges_of(NodeOrdinal::ROOT)
        .find(|&e| g.edges().target(e) == v)
}

/// A path shows at most this many steps, the ones nearest the object.
const MAX_PATH_STEPS: usize = 10_001;

/// The class of `v` as shown: the original name where a source map gave
/// one (see [`Scripts::class_name`]).
fn class_name<'a>(d: &'a Derived, scripts: &'a Scripts, v: NodeOrdinal) -> &'a str {
    let c = d.class_of(v);
    scripts.class_name(&d.classes.keys[c], &d.classes.names[c])
}

/// The shortest strong path from a root to `v`, root-most step first:
/// at every hop, the first retainer one distance level closer.
#[must_use]
pub fn shortest_path(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    v: NodeOrdinal,
) -> Vec<PathStep> {
    let mut steps = Vec::new();
    if d.distance_of(v) == NO_DISTANCE {
        return steps;
    }
    let ranks = HopRanks::of(g);
    let mut cur = v;
    loop {
        let hop = next_hop(g, d, index, &ranks, cur);
        let edge = match hop {
            Some((_, e)) => Some(e),
            None => root_edge_to(g, cur),
        };
        steps.push(PathStep {
            edge: edge.map(|e| edge_label(g, e)).unwrap_or_default(),
            class: class_name(d, &d.scripts, cur).to_string(),
            id: g.nodes().id(cur).get(),
            source: closure_source(g, &d.scripts, cur),
        });
        match hop {
            Some((u, _)) if steps.len() < MAX_PATH_STEPS => cur = u,
            _ => break,
        }
    }
    steps.reverse();
    steps
}

/// "No shape yet" in [`PathForest::shape`].
const NONE: u32 = u32::MAX;
/// "No node": the next hop of a root's child. Node counts stay below
/// `u32::MAX` (the parser checks), so no node has this ordinal.
const NO_NODE: NodeOrdinal = NodeOrdinal::new(u32::MAX);
/// "No edge" into a node on its path. Edge counts fit 32 bits (the
/// parser checks), so positions stay below `u32::MAX`.
const NO_EDGE: EdgePosition = EdgePosition::new(u32::MAX);

/// A column of `u32`s, one per node, that reads `u32::MAX` ("none") where
/// nothing was written. It is stored inverted, so a fresh array of zeros
/// means "none" throughout: the kernel hands its pages out untouched, and
/// only the pages of the nodes a walk reaches are ever brought in (a few
/// thousand nodes of 17 million, for `leaks`), where filling three arrays
/// with `u32::MAX` wrote them all.
struct UntouchedIsMax(Vec<u32>);

impl UntouchedIsMax {
    fn new(n: usize) -> Self {
        Self(vec![0; n])
    }

    fn get(&self, i: usize) -> u32 {
        !self.0[i]
    }

    fn set(&mut self, i: usize, x: u32) {
        self.0[i] = !x;
    }
}

/// The shortest paths of many objects at once, as a forest: every node on
/// a path is visited once, its next hop and the shape of its path (edge
/// shapes and class names from the root) kept, so the paths of a whole
/// class cost time and memory linear in the nodes they cross, however long
/// and overlapping they are.
struct PathForest<'a> {
    g: &'a HeapGraph,
    d: &'a Derived,
    scripts: &'a Scripts,
    /// Next hop towards a root, `NO_NODE` for a root's child.
    parent: UntouchedIsMax,
    /// The edge into the node on its path (`NO_EDGE`: none).
    edge: UntouchedIsMax,
    /// The interned shape of the node's path, `NONE` while unvisited.
    shape: UntouchedIsMax,
    /// Shapes by (parent's shape, edge shape, class name).
    shapes: FxHashMap<(u32, EdgeShape, u32), u32>,
    /// The class name of each class as a number: classes shown by the
    /// same name share it.
    class_names: Vec<u32>,
    /// The root's first edge to each of its children.
    root_edges: FxHashMap<NodeOrdinal, EdgePosition>,
    /// The next hop's edge ranks.
    ranks: HopRanks,
}

impl<'a> PathForest<'a> {
    fn new(g: &'a HeapGraph, d: &'a Derived) -> Self {
        let n = g.n_nodes();
        let mut root_edges = FxHashMap::default();
        if n > 0 {
            for e in g.edges_of(NodeOrdinal::ROOT) {
                root_edges.entry(g.edges().target(e)).or_insert(e);
            }
        }
        Self {
            g,
            d,
            scripts: &d.scripts,
            parent: UntouchedIsMax::new(n),
            edge: UntouchedIsMax::new(n),
            shape: UntouchedIsMax::new(n),
            shapes: FxHashMap::default(),
            class_names: class_name_ids(d),
            root_edges,
            ranks: HopRanks::of(g),
        }
    }

    fn parent(&self, v: NodeOrdinal) -> NodeOrdinal {
        NodeOrdinal::new(self.parent.get(v.index()))
    }

    fn edge(&self, v: NodeOrdinal) -> EdgePosition {
        EdgePosition::new(self.edge.get(v.index()))
    }

    fn shape(&self, v: NodeOrdinal) -> u32 {
        self.shape.get(v.index())
    }

    /// Visits the path of `v` (reachable) and returns its shape.
    fn visit(&mut self, hops: Hops<'_>, v: NodeOrdinal) -> u32 {
        let mut fresh = Vec::new();
        let mut cur = v;
        while self.shape(cur) == NONE {
            fresh.push(cur);
            let hop = match hops {
                Hops::Index(index) => next_hop(self.g, self.d, index, &self.ranks, cur),
                Hops::Table(table) => table.of(self.d, cur),
            };
            match hop {
                Some((u, e)) => {
                    self.parent.set(cur.index(), u.raw());
                    self.edge.set(cur.index(), e.raw());
                    cur = u;
                }
                None => {
                    if cur != NodeOrdinal::ROOT {
                        let e = self.root_edges.get(&cur).copied().unwrap_or(NO_EDGE);
                        self.edge.set(cur.index(), e.raw());
                    }
                    break;
                }
            }
        }
        // Root-most first: each shape extends its parent's.
        for &x in fresh.iter().rev() {
            let up = self.parent(x);
            let up_shape = if up == NO_NODE { NONE } else { self.shape(up) };
            let key = (
                up_shape,
                edge_shape(self.g, self.edge(x)),
                self.class_names[self.d.class_of(x)],
            );
            let next = u32::try_from(self.shapes.len()).unwrap_or(NONE);
            let shape = *self.shapes.entry(key).or_insert(next);
            self.shape.set(x.index(), shape);
        }
        self.shape(v)
    }

    fn label(&self, v: NodeOrdinal) -> String {
        match self.edge(v) {
            NO_EDGE => String::new(),
            e => edge_label(self.g, e),
        }
    }

    fn step(&self, v: NodeOrdinal) -> PathStep {
        PathStep {
            edge: self.label(v),
            class: class_name(self.d, self.scripts, v).to_string(),
            id: self.g.nodes().id(v).get(),
            source: closure_source(self.g, self.scripts, v),
        }
    }

    /// The path of a visited node, root-most step first (at most
    /// `MAX_PATH_STEPS`, the ones nearest the node).
    fn path(&self, v: NodeOrdinal) -> Vec<PathStep> {
        let mut steps = Vec::new();
        let mut cur = v;
        loop {
            steps.push(self.step(cur));
            match self.parent(cur) {
                up if up != NO_NODE && steps.len() < MAX_PATH_STEPS => cur = up,
                _ => break,
            }
        }
        steps.reverse();
        steps
    }

    /// The ranks of `objects` (visited) in the order of full paths
    /// compared step by step from the root (a path before its
    /// extensions): a pre-order walk of the part of the forest on their
    /// paths, siblings sorted by their step. Leaving out the rest of the
    /// forest keeps the order among these paths and makes a step only for
    /// the nodes on them.
    fn path_ranks(
        &self,
        objects: impl Iterator<Item = NodeOrdinal>,
    ) -> FxHashMap<NodeOrdinal, u32> {
        let mut on_paths: FxHashSet<NodeOrdinal> = FxHashSet::default();
        let mut nodes = Vec::new();
        for v in objects {
            let mut cur = v;
            while cur != NO_NODE && on_paths.insert(cur) {
                nodes.push(cur);
                cur = self.parent(cur);
            }
        }
        let steps: FxHashMap<NodeOrdinal, PathStep> =
            nodes.iter().map(|&v| (v, self.step(v))).collect();
        let mut children: FxHashMap<NodeOrdinal, Vec<NodeOrdinal>> = FxHashMap::default();
        for &v in &nodes {
            children.entry(self.parent(v)).or_default().push(v);
        }
        let by_step = |a: &NodeOrdinal, b: &NodeOrdinal| steps[a].cmp(&steps[b]).then(a.cmp(b));
        // Sorting each list in place; the map's order does not reach output.
        #[allow(clippy::iter_over_hash_type)]
        for list in children.values_mut() {
            list.sort_by(by_step);
        }
        let mut rank = FxHashMap::default();
        let mut stack: Vec<NodeOrdinal> = children
            .get(&NO_NODE)
            .map_or_else(Vec::new, |r| r.iter().rev().copied().collect());
        while let Some(v) = stack.pop() {
            let next = u32::try_from(rank.len()).unwrap_or(NONE);
            rank.insert(v, next);
            if let Some(kids) = children.get(&v) {
                stack.extend(kids.iter().rev().copied());
            }
        }
        rank
    }
}

/// How readable an edge of a kind is in a retainer path: 0 for
/// properties, variables and elements, 1 for other links, 2 for VM-internal
/// ones. (WeakMap table edges, which do not retain, rank 3: see
/// [`HopRanks::rank`].)
fn edge_rank(kind: &str) -> u8 {
    match kind {
        "property" | "context" | "element" => 0,
        "internal" | "hidden" => 2,
        _ => 1,
    }
}

/// What to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetainerTarget {
    /// Every object of a class (by class name or class key).
    Class(String),
    /// One object by V8 id.
    Id(u64),
}

/// Options of [`retainers`].
#[derive(Debug, Clone, Default)]
pub struct RetainersOptions {
    /// Keep only the first N groups.
    pub limit: Option<usize>,
}

/// Groups the shortest retainer paths of the target objects by shape
/// (classes and edge names, array indices ignored).
#[must_use]
pub fn retainers(
    g: &HeapGraph,
    d: &Derived,
    target: &RetainerTarget,
    opts: &RetainersOptions,
) -> RetainersReport {
    let index = RetainerIndex::build(g);
    let objects: Vec<NodeOrdinal> = match target {
        RetainerTarget::Id(id) => g.nodes().with_id(ObjectId::new(*id)).into_iter().collect(),
        RetainerTarget::Class(name) => g
            .nodes()
            .ordinals()
            .filter(|&v| {
                let c = d.class_of(v);
                let (key, generated) = (&d.classes.keys[c], &d.classes.names[c]);
                (generated == name || key == name || d.scripts.class_name(key, generated) == name)
                    && d.self_size_of(v) > 0
            })
            .collect(),
    };
    let (groups, unreachable) = path_groups(g, d, &index, &objects, opts.limit);
    RetainersReport {
        schema_version: 1,
        kind: "retainers",
        target: match target {
            RetainerTarget::Class(n) => format!("class {n}"),
            RetainerTarget::Id(id) => format!("@{id}"),
        },
        objects: objects.len() as u64,
        unreachable,
        groups,
    }
}

/// The shortest retainer paths of `objects` grouped by shape (classes and
/// edge names, array indices ignored), by count, then retained size, then
/// path; at most `limit` groups. Also how many objects have no path.
pub(crate) fn path_groups(
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    objects: &[NodeOrdinal],
    limit: Option<usize>,
) -> (Vec<RetainerGroup>, u64) {
    let retained: Vec<u64> = objects.iter().map(|&v| d.retained_of(v)).collect();
    path_groups_of_sets(g, d, Hops::Index(index), &[(objects, &retained)], limit)
        .pop()
        .unwrap_or_default()
}

/// Per path shape: (count, retained size, the first object).
type ByShape = FxHashMap<u32, (u64, u64, NodeOrdinal)>;

/// [`path_groups`] of several sets of objects, each object with its
/// retained size, through one path forest: nodes their paths share are
/// visited once.
pub(crate) fn path_groups_of_sets(
    g: &HeapGraph,
    d: &Derived,
    hops: Hops<'_>,
    sets: &[(&[NodeOrdinal], &[u64])],
    limit: Option<usize>,
) -> Vec<(Vec<RetainerGroup>, u64)> {
    let mut forest = PathForest::new(g, d);
    // Per set: per path shape, and how many have no path.
    let mut shapes: Vec<(ByShape, u64)> = Vec::new();
    for &(objects, retained) in sets {
        let mut by_shape = ByShape::default();
        let mut unreachable = 0;
        for (&v, &size) in objects.iter().zip(retained) {
            if d.distance_of(v) == NO_DISTANCE {
                unreachable += 1;
                continue;
            }
            let shape = forest.visit(hops, v);
            let group = by_shape.entry(shape).or_insert((0, 0, v));
            group.0 += 1;
            group.1 += size;
        }
        shapes.push((by_shape, unreachable));
    }
    let firsts = shapes
        .iter()
        .flat_map(|(by_shape, _)| by_shape.values().map(|&(_, _, v)| v));
    let rank = forest.path_ranks(firsts);
    shapes
        .into_iter()
        .map(|(by_shape, unreachable)| {
            let mut order: Vec<(u64, u64, NodeOrdinal)> = by_shape.into_values().collect();
            order.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(b.1.cmp(&a.1))
                    .then_with(|| rank[&a.2].cmp(&rank[&b.2]))
            });
            if let Some(limit) = limit {
                order.truncate(limit);
            }
            let groups = order
                .into_iter()
                .map(|(count, retained_size, v)| RetainerGroup {
                    count,
                    retained_size,
                    path: forest.path(v),
                })
                .collect();
            (groups, unreachable)
        })
        .collect()
}

/// An edge label's shape without making the label (as the label's text with
/// its numbers dropped would give it): its kind and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum EdgeShape {
    /// A root's child: no edge.
    None,
    /// `[N]`.
    Element,
    /// `{N}`: hidden edges, and internal ones named by a number.
    Numbered,
    /// `->name`.
    Context(u32),
    /// `.name` or `["name"]`.
    Property(u32),
    /// `[[name]]`.
    Weak(u32),
    /// `{name}`.
    Internal(u32),
}

fn edge_shape(g: &HeapGraph, e: EdgePosition) -> EdgeShape {
    if e == NO_EDGE {
        return EdgeShape::None;
    }
    let name = g.edges().name_or_index(e);
    match g.edge_type(e) {
        "element" => EdgeShape::Element,
        "hidden" => EdgeShape::Numbered,
        "context" => EdgeShape::Context(name),
        "property" | "shortcut" => EdgeShape::Property(name),
        "weak" => EdgeShape::Weak(name),
        _ if g
            .strings
            .get(g.edges().name(e))
            .bytes()
            .all(|b| b.is_ascii_digit()) =>
        {
            EdgeShape::Numbered
        }
        _ => EdgeShape::Internal(name),
    }
}

/// A number per class of `d` for the name it is shown by (the original
/// one where a source map gave it): equal names, equal numbers.
fn class_name_ids(d: &Derived) -> Vec<u32> {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    (0..d.classes.names.len())
        .map(|c| {
            let name = d
                .scripts
                .class_name(&d.classes.keys[c], &d.classes.names[c]);
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            *ids.entry(name).or_insert(next)
        })
        .collect()
}

/// Array positions do not make paths different: `[17]` → `[]`.
#[cfg(test)]
fn shape_of(edge: &str) -> String {
    if edge.starts_with('[')
        && edge[1..]
            .trim_end_matches(']')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        "[]".to_string()
    } else if edge.starts_with('{')
        && edge[1..]
            .trim_end_matches('}')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        "{}".to_string()
    } else {
        edge.to_string()
    }
}

/// The objects with the largest retained sizes and their dominator chains:
/// the first `limit`, or all of them.
#[must_use]
pub fn dominators_report(g: &HeapGraph, d: &Derived, limit: Option<usize>) -> DominatorsReport {
    let synthetic = g.node_type_index("synthetic");
    let mut nodes: Vec<NodeOrdinal> = g
        .nodes()
        .ordinals()
        .skip(1)
        .filter(|&v| Some(g.nodes().kind(v)) != synthetic)
        .collect();
    let retained = d.retained();
    let larger_first = |a: &NodeOrdinal, b: &NodeOrdinal| {
        retained[b.index()].cmp(&retained[a.index()]).then(a.cmp(b))
    };
    // The first `limit` only are sorted (there are millions of nodes).
    if let Some(limit) = limit.filter(|&l| l < nodes.len()) {
        nodes.select_nth_unstable_by(limit, larger_first);
        nodes.truncate(limit);
    }
    nodes.sort_by(larger_first);
    let idom = d.dominators.idom();
    let scripts = &d.scripts;
    let class = |v| class_name(d, scripts, v).to_string();
    let objects = nodes
        .into_iter()
        .map(|v| {
            let mut chain = Vec::new();
            let mut up = idom[v.index()];
            while up != NodeOrdinal::ROOT && chain.len() < 10_000 {
                chain.push(PathStep {
                    edge: String::new(),
                    class: class(up),
                    id: g.nodes().id(up).get(),
                    source: closure_source(g, scripts, up),
                });
                up = idom[up.index()];
            }
            chain.reverse();
            DominatorRow {
                class: class(v),
                id: g.nodes().id(v).get(),
                self_size: d.self_size_of(v),
                retained_size: d.retained_of(v),
                source: closure_source(g, scripts, v),
                dominated_by: chain,
            }
        })
        .collect();
    DominatorsReport {
        schema_version: 1,
        kind: "dominators",
        total_size: d.total_size,
        objects,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    use super::super::tests::load;
    use super::*;

    /// `(root)` → `global` → `Link` → `Link` → … (`n` links, 32 bytes each),
    /// in V8's JSON layout.
    fn chain(n: usize) -> HeapGraph {
        let mut nodes = String::from("9,0,1,0,2,0,0,9,1,3,0,1,0,0,3,2,5,40,1,0,0");
        for i in 0..n {
            let edges = usize::from(i + 1 < n);
            write!(nodes, ",3,3,{},32,{edges},0,0", 7 + 2 * i).unwrap();
        }
        let mut edges = String::from("1,1,7,5,4,14,1,1,14,2,4,21");
        for i in 0..n.saturating_sub(1) {
            write!(edges, ",2,4,{}", (4 + i) * 7).unwrap();
        }
        let json = format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{},"edge_count":{}}},"nodes":[{nodes}],"edges":[{edges}],"locations":[],"strings":["","(GC roots)","global / ","Link","next"]}}"#,
            n + 3,
            n + 3
        );
        heapdiff_parser::parse_snapshot(json.as_bytes())
            .unwrap()
            .value
    }

    /// A 10,000-link list: every link has its own path (one step longer
    /// than the last); the work is linear, so this finishes at once where
    /// a path per object made 10^8 steps.
    #[test]
    fn retainers_of_a_long_list_are_linear() {
        let n = 10_000;
        let g = chain(n);
        let d = super::super::analyze(&g);
        let target = RetainerTarget::Class("Link".into());
        let report = retainers(&g, &d, &target, &RetainersOptions { limit: Some(2) });
        assert_eq!((report.objects, report.unreachable), (n as u64, 0));
        let first = &report.groups[0];
        assert_eq!((first.count, first.retained_size), (1, 32 * n as u64));
        let steps: Vec<(&str, &str)> = first
            .path
            .iter()
            .map(|s| (s.edge.as_str(), s.class.as_str()))
            .collect();
        assert_eq!(steps, [(".next", "global / "), (".next", "Link")]);
        let second = &report.groups[1];
        assert_eq!(second.retained_size, 32 * (n as u64 - 1));
        assert_eq!(second.path.len(), 3);
        // The deepest link's path stops at the step cap, nearest the object.
        let index = RetainerIndex::build(&g);
        let last = NodeOrdinal::from_index(g.n_nodes() - 1);
        let deepest = shortest_path(&g, &d, &index, last);
        assert_eq!(deepest.len(), MAX_PATH_STEPS);
        assert_eq!(deepest.last().map(|s| s.id), Some(7 + 2 * (n as u64 - 1)));
    }

    /// The one-pass table gives every node the next hop the retainer
    /// index gives it, WeakMap table edges (ranked last) included.
    #[test]
    fn the_hop_table_agrees_with_the_retainer_index() {
        let mut weakmap_hops = 0;
        for file in [
            "../../fixtures/snapshot-diff/node-leak/after.heapsnapshot.gz",
            "../../fixtures/heapsnapshot/expose-internals/input.heapsnapshot.gz",
            "../../fixtures/heapsnapshot/browser-detached/input.heapsnapshot.gz",
        ] {
            let g = load(file);
            let d = super::super::analyze(&g);
            let index = RetainerIndex::build(&g);
            let (table, ranks) = (NextHops::build(&g, &d), HopRanks::of(&g));
            let mut hops = 0;
            for v in g.nodes().ordinals() {
                let want = next_hop(&g, &d, &index, &ranks, v);
                assert_eq!(table.of(&d, v), want, "{file} @{}", g.nodes().id(v).get());
                if let Some((_, e)) = want {
                    hops += 1;
                    weakmap_hops += usize::from(ranks.rank(&g, e, g.edges().kind(e)) == 3);
                }
            }
            assert!(hops > 10_000, "{file}: {hops}");
        }
        assert!(weakmap_hops > 0);
    }

    /// Count, retained size and path of a group.
    type Group = (u64, u64, Vec<PathStep>);

    /// The groups are those of one shortest path per object, grouped by
    /// shape and ordered by count, retained size and path.
    #[test]
    fn groups_equal_those_of_one_path_per_object() {
        let g = load("../../fixtures/snapshot-diff/node-leak/after.heapsnapshot.gz");
        let d = super::super::analyze(&g);
        let index = RetainerIndex::build(&g);
        // The leak's class and the largest ones of at most 300 objects.
        let mut classes: Vec<(u64, &str)> = (0..d.classes.names.len())
            .map(|c| (d.class_counts.count[c], d.classes.names[c].as_str()))
            .filter(|&(count, _)| count <= 300)
            .collect();
        classes.sort_unstable_by(|a, b| b.cmp(a));
        classes.truncate(5);
        classes.push((0, "RequestRecord"));
        for (_, class) in classes {
            let target = RetainerTarget::Class(class.into());
            let report = retainers(&g, &d, &target, &RetainersOptions { limit: None });
            let mut naive: BTreeMap<Vec<(String, String)>, Group> = BTreeMap::new();
            for v in g.nodes().ordinals() {
                let c = d.class_of(v);
                if d.classes.names[c] != class || d.self_size_of(v) == 0 {
                    continue;
                }
                let path = shortest_path(&g, &d, &index, v);
                if path.is_empty() {
                    continue;
                }
                let shape = path
                    .iter()
                    .map(|s| (shape_of(&s.edge), s.class.clone()))
                    .collect();
                let e = naive.entry(shape).or_insert((0, 0, path));
                e.0 += 1;
                e.1 += d.retained_of(v);
            }
            let mut naive: Vec<Group> = naive.into_values().collect();
            naive.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(b.1.cmp(&a.1))
                    .then_with(|| a.2.cmp(&b.2))
            });
            let got: Vec<Group> = report
                .groups
                .into_iter()
                .map(|gr| (gr.count, gr.retained_size, gr.path))
                .collect();
            assert!(!got.is_empty(), "{class}");
            assert_eq!(got, naive, "{class}");
        }
    }
}
