//! A sampling heap profile read on two threads: the `samples` array of a
//! large profile is split in two, and the second part is read beside the
//! first (formats §3).
//!
//! The split is speculative, so that every result and every error is the
//! one of the sequential parser. Before anything is parsed, a point inside
//! the file that looks like the start of a sample record (`,{"size":`) is
//! chosen. A second thread reads records from there as long as they have
//! V8's exact layout (the fast path of `samples`) and stops, without a word,
//! at anything else. The first thread parses the file from its start as
//! usual; only if it meets the chosen point exactly between two records of
//! `samples` does it take the second thread's records (in file order) and go
//! on after the last of them. Elsewhere (a point inside a string, a file of
//! another shape) the second thread's work is dropped. The second thread
//! never reports an error: whatever it stopped at, the first thread then
//! reads itself, with the usual messages and byte offsets.
//!
//! Both threads read through their own 1 MiB buffer, by position, so memory
//! stays that of the streaming parser.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use heapdiff_model::{HeapProfile, StackId};

use crate::cursor::Cursor;
use crate::heapprofile::{SAMPLE_KEYS, parse_from};
use crate::{ParseError, Parsed};

/// Inputs shorter than this are parsed on one thread.
const MIN_SPLIT_LEN: u64 = 8 << 20;

/// The cost of reading one byte of the call tree, in bytes of records read
/// by the second thread: names, URLs and the node table cost more than
/// records. From `perf` of a 300 MB node profile (its tree 10 % of the
/// file): with the split at 40 %, the first thread did about 50 % of the
/// work before the split, the second 28 %.
const TREE_COST: u64 = 5;

/// The cost of one byte of records read by the first thread (general
/// parser and node lookups), in tenths of the second thread's.
const RECORD_COST_TENTHS: u64 = 12;

/// What opens the `samples` array in V8's layout.
const SAMPLES_START: &[u8] = b"\"samples\":[";

/// How far past the nominal point a record start is looked for.
const SEARCH_LEN: usize = 64 << 10;

/// What marks the start of a sample record in V8's layout.
const RECORD_START: &[u8] = b",{\"size\":";

/// How often (in records) the second thread checks whether it is still
/// wanted.
const CHECK_EVERY: usize = 1 << 16;

/// The shortest record the fast path reads, with its comma:
/// `{"size":0,"nodeId":0,"ordinal":0},`.
const MIN_RECORD_LEN: u64 = 35;

/// The bytes the fast path needs buffered to read one record.
const FAST_WINDOW: usize = 128;

/// Input that can be read at any position, from several threads at once.
pub trait ReadAt: Sync {
    /// Reads into `buf` from byte `offset`; 0 at the end of the input.
    ///
    /// # Errors
    /// The source's read error.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;

    /// The input's length in bytes.
    ///
    /// # Errors
    /// The source's error when its length cannot be had.
    fn size(&self) -> io::Result<u64>;
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let from = usize::try_from(offset).map_or(self.len(), |o| o.min(self.len()));
        let n = buf.len().min(self.len() - from);
        buf[..n].copy_from_slice(&self[from..from + n]);
        Ok(n)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }
}

#[cfg(unix)]
impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

#[cfg(windows)]
impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self, buf, offset)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

/// Parses a sampling heap profile from a plain (not compressed) file, on
/// two threads when it is large and `threads` allows two.
///
/// # Errors
/// The [`ParseError`] of [`crate::parse_heapprofile`] for the same bytes.
pub fn parse_heapprofile_file(
    file: &File,
    threads: usize,
) -> Result<Parsed<HeapProfile>, ParseError> {
    parse_heapprofile_at(file, threads)
}

/// Parses a sampling heap profile from input read by position, on two
/// threads when it is large and `threads` allows two. A caller that parses
/// several inputs side by side passes 1: its inputs already keep the cores
/// busy, and a second thread per input would only add its hand-over
/// (measured in `BENCHMARKS.md`).
///
/// # Errors
/// The [`ParseError`] of [`crate::parse_heapprofile`] for the same bytes.
pub fn parse_heapprofile_at<S: ReadAt + ?Sized>(
    src: &S,
    threads: usize,
) -> Result<Parsed<HeapProfile>, ParseError> {
    let len = src
        .size()
        .map_err(|source| ParseError::Io { offset: 0, source })?;
    let split = if threads >= 2 && len >= MIN_SPLIT_LEN {
        samples_start(src).and_then(|start| split_point(src, balanced(start, len)))
    } else {
        None
    };
    parse_split(src, split)
}

