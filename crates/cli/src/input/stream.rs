//! Inputs that can be read only once (pipes, FIFOs, standard input): their
//! hash is taken while they are read, for reports, and a snapshot read from
//! one is gathered in memory with every allocation checked.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

/// Size and SHA-256 of the streams read to their end, by input name.
static DIGESTS: Mutex<Vec<(String, u64, String)>> = Mutex::new(Vec::new());

/// Size and SHA-256 (hex) of an input that was read as a stream, once it
/// was read to its end; `None` for regular files.
pub(crate) fn streamed_digest(path: &Path) -> Option<(u64, String)> {
    let name = path.display().to_string();
    let digests = DIGESTS.lock().ok()?;
    digests
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, bytes, sha)| (*bytes, sha.clone()))
}

/// Passes a stream through, hashing it; records the digest at its end.
pub(super) struct Hashing {
    file: File,
    name: String,
    hasher: Option<Sha256>,
    bytes: u64,
}

impl Hashing {
    pub(super) fn new(file: File, path: &Path) -> Self {
        Hashing {
            file,
            name: path.display().to_string(),
            hasher: Some(Sha256::new()),
            bytes: 0,
        }
    }
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        if n > 0 {
            self.bytes += n as u64;
            if let Some(h) = &mut self.hasher {
                h.update(&buf[..n]);
            }
        } else if !buf.is_empty() {
            if let Some(h) = self.hasher.take() {
                let sha = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
                if let Ok(mut d) = DIGESTS.lock() {
                    d.push((std::mem::take(&mut self.name), self.bytes, sha));
                }
            }
        }
        Ok(n)
    }
}

/// Why a stream could not be gathered in memory.
pub(super) enum ReadAllError {
    /// Growing the buffer failed after this many bytes.
    OutOfMemory { so_far: usize },
    /// A run of more than [`MAX_WHITESPACE`] bytes of whitespace, `run`
    /// bytes long so far, began at byte `at`: no V8 file has one.
    Whitespace { run: usize, at: usize },
    /// Reading failed.
    Io(io::Error),
}

/// The longest run of whitespace a stream may hold.
const MAX_WHITESPACE: usize = 64 << 20;

/// Reads the rest of a stream after its first bytes into one buffer. The
/// buffer grows by doubling through `try_reserve`, so running out of
/// memory is an error saying so, not an abort; an endless run of
/// whitespace (a compressed bomb) is refused early.
pub(super) fn read_all(head: Vec<u8>, mut rest: impl Read) -> Result<Vec<u8>, ReadAllError> {
    const FIRST_STEP: usize = 1 << 20;
    let mut len = head.len();
    let mut bytes = head;
    let mut blank = WhitespaceRun::default();
    loop {
        if len == bytes.len() {
            let more = len.max(FIRST_STEP);
            bytes
                .try_reserve_exact(more)
                .map_err(|_| ReadAllError::OutOfMemory { so_far: len })?;
            bytes.resize(len + more, 0);
        }
        match rest.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => {
                blank.note(&bytes[..len + n], len)?;
                len += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadAllError::Io(e)),
        }
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// The run of whitespace that ends the bytes read so far, followed chunk
/// by chunk: a chunk that is not all whitespace costs a look at its first
/// bytes only.
#[derive(Default)]
struct WhitespaceRun {
    /// Where the run began, while every chunk since has been whitespace.
    start: Option<usize>,
}

impl WhitespaceRun {
    /// Notes the chunk `bytes[from..]` just read.
    fn note(&mut self, bytes: &[u8], from: usize) -> Result<(), ReadAllError> {
        if !bytes[from..].iter().all(|&b| is_ws(b)) {
            self.start = None;
            return Ok(());
        }
        let before = &bytes[..from];
        let start = *self
            .start
            .get_or_insert_with(|| from - before.iter().rev().take_while(|&&b| is_ws(b)).count());
        let run = bytes.len() - start;
        if run > MAX_WHITESPACE {
            return Err(ReadAllError::Whitespace { run, at: start });
        }
        Ok(())
    }
}

/// JSON's whitespace.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::{MAX_WHITESPACE, ReadAllError, read_all};

    #[test]
    fn an_endless_run_of_whitespace_is_refused_where_it_began() {
        let mut head = b"{\"snapshot\":".to_vec();
        head.extend_from_slice(b"\n \t\r".repeat(1000).as_slice());
        let rest = std::io::repeat(b' ').take(3 * MAX_WHITESPACE as u64);
        match read_all(head, rest) {
            Err(ReadAllError::Whitespace { run, at }) => {
                assert_eq!(at, 12);
                assert!(run > MAX_WHITESPACE && run < 2 * MAX_WHITESPACE, "{run}");
            }
            _ => panic!("the whitespace was read on"),
        }
        // Whitespace up to the bound, then more data, is read.
        let rest = std::io::repeat(b' ')
            .take(MAX_WHITESPACE as u64 - 1)
            .chain(&b"1}"[..]);
        assert!(read_all(b"{\"a\":".to_vec(), rest).is_ok());
    }

    #[test]
    fn gathers_the_head_and_the_rest() {
        let rest: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let Ok(all) = read_all(b"head:".to_vec(), &rest[..]) else {
            panic!("read_all failed");
        };
        assert_eq!(&all[..5], b"head:");
        assert_eq!(&all[5..], &rest[..]);
    }
}
