//! Opening inputs: the kind is detected from the content (plain or gzip,
//! told apart by the magic bytes, not the name), each file is parsed once,
//! and its warnings are printed once.

use std::fs::File;
use std::io::{self, BufReader, Read, Write as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use flate2::read::MultiGzDecoder;
use heapdiff_analyzer::{snapshot, timeline};
use heapdiff_model::{HeapGraph, HeapProfile};
use heapdiff_parser::{
    InputKind, ParseError, Parsed, detect, parse_heapprofile, parse_snapshot, parse_snapshot_with,
};

use crate::args::{Common, MeasureArg};

/// A parsed sampling profile, or an allocation timeline's trace as one.
pub(crate) struct Loaded {
    pub(crate) profile: HeapProfile,
    /// Set when the profile was made from an allocation timeline.
    pub(crate) timeline: Option<Timeline>,
}

/// An allocation timeline with the adjusted sizes its live numbers need
/// (the rest of the snapshot pipeline runs only when a view asks for it).
pub(crate) struct Timeline {
    pub(crate) graph: HeapGraph,
    pub(crate) self_size: Vec<u64>,
    pub(crate) live: timeline::LiveByTrace,
}

impl Loaded {
    /// The ordinal span to apply to the profile: time spans of timelines
    /// were applied when the trace became a profile.
    pub(crate) fn ordinal_span<'a>(&self, span: Option<&'a str>) -> Option<&'a str> {
        if self.timeline.is_some() { None } else { span }
    }
}

/// How to turn a timeline into a profile.
#[derive(Clone, Copy)]
pub(crate) struct ProfileRequest<'a> {
    pub(crate) measure: MeasureArg,
    /// A time span (timelines only).
    pub(crate) span: Option<&'a str>,
}

/// Any parsed input.
pub(crate) enum Input {
    /// A sampling heap profile.
    Profile(HeapProfile),
    /// A heap snapshot or allocation timeline.
    Snapshot(HeapGraph),
}

const PREFIX: usize = 64 * 1024;

/// Reads the first bytes (decompressed) to tell the kind.
fn sniff(path: &Path) -> anyhow::Result<(InputKind, bool)> {
    let shown = path.display();
    let mut file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut file, &mut magic).with_context(|| format!("cannot read '{shown}'"))?;
    let gz = n == 2 && magic == [0x1f, 0x8b];
    let mut prefix = vec![0u8; PREFIX];
    let file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
    let got = if gz {
        read_up_to(&mut MultiGzDecoder::new(BufReader::new(file)), &mut prefix)
    } else {
        read_up_to(&mut BufReader::new(file), &mut prefix)
    };
    let got = got.unwrap_or(0);
    prefix.truncate(got);
    Ok((detect(&prefix), gz))
}

fn is_snapshot(kind: InputKind) -> bool {
    matches!(
        kind,
        InputKind::HeapSnapshot | InputKind::HeapTimeline | InputKind::LegacySnapshot
    )
}

/// The kind of an input, from its content.
pub(crate) fn kind_of(path: &Path) -> anyhow::Result<InputKind> {
    Ok(sniff(path)?.0)
}

/// Reads any supported input.
pub(crate) fn load_any(path: &Path, common: &Common) -> anyhow::Result<Input> {
    let (kind, gz) = sniff(path)?;
    if is_snapshot(kind) {
        Ok(Input::Snapshot(snapshot(path, gz, common)?))
    } else {
        Ok(Input::Profile(profile(path, gz, common)?))
    }
}

/// Reads a sampling heap profile, or an allocation timeline as the call
/// tree of its allocation trace; other kinds are an error saying so.
pub(crate) fn load_profile(
    path: &Path,
    common: &Common,
    req: ProfileRequest<'_>,
) -> anyhow::Result<Loaded> {
    let (kind, gz) = sniff(path)?;
    if kind == InputKind::HeapTimeline {
        return load_timeline(path, gz, common, req);
    }
    if is_snapshot(kind) {
        let e = ParseError::WrongKind { found: kind };
        bail!("'{}': {e}", path.display());
    }
    Ok(Loaded {
        profile: profile(path, gz, common)?,
        timeline: None,
    })
}

fn load_timeline(
    path: &Path,
    gz: bool,
    common: &Common,
    req: ProfileRequest<'_>,
) -> anyhow::Result<Loaded> {
    let shown = path.display();
    let graph = snapshot(path, gz, common)?;
    if graph.trace.is_none() {
        bail!(
            "'{shown}': this timeline has no allocation stacks (recorded without \"Allocation stack traces\"); use `heapdiff summary` or `heapdiff timeline` on it"
        );
    }
    let self_size = snapshot::adjusted_sizes(&graph);
    let range = match req.span {
        Some(text) => {
            if req.measure == MeasureArg::Allocated {
                bail!(
                    "'{shown}': --span needs --measure live: the trace records allocation totals, not times"
                );
            }
            let iv = timeline::intervals(&graph, &self_size);
            let (lo, hi) =
                timeline::parse_time_span(text, &iv).with_context(|| format!("'{shown}'"))?;
            Some(timeline::id_range(&iv, lo, hi, false))
        }
        None => None,
    };
    let live = timeline::live_by_trace(&graph, &self_size, range);
    let measure = match req.measure {
        MeasureArg::Live => timeline::Measure::Live,
        MeasureArg::Allocated => timeline::Measure::Allocated,
    };
    let profile = timeline::trace_profile(&graph, &live, measure);
    Ok(Loaded {
        profile,
        timeline: Some(Timeline {
            graph,
            self_size,
            live,
        }),
    })
}

