//! Differential flame graphs, drawn directly as SVG.
//!
//! inferno's differential mode sizes frames by the after count only, so
//! code that disappeared has zero width. heapdiff's layout keeps it: a
//! frame is `max(self before, self after)` wide plus its children (see
//! `FlameNode::width`). Colours say how the frame's total changed, from the
//! Okabe–Ito palette (safe for the common colour-vision deficiencies), with
//! a legend; every frame has a tooltip with before, after and Δ.

use std::fmt::Write as _;
use std::io;

use heapdiff_analyzer::{FlameNode, FlameTree, Status};

use crate::diff_row::change_text;
use crate::markup::{Markup, Tag, Value, fixed};
use crate::units::{bytes, percent, signed_bytes};

/// Options of the differential flame graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffFlameOptions {
    /// Title at the top.
    pub title: String,
    /// Icicle graph (root at the top): the default, so that the widest
    /// changes, which start at the root, are in view where the image starts.
    pub inverted: bool,
    /// Image width in pixels.
    pub width: u32,
}

impl Default for DiffFlameOptions {
    fn default() -> Self {
        Self {
            title: "Differential flame graph".into(),
            inverted: true,
            width: 1200,
        }
    }
}

const FRAME_H: f64 = 16.0;
const PAD: f64 = 10.0;
const HEADER: f64 = 70.0;
const FOOTER: f64 = 24.0;
const MIN_PX: f64 = 0.3;

/// Fill colours by status (Okabe–Ito).
const GREW: (u8, u8, u8) = (0xD5, 0x5E, 0x00);
const SHRANK: (u8, u8, u8) = (0x00, 0x72, 0xB2);
const NEW: &str = "#CC79A7";
const GONE: &str = "#56B4E9";
const SAME: &str = "#D9D9D9";

/// Status of a frame, judged on its total bytes; a change within the
/// sampling noise is drawn as unchanged.
fn status(n: &FlameNode) -> Status {
    if n.noise {
        Status::Same
    } else {
        Status::of(n.total_before, n.total_after)
    }
}

/// The fill colour of every frame, by node: one rule for the SVG and the
/// HTML report's interactive graph. Strength grows with the change of the
/// frame's total, relative to the largest change beyond the noise.
#[must_use]
pub fn fills(tree: &FlameTree) -> Vec<String> {
    let max_change = tree
        .nodes
        .iter()
        .skip(1)
        .filter(|n| !n.noise)
        .map(|n| n.total_before.abs_diff(n.total_after))
        .max()
        .unwrap_or(0);
    tree.nodes.iter().map(|n| fill(n, max_change)).collect()
}

fn blend(base: (u8, u8, u8), strength: f64) -> String {
    let mix = |c: u8| {
        let v = 255.0 - (255.0 - f64::from(c)) * strength;
        #[expect(clippy::cast_possible_truncation, reason = "clamped to 0..=255 first")]
        let v = v.round().clamp(0.0, 255.0) as u8;
        v
    };
    format!("#{:02X}{:02X}{:02X}", mix(base.0), mix(base.1), mix(base.2))
}

fn fill(n: &FlameNode, max_change: u64) -> String {
    let strength = |d: u64| 0.3 + 0.7 * ((d as f64) / (max_change.max(1) as f64)).sqrt();
    let change = n.total_before.abs_diff(n.total_after);
    match status(n) {
        Status::Grew => blend(GREW, strength(change)),
        Status::Shrank => blend(SHRANK, strength(change)),
        Status::New => NEW.to_string(),
        Status::Gone => GONE.to_string(),
        Status::Same => SAME.to_string(),
    }
}

