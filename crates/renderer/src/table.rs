//! Terminal tables (comfy-table). Written to a file or a pipe, column widths
//! never depend on the terminal, so the same report always gives the same
//! bytes; on a terminal of known width the long text columns are cut in the
//! middle to fit (`fit.rs`), and stacks read leaf first.

use std::io;

use comfy_table::{
    Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Row, Table, Width, presets,
};
use heapdiff_analyzer::{
    BottomUpNode, BottomUpReport, DiffReport, DiffRow, Function, GroupBy, Status, TopReport,
    TopTotals, TreeReport,
};

use crate::TextOptions;
use crate::diff_row::{change_text, noise_words, status_text};
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

/// A table of `rows` under `header`, its `elastic` columns first cut to the
/// terminal's width when there is one; `cell` makes each cell (colours).
pub(crate) fn fitted_table(
    header: &[&str],
    right: &[usize],
    mut rows: Vec<Vec<String>>,
    elastic: &[usize],
    opts: TextOptions,
    cell: impl Fn(usize, usize, String) -> Cell,
) -> Table {
    if let Some(width) = opts.width {
        crate::fit::fit_rows(&mut rows, header, width, elastic);
    }
    let mut t = new_table(header, right);
    for (r, row) in rows.into_iter().enumerate() {
        t.add_row(Row::from(
            row.into_iter()
                .enumerate()
                .map(|(c, text)| cell(r, c, text))
                .collect::<Vec<_>>(),
        ));
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

/// Rows laid out in one table without holding them all: a table of rows
/// can take kilobytes per row, and a tree can have millions. A first pass
/// finds every column's width chunk by chunk, a second writes the chunks
/// with those widths fixed, so the bytes are those of one table.
fn write_long_table(
    out: &mut dyn io::Write,
    header: &[&str],
    right: &[usize],
    n_rows: usize,
    row: &dyn Fn(usize) -> Vec<String>,
) -> io::Result<()> {
    const CHUNK: usize = 4096;
    let chunk = |start: usize| {
        let mut t = new_table(header, right);
        for i in start..(start + CHUNK).min(n_rows) {
            t.add_row(row(i));
        }
        t
    };
    let mut widths = vec![0u16; header.len()];
    for start in (0..n_rows.max(1)).step_by(CHUNK) {
        for (w, c) in widths
            .iter_mut()
            .zip(chunk(start).column_max_content_widths())
        {
            *w = (*w).max(c);
        }
    }
    for start in (0..n_rows.max(1)).step_by(CHUNK) {
        let mut t = chunk(start);
        // Content width plus the padding of one space on each side.
        t.set_constraints(
            widths
                .iter()
                .map(|&w| ColumnConstraint::Absolute(Width::Fixed(w.saturating_add(2)))),
        );
        // Every chunk has the header; it is written once.
        for line in t.lines().skip(usize::from(start > 0)) {
            writeln!(out, "{}", line.trim_end())?;
        }
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

/// A function's `url:line:column`, as [`location`] writes it.
pub(crate) fn function_location(f: &Function) -> String {
    location(&f.url, f.line, f.column)
}

/// A row's location cell, escaped for the terminal (its stack for
/// `--by stack`: root first, or leaf first on a terminal, where the middle
/// may be cut).
pub(crate) fn place_cell(by: GroupBy, f: &Function, stack: &[String], opts: TextOptions) -> String {
    let text = match by {
        GroupBy::Stack if opts.width.is_some() => stack
            .iter()
            .rev()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" < "),
        GroupBy::Stack => stack.join(" > "),
        GroupBy::Function => function_location(f),
        GroupBy::Script | GroupBy::Package => String::new(),
    };
    term(&text)
}

/// The header of the location column (the stack's, for `--by stack`).
pub(crate) fn place_header(by: GroupBy) -> &'static str {
    if by == GroupBy::Stack {
        "Stack"
    } else {
        "Location"
    }
}

pub(crate) fn row_label(by: GroupBy) -> &'static str {
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
pub fn top(out: &mut dyn io::Write, r: &TopReport, opts: TextOptions) -> io::Result<()> {
    let total = r.totals.total;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                bytes(row.self_bytes),
                percent(row.self_bytes, total),
                bytes(row.total),
                percent(row.total, total),
                term(&row.function.name),
                place_cell(r.by, &row.function, &row.stack, opts),
            ]
        })
        .collect();
    let t = fitted_table(
        &[
            "Self",
            "Self %",
            "Total",
            "Total %",
            row_label(r.by),
            place_header(r.by),
        ],
        &[0, 1, 2, 3],
        rows,
        &[4, 5],
        opts,
        |_, _, text| Cell::new(text),
    );
    write_table(out, &t)?;
    footer(out, &r.totals, r.rows.len())
}

/// `heapdiff tree` as an indented table.
///
/// # Errors
/// When writing fails.
pub fn tree(out: &mut dyn io::Write, r: &TreeReport, opts: TextOptions) -> io::Result<()> {
    let total = r.totals.total;
    let row = |i: usize| {
        let row = &r.rows[i];
        vec![
            bytes(row.self_bytes),
            bytes(row.total),
            percent(row.total, total),
            indented(row.depth as usize, &row.function.name, opts),
            term(&function_location(&row.function)),
        ]
    };
    let header = ["Self", "Total", "Total %", "Function", "Location"];
    if opts.width.is_some() {
        // A terminal: fitted to its width (a person reads these rows).
        let rows = (0..r.rows.len()).map(row).collect();
        let t = fitted_table(&header, &[0, 1, 2], rows, &[3, 4], opts, |_, _, text| {
            Cell::new(text)
        });
        write_table(out, &t)?;
    } else {
        write_long_table(out, &header, &[0, 1, 2], r.rows.len(), &row)?;
    }
    footer(out, &r.totals, r.rows.len())
}

