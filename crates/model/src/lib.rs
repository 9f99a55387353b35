//! The in-memory model of heapdiff: typed `u32` ids, one string arena, and
//! column tables for call trees with sampled sizes.
//!
//! The model does no I/O, no parallelism and no serialization. It is built
//! once by the parser and never mutated afterwards, so it is `Send + Sync`
//! and can be shared by the analyzer's worker threads.
//!
//! ```
//! use heapdiff_model::{FrameKey, ProfileBuilder, StackId};
//!
//! let mut b = ProfileBuilder::new();
//! let root = b.push_stack(None, FrameKey::pseudo("(root)"), 0, 1);
//! let main = b.push_stack(Some(root), FrameKey::pseudo("main"), 100, 2);
//! let profile = b.finish();
//! assert_eq!(profile.stacks.len(), 2);
//! assert_eq!(profile.stacks.parent(main), Some(StackId::ROOT));
//! ```
#![warn(missing_docs)]

pub mod cast;
mod graph;
mod ids;
pub mod memory;
mod profile;
mod remap;
mod shallow;
mod sizes;
pub mod steps;
mod string_table;
pub mod text;
mod validate;

pub use graph::{
    AllocationTrace, EdgeColumns, HeapGraph, Location, NodeColumns, OriginalLocation, SnapshotMeta,
    SnapshotStrings, TraceFunction,
};
pub use ids::{EdgePosition, FrameId, NodeOrdinal, ObjectId, SnapshotStringId, StackId, StringId};
pub use profile::{
    FrameKey, FrameTable, GeneratedFrame, HeapProfile, ProfileBuilder, ProfileMeta, SampleTable,
    StackTable, UnattributedSamples,
};
pub use remap::OriginalFrame;
pub use shallow::{ShallowGroup, ShallowSnapshot};
pub use sizes::Sizes;
pub use string_table::StringTable;
pub use validate::{InvariantError, validate};
