//! The dedicated scanner for V8's big integer arrays (`nodes`, `edges`),
//! parallel across cores (formats §12.1, design §3).
//!
//! The array text is cut into chunks just after a comma. Counting commas per
//! chunk (a `memchr` pass) tells where every chunk's numbers fall in the
//! record stream, so each chunk parses straight into its own disjoint part
//! of every output column: no intermediate buffer, no merge, and the result
//! does not depend on how the work was split.

use rayon::prelude::*;

use crate::ParseError;

/// Where one field of every record goes.
pub(crate) enum Column<'a> {
    /// Values that must fit a byte (type enums).
    U8(&'a mut [u8]),
    /// Values that must fit 32 bits.
    U32(&'a mut [u32]),
    /// Sizes.
    U64(&'a mut [u64]),
    /// Node indices (`to_node`): stored as ordinals after checking they are
    /// a multiple of the node field count and in range.
    NodeIndex {
        out: &'a mut [u32],
        node_fields: u64,
        n_nodes: u64,
    },
    /// A field nobody reads.
    Skip,
}

/// The type of a column, to allocate it.
#[derive(Clone, Copy)]
pub(crate) enum ColumnKind {
    U8,
    U32,
    U64,
    NodeIndex,
    Skip,
}

/// The array's text: the bytes between `[` and `]`, and where they start.
pub(crate) struct ArrayText<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) base: usize,
    pub(crate) end: usize,
}

/// Finds the array starting at `at` (its `[`). Integer arrays hold no
/// brackets, so the end is the next `]`.
pub(crate) fn array_text<'a>(
    b: &'a [u8],
    at: usize,
    section: &'static str,
) -> Result<ArrayText<'a>, ParseError> {
    let open = crate::scan::expect(b, at, b'[', section, "an array of numbers")?;
    let close =
        memchr::memchr(b']', &b[open..])
            .map(|k| open + k)
            .ok_or(ParseError::Truncated {
                section,
                offset: b.len() as u64,
            })?;
    Ok(ArrayText {
        text: &b[open..close],
        base: open,
        end: close + 1,
    })
}

const CHUNK: usize = 8 << 20;

