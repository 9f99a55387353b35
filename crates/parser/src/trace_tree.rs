//! The nested `trace_tree` of allocation timelines (formats §5.8): one tuple
//! `[id, function_info_index, count, size, [children…]]` for the root, where
//! a children array is a flat concatenation of child tuples. Read with an
//! explicit stack, so deep trees cannot overflow the thread's stack.

use heapdiff_model::AllocationTrace;
use heapdiff_model::cast::saturating_u32;

use crate::ParseError;
use crate::scan::{self, skip_ws};
use crate::snapshot::MAX_BYTES;

const SECTION: &str = "trace_tree";

fn inconsistent(offset: usize, reason: String) -> ParseError {
    ParseError::InconsistentAt {
        section: SECTION,
        offset: offset as u64,
        reason,
    }
}

fn bad(field: &'static str, offset: usize, reason: String) -> ParseError {
    ParseError::BadValue {
        section: SECTION,
        field,
        offset: offset as u64,
        reason,
    }
}

/// One open tuple list: the trace node that owns it, the current tuple's
/// node and which field of it comes next.
struct List {
    owner: u32,
    current: u32,
    field: usize,
}

/// Where each field of a trace node tuple is, and how many fields a tuple
/// has.
struct Fields {
    id: usize,
    function: usize,
    count: usize,
    size: usize,
    children: usize,
    len: usize,
}

impl Fields {
    /// The positions named in `meta.trace_node_fields`; an error at `at`
    /// when one is missing.
    fn find(fields: &[String], at: usize) -> Result<Self, ParseError> {
        let pos_of = |name: &str| fields.iter().position(|f| f == name);
        let (Some(id), Some(function), Some(count), Some(size), Some(children)) = (
            pos_of("id"),
            pos_of("function_info_index"),
            pos_of("count"),
            pos_of("size"),
            pos_of("children"),
        ) else {
            return Err(inconsistent(
                at,
                "`meta.trace_node_fields` lacks id, function_info_index, count, size or children"
                    .into(),
            ));
        };
        Ok(Self {
            id,
            function,
            count,
            size,
            children,
            len: fields.len(),
        })
    }
}

/// The tree being read, and what its checks remember.
struct Tree {
    t: AllocationTrace,
    fields: Fields,
    n_functions: usize,
    /// The sizes so far.
    total: u64,
    /// The ids so far.
    seen: SeenIds,
}

/// A set of trace node ids: a bit per id for V8's small sequential ids
/// (the bits grow as ids come), a hash set for ids too large for that.
/// Which of the two holds an id depends on the id alone.
#[derive(Default)]
struct SeenIds {
    bits: Vec<u64>,
    large: rustc_hash::FxHashSet<u64>,
}

impl SeenIds {
    /// Ids below this get a bit (at most 16 MiB of bits).
    const DENSE: u64 = 1 << 27;

    /// Adds `id`; false when it was there already.
    fn insert(&mut self, id: u64) -> bool {
        if id >= Self::DENSE {
            return self.large.insert(id);
        }
        // Below DENSE, so the word index fits.
        let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
        if word >= self.bits.len() {
            self.bits.resize((word + 1).next_power_of_two(), 0);
        }
        let new = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        new
    }
}

/// Reads the tree at `at`; its ids must be distinct, its function indices
/// below `n_functions` and its sizes at most 2^53 − 1 bytes, each and in
/// total.
pub(crate) fn read(
    b: &[u8],
    at: usize,
    fields: &[String],
    n_functions: usize,
) -> Result<AllocationTrace, ParseError> {
    let mut tree = Tree {
        t: AllocationTrace::default(),
        fields: Fields::find(fields, at)?,
        n_functions,
        total: 0,
        seen: SeenIds::default(),
    };
    let mut pos = scan::expect(b, at, b'[', SECTION, "the trace tree array")?;
    let mut stack = vec![List {
        owner: u32::MAX,
        current: u32::MAX,
        field: 0,
    }];
    while let Some(top) = stack.last_mut() {
        pos = skip_ws(b, pos);
        let Some(&c) = b.get(pos) else {
            return Err(ParseError::Truncated {
                section: SECTION,
                offset: b.len() as u64,
            });
        };
        match c {
            b',' => pos += 1,
            b']' => {
                if top.field != 0 {
                    return Err(inconsistent(pos, "a trace node tuple ends early".into()));
                }
                pos += 1;
                stack.pop();
                if let Some(parent) = stack.last_mut() {
                    // The children array was the last field of its tuple.
                    parent.field = 0;
                }
            }
            b'[' => {
                if top.field != tree.fields.children {
                    return Err(inconsistent(pos, "unexpected `[`".into()));
                }
                let owner = top.current;
                pos += 1;
                stack.push(List {
                    owner,
                    current: u32::MAX,
                    field: 0,
                });
            }
            b'0'..=b'9' => {
                let (v, end) = number(b, pos)?;
                tree.field(top, v, pos)?;
                pos = end;
            }
            other => {
                return Err(ParseError::Syntax {
                    section: SECTION,
                    offset: pos as u64,
                    message: format!("expected a number or an array, found {}", scan::show(other)),
                });
            }
        }
    }
    Ok(tree.t)
}

