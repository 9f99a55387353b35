//! Markdown tables (GitHub / GitLab flavour). Every profile string is
//! escaped so that it renders as text.

use std::io;

use heapdiff_analyzer::{DiffReport, Function, GroupBy, TopReport, TreeReport};

use crate::diff_row::{change_text, status_text};
use crate::escape::markdown as md;
use crate::units::{bytes, percent, signed_bytes};

pub(crate) fn location(by: GroupBy, f: &Function, stack: &[String]) -> String {
    match by {
        GroupBy::Stack => stack
            .iter()
            .map(|f| md(f))
            .collect::<Vec<_>>()
            .join(" &gt; "),
        GroupBy::Function => md(&crate::table::function_location(f)),
        GroupBy::Script | GroupBy::Package => String::new(),
    }
}

/// A table's header line and alignment line: the first `right` columns
/// right-aligned, the others left.
pub(crate) fn header(columns: &[&str], right: usize) -> String {
    let align: Vec<&str> = (0..columns.len())
        .map(|i| if i < right { "---:" } else { "---" })
        .collect();
    format!("| {} |\n|{}|", columns.join(" | "), align.join("|"))
}

/// A table row of cells already escaped.
pub(crate) fn row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// `heapdiff top --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn top(out: &mut dyn io::Write, r: &TopReport) -> io::Result<()> {
    writeln!(out, "| Self | Self % | Total | Total % | Name | Location |")?;
    writeln!(out, "|---:|---:|---:|---:|---|---|")?;
    for row in &r.rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            bytes(row.self_bytes),
            percent(row.self_bytes, r.totals.total),
            bytes(row.total),
            percent(row.total, r.totals.total),
            md(&row.function.name),
            location(r.by, &row.function, &row.stack)
        )?;
    }
    writeln!(
        out,
        "\nTotal: {} in {} samples.",
        bytes(r.totals.total),
        r.totals.samples
    )
}

/// `heapdiff tree --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn tree(out: &mut dyn io::Write, r: &TreeReport) -> io::Result<()> {
    writeln!(out, "| Self | Total | Total % | Function | Location |")?;
    writeln!(out, "|---:|---:|---:|---|---|")?;
    for row in &r.rows {
        writeln!(
            out,
            "| {} | {} | {} | {}{} | {} |",
            bytes(row.self_bytes),
            bytes(row.total),
            percent(row.total, r.totals.total),
            "&nbsp;&nbsp;".repeat(row.depth.min(200) as usize),
            md(&row.function.name),
            location(GroupBy::Function, &row.function, &[])
        )?;
    }
    writeln!(out, "\nTotal: {}.", bytes(r.totals.total))
}

/// A diff as a Markdown table with totals and the semantics line.
///
/// # Errors
/// When writing fails.
pub fn diff(out: &mut dyn io::Write, r: &DiffReport) -> io::Result<()> {
    if let Some(growth) = &r.live_growth {
        crate::live_growth::markdown(out, growth)?;
    }
    writeln!(
        out,
        "| Before | After | Δ | Δ % | Status | Name | Location |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---|---|---|")?;
    for row in &r.rows {
        let pct = change_text(row.status, row.delta, row.before);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            bytes(row.before),
            bytes(row.after),
            signed_bytes(row.delta),
            pct,
            status_text(row),
            md(&row.function.name),
            location(r.by, &row.function, &row.stack)
        )?;
    }
    let t = &r.totals;
    writeln!(
        out,
        "\nTotal: {} → {} ({}). {} rows, {} new, {} gone.\n\n_{}_",
        bytes(t.before),
        bytes(t.after),
        signed_bytes(t.delta),
        t.rows,
        t.new_rows,
        t.gone_rows,
        crate::table::semantics_line(r)
    )
}
