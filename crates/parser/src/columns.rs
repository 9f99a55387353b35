//! The dedicated scanner for V8's big integer arrays (`nodes`, `edges`),
//! parallel across cores (formats §12.1).
//!
//! The array text is cut into chunks just after a comma. Counting commas per
//! chunk (a `memchr` pass) tells where every chunk's numbers fall in the
//! record stream, so each chunk parses straight into its own disjoint part
//! of every output column: no intermediate buffer, no merge, and the result
//! does not depend on how the work was split.

use heapdiff_model::{NodeOrdinal, SnapshotStringId};
use rayon::prelude::*;

use crate::ParseError;
use crate::scan::is_ws;

/// Where one field of every record goes.
pub(crate) enum Column<'a> {
    /// Values that must fit a byte (type enums).
    U8(&'a mut [u8]),
    /// Values that must fit 32 bits.
    U32(&'a mut [u32]),
    /// Object ids: a `U32` column whose overflow is not an error but
    /// [`WIDE_ID`], so that the caller parses the array again with 64-bit
    /// ids (see [`is_wide_id`]).
    Id(&'a mut [u32]),
    /// Sizes.
    U64(&'a mut [u64]),
    /// Node indices (`to_node`): stored as ordinals after checking they are
    /// a multiple of the node field count and in range.
    NodeIndex {
        out: &'a mut [NodeOrdinal],
        nodes: NodeIndices,
    },
    /// A field nobody reads.
    Skip,
}

/// Turns V8's node indices (ordinal × field count) into ordinals. The
/// division is a multiplication by a precomputed reciprocal (exact for
/// 32-bit dividends: D. Lemire, O. Kaser, N. Kurz, "Faster remainder by
/// direct computation", 2019), as one per edge is too many for `div`.
#[derive(Clone, Copy)]
pub(crate) struct NodeIndices {
    fields: u64,
    count: u64,
    reciprocal: u64,
}

impl NodeIndices {
    fn new(fields: u64, count: u64) -> Self {
        let fields = fields.max(1);
        Self {
            fields,
            count,
            reciprocal: (u64::MAX / fields).wrapping_add(1),
        }
    }

    /// The ordinal of node index `v`, if `v` is one.
    #[inline(always)]
    fn ordinal(self, v: u64) -> Option<NodeOrdinal> {
        let q = match u32::try_from(v) {
            // For fields == 1 the reciprocal wraps to 0; the quotient is v.
            Ok(_) if self.fields == 1 => v,
            // The shift leaves 64 bits (clippy sees it: no truncation).
            Ok(_) => ((u128::from(self.reciprocal) * u128::from(v)) >> 64) as u64,
            Err(_) => v / self.fields,
        };
        (q * self.fields == v && q < self.count)
            .then(|| u32::try_from(q).ok().map(NodeOrdinal::new))?
    }
}

/// The type of a column, to allocate it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    U8,
    U32,
    U64,
    NodeIndex,
    /// See [`Column::Id`].
    Id,
    /// A `U8` column that is often all zeros (its memory is then never
    /// touched: see [`store`]).
    SparseU8,
    /// A `U32` column that is often all zeros.
    SparseU32,
    Skip,
}

/// The array's text: the bytes between `[` and `]`, and where they start.
pub(crate) struct ArrayText<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) base: usize,
    pub(crate) end: usize,
}

/// Finds the array starting at `at` (its `[`). Integer arrays hold no
/// brackets, so the end is the next `]`, looked for in parallel windows.
pub(crate) fn array_text<'a>(
    b: &'a [u8],
    at: usize,
    section: &'static str,
) -> Result<ArrayText<'a>, ParseError> {
    let open = crate::scan::expect(b, at, b'[', section, "an array of numbers")?;
    let close = find_close(b, open).ok_or(ParseError::Truncated {
        section,
        offset: b.len() as u64,
    })?;
    Ok(ArrayText {
        text: &b[open..close],
        base: open,
        end: close + 1,
    })
}

/// Where the `k`-th number (0-based) of an array starts, by a rescan of
/// its text: for error messages found after parsing, never on the hot path.
/// Past the last number, the array's `]`.
pub(crate) fn number_offset(arr: &ArrayText<'_>, k: u64) -> u64 {
    let start = match k.checked_sub(1) {
        None => 0,
        Some(commas) => usize::try_from(commas)
            .ok()
            .and_then(|n| memchr::memchr_iter(b',', arr.text).nth(n))
            .map_or(arr.text.len(), |c| c + 1),
    };
    let digits = start + arr.text[start..].iter().take_while(|&&c| is_ws(c)).count();
    (arr.base + digits) as u64
}

