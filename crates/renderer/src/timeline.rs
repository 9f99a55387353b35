//! Allocation timeline outputs: DevTools' Allocation view as a table or
//! Markdown (with who keeps the allocations alive), per-interval live bytes
//! as a table or Markdown, and the interval chart as SVG.

use std::io;

use heapdiff_analyzer::timeline::{AllocationReport, AllocationRow, Intervals, KeptClass};
use serde::Serialize;

use crate::escape::{markdown as md, terminal as term};
use crate::markdown;
use crate::markup::{Markup, Value, fixed};
use crate::snapshot::{ListStyle, MARKDOWN, TERMINAL, path_text};
use crate::table::{function_location, new_table, write_table};
use crate::units::bytes;

/// JSON of `top` on a timeline.
#[derive(Serialize)]
pub struct AllocationJson<'a> {
    /// The Allocation view.
    #[serde(flatten)]
    pub report: &'a AllocationReport,
    /// For the functions with the most live bytes: the classes they
    /// allocated and what keeps them alive.
    #[serde(skip_serializing_if = "<[_]>::is_empty", serialize_with = "kept_json")]
    pub kept: &'a [(AllocationRow, Vec<KeptClass>)],
}

fn kept_json<S: serde::Serializer>(
    kept: &&[(AllocationRow, Vec<KeptClass>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Entry<'a> {
        function: &'a AllocationRow,
        classes: &'a [KeptClass],
    }
    let entries: Vec<Entry<'_>> = kept
        .iter()
        .map(|(f, c)| Entry {
            function: f,
            classes: c,
        })
        .collect();
    entries.serialize(s)
}

/// JSON of `timeline`.
#[derive(Serialize)]
pub struct IntervalsJson<'a> {
    /// Always 1.
    #[serde(serialize_with = "one")]
    pub intervals: &'a Intervals,
}

fn one<S: serde::Serializer>(iv: &&Intervals, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Out<'a> {
        schema_version: u32,
        kind: &'static str,
        #[serde(flatten)]
        intervals: &'a Intervals,
    }
    Out {
        schema_version: 1,
        kind: "timeline",
        intervals: iv,
    }
    .serialize(s)
}

/// DevTools' Allocation view: live and total count and size per function.
///
/// # Errors
/// When writing fails.
pub fn allocation_table(
    out: &mut dyn io::Write,
    r: &AllocationReport,
    kept: &[(AllocationRow, Vec<KeptClass>)],
) -> io::Result<()> {
    let mut t = new_table(&ALLOCATION_COLUMNS, &[0, 1, 2, 3]);
    for row in &r.rows {
        t.add_row(allocation_cells(row, term));
    }
    write_table(out, &t)?;
    after_the_table(out, r, kept, TERMINAL)
}

/// The Allocation view's columns; the first four are numbers.
const ALLOCATION_COLUMNS: [&str; 6] = [
    "Live Size",
    "Live Count",
    "Size",
    "Count",
    "Function",
    "Location",
];

/// One row of the Allocation view, its text escaped by `esc`.
fn allocation_cells(row: &AllocationRow, esc: fn(&str) -> String) -> Vec<String> {
    vec![
        bytes(row.live_size),
        row.live_count.to_string(),
        bytes(row.size),
        row.count.to_string(),
        esc(&row.function.name),
        esc(&function_location(&row.function)),
    ]
}

/// DevTools' Allocation view in Markdown: the table, then for each
/// function of `kept` the classes it allocated that are still alive and
/// what keeps them.
///
/// # Errors
/// When writing fails.
pub fn allocation_markdown(
    out: &mut dyn io::Write,
    r: &AllocationReport,
    kept: &[(AllocationRow, Vec<KeptClass>)],
) -> io::Result<()> {
    writeln!(out, "{}", markdown::header(&ALLOCATION_COLUMNS, 4))?;
    for row in &r.rows {
        writeln!(out, "{}", markdown::row(&allocation_cells(row, md)))?;
    }
    after_the_table(out, r, kept, MARKDOWN)
}

/// What follows the Allocation view's table: how many of the functions it
/// shows, and the sections of `--retainers`.
fn after_the_table(
    out: &mut dyn io::Write,
    r: &AllocationReport,
    kept: &[(AllocationRow, Vec<KeptClass>)],
    style: ListStyle,
) -> io::Result<()> {
    let esc = style.esc;
    if r.rows.len() < r.total_rows {
        writeln!(
            out,
            "\nshowing {} of {} functions",
            r.rows.len(),
            r.total_rows
        )?;
    }
    for (row, classes) in kept {
        if classes.is_empty() {
            continue;
        }
        let heading = format!(
            "{} allocated {} still alive",
            kept_heading(row),
            bytes(row.live_size)
        );
        writeln!(out, "\n{}", style.heading(&esc(&heading)))?;
        for c in classes {
            writeln!(
                out,
                "{}{} × {} ({}), kept by: {}",
                style.bullet,
                c.count,
                esc(&c.class),
                bytes(c.size),
                esc(&path_text(&c.retainer_path))
            )?;
        }
    }
    Ok(())
}