/// The point that gives both threads the same work, for a file whose
/// records start at byte `start` (after the call tree) and end at `len`:
/// the first thread reads the tree and the records up to the point, the
/// second the records after it. Never inside the tree.
fn balanced(start: u64, len: u64) -> u64 {
    // tree·T + (s − start)·r = len − s, with r in tenths.
    let tree = start.saturating_mul(TREE_COST);
    let first = start.saturating_mul(RECORD_COST_TENTHS) / 10;
    let at = (len + first).saturating_sub(tree) * 10 / (10 + RECORD_COST_TENTHS);
    at.max(start)
}

/// Where `"samples":[` first occurs: where the records of a file written by
/// V8 begin. Only a guess for other files, which the split's check makes
/// harmless.
fn samples_start<S: ReadAt + ?Sized>(src: &S) -> Option<u64> {
    const WINDOW: usize = 1 << 20;
    let finder = memchr::memmem::Finder::new(SAMPLES_START);
    let mut window = vec![0; WINDOW];
    let mut offset = 0u64;
    loop {
        let got = read_full(src, &mut window, offset);
        if let Some(i) = finder.find(&window[..got]) {
            return Some(offset + i as u64);
        }
        if got < WINDOW {
            return None;
        }
        // The next window overlaps this one by the pattern's length.
        offset += (WINDOW - SAMPLES_START.len()) as u64;
    }
}

/// Reads into all of `buf` from `offset`, short only at the end of the
/// input (or on an error, which the parse itself meets again and reports).
fn read_full<S: ReadAt + ?Sized>(src: &S, buf: &mut [u8], offset: u64) -> usize {
    let mut got = 0;
    while got < buf.len() {
        match src.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}

/// [`parse_heapprofile_at`] with the split looked for at byte `nominal`,
/// whatever the input's length: for tests of the split at every point.
///
/// # Errors
/// As [`parse_heapprofile_at`].
#[doc(hidden)]
pub fn parse_heapprofile_split_near(
    bytes: &[u8],
    nominal: u64,
) -> Result<Parsed<HeapProfile>, ParseError> {
    parse_split(bytes, split_point(bytes, nominal))
}

/// The parse, with a second thread from byte `split` when there is one.
fn parse_split<S: ReadAt + ?Sized>(
    src: &S,
    split: Option<u64>,
) -> Result<Parsed<HeapProfile>, ParseError> {
    let whole = At { src, pos: 0 };
    let Some(at) = split else {
        return parse_from(whole, None);
    };
    let len = src
        .size()
        .map_err(|source| ParseError::Io { offset: 0, source })?;
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        let (tx, rx) = channel();
        let (table_tx, table_rx) = channel();
        let wanted = Arc::clone(&stop);
        scope.spawn(move || {
            let records = read_records(src, at..len, &wanted);
            // The first thread may be gone; then nobody needs them.
            let _ = tx.send(records.map(|r| r.resolved(&table_rx)).unwrap_or_default());
        });
        parse_from(
            whole,
            Some(Split {
                at,
                records: rx,
                table: Some(table_tx),
                stop,
            }),
        )
    })
}

/// The first record start at or after `nominal`: the offset of its `{`.
/// At the opening of `samples` (where a split is put when the call tree
/// is the first thread's whole share), that is the array's first record.
fn split_point<S: ReadAt + ?Sized>(src: &S, nominal: u64) -> Option<u64> {
    let mut window = vec![0; SEARCH_LEN];
    let got = read_full(src, &mut window, nominal);
    let window = &window[..got];
    if window.starts_with(SAMPLES_START)
        && window[SAMPLES_START.len()..].starts_with(&RECORD_START[1..])
    {
        return Some(nominal + SAMPLES_START.len() as u64);
    }
    window
        .windows(RECORD_START.len())
        .position(|w| w == RECORD_START)
        .map(|i| nominal + i as u64 + 1)
}

