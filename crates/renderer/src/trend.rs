//! Trends over n profiles (`heapdiff trend`): the terminal table with a
//! sparkline column, CSV, Markdown, the small-multiples SVG chart of the
//! top rows, and the trend parts of the Markdown and HTML reports. Every
//! string from a profile is escaped for its format (`escape.rs`).

use std::io;

use comfy_table::{Cell, Color};
use heapdiff_analyzer::class_trend::SnapshotMeasure;
use heapdiff_analyzer::report_doc::InputInfo;
use heapdiff_analyzer::trend::{Series, TrendBy, TrendReport, TrendRow, TrendStep, Verdict};

use crate::TextOptions;
use crate::escape::{markdown as md, terminal as term};
use crate::markup::{Markup, Value};
use crate::units::{bytes, signed_bytes};

/// Rows drawn in the small-multiples chart.
pub const CHART_ROWS: usize = 12;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A row's values as a sparkline, lowest value `▁`, highest `█`; a
/// constant series sits in the middle (`▄`), or at the bottom when zero.
#[must_use]
pub fn sparkline(values: &[u64]) -> String {
    let (lo, hi) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    values
        .iter()
        .map(|&v| {
            if hi == lo {
                return if hi == 0 { BARS[0] } else { BARS[3] };
            }
            let level = u128::from(v - lo) * 7 / u128::from(hi - lo);
            BARS[usize::try_from(level).unwrap_or(7)]
        })
        .collect()
}

/// A value of the report's measure: objects for `--measure count`, else
/// bytes.
fn amount(r: &TrendReport, v: u64) -> String {
    if r.measure == Some(SnapshotMeasure::Count) {
        v.to_string()
    } else {
        bytes(v)
    }
}

fn signed_amount(r: &TrendReport, d: i64) -> String {
    if r.measure == Some(SnapshotMeasure::Count) {
        format!("{d:+}")
    } else {
        signed_bytes(d)
    }
}

/// What the values are, for the lines under a table and the chart.
fn measure_text(r: &TrendReport) -> &'static str {
    match r.measure {
        None => "self bytes",
        Some(SnapshotMeasure::Count) => "objects",
        Some(SnapshotMeasure::Shallow) => "shallow bytes",
        Some(SnapshotMeasure::Retained) => "retained bytes",
    }
}

/// Objects of a class first seen after the first snapshot and kept to the
/// last (snapshot trends only).
fn survived_text(row: &TrendRow) -> String {
    row.class
        .as_ref()
        .map_or_else(String::new, |c| c.survived.to_string())
}

/// `3/4`: steps grown beyond the noise, of all steps.
fn grown_text(r: &TrendReport, row: &TrendRow) -> String {
    format!("{}/{}", row.steps_grown, r.steps.len().saturating_sub(1))
}

