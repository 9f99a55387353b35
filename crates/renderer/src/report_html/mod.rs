//! The HTML report (`--report out.html`): one self-contained file, no
//! network access (a Content-Security-Policy forbids every fetch), with an
//! interactive differential flame graph (click to zoom, search), sortable
//! tables and the summary.
//!
//! Untrusted strings never become markup: the page is written through
//! `markup::Markup`, which escapes every text and attribute value, and the
//! flame graph's data is embedded as JSON inside a
//! `<script type="application/json">` block with `<`, `>` and `&` escaped,
//! then drawn by the page's script with `textContent` only. Its names show
//! invisible characters as visible escapes, as the tables do.

use std::io;

use heapdiff_analyzer::report_doc::{CheckSection, InputInfo, ReportBody, ReportDocument};
use heapdiff_analyzer::snapshot::{Change, CompareReport, Origin, PathStep};
use heapdiff_analyzer::{DiffRow, DiffTotals, FlameNode, FlameTree, Status};

use crate::diff_row::{change_text, change_value, status_text};
use crate::escape::visible;
use crate::markup::{Markup, Value};
use crate::units::{bytes, delta_percent, signed_bytes};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Writes the whole report.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn io::Write, doc: &ReportDocument) -> io::Result<()> {
    let mut h = Markup::with_capacity(256 * 1024);
    head(&mut h, &doc.title);
    h.element("h1", &doc.title).newline();
    if let Some(c) = &doc.check {
        check(&mut h, c);
    }
    match &doc.body {
        ReportBody::Profile {
            totals,
            growers,
            shrinkers,
            new,
            gone,
            flame,
            live_growth,
            ..
        } => {
            profile_totals(&mut h, totals);
            inputs(&mut h, &doc.inputs);
            if let Some(growth) = live_growth {
                crate::live_growth::html(&mut h, growth);
            }
            if let Some(tree) = flame {
                flame_graph(&mut h, tree)?;
            }
            rows(&mut h, "Top growers", growers);
            rows(&mut h, "New", new);
            rows(&mut h, "Gone", gone);
            rows(&mut h, "Top shrinkers", shrinkers);
        }
        ReportBody::Snapshot { comparison } => snapshot(&mut h, comparison, &doc.inputs),
        ReportBody::ShallowSnapshot { comparison } => {
            inputs(&mut h, &doc.inputs);
            crate::shallow::html(&mut h, comparison);
        }
        ReportBody::Suspects { suspects } => {
            inputs(&mut h, &doc.inputs);
            crate::suspects::html(&mut h, suspects);
        }
        ReportBody::Trend { trend, .. } => {
            inputs(&mut h, &doc.inputs);
            crate::trend::report_html(&mut h, trend);
        }
        ReportBody::Leaks { leaks } => {
            inputs(&mut h, &doc.inputs);
            crate::leaks::html(&mut h, leaks);
        }
    }
    warnings(&mut h, &doc.warnings);
    h.raw("<h2>Reproduce</h2>\n<pre>")
        .text(&doc.command)
        .raw("</pre>\n");
    h.raw("<script>")
        .raw(SCRIPT)
        .raw("</script>\n</body>\n</html>\n");
    h.write_to(out)
}

/// From the doctype to `<body>`: the security policy, title and style.
fn head(h: &mut Markup, title: &str) {
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    h.element("title", title).newline();
    h.raw("<style>")
        .raw(STYLE)
        .raw("</style>\n</head>\n<body>\n");
}

/// `<td>text</td>`.
fn cell(h: &mut Markup, text: impl Value) {
    h.element("td", text);
}

/// A class's source position (`cache.js:32:14`), its whole URL as the
/// title; an empty cell when there is none.
fn source_cell(h: &mut Markup, o: &Origin) {
    match &o.source {
        Some(s) => {
            h.tag("td")
                .attr("title", &s.url)
                .open()
                .text(s.short())
                .end("td");
        }
        None => cell(h, ""),
    }
}

/// `<td data-v="key">text</td>`: a cell the page's script sorts by `key`.
pub(crate) fn sorted_cell(h: &mut Markup, key: impl Value, text: impl Value) {
    h.tag("td").attr("data-v", key).open().text(text).end("td");
}

/// The verdict of `heapdiff check` and the budgets exceeded.
fn check(h: &mut Markup, c: &CheckSection) {
    h.raw(if c.passed {
        "<p class=\"pass\">Check passed: no budget exceeded.</p>"
    } else {
        "<p class=\"fail\">Check failed.</p>"
    });
    if c.violations.is_empty() {
        return;
    }
    h.raw("<table class=\"sortable\"><thead><tr><th>Scope</th><th>Name</th><th>Before</th><th>After</th><th>Budget</th></tr></thead><tbody>\n");
    for v in &c.violations {
        h.raw("<tr>");
        cell(h, v.scope.name());
        cell(h, &v.name);
        sorted_cell(h, v.before, bytes(v.before));
        sorted_cell(h, v.after, bytes(v.after));
        cell(h, &v.limit);
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
}

/// The start of the totals line, `Total: before → after (Δ, % of change); `,
/// for the caller to finish.
fn totals_start<'a>(
    h: &'a mut Markup,
    before: u64,
    after: u64,
    delta: i64,
    percent: &str,
) -> &'a mut Markup {
    h.raw("<p class=\"totals\">Total: ")
        .text(bytes(before))
        .raw(" → ")
        .text(bytes(after))
        .raw(" (")
        .element("b", signed_bytes(delta))
        .text(percent)
        .raw("); ")
}

