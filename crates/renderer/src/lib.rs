//! Report → bytes. One module per output format; every function writes to a
//! `&mut dyn io::Write` and makes no analysis decision (no sorting, no
//! filtering): reports arrive sorted and cut.
//!
//! ```
//! let mut out = Vec::new();
//! heapdiff_renderer::units::write_bytes(&mut out, 123_456).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "123 kB");
//! ```
#![warn(missing_docs)]

pub mod csv;
pub mod diff_flame;
pub mod diff_row;
pub mod escape;
mod fit;
pub mod flame;
pub mod folded;
pub mod json;
pub mod leaks;
pub mod live_growth;
pub mod markdown;
pub mod markup;
pub mod packages;
pub mod pprof;
pub mod report_html;
pub mod report_md;
pub mod shallow;
pub mod snapshot;
pub mod speedscope;
pub mod suspects;
pub mod table;
pub mod timeline;
pub mod trend;
pub mod units;

/// Presentation options shared by the text renderers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Colour the status column (only when writing to a terminal).
    pub color: bool,
    /// The terminal's width in columns, when the output is a terminal: long
    /// names, locations and stacks are then cut in the middle to fit, and
    /// stacks read leaf first. `None` (files, pipes) keeps the exact text.
    pub width: Option<usize>,
}

/// `text` with its first character in upper case, for a sentence built from
/// a phrase that is also used mid-sentence.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
