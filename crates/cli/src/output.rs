//! Writing results: standard output through one locked buffer (also for an
//! output file named `-`), regular files atomically (temporary file in the
//! same directory, then rename), anything else (a device, a FIFO) in place,
//! and never over an input or twice to one file.

mod pending;

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// One thing a command writes: the flag that names it, and the path given
/// (`-` for standard output).
pub(crate) struct Target<'a> {
    pub(crate) flag: &'static str,
    pub(crate) path: &'a Path,
}

impl<'a> Target<'a> {
    /// What a command prints on standard output by itself.
    pub(crate) fn printed() -> Target<'a> {
        Target {
            flag: "the printed result",
            path: Path::new("-"),
        }
    }
}

/// Refuses two outputs that would land in one file or both on standard
/// output, whatever names they are given (`x`, `./x`, a hard link, a
/// symbolic link, `/dev/stdout`).
pub(crate) fn check_distinct(targets: &[Target<'_>]) -> anyhow::Result<()> {
    let ids: Vec<Identity> = targets.iter().map(|t| identity(t.path)).collect();
    for (j, b) in targets.iter().enumerate() {
        let Some(i) = ids[..j].iter().position(|id| *id == ids[j]) else {
            continue;
        };
        let a = &targets[i];
        if ids[j] == Identity::Stdout {
            bail!("{} and {} both go to standard output", a.flag, b.flag);
        }
        bail!(
            "{} '{}' and {} '{}' are the same file",
            a.flag,
            a.path.display(),
            b.flag,
            b.path.display()
        );
    }
    Ok(())
}

/// Writes an output file: `-` (or the file standard output already is) to
/// standard output, a device or FIFO in place, a regular file atomically
/// (readers see the old file or the whole new one, never half of it, and a
/// failure or SIGINT/SIGTERM leaves no partial file behind). An input,
/// under whatever name, is never written.
pub(crate) fn to_file(
    path: &Path,
    inputs: &[&Path],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let target = identity(path);
    if target == Identity::Stdout {
        return to_stdout(write);
    }
    let shown = path.display();
    if inputs.iter().any(|input| identity(input) == target) {
        bail!("refusing to write '{shown}': it is one of the inputs");
    }
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => bail!("cannot write '{shown}': it is a directory"),
        Ok(m) if !m.is_file() => in_place(path, write),
        Ok(m) => atomically(&resolved(path), path, Some(m.permissions()), write),
        // A symbolic link to nothing (yet): followed, never replaced.
        Err(_) if is_symlink(path) => in_place(path, write),
        Err(_) => atomically(path, path, None, write),
    }?;
    crate::progress::wrote(path);
    Ok(())
}

/// Writes a file that is not a regular file (`/dev/null`, a FIFO, a
/// terminal) where it is: renaming over it would replace the device. Also
/// the way through a symbolic link whose file does not exist yet, which
/// this creates.
fn in_place(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let shown = path.display();
    let file = OpenOptions::new()
        .write(true)
        .create(is_symlink(path))
        .open(path)
        .with_context(|| format!("cannot open '{shown}' for writing"))?;
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    write(&mut out).with_context(|| format!("cannot write '{shown}'"))?;
    out.flush()
        .with_context(|| format!("cannot write '{shown}'"))
}

/// The file a symbolic link leads to, so that the link stays a link and
/// the file it names gets the new contents.
fn resolved(path: &Path) -> PathBuf {
    match is_symlink(path) {
        true => fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        false => path.to_path_buf(),
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Writes `target` through a temporary file next to it, renamed over it at
/// the end. A new file gets the mode the umask allows; an existing one
/// (`mode`) keeps its own.
fn atomically(
    target: &Path,
    given: &Path,
    mode: Option<fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let shown = given.display();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".heapdiff-");
    if let Some(p) = new_file_permissions() {
        builder.permissions(p);
    }
    let mut list = pending::lock();
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file next to '{shown}'"))?;
    let tmp_path = tmp.path().to_path_buf();
    list.push(tmp_path.clone());
    drop(list);

    let written = write_buffered(tmp.as_file_mut(), write)
        .and_then(|()| mode.map_or(Ok(()), |m| tmp.as_file().set_permissions(m)));

    // Renamed or removed while listed, so a signal finds either the
    // temporary file still listed or no temporary file at all.
    let mut list = pending::lock();
    let done = match written {
        Ok(()) => tmp.persist(target).map(drop).map_err(|e| e.error),
        Err(e) => {
            drop(tmp);
            Err(e)
        }
    };
    pending::forget(&mut list, &tmp_path);
    drop(list);
    done.with_context(|| format!("cannot write '{shown}'"))
}

fn write_buffered(
    file: &mut fs::File,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    write(&mut out)?;
    out.flush()
}

/// Temporary files are private (0600) by default; outputs are created
/// 0666 less the umask, as any other program's.
#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}

/// What an output path stands for, to tell whether two names are one file.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    Stdout,
    File(FileId),
    /// A file that does not exist yet: its absolute name.
    Name(PathBuf),
}

fn identity(path: &Path) -> Identity {
    if path.as_os_str() == "-" {
        return Identity::Stdout;
    }
    match file_id(path) {
        Some(id) if stdout_id().as_ref() == Some(&id) => Identity::Stdout,
        Some(id) => Identity::File(id),
        None => Identity::Name(absolute_name(path)),
    }
}

/// The name a file would get: its directory resolved (`sub/..`, `.`,
/// symbolic links), then its own name.
fn absolute_name(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (fs::canonicalize(dir), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Device and inode: the same for every name of a file.
#[cfg(unix)]
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt as _;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(unix)]
fn stdout_id() -> Option<FileId> {
    use std::os::fd::AsFd as _;
    use std::os::unix::fs::MetadataExt as _;
    let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
    let m = fs::File::from(fd).metadata().ok()?;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    fs::canonicalize(path).ok()
}

#[cfg(not(unix))]
fn stdout_id() -> Option<FileId> {
    None
}
