//! How a diff row reads, the same in every format: its status word and its
//! Δ % cell. The analyzer decides what is noise (`DiffRow::noise`); this is
//! the one place that turns that decision into text.

use heapdiff_analyzer::{DiffRow, DiffTotals, Status};

use crate::units::{bytes, delta_percent};

/// The status word of a row: `noise` for any change within the sampling
/// error (new and gone rows of a sample or two included), else the status.
#[must_use]
pub fn status_text(row: &DiffRow) -> &'static str {
    if row.noise && row.status != Status::Same {
        "noise"
    } else {
        row.status.as_str()
    }
}

/// What the diff's noise is, in words: none for exact bytes (both
/// profiles unsampled), no estimate without samples, else `sampled`'s
/// wording of the two sampling intervals (before, after).
pub(crate) fn noise_words(
    totals: &DiffTotals,
    sampled: impl FnOnce(String, String) -> String,
) -> String {
    match (totals.interval_before, totals.interval_after) {
        (Some(0), Some(0)) => "exact bytes, no sampling noise".to_string(),
        (Some(a), Some(b)) => sampled(bytes(a), bytes(b)),
        _ => "no samples, so no noise estimate".to_string(),
    }
}

/// The Δ % cell: `new` and `gone` instead of ±100 %, `0%` for no change,
/// else Δ as a percentage of the row's own before value.
#[must_use]
pub fn change_text(status: Status, delta: i64, before: u64) -> String {
    match status {
        Status::New => "new".to_string(),
        Status::Gone => "gone".to_string(),
        Status::Same => "0%".to_string(),
        Status::Grew | Status::Shrank => delta_percent(delta, before).unwrap_or_default(),
    }
}

/// The Δ % as a number for sorting (`None` for new and gone rows).
#[must_use]
pub fn change_value(status: Status, delta: i64, before: u64) -> Option<f64> {
    match status {
        Status::New | Status::Gone => None,
        _ if before == 0 => None,
        _ => Some(100.0 * delta as f64 / before as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::{change_text, change_value, status_text};
    use heapdiff_analyzer::{DiffRow, Function, Status};

    fn row(before: u64, after: u64, noise: bool) -> DiffRow {
        DiffRow {
            function: Function {
                name: "f".into(),
                ..Function::default()
            },
            before,
            after,
            delta: i64::try_from(after).unwrap() - i64::try_from(before).unwrap(),
            status: Status::of(before, after),
            noise,
            total_before: before,
            total_after: after,
            samples_before: 1,
            samples_after: 1,
            stack: Vec::new(),
        }
    }

    #[test]
    fn new_and_gone_rows_within_the_error_read_as_noise() {
        assert_eq!(status_text(&row(0, 512, true)), "noise");
        assert_eq!(status_text(&row(512, 0, true)), "noise");
        assert_eq!(status_text(&row(0, 512, false)), "new");
        assert_eq!(status_text(&row(10, 20, true)), "noise");
        assert_eq!(status_text(&row(10, 10, true)), "same");
    }

    #[test]
    fn change_cells() {
        assert_eq!(change_text(Status::New, 5, 0), "new");
        assert_eq!(change_text(Status::Gone, -5, 5), "gone");
        assert_eq!(change_text(Status::Same, 0, 5), "0%");
        assert_eq!(change_text(Status::Grew, 50, 100), "+50.0%");
        assert_eq!(change_value(Status::Grew, 50, 100), Some(50.0));
        assert_eq!(change_value(Status::New, 50, 0), None);
    }
}
