//! Terminal tables (comfy-table). Column widths never depend on the
//! terminal, so the same report always gives the same bytes.

use std::io;

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Row, Table, presets};
use heapdiff_analyzer::{
    BottomUpNode, BottomUpReport, DiffReport, DiffRow, GroupBy, Status, TopReport, TopTotals,
    TreeReport,
};

use crate::TextOptions;
use crate::escape::terminal as term;
use crate::units::{bytes, delta_percent, percent, signed_bytes};

/// A borderless table with the given header; the `right` columns (numbers)
/// are right-aligned. Widths never depend on the terminal.
pub(crate) fn new_table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(|h| Cell::new(*h)));
    for &c in right {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// Writes a table without trailing spaces.
pub(crate) fn write_table(out: &mut dyn io::Write, t: &Table) -> io::Result<()> {
    for line in t.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `url:line:column` from a report row's 1-based position, as DevTools
/// displays it; the URL alone when the position is unknown.
pub(crate) fn location(url: &str, line: Option<u32>, column: Option<u32>) -> String {
    match (url.is_empty(), line, column) {
        (true, _, _) => String::new(),
        (false, Some(l), Some(c)) => format!("{url}:{l}:{c}"),
        (false, Some(l), None) => format!("{url}:{l}"),
        (false, None, _) => url.to_string(),
    }
}

/// The text of a row's location column (or its stack for `--by stack`).
fn where_column(
    by: GroupBy,
    url: &str,
    line: Option<u32>,
    column: Option<u32>,
    stack: &[String],
) -> String {
    match by {
        GroupBy::Stack => stack.join(" > "),
        GroupBy::Function => location(url, line, column),
        GroupBy::Script | GroupBy::Package => String::new(),
    }
}

fn row_label(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Function => "Function",
        GroupBy::Stack => "Allocation site",
        GroupBy::Script => "Script",
        GroupBy::Package => "Package",
    }
}

fn footer(out: &mut dyn io::Write, t: &TopTotals, shown: usize) -> io::Result<()> {
    write!(out, "\ntotal {}", bytes(t.total))?;
    if t.samples > 0 {
        write!(out, " in {} samples", t.samples)?;
    }
    if t.unattributed > 0 {
        write!(
            out,
            "; {} in samples whose node is missing from the tree (not included)",
            bytes(t.unattributed)
        )?;
    }
    if shown < t.rows {
        write!(out, "; showing {shown} of {} rows", t.rows)?;
    }
    writeln!(out)
}

/// `heapdiff top` as a table.
///
/// # Errors
/// When writing fails.
pub fn top(out: &mut dyn io::Write, r: &TopReport, _opts: TextOptions) -> io::Result<()> {
    let place = if r.by == GroupBy::Stack {
        "Stack"
    } else {
        "Location"
    };
    let mut t = new_table(
        &["Self", "Self %", "Total", "Total %", row_label(r.by), place],
        &[0, 1, 2, 3],
    );
    let total = r.totals.total;
    for row in &r.rows {
        t.add_row(vec![
            bytes(row.self_bytes),
            percent(row.self_bytes, total),
            bytes(row.total),
            percent(row.total, total),
            term(&row.name),
            term(&where_column(
                r.by, &row.url, row.line, row.column, &row.stack,
            )),
        ]);
    }
    write_table(out, &t)?;
    footer(out, &r.totals, r.rows.len())
}

/// `heapdiff tree` as an indented table.
///
/// # Errors
/// When writing fails.
pub fn tree(out: &mut dyn io::Write, r: &TreeReport, _opts: TextOptions) -> io::Result<()> {
    let mut t = new_table(
        &["Self", "Total", "Total %", "Function", "Location"],
        &[0, 1, 2],
    );
    let total = r.totals.total;
    for row in &r.rows {
        let indent = "  ".repeat(row.depth.min(200) as usize);
        t.add_row(vec![
            bytes(row.self_bytes),
            bytes(row.total),
            percent(row.total, total),
            format!("{indent}{}", term(&row.name)),
            term(&where_column(
                GroupBy::Function,
                &row.url,
                row.line,
                row.column,
                &[],
            )),
        ]);
    }
    write_table(out, &t)?;
    footer(out, &r.totals, r.rows.len())
}

/// `heapdiff tree --bottom-up` as an indented table of callers.
///
/// # Errors
/// When writing fails.
pub fn bottom_up(
    out: &mut dyn io::Write,
    r: &BottomUpReport,
    _opts: TextOptions,
) -> io::Result<()> {
    let mut t = new_table(
        &[
            "Self",
            "Total",
            "Total %",
            "Function (callers below)",
            "Location",
        ],
        &[0, 1, 2],
    );
    let total = r.totals.total;
    let mut todo: Vec<(&BottomUpNode, usize)> = r.rows.iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, depth)) = todo.pop() {
        t.add_row(vec![
            bytes(n.self_bytes),
            bytes(n.total),
            percent(n.total, total),
            format!("{}{}", "  ".repeat(depth.min(200)), term(&n.name)),
            term(&where_column(
                GroupBy::Function,
                &n.url,
                n.line,
                n.column,
                &[],
            )),
        ]);
        todo.extend(n.callers.iter().rev().map(|c| (c, depth + 1)));
    }
    write_table(out, &t)?;
    footer(out, &r.totals, r.rows.len())
}