/// A frame's tooltip: its name and location, before, after, Δ and self.
fn tooltip(n: &FlameNode, root: &FlameNode) -> String {
    let delta = i128::from(n.total_after) - i128::from(n.total_before);
    let delta = i64::try_from(delta).unwrap_or(if delta > 0 { i64::MAX } else { i64::MIN });
    let mut change = change_text(
        Status::of(n.total_before, n.total_after),
        delta,
        n.total_before,
    );
    if n.noise {
        change.push_str(", within the sampling noise");
    }
    let mut t = n.name.clone();
    if !n.location.is_empty() {
        let _ = write!(t, " ({})", n.location);
    }
    let _ = write!(
        t,
        "\nbefore: {} ({} of total)\nafter: {} ({} of total)\nΔ: {} ({change})\nself: {} → {}",
        bytes(n.total_before),
        percent(n.total_before, root.total_before),
        bytes(n.total_after),
        percent(n.total_after, root.total_after),
        signed_bytes(delta),
        bytes(n.self_before),
        bytes(n.self_after),
    );
    t
}

/// Writes the differential flame graph of a union tree.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn io::Write, tree: &FlameTree, opts: &DiffFlameOptions) -> io::Result<()> {
    let Some(root) = tree.nodes.first().filter(|r| r.width > 0) else {
        return empty_svg(out, &opts.title);
    };
    let width = f64::from(opts.width.max(200));
    let depth = depths(tree);
    let (drawn, hidden) = layout(tree, width);
    // As tall as the deepest frame drawn, not the deepest frame: narrow
    // towers that are not drawn must not push the root below the fold.
    let max_depth = drawn
        .iter()
        .map(|&(i, ..)| depth[i as usize])
        .max()
        .unwrap_or(0);
    let height = HEADER + f64::from(max_depth + 1) * FRAME_H + FOOTER;
    let fills = fills(tree);

    let mut s = Markup::with_capacity(64 * 1024);
    header(&mut s, opts, width, height, root);
    for &(i, x, w) in &drawn {
        let d = f64::from(depth[i as usize]);
        let y = if opts.inverted {
            HEADER + d * FRAME_H
        } else {
            height - FOOTER - (d + 1.0) * FRAME_H
        };
        frame(
            &mut s,
            &tree.nodes[i as usize],
            root,
            (x, y, w),
            &fills[i as usize],
        );
    }
    footer(&mut s, height, hidden);
    s.raw("</svg>\n");
    s.write_to(out)
}

/// The note under the frames: how many were too narrow, what width and
/// colour mean.
fn footer(s: &mut Markup, height: f64, hidden: usize) {
    s.tag("text")
        .attr("x", PAD)
        .attr("y", fixed(height - 8.0, 1))
        .attr("font-size", 11)
        .attr("fill", "#555")
        .open()
        .text(hidden)
        .raw(" frame(s) narrower than ")
        .text(MIN_PX)
        .raw(" px not drawn. Width = max(before, after); colour = change of the frame's total beyond the sampling noise.")
        .end("text")
        .newline();
}

/// The frames wide enough to draw, in drawing order, with their x and
/// width in pixels; and how many subtrees were too narrow.
fn layout(tree: &FlameTree, width: f64) -> (Vec<(u32, f64, f64)>, usize) {
    let scale = (width - 2.0 * PAD) / tree.nodes[0].width as f64;
    let mut drawn = Vec::new();
    let mut todo: Vec<(u32, u64)> = vec![(0, 0)];
    let mut hidden = 0usize;
    while let Some((i, x_units)) = todo.pop() {
        let n = &tree.nodes[i as usize];
        let (x, w) = (PAD + x_units as f64 * scale, n.width as f64 * scale);
        if w < MIN_PX {
            hidden += 1;
            continue;
        }
        drawn.push((i, x, w));
        let mut cx = x_units;
        let mut children = Vec::with_capacity(n.children.len());
        for &c in &n.children {
            children.push((c, cx));
            cx += tree.nodes[c as usize].width;
        }
        todo.extend(children.into_iter().rev());
    }
    (drawn, hidden)
}

fn depths(tree: &FlameTree) -> Vec<u32> {
    let mut depth = vec![0u32; tree.nodes.len()];
    for (i, n) in tree.nodes.iter().enumerate().skip(1) {
        if let Some(p) = n.parent {
            depth[i] = depth[p as usize] + 1;
        }
    }
    depth
}

