//! Parsers for V8 memory profiles.
//!
//! The parser reads from any [`std::io::Read`] (a file, a gzip decoder, a
//! byte slice) through a fixed-size buffer, so memory stays proportional to
//! the model it builds, not to the input. It never panics on input: fatal
//! problems are a [`ParseError`] that names the section and byte offset,
//! quirks of real files are [`Warning`]s returned next to the value.
//!
//! ```
//! let json = br#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"",
//!   "lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[]},"samples":[]}"#;
//! let parsed = heapdiff_parser::parse_heapprofile(&json[..]).unwrap();
//! assert_eq!(parsed.value.stacks.len(), 1);
//! assert!(parsed.warnings.is_empty());
//! ```
#![warn(missing_docs)]

mod columns;
mod cursor;
mod error;
mod heapprofile;
mod kind;
mod scan;
mod shallow;
mod snapshot;
mod split;
mod trace_tree;

pub use error::{ParseError, Warning};
pub use heapprofile::parse_heapprofile;
pub use kind::{InputKind, detect};
pub use shallow::parse_snapshot_shallow;
pub use snapshot::{parse_snapshot, parse_snapshot_with};
pub use split::{
    ReadAt, parse_heapprofile_at, parse_heapprofile_file, parse_heapprofile_split_near,
};

/// A parsed value with the warnings found while parsing it.
#[derive(Debug)]
pub struct Parsed<T> {
    /// The parsed value.
    pub value: T,
    /// Quirks of the input that did not stop parsing, in the order found.
    pub warnings: Vec<Warning>,
}