/// The second thread's side of a split, as the first thread sees it.
/// Dropping it tells the second thread that its records are not wanted.
pub(crate) struct Split {
    /// The offset where the second thread began: a record's `{`.
    pub(crate) at: u64,
    /// Its records, once it has stopped.
    pub(crate) records: Receiver<Records>,
    /// Where the first thread sends the call tree's dense table of node
    /// ids once the tree is read, so that the second thread looks the
    /// nodes of its records up itself. Sending nothing (dropping it) leaves
    /// the lookups to the first thread.
    pub(crate) table: Option<Sender<Vec<u32>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Split {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The nodes of sample records: V8's node ids as read, or the model's
/// stacks once they are looked up.
pub(crate) enum Nodes {
    /// V8's node ids.
    Ids(Vec<u32>),
    /// The stack of every record: each id was in the call tree.
    Stacks(Vec<StackId>),
}

impl Default for Nodes {
    fn default() -> Self {
        Self::Ids(Vec::new())
    }
}

/// Sample records as read, and where the reading stopped.
#[derive(Default)]
pub(crate) struct Records {
    pub(crate) nodes: Nodes,
    pub(crate) size: Vec<u64>,
    pub(crate) ordinal: Vec<u64>,
    /// The offset after the last record read.
    pub(crate) end: u64,
}

impl Records {
    /// Room for every record that fits in `len` bytes, so that the columns
    /// never move while they grow (their pages come as they are written);
    /// `None` when that much address space cannot be had.
    fn with_room_for(len: u64) -> Option<(Vec<u32>, Self)> {
        let n = usize::try_from(len / MIN_RECORD_LEN + 1).ok()?;
        let mut node_id = Vec::new();
        let mut records = Self::default();
        node_id.try_reserve_exact(n).ok()?;
        records.size.try_reserve_exact(n).ok()?;
        records.ordinal.try_reserve_exact(n).ok()?;
        Some((node_id, records))
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.size.len()
    }

    /// The records with their nodes looked up in the dense table that
    /// `table` brings (node id → raw stack id, `u32::MAX` for none), when
    /// one comes and holds every id; as read otherwise. The ids become
    /// the stacks in place.
    fn resolved(self, table: &Receiver<Vec<u32>>) -> Self {
        let Nodes::Ids(ids) = self.nodes else {
            return self;
        };
        let Ok(dense) = table.recv() else {
            return Self {
                nodes: Nodes::Ids(ids),
                ..self
            };
        };
        let stack_of = |id: u32| {
            dense
                .get(id as usize)
                .copied()
                .filter(|&stack| stack != u32::MAX)
        };
        let nodes = if ids.iter().all(|&id| stack_of(id).is_some()) {
            Nodes::Stacks(
                ids.into_iter()
                    .map(|id| StackId::new(stack_of(id).unwrap_or(u32::MAX)))
                    .collect(),
            )
        } else {
            Nodes::Ids(ids)
        };
        Self { nodes, ..self }
    }
}

/// The second thread: reads V8-layout records from the start of `range`
/// until anything else (or a node id beyond `u32`, which the records do not
/// hold). `None` when it was stopped early by `stop`, or could not reserve
/// its columns (then the first thread reads every record itself).
fn read_records<S: ReadAt + ?Sized>(
    src: &S,
    range: std::ops::Range<u64>,
    stop: &AtomicBool,
) -> Option<Records> {
    let mut cur = Cursor::starting_at(
        At {
            src,
            pos: range.start,
        },
        range.start,
    );
    let (mut node_ids, mut records) = Records::with_room_for(range.end - range.start)?;
    loop {
        if cur.fill_at_least(FAST_WINDOW).is_err() {
            break;
        }
        let Some([size, node_id, ordinal]) = cur.fast_record3(SAMPLE_KEYS) else {
            break;
        };
        let Ok(node_id) = u32::try_from(node_id) else {
            break;
        };
        node_ids.push(node_id);
        records.size.push(size);
        records.ordinal.push(ordinal);
        records.end = cur.offset();
        if node_ids.len() % CHECK_EVERY == 0 && stop.load(Ordering::Relaxed) {
            return None;
        }
        if !cur.eat(b',') {
            break;
        }
    }
    records.nodes = Nodes::Ids(node_ids);
    Some(records)
}

/// A reader of `src` from byte `pos` on.
pub(crate) struct At<'a, S: ?Sized> {
    src: &'a S,
    pos: u64,
}

impl<S: ReadAt + ?Sized> Read for At<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.src.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: ReadAt + ?Sized> Seek for At<'_, S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match to {
            SeekFrom::Start(pos) => self.pos = pos,
            _ => return Err(io::Error::from(io::ErrorKind::Unsupported)),
        }
        Ok(self.pos)
    }
}

