//! The one way the renderers write HTML and SVG: a markup writer whose text
//! and attribute values are always escaped, so untrusted strings (function
//! names, URLs, file names, titles) can only ever become text.
//!
//! - [`Markup::text`] writes element content and [`Tag::attr`] attribute
//!   values, both through [`Value`]: strings are escaped (`<`, `>`, `&`,
//!   `"`, `'` as entities; controls, noncharacters and bidirectional
//!   overrides as visible escapes such as `\u{1b}`), numbers are written as
//!   digits, [`fixed`] writes a number with a given count of decimals.
//! - [`Markup::tag`] starts an element (`<rect`) and returns a [`Tag`] to add
//!   attributes to, ended by [`Tag::open`] (`>`) or [`Tag::close`] (`/>`);
//!   [`Markup::end`] closes an element (`</g>`), [`Markup::element`] writes
//!   `<name>text</name>` in one call. Element and attribute names are
//!   `&'static str`: they are part of the program, never of the input.
//! - Markup that is not text is written only by [`Markup::raw`], which takes
//!   a `&'static str` (a literal, or a file included at build time), and by
//!   [`Markup::fragment`], which takes markup another `Markup` built. A string
//!   made at run time therefore has no way in but the escaping methods.
//! - [`Markup::json_in_script`] embeds JSON as the content of a
//!   `<script type="application/json">` element, made safe for that context.
//! - [`Markup::svg_document`] starts a standalone SVG image (the XML
//!   declaration and the `<svg` tag with its size, namespace and font), and
//!   [`Markup::write_to`] writes the finished text in one call.
//!
//! ```
//! use heapdiff_renderer::markup::{Markup, fixed};
//!
//! let mut m = Markup::new();
//! m.svg_document(100.0, 20.0).open().newline();
//! m.tag("text").attr("x", fixed(2.26, 1)).attr("y", 14).open();
//! m.text("<b>\u{1b}").end("text").newline();
//! m.raw("</svg>\n");
//! assert!(m.as_str().ends_with(
//!     "<text x=\"2.3\" y=\"14\">&lt;b&gt;\\u{1b}</text>\n</svg>\n"
//! ));
//! ```

use std::fmt::Write as _;
use std::io;

use crate::escape::push_xml;

/// HTML or SVG being written; see the module documentation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Markup {
    buf: String,
}

impl Markup {
    /// Empty markup.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty markup with room for `bytes` bytes.
    #[must_use]
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
        }
    }

    /// Writes literal markup of the program: tags, a style sheet or a
    /// script included at build time. Takes `&'static str` only, so that no
    /// string made at run time can be written unescaped:
    ///
    /// ```compile_fail
    /// let name = String::from("<script>");
    /// heapdiff_renderer::markup::Markup::new().raw(&name);
    /// ```
    ///
    /// Nor can one be formatted in (`Markup` is no `fmt::Write`):
    ///
    /// ```compile_fail
    /// use std::fmt::Write as _;
    /// let mut m = heapdiff_renderer::markup::Markup::new();
    /// write!(m, "{}", String::from("<script>"));
    /// ```
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.buf.push_str(markup);
        self
    }

    /// Writes markup built by another `Markup`.
    pub fn fragment(&mut self, markup: &Markup) -> &mut Self {
        self.buf.push_str(&markup.buf);
        self
    }

    /// Writes element content: a string escaped, a number as it is.
    pub fn text(&mut self, value: impl Value) -> &mut Self {
        value.write_escaped(&mut self.buf);
        self
    }

    /// Writes a line break.
    pub fn newline(&mut self) -> &mut Self {
        self.buf.push('\n');
        self
    }

    /// Starts the element `name` (`<name`); add attributes to the returned
    /// tag, then end it with [`Tag::open`] or [`Tag::close`].
    pub fn tag(&mut self, name: &'static str) -> Tag<'_> {
        self.buf.push('<');
        self.buf.push_str(name);
        Tag { markup: self }
    }

    /// Ends the element `name` (`</name>`).
    pub fn end(&mut self, name: &'static str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// Writes `<name>text</name>`.
    pub fn element(&mut self, name: &'static str, text: impl Value) -> &mut Self {
        self.tag(name).open().text(text).end(name)
    }

    /// Writes JSON as the content of a `<script type="application/json">`
    /// element: `<`, `>` and `&` as JSON escapes (so neither `</script>` nor
    /// an HTML comment can appear), and the line and paragraph separators
    /// too, which end a JavaScript string.
    pub fn json_in_script(&mut self, json: &str) -> &mut Self {
        for c in json.chars() {
            match c {
                '<' => self.buf.push_str("\\u003c"),
                '>' => self.buf.push_str("\\u003e"),
                '&' => self.buf.push_str("\\u0026"),
                '\u{2028}' => self.buf.push_str("\\u2028"),
                '\u{2029}' => self.buf.push_str("\\u2029"),
                c => self.buf.push(c),
            }
        }
        self
    }

    /// Starts a standalone SVG image of `width` × `height` pixels (whole
    /// numbers): the XML declaration, then the `<svg` tag with its version,
    /// namespace, size, view box and font family. Add attributes (such as a
    /// font size) to the returned tag and [`Tag::open`] it.
    pub fn svg_document(&mut self, width: f64, height: f64) -> Tag<'_> {
        self.raw("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        let (w, h) = (fixed(width, 0), fixed(height, 0));
        let view_box = format!("0 0 {w} {h}");
        self.tag("svg")
            .attr("version", "1.1")
            .attr("xmlns", "http://www.w3.org/2000/svg")
            .attr("width", w)
            .attr("height", h)
            .attr("viewBox", view_box.as_str())
            .attr("font-family", "Verdana, sans-serif")
    }

    /// The markup written so far.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// Writes the markup to `out` in one call.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(self.buf.as_bytes())
    }
}

