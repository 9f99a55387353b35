//! The HTML report (`--report out.html`): one self-contained file, no
//! network access (a Content-Security-Policy forbids every fetch), with an
//! interactive differential flame graph (click to zoom, search), sortable
//! tables and the summary.
//!
//! Untrusted strings never become markup: tables are written here with
//! XML escaping, and the flame graph's data is embedded as JSON inside a
//! `<script type="application/json">` block with `<`, `>` and `&` escaped,
//! then drawn by the page's script with `textContent` only.

use std::io;

use heapdiff_analyzer::report_doc::{InputInfo, ReportBody, ReportDocument};
use heapdiff_analyzer::snapshot::CompareReport;
use heapdiff_analyzer::{DiffRow, Status};

use crate::diff_row::{change_text, change_value, status_text};
use crate::escape::xml;
use crate::units::{bytes, delta_percent, signed_bytes};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Writes the whole report.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn io::Write, doc: &ReportDocument) -> io::Result<()> {
    let mut h = String::with_capacity(256 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    h.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        xml(&doc.title)
    ));
    h.push_str(&format!("<h1>{}</h1>\n", xml(&doc.title)));
    if let Some(c) = &doc.check {
        let verdict = if c.passed {
            "<p class=\"pass\">Check passed: no budget exceeded.</p>"
        } else {
            "<p class=\"fail\">Check failed.</p>"
        };
        h.push_str(verdict);
        if !c.violations.is_empty() {
            h.push_str("<table class=\"sortable\"><thead><tr><th>Scope</th><th>Name</th><th>Before</th><th>After</th><th>Budget</th></tr></thead><tbody>\n");
            for v in &c.violations {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td></tr>\n",
                    xml(&v.scope),
                    xml(&v.name),
                    v.before,
                    bytes(v.before),
                    v.after,
                    bytes(v.after),
                    xml(&v.limit)
                ));
            }
            h.push_str("</tbody></table>\n");
        }
    }
    match &doc.body {
        ReportBody::Profile {
            totals,
            growers,
            shrinkers,
            new,
            gone,
            flame,
            ..
        } => {
            h.push_str(&format!(
                "<p class=\"totals\">Total: {} → {} (<b>{}</b>{}); {} rows, {} new, {} gone.</p>\n",
                bytes(totals.before),
                bytes(totals.after),
                signed_bytes(totals.delta),
                delta_percent(totals.delta, totals.before)
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default(),
                totals.rows,
                totals.new_rows,
                totals.gone_rows
            ));
            inputs(&mut h, &doc.inputs);
            if let Some(tree) = flame {
                h.push_str(concat!(
                    "<h2>Differential flame graph</h2>\n",
                    "<div class=\"controls\"><input id=\"search\" type=\"search\" placeholder=\"Search functions (regular expression)\" aria-label=\"search\">",
                    "<button id=\"reset\" type=\"button\">Reset zoom</button><span id=\"matches\"></span></div>\n",
                    "<div class=\"legend\"><span class=\"k grew\"></span>grew <span class=\"k new\"></span>new <span class=\"k shrank\"></span>shrank ",
                    "<span class=\"k gone\"></span>gone <span class=\"k same\"></span>unchanged — width = max(before, after); click a frame to zoom</div>\n",
                    "<div id=\"flame\" class=\"flame\"></div>\n<div id=\"tip\" class=\"tip\" hidden></div>\n"
                ));
                let data = FlameData {
                    nodes: &tree.nodes,
                    fill: crate::diff_flame::fills(tree),
                };
                let json = serde_json::to_string(&data).map_err(io::Error::other)?;
                h.push_str("<script id=\"flame-data\" type=\"application/json\">");
                h.push_str(&script_safe(&json));
                h.push_str("</script>\n");
            }
            rows(&mut h, "Top growers", growers);
            rows(&mut h, "New", new);
            rows(&mut h, "Gone", gone);
            rows(&mut h, "Top shrinkers", shrinkers);
        }
        ReportBody::Snapshot { comparison } => snapshot(&mut h, comparison, &doc.inputs),
        ReportBody::Trend { trend, .. } => {
            inputs(&mut h, &doc.inputs);
            crate::trend::report_html(&mut h, trend);
        }
    }
    if !doc.warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in &doc.warnings {
            h.push_str(&format!("<li>{}</li>\n", xml(w)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(&format!(
        "<h2>Reproduce</h2>\n<pre>{}</pre>\n",
        xml(&doc.command)
    ));
    h.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
    out.write_all(h.as_bytes())
}

/// JSON made safe inside a `<script>` element: no `</script>`, no HTML
/// comment openers, no line separators that end JavaScript strings.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn inputs(h: &mut String, list: &[InputInfo]) {
    h.push_str("<h2>Inputs</h2>\n<table><thead><tr><th>File</th><th>Kind</th><th>Size</th><th>SHA-256</th><th>Details</th></tr></thead><tbody>\n");
    for i in list {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} ({} bytes)</td><td><code>{}</code></td><td>{}</td></tr>\n",
            xml(&i.name),
            xml(&i.kind),
            bytes(i.bytes),
            i.bytes,
            xml(&i.sha256),
            xml(&i.detail)
        ));
    }
    h.push_str("</tbody></table>\n");
}

