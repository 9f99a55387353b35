//! `heapdiff leaks`: the surviving objects' clusters as text, Markdown and
//! CSV (the Markdown and HTML reports take their parts from here).

use std::io;

use heapdiff_analyzer::snapshot::{LeakCluster, LeaksReport, SuspectBasis};

use crate::markup::Markup;
use crate::snapshot::{ListStyle, MARKDOWN, TERMINAL, path_text};
use crate::units::bytes;

/// What the clusters are, after "Leaks: " (or capitalised in HTML).
pub(crate) fn intro(r: &LeaksReport) -> &'static str {
    match r.basis {
        SuspectBasis::NewObjects => {
            "objects new in the target and alive in every later snapshot, by class, source and retainer path"
        }
        SuspectBasis::GrownClasses => {
            "the snapshots share too few object ids to follow objects (they come from different processes, or their producer numbers objects anew in every snapshot, as Bun does), so these are the objects of the classes that grew at every step, by class, source and retainer path"
        }
    }
}

/// One cluster's line: `RequestRecord (cache.js:37:14): 377 objects,
/// retaining 434 kB`, through `esc` (terminal or Markdown escaping).
fn cluster_line(c: &LeakCluster, esc: fn(&str) -> String) -> String {
    let at = crate::snapshot::source_after_name(&c.origin, esc);
    let objects = if c.count == 1 { "object" } else { "objects" };
    format!(
        "{}{at}: {} {objects}, retaining {}",
        esc(&c.class),
        c.count,
        bytes(c.retained_size)
    )
}

/// What the clusters add up to, or that nothing survived.
pub(crate) fn totals_line(r: &LeaksReport) -> String {
    if r.survivors == 0 {
        return match r.basis {
            SuspectBasis::NewObjects => format!(
                "No application object allocated after the baseline is alive in all {} later snapshots.",
                r.snapshots - 1
            ),
            SuspectBasis::GrownClasses => format!(
                "No application class grew at every step of the {} snapshots.",
                r.snapshots
            ),
        };
    }
    let share = if r.total_final == 0 {
        String::new()
    } else {
        let p = r.survivors_retained as f64 / r.total_final as f64 * 100.0;
        format!(
            " ({p:.1}% of the final snapshot's {})",
            bytes(r.total_final)
        )
    };
    let classes = if r.classes == 1 { "class" } else { "classes" };
    let (objects, retain) = if r.survivors == 1 {
        ("object", "retains")
    } else {
        ("objects", "retain")
    };
    let which = match r.basis {
        SuspectBasis::NewObjects => "surviving ",
        SuspectBasis::GrownClasses => "",
    };
    let grew = match r.basis {
        SuspectBasis::NewObjects => "",
        SuspectBasis::GrownClasses => " that grew at every step",
    };
    format!(
        "{} {which}{objects} of {} {classes}{grew} {retain} {}{share}; {} of {} clusters shown.",
        r.survivors,
        r.classes,
        bytes(r.survivors_retained),
        r.clusters.len(),
        r.clusters_total
    )
}

/// The clusters for a terminal.
///
/// # Errors
/// When writing fails.
pub fn text(out: &mut dyn io::Write, r: &LeaksReport) -> io::Result<()> {
    list(out, r, TERMINAL)
}

/// The clusters in Markdown.
///
/// # Errors
/// When writing fails.
pub fn markdown(out: &mut dyn io::Write, r: &LeaksReport) -> io::Result<()> {
    list(out, r, MARKDOWN)
}

/// The clusters, each with its path, then the totals.
fn list(out: &mut dyn io::Write, r: &LeaksReport, style: ListStyle) -> io::Result<()> {
    writeln!(out, "{}\n", style.heading(&format!("Leaks: {}", intro(r))))?;
    for (i, c) in r.clusters.iter().enumerate() {
        writeln!(out, "{}{}", style.item(i + 1), cluster_line(c, style.esc))?;
        writeln!(
            out,
            "{}{}",
            style.sub(i + 1),
            (style.esc)(&path_text(&c.path))
        )?;
    }
    if !r.clusters.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", totals_line(r))
}

/// The clusters as CSV, one row each, the path in one cell.
///
/// # Errors
/// When writing fails.
pub fn csv(out: &mut dyn io::Write, r: &LeaksReport) -> io::Result<()> {
    writeln!(
        out,
        "class,key,count,retained_size,source_url,source_line,source_column,path"
    )?;
    for c in &r.clusters {
        writeln!(
            out,
            "{},{},{},{},{},{}",
            crate::csv::text(&c.class),
            crate::csv::text(&c.key),
            c.count,
            c.retained_size,
            crate::csv::source(&c.origin),
            crate::csv::text(&path_text(&c.path))
        )?;
    }
    Ok(())
}

/// The clusters as a section of the HTML report.
pub(crate) fn html(h: &mut Markup, r: &LeaksReport) {
    let intro = intro(r);
    h.raw("<h2>Leaks</h2>\n<p>")
        .text(format!(
            "{}, largest retained size first.",
            crate::capitalised(intro)
        ))
        .raw("</p>\n<ul class=\"suspects\">\n");
    for (i, c) in r.clusters.iter().enumerate() {
        crate::report_html::ranked_class(h, i + 1, &c.class, &c.origin);
        h.raw(": ")
            .text(c.count)
            .raw(if c.count == 1 { " object" } else { " objects" })
            .raw(", retaining ")
            .text(bytes(c.retained_size))
            .raw("\n<ul>");
        crate::report_html::path_item(h, "", &c.path);
        h.raw("</ul></li>\n");
    }
    h.raw("</ul>\n<p>").text(totals_line(r)).raw("</p>\n");
}