/// The first `]` at or after `from`. The arrays are a gigabyte and more,
/// so windows are searched side by side, a few at a time, the first hit
/// in file order winning.
fn find_close(b: &[u8], from: usize) -> Option<usize> {
    const WINDOW: usize = 4 << 20;
    let batch = WINDOW * 2 * rayon::current_num_threads().max(1);
    let mut at = from;
    while at < b.len() {
        let end = (at + batch).min(b.len());
        let starts: Vec<usize> = (at..end).step_by(WINDOW).collect();
        let found = starts
            .into_par_iter()
            .find_map_first(|w| memchr::memchr(b']', &b[w..(w + WINDOW).min(end)]).map(|k| w + k));
        if found.is_some() {
            return found;
        }
        at = end;
    }
    None
}

/// Bytes of array text per parallel task.
const CHUNK: usize = 8 << 20;

/// Chunk boundaries (just after a comma, about `chunk` bytes apart) and the
/// number of values in each.
fn chunks(text: &[u8], chunk: usize) -> Vec<(usize, usize, u64)> {
    let mut cuts = vec![0];
    let mut at = chunk;
    while at < text.len() {
        match memchr::memchr(b',', &text[at..]) {
            Some(k) => cuts.push(at + k + 1),
            None => break,
        }
        at = cuts[cuts.len() - 1] + chunk;
    }
    cuts.push(text.len());
    let last = cuts.len() - 2;
    cuts.windows(2)
        .enumerate()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(i, w)| {
            let commas = memchr::memchr_iter(b',', &text[w[0]..w[1]]).count() as u64;
            // Every number but the array's last is followed by a comma.
            let has_digit = i == last && text[w[0]..w[1]].iter().any(u8::is_ascii_digit);
            (w[0], w[1], commas + u64::from(has_digit))
        })
        .collect()
}

/// Number of indices `i` in `0..x` with `i % fields == f`.
fn count_field(x: u64, fields: u64, f: u64) -> usize {
    usize::try_from((x + fields - 1 - f) / fields).unwrap_or(usize::MAX)
}

/// Parses an array (found by [`array_text`]) of `kinds.len()`-wide
/// records into columns allocated here, handed out by field ([`Columns`]).
///
/// `done` is told each chunk's byte range (in the text `arr` was found in)
/// once the chunk is parsed, from the thread that parsed it.
pub(crate) fn parse_records(
    arr: &ArrayText<'_>,
    section: &'static str,
    kinds: &[ColumnKind],
    (node_fields, n_nodes): (u64, u64),
    done: &Done<'_>,
) -> Result<Columns, ParseError> {
    parse_records_in_chunks(arr, section, kinds, (node_fields, n_nodes), CHUNK, done)
        .map(|cols| Columns(cols.into_iter().map(Some).collect()))
}

/// Told the byte ranges of the input the parser has finished with.
pub(crate) type Done<'a> = dyn Fn(std::ops::Range<usize>) + Sync + 'a;

/// Parsed columns, one per field, each taken once by its reader.
pub(crate) struct Columns(Vec<Option<Owned>>);

impl Columns {
    /// The number of records (the length of every column).
    pub(crate) fn len(&self) -> usize {
        self.0.iter().flatten().map(Owned::len).max().unwrap_or(0)
    }

    /// The column of field `i` (`Owned::Skip` for a skipped field, or when
    /// taken before).
    pub(crate) fn take(&mut self, i: usize) -> Owned {
        self.0
            .get_mut(i)
            .and_then(Option::take)
            .unwrap_or(Owned::Skip)
    }
}

