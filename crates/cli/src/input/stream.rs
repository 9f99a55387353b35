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
    /// Reading failed.
    Io(io::Error),
}

/// Reads the rest of a stream after its first bytes into one buffer. The
/// buffer grows by doubling through `try_reserve`, so running out of
/// memory is an error saying so, not an abort.
pub(super) fn read_all(head: Vec<u8>, mut rest: impl Read) -> Result<Vec<u8>, ReadAllError> {
    const FIRST_STEP: usize = 1 << 20;
    let mut len = head.len();
    let mut bytes = head;
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
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadAllError::Io(e)),
        }
    }
    bytes.truncate(len);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::read_all;

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
