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

/// 1-based position for reports, `None` when unknown.
pub(crate) fn one_based(v: i32) -> Option<u32> {
    u32::try_from(v).ok().map(|v| v + 1)
}