/// A reader that only reads forward: the sequential parser's input, which
/// never seeks (it has no [`Split`]).
pub(crate) struct Forward<R>(pub(crate) R);

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R> Seek for Forward<R> {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::thread::ThreadId;

    use super::*;

    /// Bytes in memory that count the bytes one thread reads from them.
    struct Counted<'a> {
        bytes: &'a [u8],
        thread: ThreadId,
        read: AtomicU64,
    }

    impl ReadAt for Counted<'_> {
        fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
            let n = self.bytes.read_at(buf, offset)?;
            if std::thread::current().id() == self.thread {
                self.read.fetch_add(n as u64, Ordering::Relaxed);
            }
            Ok(n)
        }

        fn size(&self) -> io::Result<u64> {
            self.bytes.size()
        }
    }

    /// A profile of one node and `n` samples of it.
    fn many_samples(n: u64) -> Vec<u8> {
        let mut json = br#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[]},"samples":["#.to_vec();
        for i in 0..n {
            let sep = if i == 0 { "" } else { "," };
            json.extend_from_slice(
                format!(r#"{sep}{{"size":8,"nodeId":1,"ordinal":{i}}}"#).as_bytes(),
            );
        }
        json.extend_from_slice(b"]}");
        json
    }

    /// The first thread takes the second thread's records and does not
    /// read their bytes itself: it reads the first half of the input and
    /// one buffer beyond, not all of it.
    #[test]
    fn the_second_threads_records_are_taken_not_read_again() {
        let json = many_samples(150_000);
        let len = json.len() as u64;
        let src = Counted {
            bytes: &json,
            thread: std::thread::current().id(),
            read: AtomicU64::new(0),
        };
        let split = split_point(&src, len / 2);
        assert_eq!(src.read.swap(0, Ordering::Relaxed), SEARCH_LEN as u64);
        let two = parse_split(&src, split).unwrap();
        let read = src.read.load(Ordering::Relaxed);
        assert!(read < len / 2 + (2 << 20), "{read} bytes read of {len}");
        assert_eq!(two.value.samples.len(), 150_000);
        let one = crate::parse_heapprofile(&json[..]).unwrap();
        assert_eq!(two.value.samples.ordinal, one.value.samples.ordinal);
        assert_eq!(two.value.samples.stack, one.value.samples.stack);
    }

    /// The split gives each thread its share: past the call tree, and
    /// further into the records the longer the tree.
    #[test]
    fn the_split_point_balances_tree_and_records() {
        // A 300 MB file whose tree is its first 30 MB.
        let at = balanced(30_000_000, 300_000_000);
        assert!((70_000_000..100_000_000).contains(&at), "{at}");
        // A tree of a quarter of the file: the second thread takes all the
        // records.
        assert_eq!(balanced(30_000_000, 120_000_000), 30_000_000);
        let json = many_samples(3);
        let start = usize::try_from(samples_start(&json[..]).unwrap()).unwrap();
        assert_eq!(&json[start..start + SAMPLES_START.len()], SAMPLES_START);
    }

    /// Where no record starts after the point, there is no second thread.
    #[test]
    fn no_record_after_the_point_is_no_split() {
        let json = many_samples(1);
        assert_eq!(split_point(&json[..], 30), None);
        assert_eq!(split_point(&json[..], 0), None);
        let json = many_samples(2);
        let at = usize::try_from(split_point(&json[..], 0).unwrap()).unwrap();
        assert_eq!(&json[at - 1..at + 8], RECORD_START);
    }
}
