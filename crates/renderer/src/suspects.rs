//! `heapdiff suspects`: the accumulation points of one snapshot as text,
//! Markdown and the HTML report's section.

use std::io;

use heapdiff_analyzer::snapshot::{AccumulationCluster, AccumulationReport};

use crate::escape::markdown as md;
use crate::markup::Markup;
use crate::snapshot::{ListStyle, MARKDOWN, TERMINAL, path_text};
use crate::units::bytes;

/// What a cluster is and retains: `one Array .requestLog @60425 (holder
/// at cache.js:37:14) retains 1.1 MB, 20.2 % of the heap, in 911
/// RequestRecord (1.0 MB)`.
fn headline(c: &AccumulationCluster, esc: fn(&str) -> String) -> String {
    let what = if c.scope == "object" {
        let held_as = c
            .path
            .last()
            .filter(|s| !s.edge.is_empty())
            .map(|s| format!(" {}", esc(&s.edge)))
            .unwrap_or_default();
        format!("one {}{held_as} @{}", esc(&c.class), c.id)
    } else {
        format!("{} objects of class {}", c.count, esc(&c.class))
    };
    let at = match (&c.origin.source, &c.holder_source) {
        (Some(p), _) => format!(" ({})", esc(&p.short())),
        (None, Some(p)) => format!(" (holder at {})", esc(&p.short())),
        (None, None) => String::new(),
    };
    let holds = c
        .holds
        .first()
        .map(|h| {
            format!(
                ", in {} {} ({})",
                h.count,
                esc(&h.class),
                bytes(h.retained_size)
            )
        })
        .unwrap_or_default();
    let verb = if c.count == 1 { "retains" } else { "retain" };
    format!(
        "{what}{at} {verb} {}, {:.1} % of the heap{holds}",
        bytes(c.retained_size),
        c.share
    )
}

/// The other classes an accumulation point holds, after the first.
fn more_held(c: &AccumulationCluster, esc: fn(&str) -> String) -> Option<String> {
    let rest: Vec<String> = c
        .holds
        .iter()
        .skip(1)
        .map(|h| format!("{} {} ({})", h.count, esc(&h.class), bytes(h.retained_size)))
        .collect();
    (!rest.is_empty()).then(|| format!("also holds {}", rest.join(", ")))
}

/// The line before the list, or the one line saying there is none.
fn preamble(r: &AccumulationReport) -> String {
    let n = r.clusters.len();
    let total = bytes(r.total_size);
    match n {
        0 => format!(
            "No object or class retains {} % or more of the heap ({total}).",
            r.min_share
        ),
        1 => format!(
            "1 suspect retains {} % or more of the heap ({total}):",
            r.min_share
        ),
        _ => format!(
            "{n} suspects retain {} % or more of the heap ({total}) each:",
            r.min_share
        ),
    }
}

/// `heapdiff suspects` for the terminal.
///
/// # Errors
/// When writing fails.
pub fn text(out: &mut dyn io::Write, r: &AccumulationReport) -> io::Result<()> {
    writeln!(out, "{}", preamble(r))?;
    list(out, r, TERMINAL, "\n")
}

/// `heapdiff suspects --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn markdown(out: &mut dyn io::Write, r: &AccumulationReport) -> io::Result<()> {
    writeln!(out, "## Leak suspects\n\n{}\n", md(&preamble(r)))?;
    list(out, r, MARKDOWN, "")
}

/// The suspects, each with what else it holds and its path; `gap` before
/// each.
fn list(
    out: &mut dyn io::Write,
    r: &AccumulationReport,
    style: ListStyle,
    gap: &str,
) -> io::Result<()> {
    let esc = style.esc;
    for (i, c) in r.clusters.iter().enumerate() {
        writeln!(out, "{gap}{}{}", style.item(i + 1), headline(c, esc))?;
        let sub = style.sub(i + 1);
        if let Some(more) = more_held(c, esc) {
            writeln!(out, "{sub}{more}")?;
        }
        if !c.path.is_empty() {
            writeln!(out, "{sub}path: {}", esc(&path_text(&c.path)))?;
        }
    }
    Ok(())
}

/// The suspects as a section of the HTML report: the list, each item with
/// what it holds and its path.
pub fn html(h: &mut Markup, r: &AccumulationReport) {
    h.raw("<h2>Leak suspects</h2>\n")
        .element("p", preamble(r))
        .newline();
    if r.clusters.is_empty() {
        return;
    }
    h.raw("<ol class=\"suspects\">\n");
    for c in &r.clusters {
        h.raw("<li>").text(headline(c, plain)).raw("\n<ul>");
        if let Some(more) = more_held(c, plain) {
            h.element("li", more);
        }
        if !c.path.is_empty() {
            crate::report_html::path_item(h, "", &c.path);
        }
        h.raw("</ul></li>\n");
    }
    h.raw("</ol>\n");
}

/// Text as it is: `Markup` escapes it.
fn plain(s: &str) -> String {
    s.to_string()
}