/// Reads a heap snapshot or timeline; other kinds are an error saying so.
pub(crate) fn load_snapshot(path: &Path, common: &Common) -> anyhow::Result<HeapGraph> {
    let (kind, gz) = sniff(path)?;
    if kind == InputKind::HeapProfile {
        bail!(
            "'{}': this is a sampling heap profile; this command needs a heap snapshot (`.heapsnapshot`)",
            path.display()
        );
    }
    snapshot(path, gz, common)
}

fn profile(path: &Path, gz: bool, common: &Common) -> anyhow::Result<HeapProfile> {
    let shown = path.display();
    crate::progress::stage(&format!("reading {shown}"), file_size(path));
    let file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
    let parsed = if gz {
        parse_heapprofile(MultiGzDecoder::new(BufReader::new(file)))
    } else {
        parse_heapprofile(file)
    };
    let parsed = parsed
        .map_err(|e| describe(e, gz))
        .with_context(|| format!("'{shown}'"))?;
    report_warnings(path, parsed, common)
}

fn snapshot(path: &Path, gz: bool, common: &Common) -> anyhow::Result<HeapGraph> {
    let shown = path.display();
    crate::progress::stage(&format!("reading {shown}"), file_size(path));
    let parsed = if gz {
        let mut bytes = Vec::new();
        let file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
        // A truncated gzip stream still yields what it holds; the parser
        // then reports which section is incomplete.
        let _ = MultiGzDecoder::new(BufReader::new(file)).read_to_end(&mut bytes);
        parse_snapshot(&bytes)
    } else {
        let map = heapdiff_model::steps::time("parse.map", || mmap(path))
            .with_context(|| format!("cannot read '{shown}'"))?;
        parse_snapshot_with(&map, &|range| release(&map, range))
    };
    let parsed = parsed
        .map_err(|e| describe(e, gz))
        .with_context(|| format!("'{shown}'"))?;
    crate::progress::stage(&format!("analysing {shown}"), file_size(path));
    report_warnings(path, parsed, common)
}

/// Lets the kernel drop the pages of a part of the mapping the parser has
/// finished with, so that peak memory is not the whole file plus the whole
/// model. Only whole pages inside the range are dropped; errors are
/// ignored (the pages then simply stay).
#[allow(unsafe_code)]
fn release(map: &memmap2::Mmap, range: std::ops::Range<usize>) {
    const PAGE: usize = 4096;
    let start = range.start.div_ceil(PAGE) * PAGE;
    let end = (range.end / PAGE) * PAGE;
    if end <= start || end > map.len() {
        return;
    }
    // SAFETY: the mapping is a read-only mapping of a file that heapdiff
    // never writes. MADV_DONTNEED only drops the pages from this process;
    // a later read of the range faults them in again from the file, with
    // the same bytes. (memmap2 marks the advice unsafe because for written
    // private or anonymous pages the contents would be lost; none exist
    // here.)
    let _ = unsafe {
        map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
    };
}

/// Maps the file into memory: the parser reads it in place, and the kernel
/// pages it in once, with no copy.
#[allow(unsafe_code)]
fn mmap(path: &Path) -> io::Result<memmap2::Mmap> {
    let file = File::open(path)?;
    // SAFETY: the map is read-only and lives only while this process parses
    // it. If another process truncates the file meanwhile, reads of the lost
    // pages fault (SIGBUS); that is the documented limit of mapping files,
    // accepted here for inputs the user hands us and does not rewrite.
    unsafe { memmap2::MmapOptions::new().map(&file) }
}

fn report_warnings<T>(path: &Path, parsed: Parsed<T>, common: &Common) -> anyhow::Result<T> {
    let shown = path.display();
    let Parsed { value, warnings } = parsed;
    if common.strict {
        if let Some(w) = warnings.first() {
            bail!("'{shown}': {w} (--strict)");
        }
    }
    if let Ok(mut seen) = SEEN_WARNINGS.lock() {
        // An input read twice (a baseline checked against several files)
        // warns once.
        for w in warnings {
            let entry = (shown.to_string(), w.to_string());
            if !seen.contains(&entry) {
                seen.push(entry);
            }
        }
    }
    Ok(value)
}

/// Warnings of every input read so far, for reports.
/// Inputs are read in parallel, so warnings are collected here, as (input,
/// message), and printed once, in a fixed order, when the command ends.
static SEEN_WARNINGS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// The warnings about the inputs, ordered as the inputs were given on the
/// command line (stable within one input).
fn sorted_warnings() -> Vec<(String, String)> {
    let mut w = SEEN_WARNINGS.lock().map(|w| w.clone()).unwrap_or_default();
    let args: Vec<String> = std::env::args().collect();
    let position = |input: &str| args.iter().position(|a| a == input).unwrap_or(usize::MAX);
    w.sort_by(|a, b| {
        position(&a.0)
            .cmp(&position(&b.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    w
}

/// The warnings as report lines.
pub(crate) fn warnings() -> Vec<String> {
    sorted_warnings()
        .into_iter()
        .map(|(input, w)| format!("'{input}': {w}"))
        .collect()
}

/// Prints the collected warnings on stderr (unless `--quiet`).
pub(crate) fn print_warnings(quiet: bool) {
    if quiet {
        return;
    }
    let mut err = io::stderr().lock();
    for (input, w) in sorted_warnings() {
        let _ = writeln!(err, "heapdiff: warning: '{input}': {w}");
    }
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Reads until `buf` is full or the input ends; a read error after some
/// bytes (a truncated gzip stream) returns what was read.
fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) if n > 0 => break,
            Err(e) => return Err(e),
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