/// The status word of a row: `noise` for growth or shrinkage within the
/// sampling error; `new` and `gone` always say so.
#[must_use]
pub fn status_text(row: &DiffRow) -> &'static str {
    if row.noise && matches!(row.status, Status::Grew | Status::Shrank) {
        "noise"
    } else {
        row.status.as_str()
    }
}

fn status_cell(row: &DiffRow, color: bool) -> Cell {
    let cell = Cell::new(status_text(row));
    if !color || row.noise {
        return cell;
    }
    match row.status {
        Status::Grew | Status::New => cell.fg(Color::Red),
        Status::Shrank | Status::Gone => cell.fg(Color::Blue),
        Status::Same => cell,
    }
}

/// A diff as a table, with the semantics line and totals.
///
/// # Errors
/// When writing fails.
pub fn diff(out: &mut dyn io::Write, r: &DiffReport, opts: TextOptions) -> io::Result<()> {
    let place = if r.by == GroupBy::Stack {
        "Stack"
    } else {
        "Location"
    };
    let mut t = new_table(
        &[
            "Before",
            "After",
            "Δ",
            "Δ %",
            "Status",
            row_label(r.by),
            place,
        ],
        &[0, 1, 2, 3],
    );
    for row in &r.rows {
        let pct = match row.status {
            Status::New => "new".to_string(),
            Status::Gone => "gone".to_string(),
            Status::Same => "0%".to_string(),
            _ => delta_percent(row.delta, row.before).unwrap_or_default(),
        };
        t.add_row(Row::from(vec![
            Cell::new(bytes(row.before)),
            Cell::new(bytes(row.after)),
            Cell::new(signed_bytes(row.delta)),
            Cell::new(pct),
            status_cell(row, opts.color),
            Cell::new(term(&row.name)),
            Cell::new(term(&where_column(
                r.by, &row.url, row.line, row.column, &row.stack,
            ))),
        ]));
    }
    write_table(out, &t)?;
    let tot = &r.totals;
    writeln!(out)?;
    writeln!(
        out,
        "total {} -> {} ({}{}); {} rows, {} new, {} gone{}",
        bytes(tot.before),
        bytes(tot.after),
        signed_bytes(tot.delta),
        delta_percent(tot.delta, tot.before)
            .map(|p| format!(", {p}"))
            .unwrap_or_default(),
        tot.rows,
        tot.new_rows,
        tot.gone_rows,
        if r.rows.len() < tot.rows {
            format!(", showing {}", r.rows.len())
        } else {
            String::new()
        },
    )?;
    writeln!(out, "{}", semantics_line(r))
}

/// One line that says how to read the numbers (README, "Diff semantics": shown in every
/// output).
#[must_use]
pub fn semantics_line(r: &DiffReport) -> String {
    let scale = match r.normalize {
        heapdiff_analyzer::Normalize::None => "absolute bytes",
        heapdiff_analyzer::Normalize::Total => "before scaled to the after total",
        heapdiff_analyzer::Normalize::Interval => {
            "V8's per-interval byte estimates, noise per profile interval"
        }
    };
    let noise = match (r.totals.interval_before, r.totals.interval_after) {
        (Some(0), Some(0)) => "exact bytes, no sampling noise".to_string(),
        (Some(a), Some(b)) => format!(
            "noise = |Δ| within 2 sampling errors (interval {} / {})",
            bytes(a),
            bytes(b)
        ),
        _ => "no samples, so no noise estimate".to_string(),
    };
    format!("self bytes, {scale}; Δ % is of the row's own before; {noise}")
}
