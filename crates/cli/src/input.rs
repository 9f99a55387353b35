//! Opening inputs. [`open`] is the one place that opens a file, tells gzip
//! from plain by the magic bytes, decompresses, and detects the kind from
//! the first (decompressed) bytes; the loaders then parse what it opened.
//! Every input is opened and read once, so standard input (`-`), pipes,
//! `/dev/stdin`, process substitution and named FIFOs work like files.
//! Warnings are collected and printed once.

mod gzip;
mod stream;

use std::fs::File;
use std::io::{self, Read, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use heapdiff_analyzer::timeline;
use heapdiff_model::{HeapGraph, HeapProfile, ShallowSnapshot};
use heapdiff_parser::{
    InputKind, ParseError, Parsed, detect, parse_heapprofile, parse_heapprofile_file,
    parse_snapshot, parse_snapshot_with,
};

use crate::args::MeasureArg;
use crate::context::Context;

pub(crate) use stream::streamed_digest;

/// How many decompressed bytes decide the kind.
const PREFIX: usize = 64 * 1024;

/// An opened input: its kind, and the bytes to parse.
pub(crate) struct Opened {
    /// The path as given (`-` for standard input).
    pub(crate) path: PathBuf,
    /// The kind, detected from the first bytes.
    pub(crate) kind: InputKind,
    /// Whether the input is gzip-compressed.
    gzip: bool,
    /// The size of a regular file (0 for pipes): for the progress line.
    size: u64,
    source: Source,
    /// How many threads its parse may take: the pool's, or 1 when inputs
    /// are parsed side by side ([`Opened::side_by_side`]).
    threads: usize,
}

/// The bytes of an opened input.
enum Source {
    /// A plain heap snapshot in a regular file, mapped into memory.
    Mapped(memmap2::Mmap),
    /// A plain sampling heap profile in a regular file, read by position
    /// (its `samples` on two threads).
    Positioned(File),
    /// The first bytes, decompressed, then the rest of the stream. A head
    /// shorter than [`PREFIX`] is the whole input.
    Stream {
        head: Vec<u8>,
        rest: Box<dyn Read + Send>,
    },
}

/// Opens an input (`-` is standard input), reads its first bytes to tell
/// the kind, and keeps the rest for the loader.
pub(crate) fn open(path: &Path) -> anyhow::Result<Opened> {
    open_with(path, true)
}

/// Opens an input to be read once from start to end (`--shallow`): a
/// snapshot in a regular file is read, not mapped, so that the pages read
/// do not stay in the process's memory.
pub(crate) fn open_stream(path: &Path) -> anyhow::Result<Opened> {
    open_with(path, false)
}

fn open_with(path: &Path, map_snapshots: bool) -> anyhow::Result<Opened> {
    let shown = path.display();
    let file = open_file(path).with_context(|| format!("cannot open '{shown}'"))?;
    let size = regular_size(path, &file);
    let (map_from, raw): (Option<File>, Box<dyn Read + Send>) = match size {
        Some(_) => {
            let map_from = file
                .try_clone()
                .with_context(|| format!("cannot open '{shown}'"))?;
            (Some(map_from), Box::new(file))
        }
        // A stream cannot be read again for a report's hash: hash it now.
        None => (None, Box::new(stream::Hashing::new(file, path))),
    };
    let (gzip, head, rest) = read_head(raw).map_err(|e| read_error(path, &e))?;
    let kind = detect(&head);
    // A file that cannot be mapped is read into memory like a stream.
    let map = match &map_from {
        Some(file) if map_snapshots && !gzip && is_snapshot(kind) => {
            heapdiff_model::steps::time("parse.map", || mmap(file)).ok()
        }
        _ => None,
    };
    let source = match (map, map_from) {
        (Some(map), _) => Source::Mapped(map),
        (None, Some(file)) if !gzip && kind == InputKind::HeapProfile => Source::Positioned(file),
        (None, _) => Source::Stream { head, rest },
    };
    Ok(Opened {
        path: path.to_path_buf(),
        kind,
        gzip,
        size: size.unwrap_or(0),
        source,
        threads: rayon::current_num_threads(),
    })
}

impl Opened {
    /// This input is parsed beside others (a diff's two files, a trend's
    /// steps), which already keep the cores busy: its parse takes one
    /// thread.
    pub(crate) fn side_by_side(mut self) -> Self {
        self.threads = 1;
        self
    }

    /// Whether the whole input is in the bytes the kind was detected from
    /// (so the kind may rest on a cut file).
    fn is_small(&self) -> bool {
        match &self.source {
            Source::Mapped(map) => map.len() < PREFIX,
            Source::Positioned(_) => self.size < PREFIX as u64,
            Source::Stream { head, .. } => head.len() < PREFIX,
        }
    }
}

/// `-` is standard input (a duplicate of it, so that it closes on its own).
fn open_file(path: &Path) -> io::Result<File> {
    static STDIN_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if path.as_os_str() == "-" {
        if STDIN_TAKEN.swap(true, std::sync::atomic::Ordering::Relaxed) {
            return Err(io::Error::other(
                "standard input is given twice; it can be read only once",
            ));
        }
        return stdin_file();
    }
    File::open(path)
}

#[cfg(unix)]
fn stdin_file() -> io::Result<File> {
    use std::os::fd::AsFd as _;
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

#[cfg(not(unix))]
fn stdin_file() -> io::Result<File> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "reading standard input is supported on Unix only",
    ))
}

