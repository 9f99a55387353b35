//! Folded stacks (`a;b;c 123`), the input of inferno, speedscope and
//! FlameGraph. Frame labels are made safe in one place: `;` separates
//! frames and the count is the last whitespace-separated field, so a `;` in
//! a V8 name becomes `；` (U+FF1B), line breaks and tabs become spaces,
//! and other invisible characters (controls, bidirectional overrides) are
//! written as visible escapes such as `\u{1b}`, so that no folded file, no
//! terminal showing one and no SVG made from one gets them raw.

use std::io;

use heapdiff_analyzer::FoldedStack;

/// A frame label that survives the folded format.
#[must_use]
pub fn frame_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            ';' => out.push('\u{FF1B}'),
            '\n' | '\r' | '\t' => out.push(' '),
            c if crate::escape::invisible(c) => crate::escape::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// One folded line without the newline.
#[must_use]
pub fn line(frames: &[String], counts: &[u64]) -> String {
    let mut s = frames
        .iter()
        .map(|f| frame_label(f))
        .collect::<Vec<_>>()
        .join(";");
    for c in counts {
        s.push(' ');
        s.push_str(&c.to_string());
    }
    s
}

/// Writes folded stacks, one per line.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn io::Write, stacks: &[FoldedStack]) -> io::Result<()> {
    for s in stacks {
        writeln!(out, "{}", line(&s.frames, &[s.bytes]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any label survives: splitting the line on `;` and taking the
        /// count from the last whitespace field gives back the frame count
        /// and the bytes.
        #[test]
        fn any_label_round_trips(labels in proptest::collection::vec(".*", 1..5), bytes in 0u64..u64::MAX) {
            let l = line(&labels, &[bytes]);
            let (stack, count) = l.rsplit_once(char::is_whitespace).unwrap();
            prop_assert_eq!(count.parse::<u64>().unwrap(), bytes);
            prop_assert_eq!(stack.trim_end_matches(char::is_whitespace).split(';').count(), labels.len());
            prop_assert!(!l.contains('\n'));
            prop_assert!(!l.chars().any(crate::escape::invisible));
        }
    }
}
