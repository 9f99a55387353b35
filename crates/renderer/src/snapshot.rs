//! Heap snapshot views as terminal tables and Markdown: Summary,
//! Comparison, retainer paths, dominators.

use std::io;

use heapdiff_analyzer::snapshot::{
    CompareReport, DominatorsReport, PathStep, RetainersReport, SummaryReport,
};

use crate::escape::{markdown as md, terminal as term};
use crate::table::{new_table, write_table};
use crate::units::{bytes, signed_bytes};

/// Whole percent, as DevTools' Summary shows it.
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "n/a".into();
    }
    let p = part as f64 / whole as f64 * 100.0;
    format!("{p:.0}%")
}

fn distance(d: Option<i32>) -> String {
    d.map_or_else(|| "-".to_string(), |d| d.to_string())
}

/// `heapdiff summary` as a table.
///
/// # Errors
/// When writing fails.
pub fn summary_table(out: &mut dyn io::Write, r: &SummaryReport) -> io::Result<()> {
    let total = r.totals.total_size;
    let mut t = new_table(
        &[
            "Retained", "%", "Shallow", "%", "Count", "Distance", "Class",
        ],
        &[0, 1, 2, 3, 4, 5],
    );
    for c in &r.classes {
        t.add_row(vec![
            bytes(c.retained_size),
            pct(c.retained_size, total),
            bytes(c.self_size),
            pct(c.self_size, total),
            c.count.to_string(),
            distance(c.distance),
            term(&c.name),
        ]);
    }
    write_table(out, &t)?;
    let tot = &r.totals;
    write!(
        out,
        "\ntotal {} in {} objects, {} edges",
        bytes(total),
        tot.nodes,
        tot.edges
    )?;
    if r.classes.len() < tot.classes {
        write!(
            out,
            "; showing {} of {} classes",
            r.classes.len(),
            tot.classes
        )?;
    }
    writeln!(out)?;
    if tot.detached_nodes > 0 {
        writeln!(
            out,
            "detached DOM: {} detached node(s) retaining {} (classes named \"Detached …\")",
            tot.detached_nodes,
            bytes(tot.detached_retained)
        )?;
    }
    if tot.unreachable_nodes > 0 {
        writeln!(
            out,
            "{} object(s) are unreachable from the roots (kept only by weak references or cycles)",
            tot.unreachable_nodes
        )?;
    }
    Ok(())
}

/// `heapdiff summary --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn summary_markdown(out: &mut dyn io::Write, r: &SummaryReport) -> io::Result<()> {
    let total = r.totals.total_size;
    writeln!(
        out,
        "| Retained | % | Shallow | % | Count | Distance | Class |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---|")?;
    for c in &r.classes {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            bytes(c.retained_size),
            pct(c.retained_size, total),
            bytes(c.self_size),
            pct(c.self_size, total),
            c.count,
            distance(c.distance),
            md(&c.name)
        )?;
    }
    writeln!(
        out,
        "\nTotal: {} in {} objects.",
        bytes(total),
        r.totals.nodes
    )
}

