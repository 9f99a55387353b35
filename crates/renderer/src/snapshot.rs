//! Heap snapshot views as terminal tables and Markdown: Summary,
//! Comparison, retainer paths, dominators.

use std::io;

use heapdiff_analyzer::snapshot::{
    Change, CompareReport, CompareRow, DominatorRow, DominatorsReport, Origin, PathStep,
    RetainersReport, SourcePosition, SpanTotals, SummaryReport, Suspect, SuspectBasis,
    SuspectCluster,
};

use crate::escape::{markdown as md, terminal as term};
use crate::table::{new_table, write_table};
use crate::units::{bytes, signed_bytes};

/// Whole percent, as DevTools' Summary shows it.
pub(crate) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "n/a".into();
    }
    let p = part as f64 / whole as f64 * 100.0;
    format!("{p:.0}%")
}

/// A class's source position as DevTools shows it (`cache.js:32:14`), or
/// nothing.
pub(crate) fn source(o: &Origin) -> String {
    o.source
        .as_ref()
        .map(SourcePosition::short)
        .unwrap_or_default()
}

/// A class's source position after its name (` (cache.js:32:14)`), through
/// `esc` (terminal or Markdown escaping), or nothing.
pub(crate) fn source_after_name(o: &Origin, esc: fn(&str) -> String) -> String {
    o.source
        .as_ref()
        .map(|p| format!(" ({})", esc(&p.short())))
        .unwrap_or_default()
}

/// The change columns' titles, as DevTools' Comparison view names them.
pub(crate) const CHANGE_HEADER: [&str; 6] = [
    "# New",
    "# Deleted",
    "# Delta",
    "Alloc. Size",
    "Freed Size",
    "Size Delta",
];

/// The change columns' cells, the same in a terminal and in Markdown.
pub(crate) fn change_cells(c: &Change) -> [String; 6] {
    [
        c.new.to_string(),
        c.deleted.to_string(),
        format!("{:+}", c.delta),
        bytes(c.alloc_size),
        bytes(c.freed_size),
        signed_bytes(c.size_delta),
    ]
}

/// The Comparison's columns: the change, then the class and its source.
fn compare_header() -> Vec<&'static str> {
    CHANGE_HEADER
        .into_iter()
        .chain(["Class", "Source"])
        .collect()
}

/// A Comparison row's cells, its text through `esc`.
fn compare_cells(r: &CompareRow, esc: fn(&str) -> String) -> Vec<String> {
    let mut cells = change_cells(&r.change).to_vec();
    cells.extend([esc(&r.name), esc(&source(&r.origin))]);
    cells
}

/// The Comparison's Markdown header and alignment lines.
pub(crate) fn compare_markdown_header() -> String {
    crate::markdown::header(&compare_header(), CHANGE_HEADER.len())
}

/// A Comparison row as a Markdown table line.
pub(crate) fn compare_markdown_row(r: &CompareRow) -> String {
    format!("| {} |", compare_cells(r, md).join(" | "))
}

fn distance(d: Option<i32>) -> String {
    d.map_or_else(|| "-".to_string(), |d| d.to_string())
}

/// `heapdiff summary` as a table.
///
/// # Errors
/// When writing fails.
pub fn summary_table(out: &mut dyn io::Write, r: &SummaryReport) -> io::Result<()> {
    let total = percent_base(r);
    let mut t = new_table(
        &[
            "Retained", "%", "Shallow", "%", "Count", "Distance", "Class", "Source",
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
            term(&source(&c.origin)),
        ]);
    }
    write_table(out, &t)?;
    let tot = &r.totals;
    writeln!(out)?;
    if let Some(span) = &tot.span {
        writeln!(out, "span: {}", span_text(r, span))?;
    }
    write!(
        out,
        "total {} in {} objects, {} edges",
        bytes(tot.total_size),
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
    let total = percent_base(r);
    writeln!(
        out,
        "| Retained | % | Shallow | % | Count | Distance | Class | Source |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---|---|")?;
    for c in &r.classes {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            bytes(c.retained_size),
            pct(c.retained_size, total),
            bytes(c.self_size),
            pct(c.self_size, total),
            c.count,
            distance(c.distance),
            md(&c.name),
            md(&source(&c.origin))
        )?;
    }
    writeln!(out)?;
    if let Some(span) = &r.totals.span {
        writeln!(out, "Span: {}.", span_text(r, span))?;
    }
    writeln!(
        out,
        "Total: {} in {} objects.",
        bytes(r.totals.total_size),
        r.totals.nodes
    )
}