/// Chunk boundaries (just after a comma) and the number of values in each.
fn chunks(text: &[u8]) -> Vec<(usize, usize, u64)> {
    let mut cuts = vec![0];
    let mut at = CHUNK;
    while at < text.len() {
        match memchr::memchr(b',', &text[at..]) {
            Some(k) => cuts.push(at + k + 1),
            None => break,
        }
        at = cuts[cuts.len() - 1] + CHUNK;
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

/// Parses an array of `kinds.len()`-wide records into columns allocated
/// here; returns the columns (as [`Owned`]) and the position after `]`.
pub(crate) fn parse_records(
    b: &[u8],
    at: usize,
    section: &'static str,
    kinds: &[ColumnKind],
    node_fields: u64,
    n_nodes: u64,
) -> Result<(Vec<Owned>, usize), ParseError> {
    let arr = array_text(b, at, section)?;
    let parts = chunks(arr.text);
    let total: u64 = parts.iter().map(|p| p.2).sum();
    let fields = kinds.len() as u64;
    if total % fields != 0 {
        return Err(ParseError::Inconsistent {
            section,
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
            let got = parse_chunk(
                &arr.text[s..e],
                arr.base + s,
                first % fields,
                &mut cols,
                section,
            )?;
            if got == expected {
                Ok(())
            } else {
                Err(ParseError::Syntax {
                    section,
                    offset: (arr.base + e) as u64,
                    message: "expected a number after `,`".into(),
                })
            }
        })?;
    Ok((owned, arr.end))
}

/// A column owned by the caller after parsing.
pub(crate) enum Owned {
    U8(Vec<u8>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    NodeIndex(Vec<u32>),
    Skip,
}

impl Owned {
    fn with_len(kind: ColumnKind, n: usize) -> Self {
        match kind {
            ColumnKind::U8 => Owned::U8(vec![0; n]),
            ColumnKind::U32 => Owned::U32(vec![0; n]),
            ColumnKind::NodeIndex => Owned::NodeIndex(vec![0; n]),
            ColumnKind::U64 => Owned::U64(vec![0; n]),
            ColumnKind::Skip => Owned::Skip,
        }
    }

    fn as_column(&mut self, node_fields: u64, n_nodes: u64) -> Column<'_> {
        match self {
            Owned::U8(v) => Column::U8(v),
            Owned::U32(v) => Column::U32(v),
            Owned::NodeIndex(v) => Column::NodeIndex {
                out: v,
                node_fields,
                n_nodes,
            },
            Owned::U64(v) => Column::U64(v),
            Owned::Skip => Column::Skip,
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
            Owned::U32(v) | Owned::NodeIndex(v) => v,
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
            Column::U64(s) => {
                let (a, b) = s.split_at_mut(len);
                (Column::U64(a), Column::U64(b))
            }
            Column::NodeIndex {
                out,
                node_fields,
                n_nodes,
            } => {
                let (a, b) = out.split_at_mut(len);
                (
                    Column::NodeIndex {
                        out: a,
                        node_fields,
                        n_nodes,
                    },
                    Column::NodeIndex {
                        out: b,
                        node_fields,
                        n_nodes,
                    },
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
fn parse_chunk(
    text: &[u8],
    base: usize,
    phase: u64,
    cols: &mut [Column<'_>],
    section: &'static str,
) -> Result<u64, ParseError> {
    let mut count = 0u64;
    let fields = cols.len();
    #[allow(clippy::cast_possible_truncation)]
    let mut f = phase as usize;
    let mut cursor = vec![0usize; fields];
    let mut i = 0;
    let n = text.len();
    while i < n {
        let c = text[i];
        if c.is_ascii_digit() {
            let start = i;
            let mut v: u64 = u64::from(c - b'0');
            i += 1;
            // V8 writes at most 10 digits for u32 columns and ~15 for sizes:
            // no per-digit overflow check; the length is checked once.
            while i < n {
                let d = text[i].wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                v = v.wrapping_mul(10).wrapping_add(u64::from(d));
                i += 1;
            }
            if i - start > 19 {
                return Err(bad(section, base + start, "integer too large".into()));
            }
            if i < n && matches!(text[i], b'.' | b'e' | b'E') {
                return Err(bad(
                    section,
                    base + start,
                    "expected an unsigned integer, found a fraction or exponent".into(),
                ));
            }
            store(&mut cols[f], cursor[f], v)
                .map_err(|reason| bad(section, base + start, reason))?;
            cursor[f] += 1;
            count += 1;
            f += 1;
            if f == fields {
                f = 0;
            }
            // A separator must follow (or the chunk ends): V8 writes `,` or
            // `\n,`.
            if i < n && text[i] == b',' {
                i += 1;
                continue;
            }
            while i < n && matches!(text[i], b' ' | b'\n' | b'\r' | b'\t') {
                i += 1;
            }
            if i < n {
                if text[i] != b',' {
                    return Err(syntax(section, base + i, text[i]));
                }
                i += 1;
            }
        } else if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        } else if c == b'-' {
            return Err(bad(
                section,
                base + i,
                "expected an unsigned integer, found a negative number".into(),
            ));
        } else {
            return Err(syntax(section, base + i, c));
        }
    }
    Ok(count)
}

fn syntax(section: &'static str, offset: usize, c: u8) -> ParseError {
    ParseError::Syntax {
        section,
        offset: offset as u64,
        message: format!("expected a number or `,`, found {}", crate::scan::show(c)),
    }
}

#[inline]
fn store(col: &mut Column<'_>, at: usize, v: u64) -> Result<(), String> {
    match col {
        Column::U8(s) => {
            s[at] = u8::try_from(v).map_err(|_| format!("{v} is not a valid type index"))?
        }
        Column::U32(s) => {
            s[at] = u32::try_from(v).map_err(|_| format!("{v} does not fit 32 bits"))?
        }
        Column::U64(s) => s[at] = v,
        Column::NodeIndex {
            out,
            node_fields,
            n_nodes,
        } => {
            if v % *node_fields != 0 || v / *node_fields >= *n_nodes {
                return Err(format!(
                    "edge target {v} is not a node index (a multiple of {node_fields} below {})",
                    *n_nodes * *node_fields
                ));
            }
            #[allow(clippy::cast_possible_truncation)]
            let ordinal = (v / *node_fields) as u32;
            out[at] = ordinal;
        }
        Column::Skip => {}
    }
    Ok(())
}
