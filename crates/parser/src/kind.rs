//! Telling file kinds apart by content (formats §2), never by file name:
//! by the keys of the top-level JSON object, never by substrings.

use std::io::Read;

use crate::ParseError;
use crate::cursor::{Cursor, Number};
use crate::scan::is_ws;

/// What an input looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// A sampling heap profile (`.heapprofile`), possibly CDP-wrapped.
    HeapProfile,
    /// A heap snapshot (`.heapsnapshot`).
    HeapSnapshot,
    /// An allocation timeline (`.heaptimeline`).
    HeapTimeline,
    /// A CPU profile (`.cpuprofile`).
    CpuProfile,
    /// The pre-2012 snapshot layout.
    LegacySnapshot,
    /// JSON, but none of the above.
    OtherJson,
    /// Not JSON at all.
    NotJson,
    /// Empty input.
    Empty,
}

impl InputKind {
    /// A short human description.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::HeapProfile => "sampling heap profile",
            InputKind::HeapSnapshot => "heap snapshot",
            InputKind::HeapTimeline => "allocation timeline",
            InputKind::CpuProfile => "CPU profile",
            InputKind::LegacySnapshot => "pre-2012 heap snapshot",
            InputKind::OtherJson => "JSON of an unknown shape",
            InputKind::NotJson => "not JSON",
            InputKind::Empty => "empty file",
        }
    }
}

/// Tells the kind of an input from its first bytes by the keys of its
/// top-level JSON object (formats §2), read with the tokenizer, nested values
/// skipped; the keys inside a CDP wrapper `{"profile": {…}}` count as top
/// level. Names and strings inside values never matter.
///
/// A prefix may end before every key is seen (the CLI passes 64 KiB of a file
/// of any size): the kind is then decided from the keys seen so far, and a
/// file that is itself cut short is left to its parser, which reports where
/// it ends. Invalid JSON is judged the same way, by the keys before the error.
#[must_use]
pub fn detect(prefix: &[u8]) -> InputKind {
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let Some(first) = text.iter().position(|&b| !is_ws(b)) else {
        return InputKind::Empty;
    };
    if text[first] != b'{' {
        return InputKind::NotJson;
    }
    let mut cur = Cursor::with_buffer_len(text, text.len());
    let mut keys = TopKeys::default();
    let complete = read_object(&mut cur, &mut keys, false).is_ok();
    keys.kind(complete)
}

/// Reads the keys of a top-level object (or of the object inside a
/// `profile` wrapper) into `keys`; stops at a `head` object, which decides.
fn read_object(
    cur: &mut Cursor<&[u8]>,
    keys: &mut TopKeys,
    wrapped: bool,
) -> Result<(), ParseError> {
    let mut scratch = Vec::new();
    cur.expect(b'{', "an object")?;
    if cur.peek_token()? == b'}' {
        cur.bump();
        return Ok(());
    }
    loop {
        cur.key(&mut scratch)?;
        let is_object = cur.peek_token()? == b'{';
        match scratch.as_slice() {
            b"head" if is_object => {
                keys.head = true;
                return Ok(());
            }
            b"profile" if is_object && !wrapped => read_object(cur, keys, true)?,
            _ => {
                let key = std::mem::take(&mut scratch);
                keys.read_value(&key, cur, &mut scratch)?;
            }
        }
        if keys.head || !cur.comma_or(b'}')? {
            return Ok(());
        }
    }
}

/// What the top-level keys of a JSON object say about its kind: each kind is
/// told by the keys its format requires (formats §2), unknown keys count for
/// nothing.
#[derive(Debug, Default)]
pub(crate) struct TopKeys {
    /// `head` holds an object: a sampling heap profile.
    pub(crate) head: bool,
    /// `snapshot` holds an object: the header of a heap snapshot.
    snapshot: Option<SnapshotHeader>,
    /// `nodes` is present; what its first element is.
    nodes: Option<FirstElement>,
    /// `startTime` is present (CPU profiles).
    start_time: bool,
    /// `timeDeltas` is present (CPU profiles).
    time_deltas: bool,
    /// `trace_function_infos` or `trace_tree` holds something (timelines).
    trace_data: bool,
}

