//! Report types of the snapshot views (JSON schema version 1).

use serde::Serialize;

use super::SourcePosition;

/// One class of the Summary view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassRow {
    /// Class name.
    pub name: String,
    /// Class key (the grouping key; includes the location for objects).
    pub key: String,
    /// Number of objects (with adjusted self size > 0).
    pub count: u64,
    /// Σ adjusted shallow size.
    pub self_size: u64,
    /// Retained size of the class (DevTools' "max retained").
    pub retained_size: u64,
    /// Minimum distance of the members; `null` when not reachable from a
    /// user root (DevTools shows `−`).
    pub distance: Option<i32>,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
}

/// Where a class's constructor is: in the source, and in the generated code
/// where a source map moved it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Origin {
    /// The position in the source, for classes keyed by location (resolved
    /// from the snapshot's Script objects; the original position where a
    /// source map has one); `null` otherwise or when the script has no URL
    /// in the snapshot.
    pub source: Option<SourcePosition>,
    /// Where a source map found the constructor in the generated code, with
    /// V8's class name (the class name field then holds the original one
    /// where the map has it); absent where no map applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<crate::report::GeneratedPosition>,
}

/// Totals of a Summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SummaryTotals {
    /// Total size: retained size of the root plus extra native bytes.
    pub total_size: u64,
    /// Number of nodes in the snapshot.
    pub nodes: u64,
    /// Number of edges.
    pub edges: u64,
    /// Classes before `--top`.
    pub classes: usize,
    /// Nodes not reachable from the root over retaining edges.
    pub unreachable_nodes: u64,
    /// Native nodes of detached DOM trees.
    pub detached_nodes: u64,
    /// Bytes retained by detached DOM nodes (each counted once).
    pub detached_retained: u64,
    /// With a span (`summary --span`): the objects allocated in it, which
    /// the class rows and their percentages are about. Absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<SpanTotals>,
}

/// The objects of a `summary --span` selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpanTotals {
    /// Objects allocated in the span and still alive.
    pub objects: u64,
    /// Their shallow size.
    pub self_size: u64,
}

/// `heapdiff summary`.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"summary"`.
    pub kind: &'static str,
    /// Classes by retained size descending, then name, then key.
    pub classes: Vec<ClassRow>,
    /// Totals.
    pub totals: SummaryTotals,
}

/// One package of the Summary by package (`--by package`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PackageRow {
    /// The npm package, `node:`, `(v8)`, `(unknown)`, a script URL, or
    /// `(no source)` for objects without a source position.
    pub package: String,
    /// Objects with a shallow size.
    pub count: u64,
    /// Σ shallow size.
    pub self_size: u64,
    /// Retained size, each dominator subtree counted once.
    pub retained_size: u64,
}

/// `heapdiff summary --by package`.
#[derive(Debug, Clone, Serialize)]
pub struct PackageSummaryReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"summary"`.
    pub kind: &'static str,
    /// `"package"`.
    pub by: &'static str,
    /// The heap's total size.
    pub total_size: u64,
    /// Packages before the limit.
    pub n_packages: usize,
    /// By retained size descending, then name.
    pub packages: Vec<PackageRow>,
}

/// What changed in a group of objects (a class, a package) between two
/// snapshots, matched by object id: DevTools' Comparison columns.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Change {
    /// Objects only in the current snapshot.
    pub new: u64,
    /// Objects only in the base snapshot.
    pub deleted: u64,
    /// `new - deleted`.
    pub delta: i64,
    /// Σ self of new objects.
    pub alloc_size: u64,
    /// Σ self of deleted objects.
    pub freed_size: u64,
    /// `alloc_size - freed_size`.
    pub size_delta: i64,
}

impl Change {
    /// No object of the group is new or deleted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.new == 0 && self.deleted == 0
    }
}

/// One package of the Comparison by package.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PackageCompareRow {
    /// As in [`PackageRow::package`].
    pub package: String,
    /// New and deleted objects and their sizes.
    #[serde(flatten)]
    pub change: Change,
    /// Retained size in the base, each dominator subtree counted once.
    pub retained_before: u64,
    /// Retained size in the current snapshot.
    pub retained_after: u64,
}

/// `heapdiff BEFORE AFTER --by package` for heap snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct PackageCompareReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"snapshot-diff"`.
    pub kind: &'static str,
    /// `"package"`.
    pub by: &'static str,
    /// The base's total size.
    pub total_before: u64,
    /// The current snapshot's total size.
    pub total_after: u64,
    /// By allocated size, then retained growth, then name.
    pub packages: Vec<PackageCompareRow>,
}

/// One class of the Comparison view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CompareRow {
    /// Class name (current snapshot's, else the base's).
    pub name: String,
    /// Class key.
    pub key: String,
    /// New and deleted objects and their sizes.
    #[serde(flatten)]
    pub change: Change,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
}