/// [`parse_records`] with a chosen chunk size (tests use small ones).
fn parse_records_in_chunks(
    arr: &ArrayText<'_>,
    section: &'static str,
    kinds: &[ColumnKind],
    (node_fields, n_nodes): (u64, u64),
    chunk: usize,
    done: &Done<'_>,
) -> Result<Vec<Owned>, ParseError> {
    let parts = chunks(arr.text, chunk);
    let total: u64 = parts.iter().map(|p| p.2).sum();
    let fields = kinds.len() as u64;
    if total % fields != 0 {
        return Err(ParseError::InconsistentAt {
            section,
            offset: (arr.base + arr.text.len()) as u64,
            reason: format!(
                "{total} numbers do not make whole records of {fields} fields (a truncated file?)"
            ),
        });
    }
    let n = usize::try_from(total / fields).unwrap_or(usize::MAX);
    let mut owned: Vec<Owned> = kinds.iter().map(|&k| Owned::with_len(k, n)).collect();
    // Cut every column into the chunks' disjoint parts.
    let mut per_chunk: Vec<Vec<Column<'_>>> = (0..parts.len()).map(|_| Vec::new()).collect();
    for (f, col) in owned.iter_mut().enumerate() {
        let mut rest = col.as_column(node_fields, n_nodes);
        let mut start = 0u64;
        for (k, part) in parts.iter().enumerate() {
            let end = start + part.2;
            let len = count_field(end, fields, f as u64) - count_field(start, fields, f as u64);
            let (head, tail) = rest.split_at(len);
            per_chunk[k].push(head);
            rest = tail;
            start = end;
        }
    }
    let mut starts = Vec::with_capacity(parts.len());
    let mut acc = 0u64;
    for p in &parts {
        starts.push(acc);
        acc += p.2;
    }
    per_chunk
        .into_par_iter()
        .zip(parts.par_iter().zip(starts.par_iter()))
        .try_for_each(|(mut cols, (&(s, e, expected), &first))| {
            // Each thread brings in the pages its part of the columns
            // will be written to, in one call per column rather than a
            // fault per page (the columns that are often all zeros are
            // left untouched).
            for (col, &kind) in cols.iter().zip(kinds) {
                if !matches!(kind, ColumnKind::SparseU8 | ColumnKind::SparseU32) {
                    col.populate();
                }
            }
            let got = parse_chunk(
                &arr.text[s..e],
                arr.base + s,
                first % fields,
                &mut cols,
                section,
            )?;
            if got == expected {
                done(arr.base + s..arr.base + e);
                Ok(())
            } else {
                Err(ParseError::Syntax {
                    section,
                    offset: (arr.base + e) as u64,
                    message: "expected a number after `,`".into(),
                })
            }
        })?;
    Ok(owned)
}

/// A column owned by the caller after parsing.
pub(crate) enum Owned {
    U8(Vec<u8>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    NodeIndex(Vec<NodeOrdinal>),
    Id(Vec<u32>),
    Skip,
}

impl Owned {
    fn with_len(kind: ColumnKind, n: usize) -> Self {
        match kind {
            ColumnKind::U8 | ColumnKind::SparseU8 => Owned::U8(vec![0; n]),
            ColumnKind::U32 | ColumnKind::SparseU32 => Owned::U32(vec![0; n]),
            // Zeroed pages (the root's ordinal is 0), brought in by the
            // parsing threads as they write their parts.
            ColumnKind::NodeIndex => Owned::NodeIndex(NodeOrdinal::zeros(n)),
            ColumnKind::Id => Owned::Id(vec![0; n]),
            ColumnKind::U64 => Owned::U64(vec![0; n]),
            ColumnKind::Skip => Owned::Skip,
        }
    }

    fn as_column(&mut self, node_fields: u64, n_nodes: u64) -> Column<'_> {
        match self {
            Owned::U8(v) => Column::U8(v),
            Owned::U32(v) => Column::U32(v),
            Owned::Id(v) => Column::Id(v),
            Owned::NodeIndex(v) => Column::NodeIndex {
                out: v,
                nodes: NodeIndices::new(node_fields, n_nodes),
            },
            Owned::U64(v) => Column::U64(v),
            Owned::Skip => Column::Skip,
        }
    }

    fn len(&self) -> usize {
        match self {
            Owned::U8(v) => v.len(),
            Owned::U32(v) | Owned::Id(v) => v.len(),
            Owned::U64(v) => v.len(),
            Owned::NodeIndex(v) => v.len(),
            Owned::Skip => 0,
        }
    }

    pub(crate) fn into_u8(self) -> Vec<u8> {
        if let Owned::U8(v) = self {
            v
        } else {
            Vec::new()
        }
    }

    pub(crate) fn into_u32(self) -> Vec<u32> {
        match self {
            Owned::U32(v) | Owned::Id(v) => v,
            _ => Vec::new(),
        }
    }