/// An element's start tag being written: `<name` and its attributes so far.
#[derive(Debug)]
#[must_use = "a tag is ended by `open` or `close`"]
pub struct Tag<'a> {
    markup: &'a mut Markup,
}

impl<'a> Tag<'a> {
    /// Adds ` name="value"`, the value escaped.
    pub fn attr(self, name: &'static str, value: impl Value) -> Self {
        let buf = &mut self.markup.buf;
        buf.push(' ');
        buf.push_str(name);
        buf.push_str("=\"");
        value.write_escaped(buf);
        buf.push('"');
        self
    }

    /// Ends the start tag (`>`): content and an [`Markup::end`] follow.
    pub fn open(self) -> &'a mut Markup {
        self.markup.buf.push('>');
        self.markup
    }

    /// Ends the element as an empty one (`/>`).
    pub fn close(self) -> &'a mut Markup {
        self.markup.buf.push_str("/>");
        self.markup
    }
}

/// What may be written as text or as an attribute value: strings, which
/// are escaped, and numbers. Sealed: no other type can be written.
pub trait Value: sealed::Sealed {
    /// Appends the value to `out`, escaped for markup.
    fn write_escaped(&self, out: &mut String);
}

mod sealed {
    pub trait Sealed {}
}

impl<T: Value + ?Sized> sealed::Sealed for &T {}
impl<T: Value + ?Sized> Value for &T {
    fn write_escaped(&self, out: &mut String) {
        (**self).write_escaped(out);
    }
}

impl sealed::Sealed for str {}
impl Value for str {
    fn write_escaped(&self, out: &mut String) {
        push_xml(out, self);
    }
}

impl sealed::Sealed for String {}
impl Value for String {
    fn write_escaped(&self, out: &mut String) {
        push_xml(out, self);
    }
}

/// Numbers hold no character markup interprets: written with `Display`.
macro_rules! number_values {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Value for $t {
            fn write_escaped(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
number_values!(u8, u16, u32, u64, usize, i32, i64, f64);

/// A number written with a fixed count of decimals; see [`fixed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    value: f64,
    decimals: usize,
}

/// `value` with `decimals` digits after the point, as `{:.N}` writes it.
#[must_use]
pub fn fixed(value: f64, decimals: usize) -> Fixed {
    Fixed { value, decimals }
}

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.*}", self.decimals, self.value)
    }
}

impl sealed::Sealed for Fixed {}
impl Value for Fixed {
    fn write_escaped(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names a profile may hold that would be markup, break XML or hide
    /// text, with what each must become.
    const HOSTILE: [(&str, &str); 9] = [
        ("<script>", "&lt;script&gt;"),
        ("\"onload=\"", "&quot;onload=&quot;"),
        ("'x'", "&#39;x&#39;"),
        ("a&b", "a&amp;b"),
        ("\u{1b}[31m", "\\u{1b}[31m"),
        ("nul\u{0}", "nul\\u{0}"),
        ("\u{FFFE}\u{FFFF}", "\\u{fffe}\\u{ffff}"),
        ("\u{202E}abc\u{2066}", "\\u{202e}abc\\u{2066}"),
        ("c1\u{85}", "c1\\u{85}"),
    ];

    #[test]
    fn text_and_attributes_are_escaped() {
        for (name, escaped) in HOSTILE {
            let mut m = Markup::new();
            m.tag("g").attr("class", name).open();
            m.element("title", name).text(name.to_string()).end("g");
            assert_eq!(
                m.as_str(),
                format!("<g class=\"{escaped}\"><title>{escaped}</title>{escaped}</g>")
            );
        }
    }

    #[test]
    fn fragments_keep_their_escaping() {
        let mut inner = Markup::new();
        inner.text("<b>");
        let mut m = Markup::new();
        m.raw("<p>").fragment(&inner).end("p");
        assert_eq!(m.as_str(), "<p>&lt;b&gt;</p>");
    }

    #[test]
    fn numbers_are_written_as_they_are() {
        let mut m = Markup::new();
        m.tag("rect")
            .attr("x", fixed(1.26, 1))
            .attr("y", 480.0)
            .attr("n", -3_i64)
            .attr("w", fixed(959.6, 0))
            .close();
        assert_eq!(m.as_str(), "<rect x=\"1.3\" y=\"480\" n=\"-3\" w=\"960\"/>");
    }

    #[test]
    fn json_cannot_end_its_script_element() {
        let mut m = Markup::new();
        m.json_in_script("[\"</script><!--&\u{2028}\u{2029}\"]");
        assert_eq!(
            m.as_str(),
            "[\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029\"]"
        );
    }

    #[test]
    fn an_svg_document_starts_with_its_declaration() {
        let mut m = Markup::new();
        m.svg_document(1200.0, 60.0).open();
        assert_eq!(
            m.as_str(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"60\" viewBox=\"0 0 1200 60\" font-family=\"Verdana, sans-serif\">"
        );
    }
}