/// Objects allocated between the two snapshots, by class.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewObjectsRow {
    /// Class name.
    pub name: String,
    /// Number of objects with ids after the base snapshot's last id.
    pub count: u64,
    /// Σ adjusted self size.
    pub self_size: u64,
    /// Retained size of the group (each dominator subtree counted once).
    pub retained_size: u64,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
    /// The shortest retainer path of the group's largest object, from a
    /// GC root (`[]` when unreachable).
    pub retainer_path: Vec<PathStep>,
}

/// A leak suspect: new objects of one class key (class and allocation
/// position) with the retained size they add.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suspect {
    /// Class name.
    pub class: String,
    /// Class key.
    pub key: String,
    /// New objects of the class key that no new application object of
    /// another key dominates (with `suspects_basis` `grown_classes`: the
    /// class key's objects, new or old, counted the same way).
    pub count: u64,
    /// With `suspects_basis` `grown_classes`: the class key's objects less
    /// the base's; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_growth: Option<i64>,
    /// Σ retained sizes of the outermost of them, those no new application
    /// object dominates (each byte counted once across suspects).
    pub retained_size: u64,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
    /// The retainer paths of the outermost ones from the GC roots, grouped
    /// by shape (edge names and classes, element indices ignored), most
    /// followed first (at most 3).
    pub clusters: Vec<SuspectCluster>,
}

/// Objects of a suspect kept alive through paths of one shape.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SuspectCluster {
    /// How many of the suspect's objects follow it.
    pub count: u64,
    /// The path of the first of them, from a GC root.
    pub path: Vec<PathStep>,
}

impl From<RetainerGroup> for SuspectCluster {
    /// A path group as a cluster: its count and path.
    fn from(group: RetainerGroup) -> Self {
        Self {
            count: group.count,
            path: group.path,
        }
    }
}

/// `heapdiff leaks BASELINE TARGET FINAL [MORE…]`.
#[derive(Debug, Clone, Serialize)]
pub struct LeaksReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"leaks"`.
    pub kind: &'static str,
    /// What the objects are: survivors followed by id (`new_objects`), or,
    /// when the baseline and the final snapshot share too few object ids,
    /// the objects of the classes that grew at every step
    /// (`grown_classes`).
    pub basis: SuspectBasis,
    /// How many snapshots were compared (3 or more).
    pub snapshots: usize,
    /// Retainer path clusters of the surviving objects, largest retained
    /// size first.
    pub clusters: Vec<LeakCluster>,
    /// Clusters before `--top`.
    pub clusters_total: usize,
    /// Surviving application objects counted (each class key's outermost
    /// ones and those of the same key inside them), `--ignore-class` left
    /// out.
    pub survivors: u64,
    /// Σ retained size of the outermost surviving objects: each byte once.
    pub survivors_retained: u64,
    /// Class keys with surviving objects.
    pub classes: usize,
    /// Total size of the final snapshot.
    pub total_final: u64,
}

/// Surviving objects of one class key kept alive through paths of one
/// shape.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeakCluster {
    /// Class name.
    pub class: String,
    /// Class key.
    pub key: String,
    /// Outermost surviving objects of the class key on paths of this shape
    /// (those of the same key inside their retained size, such as the
    /// later links of a list, are not counted again).
    pub count: u64,
    /// Σ retained size of those objects in the final snapshot.
    pub retained_size: u64,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
    /// The path of the first of them, from a GC root.
    pub path: Vec<PathStep>,
}

/// `heapdiff A.heapsnapshot B.heapsnapshot`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"snapshot-diff"`.
    pub kind: &'static str,
    /// What the suspects are: the new objects (ids not in the base), or,
    /// when the two snapshots share too few object ids to tell new from
    /// old (`different_processes`), the objects of the classes that grew.
    pub suspects_basis: SuspectBasis,
    /// Leak suspects, most likely first (at most 5).
    pub suspects: Vec<Suspect>,
    /// Σ retained size of the suspects shown: how much of the growth
    /// (`total_after - total_before`) they explain.
    pub suspects_retained: u64,
    /// Classes by allocated size descending, then name, then key.
    pub classes: Vec<CompareRow>,
    /// Objects allocated between the snapshots, by retained size.
    pub allocated_between: Vec<NewObjectsRow>,
    /// Total size of the base snapshot.
    pub total_before: u64,
    /// Total size of the current snapshot.
    pub total_after: u64,
    /// The two snapshots look like they come from different processes
    /// (object ids barely overlap), so the comparison means little.
    pub different_processes: bool,
}

