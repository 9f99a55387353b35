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
    seen: rustc_hash::FxHashSet<u64>,
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
        seen: rustc_hash::FxHashSet::default(),
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
    while b.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    let text = std::str::from_utf8(&b[start..pos]).unwrap_or("0");
    let v: u64 = text.parse().map_err(|_| ParseError::BadNumber {
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
