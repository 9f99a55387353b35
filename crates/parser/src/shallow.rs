//! `--shallow`: a heap snapshot read in one pass over any [`Read`], in
//! memory that does not grow with the number of nodes or edges.
//!
//! The `nodes` array is scanned record by record into counters per node
//! type and name index (per name only for `object` and `native` nodes, the
//! types whose class is their name, formats §7.8); `edges` is passed over,
//! its numbers counted and its bytes checked but not parsed; the other
//! arrays are skipped; of `strings`, only the names the counters refer to
//! are kept. So memory is the buffer, the counters and those names. V8
//! writes `strings` last, which is why names are resolved at the end. The
//! header must come before `nodes` (V8's order), since the columns are
//! known only from it; `strings` may come anywhere (before `nodes`, every
//! string is kept).

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::mpsc;

use heapdiff_model::{ShallowGroup, ShallowSnapshot};

use crate::snapshot::{Header, Layout, MAX_BYTES, header_count, type_names, whole};
use crate::{InputKind, ParseError, Parsed, Warning};
use crate::{columns, scan};

/// Bytes read at a time.
const CHUNK: usize = 4 << 20;

/// The longest string accepted, as the streaming tokenizer's bound.
const MAX_STRING: usize = 64 << 20;

/// Name indices below this are counted through a direct table; larger
/// ones (never seen in real files) through a hash map.
const DIRECT_NAMES: u64 = 1 << 24;

/// Reads a heap snapshot's counts and shallow sizes per node type and name
/// (see the module documentation), without its graph.
///
/// # Errors
/// A [`ParseError`] naming the section and byte offset when the input is
/// not a well-formed snapshot.
pub fn parse_snapshot_shallow(
    input: impl Read + Send,
) -> Result<Parsed<ShallowSnapshot>, ParseError> {
    std::thread::scope(|scope| {
        let (full_tx, full) = mpsc::sync_channel(2);
        let (empty, empty_rx) = mpsc::channel();
        scope.spawn(move || read_blocks(input, &full_tx, &empty_rx));
        parse(ReadAhead {
            full,
            empty,
            current: Vec::new(),
            pos: 0,
        })
    })
}

/// Reads the input in blocks of [`CHUNK`] bytes on a thread of its own,
/// so that reading (the kernel's copy) overlaps the scan. Stops at the
/// end of the input, at a read error (handed on), or when the parse has
/// stopped listening.
fn read_blocks(
    mut input: impl Read,
    full: &mpsc::SyncSender<io::Result<Vec<u8>>>,
    empty: &mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let mut block = empty.try_recv().unwrap_or_default();
        block.resize(CHUNK, 0);
        let mut n = 0;
        while n < CHUNK {
            match input.read(&mut block[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            }
        }
        block.truncate(n);
        if n == 0 || full.send(Ok(block)).is_err() || n < CHUNK {
            return;
        }
    }
}

