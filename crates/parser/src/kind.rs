//! Telling file kinds apart by content (formats §2), never by file name.

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

/// Guesses the kind of an input from its first bytes (a few KiB suffice for
/// files written by V8, whose first key decides). Files whose keys were
/// reordered may need the full parse to tell; the parsers report the kind
/// they find as [`crate::ParseError::WrongKind`].
#[must_use]
pub fn detect(prefix: &[u8]) -> InputKind {
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let Some(first) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return InputKind::Empty;
    };
    if text[first] != b'{' {
        return InputKind::NotJson;
    }
    let has = |needle: &[u8]| memchr::memmem::find(text, needle).is_some();
    if has(b"\"snapshot\"") {
        if has(b"\"title\"") && has(b"\"uid\"") && !has(b"\"meta\"") {
            return InputKind::LegacySnapshot;
        }
        let tracing = memchr::memmem::find(text, b"\"trace_function_count\":")
            .map(|at| &text[at + 23..])
            .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()))
            .is_some_and(|&b| b != b'0');
        return if tracing {
            InputKind::HeapTimeline
        } else {
            InputKind::HeapSnapshot
        };
    }
    if has(b"\"head\"") {
        return InputKind::HeapProfile;
    }
    if has(b"\"timeDeltas\"") || has(b"\"startTime\"") {
        return InputKind::CpuProfile;
    }
    InputKind::OtherJson
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
            detect(b"{\"snapshot\":{\"meta\":{},\"trace_function_count\":0}"),
            InputKind::HeapSnapshot
        );
        assert_eq!(
            detect(b"{\"snapshot\":{\"meta\":{},\"trace_function_count\":12}"),
            InputKind::HeapTimeline
        );
        assert_eq!(
            detect(b"{\"nodes\":[],\"startTime\":1}"),
            InputKind::CpuProfile
        );
        assert_eq!(detect(b"\x00\x01"), InputKind::NotJson);
        assert_eq!(detect(b"   "), InputKind::Empty);
    }
}
