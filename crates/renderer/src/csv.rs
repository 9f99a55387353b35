//! CSV (RFC 4180) for spreadsheets and scripts: one header row, exact
//! byte counts, fields quoted when needed. Text from a profile that a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) gets a leading `'`.

use std::io;

use heapdiff_analyzer::snapshot::{Change, CompareReport, Origin, SummaryReport};
use heapdiff_analyzer::timeline::{AllocationReport, Intervals};
use heapdiff_analyzer::{DiffReport, Function, TopReport, TreeReport};

/// A text field from a profile: quoted if needed, formula triggers defused.
pub(crate) fn text(s: &str) -> String {
    // Invisible characters other than line breaks and tabs (which quoting
    // handles) are made visible, so that printing the file cannot drive a
    // terminal or reorder its text.
    let mut visible = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => visible.push(c),
            c if crate::escape::invisible(c) => crate::escape::push_visible(&mut visible, c),
            c => visible.push(c),
        }
    }
    let s = visible;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A row's function as four fields: name, URL, line, column.
pub(crate) fn function(f: &Function) -> String {
    format!(
        "{},{},{},{}",
        text(&f.name),
        text(&f.url),
        opt(f.line),
        opt(f.column)
    )
}

pub(crate) fn opt(v: Option<u32>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// `top` as CSV.
///
/// # Errors
/// When writing fails.
pub fn top(out: &mut dyn io::Write, r: &TopReport) -> io::Result<()> {
    writeln!(out, "name,url,line,column,self,total,samples,stack")?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{},{}",
            function(&row.function),
            row.self_bytes,
            row.total,
            row.samples,
            text(&row.stack.join(";"))
        )?;
    }
    Ok(())
}

/// `tree` as CSV.
///
/// # Errors
/// When writing fails.
pub fn tree(out: &mut dyn io::Write, r: &TreeReport) -> io::Result<()> {
    writeln!(out, "depth,name,url,line,column,self,total")?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{}",
            row.depth,
            function(&row.function),
            row.self_bytes,
            row.total
        )?;
    }
    Ok(())
}

/// A profile diff as CSV.
///
/// # Errors
/// When writing fails.
pub fn diff(out: &mut dyn io::Write, r: &DiffReport) -> io::Result<()> {
    writeln!(
        out,
        "name,url,line,column,before,after,delta,status,noise,total_before,total_after,stack"
    )?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            function(&row.function),
            row.before,
            row.after,
            row.delta,
            row.status.as_str(),
            row.noise,
            row.total_before,
            row.total_after,
            text(&row.stack.join(";"))
        )?;
    }
    Ok(())
}

/// A class's source position as three fields (URL, line, column), empty
/// when there is none.
pub(crate) fn source(o: &Origin) -> String {
    o.source.as_ref().map_or_else(
        || ",,".to_string(),
        |s| format!("{},{},{}", text(&s.url), s.line, s.column),
    )
}

/// The change columns' names.
pub(crate) const CHANGE_HEADER: &str = "new,deleted,delta,alloc_size,freed_size,size_delta";

/// The change columns' fields: exact counts and bytes.
pub(crate) fn change(c: &Change) -> String {
    format!(
        "{},{},{},{},{},{}",
        c.new, c.deleted, c.delta, c.alloc_size, c.freed_size, c.size_delta
    )
}

/// `summary` as CSV.
///
/// # Errors
/// When writing fails.
pub fn summary(out: &mut dyn io::Write, r: &SummaryReport) -> io::Result<()> {
    writeln!(
        out,
        "name,key,count,self_size,retained_size,distance,source_url,source_line,source_column"
    )?;
    for c in &r.classes {
        let d = c.distance.map_or_else(String::new, |d| d.to_string());
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            text(&c.name),
            text(&c.key),
            c.count,
            c.self_size,
            c.retained_size,
            d,
            source(&c.origin)
        )?;
    }
    Ok(())
}

/// A snapshot comparison as CSV.
///
/// # Errors
/// When writing fails.
pub fn compare(out: &mut dyn io::Write, r: &CompareReport) -> io::Result<()> {
    writeln!(
        out,
        "name,key,{CHANGE_HEADER},source_url,source_line,source_column"
    )?;
    for c in &r.classes {
        writeln!(
            out,
            "{},{},{},{}",
            text(&c.name),
            text(&c.key),
            change(&c.change),
            source(&c.origin)
        )?;
    }
    Ok(())
}

/// DevTools' Allocation view as CSV.
///
/// # Errors
/// When writing fails.
pub fn allocation(out: &mut dyn io::Write, r: &AllocationReport) -> io::Result<()> {
    writeln!(out, "name,url,line,column,count,size,live_count,live_size")?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{},{}",
            function(&row.function),
            row.count,
            row.size,
            row.live_count,
            row.live_size
        )?;
    }
    Ok(())
}

/// Timeline intervals as CSV.
///
/// # Errors
/// When writing fails.
pub fn intervals(out: &mut dyn io::Write, iv: &Intervals) -> io::Result<()> {
    writeln!(out, "time_ms,last_id,live_bytes")?;
    for i in 0..iv.sizes.len() {
        writeln!(
            out,
            "{},{},{}",
            iv.timestamps_ms[i], iv.last_ids[i], iv.sizes[i]
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(text("x\u{202e}y\u{85}"), "x\\u{202e}y\\u{85}");
    }
}
