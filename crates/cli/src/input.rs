//! Opening inputs: plain or gzip-compressed (detected by the magic bytes,
//! not the name), parsed once, warnings printed once.

use std::fs::File;
use std::io::{self, BufReader, Read, Write as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use flate2::read::MultiGzDecoder;
use heapdiff_model::HeapProfile;
use heapdiff_parser::{ParseError, Parsed, parse_heapprofile};

use crate::args::Common;

/// A parsed profile with the name the user gave it.
pub(crate) struct Loaded {
    pub(crate) profile: HeapProfile,
}

/// Reads and parses a sampling heap profile.
pub(crate) fn load_profile(path: &Path, common: &Common) -> anyhow::Result<Loaded> {
    let shown = path.display();
    let mut file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
    let mut magic = [0u8; 2];
    let n = read_prefix(&mut file, &mut magic).with_context(|| format!("cannot read '{shown}'"))?;
    let head = io::Cursor::new(magic[..n].to_vec());
    let gz = n == 2 && magic == [0x1f, 0x8b];
    let parsed = if gz {
        parse_heapprofile(MultiGzDecoder::new(BufReader::new(head.chain(file))))
    } else {
        parse_heapprofile(head.chain(file))
    };
    let Parsed { value, warnings } = parsed
        .map_err(|e| describe(e, gz))
        .with_context(|| format!("'{shown}'"))?;
    if common.strict {
        if let Some(w) = warnings.first() {
            bail!("'{shown}': {w} (--strict)");
        }
    }
    if !common.quiet {
        let mut err = io::stderr().lock();
        for w in &warnings {
            let _ = writeln!(err, "heapdiff: warning: '{shown}': {w}");
        }
    }
    Ok(Loaded { profile: value })
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Gzip offsets count decompressed bytes; say so.
fn describe(e: ParseError, gz: bool) -> anyhow::Error {
    if gz {
        anyhow::anyhow!("{e} (offsets count decompressed bytes)")
    } else {
        anyhow::Error::new(e)
    }
}