/// The interactive flame graph's data: the union tree and each frame's
/// fill colour, made by the same rule as the SVG's.
#[derive(serde::Serialize)]
struct FlameData<'a> {
    nodes: &'a [heapdiff_analyzer::FlameNode],
    fill: Vec<String>,
}

/// The Δ % column's sort key: new rows above every growth, gone rows at
/// −100 %, as the cells read.
fn percent_sort_key(r: &DiffRow) -> String {
    match (r.status, change_value(r.status, r.delta, r.before)) {
        (Status::New, _) => "1e300".to_string(),
        (Status::Gone, _) => "-100".to_string(),
        (_, Some(v)) => format!("{v:.3}"),
        (_, None) => "0".to_string(),
    }
}

fn rows(h: &mut String, title: &str, list: &[DiffRow]) {
    if list.is_empty() {
        return;
    }
    h.push_str(&format!(
        "<h2>{}</h2>\n<table class=\"sortable\"><thead><tr><th>Before</th><th>After</th><th>Δ</th><th>Δ %</th><th>Status</th><th>Name</th><th>Location</th></tr></thead><tbody>\n",
        xml(title)
    ));
    for r in list {
        let pct = change_text(r.status, r.delta, r.before);
        let status = status_text(r);
        h.push_str(&format!(
            "<tr><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td class=\"{status}\">{status}</td><td>{}</td><td>{}</td></tr>\n",
            r.before,
            bytes(r.before),
            r.after,
            bytes(r.after),
            r.delta,
            signed_bytes(r.delta),
            percent_sort_key(r),
            xml(&pct),
            xml(&r.name),
            xml(&crate::table::location(&r.url, r.line, r.column))
        ));
    }
    h.push_str("</tbody></table>\n");
}

fn snapshot(h: &mut String, c: &CompareReport, list: &[InputInfo]) {
    let d = i64::try_from(i128::from(c.total_after) - i128::from(c.total_before)).unwrap_or(0);
    h.push_str(&format!(
        "<p class=\"totals\">Total: {} → {} (<b>{}</b>); {} classes changed.</p>\n",
        bytes(c.total_before),
        bytes(c.total_after),
        signed_bytes(d),
        c.classes.len()
    ));
    if c.different_processes {
        h.push_str("<p class=\"fail\">Few object ids are shared: these snapshots look like they come from different processes.</p>\n");
    }
    inputs(h, list);
    h.push_str("<h2>Comparison by class</h2>\n<table class=\"sortable\"><thead><tr><th># New</th><th># Deleted</th><th># Delta</th><th>Alloc. Size</th><th>Freed Size</th><th>Size Delta</th><th>Class</th></tr></thead><tbody>\n");
    for r in &c.classes {
        h.push_str(&format!(
            "<tr><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{:+}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td></tr>\n",
            r.new, r.new, r.deleted, r.deleted, r.delta, r.delta, r.alloc_size, bytes(r.alloc_size), r.freed_size,
            bytes(r.freed_size), r.size_delta, signed_bytes(r.size_delta), xml(&r.name)
        ));
    }
    h.push_str("</tbody></table>\n");
    if !c.allocated_between.is_empty() {
        h.push_str("<h2>Allocated between the snapshots and still alive</h2>\n<table class=\"sortable\"><thead><tr><th>Retained</th><th>Shallow</th><th>Count</th><th>Class</th><th>Kept alive by</th></tr></thead><tbody>\n");
        for g in &c.allocated_between {
            let path = g
                .retainer_path
                .iter()
                .map(|s| {
                    format!("{} {} @{}", s.edge, s.class, s.id)
                        .trim()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" → ");
            h.push_str(&format!(
                "<tr><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td><td class=\"path\">{}</td></tr>\n",
                g.retained_size,
                bytes(g.retained_size),
                g.self_size,
                bytes(g.self_size),
                g.count,
                g.count,
                xml(&g.name),
                xml(&path)
            ));
        }
        h.push_str("</tbody></table>\n");
    }
}