/// `heapdiff tree --bottom-up` as an indented table of callers.
///
/// # Errors
/// When writing fails.
pub fn bottom_up(out: &mut dyn io::Write, r: &BottomUpReport, opts: TextOptions) -> io::Result<()> {
    let total = r.totals.total;
    let mut rows = Vec::new();
    let mut todo: Vec<(&BottomUpNode, usize)> = r.rows.iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, depth)) = todo.pop() {
        rows.push(vec![
            bytes(n.self_bytes),
            bytes(n.total),
            percent(n.total, total),
            indented(depth, &n.function.name, opts),
            term(&function_location(&n.function)),
        ]);
        todo.extend(n.callers.iter().rev().map(|c| (c, depth + 1)));
    }
    let t = fitted_table(
        &[
            "Self",
            "Total",
            "Total %",
            "Function (callers below)",
            "Location",
        ],
        &[0, 1, 2],
        rows,
        &[3, 4],
        opts,
        |_, _, text| Cell::new(text),
    );
    write_table(out, &t)?;
    footer(out, &r.totals, r.rows.len())
}

/// A tree row's name, indented two spaces per level. On a terminal, levels
/// beyond [`MAX_INDENT`] are written as a number so that the name stays in
/// view.
fn indented(depth: usize, name: &str, opts: TextOptions) -> String {
    if opts.width.is_some() && depth > MAX_INDENT {
        return format!("{}[{depth}] {}", "  ".repeat(MAX_INDENT - 3), term(name));
    }
    format!("{}{}", "  ".repeat(depth.min(200)), term(name))
}

/// The deepest level drawn as indentation on a terminal.
const MAX_INDENT: usize = 12;

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
    if let Some(growth) = &r.live_growth {
        crate::live_growth::text(out, growth)?;
    }
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                bytes(row.before),
                bytes(row.after),
                signed_bytes(row.delta),
                change_text(row.status, row.delta, row.before),
                status_text(row).to_string(),
                term(&row.function.name),
                place_cell(r.by, &row.function, &row.stack, opts),
            ]
        })
        .collect();
    let t = fitted_table(
        &[
            "Before",
            "After",
            "Δ",
            "Δ %",
            "Status",
            row_label(r.by),
            place_header(r.by),
        ],
        &[0, 1, 2, 3],
        rows,
        &[5, 6],
        opts,
        |i, c, text| {
            if c == 4 {
                status_cell(&r.rows[i], opts.color)
            } else {
                Cell::new(text)
            }
        },
    );
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
    let noise = noise_words(&r.totals, |a, b| {
        format!("noise = |Δ| within 2 sampling errors (interval {a} / {b})")
    });
    format!("self bytes, {scale}; Δ % is of the row's own before; {noise}")
}

#[cfg(test)]
mod tests {
    use heapdiff_analyzer::{TopTotals, TreeReport, TreeRow};

    use super::*;

    /// A tree of several chunks, its widest names (wide characters too)
    /// in a later chunk, gives the bytes of one table of all its rows.
    #[test]
    fn a_long_tree_is_one_table() {
        let rows: Vec<TreeRow> = (0..10_000u32)
            .map(|i| TreeRow {
                depth: i % 300,
                function: heapdiff_analyzer::Function {
                    name: if i == 9_000 {
                        "名前".repeat(40)
                    } else {
                        format!("f{i}")
                    },
                    url: if i % 7 == 0 {
                        String::new()
                    } else {
                        format!("file:///m{}.js", i % 13)
                    },
                    line: Some(i % 50 + 1),
                    column: (i % 3 != 0).then_some(i % 9 + 1),
                    generated: None,
                },
                self_bytes: u64::from(i) * 3,
                total: u64::from(i) * 1_000,
            })
            .collect();
        let report = TreeReport {
            schema_version: 1,
            kind: "tree",
            rows,
            totals: TopTotals {
                total: 50_000_000,
                samples: 10_000,
                unattributed: 0,
                rows: 10_000,
            },
        };
        let mut chunked = Vec::new();
        tree(&mut chunked, &report, TextOptions::default()).unwrap();
        let mut t = new_table(
            &["Self", "Total", "Total %", "Function", "Location"],
            &[0, 1, 2],
        );
        for row in &report.rows {
            let indent = "  ".repeat(row.depth.min(200) as usize);
            t.add_row(vec![
                bytes(row.self_bytes),
                bytes(row.total),
                percent(row.total, report.totals.total),
                format!("{indent}{}", term(&row.function.name)),
                term(&function_location(&row.function)),
            ]);
        }
        let mut whole = Vec::new();
        write_table(&mut whole, &t).unwrap();
        footer(&mut whole, &report.totals, report.rows.len()).unwrap();
        assert_eq!(String::from_utf8(chunked), String::from_utf8(whole));
    }
}