/// The size of a regular file, `None` for anything that can only be read
/// once (pipes, FIFOs, terminals, standard input).
fn regular_size(path: &Path, file: &File) -> Option<u64> {
    if path.as_os_str() == "-" {
        return None;
    }
    file.metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

/// Reads the first [`PREFIX`] bytes, decompressed if the input starts with
/// gzip's magic bytes; returns whether it is gzip, those bytes and the rest.
fn read_head(mut raw: Box<dyn Read + Send>) -> io::Result<(bool, Vec<u8>, Box<dyn Read + Send>)> {
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut raw, &mut magic)?;
    let gzip = magic[..n] == gzip::MAGIC;
    let raw = io::Cursor::new(magic[..n].to_vec()).chain(raw);
    let mut rest: Box<dyn Read + Send> = if gzip {
        Box::new(gzip::Gunzip::new(raw))
    } else {
        Box::new(raw)
    };
    let mut head = vec![0u8; PREFIX];
    let got = read_up_to(&mut rest, &mut head)?;
    head.truncate(got);
    Ok((gzip, head, rest))
}

fn is_snapshot(kind: InputKind) -> bool {
    matches!(
        kind,
        InputKind::HeapSnapshot | InputKind::HeapTimeline | InputKind::LegacySnapshot
    )
}

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

/// Any parsed input. Made once per input and unpacked at once: boxing the
/// larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Input {
    /// A sampling heap profile.
    Profile(HeapProfile),
    /// A heap snapshot or allocation timeline.
    Snapshot(HeapGraph),
}

/// Parses any supported input.
pub(crate) fn load_any(input: Opened, ctx: &Context) -> anyhow::Result<Input> {
    if is_snapshot(input.kind) {
        Ok(Input::Snapshot(snapshot(input, ctx)?))
    } else {
        Ok(Input::Profile(profile(input, ctx)?))
    }
}

/// Parses a sampling heap profile, or an allocation timeline as the call
/// tree of its allocation trace; other kinds are an error saying so.
pub(crate) fn load_profile(
    input: Opened,
    ctx: &Context,
    req: ProfileRequest<'_>,
) -> anyhow::Result<Loaded> {
    let (kind, path, gzip) = (input.kind, input.path.clone(), input.gzip);
    let wrong_kind = || {
        let e = ParseError::WrongKind { found: kind };
        anyhow::anyhow!("'{}': {e}", path.display())
    };
    if kind == InputKind::HeapTimeline {
        let (graph, sizes) = timeline(input, ctx)?;
        return timeline_profile(&path, graph, sizes, req);
    }
    if kind == InputKind::HeapSnapshot && input.is_small() {
        // A timeline cut inside its first bytes may not show yet that it
        // is one: parse it, so that a cut says where it was cut.
        return match parse_graph(input)? {
            Ok(parsed) if parsed.value.trace.is_some() => {
                let graph = report_warnings(&path, parsed, ctx)?;
                timeline_profile(&path, graph, None, req)
            }
            Err(e @ ParseError::Truncated { .. }) => Err(describe(&path, e, gzip)),
            _ => Err(wrong_kind()),
        };
    }
    if is_snapshot(kind) {
        return Err(wrong_kind());
    }
    Ok(Loaded {
        profile: profile(input, ctx)?,
        timeline: None,
    })
}

