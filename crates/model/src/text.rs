//! The characters that must never reach a terminal or a document as they
//! are, whichever crate shows untrusted text: the parser in its error
//! messages, the renderer in every output format. One rule, here because
//! both depend on the model.

/// True for a character a terminal would act on, or that reorders or hides
/// text: C0 and C1 controls (ESC, BEL, NUL, line breaks), bidirectional
/// marks, embeddings, overrides and isolates, zero-width and invisible
/// format characters, line and paragraph separators, and the
/// noncharacters (U+FDD0–U+FDEF and the last two code points of every
/// plane, U+FFFE and U+FFFF among them).
#[must_use]
pub fn is_invisible(c: char) -> bool {
    let n = u32::from(c);
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{FDD0}'..='\u{FDEF}'
        )
        || n & 0xFFFE == 0xFFFE
}

/// Writes `c` as a visible escape, `\u{1b}`.
///
/// # Errors
/// When the writer fails.
pub fn write_visible(out: &mut impl std::fmt::Write, c: char) -> std::fmt::Result {
    write!(out, "\\u{{{:x}}}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::{is_invisible, write_visible};

    #[test]
    fn what_is_invisible() {
        for c in [
            '\u{1b}',
            '\u{7}',
            '\0',
            '\n',
            '\u{85}',
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{feff}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{fdd0}',
            '\u{61c}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'é', '日', '\u{fffd}', ' ', '`'] {
            assert!(!is_invisible(c), "{c:?}");
        }
        let mut s = String::new();
        write_visible(&mut s, '\u{1b}').unwrap();
        assert_eq!(s, "\\u{1b}");
    }
}
