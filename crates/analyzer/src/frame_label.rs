//! How a frame is named in every output: DevTools' display rules (formats
//! §4.3): an empty name shows as `(anonymous)`, positions show 1-based.

/// The name DevTools displays for a function name.
#[must_use]
pub fn display_name(name: &str) -> &str {
    if name.is_empty() { "(anonymous)" } else { name }
}

/// `url:line:column`, 1-based as DevTools displays it; the URL alone when
/// the position is unknown; `""` when there is no URL.
#[must_use]
pub fn frame_location(url: &str, line: i32, column: i32) -> String {
    match (url.is_empty(), line >= 0, column >= 0) {
        (true, _, _) => String::new(),
        (false, true, true) => format!("{url}:{}:{}", line + 1, column + 1),
        (false, true, false) => format!("{url}:{}", line + 1),
        (false, false, _) => url.to_string(),
    }
}

/// A profile frame as report rows show it.
pub(crate) fn function(
    p: &heapdiff_model::HeapProfile,
    f: heapdiff_model::FrameId,
) -> crate::report::Function {
    let i = f.index();
    crate::report::Function {
        name: display_name(p.strings.get(p.frames.name[i])).to_string(),
        url: p.strings.get(p.frames.url[i]).to_string(),
        line: one_based(p.frames.line[i]),
        column: one_based(p.frames.column[i]),
        generated: generated(p, f),
    }
}

/// Where a source map found a frame in the generated code, `None` for a
/// frame shown where V8 saw it.
pub(crate) fn generated(
    p: &heapdiff_model::HeapProfile,
    f: heapdiff_model::FrameId,
) -> Option<crate::report::GeneratedPosition> {
    let g = p.frames.generated(f)?;
    Some(crate::report::GeneratedPosition {
        name: display_name(p.strings.get(g.name)).to_string(),
        url: p.strings.get(g.url).to_string(),
        line: one_based(g.line),
        column: one_based(g.column),
    })
}

/// 1-based position for reports, `None` when unknown.
pub(crate) fn one_based(v: i32) -> Option<u32> {
    u32::try_from(v).ok().map(|v| v + 1)
}