fn header(s: &mut Markup, opts: &DiffFlameOptions, width: f64, height: f64, root: &FlameNode) {
    s.svg_document(width, height).open().newline();
    s.raw(r##"<rect x="0" y="0" width="100%" height="100%" fill="#FFFFFF"/>"##)
        .newline();
    centred_text(s, fixed(width / 2.0, 1), 22, 16)
        .open()
        .text(&opts.title)
        .end("text")
        .newline();
    let delta =
        i64::try_from(i128::from(root.total_after) - i128::from(root.total_before)).unwrap_or(0);
    let totals = format!(
        "before {} → after {} (Δ {})",
        bytes(root.total_before),
        bytes(root.total_after),
        signed_bytes(delta)
    );
    centred_text(s, fixed(width / 2.0, 1), 40, 12)
        .attr("fill", "#333")
        .open()
        .text(&totals)
        .end("text")
        .newline();
    legend(s);
}

/// `<text x y font-size text-anchor="middle"`, to be ended by the caller.
fn centred_text(s: &mut Markup, x: impl Value, y: u32, font_size: u32) -> Tag<'_> {
    s.tag("text")
        .attr("x", x)
        .attr("y", y)
        .attr("font-size", font_size)
        .attr("text-anchor", "middle")
}

/// One swatch and word per status, in a row under the title.
fn legend(s: &mut Markup) {
    let legend = [
        (blend(GREW, 1.0), "grew"),
        (NEW.to_string(), "new"),
        (blend(SHRANK, 1.0), "shrank"),
        (GONE.to_string(), "gone"),
        (SAME.to_string(), "unchanged"),
    ];
    let mut x = PAD;
    for (color, label) in legend {
        s.tag("rect")
            .attr("x", fixed(x, 1))
            .attr("y", 50)
            .attr("width", 12)
            .attr("height", 12)
            .attr("fill", &color)
            .attr("stroke", "#333")
            .attr("stroke-width", "0.5")
            .close();
        s.tag("text")
            .attr("x", fixed(x + 16.0, 1))
            .attr("y", 60)
            .attr("font-size", 11)
            .open()
            .text(label)
            .end("text")
            .newline();
        x += 90.0;
    }
}

fn frame(s: &mut Markup, n: &FlameNode, root: &FlameNode, (x, y, w): (f64, f64, f64), fill: &str) {
    s.tag("g").attr("class", "frame").open();
    s.element("title", tooltip(n, root));
    let rect = s
        .tag("rect")
        .attr("x", fixed(x, 1))
        .attr("y", fixed(y, 1))
        .attr("width", fixed(w, 1))
        .attr("height", fixed(FRAME_H - 1.0, 1))
        .attr("fill", fill);
    let rect = if status(n) == Status::Gone {
        rect.attr("stroke", "#0072B2")
            .attr("stroke-dasharray", "3,2")
            .attr("stroke-width", "1")
    } else {
        rect.attr("stroke", "#FFFFFF").attr("stroke-width", "0.5")
    };
    rect.attr("rx", "2").close();
    // About 6.5 px per character at 11 px.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a width in pixels; float casts saturate"
    )]
    let fits = ((w - 6.0) / 6.5).max(0.0) as usize;
    if fits >= 3 {
        s.tag("text")
            .attr("x", fixed(x + 3.0, 1))
            .attr("y", fixed(y + 11.5, 1))
            .attr("font-size", 11)
            .open()
            .text(truncate(&n.name, fits))
            .end("text");
    }
    s.end("g").newline();
}

fn truncate(name: &str, chars: usize) -> String {
    if name.chars().count() <= chars {
        return name.to_string();
    }
    let mut t: String = name.chars().take(chars.saturating_sub(2)).collect();
    t.push_str("..");
    t
}

/// An image that says there is nothing to draw.
///
/// # Errors
/// When writing fails.
pub fn empty_svg(out: &mut dyn io::Write, title: &str) -> io::Result<()> {
    let mut s = Markup::new();
    s.svg_document(1200.0, 60.0).open().newline();
    centred_text(&mut s, 600, 22, 16)
        .open()
        .text(title)
        .end("text")
        .newline();
    centred_text(&mut s, 600, 44, 12)
        .open()
        .raw("no allocations to draw (the profile total is 0)")
        .end("text")
        .newline();
    s.raw("</svg>\n");
    s.write_to(out)
}
