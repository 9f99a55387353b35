//! Escaping of untrusted text (function names, URLs) for the formats that
//! interpret markup. Every string from a profile goes through here.

/// Escapes text for XML/SVG/HTML element content and attribute values, and
/// drops characters XML 1.0 forbids.
#[must_use]
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell (GitHub and GitLab flavours): the
/// punctuation that inline Markdown interprets is backslash-escaped, `<`, `>` and
/// `&` become entities (so no HTML is ever interpreted), and line breaks
/// become spaces.
#[must_use]
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            // Inline markup, table cells, images, strikethrough, and GitHub's
            // @mentions, #references and :emoji: shortcodes.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '@' | '#' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Makes text safe for a terminal: control characters (line breaks, tabs,
/// and ESC, which could inject terminal escape sequences) are shown as
/// visible escapes such as `\n` and `\u{1b}`.
#[must_use]
pub fn terminal(s: &str) -> String {
    if !s.chars().any(invisible) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if invisible(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Control characters, and the format characters that reorder or hide
/// text (bidirectional overrides, zero-width characters, line and paragraph
/// separators).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_inert() {
        assert_eq!(
            xml("<script>\"x\"&'y'</script>"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(xml("a\u{0007}b"), "a\u{FFFD}b");
        assert_eq!(
            terminal("tab\there\n\u{1b}[31m"),
            "tab\\there\\n\\u{1b}[31m"
        );
        assert_eq!(
            markdown("a|b <img onerror=x>"),
            "a\\|b &lt;img onerror=x&gt;"
        );
        assert_eq!(markdown("[x](javascript:y)"), "\\[x\\](javascript\\:y)");
        assert_eq!(markdown("@team #1 :x:"), "\\@team \\#1 \\:x\\:");
    }
}