/// A function of `--retainers` as its heading names it: with its place in
/// parentheses, or alone for one without a script (a built-in constructor
/// such as `Set`).
fn kept_heading(row: &AllocationRow) -> String {
    let place = function_location(&row.function);
    if place.is_empty() {
        row.function.name.clone()
    } else {
        format!("{} ({place})", row.function.name)
    }
}

/// Live bytes per interval.
///
/// # Errors
/// When writing fails.
pub fn intervals_table(out: &mut dyn io::Write, iv: &Intervals) -> io::Result<()> {
    let mut t = new_table(&INTERVAL_COLUMNS, &[0, 1, 2, 3]);
    for cells in interval_rows(iv) {
        t.add_row(cells);
    }
    write_table(out, &t)?;
    writeln!(out, "\n{INTERVALS_NOTE}")
}

/// The intervals' columns, all numbers.
const INTERVAL_COLUMNS: [&str; 4] = ["Time (s)", "Last id", "Live bytes allocated", "Cumulative"];

/// One row per interval: its time in seconds, last id, live bytes and the
/// running total.
fn interval_rows(iv: &Intervals) -> Vec<Vec<String>> {
    let mut total = 0u64;
    (0..iv.sizes.len())
        .map(|i| {
            total += iv.sizes[i];
            vec![
                format!("{:.3}", iv.timestamps_ms[i] / 1000.0),
                iv.last_ids[i].to_string(),
                bytes(iv.sizes[i]),
                bytes(total),
            ]
        })
        .collect()
}

/// What the interval rows mean, under the table.
const INTERVALS_NOTE: &str = "interval 0 holds what was alive before recording started; each later row what was allocated since the previous one and is still alive";

/// Live bytes per interval, as a Markdown table.
///
/// # Errors
/// When writing fails.
pub fn intervals_markdown(out: &mut dyn io::Write, iv: &Intervals) -> io::Result<()> {
    writeln!(out, "{}", markdown::header(&INTERVAL_COLUMNS, 4))?;
    for cells in interval_rows(iv) {
        writeln!(out, "{}", markdown::row(&cells))?;
    }
    let mut note = INTERVALS_NOTE.to_string();
    if let Some(first) = note.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    writeln!(out, "\n{note}.")
}

