//! Errors and warnings of the parsers. Messages are lower-case, name the
//! section and the byte offset, and say what was expected.

use std::io;

use crate::InputKind;

/// A fatal problem with the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is a different kind of file than the one asked for.
    #[error("{}", wrong_kind_message(*.found))]
    WrongKind {
        /// What the input looks like.
        found: InputKind,
    },
    /// The input ended in the middle of the JSON.
    #[error("the file is truncated: it ends inside `{section}` at byte {offset}")]
    Truncated {
        /// The section being read.
        section: &'static str,
        /// Length of the input.
        offset: u64,
    },
    /// The input is not well-formed JSON.
    #[error("invalid JSON in `{section}` at byte {offset}: {message}")]
    Syntax {
        /// The section being read.
        section: &'static str,
        /// Where the problem is.
        offset: u64,
        /// What was expected.
        message: String,
    },
    /// A value has the wrong type or an impossible value.
    #[error("bad value for `{field}` in `{section}` at byte {offset}: {reason}")]
    BadValue {
        /// The section being read.
        section: &'static str,
        /// The field holding the value.
        field: &'static str,
        /// Where the value starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A number in an integer array that V8 would never write.
    #[error("bad number in `{section}` at byte {offset}: {reason}")]
    BadNumber {
        /// The section being read.
        section: &'static str,
        /// Where the number starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// Array lengths or references that contradict each other.
    #[error("inconsistent `{section}`: {reason}")]
    Inconsistent {
        /// The section being read.
        section: &'static str,
        /// What does not add up.
        reason: String,
    },
    /// Counts or references that contradict each other, found at a place
    /// in the input.
    #[error("inconsistent `{section}` at byte {offset}: {reason}")]
    InconsistentAt {
        /// The section being read.
        section: &'static str,
        /// Where the contradicting value (or the array's end) is.
        offset: u64,
        /// What does not add up.
        reason: String,
    },
    /// Two nodes of the call tree have the same `id`, so samples cannot be
    /// attributed.
    #[error("node id {id} appears twice in `head` (second time at byte {offset})")]
    DuplicateNodeId {
        /// The repeated id.
        id: u64,
        /// Where the second node ends.
        offset: u64,
    },
    /// A required part is absent.
    #[error("no `{what}` found: {hint}")]
    Missing {
        /// The missing part.
        what: &'static str,
        /// Why it matters.
        hint: &'static str,
    },
    /// Reading the input failed.
    #[error("read error at byte {offset}: {source}")]
    Io {
        /// Bytes read successfully before the error.
        offset: u64,
        /// The underlying error.
        source: io::Error,
    },
}

fn wrong_kind_message(found: InputKind) -> String {
    match found {
        InputKind::CpuProfile => "this is a CPU profile (`.cpuprofile`), not a heap profile; \
             record one with `node --heap-prof` or DevTools' Allocation sampling"
            .to_string(),
        InputKind::HeapSnapshot | InputKind::HeapTimeline => format!(
            "this is a {}; this command needs a sampling heap profile (`.heapprofile`)",
            found.describe()
        ),
        InputKind::LegacySnapshot => {
            "this is a pre-2012 heap snapshot layout, which neither DevTools nor heapdiff reads"
                .to_string()
        }
        _ => format!("this is not a V8 memory profile ({})", found.describe()),
    }
}

/// A quirk of a real file that heapdiff works around. Printed once on
/// stderr and listed in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// Samples whose `nodeId` is not in the tree (formats §3.5.1). DevTools
    /// ignores them; heapdiff keeps them as "unattributed".
    SamplesWithoutNode {
        /// Number of such samples.
        count: u64,
        /// Their bytes.
        bytes: u64,
        /// Number of distinct missing node ids.
        distinct_nodes: u64,
    },
    /// Nodes without `callFrame`: positions were 1-based and were shifted.
    LegacyOneBasedPositions,
    /// Frames with a real script id but no URL: the script was collected
    /// before the profile was written (formats §3.5.2).
    LostScriptInfo {
        /// Number of such frames.
        frames: u64,
    },
    /// The profile has no `samples` array: ordinal ranges are unavailable.
    NoSamples,
    /// A snapshot header count disagrees with the array it describes; the
    /// array wins.
    HeaderCountMismatch {
        /// The header field.
        field: &'static str,
        /// The header's value.
        header: u64,
        /// What the array holds.
        actual: u64,
    },
    /// A node's shallow size does not fit 32 bits; DevTools would truncate
    /// it, heapdiff keeps it.
    LargeSelfSize {
        /// Number of such nodes.
        nodes: u64,
    },
    /// Object ids beyond 32 bits (other runtimes writing V8's format);
    /// DevTools keeps their low 32 bits, heapdiff the whole id.
    WideIds {
        /// Number of such nodes.
        nodes: u64,
    },
    /// Nodes whose type index is one past the types `meta` lists (old V8
    /// wrote its symbols so); DevTools names their type `undefined`.
    UnlistedNodeType {
        /// The type index.
        index: u64,
        /// Number of such nodes.
        nodes: u64,
    },
    /// Nodes of an allocation timeline whose `trace_node_id` is no node of
    /// the `trace_tree`: they count as live at no stack (DevTools skips
    /// them the same way).
    TraceNodeNotInTree {
        /// Number of such nodes.
        nodes: u64,
        /// One of the missing trace node ids.
        example: u64,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::SamplesWithoutNode {
                count,
                bytes,
                distinct_nodes,
            } => write!(
                f,
                "{count} samples ({bytes} bytes) point at {distinct_nodes} node id(s) missing \
                 from the call tree; they are reported as unattributed (DevTools ignores them)"
            ),
            Warning::LegacyOneBasedPositions => f.write_str(
                "nodes use the legacy layout without `callFrame`; 1-based positions were converted",
            ),
            Warning::LostScriptInfo { frames } => write!(
                f,
                "{frames} frame(s) have a script id but no URL (the script was collected before \
                 the profile was written)"
            ),
            Warning::HeaderCountMismatch {
                field,
                header,
                actual,
            } => write!(
                f,
                "the header says {field} = {header} but the file holds {actual}; using {actual}"
            ),
            Warning::LargeSelfSize { nodes } => write!(
                f,
                "{nodes} node(s) have a shallow size of 4 GiB or more; DevTools would truncate them"
            ),
            Warning::WideIds { nodes } => write!(
                f,
                "{nodes} node id(s) do not fit 32 bits; DevTools would keep only their low 32 \
                 bits (and could match different objects), heapdiff keeps the whole ids"
            ),
            Warning::UnlistedNodeType { index, nodes } => write!(
                f,
                "{nodes} node(s) have type index {index}, one past the types `meta` lists \
                 (old V8 wrote its symbols so); their type is shown as `undefined`, as DevTools does"
            ),
            Warning::TraceNodeNotInTree { nodes, example } => write!(
                f,
                "{nodes} node(s) name a `trace_node_id` missing from `trace_tree` (e.g. \
                 {example}); they count as live allocations of no function, as in DevTools"
            ),
            Warning::NoSamples => {
                f.write_str("the profile has no `samples` array; ordinal ranges are unavailable")
            }
        }
    }
}