/// The unsigned integer at `start` (a digit), and where it ends.
fn number(b: &[u8], start: usize) -> Result<(u64, usize), ParseError> {
    let mut pos = start;
    let mut v: Option<u64> = Some(0);
    while let Some(&d) = b.get(pos).filter(|d| d.is_ascii_digit()) {
        v = v
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(u64::from(d - b'0')));
        pos += 1;
    }
    let v = v.ok_or(ParseError::BadNumber {
        section: SECTION,
        offset: start as u64,
        reason: "integer too large".into(),
    })?;
    Ok((v, pos))
}

impl Tree {
    /// Stores `v`, read at `start`, as the next field of `top`'s current
    /// tuple (a new trace node when it is the tuple's first field).
    fn field(&mut self, top: &mut List, v: u64, start: usize) -> Result<(), ParseError> {
        let t = &mut self.t;
        if top.field == 0 {
            top.current = u32::try_from(t.id.len())
                .map_err(|_| inconsistent(start, "too many trace nodes".into()))?;
            t.id.push(0);
            t.function.push(0);
            t.count.push(0);
            t.size.push(0);
            t.parent.push(top.owner);
        }
        let i = top.current as usize;
        let f = &self.fields;
        match top.field {
            k if k == f.id => {
                // Two trace nodes with one id: the objects that name it
                // cannot be attributed (DevTools counts them twice).
                if !self.seen.insert(v) {
                    return Err(bad("id", start, format!("trace node id {v} appears twice")));
                }
                t.id[i] = saturating_u32(v);
            }
            k if k == f.function => {
                let n_functions = self.n_functions;
                if v >= n_functions as u64 {
                    return Err(bad(
                        "function_info_index",
                        start,
                        format!(
                            "trace node {} names function {v}, but there are {n_functions} \
                             functions",
                            t.id[i]
                        ),
                    ));
                }
                t.function[i] = saturating_u32(v);
            }
            k if k == f.count => t.count[i] = v,
            k if k == f.size => {
                self.total = self.total.saturating_add(v);
                if v > MAX_BYTES || self.total > MAX_BYTES {
                    return Err(bad(
                        "size",
                        start,
                        format!(
                            "{v} takes the sizes of the trace beyond 2^53 bytes (trace node {})",
                            t.id[i]
                        ),
                    ));
                }
                t.size[i] = v;
            }
            k if k == f.children => {
                return Err(inconsistent(start, "expected a children array".into()));
            }
            _ => {}
        }
        top.field += 1;
        if top.field == f.len {
            top.field = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{SeenIds, read};
    use crate::ParseError;

    fn tree(text: &str) -> Result<heapdiff_model::AllocationTrace, ParseError> {
        let fields: Vec<String> = ["id", "function_info_index", "count", "size", "children"]
            .iter()
            .map(|f| (*f).to_string())
            .collect();
        read(text.as_bytes(), 0, &fields, 2)
    }

    #[test]
    fn an_id_is_seen_once_whether_it_gets_a_bit_or_a_hash_entry() {
        let mut seen = SeenIds::default();
        for id in [
            0,
            1,
            63,
            64,
            100_000,
            SeenIds::DENSE - 1,
            SeenIds::DENSE,
            u64::MAX,
        ] {
            assert!(seen.insert(id), "{id} first");
            assert!(!seen.insert(id), "{id} again");
        }
        assert!(seen.insert(2));
    }

    #[test]
    fn a_tree_with_small_or_large_ids_reads_in_pre_order() {
        let t = tree("[1,0,0,0,[7,1,2,16,[3,1,1,8,[]],200000000,0,1,4,[]]]").unwrap();
        assert_eq!(t.id, [1, 7, 3, 200_000_000]);
        assert_eq!(t.parent, [u32::MAX, 0, 1, 0]);
        assert_eq!(t.count, [0, 2, 1, 1]);
        assert_eq!(t.size, [0, 16, 8, 4]);
    }

    #[test]
    fn a_repeated_id_and_a_number_past_64_bits_are_errors_at_their_byte() {
        for (text, at) in [
            ("[1,0,0,0,[2,1,0,0,[],2,1,0,0,[]]]", 21),
            ("[1,0,0,0,[300000000,1,0,0,[],300000000,1,0,0,[]]]", 29),
        ] {
            match tree(text) {
                Err(ParseError::BadValue { field, offset, .. }) => {
                    assert_eq!((field, offset), ("id", at), "{text}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        match tree("[1,0,0,18446744073709551616,[]]") {
            Err(ParseError::BadNumber { offset, reason, .. }) => {
                assert_eq!((offset, reason.as_str()), (7, "integer too large"));
            }
            other => panic!("{other:?}"),
        }
    }
}
