//! Escaping of untrusted text (function names, URLs) for the formats that
//! interpret markup. Every string from a profile goes through here (for
//! HTML and SVG, by way of `markup::Markup`).

/// Appends text escaped for XML/SVG/HTML element content and attribute
/// values; the renderers reach it through `markup::Markup`, never directly.
/// Characters XML 1.0 forbids even as references (most C0 controls,
/// U+FFFE, U+FFFF) and the other invisible ones (C1 controls, bidirectional
/// overrides) are written as visible escapes such as `\u{1b}`.
pub(crate) fn push_xml(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if invisible(c) => push_visible(out, c),
            c => out.push(c),
        }
    }
}

/// Makes the invisible characters of `s` visible (`\u{1b}`), as
/// `push_xml` does, and keeps the rest, line breaks and tabs included: the
/// text of names that reach a page as data, such as the HTML report's
/// flame graph, which its script shows as text.
pub(crate) fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if invisible(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell (GitHub and GitLab flavours): the
/// punctuation that inline Markdown interprets is backslash-escaped, `<`, `>` and
/// `&` become entities (so no HTML is ever interpreted), line breaks
/// become spaces, invisible characters visible escapes, and nothing is left
/// that GitHub or GitLab would make a link, a mention or a reference
/// (`@team`, `#1`, `http://…` through the escaped `@`, `#` and `:`; `www.…`
/// by escaping its dot).
#[must_use]
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut last3 = [' '; 3];
    for c in s.chars() {
        let www = last3.iter().all(|p| p.eq_ignore_ascii_case(&'w'));
        last3 = [last3[1], last3[2], c];
        match c {
            '.' if www => out.push_str("\\."),
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
            c if invisible(c) => push_visible(&mut out, c),
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
            c if invisible(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The model's one rule of what is invisible (`heapdiff_model::text`):
/// controls, the format characters that reorder or hide text, and the
/// noncharacters.
pub(crate) use heapdiff_model::text::is_invisible as invisible;

/// Writes `c` as a visible escape: `\u{1b}`.
pub(crate) fn push_visible(out: &mut String, c: char) {
    let _ = heapdiff_model::text::write_visible(out, c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(s: &str) -> String {
        let mut out = String::new();
        push_xml(&mut out, s);
        out
    }

    #[test]
    fn markup_is_inert() {
        assert_eq!(
            xml("<script>\"x\"&'y'</script>"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(xml("a\u{0007}b\u{0}c\u{FFFE}"), "a\\u{7}b\\u{0}c\\u{fffe}");
        assert_eq!(xml("\u{202E}x\u{85}"), "\\u{202e}x\\u{85}");
        assert_eq!(
            visible("<b>\u{202E}x\u{85}\n\u{FFFE}"),
            "<b>\\u{202e}x\\u{85}\n\\u{fffe}"
        );
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
        assert_eq!(
            markdown("www.a.b WWW.c wwww.d ww.e"),
            "www\\.a.b WWW\\.c wwww\\.d ww.e"
        );
        assert_eq!(markdown("a\u{1b}b\u{2066}"), "a\\u{1b}b\\u{2066}");
    }
}
