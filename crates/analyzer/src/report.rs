//! Report types: the only serializable values of heapdiff. Their JSON form
//! is a stable interface (`schema_version` 1, documented in the README).
//! Sizes are integers; percentages are left to the renderer.

use serde::Serialize;

use crate::GroupBy;

/// The JSON schema version of every report.
pub const SCHEMA_VERSION: u32 = 1;

/// One row of `heapdiff top`: a function (or stack, script, package) with
/// DevTools' Heavy-view self and total bytes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TopRow {
    /// The function (or script, package) the row is about.
    #[serde(flatten)]
    pub function: Function,
    /// Bytes allocated by this row itself.
    #[serde(rename = "self")]
    pub self_bytes: u64,
    /// Bytes allocated by this row and its callees, recursion counted once.
    pub total: u64,
    /// Number of samples behind `self`.
    pub samples: u64,
    /// Root-to-leaf frames, for `--by stack`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
}

/// What a profile row is about: a function as DevTools displays it (or,
/// grouped, a stack's leaf, a script or a package), with its place in the
/// source and, where a source map moved it, in the generated code. Rows
/// embed it flattened, so its fields are the row's own in JSON.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Function {
    /// Name as displayed (`(anonymous)` for `""`), or the script / package
    /// for `--by script|package`.
    pub name: String,
    /// Script URL, `""` when unknown.
    pub url: String,
    /// 1-based line, as DevTools displays it (`null` when unknown).
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// Where a source map found the function in the generated code; absent
    /// where no map applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<GeneratedPosition>,
}

/// A function's name and place in the generated (bundled, minified) code,
/// beside the original ones a source map gave it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GeneratedPosition {
    /// The name V8 recorded.
    pub name: String,
    /// The generated script's URL.
    pub url: String,
    /// 1-based line in the generated script.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
}

/// Totals of a single-profile report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TopTotals {
    /// `root.total`: the denominator of every percentage.
    pub total: u64,
    /// Samples attributed to the tree.
    pub samples: u64,
    /// Bytes of samples whose node is missing from the tree.
    pub unattributed: u64,
    /// Number of rows before `--top` cut the list.
    pub rows: usize,
}

/// `heapdiff top`.
#[derive(Debug, Clone, Serialize)]
pub struct TopReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"top"`.
    pub kind: &'static str,
    /// What a row stands for.
    pub by: GroupBy,
    /// Rows, sorted by self (or total) descending, then name, URL, position.
    pub rows: Vec<TopRow>,
    /// Totals.
    pub totals: TopTotals,
}

/// One row of the top-down tree (DevTools' Tree view).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeRow {
    /// Depth below the root (root's children are 0).
    pub depth: u32,
    /// The function (or script, package) the row is about.
    #[serde(flatten)]
    pub function: Function,
    /// Self bytes.
    #[serde(rename = "self")]
    pub self_bytes: u64,
    /// Total bytes.
    pub total: u64,
}

/// `heapdiff tree`.
#[derive(Debug, Clone, Serialize)]
pub struct TreeReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"tree"`.
    pub kind: &'static str,
    /// Rows in display order (depth-first, children by total descending).
    pub rows: Vec<TreeRow>,
    /// Totals.
    pub totals: TopTotals,
}

/// A node of the bottom-up (Heavy) view: a function and, as children, its
/// callers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BottomUpNode {
    /// The function (or script, package) the row is about.
    #[serde(flatten)]
    pub function: Function,
    /// Self bytes carried along this caller chain.
    #[serde(rename = "self")]
    pub self_bytes: u64,
    /// Total bytes carried along this caller chain.
    pub total: u64,
    /// Callers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callers: Vec<BottomUpNode>,
}