fn profile_totals(h: &mut Markup, totals: &DiffTotals) {
    let percent = delta_percent(totals.delta, totals.before)
        .map(|p| format!(", {p}"))
        .unwrap_or_default();
    totals_start(h, totals.before, totals.after, totals.delta, &percent)
        .text(totals.rows)
        .raw(" rows, ")
        .text(totals.new_rows)
        .raw(" new, ")
        .text(totals.gone_rows)
        .raw(" gone.</p>\n");
}

/// The interactive flame graph: its controls, and its data as JSON for
/// the page's script, which draws names with `textContent` only.
fn flame_graph(h: &mut Markup, tree: &FlameTree) -> io::Result<()> {
    h.raw(concat!(
        "<h2>Differential flame graph</h2>\n",
        "<div class=\"controls\"><input id=\"search\" type=\"search\" placeholder=\"Search functions (regular expression)\" aria-label=\"search\">",
        "<button id=\"reset\" type=\"button\">Reset zoom</button><span id=\"matches\"></span></div>\n",
        "<div class=\"legend\"><span class=\"k grew\"></span>grew <span class=\"k new\"></span>new <span class=\"k shrank\"></span>shrank ",
        "<span class=\"k gone\"></span>gone <span class=\"k same\"></span>unchanged — width = max(before, after); click a frame to zoom</div>\n",
        "<div id=\"flame\" class=\"flame\"></div>\n<div id=\"tip\" class=\"tip\" hidden></div>\n"
    ));
    let data = FlameData {
        nodes: tree.nodes.iter().map(shown).collect(),
        fill: crate::diff_flame::fills(tree),
    };
    let json = serde_json::to_string(&data).map_err(io::Error::other)?;
    h.raw("<script id=\"flame-data\" type=\"application/json\">")
        .json_in_script(&json)
        .raw("</script>\n");
    Ok(())
}

fn warnings(h: &mut Markup, list: &[String]) {
    if list.is_empty() {
        return;
    }
    h.raw("<h2>Warnings</h2>\n<ul>\n");
    for w in list {
        h.element("li", w).newline();
    }
    h.raw("</ul>\n");
}

