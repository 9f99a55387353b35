//! Number formatting. Bytes use DevTools' decimal units (formats §7.10):
//! whole bytes below 1000, then kB and MB with one decimal below 100 and
//! whole numbers above; there is no GB.

use std::io;

/// Bytes as DevTools shows them: `999 B`, `12.3 kB`, `123 kB`, `4.5 MB`.
#[must_use]
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    if n < 1000 {
        format!("{n} B")
    } else if v < 100e3 {
        format!("{:.1} kB", v / 1e3)
    } else if v < 1000e3 {
        format!("{:.0} kB", v / 1e3)
    } else if v < 100e6 {
        format!("{:.1} MB", v / 1e6)
    } else {
        format!("{:.0} MB", v / 1e6)
    }
}

/// A signed byte delta: `+12.3 kB`, `-4 B`, `0 B`.
#[must_use]
pub fn signed_bytes(d: i64) -> String {
    match d {
        0 => "0 B".to_string(),
        d if d > 0 => format!("+{}", bytes(d.unsigned_abs())),
        d => format!("-{}", bytes(d.unsigned_abs())),
    }
}

/// `part / whole` as a percentage with 2 decimals (DevTools' sampling
/// views); `n/a` when the whole is 0 (DevTools would show NaN).
#[must_use]
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "n/a".to_string();
    }
    let p = part as f64 / whole as f64 * 100.0;
    format!("{p:.2}%")
}

/// Δ as a percentage of the before value, signed; `None` when before is 0.
#[must_use]
pub fn delta_percent(delta: i64, before: u64) -> Option<String> {
    if before == 0 {
        return None;
    }
    let p = delta as f64 / before as f64 * 100.0;
    Some(format!("{p:+.1}%"))
}

/// Writes [`bytes`] of `n`.
///
/// # Errors
/// When writing fails.
pub fn write_bytes(out: &mut dyn io::Write, n: u64) -> io::Result<()> {
    out.write_all(bytes(n).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_decimal_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.0 kB");
        assert_eq!(bytes(99_949), "99.9 kB");
        assert_eq!(bytes(123_456), "123 kB");
        assert_eq!(bytes(1_234_567), "1.2 MB");
        assert_eq!(bytes(123_456_789), "123 MB");
        assert_eq!(bytes(12_345_678_901), "12346 MB");
        assert_eq!(signed_bytes(-1500), "-1.5 kB");
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(1, 0), "n/a");
        assert_eq!(delta_percent(50, 100).as_deref(), Some("+50.0%"));
        assert_eq!(delta_percent(5, 0), None);
    }
}
