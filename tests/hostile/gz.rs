//! Gzip helpers: compressing, reading back, and bombs (a small file that
//! decompresses to gigabytes) built without compressing gigabytes.

use std::io::{Read, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub(crate) fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("a fixture that is valid gzip");
    out
}

/// What a (possibly cut) gzip stream yields before it ends or fails.
pub(crate) fn gunzip_prefix(data: &[u8]) -> usize {
    let mut dec = flate2::read::MultiGzDecoder::new(data);
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0;
    while let Ok(k) = dec.read(&mut buf) {
        if k == 0 {
            break;
        }
        n += k;
    }
    n
}

/// A gzip member whose content is `head`, then `repeats` × 1 MiB of
/// `fill`, then `tail`. The repeated part is one deflate segment (ended by
/// a full flush, so it refers to nothing before it) written `repeats`
/// times; nothing of the size of the content is ever held. The trailer's
/// CRC is that of `head` only: a reader that stops at a size bound never
/// gets there, one that does not has already run out of time or memory.
pub(crate) fn bomb(head: &[u8], fill: u8, repeats: usize, tail: &[u8]) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut z = Compress::new(Compression::best(), false);
    deflate(&mut z, head, FlushCompress::Full, &mut out);
    let mut segment = Vec::new();
    deflate(&mut z, &vec![fill; MIB], FlushCompress::Full, &mut segment);
    for _ in 0..repeats {
        out.extend_from_slice(&segment);
    }
    deflate(&mut z, tail, FlushCompress::Finish, &mut out);
    let total = head.len() + repeats * MIB + tail.len();
    out.extend_from_slice(&crc32(head).to_le_bytes());
    // ISIZE: the length modulo 2^32.
    out.extend_from_slice(&((total as u64 & 0xFFFF_FFFF) as u32).to_le_bytes());
    out
}

/// Feeds `input` to the compressor and collects its output until the
/// flush is complete.
fn deflate(z: &mut Compress, mut input: &[u8], flush: FlushCompress, out: &mut Vec<u8>) {
    loop {
        out.reserve(64 * 1024);
        let before = z.total_in();
        let status = z.compress_vec(input, out, flush).unwrap();
        input = &input[usize::try_from(z.total_in() - before).unwrap()..];
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            // Room left over: the compressor had nothing more to write.
            _ => input.is_empty() && out.len() < out.capacity(),
        };
        if done {
            return;
        }
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// The bomb's deflate data is what it claims: head, the fill, tail.
#[test]
fn bomb_decompresses_to_its_content() {
    let data = bomb(b"{\"head\":", b' ', 3, b"}");
    let mut content = Vec::new();
    flate2::read::DeflateDecoder::new(&data[10..data.len() - 8])
        .read_to_end(&mut content)
        .unwrap();
    let mut expected = b"{\"head\":".to_vec();
    expected.extend(std::iter::repeat_n(b' ', 3 << 20));
    expected.push(b'}');
    assert!(content == expected, "bomb content differs");
    let isize = u32::from_le_bytes(data[data.len() - 4..].try_into().unwrap());
    assert_eq!(isize as usize, expected.len());
}
