//! The Markdown report (`--report out.md`): renders on GitHub and GitLab,
//! long tables folded in `<details>`, every profile string escaped, the
//! same bytes for the same inputs.

use std::io;

use heapdiff_analyzer::report_doc::{CheckSection, InputInfo, ReportBody, ReportDocument};
use heapdiff_analyzer::snapshot::CompareReport;
use heapdiff_analyzer::{DiffRow, DiffTotals, GroupBy};

use crate::diff_row::{change_text, noise_words, status_text};
use crate::escape::markdown as md;
use crate::units::{bytes, delta_percent, signed_bytes};

/// Rows shown before the rest is folded away.
const SHOWN: usize = 10;

/// Writes the whole report.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn io::Write, doc: &ReportDocument) -> io::Result<()> {
    writeln!(out, "# {}\n", md(&doc.title))?;
    if let Some(check) = &doc.check {
        write_check(out, check)?;
    }
    match &doc.body {
        ReportBody::Profile {
            by,
            totals,
            growers,
            shrinkers,
            new,
            gone,
            live_growth,
            ..
        } => {
            write_profile_totals(out, totals, *by)?;
            write_inputs(out, &doc.inputs)?;
            if let Some(growth) = live_growth {
                writeln!(out, "## Live growth\n")?;
                crate::live_growth::markdown(out, growth)?;
            }
            rows_section(out, "Top growers", growers, *by)?;
            rows_section(out, "New", new, *by)?;
            rows_section(out, "Gone", gone, *by)?;
            rows_section(out, "Top shrinkers", shrinkers, *by)?;
            writeln!(
                out,
                "_Self bytes, absolute; Δ % is of the row's own before value; {}._\n",
                noise_note(totals)
            )?;
        }
        ReportBody::Snapshot { comparison } => {
            write_snapshot(out, comparison, &doc.inputs)?;
        }
        ReportBody::ShallowSnapshot { comparison } => {
            write_inputs(out, &doc.inputs)?;
            crate::shallow::compare_markdown(out, comparison)?;
            writeln!(out)?;
        }
        ReportBody::Suspects { suspects } => {
            write_inputs(out, &doc.inputs)?;
            crate::suspects::markdown(out, suspects)?;
            writeln!(out)?;
        }
        ReportBody::Trend { trend, chart } => {
            crate::trend::report_markdown(out, trend, &doc.inputs, chart.as_deref())?;
        }
        ReportBody::Leaks { leaks } => {
            write_inputs(out, &doc.inputs)?;
            crate::leaks::markdown(out, leaks)?;
            writeln!(out)?;
        }
    }
    if !doc.warnings.is_empty() {
        writeln!(out, "## Warnings\n")?;
        for w in &doc.warnings {
            writeln!(out, "- {}", md(w))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "## Reproduce\n\n```sh\n{}\n```",
        doc.command.replace("```", "` ` `")
    )
}

/// The profile diff's headline: totals before and after, and the rows.
fn write_profile_totals(
    out: &mut dyn io::Write,
    totals: &DiffTotals,
    by: GroupBy,
) -> io::Result<()> {
    let pct = delta_percent(totals.delta, totals.before)
        .map(|p| format!(", {p}"))
        .unwrap_or_default();
    writeln!(
        out,
        "**Total: {} → {} ({}{pct})**, {} rows by {}: {} new, {} gone.\n",
        bytes(totals.before),
        bytes(totals.after),
        signed_bytes(totals.delta),
        totals.rows,
        by_word(by),
        totals.new_rows,
        totals.gone_rows
    )
}

/// What the `noise` status means for these two profiles' sampling.
fn noise_note(totals: &DiffTotals) -> String {
    noise_words(totals, |a, b| {
        format!("`noise` marks a change within two sampling errors (interval {a} / {b})")
    })
}

fn by_word(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Function => "function",
        GroupBy::Stack => "stack",
        GroupBy::Script => "script",
        GroupBy::Package => "package",
    }
}

