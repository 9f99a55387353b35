//! `--shallow` views of heap snapshots: the Summary's counts and shallow
//! sizes, and their change between two snapshots, as a table, Markdown,
//! CSV, and the snapshot diff's part of the Markdown and HTML reports.

use std::io;

use heapdiff_analyzer::snapshot::{ShallowCompareReport, ShallowSummaryReport};

use crate::csv::text;
use crate::escape::{markdown as md, terminal as term};
use crate::markup::Markup;
use crate::report_html::sorted_cell;
use crate::snapshot::pct;
use crate::table::{new_table, write_table};
use crate::units::{bytes, signed_bytes};

/// What every shallow view says under its rows.
const NOTE: &str = "shallow: counts and shallow sizes as written in the file; no retained sizes, distances, owner reassignment or interface names";

/// `heapdiff summary --shallow` as a table.
///
/// # Errors
/// When writing fails.
pub fn summary_table(out: &mut dyn io::Write, r: &ShallowSummaryReport) -> io::Result<()> {
    let total = r.totals.total_size;
    let mut t = new_table(&["Shallow", "%", "Count", "Class"], &[0, 1, 2]);
    for c in &r.classes {
        t.add_row(vec![
            bytes(c.self_size),
            pct(c.self_size, total),
            c.count.to_string(),
            term(&c.name),
        ]);
    }
    write_table(out, &t)?;
    writeln!(out)?;
    writeln!(out, "{}", summary_totals(r))?;
    writeln!(out, "{NOTE}")
}

fn summary_totals(r: &ShallowSummaryReport) -> String {
    let tot = &r.totals;
    let mut line = format!(
        "total {} in {} objects, {} edges",
        bytes(tot.total_size),
        tot.nodes,
        tot.edges
    );
    if r.classes.len() < tot.classes {
        line += &format!("; showing {} of {} classes", r.classes.len(), tot.classes);
    }
    line
}

/// `heapdiff summary --shallow --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn summary_markdown(out: &mut dyn io::Write, r: &ShallowSummaryReport) -> io::Result<()> {
    let total = r.totals.total_size;
    writeln!(out, "| Shallow | % | Count | Class |")?;
    writeln!(out, "|---:|---:|---:|---|")?;
    for c in &r.classes {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            bytes(c.self_size),
            pct(c.self_size, total),
            c.count,
            md(&c.name)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}.\n\n_{NOTE}._",
        crate::capitalised(&summary_totals(r))
    )
}

/// `heapdiff summary --shallow --format csv`.
///
/// # Errors
/// When writing fails.
pub fn summary_csv(out: &mut dyn io::Write, r: &ShallowSummaryReport) -> io::Result<()> {
    writeln!(out, "name,count,self_size")?;
    for c in &r.classes {
        writeln!(out, "{},{},{}", text(&c.name), c.count, c.self_size)?;
    }
    Ok(())
}

/// The snapshot diff `--shallow` as a table.
///
/// # Errors
/// When writing fails.
pub fn compare_table(out: &mut dyn io::Write, r: &ShallowCompareReport) -> io::Result<()> {
    let mut t = new_table(
        &[
            "Count before",
            "Count after",
            "# Delta",
            "Size before",
            "Size after",
            "Size delta",
            "Class",
        ],
        &[0, 1, 2, 3, 4, 5],
    );
    for c in &r.classes {
        t.add_row(vec![
            c.count_before.to_string(),
            c.count_after.to_string(),
            format!("{:+}", c.count_delta),
            bytes(c.size_before),
            bytes(c.size_after),
            signed_bytes(c.size_delta),
            term(&c.name),
        ]);
    }
    write_table(out, &t)?;
    writeln!(out)?;
    writeln!(out, "{}", compare_totals(r))?;
    writeln!(out, "{NOTE}; objects are not matched by id")
}

fn compare_totals(r: &ShallowCompareReport) -> String {
    let d = i128::from(r.total_after) - i128::from(r.total_before);
    let mut line = format!(
        "total {} → {} ({}); {} classes changed",
        bytes(r.total_before),
        bytes(r.total_after),
        signed_bytes(i64::try_from(d).unwrap_or(0)),
        r.n_classes
    );
    if r.classes.len() < r.n_classes {
        line += &format!(", showing {}", r.classes.len());
    }
    line
}

/// The snapshot diff `--shallow --format markdown`, also the body of its
/// Markdown report.
///
/// # Errors
/// When writing fails.
pub fn compare_markdown(out: &mut dyn io::Write, r: &ShallowCompareReport) -> io::Result<()> {
    writeln!(
        out,
        "| Count before | Count after | # Delta | Size before | Size after | Size delta | Class |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---|")?;
    for c in &r.classes {
        writeln!(
            out,
            "| {} | {} | {:+} | {} | {} | {} | {} |",
            c.count_before,
            c.count_after,
            c.count_delta,
            bytes(c.size_before),
            bytes(c.size_after),
            signed_bytes(c.size_delta),
            md(&c.name)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}.\n\n_{NOTE}; objects are not matched by id._",
        crate::capitalised(&compare_totals(r))
    )
}

/// The snapshot diff `--shallow --format csv`.
///
/// # Errors
/// When writing fails.
pub fn compare_csv(out: &mut dyn io::Write, r: &ShallowCompareReport) -> io::Result<()> {
    writeln!(
        out,
        "name,count_before,count_after,count_delta,size_before,size_after,size_delta"
    )?;
    for c in &r.classes {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            text(&c.name),
            c.count_before,
            c.count_after,
            c.count_delta,
            c.size_before,
            c.size_after,
            c.size_delta
        )?;
    }
    Ok(())
}

/// The HTML report's part for a shallow snapshot diff: the totals line and
/// one sortable row per class.
pub(crate) fn html(h: &mut Markup, r: &ShallowCompareReport) {
    h.raw("<p class=\"totals\">")
        .text(crate::capitalised(&compare_totals(r)))
        .raw(".</p>\n");
    h.raw("<h2>Shallow comparison by class</h2>\n<table class=\"sortable\"><thead><tr><th>Count before</th><th>Count after</th><th># Delta</th><th>Size before</th><th>Size after</th><th>Size delta</th><th>Class</th></tr></thead><tbody>\n");
    for c in &r.classes {
        h.raw("<tr>");
        sorted_cell(h, c.count_before, c.count_before);
        sorted_cell(h, c.count_after, c.count_after);
        sorted_cell(h, c.count_delta, format!("{:+}", c.count_delta));
        sorted_cell(h, c.size_before, bytes(c.size_before));
        sorted_cell(h, c.size_after, bytes(c.size_after));
        sorted_cell(h, c.size_delta, signed_bytes(c.size_delta));
        h.element("td", &c.name);
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n<p>")
        .text(format!("{NOTE}; objects are not matched by id."))
        .raw("</p>\n");
}
