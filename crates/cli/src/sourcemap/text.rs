//! A script's text as the map's fit check and the name recovery read it:
//! the bytes once, an index of where each line starts and how long it is in
//! UTF-16 code units (V8's and source maps' column unit), and a line's
//! UTF-16 form only for the lines that are not ASCII and are looked into.
//! Also the reading of a script's tail, where its `sourceMappingURL`
//! comment is, without reading the rest.

use std::io::{self, Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::sync::OnceLock;

/// The bytes read from the end of a script to find its `sourceMappingURL`
/// comment; more only when the last line is longer (an inline map).
const TAIL: u64 = 4096;

/// The end of a script: at least its last `TAIL` bytes, and the whole of
/// its last non-blank line (a `sourceMappingURL` comment, an inline map
/// included, is the last line of a script). Lossy where the window cuts a
/// character in two or the script is not UTF-8.
pub(crate) fn read_tail(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut window = TAIL;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::with_capacity(usize::try_from(len - start).unwrap_or(0));
        (&mut file).take(len - start).read_to_end(&mut bytes)?;
        if start == 0 || holds_last_line(&bytes) {
            return Ok(String::from_utf8_lossy(&bytes).into_owned());
        }
        window = window.saturating_mul(4);
    }
}

/// `bytes` (the end of a file) start before its last non-blank line.
fn holds_last_line(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    bytes[..end].contains(&b'\n')
}

/// A script's lines, indexed once.
pub(crate) struct ScriptLines {
    bytes: Vec<u8>,
    /// Where each line starts and ends (without `\n` or `\r\n`).
    spans: Vec<(usize, usize)>,
    /// Each line's length in UTF-16 code units.
    widths: Vec<u32>,
    /// The UTF-16 form of lines that are not ASCII, made when first read.
    wide: Vec<OnceLock<Vec<u16>>>,
}

impl ScriptLines {
    /// Indexes a script's bytes (UTF-8; invalid bytes count as U+FFFD).
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        let mut spans = Vec::new();
        let mut start = 0;
        for line in bytes.split(|&b| b == b'\n') {
            let end = start + line.strip_suffix(b"\r").unwrap_or(line).len();
            spans.push((start, end));
            start += line.len() + 1;
        }
        let widths = spans
            .iter()
            .map(|&(s, e)| utf16_width(&bytes[s..e]))
            .collect();
        let wide = std::iter::repeat_with(OnceLock::new)
            .take(spans.len())
            .collect();
        Self {
            bytes,
            spans,
            widths,
            wide,
        }
    }

    /// The number of lines.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Line `line`'s length in UTF-16 code units.
    pub(crate) fn width(&self, line: usize) -> Option<usize> {
        self.widths.get(line).map(|&w| w as usize)
    }

    /// Line `line` holds the identifier `name` at UTF-16 column `at` (not
    /// the start of a longer identifier).
    pub(crate) fn names_at(&self, line: usize, at: usize, name: &str) -> bool {
        let Some(&(s, e)) = self.spans.get(line) else {
            return false;
        };
        let text = &self.bytes[s..e];
        if text.len() == self.widths[line] as usize {
            // ASCII: a column is a byte offset.
            let end = at + name.len();
            return text.get(at..end) == Some(name.as_bytes())
                && text.get(end).is_none_or(|&c| !is_identifier(char::from(c)));
        }
        let wide = self.wide[line].get_or_init(|| {
            String::from_utf8_lossy(text)
                .encode_utf16()
                .collect::<Vec<u16>>()
        });
        let name: Vec<u16> = name.encode_utf16().collect();
        let end = at + name.len();
        wide.get(at..end) == Some(name.as_slice())
            && wide
                .get(end)
                .is_none_or(|&c| !char::from_u32(u32::from(c)).is_some_and(is_identifier))
    }
}

fn is_identifier(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The UTF-16 length of UTF-8 text (invalid bytes as U+FFFD, one unit).
fn utf16_width(text: &[u8]) -> u32 {
    let units = if text.is_ascii() {
        text.len()
    } else {
        String::from_utf8_lossy(text)
            .chars()
            .map(char::len_utf16)
            .sum()
    };
    u32::try_from(units).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_measured_in_utf16_units() {
        let s = ScriptLines::new("ab\r\né𝄞x=1\n\nlast".as_bytes().to_vec());
        assert_eq!(s.len(), 4);
        assert_eq!(
            (0..4).map(|l| s.width(l)).collect::<Vec<_>>(),
            [Some(2), Some(6), Some(0), Some(4)]
        );
        assert_eq!(s.width(4), None);
        assert!(s.names_at(1, 3, "x"), "after é (1 unit) and 𝄞 (2 units)");
        assert!(!s.names_at(1, 2, "x"));
        assert!(s.names_at(3, 0, "last"));
        assert!(!s.names_at(3, 0, "las"), "a longer identifier");
    }

    #[test]
    fn the_tail_holds_the_whole_last_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("app.js");
        let long = format!(
            "x();\n//# sourceMappingURL=data:,{}\n\n",
            "a".repeat(20_000)
        );
        std::fs::write(&path, format!("{}{long}", "y();\n".repeat(50_000))).expect("write");
        let tail = read_tail(&path).expect("read");
        assert!(
            tail.contains("\nx();\n//# sourceMappingURL=data:,aaa"),
            "whole line"
        );
        assert_eq!(tail.len(), 4 * 4 * 4096, "not the whole file");
        std::fs::write(&path, "short();\n").expect("write");
        assert_eq!(read_tail(&path).expect("read"), "short();\n");
    }
}