fn path_text(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| {
            if s.edge.is_empty() {
                format!("{} @{}", s.class, s.id)
            } else {
                format!("{} {} @{}", s.edge, s.class, s.id)
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A snapshot comparison as a table, plus the objects allocated between.
///
/// # Errors
/// When writing fails.
pub fn compare_table(out: &mut dyn io::Write, r: &CompareReport) -> io::Result<()> {
    if r.different_processes {
        writeln!(
            out,
            "warning: few object ids are shared: these snapshots look like they come from different processes, so New/Deleted counts mean little\n"
        )?;
    }
    let mut t = new_table(
        &[
            "# New",
            "# Deleted",
            "# Delta",
            "Alloc. Size",
            "Freed Size",
            "Size Delta",
            "Class",
        ],
        &[0, 1, 2, 3, 4, 5],
    );
    for c in &r.classes {
        t.add_row(vec![
            c.new.to_string(),
            c.deleted.to_string(),
            format!("{:+}", c.delta),
            bytes(c.alloc_size),
            bytes(c.freed_size),
            signed_bytes(c.size_delta),
            term(&c.name),
        ]);
    }
    write_table(out, &t)?;
    writeln!(
        out,
        "\ntotal {} -> {} ({})",
        bytes(r.total_before),
        bytes(r.total_after),
        signed_bytes(
            i64::try_from(i128::from(r.total_after) - i128::from(r.total_before)).unwrap_or(0)
        )
    )?;
    if !r.allocated_between.is_empty() {
        writeln!(
            out,
            "\nObjects allocated between the snapshots and still alive, by retained size:"
        )?;
        let mut t = new_table(
            &[
                "Retained",
                "Shallow",
                "Count",
                "Class",
                "Kept alive by (shortest path from a root)",
            ],
            &[0, 1, 2],
        );
        for g in &r.allocated_between {
            t.add_row(vec![
                bytes(g.retained_size),
                bytes(g.self_size),
                g.count.to_string(),
                term(&g.name),
                term(&path_text(&g.retainer_path)),
            ]);
        }
        write_table(out, &t)?;
    }
    Ok(())
}

/// A snapshot comparison as Markdown.
///
/// # Errors
/// When writing fails.
pub fn compare_markdown(out: &mut dyn io::Write, r: &CompareReport) -> io::Result<()> {
    writeln!(
        out,
        "| # New | # Deleted | # Delta | Alloc. Size | Freed Size | Size Delta | Class |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---|")?;
    for c in &r.classes {
        writeln!(
            out,
            "| {} | {} | {:+} | {} | {} | {} | {} |",
            c.new,
            c.deleted,
            c.delta,
            bytes(c.alloc_size),
            bytes(c.freed_size),
            signed_bytes(c.size_delta),
            md(&c.name)
        )?;
    }
    if !r.allocated_between.is_empty() {
        writeln!(
            out,
            "\n**Allocated between the snapshots and still alive**\n"
        )?;
        writeln!(out, "| Retained | Count | Class | Kept alive by |")?;
        writeln!(out, "|---:|---:|---|---|")?;
        for g in &r.allocated_between {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                bytes(g.retained_size),
                g.count,
                md(&g.name),
                md(&path_text(&g.retainer_path))
            )?;
        }
    }
    Ok(())
}

/// Retainer path groups, one path per group, root first.
///
/// # Errors
/// When writing fails.
pub fn retainers_text(out: &mut dyn io::Write, r: &RetainersReport) -> io::Result<()> {
    writeln!(
        out,
        "{} object(s) of {}; shortest retainer paths from the GC roots:",
        r.objects,
        term(&r.target)
    )?;
    for (i, g) in r.groups.iter().enumerate() {
        writeln!(
            out,
            "\n#{} — {} object(s), retaining {}",
            i + 1,
            g.count,
            bytes(g.retained_size)
        )?;
        for (depth, s) in g.path.iter().enumerate() {
            let edge = if s.edge.is_empty() {
                String::new()
            } else {
                format!("{} ", term(&s.edge))
            };
            writeln!(
                out,
                "  {}{edge}{} @{}",
                "  ".repeat(depth.min(40)),
                term(&s.class),
                s.id
            )?;
        }
    }
    if r.unreachable > 0 {
        writeln!(
            out,
            "\n{} object(s) have no strong path from a root (weak references or cycles only)",
            r.unreachable
        )?;
    }
    Ok(())
}

/// The dominators view as a table.
///
/// # Errors
/// When writing fails.
pub fn dominators_table(out: &mut dyn io::Write, r: &DominatorsReport) -> io::Result<()> {
    let mut t = new_table(
        &["Retained", "%", "Shallow", "Object", "Dominated by"],
        &[0, 1, 2],
    );
    for o in &r.objects {
        let chain = o
            .dominated_by
            .iter()
            .map(|s| format!("{} @{}", s.class, s.id))
            .collect::<Vec<_>>()
            .join(" > ");
        t.add_row(vec![
            bytes(o.retained_size),
            pct(o.retained_size, r.total_size),
            bytes(o.self_size),
            term(&format!("{} @{}", o.class, o.id)),
            term(&chain),
        ]);
    }
    write_table(out, &t)?;
    writeln!(out, "\ntotal {}", bytes(r.total_size))
}
