//! Errors and warnings of the parsers. Messages are lower-case, name the
//! section and the byte offset, and say what was expected.

use std::io;

use heapdiff_model::text::{is_invisible, write_visible};

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
    #[error("invalid JSON in `{section}` at byte {offset}: {}", Shown(message))]
    Syntax {
        /// The section being read.
        section: &'static str,
        /// Where the problem is.
        offset: u64,
        /// What was expected.
        message: String,
    },
    /// A value has the wrong type or an impossible value.
    #[error(
        "bad value for `{field}` in `{section}` at byte {offset}: {}",
        Shown(reason)
    )]
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
    #[error("bad number in `{section}` at byte {offset}: {}", Shown(reason))]
    BadNumber {
        /// The section being read.
        section: &'static str,
        /// Where the number starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// Array lengths or references that contradict each other.
    #[error("inconsistent `{section}`: {}", Shown(reason))]
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
    /// A required key is absent from the object that ends at `offset`.
    #[error("no `{what}` found in the object that ends at byte {offset}: {hint}")]
    MissingKey {
        /// The missing key.
        what: &'static str,
        /// Where the object that lacks it ends (its closing brace).
        offset: u64,
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
        // heapdiff's profile commands read timelines too: say so, and
        // where a snapshot goes.
        InputKind::HeapSnapshot => "this is a heap snapshot without an allocation trace; this \
             command reads sampling heap profiles (`.heapprofile`) and allocation timelines \
             (`.heaptimeline`); a snapshot's views are `summary`, `dominators`, `retainers` and \
             `suspects`"
            .to_string(),
        InputKind::HeapTimeline => {
            "this is an allocation timeline; this command needs a sampling heap profile \
             (`.heapprofile`)"
                .to_string()
        }
        InputKind::LegacySnapshot => {
            "this is a pre-2012 heap snapshot layout, which neither DevTools nor heapdiff reads"
                .to_string()
        }
        _ => format!("this is not a V8 memory profile ({})", found.describe()),
    }
}

/// Text for a one-line message that may quote the input: characters that
/// a terminal would act on or that reorder or hide text (C0 and C1 controls
/// such as ESC, BEL and NUL, line breaks, bidirectional overrides,
/// zero-width characters, noncharacters such as U+FFFE) are shown as
/// `\u{1b}`-style escapes, so a file cannot write escape sequences to the
/// user's terminal through an error or a warning.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(is_invisible) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write_visible(f, c)?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
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
    /// The call tree's nodes have no `id` (profiles of Chrome 69 and
    /// earlier, node 10): they were numbered in tree order.
    NodesWithoutIds,
    /// A timeline's `trace_function_count` disagrees with the functions
    /// listed (in-process inspector sessions write a stale one); the array
    /// wins.
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
                "{frames} frame(s) have a script id but no URL, so they are told apart by \
                 position only (code without a script name, such as `eval` or code a test \
                 driver injected, or a script collected before the profile was written)"
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
            Warning::NodesWithoutIds => f.write_str(
                "the call tree's nodes have no ids (an old profile format); they were numbered \
                 in tree order",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_shows_control_characters_escaped() {
        let shown = |s: &str| Shown(s).to_string();
        assert_eq!(shown("plain `name` é 日本"), "plain `name` é 日本");
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            shown("\u{7}\u{0}\n\t\u{7f}"),
            "\\u{7}\\u{0}\\u{a}\\u{9}\\u{7f}"
        );
        assert_eq!(shown("c1 \u{9b}31m"), "c1 \\u{9b}31m");
        assert_eq!(shown("bidi \u{202e}txt.exe"), "bidi \\u{202e}txt.exe");
        assert_eq!(
            shown("\u{2066}\u{200b}\u{feff}"),
            "\\u{2066}\\u{200b}\\u{feff}"
        );
        assert_eq!(
            shown("\u{fffe}\u{ffff}\u{1fffe}\u{fdd0}"),
            "\\u{fffe}\\u{ffff}\\u{1fffe}\\u{fdd0}"
        );
        assert_eq!(shown("\u{fffd}"), "\u{fffd}");
    }

    #[test]
    fn every_message_with_input_text_is_escaped() {
        let text = "x\u{1b}]0;title\u{7}".to_string();
        let errors = [
            ParseError::Syntax {
                section: "strings",
                offset: 1,
                message: text.clone(),
            },
            ParseError::BadValue {
                section: "head",
                field: "id",
                offset: 2,
                reason: text.clone(),
            },
            ParseError::BadNumber {
                section: "nodes",
                offset: 3,
                reason: text.clone(),
            },
            ParseError::Inconsistent {
                section: "edges",
                reason: text,
            },
        ];
        for e in errors {
            let msg = e.to_string();
            assert!(msg.ends_with("x\\u{1b}]0;title\\u{7}"), "{msg}");
            assert!(!msg.chars().any(char::is_control), "{msg}");
        }
    }
}