/// `heapdiff tree --bottom-up`: DevTools' Heavy view with callers.
#[derive(Debug, Clone, Serialize)]
pub struct BottomUpReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"bottom-up"`.
    pub kind: &'static str,
    /// Functions, by self descending.
    pub rows: Vec<BottomUpNode>,
    /// Totals.
    pub totals: TopTotals,
}

/// How a row changed between the two profiles.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// More bytes after than before.
    Grew,
    /// Fewer bytes after than before.
    Shrank,
    /// Only in the after profile.
    New,
    /// Only in the before profile.
    Gone,
    /// Same bytes.
    Same,
}

impl Status {
    /// Classifies a before/after pair.
    #[must_use]
    pub fn of(before: u64, after: u64) -> Status {
        match (before, after) {
            (0, 0) => Status::Same,
            (0, _) => Status::New,
            (_, 0) => Status::Gone,
            (b, a) if a > b => Status::Grew,
            (b, a) if a < b => Status::Shrank,
            _ => Status::Same,
        }
    }

    /// The lower-case word used in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Grew => "grew",
            Status::Shrank => "shrank",
            Status::New => "new",
            Status::Gone => "gone",
            Status::Same => "same",
        }
    }
}

/// One row of a diff.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiffRow {
    /// The function (or script, package) the row is about.
    #[serde(flatten)]
    pub function: Function,
    /// Self bytes before (after `--normalize`).
    pub before: u64,
    /// Self bytes after.
    pub after: u64,
    /// `after - before`.
    pub delta: i64,
    /// new / gone / grew / shrank / same.
    pub status: Status,
    /// The change is within the sampling error of this row.
    pub noise: bool,
    /// Total (inclusive) bytes before.
    pub total_before: u64,
    /// Total (inclusive) bytes after.
    pub total_after: u64,
    /// Samples behind `before`.
    pub samples_before: u64,
    /// Samples behind `after`.
    pub samples_after: u64,
    /// Root-to-leaf frames, for `--by stack`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
}

/// Totals of a diff.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiffTotals {
    /// Profile total before (after `--normalize`).
    pub before: u64,
    /// Profile total after.
    pub after: u64,
    /// `after - before`.
    pub delta: i64,
    /// Unattributed bytes before.
    pub unattributed_before: u64,
    /// Unattributed bytes after.
    pub unattributed_after: u64,
    /// Sampling interval used for the noise floor, before (bytes).
    pub interval_before: Option<u64>,
    /// Sampling interval used for the noise floor, after (bytes).
    pub interval_after: Option<u64>,
    /// Rows before `--top` cut the list.
    pub rows: usize,
    /// Rows marked new.
    pub new_rows: usize,
    /// Rows marked gone.
    pub gone_rows: usize,
}

/// `heapdiff diff` / `heapdiff spans`.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"diff"` or `"spans"`.
    pub kind: crate::DiffKind,
    /// What a row stands for.
    pub by: GroupBy,
    /// `none`, `total` or `interval`.
    pub normalize: crate::Normalize,
    /// Timelines only: the allocation sites whose live objects grew most,
    /// with their classes and retainer paths (absent for sampling profiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_growth: Option<crate::live_growth::LiveGrowth>,
    /// Rows, sorted as asked (growth first by default).
    pub rows: Vec<DiffRow>,
    /// Totals.
    pub totals: DiffTotals,
}

/// A node of the union call tree of two profiles (for differential flame
/// graphs). Nodes are in pre-order; `parent < index`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlameNode {
    /// Parent node; `None` for the root.
    pub parent: Option<u32>,
    /// Function name as displayed.
    pub name: String,
    /// `url:line:col`, `""` if unknown.
    pub location: String,
    /// Self bytes before.
    pub self_before: u64,
    /// Self bytes after.
    pub self_after: u64,
    /// Total bytes before.
    pub total_before: u64,
    /// Total bytes after.
    pub total_after: u64,
    /// The change of the total is within its sampling error (the diff's
    /// noise rule, on the frame's samples).
    pub noise: bool,
    /// Width in the differential layout: `max(self_before, self_after)` plus
    /// the widths of the children, so removed code keeps its width.
    pub width: u64,
    /// Children, in drawing order (by name).
    pub children: Vec<u32>,
}

/// The union call tree of two profiles.
#[derive(Debug, Clone, Serialize)]
pub struct FlameTree {
    /// Nodes; node 0 is the root.
    pub nodes: Vec<FlameNode>,
}