/// Hands a parsed timeline to the analyzer to become a profile, with its
/// adjusted sizes when they were computed already.
fn timeline_profile(
    path: &Path,
    graph: HeapGraph,
    sizes: Option<Vec<u64>>,
    req: ProfileRequest<'_>,
) -> anyhow::Result<Loaded> {
    let shown = path.display();
    if req.span.is_some() && req.measure == MeasureArg::Allocated && graph.trace.is_some() {
        bail!(
            "'{shown}': --span needs --measure live: the trace records allocation totals, not times"
        );
    }
    let measure = match req.measure {
        MeasureArg::Live => timeline::Measure::Live,
        MeasureArg::Allocated => timeline::Measure::Allocated,
    };
    let t = match sizes {
        Some(sizes) => timeline::as_profile_with(&graph, sizes, measure, req.span),
        None => timeline::as_profile(&graph, measure, req.span),
    };
    let t = match t {
        Ok(t) => t,
        Err(e @ timeline::TimelineError::NoAllocationStacks) => {
            bail!("'{shown}': {e}; use `heapdiff summary` or `heapdiff timeline` on it")
        }
        Err(e) => bail!("'{shown}': {e}"),
    };
    Ok(Loaded {
        profile: t.profile,
        timeline: Some(Timeline {
            graph,
            self_size: t.self_size,
            live: t.live,
        }),
    })
}

/// Parses a heap snapshot or timeline; other kinds are an error saying so.
pub(crate) fn load_snapshot(input: Opened, ctx: &Context) -> anyhow::Result<HeapGraph> {
    if input.kind == InputKind::HeapProfile {
        bail!(
            "'{}': this is a sampling heap profile; this command needs a heap snapshot (`.heapsnapshot`)",
            input.path.display()
        );
    }
    snapshot(input, ctx)
}

/// Reads a heap snapshot or timeline with `--shallow`: counts and shallow
/// sizes per node type and name, in one pass (see
/// [`heapdiff_parser::parse_snapshot_shallow`]).
pub(crate) fn load_shallow(input: Opened, ctx: &Context) -> anyhow::Result<ShallowSnapshot> {
    let shown = input.path.display().to_string();
    if input.kind == InputKind::HeapProfile {
        bail!(
            "'{shown}': this is a sampling heap profile; --shallow reads heap snapshots (`.heapsnapshot`)"
        );
    }
    if !is_snapshot(input.kind) {
        let e = ParseError::WrongKind { found: input.kind };
        bail!("'{shown}': {e}");
    }
    crate::progress::stage(&format!("reading {shown}"), input.size);
    let (path, gzip) = (input.path, input.gzip);
    let parsed = match input.source {
        Source::Stream { head, rest } => {
            heapdiff_parser::parse_snapshot_shallow(io::Cursor::new(head).chain(rest))
        }
        Source::Mapped(map) => heapdiff_parser::parse_snapshot_shallow(&map[..]),
        Source::Positioned(file) => heapdiff_parser::parse_snapshot_shallow(file),
    };
    let parsed = parsed.map_err(|e| match &e {
        ParseError::Io { source, .. } if gzip::is_gzip_error(source) => read_error(&path, source),
        _ => describe(&path, e, gzip),
    })?;
    report_warnings(&path, parsed, ctx)
}

/// Input that is not JSON is rejected on its first bytes, before anything
/// more is read: a compressed run of zeros is not decompressed further.
fn refuse_not_json(input: &Opened) -> anyhow::Result<()> {
    if input.kind == InputKind::NotJson {
        let e = ParseError::WrongKind { found: input.kind };
        bail!("'{}': {e}", input.path.display());
    }
    Ok(())
}