fn inputs(h: &mut Markup, list: &[InputInfo]) {
    h.raw("<h2>Inputs</h2>\n<table><thead><tr><th>File</th><th>Kind</th><th>Size</th><th>SHA-256</th><th>Details</th></tr></thead><tbody>\n");
    for i in list {
        h.raw("<tr>");
        cell(h, &i.name);
        cell(h, &i.kind);
        h.raw("<td>")
            .text(bytes(i.bytes))
            .raw(" (")
            .text(i.bytes)
            .raw(" bytes)</td><td>")
            .element("code", &i.sha256)
            .raw("</td>");
        cell(h, &i.detail);
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
}

/// The interactive flame graph's data: the union tree and each frame's
/// fill colour, made by the same rule as the SVG's.
#[derive(serde::Serialize)]
struct FlameData {
    nodes: Vec<FlameNode>,
    fill: Vec<String>,
}

/// A frame as the page shows it: its name and location with invisible
/// characters (controls, bidirectional overrides) made visible, as in the
/// tables and the SVG.
fn shown(n: &FlameNode) -> FlameNode {
    FlameNode {
        name: visible(&n.name),
        location: visible(&n.location),
        ..n.clone()
    }
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

fn rows(h: &mut Markup, title: &str, list: &[DiffRow]) {
    if list.is_empty() {
        return;
    }
    h.element("h2", title).newline();
    h.raw("<table class=\"sortable\"><thead><tr><th>Before</th><th>After</th><th>Δ</th><th>Δ %</th><th>Status</th><th>Name</th><th>Location</th></tr></thead><tbody>\n");
    for r in list {
        let status = status_text(r);
        h.raw("<tr>");
        sorted_cell(h, r.before, bytes(r.before));
        sorted_cell(h, r.after, bytes(r.after));
        sorted_cell(h, r.delta, signed_bytes(r.delta));
        sorted_cell(
            h,
            percent_sort_key(r),
            change_text(r.status, r.delta, r.before),
        );
        h.tag("td")
            .attr("class", status)
            .open()
            .text(status)
            .end("td");
        cell(h, &r.name);
        cell(h, crate::table::location(&r.url, r.line, r.column));
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
}

fn snapshot(h: &mut Markup, c: &CompareReport, list: &[InputInfo]) {
    let d = i64::try_from(i128::from(c.total_after) - i128::from(c.total_before)).unwrap_or(0);
    totals_start(h, c.total_before, c.total_after, d, "")
        .text(c.classes.len())
        .raw(" classes changed.</p>\n");
    if c.different_processes {
        h.raw("<p class=\"fail\">Warning: ")
            .text(crate::snapshot::DIFFERENT_PROCESSES)
            .raw(".</p>\n");
    }
    inputs(h, list);
    suspects(h, c);
    comparison(h, c);
    allocated_between(h, c);
}

/// The start of a ranked list item: `#1 <b>class</b> (file:line:col)`,
/// the full URL as the position's tooltip.
pub(crate) fn ranked_class(h: &mut Markup, rank: usize, class: &str, origin: &Origin) {
    h.raw("<li>#")
        .text(rank)
        .raw(" <b>")
        .text(class)
        .raw("</b>");
    if let Some(at) = &origin.source {
        h.raw(" (");
        h.tag("span")
            .attr("title", &at.url)
            .open()
            .text(at.short())
            .end("span");
        h.raw(")");
    }
}

/// One retainer path as an item of a suspect's or a leak's list: the
/// path's text (`edge Class @id → …`), `prefix` before it (a cluster's
/// count).
pub(crate) fn path_item(h: &mut Markup, prefix: &str, path: &[PathStep]) {
    h.tag("li")
        .attr("class", "path")
        .open()
        .text(format!("{prefix}{}", crate::snapshot::path_text(path)))
        .end("li");
}

/// The leak suspects, most likely first, each with its retainer path
/// clusters, and how much of the growth they explain.
fn suspects(h: &mut Markup, c: &CompareReport) {
    let Some(explain) = crate::snapshot::suspects_explain(c) else {
        return;
    };
    let intro = crate::snapshot::suspects_intro(c);
    h.raw("<h2>Suspects</h2>\n<p>")
        .text(format!("{}.", crate::capitalised(intro)))
        .raw("</p>\n<ul class=\"suspects\">\n");
    for (i, s) in c.suspects.iter().enumerate() {
        ranked_class(h, i + 1, &s.class, &s.origin);
        h.raw(": ")
            .text(crate::snapshot::suspect_count(s))
            .raw(", retaining ")
            .text(bytes(s.retained_size))
            .raw("\n<ul>");
        for k in &s.clusters {
            path_item(h, &format!("{} × ", k.count), &k.path);
        }
        h.raw("</ul></li>\n");
    }
    h.raw("</ul>\n<p>").text(explain).raw("</p>\n");
}

/// DevTools' Comparison view, one row per class.
fn comparison(h: &mut Markup, c: &CompareReport) {
    h.raw("<h2>Comparison by class</h2>\n<table class=\"sortable\"><thead><tr>");
    change_header(h);
    h.raw("<th>Class</th><th>Source</th></tr></thead><tbody>\n");
    for r in &c.classes {
        h.raw("<tr>");
        change_cells(h, &r.change);
        cell(h, &r.name);
        source_cell(h, &r.origin);
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
}

/// The change columns' titles.
fn change_header(h: &mut Markup) {
    for title in crate::snapshot::CHANGE_HEADER {
        h.element("th", title);
    }
}

/// The change columns' cells, each sorted by its exact value.
fn change_cells(h: &mut Markup, c: &Change) {
    let [new, deleted, delta, alloc, freed, size_delta] = crate::snapshot::change_cells(c);
    sorted_cell(h, c.new, new);
    sorted_cell(h, c.deleted, deleted);
    sorted_cell(h, c.delta, delta);
    sorted_cell(h, c.alloc_size, alloc);
    sorted_cell(h, c.freed_size, freed);
    sorted_cell(h, c.size_delta, size_delta);
}

/// The objects allocated between the snapshots and still alive, with what
/// keeps them alive.
fn allocated_between(h: &mut Markup, c: &CompareReport) {
    if c.allocated_between.is_empty() {
        return;
    }
    h.raw("<h2>Allocated between the snapshots and still alive</h2>\n<table class=\"sortable\"><thead><tr><th>Retained</th><th>Shallow</th><th>Count</th><th>Class</th><th>Source</th><th>Kept alive by</th></tr></thead><tbody>\n");
    for g in &c.allocated_between {
        let path = g
            .retainer_path
            .iter()
            .map(crate::snapshot::step_text)
            .collect::<Vec<_>>()
            .join(" → ");
        h.raw("<tr>");
        sorted_cell(h, g.retained_size, bytes(g.retained_size));
        sorted_cell(h, g.self_size, bytes(g.self_size));
        sorted_cell(h, g.count, g.count);
        cell(h, &g.name);
        source_cell(h, &g.origin);
        h.tag("td")
            .attr("class", "path")
            .open()
            .text(path)
            .end("td");
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
}