    /// A `U32` column of string indices, typed (in place: the two have
    /// one layout).
    pub(crate) fn into_string_ids(self) -> Vec<SnapshotStringId> {
        SnapshotStringId::wrap_all(self.into_u32())
    }

    /// A `NodeIndex` column.
    pub(crate) fn into_ordinals(self) -> Vec<NodeOrdinal> {
        match self {
            Owned::NodeIndex(v) => v,
            _ => Vec::new(),
        }
    }

    pub(crate) fn into_u64(self) -> Vec<u64> {
        if let Owned::U64(v) = self {
            v
        } else {
            Vec::new()
        }
    }
}

impl<'a> Column<'a> {
    /// Brings the column's pages into memory (see
    /// [`heapdiff_model::memory::populate`]).
    fn populate(&self) {
        use heapdiff_model::memory::populate;
        match self {
            Column::U8(s) => populate(s),
            Column::U32(s) | Column::Id(s) => populate(s),
            Column::NodeIndex { out, .. } => populate(out),
            Column::U64(s) => populate(s),
            Column::Skip => {}
        }
    }

    fn split_at(self, len: usize) -> (Column<'a>, Column<'a>) {
        match self {
            Column::U8(s) => {
                let (a, b) = s.split_at_mut(len);
                (Column::U8(a), Column::U8(b))
            }
            Column::U32(s) => {
                let (a, b) = s.split_at_mut(len);
                (Column::U32(a), Column::U32(b))
            }
            Column::Id(s) => {
                let (a, b) = s.split_at_mut(len);
                (Column::Id(a), Column::Id(b))
            }
            Column::U64(s) => {
                let (a, b) = s.split_at_mut(len);
                (Column::U64(a), Column::U64(b))
            }
            Column::NodeIndex { out, nodes } => {
                let (a, b) = out.split_at_mut(len);
                (
                    Column::NodeIndex { out: a, nodes },
                    Column::NodeIndex { out: b, nodes },
                )
            }
            Column::Skip => (Column::Skip, Column::Skip),
        }
    }
}

fn bad(section: &'static str, offset: usize, reason: String) -> ParseError {
    ParseError::BadNumber {
        section,
        offset: offset as u64,
        reason,
    }
}

/// Parses one chunk; `phase` is the field of its first number.
///
/// The chunk is split at its commas, found 64 bytes at a time as a bit
/// mask, so finding where a number starts does not wait for the previous
/// number to be read. Each number is then read eight digits at a time
/// ([`field`]); only the unusual ones (whitespace other than V8's `\n`
/// before a comma, more than 16 digits, the chunk's last bytes) take the
/// byte-at-a-time path, which also produces every error.
fn parse_chunk(
    text: &[u8],
    base: usize,
    phase: u64,
    cols: &mut [Column<'_>],
    section: &'static str,
) -> Result<u64, ParseError> {
    let mut out = Records {
        cols,
        field: heapdiff_model::cast::to_usize(phase),
        cursor: [0; MAX_FIELDS],
        count: 0,
    };
    let n = text.len();
    let mut start = 0;
    let mut block = 0;
    while block < n {
        let end = (block + 64).min(n);
        let mut commas = comma_mask(&text[block..end]);
        while commas != 0 {
            let comma = block + commas.trailing_zeros() as usize;
            commas &= commas - 1;
            let v = field(text, start, comma, base, section)?;
            out.push(v, text, start, base, section)?;
            start = comma + 1;
        }
        block = end;
    }
    // After the last comma: the array's last number, or whitespace.
    if !text[start..].iter().all(|&c| is_ws(c)) {
        let v = careful_field(text, start, n, base, section)?;
        out.push(v, text, start, base, section)?;
    }
    Ok(out.count)
}

/// Records are at most this wide (`Layout::new` checks).
const MAX_FIELDS: usize = 64;

/// Where a chunk's numbers go: the field of the next number and, per
/// field, the next row of its column slice.
struct Records<'c, 'a> {
    cols: &'c mut [Column<'a>],
    field: usize,
    cursor: [usize; MAX_FIELDS],
    count: u64,
}

