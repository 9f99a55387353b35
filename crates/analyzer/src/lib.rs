//! Pure analyses of heap profiles: `&model × &Options → Report`.
//!
//! Every function here is deterministic: integer arithmetic throughout, every
//! list sorted by a total order, and parallel reductions merged in a fixed
//! order, so reports are identical for any thread count. rayon is used
//! inside; the caller owns the thread pool (`ThreadPool::install`).
//!
//! ```
//! use heapdiff_analyzer::{call_tree, top, Weights, TopOptions};
//! use heapdiff_model::{FrameKey, ProfileBuilder};
//!
//! let mut b = ProfileBuilder::new();
//! let root = b.push_stack(None, FrameKey::pseudo("(root)"), 0, 1);
//! b.push_stack(Some(root), FrameKey::pseudo("(V8 API)"), 50, 2);
//! let profile = b.finish();
//! let tree = call_tree(&profile, &Weights::self_size(&profile));
//! let report = top(&profile, &tree, &TopOptions::default());
//! assert_eq!(report.rows[0].function.name, "(V8 API)");
//! assert_eq!(report.totals.total, 50);
//! ```
#![warn(missing_docs)]

mod aggregate;
mod align;
mod call_tree;
pub mod check;
pub mod class_trend;
mod diff;
mod filter;
mod frame_label;
mod grouping;
mod heavy;
pub mod live_growth;
mod noise;
mod report;
pub mod report_doc;
pub mod snapshot;
mod span;
pub mod timeline;
mod top_down;
pub mod trend;
mod varints;
mod weights;

pub use aggregate::{TopOptions, top};
pub use call_tree::{CallTree, call_tree};
pub use diff::{DiffKind, DiffOptions, MatchRows, Normalize, SortOrder, diff};
pub use filter::{FilterError, FrameFilter};
pub use frame_label::{display_name, frame_location};
pub use grouping::GroupBy;
pub use heavy::{BottomUpOptions, bottom_up};
pub use noise::estimate_interval;
pub use report::{
    BottomUpNode, BottomUpReport, DiffReport, DiffRow, DiffTotals, FlameNode, FlameTree, Function,
    GeneratedPosition, SCHEMA_VERSION, Status, TopReport, TopRow, TopTotals, TreeReport, TreeRow,
};
pub use span::{OrdinalRange, SpanBound, SpanError};
pub use top_down::{FoldedStack, TreeOptions, collapse, flame_tree, top_down};
pub use weights::Weights;
