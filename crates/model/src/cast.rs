//! The workspace's narrowing conversions, each with its bound stated once.
//!
//! `clippy::cast_possible_truncation` is denied workspace-wide: a narrowing
//! `as` cast is written only where the value is proven in range right next
//! to it (with an `#[expect]` saying why); everywhere else a number is
//! narrowed through one of these functions or `try_from`, so what happens
//! beyond the range is said, not left to a silent wrap.

/// A position in a table the model holds (nodes, edges, strings, stack and
/// frame rows) as a `u32`. The parser and the builders refuse inputs whose
/// tables would not fit (`u32::MAX` entries or more), so a position beyond
/// is a bug in that check: it panics rather than wrap to a wrong row.
#[inline]
#[must_use]
#[track_caller]
pub fn to_u32(position: usize) -> u32 {
    match u32::try_from(position) {
        Ok(v) => v,
        Err(_) => panic!("position {position} beyond the 32-bit tables of the model"),
    }
}

/// A byte offset or count held as `u64` (offsets into the input, string
/// arena starts) as a `usize`, to index memory. The value counts bytes of
/// something in memory, so it fits on every target heapdiff runs on;
/// beyond, it saturates (the index then fails its bounds check).
#[inline]
#[must_use]
pub fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// The `u32` nearest `v`: `u32::MAX` for anything above. For values that
/// mean "at least this many" (counts in messages, V8's own 32-bit fields
/// given a wider number by a broken file), where the saturated value
/// still reads right.
#[inline]
#[must_use]
pub fn saturating_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}
