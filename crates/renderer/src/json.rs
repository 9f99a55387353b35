//! JSON output: the report structs as they are, pretty-printed, fields in
//! struct order, with `schema_version` first. A stable interface.

use std::io;

use serde::Serialize;

/// Writes any report as pretty JSON and a final newline.
///
/// # Errors
/// When writing fails.
pub fn write<T: Serialize>(out: &mut dyn io::Write, report: &T) -> io::Result<()> {
    // `io::Error::from` gives back the writer's own error (a closed pipe
    // stays a closed pipe); serialization errors become `InvalidData`.
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)?;
    out.write_all(b"\n")
}
