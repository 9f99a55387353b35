//! Fitting a table to the terminal. When the output is a terminal of known
//! width, the long text columns (names, locations, stacks) give way: each
//! is cut in the middle with `…`, so that a name's start and a location's
//! file and line stay readable. Files and pipes get the exact text; JSON and
//! CSV never pass through here.

use unicode_width::UnicodeWidthStr as _;

/// The narrowest an elastic column is cut to.
const MIN_COLUMN: usize = 16;

/// Cuts the `elastic` columns of `rows` (and their cells) until every line
/// of the table, whose columns are each padded by one space on both sides,
/// fits in `width` characters, or every elastic column is down to
/// [`MIN_COLUMN`]. Widest columns give way first.
pub(crate) fn fit_rows(rows: &mut [Vec<String>], header: &[&str], width: usize, elastic: &[usize]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows.iter() {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line: usize = widths.iter().map(|w| w + 2).sum();
    let mut excess = line.saturating_sub(width);
    while excess > 0 {
        let Some(&col) = elastic
            .iter()
            .filter(|&&c| widths[c] > MIN_COLUMN.max(header[c].width()))
            .max_by_key(|&&c| (widths[c], std::cmp::Reverse(c)))
        else {
            break;
        };
        let floor = MIN_COLUMN.max(header[col].width());
        let cut = excess.min(widths[col] - floor);
        widths[col] -= cut;
        excess -= cut;
    }
    for row in rows.iter_mut() {
        for &col in elastic {
            if let Some(cell) = row.get_mut(col) {
                if cell.width() > widths[col] {
                    *cell = elide_middle(cell, widths[col]);
                }
            }
        }
    }
}

/// `s` cut to at most `max` columns by replacing its middle with `…`.
pub(crate) fn elide_middle(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep = max - 1;
    let head_w = keep.div_ceil(2);
    let tail_w = keep - head_w;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > head_w {
            break;
        }
        used += w;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > tail_w {
            break;
        }
        used += w;
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

#[cfg(test)]
mod tests {
    use super::{elide_middle, fit_rows};
    use unicode_width::UnicodeWidthStr as _;

    #[test]
    fn the_middle_gives_way() {
        assert_eq!(elide_middle("abcdefghij", 5), "ab…ij");
        assert_eq!(elide_middle("abcdefghij", 6), "abc…ij");
        assert_eq!(elide_middle("abc", 5), "abc");
        assert_eq!(elide_middle("模块模块模块", 5).width(), 5);
    }

    #[test]
    fn long_columns_are_cut_until_the_line_fits() {
        let long = format!("/srv/app/{}/cache.js:51:25", "deep/".repeat(60));
        let mut rows = vec![
            vec![
                "1.2 MB".to_string(),
                "rememberRequest".to_string(),
                long.clone(),
            ],
            vec![
                "3 kB".to_string(),
                "f".to_string(),
                "node:fs:1:1".to_string(),
            ],
        ];
        fit_rows(&mut rows, &["Self", "Function", "Location"], 80, &[1, 2]);
        let line: usize = (0..3)
            .map(|c| rows.iter().map(|r| r[c].width()).max().unwrap() + 2)
            .sum();
        assert!(line <= 80, "{rows:?}");
        assert!(rows[0][2].starts_with("/srv/app/") && rows[0][2].ends_with("cache.js:51:25"));
        assert_eq!(rows[0][1], "rememberRequest");
        assert_eq!(rows[1][2], "node:fs:1:1");
    }

    #[test]
    fn narrow_terminals_keep_a_readable_minimum() {
        let mut rows = vec![vec!["x".repeat(100)]];
        fit_rows(&mut rows, &["Function"], 10, &[0]);
        assert_eq!(rows[0][0].width(), 16);
    }
}