/// The first element of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FirstElement {
    /// The array is empty.
    None,
    /// An object (CPU profiles, the pre-2012 snapshot layout).
    Object,
    /// Anything else (numbers in a heap snapshot), or not an array.
    Other,
}

/// The keys of a snapshot header that tell the snapshot layouts apart.
#[derive(Debug, Default)]
struct SnapshotHeader {
    meta: bool,
    /// `title` or `uid`: the pre-2012 layout, when there is no `meta`.
    title_or_uid: bool,
    /// `trace_function_count` > 0, when seen.
    traced: Option<bool>,
    /// The header object was read to its end.
    closed: bool,
}

impl SnapshotHeader {
    fn read<R: Read>(
        &mut self,
        cur: &mut Cursor<R>,
        scratch: &mut Vec<u8>,
    ) -> Result<(), ParseError> {
        cur.expect(b'{', "the `snapshot` object")?;
        if cur.peek_token()? == b'}' {
            cur.bump();
            self.closed = true;
            return Ok(());
        }
        loop {
            cur.key(scratch)?;
            match scratch.as_slice() {
                b"meta" => self.meta = true,
                b"title" | b"uid" => self.title_or_uid = true,
                b"trace_function_count" if starts_number(cur.peek_token()?) => {
                    self.traced = Some(match cur.number()? {
                        Number::Unsigned(v) => v > 0,
                        Number::Float(f) => f > 0.0,
                    });
                    if !cur.comma_or(b'}')? {
                        self.closed = true;
                        return Ok(());
                    }
                    continue;
                }
                _ => {}
            }
            cur.skip_value(scratch)?;
            if !cur.comma_or(b'}')? {
                self.closed = true;
                return Ok(());
            }
        }
    }

    /// A timeline: the header counts trace functions. A header cut before
    /// that count (a file cut in its first bytes) is taken as a timeline,
    /// which every command that reads either kind parses, so that the
    /// parser reports the cut instead of the kind being refused unseen.
    fn timeline(&self) -> bool {
        self.traced.unwrap_or(!self.closed)
    }
}

impl TopKeys {
    /// Reads the value of the top-level key `key` (neither `head` nor the
    /// `profile` wrapper) and notes what it says about the kind. Any valid
    /// JSON value is accepted.
    pub(crate) fn read_value<R: Read>(
        &mut self,
        key: &[u8],
        cur: &mut Cursor<R>,
        scratch: &mut Vec<u8>,
    ) -> Result<(), ParseError> {
        match key {
            b"snapshot" if cur.peek_token()? == b'{' => self
                .snapshot
                .insert(SnapshotHeader::default())
                .read(cur, scratch),
            b"nodes" => {
                self.nodes = Some(FirstElement::Other);
                skip_array(cur, scratch, |first| self.nodes = Some(first))
            }
            b"trace_function_infos" | b"trace_tree" => skip_array(cur, scratch, |first| {
                self.trace_data |= first != FirstElement::None;
            }),
            b"startTime" => {
                self.start_time = true;
                cur.skip_value(scratch)
            }
            b"timeDeltas" => {
                self.time_deltas = true;
                cur.skip_value(scratch)
            }
            _ => cur.skip_value(scratch),
        }
    }

    /// The kind these keys make; `complete` when the whole top level was
    /// read, so that a missing key is really missing.
    pub(crate) fn kind(&self, complete: bool) -> InputKind {
        if self.head {
            return InputKind::HeapProfile;
        }
        if let Some(header) = &self.snapshot {
            if (header.title_or_uid && !header.meta) || self.nodes == Some(FirstElement::Object) {
                return InputKind::LegacySnapshot;
            }
            if self.nodes.is_none() && complete {
                return InputKind::OtherJson;
            }
            return if header.timeline() || self.trace_data {
                InputKind::HeapTimeline
            } else {
                InputKind::HeapSnapshot
            };
        }
        match self.nodes {
            Some(_) if self.start_time && self.time_deltas => InputKind::CpuProfile,
            // A prefix that ends inside a CPU profile's `nodes`.
            Some(FirstElement::Object) if !complete => InputKind::CpuProfile,
            _ => InputKind::OtherJson,
        }
    }
}