/// The slope per step: bytes, or bytes per unit of work with `--ops`.
fn slope_text(r: &TrendReport, row: &TrendRow) -> String {
    if r.steps.iter().any(|s| s.ops.is_some()) {
        return format!("{:+.2} B/op", row.slope);
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = row.slope.round() as i64;
    signed_amount(r, whole)
}

fn r2_text(row: &TrendRow) -> String {
    row.r2
        .map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

/// The cells every text table shows before the name: verdict, steps grown,
/// first, last, net, slope, R² and the sparkline (no profile text).
fn judgement_cells(r: &TrendReport, row: &TrendRow) -> [String; 8] {
    [
        row.verdict.as_str().to_string(),
        grown_text(r, row),
        amount(r, row.first),
        amount(r, row.last),
        signed_amount(r, row.net),
        slope_text(r, row),
        r2_text(row),
        sparkline(&row.values),
    ]
}

fn verdict_color(v: Verdict) -> Option<Color> {
    match v {
        Verdict::GrowsEveryStep => Some(Color::Red),
        Verdict::Grows => Some(Color::Yellow),
        Verdict::OneOff | Verdict::Noisy => Some(Color::Blue),
        Verdict::Shrinks => Some(Color::Cyan),
        Verdict::Flat => None,
    }
}

/// The lines under every table: counts, what the inputs look like, and
/// how to read the numbers.
#[must_use]
pub fn summary_lines(r: &TrendReport) -> Vec<String> {
    let t = &r.totals;
    let shown = if r.rows.len() < t.rows {
        format!(", showing {}", r.rows.len())
    } else {
        String::new()
    };
    let series = match r.series {
        Series::Peeks => {
            "the inputs look like peeks of one recording (each keeps the previous one's samples)"
        }
        Series::Runs => "the inputs look like independent runs (sample numbers start over)",
        Series::Windows => {
            "the steps are time windows of one allocation timeline: live bytes allocated up to the end of each window (exact, no sampling noise)"
        }
        Series::Unknown => "too few samples to tell peeks of one recording from independent runs",
        Series::Snapshots => {
            "the steps are heap snapshots (exact numbers, the Summary's); objects are matched by id and class"
        }
    };
    let per_op = if r.steps.iter().any(|s| s.ops.is_some()) {
        ", divided by each step's --ops"
    } else {
        ""
    };
    let rule = if r.series == Series::Snapshots {
        let floor = match r.measure {
            Some(SnapshotMeasure::Count) => "1 object".to_string(),
            _ => bytes(heapdiff_analyzer::class_trend::BYTE_FLOOR),
        };
        format!(
            "a step grew (shrank) when it rose (fell) by at least 1 % of the larger value and at least {floor}; survived: objects first seen after the first snapshot and before the last that every later one holds"
        )
    } else {
        "a step grew (shrank) when it rose (fell) by more than 2 sampling errors".to_string()
    };
    vec![
        format!(
            "{} rows over {} steps: {} grow every step, {} grow, {} one-off, {} noisy, {} shrink, {} flat{shown}",
            t.rows,
            r.steps.len(),
            t.grows_every_step,
            t.grows,
            t.one_off,
            t.noisy,
            t.shrinks,
            t.flat
        ),
        series.to_string(),
        format!(
            "{} per step{per_op}; {rule}; slope: least squares per step",
            measure_text(r)
        ),
    ]
}

/// The trend as a terminal table.
///
/// # Errors
/// When writing fails.
pub fn table(out: &mut dyn io::Write, r: &TrendReport, opts: TextOptions) -> io::Result<()> {
    let classes = r.by == TrendBy::Class;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let mut cells = judgement_cells(r, row).to_vec();
            if classes {
                cells.push(survived_text(row));
            }
            cells.push(term(&row.function.name));
            cells.push(crate::table::place_cell(
                r.by.rows(),
                &row.function,
                &row.stack,
                opts,
            ));
            cells
        })
        .collect();
    let mut header = vec![
        "Verdict",
        "Grown",
        "First",
        "Last",
        "Net",
        "Slope/step",
        "R²",
        "Trend",
    ];
    if classes {
        header.push("Survived");
    }
    header.extend([row_label(r.by), crate::table::place_header(r.by.rows())]);
    let numeric: &[usize] = if classes {
        &[1, 2, 3, 4, 5, 6, 8]
    } else {
        &[1, 2, 3, 4, 5, 6]
    };
    let fitted: &[usize] = if classes { &[9, 10] } else { &[8, 9] };
    let t = crate::table::fitted_table(&header, numeric, rows, fitted, opts, |i, c, text| {
        match verdict_color(r.rows[i].verdict) {
            Some(color) if c == 0 && opts.color => Cell::new(text).fg(color),
            _ => Cell::new(text),
        }
    });
    crate::table::write_table(out, &t)?;
    writeln!(out)?;
    for line in summary_lines(r) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What a row stands for, as a column header.
fn row_label(by: TrendBy) -> &'static str {
    match by {
        TrendBy::Rows(by) => crate::table::row_label(by),
        TrendBy::Class => "Class",
    }
}