impl Records<'_, '_> {
    #[inline(always)]
    fn push(
        &mut self,
        v: u64,
        text: &[u8],
        start: usize,
        base: usize,
        section: &'static str,
    ) -> Result<(), ParseError> {
        let f = self.field;
        store(&mut self.cols[f], self.cursor[f], v).map_err(|reason| {
            let digits = start + text[start..].iter().take_while(|&&c| is_ws(c)).count();
            bad(section, base + digits, reason)
        })?;
        self.cursor[f] += 1;
        self.count += 1;
        self.field = if f + 1 == self.cols.len() { 0 } else { f + 1 };
        Ok(())
    }
}

/// Bit `k` set when `block[k]` is a comma (`block` is at most 64 bytes).
#[inline]
pub(crate) fn comma_mask(block: &[u8]) -> u64 {
    match <&[u8; 64]>::try_from(block) {
        Ok(full) => comma_mask_64(full),
        Err(_) => comma_mask_bytes(block),
    }
}

/// [`comma_mask`] a byte at a time (a chunk's last partial block, and
/// whole blocks where there is no SSE2).
fn comma_mask_bytes(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (k, &c)| m | (u64::from(c == b',') << k))
}

/// [`comma_mask`] of a whole block with SSE2 (part of every x86-64 CPU):
/// four 16-byte compares and their byte masks.
#[cfg(target_arch = "x86_64")]
#[inline]
#[allow(unsafe_code)]
fn comma_mask_64(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut m = 0u64;
    for (k, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, so these
        // instructions exist on every CPU this code runs on; `part` is 16
        // readable bytes and the load has no alignment requirement.
        let bits = unsafe {
            let bytes = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(b',' as i8)))
        };
        let bits = u64::from(bits as u32);
        m |= bits << (16 * k);
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn comma_mask_64(block: &[u8; 64]) -> u64 {
    comma_mask_bytes(block)
}

/// The number in `text[start..end]` (the bytes between two commas).
#[inline]
pub(crate) fn field(
    text: &[u8],
    start: usize,
    end: usize,
    base: usize,
    section: &'static str,
) -> Result<u64, ParseError> {
    if let Some(head) = text.get(start..start + 16) {
        let lo = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
        let d = leading_digits(lo);
        let len = end - start;
        // All digits, or digits and the `\n` V8 writes after a record.
        let fits = |digits: usize| {
            digits > 0 && (digits == len || (digits + 1 == len && text[end - 1] == b'\n'))
        };
        if d < 8 {
            if fits(d) {
                return Ok(digits_value(lo, d));
            }
        } else {
            let hi = u64::from_le_bytes(head[8..].try_into().unwrap_or_default());
            let d2 = leading_digits(hi);
            if d2 < 8 && fits(8 + d2) {
                let low = if d2 == 0 { 0 } else { digits_value(hi, d2) };
                return Ok(digits_value(lo, 8) * POW10[d2] + low);
            }
        }
    }
    careful_field(text, start, end, base, section)
}

/// [`field`] a byte at a time, with every error: `text[start..end]` must
/// be one unsigned integer, with whitespace around it.
#[cold]
pub(crate) fn careful_field(
    text: &[u8],
    start: usize,
    end: usize,
    base: usize,
    section: &'static str,
) -> Result<u64, ParseError> {
    let mut i = start;
    while i < end && is_ws(text[i]) {
        i += 1;
    }
    let Some(&c) = text.get(i) else {
        return Err(ParseError::Truncated {
            section,
            offset: (base + i) as u64,
        });
    };
    if c == b'-' {
        return Err(bad(
            section,
            base + i,
            "expected an unsigned integer, found a negative number".into(),
        ));
    }
    if !c.is_ascii_digit() || i == end {
        return Err(syntax(section, base + i, c));
    }
    let digits = i;
    let mut v: Option<u64> = Some(0);
    while i < end && text[i].is_ascii_digit() {
        v = v
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(u64::from(text[i] - b'0')));
        i += 1;
    }
    let Some(v) = v else {
        return Err(bad(section, base + digits, "integer too large".into()));
    };
    if i < end && matches!(text[i], b'.' | b'e' | b'E') {
        return Err(bad(
            section,
            base + digits,
            "expected an unsigned integer, found a fraction or exponent".into(),
        ));
    }
    while i < end && is_ws(text[i]) {
        i += 1;
    }
    if i < end {
        return Err(syntax(section, base + i, text[i]));
    }
    Ok(v)
}

