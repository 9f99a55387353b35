//! Heap snapshot rows by package (`summary --by package`, the snapshot
//! diff's `--by package`): terminal table, Markdown and CSV. Each view
//! makes its rows' cells once; the table and Markdown lay them out.

use std::io;

use heapdiff_analyzer::snapshot::{PackageCompareReport, PackageSummaryReport};

use crate::escape::{markdown as md, terminal as term};
use crate::snapshot::{CHANGE_HEADER, change_cells, pct};
use crate::table::{new_table, write_table};
use crate::units::bytes;

const SUMMARY_HEADER: [&str; 6] = ["Retained", "%", "Shallow", "%", "Count", "Package"];

fn summary_cells(r: &PackageSummaryReport, esc: fn(&str) -> String) -> Vec<Vec<String>> {
    r.packages
        .iter()
        .map(|p| {
            vec![
                bytes(p.retained_size),
                pct(p.retained_size, r.total_size),
                bytes(p.self_size),
                pct(p.self_size, r.total_size),
                p.count.to_string(),
                esc(&p.package),
            ]
        })
        .collect()
}

fn summary_footer(r: &PackageSummaryReport) -> String {
    format!(
        "total {}; {} of {} packages shown; a package's retained size counts each dominator subtree once",
        bytes(r.total_size),
        r.packages.len(),
        r.n_packages
    )
}

/// The diff's columns: the change, the retained sizes, the package.
fn compare_header() -> Vec<&'static str> {
    CHANGE_HEADER
        .into_iter()
        .chain(["Retained before", "Retained after", "Package"])
        .collect()
}

fn compare_cells(r: &PackageCompareReport, esc: fn(&str) -> String) -> Vec<Vec<String>> {
    r.packages
        .iter()
        .map(|p| {
            let mut cells = change_cells(&p.change).to_vec();
            cells.extend([
                bytes(p.retained_before),
                bytes(p.retained_after),
                esc(&p.package),
            ]);
            cells
        })
        .collect()
}

fn compare_footer(r: &PackageCompareReport) -> String {
    format!(
        "total {} → {}; a package's retained size counts each dominator subtree once",
        bytes(r.total_before),
        bytes(r.total_after)
    )
}

/// Rows as a terminal table: every column right-aligned but the last.
fn table(
    out: &mut dyn io::Write,
    header: &[&str],
    rows: Vec<Vec<String>>,
    footer: &str,
) -> io::Result<()> {
    let right: Vec<usize> = (0..header.len() - 1).collect();
    let mut t = new_table(header, &right);
    for row in rows {
        t.add_row(row);
    }
    write_table(out, &t)?;
    writeln!(out, "\n{footer}")
}

/// Rows as a Markdown table: every column right-aligned but the last.
fn markdown(
    out: &mut dyn io::Write,
    header: &[&str],
    rows: Vec<Vec<String>>,
    footer: &str,
) -> io::Result<()> {
    writeln!(out, "{}", crate::markdown::header(header, header.len() - 1))?;
    for row in rows {
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    writeln!(out, "\n{}.", md(footer))
}

/// `summary --by package` as a table.
///
/// # Errors
/// When writing fails.
pub fn summary_table(out: &mut dyn io::Write, r: &PackageSummaryReport) -> io::Result<()> {
    table(
        out,
        &SUMMARY_HEADER,
        summary_cells(r, term),
        &summary_footer(r),
    )
}

/// `summary --by package --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn summary_markdown(out: &mut dyn io::Write, r: &PackageSummaryReport) -> io::Result<()> {
    markdown(
        out,
        &SUMMARY_HEADER,
        summary_cells(r, md),
        &summary_footer(r),
    )
}

/// `summary --by package --format csv`: exact byte counts.
///
/// # Errors
/// When writing fails.
pub fn summary_csv(out: &mut dyn io::Write, r: &PackageSummaryReport) -> io::Result<()> {
    writeln!(out, "package,count,self_size,retained_size")?;
    for p in &r.packages {
        writeln!(
            out,
            "{},{},{},{}",
            crate::csv::text(&p.package),
            p.count,
            p.self_size,
            p.retained_size
        )?;
    }
    Ok(())
}

/// The snapshot diff `--by package` as a table.
///
/// # Errors
/// When writing fails.
pub fn compare_table(out: &mut dyn io::Write, r: &PackageCompareReport) -> io::Result<()> {
    table(
        out,
        &compare_header(),
        compare_cells(r, term),
        &compare_footer(r),
    )
}

/// The snapshot diff `--by package --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn compare_markdown(out: &mut dyn io::Write, r: &PackageCompareReport) -> io::Result<()> {
    markdown(
        out,
        &compare_header(),
        compare_cells(r, md),
        &compare_footer(r),
    )
}

/// The snapshot diff `--by package --format csv`: exact byte counts.
///
/// # Errors
/// When writing fails.
pub fn compare_csv(out: &mut dyn io::Write, r: &PackageCompareReport) -> io::Result<()> {
    writeln!(
        out,
        "package,{},retained_before,retained_after",
        crate::csv::CHANGE_HEADER
    )?;
    for p in &r.packages {
        writeln!(
            out,
            "{},{},{},{}",
            crate::csv::text(&p.package),
            crate::csv::change(&p.change),
            p.retained_before,
            p.retained_after
        )?;
    }
    Ok(())
}