fn write_check(out: &mut dyn io::Write, c: &CheckSection) -> io::Result<()> {
    if c.passed {
        writeln!(
            out,
            "**Check passed**: no budget exceeded ({}).\n",
            md(&c.budgets.join("; "))
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "**Check failed**: {} budget violation(s).\n",
        c.violations.len()
    )?;
    writeln!(out, "| Scope | Name | Before | After | Growth | Budget |")?;
    writeln!(out, "|---|---|---:|---:|---:|---|")?;
    for v in &c.violations {
        let d = i64::try_from(i128::from(v.after) - i128::from(v.before)).unwrap_or(i64::MAX);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md(v.scope.name()),
            md(&v.name),
            bytes(v.before),
            bytes(v.after),
            signed_bytes(d),
            md(&v.limit)
        )?;
    }
    writeln!(out)
}

pub(crate) fn write_inputs(out: &mut dyn io::Write, inputs: &[InputInfo]) -> io::Result<()> {
    writeln!(out, "## Inputs\n")?;
    writeln!(out, "| File | Kind | Size | SHA-256 | Details |")?;
    writeln!(out, "|---|---|---:|---|---|")?;
    for i in inputs {
        writeln!(
            out,
            "| {} | {} | {} ({} bytes) | `{}` | {} |",
            md(&i.name),
            md(&i.kind),
            bytes(i.bytes),
            i.bytes,
            i.sha256,
            md(&i.detail)
        )?;
    }
    writeln!(out)
}

fn row_line(r: &DiffRow, by: GroupBy) -> String {
    let pct = change_text(r.status, r.delta, r.before);
    let status = status_text(r);
    let place = crate::markdown::location(by, &r.function, &r.stack);
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |",
        bytes(r.before),
        bytes(r.after),
        signed_bytes(r.delta),
        pct,
        status,
        md(&r.function.name),
        place
    )
}

const ROW_HEADER: &str =
    "| Before | After | Δ | Δ % | Status | Name | Location |\n|---:|---:|---:|---:|---|---|---|";

fn rows_section(
    out: &mut dyn io::Write,
    title: &str,
    rows: &[DiffRow],
    by: GroupBy,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    folded_table(out, title, ROW_HEADER, rows, |r| row_line(r, by))
}

/// A titled table whose rows after the first [`SHOWN`] are folded away
/// in `<details>`, the header repeated there.
fn folded_table<T>(
    out: &mut dyn io::Write,
    title: &str,
    header: &str,
    rows: &[T],
    line: impl Fn(&T) -> String,
) -> io::Result<()> {
    writeln!(out, "## {title}\n\n{header}")?;
    for r in rows.iter().take(SHOWN) {
        writeln!(out, "{}", line(r))?;
    }
    if rows.len() > SHOWN {
        writeln!(
            out,
            "\n<details><summary>{} more</summary>\n\n{header}",
            rows.len() - SHOWN
        )?;
        for r in &rows[SHOWN..] {
            writeln!(out, "{}", line(r))?;
        }
        writeln!(out, "\n</details>")?;
    }
    writeln!(out)
}

fn write_snapshot(
    out: &mut dyn io::Write,
    c: &CompareReport,
    inputs: &[InputInfo],
) -> io::Result<()> {
    let d = i64::try_from(i128::from(c.total_after) - i128::from(c.total_before)).unwrap_or(0);
    writeln!(
        out,
        "**Total: {} → {} ({})**, {} classes changed.\n",
        bytes(c.total_before),
        bytes(c.total_after),
        signed_bytes(d),
        c.classes.len()
    )?;
    if c.different_processes {
        writeln!(
            out,
            "> **Warning:** {}.\n",
            crate::snapshot::DIFFERENT_PROCESSES
        )?;
    }
    write_inputs(out, inputs)?;
    crate::snapshot::suspects_list(out, c, crate::snapshot::MARKDOWN)?;
    folded_table(
        out,
        "Comparison by class",
        &crate::snapshot::compare_markdown_header(),
        &c.classes,
        crate::snapshot::compare_markdown_row,
    )?;
    if !c.allocated_between.is_empty() {
        writeln!(out, "## Allocated between the snapshots and still alive\n")?;
        writeln!(
            out,
            "| Retained | Shallow | Count | Class | Source | Kept alive by |\n|---:|---:|---:|---|---|---|"
        )?;
        for g in &c.allocated_between {
            let path = g
                .retainer_path
                .iter()
                .map(|s| md(&crate::snapshot::step_text(s)))
                .collect::<Vec<_>>()
                .join(" → ");
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                bytes(g.retained_size),
                bytes(g.self_size),
                g.count,
                md(&g.name),
                md(&crate::snapshot::source(&g.origin)),
                path
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