/// The parse's side of [`read_blocks`]: the blocks as one `Read`, each
/// block handed back for reuse once read.
struct ReadAhead {
    full: mpsc::Receiver<io::Result<Vec<u8>>>,
    empty: mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            let done = std::mem::take(&mut self.current);
            if done.capacity() > 0 {
                let _ = self.empty.send(done);
            }
            match self.full.recv() {
                Ok(Ok(block)) => {
                    self.current = block;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The reader has finished: the end of the input.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn parse(input: impl Read) -> Result<Parsed<ShallowSnapshot>, ParseError> {
    let mut s = Stream::new(input);
    let mut top = TopLevel::default();
    match s.peek_non_ws()? {
        Some(b'{') => s.pos += 1,
        None => {
            return Err(ParseError::WrongKind {
                found: InputKind::Empty,
            });
        }
        Some(_) => {
            return Err(ParseError::WrongKind {
                found: InputKind::NotJson,
            });
        }
    }
    let mut key = String::new();
    let mut first = true;
    loop {
        match s.peek_non_ws()? {
            Some(b'}') => {
                s.pos += 1;
                break;
            }
            Some(b',') if !first => s.pos += 1,
            Some(_) if first => {}
            Some(c) => {
                return Err(s.syntax(
                    "the top level",
                    format!("expected `,` or `}}`, found {}", scan::show(c)),
                ));
            }
            None => return Err(s.truncated("the top level")),
        }
        first = false;
        s.expect(b'"', "the top level", "a key")?;
        s.string("the top level", &mut key)?;
        s.expect(b':', "the top level", "`:`")?;
        top.value(&mut s, &key)?;
    }
    if let Some(c) = s.peek_non_ws()? {
        return Err(s.syntax(
            "the top level",
            format!("unexpected {} after the snapshot's end", scan::show(c)),
        ));
    }
    top.finish(s.at())
}

/// What the top level has given so far.
#[derive(Default)]
struct TopLevel {
    head: Option<Head>,
    counts: Option<Counts>,
    /// Number of numbers in `edges`, and where the array ended.
    edge_numbers: Option<(u64, u64)>,
    strings: Option<Strings>,
    /// Every string, when `strings` comes before `nodes`.
    all_strings: Option<Vec<String>>,
    seen: Vec<String>,
}

struct Head {
    layout: Layout,
    node_types: Vec<String>,
    node_count: Option<u64>,
    edge_count: Option<u64>,
    extra_native_bytes: u64,
    /// Where the header starts.
    at: u64,
}

impl TopLevel {
    fn value<R: Read>(&mut self, s: &mut Stream<R>, key: &str) -> Result<(), ParseError> {
        let known = matches!(key, "snapshot" | "nodes" | "edges" | "strings");
        if known && self.seen.iter().any(|k| k == key) {
            return Err(s.syntax("the top level", format!("the key `{key}` appears twice")));
        }
        self.seen.push(key.to_string());
        match key {
            "snapshot" => self.head = Some(Head::read(s)?),
            "nodes" => {
                let head = self.head.as_ref().ok_or(ParseError::Missing {
                    what: "snapshot",
                    hint: "--shallow reads the file in one pass and needs the `snapshot` header before `nodes`, as V8 writes it",
                })?;
                self.counts = Some(Counts::read(s, head)?);
            }
            "edges" => self.edge_numbers = Some(skip_edges(s)?),
            "strings" => match &self.counts {
                Some(c) => self.strings = Some(Strings::read(s, c.needed())?),
                None => self.all_strings = Some(Strings::read_all(s)?),
            },
            _ => s.skip_value(section_of(key))?,
        }
        Ok(())
    }

    fn finish(self, end: u64) -> Result<Parsed<ShallowSnapshot>, ParseError> {
        let missing = |what, hint| ParseError::MissingKey {
            what,
            offset: end.saturating_sub(1),
            hint,
        };
        let head = self.head.ok_or(missing(
            "snapshot",
            "a heap snapshot starts with a `snapshot` header",
        ))?;
        let counts = self
            .counts
            .ok_or(missing("nodes", "a heap snapshot holds a `nodes` array"))?;
        let (numbers, edges_end) = self
            .edge_numbers
            .ok_or(missing("edges", "a heap snapshot holds an `edges` array"))?;
        let edge_count = check_edges(&head, &counts, numbers, edges_end)?;
        let names = match (self.strings, self.all_strings) {
            (Some(st), _) => st,
            (None, Some(all)) => Strings::from_all(all, counts.needed()),
            (None, None) => {
                return Err(missing(
                    "strings",
                    "a heap snapshot holds a `strings` array",
                ));
            }
        };
        let groups = counts.groups(&names)?;
        let mut node_types = head.node_types;
        let mut warnings = Vec::new();
        if counts.unlisted > 0 {
            // As the full parser: old V8's symbols, which DevTools names
            // by the type `undefined` it finds past the list.
            warnings.push(Warning::UnlistedNodeType {
                index: node_types.len() as u64,
                nodes: counts.unlisted,
            });
            node_types.push("undefined".into());
        }
        Ok(Parsed {
            value: ShallowSnapshot {
                node_types,
                groups,
                node_count: counts.nodes,
                edge_count,
                total_self: counts.total_self,
                extra_native_bytes: head.extra_native_bytes,
                has_detachedness: head.layout.n_detached.is_some(),
            },
            warnings,
        })
    }
}

fn section_of(key: &str) -> &'static str {
    match key {
        "trace_function_infos" => "trace_function_infos",
        "trace_tree" => "trace_tree",
        "samples" => "samples",
        "locations" => "locations",
        _ => "the top level",
    }
}

impl Head {
    fn read<R: Read>(s: &mut Stream<R>) -> Result<Self, ParseError> {
        let at = s.at_value()?;
        let bytes = s.capture_value("snapshot")?;
        let header: Header = serde_json::from_slice(&bytes).map_err(|e| ParseError::Syntax {
            section: "snapshot",
            offset: at,
            message: format!("unreadable header: {e}"),
        })?;
        let layout = Layout::new(&header.meta)?;
        let count = |key, v: f64| {
            (!v.is_nan())
                .then(|| header_count(&bytes, 0, key, v))
                .transpose()
                .map_err(|e| shifted(e, at))
        };
        Ok(Self {
            node_types: type_names(&header.meta.node_types, layout.n_type),
            node_count: count("node_count", header.node_count)?,
            edge_count: count("edge_count", header.edge_count)?,
            extra_native_bytes: whole(header.extra_native_bytes),
            layout,
            at,
        })
    }
}

/// Adds `by` to the byte offset of an error found in a part of the input.
fn shifted(e: ParseError, by: u64) -> ParseError {
    match e {
        ParseError::Syntax {
            section,
            offset,
            message,
        } => ParseError::Syntax {
            section,
            offset: offset + by,
            message,
        },
        ParseError::BadValue {
            section,
            field,
            offset,
            reason,
        } => ParseError::BadValue {
            section,
            field,
            offset: offset + by,
            reason,
        },
        ParseError::Truncated { section, offset } => ParseError::Truncated {
            section,
            offset: offset + by,
        },
        other => other,
    }
}

/// The counters filled while `nodes` streams past.
struct Counts {
    /// Group of each `(type, 0)` for the types whose class ignores the
    /// name, by type (`NONE` until seen).
    by_type: Vec<u32>,
    /// Group by name index: `object` nodes, `native` nodes not detached,
    /// detached `native` nodes.
    by_name: [Vec<u32>; 3],
    by_large_name: HashMap<(u8, u64), u32>,
    /// The groups: type, name index (or `NO_NAME`), detached, count, size.
    groups: Vec<(u8, u64, bool, u64, u64)>,
    nodes: u64,
    /// Nodes of the type right after the listed ones.
    unlisted: u64,
    /// Σ of the nodes' `edge_count`.
    edges: u64,
    total_self: u64,
}

const NONE: u32 = u32::MAX;
const NO_NAME: u64 = u64::MAX;

/// One record of `nodes`, the columns `--shallow` reads.
struct Record {
    kind: u64,
    name: u64,
    self_size: u64,
    edges: u64,
    detached: bool,
}

impl Counts {
    fn read<R: Read>(s: &mut Stream<R>, head: &Head) -> Result<Self, ParseError> {
        let l = &head.layout;
        let n_types = head.node_types.len();
        let object = head.node_types.iter().position(|t| t == "object");
        let native = head.node_types.iter().position(|t| t == "native");
        let mut c = Self {
            by_type: vec![NONE; 256],
            by_name: [Vec::new(), Vec::new(), Vec::new()],
            by_large_name: HashMap::new(),
            groups: Vec::new(),
            nodes: 0,
            unlisted: 0,
            edges: 0,
            total_self: 0,
        };
        s.expect(b'[', "nodes", "`[`")?;
        let mut rec = [0u64; 64];
        let mut at_record = s.at();
        scan_numbers(s, "nodes", l.node_fields, &mut rec, |rec, s_at| {
            let r = Record {
                kind: rec[l.n_type],
                name: rec[l.n_name],
                self_size: rec[l.n_self],
                edges: rec[l.n_edges],
                detached: l.n_detached.is_some_and(|d| rec[d] == 2),
            };
            c.add(&r, n_types, (object, native), at_record)?;
            at_record = s_at;
            Ok(())
        })?;
        if let Some(h) = head.node_count
            && h != c.nodes
        {
            return Err(ParseError::InconsistentAt {
                section: "snapshot",
                offset: head.at,
                reason: format!(
                    "the header says node_count = {h}, but the `nodes` array holds {}",
                    c.nodes
                ),
            });
        }
        Ok(c)
    }

    fn add(
        &mut self,
        r: &Record,
        n_types: usize,
        (object, native): (Option<usize>, Option<usize>),
        at: u64,
    ) -> Result<(), ParseError> {
        let bad = |field, reason| ParseError::BadValue {
            section: "nodes",
            field,
            offset: at,
            reason,
        };
        let Some(kind) = u8::try_from(r.kind)
            .ok()
            .filter(|&k| usize::from(k) <= n_types)
        else {
            return Err(bad(
                "type",
                format!(
                    "node {} has type {}, but `meta` lists {n_types} types",
                    self.nodes, r.kind
                ),
            ));
        };
        if r.self_size > MAX_BYTES {
            return Err(bad(
                "self_size",
                format!("{} is above 2^53 - 1", r.self_size),
            ));
        }
        self.nodes += 1;
        self.unlisted += u64::from(usize::from(kind) == n_types);
        self.edges += r.edges;
        self.total_self += r.self_size;
        if self.total_self > MAX_BYTES {
            return Err(bad(
                "self_size",
                "the shallow sizes add up to more than 2^53 - 1".into(),
            ));
        }
        if r.self_size == 0 {
            return Ok(());
        }
        let k = Some(usize::from(kind));
        let g = if k == object || k == native {
            let table = if k == object {
                0
            } else {
                1 + usize::from(r.detached)
            };
            self.named_group(table, kind, r.name, table == 2)
        } else {
            let slot = self.by_type[usize::from(kind)];
            if slot == NONE {
                let g = self.new_group(kind, NO_NAME, false);
                self.by_type[usize::from(kind)] = g;
                g
            } else {
                slot
            }
        };
        let group = &mut self.groups[g as usize];
        group.3 += 1;
        group.4 += r.self_size;
        Ok(())
    }

    fn named_group(&mut self, table: usize, kind: u8, name: u64, detached: bool) -> u32 {
        if name >= DIRECT_NAMES {
            let key = (u8::try_from(table).unwrap_or(0), name);
            if let Some(&g) = self.by_large_name.get(&key) {
                return g;
            }
            let g = self.new_group(kind, name, detached);
            self.by_large_name.insert(key, g);
            return g;
        }
        let i = usize::try_from(name).unwrap_or(0);
        if i >= self.by_name[table].len() {
            self.by_name[table].resize((i + 1).next_power_of_two(), NONE);
        }
        let slot = self.by_name[table][i];
        if slot != NONE {
            return slot;
        }
        let g = self.new_group(kind, name, detached);
        self.by_name[table][i] = g;
        g
    }

    fn new_group(&mut self, kind: u8, name: u64, detached: bool) -> u32 {
        self.groups.push((kind, name, detached, 0, 0));
        heapdiff_model::cast::to_u32(self.groups.len() - 1)
    }

    /// The name indices the groups refer to, sorted and distinct.
    fn needed(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .groups
            .iter()
            .map(|g| g.1)
            .filter(|&n| n != NO_NAME)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn groups(&self, names: &Strings) -> Result<Vec<ShallowGroup>, ParseError> {
        self.groups
            .iter()
            .map(|&(kind, name, detached, count, self_size)| {
                let name = if name == NO_NAME {
                    String::new()
                } else {
                    names.get(name)?.to_string()
                };
                Ok(ShallowGroup {
                    kind,
                    name,
                    detached,
                    count,
                    self_size,
                })
            })
            .collect()
    }
}

/// Scans a flat array of unsigned integers whose `[` has been read, calling
/// `record` with each full record of `fields` numbers and the offset after
/// it. The numbers between commas are read as the full parser reads them
/// (commas found 64 bytes at a time, eight digits at a time, and every
/// error from the careful path, `columns.rs`).
fn scan_numbers<R: Read>(
    s: &mut Stream<R>,
    section: &'static str,
    fields: usize,
    rec: &mut [u64; 64],
    mut record: impl FnMut(&[u64; 64], u64) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut f = 0usize;
    let mut count = 0u64;
    let mut emit = |v: u64, at: u64| -> Result<(), ParseError> {
        rec[f] = v;
        f += 1;
        count += 1;
        if f == fields {
            f = 0;
            record(rec, at)?;
        }
        Ok(())
    };
    loop {
        if s.pos == s.end && !s.fill()? {
            return Err(s.truncated(section));
        }
        let buf = &s.buf[s.pos..s.end];
        let base = usize::try_from(s.base).unwrap_or(usize::MAX) + s.pos;
        let stop = memchr::memchr(b']', buf);
        let text = &buf[..stop.unwrap_or(buf.len())];
        let mut start = 0;
        let mut block = 0;
        while block < text.len() {
            let end = (block + 64).min(text.len());
            let mut commas = columns::comma_mask(&text[block..end]);
            while commas != 0 {
                let comma = block + commas.trailing_zeros() as usize;
                commas &= commas - 1;
                let v = columns::field(text, start, comma, base, section)?;
                emit(v, (base + comma) as u64)?;
                start = comma + 1;
            }
            block = end;
        }
        let Some(close) = stop else {
            // Keep the number cut at the buffer's end for the next round.
            s.pos += start;
            if !s.fill()? {
                return Err(s.truncated(section));
            }
            continue;
        };
        let tail = &text[start..];
        if !tail.iter().all(|&c| scan::is_ws(c)) {
            let v = columns::careful_field(text, start, close, base, section)?;
            emit(v, (base + close) as u64)?;
        } else if count > 0 {
            return Err(ParseError::Syntax {
                section,
                offset: (base + close) as u64,
                message: "expected a number after `,`".into(),
            });
        }
        s.pos += close + 1;
        if f != 0 {
            return Err(ParseError::InconsistentAt {
                section,
                offset: (base + close) as u64,
                reason: format!(
                    "the array holds {count} numbers, not a multiple of the {fields} fields of a record"
                ),
            });
        }
        return Ok(());
    }
}

/// Passes over `edges` (its `[` next): counts its numbers and checks its
/// bytes, without parsing a number. Returns the count and where `]` is.
fn skip_edges<R: Read>(s: &mut Stream<R>) -> Result<(u64, u64), ParseError> {
    s.expect(b'[', "edges", "`[`")?;
    let mut commas = 0u64;
    let mut digits = false;
    loop {
        if s.pos == s.end && !s.fill()? {
            return Err(s.truncated("edges"));
        }
        let buf = &s.buf[s.pos..s.end];
        let stop = memchr::memchr(b']', buf);
        let part = &buf[..stop.unwrap_or(buf.len())];
        let (n, any_digit, bad) = count_numbers(part);
        if let Some(k) = bad {
            return Err(ParseError::BadNumber {
                section: "edges",
                offset: s.base + (s.pos + k) as u64,
                reason: format!(
                    "expected a digit, `,` or `]`, found {}",
                    scan::show(part[k])
                ),
            });
        }
        commas += n;
        digits |= any_digit;
        if let Some(k) = stop {
            let at = s.base + (s.pos + k) as u64;
            s.pos += k + 1;
            return Ok((if digits { commas + 1 } else { 0 }, at));
        }
        s.pos = s.end;
    }
}

/// Commas in `part`, whether it has a digit, and the first byte that is
/// neither a digit, a comma nor whitespace. Blocks of 64 bytes are judged
/// with byte-wide counters, which the compiler turns into vector code.
fn count_numbers(part: &[u8]) -> (u64, bool, Option<usize>) {
    let mut commas = 0u64;
    let mut digits = 0u8;
    let mut blocks = part.chunks_exact(64);
    for (bi, block) in blocks.by_ref().enumerate() {
        let (mut c, mut d, mut bad) = (0u8, 0u8, 0u8);
        for &b in block {
            let is_digit = b.wrapping_sub(b'0') < 10;
            let is_comma = b == b',';
            let is_ws = b == b'\n' || b == b' ' || b == b'\r' || b == b'\t';
            c += u8::from(is_comma);
            d |= u8::from(is_digit);
            bad |= u8::from(!(is_digit | is_comma | is_ws));
        }
        if bad != 0 {
            return (0, false, Some(bi * 64 + first_bad(block)));
        }
        commas += u64::from(c);
        digits |= d;
    }
    let rest = blocks.remainder();
    if let Some(k) = rest
        .iter()
        .position(|&b| !(b.is_ascii_digit() || b == b',' || scan::is_ws(b)))
    {
        return (0, false, Some(part.len() - rest.len() + k));
    }
    commas += rest.iter().filter(|&&b| b == b',').count() as u64;
    digits |= u8::from(rest.iter().any(u8::is_ascii_digit));
    (commas, digits != 0, None)
}

fn first_bad(block: &[u8]) -> usize {
    block
        .iter()
        .position(|&b| !(b.is_ascii_digit() || b == b',' || scan::is_ws(b)))
        .unwrap_or(0)
}

/// The edge count, once `edges` agrees with the nodes and the header.
fn check_edges(head: &Head, c: &Counts, numbers: u64, end: u64) -> Result<u64, ParseError> {
    let fields = head.layout.edge_fields as u64;
    let inconsistent = |section, offset, reason| ParseError::InconsistentAt {
        section,
        offset,
        reason,
    };
    if numbers % fields != 0 {
        return Err(inconsistent(
            "edges",
            end,
            format!(
                "the array holds {numbers} numbers, not a multiple of the {fields} fields of an edge"
            ),
        ));
    }
    let edges = numbers / fields;
    if let Some(h) = head.edge_count
        && h != edges
    {
        return Err(inconsistent(
            "snapshot",
            head.at,
            format!("the header says edge_count = {h}, but the `edges` array holds {edges}"),
        ));
    }
    if c.edges != edges {
        return Err(inconsistent(
            "edges",
            end,
            format!(
                "the nodes' edge counts add up to {}, but the `edges` array holds {edges}",
                c.edges
            ),
        ));
    }
    Ok(edges)
}

/// The names the counters need, by string index.
struct Strings {
    /// Sorted indices and their texts.
    kept: Vec<(u64, String)>,
    /// Number of strings in the table.
    len: u64,
}

impl Strings {
    fn read<R: Read>(s: &mut Stream<R>, needed: Vec<u64>) -> Result<Self, ParseError> {
        let mut kept = Vec::with_capacity(needed.len());
        let mut next = needed.into_iter().peekable();
        let len = each_string(
            s,
            |i| next.next_if_eq(&i).is_some(),
            |i, t| kept.push((i, t)),
        )?;
        Ok(Self { kept, len })
    }

    fn read_all<R: Read>(s: &mut Stream<R>) -> Result<Vec<String>, ParseError> {
        let mut all = Vec::new();
        each_string(s, |_| true, |_, t| all.push(t))?;
        Ok(all)
    }

    fn from_all(all: Vec<String>, needed: Vec<u64>) -> Self {
        let len = all.len() as u64;
        let mut all: Vec<Option<String>> = all.into_iter().map(Some).collect();
        let kept = needed
            .into_iter()
            .filter_map(|i| {
                let t = all.get_mut(usize::try_from(i).ok()?)?.take()?;
                Some((i, t))
            })
            .collect();
        Self { kept, len }
    }

    fn get(&self, i: u64) -> Result<&str, ParseError> {
        match self.kept.binary_search_by_key(&i, |&(k, _)| k) {
            Ok(at) => Ok(&self.kept[at].1),
            Err(_) => Err(ParseError::Inconsistent {
                section: "nodes",
                reason: format!(
                    "a node's name is string {i}, but `strings` holds {} strings",
                    self.len
                ),
            }),
        }
    }
}

/// Reads the `strings` array (its `[` next): string `i` is decoded and
/// handed to `got` when `want(i)`, else only passed over. Returns the
/// number of strings.
fn each_string<R: Read>(
    s: &mut Stream<R>,
    mut want: impl FnMut(u64) -> bool,
    mut got: impl FnMut(u64, String),
) -> Result<u64, ParseError> {
    s.expect(b'[', "strings", "`[`")?;
    let mut text = String::new();
    let mut i = 0u64;
    loop {
        match s.peek_non_ws()? {
            Some(b']') if i == 0 => {
                s.pos += 1;
                return Ok(0);
            }
            Some(b'"') => {}
            Some(c) => {
                return Err(s.syntax(
                    "strings",
                    format!("expected a string, found {}", scan::show(c)),
                ));
            }
            None => return Err(s.truncated("strings")),
        }
        s.pos += 1;
        if want(i) {
            s.string("strings", &mut text)?;
            got(i, std::mem::take(&mut text));
        } else {
            s.skip_string("strings")?;
        }
        i += 1;
        match s.peek_non_ws()? {
            Some(b',') => s.pos += 1,
            Some(b']') => {
                s.pos += 1;
                return Ok(i);
            }
            Some(c) => {
                return Err(s.syntax(
                    "strings",
                    format!("expected `,` or `]`, found {}", scan::show(c)),
                ));
            }
            None => return Err(s.truncated("strings")),
        }
    }
}

/// A window over the input, refilled as it is consumed.
struct Stream<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset of `buf[0]` in the input.
    base: u64,
}

impl<R: Read> Stream<R> {
    fn new(r: R) -> Self {
        Self {
            r,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            base: 0,
        }
    }

    fn at(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Moves what is left to the front and reads more; `false` at the end
    /// of the input. The buffer grows when it is full of unread bytes (a
    /// long string).
    fn fill(&mut self) -> Result<bool, ParseError> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() > MAX_STRING + CHUNK {
                return Err(ParseError::BadValue {
                    section: "strings",
                    field: "string",
                    offset: self.base,
                    reason: "a string longer than 64 MiB".into(),
                });
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.r.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(ParseError::Io {
                        offset: self.base + self.end as u64,
                        source,
                    });
                }
            }
        }
    }