fn profile(input: Opened, ctx: &Context) -> anyhow::Result<HeapProfile> {
    refuse_not_json(&input)?;
    let path = input.path;
    let shown = path.display();
    crate::progress::stage(&format!("reading {shown}"), input.size);
    let mut reader: Box<dyn Read + Send> = match input.source {
        Source::Positioned(file) => {
            // One input on two threads (not a diff's inputs side by side):
            // its sample columns grow by doubling while the file is read;
            // as blocks of their own, each move is a remapping, and a
            // block left behind goes back at once rather than staying in
            // the allocator's heaps (6 MB of the peak of a 120 MB file).
            if input.threads >= 2 {
                heapdiff_model::memory::map_large_blocks();
            }
            let parsed = parse_heapprofile_file(&file, input.threads)
                .map_err(|e| describe(&path, e, false))?;
            return finish_profile(&path, parsed, ctx);
        }
        Source::Mapped(map) => Box::new(io::Cursor::new(map)),
        Source::Stream { head, rest } => Box::new(io::Cursor::new(head).chain(rest)),
    };
    match parse_heapprofile(&mut reader) {
        Ok(parsed) => finish_profile(&path, parsed, ctx),
        Err(e) => Err(parse_failure(&path, input.gzip, e, &mut reader)),
    }
}

/// A parsed profile's warnings reported and its source maps applied.
fn finish_profile(
    path: &Path,
    parsed: Parsed<HeapProfile>,
    ctx: &Context,
) -> anyhow::Result<HeapProfile> {
    let mut p = report_warnings(path, parsed, ctx)?;
    if let Some(sources) = &ctx.source_maps {
        crate::sourcemap::apply(&mut p, sources, ctx.strict)?;
    }
    Ok(p)
}

fn snapshot(input: Opened, ctx: &Context) -> anyhow::Result<HeapGraph> {
    let mut g = graph(input, ctx)?;
    if let Some(sources) = &ctx.source_maps {
        crate::sourcemap::apply_trace(&mut g, sources, ctx.strict)?;
        crate::sourcemap::apply_snapshot(&mut g, sources, ctx.strict)?;
    }
    Ok(g)
}

/// [`snapshot`] for an allocation timeline, with the adjusted sizes its
/// live numbers need when it has a trace: they are computed beside the
/// source maps of its snapshot part, on the critical path otherwise.
fn timeline(input: Opened, ctx: &Context) -> anyhow::Result<(HeapGraph, Option<Vec<u64>>)> {
    let mut g = graph(input, ctx)?;
    let Some(sources) = &ctx.source_maps else {
        return Ok((g, None));
    };
    crate::sourcemap::apply_trace(&mut g, sources, ctx.strict)?;
    let traced = g.trace.is_some();
    let (originals, sizes) = rayon::join(
        || crate::sourcemap::snapshot_originals(&g, sources, ctx.strict),
        || traced.then(|| timeline::sizes(&g)),
    );
    originals?.set(&mut g);
    Ok((g, sizes))
}

/// A parsed heap snapshot or timeline, its warnings reported.
fn graph(input: Opened, ctx: &Context) -> anyhow::Result<HeapGraph> {
    let (path, gzip, size) = (input.path.clone(), input.gzip, input.size);
    let parsed = parse_graph(input)?.map_err(|e| describe(&path, e, gzip))?;
    crate::progress::stage(&format!("analysing {}", path.display()), size);
    report_warnings(&path, parsed, ctx)
}

/// Parses a snapshot: the outer error is a failure to read it, the inner
/// one a parse error.
fn parse_graph(input: Opened) -> anyhow::Result<Result<Parsed<HeapGraph>, ParseError>> {
    refuse_not_json(&input)?;
    let path = input.path;
    let shown = path.display();
    crate::progress::stage(&format!("reading {shown}"), input.size);
    Ok(match input.source {
        Source::Mapped(map) => parse_snapshot_with(&map, &|range| release(&map, range)),
        // Made only for inputs detected as sampling profiles.
        Source::Positioned(_) => Err(ParseError::WrongKind {
            found: InputKind::HeapProfile,
        }),
        Source::Stream { head, rest } => {
            let bytes = stream::read_all(head, rest).map_err(|e| match e {
                stream::ReadAllError::OutOfMemory { so_far } => {
                    anyhow::anyhow!("out of memory reading '{shown}' ({so_far} bytes so far)")
                }
                stream::ReadAllError::Whitespace { run, at } => anyhow::anyhow!(
                    "'{shown}': {run} bytes of whitespace at byte {at}: not a V8 file{}",
                    if input.gzip {
                        " (offsets count decompressed bytes)"
                    } else {
                        ""
                    }
                ),
                stream::ReadAllError::Io(e) => read_error(&path, &e),
            })?;
            parse_snapshot(&bytes)
        }
    })
}

