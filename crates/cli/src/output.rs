//! Writing results: standard output through one locked buffer, files
//! atomically (temporary file in the same directory, then rename), never
//! over an input.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{Context as _, bail};

/// Runs `write` against buffered standard output.
pub(crate) fn to_stdout(
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    crate::progress::clear();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    write(&mut out).context("cannot write to standard output")?;
    out.flush().context("cannot write to standard output")
}

/// Lets go of a large result without freeing it. Commands call this with
/// the loaded snapshot and its analysis once their output is written: the
/// process ends right after, and the kernel takes the memory back at
/// once, whereas freeing gigabytes of arrays one by one first unmaps them
/// page by page (a tenth of a second and more on big snapshots).
pub(crate) fn release_at_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Writes a file atomically: readers see the old file or the whole new
/// one, never half of it, and a failure leaves no partial file behind.
pub(crate) fn to_file(
    path: &Path,
    inputs: &[&Path],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let shown = path.display();
    if let Ok(target) = fs::canonicalize(path) {
        for input in inputs {
            if fs::canonicalize(input).is_ok_and(|i| i == target) {
                bail!("refusing to write '{shown}': it is one of the inputs");
            }
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".heapdiff-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file next to '{shown}'"))?;
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        write(&mut out).with_context(|| format!("cannot write '{shown}'"))?;
        out.flush()
            .with_context(|| format!("cannot write '{shown}'"))?;
    }
    set_readable(tmp.as_file());
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write '{shown}'"))?;
    Ok(())
}

/// Temporary files are created private (0600); a report or SVG is meant to
/// be shared, so give it the usual 0644 before it takes its final name.
#[cfg(unix)]
fn set_readable(file: &fs::File) {
    use std::os::unix::fs::PermissionsExt as _;
    let _ = file.set_permissions(fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_readable(_file: &fs::File) {}