/// What the class rows' percentages are of: the span's objects with
/// `--span`, the whole heap without.
fn percent_base(r: &SummaryReport) -> u64 {
    r.totals
        .span
        .map_or(r.totals.total_size, |span| span.self_size)
}

/// `823 kB in 9000 objects (22% of the heap)`: the objects of a span, which
/// the rows and their percentages are about.
fn span_text(r: &SummaryReport, span: &SpanTotals) -> String {
    format!(
        "{} in {} objects allocated in it and alive ({} of the heap); percentages are of the span",
        bytes(span.self_size),
        span.objects,
        pct(span.self_size, r.totals.total_size)
    )
}

/// One step of a path: `.name Class @id`, with `(file:line:col)` for a
/// closure whose source is known.
pub(crate) fn step_text(s: &PathStep) -> String {
    let object = object_text(&s.class, s.id, s.source.as_ref());
    if s.edge.is_empty() {
        object
    } else {
        format!("{} {object}", s.edge)
    }
}

/// `Class @id`, with `(file:line:col)` when the object's source is known.
fn object_text(class: &str, id: u64, source: Option<&SourcePosition>) -> String {
    match source {
        Some(at) => format!("{class} @{id} ({})", at.short()),
        None => format!("{class} @{id}"),
    }
}

pub(crate) fn path_text(path: &[PathStep]) -> String {
    path.iter().map(step_text).collect::<Vec<_>>().join(" → ")
}

/// How a list is written, in a terminal or in Markdown: the ranked lists
/// (suspects, leak clusters, live growth, retainer paths in Markdown) and
/// the lists under a heading (the Allocation view's `--retainers`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListStyle {
    /// Escapes text for the output.
    pub(crate) esc: fn(&str) -> String,
    /// A heading line: `Heading:` or `**Heading**`.
    heading: fn(&str) -> String,
    /// The start of the n-th item: `#1 ` or `1. `.
    item: fn(usize) -> String,
    /// The start of an item of a list without numbers (under a heading),
    /// and of a line under a numbered item.
    pub(crate) bullet: &'static str,
    /// Whether a line under a numbered item is indented by the width of
    /// the item's marker (Markdown: so that it stays inside item 10 and
    /// later too) rather than standing at the bullet alone.
    nested: bool,
}

/// Lists for a terminal.
pub(crate) const TERMINAL: ListStyle = ListStyle {
    esc: term,
    heading: |h| format!("{h}:"),
    item: |n| format!("#{n} "),
    bullet: "   ",
    nested: false,
};

/// Lists in Markdown.
pub(crate) const MARKDOWN: ListStyle = ListStyle {
    esc: md,
    heading: |h| format!("**{h}**"),
    item: |n| format!("{n}. "),
    bullet: "- ",
    nested: true,
};

impl ListStyle {
    /// The heading line.
    pub(crate) fn heading(&self, text: &str) -> String {
        (self.heading)(text)
    }

    /// The start of item `n` (from 1).
    pub(crate) fn item(&self, n: usize) -> String {
        (self.item)(n)
    }

    /// The start of a line under item `n` (from 1).
    pub(crate) fn sub(&self, n: usize) -> String {
        let indent = if self.nested { self.item(n).len() } else { 0 };
        format!("{}{}", " ".repeat(indent), self.bullet)
    }
}

/// What the suspects are, after "Suspects: " (or capitalised in HTML).
pub(crate) fn suspects_intro(r: &CompareReport) -> &'static str {
    match r.suspects_basis {
        SuspectBasis::NewObjects => {
            "new objects by class and source, ranked by the retained size they add"
        }
        SuspectBasis::GrownClasses => {
            "the snapshots share too few object ids to tell new objects from old, so these are the objects of the classes that grew, by class and source, ranked by the retained size they hold"
        }
    }
}