/// The interval chart: one bar per interval at its time, heights in bytes,
/// axes labelled in seconds and bytes. Interval 0 (everything before the
/// recording) is left out, as DevTools does.
///
/// # Errors
/// When writing fails.
pub fn chart_svg(out: &mut dyn io::Write, iv: &Intervals, title: &str) -> io::Result<()> {
    let chart = Chart::of(iv);
    let mut s = Markup::new();
    s.svg_document(chart.w, chart.h)
        .attr("font-size", 11)
        .open()
        .newline();
    s.raw(r##"<rect width="100%" height="100%" fill="#FFFFFF"/>"##)
        .newline();
    s.tag("text")
        .attr("x", chart.w / 2.0)
        .attr("y", 22)
        .attr("font-size", 14)
        .attr("text-anchor", "middle")
        .open()
        .text(title)
        .end("text")
        .newline();
    chart.axes(&mut s);
    chart.bars(&mut s, iv);
    s.raw("</svg>\n");
    s.write_to(out)
}

/// The interval chart's frame: its size, margins and scales.
struct Chart {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    total_ms: f64,
    max: u64,
}

impl Chart {
    fn of(iv: &Intervals) -> Self {
        Chart {
            w: 960.0,
            h: 360.0,
            left: 80.0,
            right: 20.0,
            top: 40.0,
            bottom: 50.0,
            total_ms: iv.timestamps_ms.last().copied().unwrap_or(0.0).max(1.0),
            max: iv.sizes.iter().skip(1).copied().max().unwrap_or(0).max(1),
        }
    }

    fn y_of(&self, b: u64) -> f64 {
        self.top + (self.h - self.top - self.bottom) * (1.0 - b as f64 / self.max as f64)
    }

    fn x_of(&self, ms: f64) -> f64 {
        self.left + (self.w - self.left - self.right) * (ms / self.total_ms)
    }

    /// The two axes, four ticks on each with their grid lines, and the
    /// axis titles.
    fn axes(&self, s: &mut Markup) {
        let (w, h, left, right, top, bottom) =
            (self.w, self.h, self.left, self.right, self.top, self.bottom);
        line(s, (left, h - bottom), (w - right, h - bottom), "#333");
        line(s, (left, top), (left, h - bottom), "#333");
        for k in 0..=4 {
            let ms = self.total_ms * f64::from(k) / 4.0;
            s.tag("text")
                .attr("x", fixed(self.x_of(ms), 1))
                .attr("y", fixed(h - bottom + 16.0, 1))
                .attr("text-anchor", "middle")
                .open()
                .text(fixed(ms / 1000.0, 2))
                .raw(" s")
                .end("text")
                .newline();
            #[expect(
                clippy::cast_possible_truncation,
                reason = "at most `max`; float casts saturate"
            )]
            let b = (self.max as f64 * f64::from(k) / 4.0) as u64;
            let y = self.y_of(b);
            s.tag("text")
                .attr("x", fixed(left - 6.0, 1))
                .attr("y", fixed(y + 4.0, 1))
                .attr("text-anchor", "end")
                .open()
                .text(bytes(b))
                .end("text")
                .newline();
            line(s, (left, fixed(y, 1)), (w - right, fixed(y, 1)), "#EEE");
        }
        s.tag("text")
            .attr("x", (left + w - right) / 2.0)
            .attr("y", h - 10.0)
            .attr("text-anchor", "middle")
            .open()
            .raw("time since recording started")
            .end("text")
            .newline();
        let middle = (top + h - bottom) / 2.0;
        s.tag("text")
            .attr("x", 16)
            .attr("y", middle)
            .attr("transform", format!("rotate(-90 16 {middle})"))
            .attr("text-anchor", "middle")
            .open()
            .raw("live bytes allocated in the interval")
            .end("text")
            .newline();
    }

    /// One bar per interval but the first, with a tooltip.
    fn bars(&self, s: &mut Markup, iv: &Intervals) {
        let bar =
            ((self.w - self.left - self.right) / (iv.sizes.len().max(2) as f64)).clamp(1.0, 12.0);
        for i in 1..iv.sizes.len() {
            let x = self.x_of(iv.timestamps_ms[i]) - bar / 2.0;
            let y = self.y_of(iv.sizes[i]);
            let tip = format!(
                "{:.3} s: {} (ids up to {})",
                iv.timestamps_ms[i] / 1000.0,
                bytes(iv.sizes[i]),
                iv.last_ids[i]
            );
            s.tag("rect")
                .attr("x", fixed(x, 1))
                .attr("y", fixed(y, 1))
                .attr("width", fixed(bar, 1))
                .attr("height", fixed((self.h - self.bottom - y).max(0.0), 1))
                .attr("fill", "#0072B2")
                .open()
                .element("title", tip)
                .end("rect")
                .newline();
        }
    }
}

/// A line from `a` to `b`.
fn line(s: &mut Markup, a: (f64, impl Value), b: (f64, impl Value), stroke: &str) {
    s.tag("line")
        .attr("x1", a.0)
        .attr("y1", a.1)
        .attr("x2", b.0)
        .attr("y2", b.1)
        .attr("stroke", stroke)
        .close()
        .newline();
}

#[cfg(test)]
mod tests {
    use heapdiff_analyzer::Function;
    use heapdiff_analyzer::timeline::{AllocationReport, AllocationRow, KeptClass};

    use super::allocation_table;

    fn row(name: &str, url: &str, line: Option<u32>) -> AllocationRow {
        AllocationRow {
            function: Function {
                name: name.into(),
                url: url.into(),
                line,
                column: line,
                generated: None,
            },
            count: 3,
            size: 300,
            live_count: 2,
            live_size: 200,
        }
    }

    #[test]
    fn a_kept_function_without_a_script_is_named_without_an_empty_place() {
        let rows = vec![row("Set", "", None), row("addUnit", "/app/a.js", Some(4))];
        let report = AllocationReport {
            schema_version: 1,
            kind: "allocation",
            rows: rows.clone(),
            total_rows: 2,
        };
        let class = KeptClass {
            class: "Set".into(),
            count: 2,
            size: 200,
            retainer_path: Vec::new(),
        };
        let kept: Vec<_> = rows.into_iter().map(|r| (r, vec![class.clone()])).collect();
        let mut out = Vec::new();
        allocation_table(&mut out, &report, &kept).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\nSet allocated 200 B still alive:\n"),
            "{text}"
        );
        assert!(
            text.contains("\naddUnit (/app/a.js:4:4) allocated 200 B still alive:\n"),
            "{text}"
        );
    }
}