/// What the suspects of a snapshot diff, or the objects `leaks` reports,
/// were chosen by.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SuspectBasis {
    /// Object ids: objects new since the base (diff), or new in the target
    /// and alive in every later snapshot (`leaks`).
    NewObjects,
    /// Class counts, when object ids are not shared between the
    /// snapshots: the objects of the classes that grew (diff), or that grew
    /// at every step (`leaks`).
    GrownClasses,
}

/// One hop of a retainer path, read from the GC root towards the object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathStep {
    /// The edge into this node, as DevTools names it (`.name`, `[3]`,
    /// `->ctx`, `{internal}`); empty for the first node.
    pub edge: String,
    /// Class name of the node.
    pub class: String,
    /// The node's object id.
    pub id: u64,
    /// Where the node is defined in the source, for closures whose script
    /// the snapshot names; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePosition>,
}

/// A group of objects kept alive through the same path.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RetainerGroup {
    /// Number of target objects that share the path shape.
    pub count: u64,
    /// Σ retained size of those objects.
    pub retained_size: u64,
    /// The path of the first of them (ids are that object's path).
    pub path: Vec<PathStep>,
}

/// `heapdiff retainers`.
#[derive(Debug, Clone, Serialize)]
pub struct RetainersReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"retainers"`.
    pub kind: &'static str,
    /// What was asked for (`class NAME` or `@id`).
    pub target: String,
    /// Number of objects matched.
    pub objects: u64,
    /// Objects with no path from a root (only weak retainers or cycles).
    pub unreachable: u64,
    /// Path groups by count, then retained size.
    pub groups: Vec<RetainerGroup>,
}

/// One object of the dominators view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DominatorRow {
    /// Class name.
    pub class: String,
    /// Object id.
    pub id: u64,
    /// Adjusted self size.
    pub self_size: u64,
    /// Retained size.
    pub retained_size: u64,
    /// Where the object is defined, for closures (see [`PathStep::source`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePosition>,
    /// Dominator chain from the root's child down to this object's
    /// immediate dominator.
    pub dominated_by: Vec<PathStep>,
}

/// `heapdiff dominators`.
#[derive(Debug, Clone, Serialize)]
pub struct DominatorsReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"dominators"`.
    pub kind: &'static str,
    /// Total size.
    pub total_size: u64,
    /// Objects by retained size.
    pub objects: Vec<DominatorRow>,
}

/// What an accumulation point holds: the objects it dominates directly
/// (through the VM's own containers, such as an array's elements), by
/// class.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldClass {
    /// Class name.
    pub class: String,
    /// V8's class name and the generated place of its constructor, where
    /// a source map moved it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<crate::report::GeneratedPosition>,
    /// How many such objects it holds.
    pub count: u64,
    /// Σ their retained sizes.
    pub retained_size: u64,
}

/// One suspect of a single snapshot: an object (`count` 1) or a class whose
/// retained size is a large share of the heap.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccumulationCluster {
    /// `"object"`: one object, the accumulation point; `"class"`: every
    /// object of a class, counted once.
    pub scope: &'static str,
    /// Class name of the object (of the class).
    pub class: String,
    /// 1 for an object; the objects of a class.
    pub count: u64,
    /// Retained size (of a class: Σ over its objects no other object of
    /// the class dominates).
    pub retained_size: u64,
    /// `retained_size` as a share of the heap's total size, in percent.
    pub share: f64,
    /// Where the class's constructor is (see [`Origin`]).
    #[serde(flatten)]
    pub origin: Origin,
    /// For an object whose class has no position (an `Array`, a `Map`):
    /// where its holder is defined, the retainer owning the edge the path
    /// ends with (a closure's or a constructor's position; for a
    /// function's context, the first closure of that context). `null` when
    /// `source` is given or no retainer has a position.
    pub holder_source: Option<SourcePosition>,
    /// The object's id (of a class: its biggest object's).
    pub id: u64,
    /// Not the program's own (shown with `--all-suspects` only): a V8
    /// internal, a string, an array, an embedder object; for a class, also
    /// one without a constructor in the program's scripts (`Function`,
    /// `Object`, node's `node:` modules).
    pub internal: bool,
    /// What it holds, biggest first (at most 5 classes).
    pub holds: Vec<HeldClass>,
    /// The shortest retainer path from a GC root to the object (of a
    /// class: to its biggest object).
    pub path: Vec<PathStep>,
}

/// `heapdiff suspects FILE.heapsnapshot`.
#[derive(Debug, Clone, Serialize)]
pub struct AccumulationReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"suspects"`.
    pub kind: &'static str,
    /// The heap's total size.
    pub total_size: u64,
    /// The share a suspect retains at least, in percent.
    pub min_share: f64,
    /// The suspects, by retained size descending.
    pub clusters: Vec<AccumulationCluster>,
}