/// The trend as CSV: one line per row, every value and error.
///
/// # Errors
/// When writing fails.
pub fn csv(out: &mut dyn io::Write, r: &TrendReport) -> io::Result<()> {
    use crate::csv::text;
    let n = r.steps.len();
    let numbered = |what: &str| (1..=n).map(|i| format!("{what}_{i}")).collect::<Vec<_>>();
    let mut header = vec![
        "name",
        "url",
        "line",
        "column",
        "verdict",
        "steps_grown",
        "steps_shrunk",
        "first",
        "last",
        "net",
        "slope",
        "r2",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<_>>();
    header.extend(numbered("value"));
    header.extend(numbered("error"));
    let per_op = r.steps.iter().any(|s| s.ops.is_some());
    if per_op {
        header.extend(numbered("per_op"));
    }
    let classes = r.by == TrendBy::Class;
    if classes {
        for what in ["count", "shallow", "retained", "survivors"] {
            header.extend(numbered(what));
        }
        header.extend(["survived".to_string(), "key".to_string()]);
    }
    header.push("stack".to_string());
    writeln!(out, "{}", header.join(","))?;
    for row in &r.rows {
        let mut fields = vec![
            crate::csv::function(&row.function),
            row.verdict.as_str().to_string(),
            row.steps_grown.to_string(),
            row.steps_shrunk.to_string(),
            row.first.to_string(),
            row.last.to_string(),
            row.net.to_string(),
            row.slope.to_string(),
            row.r2.map_or_else(String::new, |v| v.to_string()),
        ];
        fields.extend(row.values.iter().map(u64::to_string));
        fields.extend(row.errors.iter().map(u64::to_string));
        if per_op {
            let rates = row.per_op.as_deref().unwrap_or_default();
            fields.extend(rates.iter().map(f64::to_string));
        }
        if let (true, Some(c)) = (classes, &row.class) {
            for series in [&c.count, &c.shallow, &c.retained, &c.survivors] {
                fields.extend(series.iter().map(u64::to_string));
            }
            fields.extend([c.survived.to_string(), text(&c.key)]);
        }
        fields.push(text(&row.stack.join(";")));
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

/// The rows as a Markdown table.
fn markdown_rows(out: &mut dyn io::Write, r: &TrendReport, rows: &[TrendRow]) -> io::Result<()> {
    let classes = r.by == TrendBy::Class;
    let (survived, align) = if classes {
        (" Survived |", "---:|")
    } else {
        ("", "")
    };
    writeln!(
        out,
        "| Verdict | Grown | First | Last | Net | Slope/step | R² | Trend |{survived} Name | Location |"
    )?;
    writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---|{align}---|---|"
    )?;
    for row in rows {
        let mut cells = judgement_cells(r, row).to_vec();
        if classes {
            cells.push(survived_text(row));
        }
        writeln!(
            out,
            "| {} | {} | {} |",
            cells.join(" | "),
            md(&row.function.name),
            crate::markdown::location(r.by.rows(), &row.function, &row.stack)
        )?;
    }
    Ok(())
}

/// `heapdiff trend --format markdown`.
///
/// # Errors
/// When writing fails.
pub fn markdown(out: &mut dyn io::Write, r: &TrendReport) -> io::Result<()> {
    markdown_rows(out, r, &r.rows)?;
    writeln!(out)?;
    for line in summary_lines(r) {
        writeln!(out, "_{}_\n", md(&line))?;
    }
    Ok(())
}

/// The cells of step `i`: number, input (its label through `escape`),
/// total, samples, interval, ops.
fn step_cells(i: usize, s: &TrendStep, escape: fn(&str) -> String) -> [String; 6] {
    [
        (i + 1).to_string(),
        escape(&s.label),
        bytes(s.total),
        s.samples.to_string(),
        s.interval.map_or_else(|| "–".to_string(), bytes),
        s.ops.map_or_else(|| "–".to_string(), |o| o.to_string()),
    ]
}

/// The steps (inputs in order) as a Markdown table.
fn markdown_steps(out: &mut dyn io::Write, r: &TrendReport) -> io::Result<()> {
    writeln!(out, "| Step | Input | Total | Samples | Interval | Ops |")?;
    writeln!(out, "|---:|---|---:|---:|---:|---:|")?;
    for (i, s) in r.steps.iter().enumerate() {
        writeln!(out, "| {} |", step_cells(i, s, md).join(" | "))?;
    }
    Ok(())
}

/// The trend part of the Markdown report: counts, the chart when `--chart`
/// wrote one (`chart`: its path relative to the report), steps, the first
/// rows and the rest folded.
///
/// # Errors
/// When writing fails.
pub fn report_markdown(
    out: &mut dyn io::Write,
    r: &TrendReport,
    inputs: &[InputInfo],
    chart: Option<&str>,
) -> io::Result<()> {
    let lines = summary_lines(r);
    writeln!(out, "**{}**\n", md(&lines[0]))?;
    writeln!(out, "{}\n", md(&lines[1]))?;
    if let Some(link) = chart {
        writeln!(
            out,
            "![Top rows, self bytes per step]({})\n",
            link_target(link)
        )?;
    }
    markdown_steps(out, r)?;
    writeln!(out)?;
    crate::report_md::write_inputs(out, inputs)?;
    let shown = r.rows.len().min(25);
    writeln!(out, "## Rows, most confident growth first\n")?;
    markdown_rows(out, r, &r.rows[..shown])?;
    if r.rows.len() > shown {
        writeln!(
            out,
            "\n<details><summary>{} more rows</summary>\n",
            r.rows.len() - shown
        )?;
        markdown_rows(out, r, &r.rows[shown..])?;
        writeln!(out, "\n</details>")?;
    }
    writeln!(out, "\n_{}_\n", md(&lines[2]))
}

/// A relative link made safe as a Markdown link target: `<…>` around it,
/// with the characters that would end it percent-encoded.
fn link_target(link: &str) -> String {
    let mut t = String::from("<");
    for c in link.chars() {
        match c {
            '<' | '>' | '\\' | '\n' | '\r' | ' ' | '(' | ')' => {
                t.push_str(&format!("%{:02X}", u32::from(c)))
            }
            c if c.is_control() => t.push_str(&format!("%{:02X}", u32::from(c))),
            c => t.push(c),
        }
    }
    t.push('>');
    t
}

/// The trend part of the HTML report: counts, steps, the small-multiples
/// chart and the sortable table of rows.
pub fn report_html(h: &mut Markup, r: &TrendReport) {
    let lines = summary_lines(r);
    h.tag("p")
        .attr("class", "totals")
        .open()
        .text(&lines[0])
        .end("p")
        .newline();
    h.element("p", &lines[1]).newline();
    h.raw("<h2>Steps</h2>\n<table><thead><tr><th>Step</th><th>Input</th><th>Total</th><th>Samples</th><th>Interval</th><th>Ops</th></tr></thead><tbody>\n");
    for (i, s) in r.steps.iter().enumerate() {
        h.raw("<tr>");
        for cell in step_cells(i, s, str::to_string) {
            h.element("td", cell);
        }
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n<h2>Top rows</h2>\n");
    h.fragment(&chart(r, CHART_ROWS));
    h.raw("<h2>Rows, most confident growth first</h2>\n<table class=\"sortable\"><thead><tr><th>Verdict</th><th>Grown</th><th>First</th><th>Last</th><th>Net</th><th>Slope/step</th><th>R²</th><th>Trend</th>");
    let classes = r.by == TrendBy::Class;
    if classes {
        h.raw("<th>Survived</th>");
    }
    h.raw("<th>Name</th><th>Location</th></tr></thead><tbody>\n");
    for row in &r.rows {
        h.raw("<tr>");
        h.element("td", row.verdict.as_str());
        sorted_cell(h, row.steps_grown, grown_text(r, row));
        sorted_cell(h, row.first, amount(r, row.first));
        sorted_cell(h, row.last, amount(r, row.last));
        sorted_cell(h, row.net, signed_amount(r, row.net));
        sorted_cell(h, row.slope, slope_text(r, row));
        h.element("td", r2_text(row));
        h.element("td", sparkline(&row.values));
        if let (true, Some(c)) = (classes, &row.class) {
            sorted_cell(h, c.survived, c.survived.to_string());
        }
        h.element("td", &row.function.name);
        h.element("td", place_text(r, row));
        h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.raw("<p><i>").text(&lines[2]).raw("</i></p>\n");
}

/// `<td data-v="key">text</td>`: a cell the page's script sorts by `key`.
fn sorted_cell(h: &mut Markup, key: impl Value, text: String) {
    h.tag("td").attr("data-v", key).open().text(text).end("td");
}

/// The location (or stack) of a row as plain text.
fn place_text(r: &TrendReport, row: &TrendRow) -> String {
    use heapdiff_analyzer::GroupBy;
    match r.by.rows() {
        GroupBy::Stack => row.stack.join(" > "),
        GroupBy::Function => crate::table::function_location(&row.function),
        GroupBy::Script | GroupBy::Package => String::new(),
    }
}

/// Fill of a verdict in the chart (Okabe–Ito colours, as the flame graphs).
fn verdict_fill(v: Verdict) -> &'static str {
    match v {
        Verdict::GrowsEveryStep => "#D55E00",
        Verdict::Grows => "#E69F00",
        Verdict::OneOff => "#0072B2",
        Verdict::Noisy => "#CC79A7",
        Verdict::Shrinks => "#56B4E9",
        Verdict::Flat => "#7F7F7F",
    }
}

const PANEL_W: u32 = 300;
const PANEL_H: u32 = 150;
const PANELS_PER_LINE: u32 = 3;
const PLOT_TOP: u32 = 42;
const PLOT_BOTTOM: u32 = 22;
const PLOT_LEFT: u32 = 14;
const PLOT_RIGHT: u32 = 14;
/// Characters of a row's name shown in its panel's title.
const TITLE_CHARS: usize = 40;

/// The small-multiples chart of the first `n` rows: one panel per row with
/// its self bytes at each step (a line through the points), each point's
/// sampling error as a bar of ±2 errors, the verdict and the range. Every
/// panel has its own scale from 0 to its highest point.
#[must_use]
pub fn chart(r: &TrendReport, n: usize) -> Markup {
    let rows = &r.rows[..r.rows.len().min(n)];
    let count = u32::try_from(rows.len()).unwrap_or(u32::MAX).max(1);
    let lines = count.div_ceil(PANELS_PER_LINE);
    let (w, h) = (PANEL_W * PANELS_PER_LINE.min(count), PANEL_H * lines + 24);
    let mut s = Markup::new();
    let view_box = format!("0 0 {w} {h}");
    s.tag("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("width", w)
        .attr("height", h)
        .attr("viewBox", view_box.as_str())
        .attr("font-family", "Verdana, sans-serif")
        .attr("font-size", 11)
        .open()
        .newline();
    s.tag("rect")
        .attr("width", w)
        .attr("height", h)
        .attr("fill", "#ffffff")
        .close()
        .newline();
    s.tag("text")
        .attr("x", 8)
        .attr("y", 16)
        .attr("font-size", 12)
        .open();
    let title = if r.series == Series::Snapshots {
        format!(
            "{} per step, top {} classes by confidence of growth",
            crate::capitalised(measure_text(r)),
            rows.len()
        )
    } else {
        format!(
            "Self bytes per step, top {} rows by confidence of growth (bars: ±2 sampling errors)",
            rows.len()
        )
    };
    s.text(title);
    s.end("text").newline();
    if rows.is_empty() {
        s.raw("<text x=\"8\" y=\"40\">no rows</text>\n");
    }
    for (i, row) in rows.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let (x0, y0) = (
            (i % PANELS_PER_LINE) * PANEL_W,
            24 + (i / PANELS_PER_LINE) * PANEL_H,
        );
        panel(&mut s, r, row, x0, y0);
    }
    s.raw("</svg>\n");
    s
}

/// One panel of the chart at (`x0`, `y0`): its frame and titles, then the
/// row's values drawn on the panel's own scale.
fn panel(s: &mut Markup, r: &TrendReport, row: &TrendRow, x0: u32, y0: u32) {
    let fill = verdict_fill(row.verdict);
    let translate = format!("translate({x0},{y0})");
    s.tag("g")
        .attr("transform", translate.as_str())
        .open()
        .newline();
    panel_titles(s, r, row, fill);
    let scale = PanelScale::of(row);
    scale.axis(s);
    scale.error_bars(s, row, fill);
    scale.line(s, row, fill);
    s.tag("text")
        .attr("x", PLOT_LEFT)
        .attr("y", PANEL_H - 6)
        .attr("fill", "#555555")
        .open();
    s.text("0").end("text").newline();
    s.tag("text")
        .attr("x", PANEL_W - PLOT_RIGHT)
        .attr("y", PANEL_H - 6)
        .attr("fill", "#555555")
        .attr("text-anchor", "end")
        .open();
    s.text(format!(
        "max {}, {} steps",
        amount(r, scale.top),
        row.values.len()
    ));
    s.end("text").newline();
    s.end("g").newline();
}

/// A panel's tooltip, frame, name (cut at [`TITLE_CHARS`]) and verdict line.
fn panel_titles(s: &mut Markup, r: &TrendReport, row: &TrendRow, fill: &'static str) {
    let mut title: String = row.function.name.chars().take(TITLE_CHARS).collect();
    if row.function.name.chars().count() > TITLE_CHARS {
        title.push('…');
    }
    s.element(
        "title",
        format!("{} {}", row.function.name, place_text(r, row)),
    )
    .newline();
    s.tag("rect")
        .attr("x", 4)
        .attr("y", 4)
        .attr("width", PANEL_W - 8)
        .attr("height", PANEL_H - 8)
        .attr("fill", "none")
        .attr("stroke", "#dddddd")
        .close()
        .newline();
    s.tag("text")
        .attr("x", PLOT_LEFT)
        .attr("y", 20)
        .attr("font-weight", "bold")
        .open();
    s.text(&title).end("text").newline();
    s.tag("text")
        .attr("x", PLOT_LEFT)
        .attr("y", 34)
        .attr("fill", fill)
        .open();
    s.text(format!(
        "{} ({}), {} → {}",
        row.verdict.as_str(),
        grown_text(r, row),
        amount(r, row.first),
        amount(r, row.last)
    ));
    s.end("text").newline();
}

/// A panel's plot area and scale: 0 to the row's highest point plus two
/// errors, steps spread evenly.
struct PanelScale {
    top: u64,
    /// Plot width and height.
    pw: u32,
    ph: u32,
    /// Steps between the first and last point (at least 1).
    steps: u32,
}

impl PanelScale {
    fn of(row: &TrendRow) -> Self {
        let top = row
            .values
            .iter()
            .zip(&row.errors)
            .map(|(&v, &e)| v.saturating_add(e.saturating_mul(2)))
            .max()
            .unwrap_or(0)
            .max(1);
        let steps = u32::try_from(row.values.len().saturating_sub(1))
            .unwrap_or(1)
            .max(1);
        Self {
            top,
            pw: PANEL_W - PLOT_LEFT - PLOT_RIGHT,
            ph: PANEL_H - PLOT_TOP - PLOT_BOTTOM,
            steps,
        }
    }

    fn x(&self, k: usize) -> u32 {
        PLOT_LEFT + self.pw * u32::try_from(k).unwrap_or(0) / self.steps
    }

    fn y(&self, v: u64) -> u32 {
        let scaled = u128::from(v.min(self.top)) * u128::from(self.ph) / u128::from(self.top);
        PLOT_TOP + self.ph - u32::try_from(scaled).unwrap_or(self.ph)
    }

    /// The zero line.
    fn axis(&self, s: &mut Markup) {
        s.tag("line")
            .attr("x1", PLOT_LEFT)
            .attr("y1", PLOT_TOP + self.ph)
            .attr("x2", PLOT_LEFT + self.pw)
            .attr("y2", PLOT_TOP + self.ph)
            .attr("stroke", "#999999")
            .close()
            .newline();
    }

    /// Each point's ±2 sampling errors as a bar.
    fn error_bars(&self, s: &mut Markup, row: &TrendRow, fill: &'static str) {
        for (k, (&v, &e)) in row.values.iter().zip(&row.errors).enumerate() {
            let lo = v.saturating_sub(e.saturating_mul(2));
            let hi = v.saturating_add(e.saturating_mul(2));
            s.tag("line")
                .attr("x1", self.x(k))
                .attr("y1", self.y(lo))
                .attr("x2", self.x(k))
                .attr("y2", self.y(hi))
                .attr("stroke", fill)
                .attr("stroke-opacity", "0.45")
                .attr("stroke-width", 5)
                .close()
                .newline();
        }
    }

    /// The values as a line through dots.
    fn line(&self, s: &mut Markup, row: &TrendRow, fill: &'static str) {
        let points: Vec<String> = row
            .values
            .iter()
            .enumerate()
            .map(|(k, &v)| format!("{},{}", self.x(k), self.y(v)))
            .collect();
        s.tag("polyline")
            .attr("points", points.join(" ").as_str())
            .attr("fill", "none")
            .attr("stroke", fill)
            .attr("stroke-width", 2)
            .close()
            .newline();
        for (k, &v) in row.values.iter().enumerate() {
            s.tag("circle")
                .attr("cx", self.x(k))
                .attr("cy", self.y(v))
                .attr("r", "2.5")
                .attr("fill", fill)
                .close()
                .newline();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparklines_span_the_row_range() {
        assert_eq!(sparkline(&[0, 7, 14]), "▁▄█");
        assert_eq!(sparkline(&[5, 5, 5]), "▄▄▄");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
        assert_eq!(sparkline(&[10, 0]), "█▁");
    }
}
