//! Allocation timeline outputs: DevTools' Allocation view as a table (with
//! who keeps the allocations alive), per-interval live bytes as a table,
//! and the interval chart as SVG.

use std::fmt::Write as _;
use std::io;

use heapdiff_analyzer::timeline::{AllocationReport, AllocationRow, Intervals, KeptClass};
use serde::Serialize;

use crate::escape::{terminal as term, xml};
use crate::table::{location, new_table, write_table};
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
    let mut t = new_table(
        &[
            "Live Count",
            "Count",
            "Live Size",
            "Size",
            "Function",
            "Location",
        ],
        &[0, 1, 2, 3],
    );
    for row in &r.rows {
        t.add_row(vec![
            row.live_count.to_string(),
            row.count.to_string(),
            bytes(row.live_size),
            bytes(row.size),
            term(&row.name),
            term(&location(&row.url, row.line, row.column)),
        ]);
    }
    write_table(out, &t)?;
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
        writeln!(
            out,
            "\n{} ({}) allocated {} still alive:",
            term(&row.name),
            term(&location(&row.url, row.line, row.column)),
            bytes(row.live_size)
        )?;
        for c in classes {
            let path = c
                .retainer_path
                .iter()
                .map(|s| {
                    if s.edge.is_empty() {
                        format!("{} @{}", s.class, s.id)
                    } else {
                        format!("{} {} @{}", s.edge, s.class, s.id)
                    }
                })
                .collect::<Vec<_>>()
                .join(" → ");
            writeln!(
                out,
                "  {} × {} ({}), kept by: {}",
                c.count,
                term(&c.class),
                bytes(c.size),
                term(&path)
            )?;
        }
    }
    Ok(())
}

/// Live bytes per interval.
///
/// # Errors
/// When writing fails.
pub fn intervals_table(out: &mut dyn io::Write, iv: &Intervals) -> io::Result<()> {
    let mut t = new_table(
        &["Time (s)", "Last id", "Live bytes allocated", "Cumulative"],
        &[0, 1, 2, 3],
    );
    let mut total = 0u64;
    for i in 0..iv.sizes.len() {
        total += iv.sizes[i];
        t.add_row(vec![
            format!("{:.3}", iv.timestamps_ms[i] / 1000.0),
            iv.last_ids[i].to_string(),
            bytes(iv.sizes[i]),
            bytes(total),
        ]);
    }
    write_table(out, &t)?;
    writeln!(
        out,
        "\ninterval 0 holds what was alive before recording started; each later row what was allocated since the previous one and is still alive"
    )
}

/// The interval chart: one bar per interval at its time, heights in bytes,
/// axes labelled in seconds and bytes. Interval 0 (everything before the
/// recording) is left out, as DevTools does.
///
/// # Errors
/// When writing fails.
pub fn chart_svg(out: &mut dyn io::Write, iv: &Intervals, title: &str) -> io::Result<()> {
    let (w, h, left, right, top, bottom) = (960.0_f64, 360.0_f64, 80.0, 20.0, 40.0, 50.0);
    let total_ms = iv.timestamps_ms.last().copied().unwrap_or(0.0).max(1.0);
    let max = iv.sizes.iter().skip(1).copied().max().unwrap_or(0).max(1);
    let y_of = |b: u64| top + (h - top - bottom) * (1.0 - b as f64 / max as f64);
    let x_of = |ms: f64| left + (w - left - right) * (ms / total_ms);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Verdana, sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#FFFFFF"/>
<text x="{}" y="22" font-size="14" text-anchor="middle">{}</text>"##,
        w / 2.0,
        xml(title)
    );
    // Axes and ticks.
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#333"/>"##,
        h - bottom,
        w - right,
        h - bottom
    );
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="#333"/>"##,
        h - bottom
    );
    for k in 0..=4 {
        let ms = total_ms * f64::from(k) / 4.0;
        let x = x_of(ms);
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{:.2} s</text>"#,
            h - bottom + 16.0,
            ms / 1000.0
        );
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most `max`; float casts saturate"
        )]
        let b = (max as f64 * f64::from(k) / 4.0) as u64;
        let y = y_of(b);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 4.0,
            bytes(b)
        );
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#EEE"/>"##,
            w - right
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">time since recording started</text>"#,
        (left + w - right) / 2.0,
        h - 10.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">live bytes allocated in the interval</text>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0
    );
    let bar = ((w - left - right) / (iv.sizes.len().max(2) as f64)).clamp(1.0, 12.0);
    for i in 1..iv.sizes.len() {
        let x = x_of(iv.timestamps_ms[i]) - bar / 2.0;
        let y = y_of(iv.sizes[i]);
        let _ = writeln!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{:.1}" fill="#0072B2"><title>{:.3} s: {} (ids up to {})</title></rect>"##,
            (h - bottom - y).max(0.0),
            iv.timestamps_ms[i] / 1000.0,
            bytes(iv.sizes[i]),
            iv.last_ids[i]
        );
    }
    s.push_str("</svg>\n");
    out.write_all(s.as_bytes())
}
