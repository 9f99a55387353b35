//! Single-profile flame graphs through inferno. All of inferno's options
//! are set in `inferno_options`, so its `#[non_exhaustive]` API changes
//! stay in this file.

use std::io;

use heapdiff_analyzer::FoldedStack;
use inferno::flamegraph::{self, Direction, Options, color};

/// heapdiff's flame graph options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlameOptions {
    /// Title at the top of the image.
    pub title: String,
    /// Icicle graph (root at the top).
    pub inverted: bool,
    /// Leave out inferno's JavaScript (tests; static viewers).
    pub no_javascript: bool,
}

fn inferno_options(opts: &FlameOptions) -> Options<'static> {
    let mut o = Options::default();
    // inferno escapes markup in the title but not control characters, which
    // XML forbids: they are made visible first.
    o.title = crate::escape::terminal(&opts.title);
    o.count_name = "bytes".to_string();
    o.name_type = "Function:".to_string();
    o.direction = if opts.inverted {
        Direction::Inverted
    } else {
        Direction::Straight
    };
    // Colours are a function of the frame name, not of a random stream, so
    // adding a frame does not recolour the others.
    o.deterministic = true;
    o.hash = true;
    o.colors = color::Palette::Multi(color::MultiPalette::Js);
    o.no_javascript = opts.no_javascript;
    o
}

/// Writes a flame graph of folded stacks. An empty profile gives inferno's
/// "no stack counts" image, not an error.
///
/// # Errors
/// When writing fails.
pub fn write(
    out: &mut dyn io::Write,
    stacks: &[FoldedStack],
    opts: &FlameOptions,
) -> io::Result<()> {
    let lines: Vec<String> = stacks
        .iter()
        .map(|s| crate::folded::line(&s.frames, &[s.bytes]))
        .collect();
    let mut o = inferno_options(opts);
    if lines.is_empty() {
        return crate::diff_flame::empty_svg(out, &opts.title);
    }
    flamegraph::from_lines(&mut o, lines.iter().map(String::as_str), out)
}