/// What `few object ids are shared` means for the report.
pub const DIFFERENT_PROCESSES: &str = "few object ids are shared (the snapshots come from different processes, or their producer numbers objects anew in every snapshot, as Bun does): New/Deleted counts mean little, suspects are the classes that grew, and which objects were allocated between the snapshots is not known";

/// A suspect's count: `464 new`, or with class growth `60000 objects
/// (+40000 since the base)`.
pub(crate) fn suspect_count(s: &Suspect) -> String {
    match s.class_growth {
        None => format!("{} new", s.count),
        Some(g) => format!("{} objects ({g:+} since the base)", s.count),
    }
}

/// One suspect's line: `RequestRecord (cache.js:32:14): 464 new, retaining
/// 569 kB`, through `esc` (terminal or Markdown escaping).
fn suspect_line(s: &Suspect, esc: fn(&str) -> String) -> String {
    let at = source_after_name(&s.origin, esc);
    format!(
        "{}{at}: {}, retaining {}",
        esc(&s.class),
        suspect_count(s),
        bytes(s.retained_size)
    )
}

/// How much of the growth the suspects explain, or `None` without
/// suspects.
pub(crate) fn suspects_explain(r: &CompareReport) -> Option<String> {
    let n = r.suspects.len();
    if n == 0 {
        return None;
    }
    let growth = i128::from(r.total_after) - i128::from(r.total_before);
    let share = match u64::try_from(growth) {
        // Old objects count too: a share of the growth would mislead.
        _ if r.suspects_basis == SuspectBasis::GrownClasses => format!(
            " (the heap grew by {})",
            signed_bytes(i64::try_from(growth).unwrap_or(i64::MAX))
        ),
        Ok(g) if g > 0 => format!(
            ", {} of the growth ({})",
            pct(r.suspects_retained, g),
            signed_bytes(i64::try_from(growth).unwrap_or(i64::MAX))
        ),
        _ => " (the total did not grow)".to_string(),
    };
    let what = if n == 1 {
        "The suspect retains".to_string()
    } else {
        format!("The {n} suspects retain")
    };
    Some(format!("{what} {}{share}.", bytes(r.suspects_retained)))
}

/// A cluster's line: how many objects follow the path, and the path.
fn cluster_line(c: &SuspectCluster) -> String {
    format!("{} × {}", c.count, path_text(&c.path))
}

/// The suspects section of a comparison, in a terminal or in Markdown.
pub(crate) fn suspects_list(
    out: &mut dyn io::Write,
    r: &CompareReport,
    style: ListStyle,
) -> io::Result<()> {
    let Some(explain) = suspects_explain(r) else {
        return Ok(());
    };
    writeln!(
        out,
        "{}\n",
        style.heading(&format!("Suspects: {}", suspects_intro(r)))
    )?;
    for (i, s) in r.suspects.iter().enumerate() {
        writeln!(out, "{}{}", style.item(i + 1), suspect_line(s, style.esc))?;
        for c in &s.clusters {
            writeln!(out, "{}{}", style.sub(i + 1), (style.esc)(&cluster_line(c)))?;
        }
    }
    writeln!(out, "\n{explain}\n")
}

