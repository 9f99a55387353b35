//! Strict gzip decompression: one or more members, each checked against its
//! CRC-32 and length; a truncated member, a corrupt one or bytes after the
//! last member are errors naming what is wrong and where.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

/// The first two bytes of every gzip member.
pub(super) const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What is wrong with a gzip stream, carried inside an `io::Error` so that
/// it passes through the parsers unchanged.
#[derive(Debug)]
struct GzipError(String);

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GzipError {}

/// Whether a read error is a problem of the gzip data itself.
pub(super) fn is_gzip_error(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<GzipError>())
}

/// The decompressed bytes of a gzip stream.
pub(super) struct Gunzip<R: Read> {
    /// The member being read; `None` once the stream ended or failed.
    member: Option<GzDecoder<Counting<BufReader<R>>>>,
    /// Decompressed bytes produced so far.
    produced: u64,
}

impl<R: Read> Gunzip<R> {
    pub(super) fn new(raw: R) -> Self {
        let raw = Counting {
            inner: BufReader::with_capacity(64 * 1024, raw),
            consumed: 0,
        };
        Gunzip {
            member: Some(GzDecoder::new(raw)),
            produced: 0,
        }
    }

    /// Turns a decoder error into one that says what is wrong and where.
    fn fail(&mut self, e: &io::Error, consumed: u64) -> io::Error {
        self.member = None;
        let at = self.produced;
        let what = if e.kind() == io::ErrorKind::UnexpectedEof {
            format!(
                "the gzip data is truncated: it ends at byte {consumed} of the file, after {at} decompressed bytes"
            )
        } else if e.to_string().contains("checksum") {
            format!(
                "corrupt gzip data: the checksum or length of a member does not match its contents (after {at} decompressed bytes)"
            )
        } else {
            format!(
                "corrupt gzip data near byte {consumed} of the file, after {at} decompressed bytes ({e})"
            )
        };
        io::Error::new(io::ErrorKind::InvalidData, GzipError(what))
    }

    /// After a member ended (its checksum verified): starts the next one,
    /// or reports the end, or rejects what follows.
    fn next_member(&mut self) -> io::Result<bool> {
        let Some(done) = self.member.take() else {
            return Ok(false);
        };
        let mut raw = done.into_inner();
        let consumed = raw.consumed;
        let next = raw.fill_buf()?;
        if next.is_empty() {
            return Ok(false);
        }
        if next[0] != MAGIC[0] {
            let what = format!(
                "unexpected data after the end of the gzip data, at byte {consumed} of the file"
            );
            return Err(io::Error::new(io::ErrorKind::InvalidData, GzipError(what)));
        }
        self.member = Some(GzDecoder::new(raw));
        Ok(true)
    }
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            match member.read(buf) {
                Ok(0) => {
                    if !self.next_member()? {
                        return Ok(0);
                    }
                }
                Ok(n) => {
                    self.produced += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let consumed = member.get_ref().consumed;
                    return Err(self.fail(&e, consumed));
                }
            }
        }
    }
}

/// Counts the compressed bytes the decoder has taken, for messages.
struct Counting<R> {
    inner: R,
    consumed: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use super::{Gunzip, is_gzip_error};

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Gunzip::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    fn error_of(bytes: &[u8]) -> String {
        let e = gunzip(bytes).unwrap_err();
        assert!(is_gzip_error(&e), "{e}");
        e.to_string()
    }

    #[test]
    fn members_are_concatenated() {
        let mut two = gz(b"hello, ");
        two.extend(gz(b"world"));
        assert_eq!(gunzip(&two).unwrap(), b"hello, world");
        assert_eq!(gunzip(&gz(b"")).unwrap(), b"");
    }

    #[test]
    fn a_checksum_mismatch_is_an_error() {
        let mut bytes = gz(b"some text that is compressed");
        let crc = bytes.len() - 8;
        bytes[crc] ^= 1;
        assert!(error_of(&bytes).contains("checksum"));
    }

    #[test]
    fn a_cut_member_is_an_error() {
        let bytes = gz(&[b'x'; 10_000]);
        for cut in [3, 12, bytes.len() - 9, bytes.len() - 1] {
            let msg = error_of(&bytes[..cut]);
            assert!(
                msg.contains("truncated") || msg.contains("corrupt"),
                "cut at {cut}: {msg}"
            );
        }
    }

    #[test]
    fn bytes_after_the_last_member_are_an_error() {
        let mut bytes = gz(b"data");
        let end = bytes.len();
        bytes.extend_from_slice(b"GARBAGE");
        assert_eq!(
            error_of(&bytes),
            format!("unexpected data after the end of the gzip data, at byte {end} of the file")
        );
        let mut zeros = gz(b"data");
        zeros.extend_from_slice(&[0; 16]);
        assert!(error_of(&zeros).contains("unexpected data"));
    }
}