/// The error of a failed profile parse. In gzip input, a corrupt block
/// often shows first as broken JSON; the rest of the stream is checked
/// (up to a bound) so that the gzip error is the one reported.
fn parse_failure(path: &Path, gzip: bool, e: ParseError, rest: &mut dyn Read) -> anyhow::Error {
    const CHECK_AT_MOST: u64 = 256 << 20;
    if let ParseError::Io { source, .. } = &e {
        if gzip::is_gzip_error(source) {
            return read_error(path, source);
        }
    }
    if gzip {
        if let Err(source) = io::copy(&mut rest.take(CHECK_AT_MOST), &mut io::sink()) {
            if gzip::is_gzip_error(&source) {
                return read_error(path, &source);
            }
        }
    }
    describe(path, e, gzip)
}

/// A read error, naming the file: gzip problems as they are, others as a
/// failure to read.
fn read_error(path: &Path, e: &io::Error) -> anyhow::Error {
    let shown = path.display();
    if gzip::is_gzip_error(e) {
        anyhow::anyhow!("'{shown}': {e}")
    } else {
        anyhow::anyhow!("cannot read '{shown}': {e}")
    }
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
fn mmap(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and lives only while this process parses
    // it. If another process truncates the file meanwhile, reads of the lost
    // pages fault (SIGBUS); that is the documented limit of mapping files,
    // accepted here for inputs the user hands us and does not rewrite.
    unsafe { memmap2::MmapOptions::new().map(file) }
}

fn report_warnings<T>(path: &Path, parsed: Parsed<T>, ctx: &Context) -> anyhow::Result<T> {
    let shown = path.display();
    let Parsed { value, warnings } = parsed;
    if ctx.strict {
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

/// A warning about something other than an input file itself (a source
/// map, a script), printed once like the inputs' own; an error naming
/// `subject` under `--strict`.
pub(crate) fn warn(subject: &str, message: String, strict: bool) -> anyhow::Result<()> {
    if strict {
        bail!("'{subject}': {message} (--strict)");
    }
    if let Ok(mut seen) = SEEN_WARNINGS.lock() {
        let entry = (subject.to_string(), message);
        if !seen.contains(&entry) {
            seen.push(entry);
        }
    }
    Ok(())
}

/// Warnings of every input read so far, for reports.
/// Inputs are read in parallel, so warnings are collected here, as (input,
/// message), and printed once, in a fixed order, when the command ends.
static SEEN_WARNINGS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// The warnings about the inputs, ordered as the inputs were given on the
/// command line (stable within one input).
fn sorted_warnings() -> Vec<(String, String)> {
    let mut w = SEEN_WARNINGS.lock().map(|w| w.clone()).unwrap_or_default();
    // As the inputs are shown: an argument need not be UTF-8.
    let args: Vec<String> = std::env::args_os()
        .map(|a| Path::new(&a).display().to_string())
        .collect();
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

/// Prints the collected warnings on stderr (unless `--quiet`), with the
/// input's control characters shown escaped.
pub(crate) fn print_warnings(quiet: bool) {
    if quiet {
        return;
    }
    let mut err = io::stderr().lock();
    for line in warnings() {
        let line = heapdiff_renderer::escape::terminal(&line);
        let _ = writeln!(err, "heapdiff: warning: {line}");
    }
}

/// Reads until `buf` is full or the input ends.
fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A parse error naming the file; gzip offsets count decompressed bytes,
/// so say so.
fn describe(path: &Path, e: ParseError, gz: bool) -> anyhow::Error {
    let shown = path.display();
    if gz {
        anyhow::anyhow!("'{shown}': {e} (offsets count decompressed bytes)")
    } else {
        anyhow::anyhow!("'{shown}': {e}")
    }
}