const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// How many of the 8 bytes of `w` (first byte lowest) are ASCII digits
/// before the first that is not.
#[inline]
fn leading_digits(w: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte b is a digit when b - 0x30 < 10: no borrow out of the
    // subtraction and no carry into bit 7 when 0x76 is added. A borrow or
    // carry only disturbs the bytes after the first non-digit, which are
    // not counted.
    let t = w.wrapping_sub(0x30 * ONES);
    let not_digit = (t | t.wrapping_add(0x76 * ONES)) & HIGH;
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of the first `len` (1 to 8) bytes of `w`, which are digits.
#[inline]
fn digits_value(w: u64, len: usize) -> u64 {
    // One or two digits (type and count fields, short indices, the tail
    // of a nine- or ten-digit number) are most numbers: no multiply chain.
    match len {
        1 => return w & 0x0F,
        2 => return (w & 0x0F) * 10 + ((w >> 8) & 0x0F),
        _ => {}
    }
    // Keep the digits' low nibbles and move them to the top, so the
    // missing leading digits are zeros; then add pairs, quads, octets.
    let v = (w & 0x0F0F_0F0F_0F0F_0F0F) << (8 * (8 - len));
    let v = (v & 0x000F_000F_000F_000F) * 10 + ((v >> 8) & 0x000F_000F_000F_000F);
    let v = (v & 0x0000_007F_0000_007F) * 100 + ((v >> 16) & 0x0000_007F_0000_007F);
    (v & 0x3FFF) * 10_000 + ((v >> 32) & 0x3FFF)
}

fn syntax(section: &'static str, offset: usize, c: u8) -> ParseError {
    ParseError::Syntax {
        section,
        offset: offset as u64,
        message: format!("expected a number or `,`, found {}", crate::scan::show(c)),
    }
}

/// What an id beyond 32 bits in a [`Column::Id`] stops the scan with.
const WIDE_ID: &str = "an object id beyond 32 bits";

/// True when a scan stopped at an id beyond 32 bits: V8 never writes
/// one, other runtimes writing its format may (up to 2^53), and the array
/// is then parsed again with 64-bit ids. Only the rare file pays for that.
pub(crate) fn is_wide_id(e: &ParseError) -> bool {
    matches!(e, ParseError::BadNumber { reason, .. } if reason == WIDE_ID)
}

/// Stores `v` at row `at` of a column. The columns start zeroed and a zero
/// is not written: a column that is all zeros (trace node ids outside
/// allocation timelines, detachedness outside browsers) is then never
/// touched, and its memory never handed out by the kernel.
#[inline(always)]
fn store(col: &mut Column<'_>, at: usize, v: u64) -> Result<(), String> {
    match col {
        Column::U8(s) => {
            let v = u8::try_from(v).map_err(|_| format!("{v} is not a valid type index"))?;
            if v != 0 {
                s[at] = v;
            }
        }
        Column::U32(s) => {
            let v = u32::try_from(v).map_err(|_| format!("{v} does not fit 32 bits"))?;
            if v != 0 {
                s[at] = v;
            }
        }
        Column::Id(s) => {
            let v = u32::try_from(v).map_err(|_| WIDE_ID.to_string())?;
            if v != 0 {
                s[at] = v;
            }
        }
        Column::U64(s) => s[at] = v,
        Column::NodeIndex { out, nodes } => {
            out[at] = nodes.ordinal(v).ok_or_else(|| {
                format!(
                    "edge target {v} is not a node index (a multiple of {} below {})",
                    nodes.fields,
                    nodes.count * nodes.fields
                )
            })?;
        }
        Column::Skip => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{
        ColumnKind, Owned, array_text, digits_value, leading_digits, parse_records_in_chunks,
    };
    use crate::ParseError;

    /// Separators V8 writes, and others JSON allows.
    const SEPARATORS: [&str; 6] = [",", "\n,", ", ", " ,\n", "\r\n,\t", ",\n  "];

    fn array(values: &[u64], seps: &[usize]) -> String {
        let mut text = String::from("[");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                text.push_str(SEPARATORS[seps[i % seps.len()] % SEPARATORS.len()]);
            }
            text.push_str(&v.to_string());
        }
        text.push(']');
        text
    }

    fn parse(text: &str, kinds: &[ColumnKind], chunk: usize) -> Result<Vec<Owned>, ParseError> {
        let arr = array_text(text.as_bytes(), 0, "nodes")?;
        assert_eq!(arr.end, text.len());
        parse_records_in_chunks(&arr, "nodes", kinds, (1, u64::MAX), chunk, &|_| {})
    }

    #[test]
    fn swar_digits_agree_with_a_loop() {
        for text in [
            "0", "7", "12", "123", "9999", "12345678", "10000000", "99999999",
        ] {
            for tail in [",", "\n", "]", "x", ":"] {
                let mut bytes = [b'0'; 8];
                let s = format!("{text}{tail}00000000");
                bytes.copy_from_slice(&s.as_bytes()[..8]);
                let w = u64::from_le_bytes(bytes);
                let len = leading_digits(w).min(text.len());
                assert_eq!(len, text.len(), "{s}");
                assert_eq!(digits_value(w, len), text.parse::<u64>().unwrap(), "{s}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Whatever the separators, digits and chunking, the columns hold
        /// the numbers in order.
        #[test]
        fn records_round_trip(
            values in proptest::collection::vec(
                prop_oneof![0u64..10, 0u64..100_000, 0u64..u64::from(u32::MAX), any::<u64>()],
                0..300,
            ),
            seps in proptest::collection::vec(0usize..6, 1..8),
            chunk in 1usize..64,
        ) {
            let text = array(&values, &seps);
            let cols = parse(&text, &[ColumnKind::U64], chunk).expect("parses");
            let Some(Owned::U64(got)) = cols.into_iter().next() else { panic!("one U64 column") };
            prop_assert_eq!(got, values);
        }

        /// Records of several fields land in their columns whatever chunk a
        /// record starts in.
        #[test]
        fn fields_go_to_their_columns(
            rows in proptest::collection::vec((0u64..256, any::<u32>(), any::<u64>()), 0..100),
            seps in proptest::collection::vec(0usize..6, 1..8),
            chunk in 1usize..48,
        ) {
            let flat: Vec<u64> = rows.iter().flat_map(|&(a, b, c)| [a, u64::from(b), c]).collect();
            let text = array(&flat, &seps);
            let kinds = [ColumnKind::U8, ColumnKind::U32, ColumnKind::U64];
            let cols = parse(&text, &kinds, chunk).expect("parses");
            let mut cols = cols.into_iter();
            let a = cols.next().map(Owned::into_u8).unwrap_or_default();
            let b = cols.next().map(Owned::into_u32).unwrap_or_default();
            let c = cols.next().map(Owned::into_u64).unwrap_or_default();
            let want_a: Vec<u8> = rows.iter().map(|r| u8::try_from(r.0).unwrap()).collect();
            let want_b: Vec<u32> = rows.iter().map(|r| r.1).collect();
            let want_c: Vec<u64> = rows.iter().map(|r| r.2).collect();
            prop_assert_eq!(a, want_a);
            prop_assert_eq!(b, want_b);
            prop_assert_eq!(c, want_c);
        }

        /// A foreign byte anywhere in the numbers is an error at that byte
        /// (or, for a digit-less gap, where the number was expected).
        #[test]
        fn a_bad_byte_is_an_error_at_its_offset(
            values in proptest::collection::vec(0u64..1_000_000_000, 1..100),
            at in any::<proptest::sample::Index>(),
            bad in prop_oneof![Just(b'-'), Just(b'.'), Just(b'x'), Just(b'"'), Just(b'e')],
            chunk in 1usize..64,
        ) {
            let text = array(&values, &[0]);
            let mut bytes = text.into_bytes();
            // Any byte strictly inside the brackets.
            let i = 1 + at.index(bytes.len() - 2);
            bytes[i] = bad;
            let text = String::from_utf8(bytes).expect("ASCII");
            match parse(&text, &[ColumnKind::U64], chunk) {
                Err(ParseError::BadNumber { offset, .. } | ParseError::Syntax { offset, .. }) => {
                    // The reported byte is the bad one, or the start of the
                    // number it cut short.
                    let off = usize::try_from(offset).expect("small");
                    prop_assert!(off <= i, "offset {} after the bad byte {}", off, i);
                    prop_assert!(text[off..i].bytes().all(|c| c.is_ascii_digit()), "{} at {}", text, off);
                }
                other => prop_assert!(false, "{}: expected an error, got {:?}", text, other.map(|_| ())),
            }
        }
    }
}
