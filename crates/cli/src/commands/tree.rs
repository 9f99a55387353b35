//! `heapdiff tree FILE [--bottom-up]`.

use anyhow::Context as _;
use heapdiff_analyzer as analyzer;
use heapdiff_renderer as renderer;

use crate::Outcome;
use crate::args::{Format, TreeArgs};
use crate::context::Context;

pub(crate) fn run(a: &TreeArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    super::refuse(
        a.top.is_some() && !a.bottom_up,
        "--top",
        "limits the functions of --bottom-up; the top-down tree is cut by --threshold and --depth",
    )?;
    super::refuse(
        a.threshold.is_some() && a.bottom_up,
        "--threshold",
        "cuts the top-down tree; --bottom-up shows its --top functions",
    )?;
    super::refuse(
        a.bottom_up && matches!(a.format, Format::Csv | Format::Markdown),
        &format!(
            "--format {}",
            if a.format == Format::Csv {
                "csv"
            } else {
                "markdown"
            }
        ),
        "is not made for --bottom-up (a tree of callers); use table or json",
    )?;
    let (loaded, tree) = super::load_selected(&a.file, ctx, &a.timeline, &a.select)?;
    let p = &loaded.profile;
    let text = ctx.text;
    if a.bottom_up {
        let opts = analyzer::BottomUpOptions {
            limit: Some(a.top.unwrap_or(25)).filter(|&n| n > 0),
            max_depth: a.depth.map(|d| d as usize),
        };
        let report = analyzer::bottom_up(p, &tree, &opts);
        return crate::output::to_stdout(|out| match a.format {
            Format::Table | Format::Markdown | Format::Csv => {
                // Markdown and CSV were refused above.
                renderer::table::bottom_up(out, &report, text)
            }
            Format::Json => renderer::json::write(out, &report),
        })
        .map(|()| Outcome::Success);
    }
    let opts = analyzer::TreeOptions {
        max_depth: a.depth,
        min_total_permille: permille(a.threshold.as_deref().unwrap_or("0.5"))?,
    };
    let report = analyzer::top_down(p, &tree, &opts);
    crate::output::to_stdout(|out| match a.format {
        Format::Table => renderer::table::tree(out, &report, text),
        Format::Csv => renderer::csv::tree(out, &report),
        Format::Json => renderer::json::write(out, &report),
        Format::Markdown => renderer::markdown::tree(out, &report),
    })?;
    Ok(Outcome::Success)
}

/// `0.5` (percent) as thousandths of a percent, without floating point.
fn permille(text: &str) -> anyhow::Result<u32> {
    let t = text.trim().trim_end_matches('%');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let parse = || -> Option<u32> {
        if frac.len() > 3 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let i: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let f: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<3}").parse().ok()?
        };
        i.checked_mul(1000)?
            .checked_add(f)
            .filter(|&v| v <= 100_000)
    };
    parse().with_context(|| format!("--threshold `{text}` is not a percentage between 0 and 100"))
}