/// A snapshot comparison as a table, plus the objects allocated between.
///
/// # Errors
/// When writing fails.
pub fn compare_table(out: &mut dyn io::Write, r: &CompareReport) -> io::Result<()> {
    if r.different_processes {
        writeln!(out, "warning: {DIFFERENT_PROCESSES}\n")?;
    }
    suspects_list(out, r, TERMINAL)?;
    let right: Vec<usize> = (0..CHANGE_HEADER.len()).collect();
    let mut t = new_table(&compare_header(), &right);
    for c in &r.classes {
        t.add_row(compare_cells(c, term));
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
                "Source",
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
                term(&source(&g.origin)),
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
    if r.different_processes {
        writeln!(out, "> **Warning:** {DIFFERENT_PROCESSES}.\n")?;
    }
    suspects_list(out, r, MARKDOWN)?;
    writeln!(out, "{}", compare_markdown_header())?;
    for c in &r.classes {
        writeln!(out, "{}", compare_markdown_row(c))?;
    }
    if !r.allocated_between.is_empty() {
        writeln!(
            out,
            "\n**Allocated between the snapshots and still alive**\n"
        )?;
        writeln!(out, "| Retained | Count | Class | Source | Kept alive by |")?;
        writeln!(out, "|---:|---:|---|---|---|")?;
        for g in &r.allocated_between {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                bytes(g.retained_size),
                g.count,
                md(&g.name),
                md(&source(&g.origin)),
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
    writeln!(out, "{}", retainers_intro(r, term))?;
    for (i, g) in r.groups.iter().enumerate() {
        writeln!(
            out,
            "\n#{} — {} object(s), retaining {}",
            i + 1,
            g.count,
            bytes(g.retained_size)
        )?;
        for (depth, s) in g.path.iter().enumerate() {
            writeln!(
                out,
                "  {}{}",
                "  ".repeat(depth.min(40)),
                term(&step_text(s))
            )?;
        }
    }
    unreachable_line(out, r)
}

/// The retainer paths in Markdown: one item a path shape, its path on one
/// line, root first.
///
/// # Errors
/// When writing fails.
pub fn retainers_markdown(out: &mut dyn io::Write, r: &RetainersReport) -> io::Result<()> {
    writeln!(out, "{}\n", retainers_intro(r, md))?;
    for (i, g) in r.groups.iter().enumerate() {
        writeln!(
            out,
            "{}{} object(s), retaining {}",
            MARKDOWN.item(i + 1),
            g.count,
            bytes(g.retained_size)
        )?;
        if !g.path.is_empty() {
            writeln!(
                out,
                "{}path: {}",
                MARKDOWN.sub(i + 1),
                md(&path_text(&g.path))
            )?;
        }
    }
    unreachable_line(out, r)
}

/// The first line of the retainer paths, the target escaped by `esc`.
fn retainers_intro(r: &RetainersReport, esc: fn(&str) -> String) -> String {
    format!(
        "{} object(s) of {}; shortest retainer paths from the GC roots:",
        r.objects,
        esc(&r.target)
    )
}

/// The line for the targets no strong path reaches, if there are any.
fn unreachable_line(out: &mut dyn io::Write, r: &RetainersReport) -> io::Result<()> {
    if r.unreachable == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "\n{} object(s) have no strong path from a root (weak references or cycles only)",
        r.unreachable
    )
}

/// The dominators view as a table.
///
/// # Errors
/// When writing fails.
pub fn dominators_table(out: &mut dyn io::Write, r: &DominatorsReport) -> io::Result<()> {
    let mut t = new_table(&DOMINATOR_COLUMNS, &[0, 1, 2]);
    for o in &r.objects {
        t.add_row(dominator_cells(o, r.total_size, term));
    }
    write_table(out, &t)?;
    writeln!(out, "\ntotal {}", bytes(r.total_size))
}

/// The dominators view as a Markdown table.
///
/// # Errors
/// When writing fails.
pub fn dominators_markdown(out: &mut dyn io::Write, r: &DominatorsReport) -> io::Result<()> {
    writeln!(out, "{}", crate::markdown::header(&DOMINATOR_COLUMNS, 3))?;
    for o in &r.objects {
        let cells = dominator_cells(o, r.total_size, md);
        writeln!(out, "{}", crate::markdown::row(&cells))?;
    }
    writeln!(out, "\nTotal: {}.", bytes(r.total_size))
}

/// The dominators view's columns; the first three are numbers.
const DOMINATOR_COLUMNS: [&str; 5] = ["Retained", "%", "Shallow", "Object", "Dominated by"];

/// One row of the dominators view, its text escaped by `esc`: the object's
/// dominators root first.
fn dominator_cells(o: &DominatorRow, total: u64, esc: fn(&str) -> String) -> Vec<String> {
    let chain = o
        .dominated_by
        .iter()
        .map(step_text)
        .collect::<Vec<_>>()
        .join(" > ");
    vec![
        bytes(o.retained_size),
        pct(o.retained_size, total),
        bytes(o.self_size),
        esc(&object_text(&o.class, o.id, o.source.as_ref())),
        esc(&chain),
    ]
}