/// Skips a value; when it is an array, tells `first` what its first element
/// is as soon as that is seen.
fn skip_array<R: Read>(
    cur: &mut Cursor<R>,
    scratch: &mut Vec<u8>,
    first: impl FnOnce(FirstElement),
) -> Result<(), ParseError> {
    if cur.peek_token()? != b'[' {
        return cur.skip_value(scratch);
    }
    cur.bump();
    let element = match cur.peek_token()? {
        b']' => FirstElement::None,
        b'{' => FirstElement::Object,
        _ => FirstElement::Other,
    };
    first(element);
    if element == FirstElement::None {
        cur.bump();
        return Ok(());
    }
    loop {
        cur.skip_value(scratch)?;
        if !cur.comma_or(b']')? {
            return Ok(());
        }
    }
}

fn starts_number(b: u8) -> bool {
    b.is_ascii_digit() || b == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"  {\"head\":{}}"), InputKind::HeapProfile);
        assert_eq!(
            detect(b"{\"profile\":{\"head\":{}}}"),
            InputKind::HeapProfile
        );
        assert_eq!(
            detect(b"{\"snapshot\":{\"meta\":{},\"trace_function_count\":0},\"nodes\":[]}"),
            InputKind::HeapSnapshot
        );
        assert_eq!(
            detect(b"{\"snapshot\":{\"meta\":{},\"trace_function_count\":12},\"nodes\":[]}"),
            InputKind::HeapTimeline
        );
        assert_eq!(
            detect(b"{\"nodes\":[],\"startTime\":1,\"endTime\":2,\"timeDeltas\":[]}"),
            InputKind::CpuProfile
        );
        assert_eq!(detect(b"\x00\x01"), InputKind::NotJson);
        assert_eq!(detect(b"[1]"), InputKind::NotJson);
        assert_eq!(detect(b"   "), InputKind::Empty);
        assert_eq!(detect(b"\xEF\xBB\xBF"), InputKind::Empty);
        assert_eq!(detect(b"{}"), InputKind::OtherJson);
        assert_eq!(detect(b"{\"a\":[{\"head\":{}}]}"), InputKind::OtherJson);
    }

    const PROFILE: &str = r#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[]},"samples":[]}"#;

    /// Inserts `extra` as the first or the last key of a profile.
    fn with_key(extra: &str, first: bool) -> String {
        if first {
            format!("{{{extra},{}", &PROFILE[1..])
        } else {
            format!("{},{extra}}}", &PROFILE[..PROFILE.len() - 1])
        }
    }

    #[test]
    fn keys_of_other_kinds_beside_head_do_not_change_the_kind() {
        for extra in [
            r#""startTime":1"#,
            r#""endTime":2"#,
            r#""timeDeltas":[1,2]"#,
            r#""nodes":[]"#,
            r#""nodes":[{"id":1}]"#,
            r#""snapshot":{"meta":{},"trace_function_count":3}"#,
            r#""title":"x","uid":1"#,
            r#""foo":{"head":1,"snapshot":[]}"#,
        ] {
            for first in [true, false] {
                let text = with_key(extra, first);
                assert_eq!(detect(text.as_bytes()), InputKind::HeapProfile, "{text}");
            }
        }
    }

    #[test]
    fn names_in_strings_and_nested_values_do_not_count() {
        for text in [
            r#"{"a":"\"snapshot\": {\"head\"","b":{"nodes":[],"startTime":1,"timeDeltas":[]}}"#,
            r#"{"x":["snapshot","head","nodes","startTime","timeDeltas"]}"#,
            r#"{"profile":{"profile":{"head":{}}}}"#,
            r#"{"head":[1],"snapshot":1,"nodes":2}"#,
        ] {
            assert_eq!(detect(text.as_bytes()), InputKind::OtherJson, "{text}");
        }
    }

    fn assert_kinds(cases: &[(&str, InputKind)]) {
        for &(text, kind) in cases {
            assert_eq!(detect(text.as_bytes()), kind, "{text}");
        }
    }

    #[test]
    fn a_cpu_profile_needs_its_own_keys() {
        assert_kinds(&[
            // Complete objects: all of `nodes`, `startTime`, `timeDeltas`.
            (
                r#"{"nodes":[{"id":1}],"startTime":1}"#,
                InputKind::OtherJson,
            ),
            (
                r#"{"startTime":1,"endTime":2,"timeDeltas":[]}"#,
                InputKind::OtherJson,
            ),
            // The CDP result of `Profiler.stop` is wrapped like a heap profile.
            (
                r#"{"profile":{"nodes":[],"startTime":1,"endTime":2,"timeDeltas":[]}}"#,
                InputKind::CpuProfile,
            ),
            // A prefix that ends inside the `nodes` of a large CPU profile.
            (
                r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(ro"#,
                InputKind::CpuProfile,
            ),
        ]);
    }

    #[test]
    fn snapshots_need_a_header_object_and_nodes() {
        assert_kinds(&[
            (
                r#"{"snapshot":{"meta":{}},"strings":[]}"#,
                InputKind::OtherJson,
            ),
            (r#"{"snapshot":"yes","nodes":[1]}"#, InputKind::OtherJson),
            // Key order does not matter.
            (
                r#"{"nodes":[0,1],"strings":[],"snapshot":{"meta":{}}}"#,
                InputKind::HeapSnapshot,
            ),
            // Trace data present: a timeline.
            (
                r#"{"snapshot":{"meta":{}},"nodes":[],"trace_tree":[1,0,0,0,[]]}"#,
                InputKind::HeapTimeline,
            ),
            (
                r#"{"snapshot":{"meta":{},"trace_function_count":0},"nodes":[],"trace_tree":[]}"#,
                InputKind::HeapSnapshot,
            ),
        ]);
    }

    #[test]
    fn a_prefix_is_judged_by_the_keys_it_holds() {
        let snapshot = br#"{"snapshot":{"meta":{"node_fields":["type"]},"node_count":3,"trace_function_count":0},"nodes":[9,1,1,0,2,0,0,9,2"#;
        assert_eq!(detect(snapshot), InputKind::HeapSnapshot);
        let timeline = br#"{"snapshot":{"meta":{},"trace_function_count":12},"nodes":[9,1"#;
        assert_eq!(detect(timeline), InputKind::HeapTimeline);
        // Cut inside the header, before `trace_function_count`: either kind,
        // read as a timeline so that any command parses it and reports the cut.
        assert_eq!(
            detect(br#"{"snapshot":{"meta":{"node_fields":["type","na"#),
            InputKind::HeapTimeline
        );
        // Cut after a header without trace data, before `nodes`.
        assert_eq!(
            detect(br#"{"snapshot":{"meta":{},"trace_function_count":0},"#),
            InputKind::HeapSnapshot
        );
        // A heap profile cut inside its tree.
        assert_eq!(
            detect(br#"{"head":{"callFrame":{"functionName":"snaps"#),
            InputKind::HeapProfile
        );
        assert_eq!(detect(br#"{"hea"#), InputKind::OtherJson);
    }

    #[test]
    fn the_pre_2012_layout_is_told_apart() {
        assert_eq!(
            detect(br#"{"snapshot":{"title":"t","uid":1},"nodes":[{"fields":["type"]},0]}"#),
            InputKind::LegacySnapshot
        );
        assert_eq!(
            detect(br#"{"snapshot":{"title":"t","uid":1,"meta":{}},"nodes":[0]}"#),
            InputKind::HeapSnapshot
        );
    }

    #[test]
    fn invalid_json_is_judged_up_to_the_error() {
        assert_eq!(detect(br#"{"head":{"x":tru}}"#), InputKind::HeapProfile);
        assert_eq!(
            detect(br#"{"samples":[1,,2],"head":{}}"#),
            InputKind::OtherJson
        );
    }
}
