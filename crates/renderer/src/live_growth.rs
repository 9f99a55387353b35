//! The section a timeline comparison leads with (`spans` and diffs of two
//! timelines): the allocation sites whose live objects grew most, their
//! classes and retainer paths; as text, Markdown and an HTML section.

use std::io;

use heapdiff_analyzer::live_growth::{Growth, LiveGrowth, SiteGrowth};
use heapdiff_analyzer::snapshot::{SourcePosition, SuspectCluster};

use crate::markup::Markup;
use crate::snapshot::{ListStyle, MARKDOWN, TERMINAL, path_text};
use crate::units::bytes;

/// The section's heading.
fn heading(r: &LiveGrowth) -> &'static str {
    match r.over {
        Growth::Span => {
            "Live growth: allocation sites by what they allocated in the after span and is still alive (retained, each byte once)"
        }
        Growth::Recordings => {
            "Live growth: allocation sites whose live objects grew most (retained, each byte once)"
        }
    }
}

/// `name (file:line:col)`, or the name alone where the trace has no
/// position (builtins, V8's API).
fn site_text(s: &SiteGrowth, esc: fn(&str) -> String) -> String {
    let at = match (s.site.line, s.site.column) {
        (Some(line), Some(column)) if !s.site.url.is_empty() => {
            let p = SourcePosition {
                url: s.site.url.clone(),
                line,
                column,
            };
            format!(" ({})", esc(&p.short()))
        }
        _ => String::new(),
    };
    format!("{}{at}", esc(&s.site.name))
}

/// One site's line: what it grew by, from what, in how many objects.
fn site_line(r: &LiveGrowth, s: &SiteGrowth, esc: fn(&str) -> String) -> String {
    let amounts = match r.over {
        Growth::Span => format!(
            "{} still alive from the after span ({} from the before span)",
            bytes(s.after),
            bytes(s.before)
        ),
        Growth::Recordings => format!(
            "+{} ({} → {})",
            bytes(s.growth),
            bytes(s.before),
            bytes(s.after)
        ),
    };
    let objects = if s.count == 1 { "object" } else { "objects" };
    format!("{}: {amounts}, {} {objects}", site_text(s, esc), s.count)
}

/// The classes of a site's objects: `554 RequestRecord (cache.js:37:14)
/// 638 kB, …`.
fn classes_line(s: &SiteGrowth, esc: fn(&str) -> String) -> String {
    let classes: Vec<String> = s
        .classes
        .iter()
        .map(|c| {
            let at = c
                .source
                .as_ref()
                .map(|p| format!(" ({})", esc(&p.short())))
                .unwrap_or_default();
            format!(
                "{} {}{at} {}",
                c.count,
                esc(&c.class),
                bytes(c.retained_size)
            )
        })
        .collect();
    format!("made {}", classes.join(", "))
}

/// A cluster: how many objects follow the path, and the path.
fn cluster_line(c: &SuspectCluster) -> String {
    format!("{} × {}", c.count, path_text(&c.path))
}

/// The closing line: how much the sites shown account for.
fn total_line(r: &LiveGrowth) -> String {
    format!(
        "{} of {} growing sites shown, {} together.",
        r.sites.len(),
        r.sites_total,
        bytes(r.growth)
    )
}

/// The one line of a section without sites.
const NOTHING_GREW: &str = "Live growth: no allocation site's live objects grew.";

/// The section for the terminal.
///
/// # Errors
/// When writing fails.
pub fn text(out: &mut dyn io::Write, r: &LiveGrowth) -> io::Result<()> {
    list(out, r, TERMINAL)
}

/// The section in Markdown.
///
/// # Errors
/// When writing fails.
pub fn markdown(out: &mut dyn io::Write, r: &LiveGrowth) -> io::Result<()> {
    list(out, r, MARKDOWN)
}

/// The sites, each with its classes and retainer paths, then the total.
fn list(out: &mut dyn io::Write, r: &LiveGrowth, style: ListStyle) -> io::Result<()> {
    let esc = style.esc;
    if r.sites.is_empty() {
        return writeln!(out, "{}\n", esc(NOTHING_GREW));
    }
    writeln!(out, "{}\n", style.heading(heading(r)))?;
    for (i, s) in r.sites.iter().enumerate() {
        writeln!(out, "{}{}", style.item(i + 1), site_line(r, s, esc))?;
        let sub = style.sub(i + 1);
        writeln!(out, "{sub}{}", classes_line(s, esc))?;
        for c in &s.clusters {
            writeln!(out, "{sub}{}", esc(&cluster_line(c)))?;
        }
    }
    writeln!(out, "\n{}\n", esc(&total_line(r)))
}

/// The section of the HTML report.
pub fn html(h: &mut Markup, r: &LiveGrowth) {
    h.raw("<h2>Live growth</h2>\n");
    if r.sites.is_empty() {
        h.element("p", NOTHING_GREW).newline();
        return;
    }
    h.element("p", heading(r)).newline();
    h.raw("<ol class=\"suspects\">\n");
    for s in &r.sites {
        h.raw("<li>").text(site_line(r, s, plain)).raw("\n<ul>");
        h.element("li", classes_line(s, plain));
        for c in &s.clusters {
            h.tag("li")
                .attr("class", "path")
                .open()
                .text(cluster_line(c))
                .end("li");
        }
        h.raw("</ul></li>\n");
    }
    h.raw("</ol>\n");
    h.element("p", total_line(r)).newline();
}

/// Text as it is: `Markup` escapes it.
fn plain(s: &str) -> String {
    s.to_string()
}