    fn truncated(&self, section: &'static str) -> ParseError {
        ParseError::Truncated {
            section,
            offset: self.base + self.end as u64,
        }
    }

    fn syntax(&self, section: &'static str, message: String) -> ParseError {
        ParseError::Syntax {
            section,
            offset: self.at(),
            message,
        }
    }

    /// The next byte that is not whitespace (not consumed), or `None` at
    /// the end of the input.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, ParseError> {
        loop {
            while self.pos < self.end {
                let c = self.buf[self.pos];
                if !scan::is_ws(c) {
                    return Ok(Some(c));
                }
                self.pos += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Where the next value starts (after whitespace).
    fn at_value(&mut self) -> Result<u64, ParseError> {
        self.peek_non_ws()?;
        Ok(self.at())
    }

    fn expect(&mut self, c: u8, section: &'static str, what: &str) -> Result<(), ParseError> {
        match self.peek_non_ws()? {
            Some(x) if x == c => {
                self.pos += 1;
                Ok(())
            }
            Some(x) => {
                Err(self.syntax(section, format!("expected {what}, found {}", scan::show(x))))
            }
            None => Err(self.truncated(section)),
        }
    }

    /// The end of the string whose opening quote was just consumed, within
    /// the buffer (refilled until it holds the whole string).
    fn string_end(&mut self, section: &'static str) -> Result<usize, ParseError> {
        loop {
            match scan::string_end(&self.buf[..self.end], self.pos, section) {
                Ok((end, _)) => return Ok(end),
                Err(ParseError::Truncated { .. }) => {
                    if !self.fill()? {
                        return Err(self.truncated(section));
                    }
                }
                Err(e) => return Err(shifted(e, self.base)),
            }
        }
    }

    /// Reads the string whose opening quote was just consumed into `out`.
    fn string(&mut self, section: &'static str, out: &mut String) -> Result<(), ParseError> {
        let end = self.string_end(section)?;
        let raw = &self.buf[self.pos..end - 1];
        if let Some(k) = raw.iter().position(|&b| b < 0x20) {
            return Err(ParseError::Syntax {
                section,
                offset: self.base + (self.pos + k) as u64,
                message: format!("raw control character {} in a string", scan::show(raw[k])),
            });
        }
        scan::decode_string(raw, out, self.pos, section).map_err(|e| shifted(e, self.base))?;
        self.pos = end;
        Ok(())
    }

    /// Passes over the string whose opening quote was just consumed.
    fn skip_string(&mut self, section: &'static str) -> Result<(), ParseError> {
        self.pos = self.string_end(section)?;
        Ok(())
    }

    /// Passes over one JSON value.
    fn skip_value(&mut self, section: &'static str) -> Result<(), ParseError> {
        self.walk_value(section, None)
    }

    /// One JSON value's bytes (the header: small).
    fn capture_value(&mut self, section: &'static str) -> Result<Vec<u8>, ParseError> {
        let mut out = Vec::new();
        self.walk_value(section, Some(&mut out))?;
        Ok(out)
    }

    /// Passes over one JSON value, copying its bytes to `copy` if given:
    /// strings are passed whole, containers counted by depth, a scalar ends
    /// at the next separator.
    fn walk_value(
        &mut self,
        section: &'static str,
        mut copy: Option<&mut Vec<u8>>,
    ) -> Result<(), ParseError> {
        let mut depth = 0usize;
        let mut scalar = false;
        if self.peek_non_ws()?.is_none() {
            return Err(self.truncated(section));
        }
        loop {
            if self.pos == self.end && !self.fill()? {
                return Err(self.truncated(section));
            }
            let c = self.buf[self.pos];
            let from = self.pos;
            if depth == 0 && (scalar || !matches!(c, b'"' | b'{' | b'[')) {
                let rest = &self.buf[self.pos..self.end];
                let stop = rest
                    .iter()
                    .position(|&x| matches!(x, b',' | b'}' | b']') || scan::is_ws(x));
                if stop == Some(0) && !scalar {
                    return Err(self.syntax(
                        section,
                        format!("expected a value, found {}", scan::show(c)),
                    ));
                }
                self.pos += stop.unwrap_or(rest.len());
                if let Some(out) = copy.as_deref_mut() {
                    out.extend_from_slice(&self.buf[from..self.pos]);
                }
                if stop.is_some() {
                    return Ok(());
                }
                scalar = true;
                continue;
            }
            match c {
                b'"' => {
                    self.pos += 1;
                    let end = self.string_end(section)?;
                    if let Some(out) = copy.as_deref_mut() {
                        out.push(b'"');
                        out.extend_from_slice(&self.buf[self.pos..end]);
                    }
                    self.pos = end;
                    if depth == 0 {
                        return Ok(());
                    }
                    continue;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth -= 1;
                    self.pos += 1;
                }
                _ => {
                    // Up to the next structural byte: a long number array
                    // is passed with two `memchr` scans.
                    let rest = &self.buf[self.pos..self.end];
                    let k = memchr::memchr3(b'"', b'[', b']', rest).unwrap_or(rest.len());
                    self.pos += memchr::memchr2(b'{', b'}', &rest[..k]).unwrap_or(k);
                }
            }
            if let Some(out) = copy.as_deref_mut() {
                out.extend_from_slice(&self.buf[from..self.pos]);
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = r#"{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],
        "node_types":[["hidden","array","string","object","native","synthetic"]],
        "edge_fields":["type","name_or_index","to_node"],
        "edge_types":[["context","element","property","internal","hidden","shortcut","weak"]]},
        "node_count":5,"edge_count":3}"#;

    fn snapshot(strings_first: bool) -> String {
        let nodes = "[5,0,1,0,2,0, 3,1,3,16,1,0, 3,1,5,24,0,0, 4,2,7,8,0,2, 3,3,9,0,0,0]";
        let edges = "[1,0,6,2,1,12,\n3,2,18]";
        let strings = r#"["", "Foo", "<div id=\"a\">", "Zero"]"#;
        if strings_first {
            format!(
                r#"{{"snapshot":{META},"strings":{strings},"nodes":{nodes},"edges":{edges},"locations":[6,1,2,3]}}"#
            )
        } else {
            format!(
                r#"{{"snapshot":{META},"nodes":{nodes},"edges":{edges},"trace_tree":[1,0,0,0,[]],"locations":[6,1,2,3],"strings":{strings}}}"#
            )
        }
    }

    /// Hands out one byte per read, so that every number, string and key
    /// is cut by a refill somewhere.
    struct ByteByByte<'a>(&'a [u8]);

    impl Read for ByteByByte<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let Some((&b, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            if out.is_empty() {
                return Ok(0);
            }
            out[0] = b;
            self.0 = rest;
            Ok(1)
        }
    }

    fn groups(s: &ShallowSnapshot) -> Vec<(u8, &str, bool, u64, u64)> {
        s.groups
            .iter()
            .map(|g| (g.kind, g.name.as_str(), g.detached, g.count, g.self_size))
            .collect()
    }

    #[test]
    fn objects_are_counted_by_type_and_name_in_any_read_size() {
        let expected = [(3, "Foo", false, 2, 40), (4, "<div id=\"a\">", true, 1, 8)];
        for strings_first in [false, true] {
            let text = snapshot(strings_first);
            for parsed in [
                parse_snapshot_shallow(text.as_bytes()).unwrap(),
                parse_snapshot_shallow(ByteByByte(text.as_bytes())).unwrap(),
            ] {
                let s = parsed.value;
                assert_eq!(groups(&s), expected);
                assert_eq!((s.node_count, s.edge_count, s.total_self), (5, 3, 48));
                assert!(s.has_detachedness);
            }
        }
    }

    fn error(text: &str) -> String {
        parse_snapshot_shallow(text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_input_is_an_error_at_its_byte_offset() {
        let text = snapshot(false);
        let cut = &text[..text.find("\"strings\"").unwrap() + 14];
        assert_eq!(
            error(cut),
            format!(
                "the file is truncated: it ends inside `strings` at byte {}",
                cut.len()
            )
        );
        let at = text.find("\n3,2,18").unwrap();
        let bad = text.replacen("\n3,2,18", "\n3,x,18", 1);
        assert_eq!(
            error(&bad),
            format!(
                "bad number in `edges` at byte {}: expected a digit, `,` or `]`, found `x`",
                at + 3
            )
        );
        let short = text.replacen(",\n3,2,18]", "]", 1);
        assert!(
            error(&short).contains("the header says edge_count = 3, but the `edges` array holds 2")
        );
        let nodes_first = text.replacen(&format!(r#""snapshot":{META},"#), "", 1)
            + &format!(r#""snapshot":{META}"#);
        assert!(
            error(&nodes_first.replacen("}\"snapshot\"", "},\"snapshot\"", 1))
                .contains("before `nodes`")
        );
        let unnamed = text.replacen(
            r#"["", "Foo", "<div id=\"a\">", "Zero"]"#,
            r#"["", "Foo"]"#,
            1,
        );
        assert!(
            error(&unnamed).contains("a node's name is string 2, but `strings` holds 2 strings")
        );
        let big_type = text.replacen("[5,0,1,0,2,0,", "[9,0,1,0,2,0,", 1);
        assert!(error(&big_type).contains("node 0 has type 9, but `meta` lists 6 types"));
    }
}
