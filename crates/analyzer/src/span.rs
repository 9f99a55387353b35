//! Ordinal ranges of a sampling profile (formats §4.6), written by users as
//! `A..B` with bounds that are ordinals (`1200`) or fractions of the
//! recording (`25%`, `12.5%`).
//!
//! DevTools' rule is both ends inclusive. Two fraction spans that meet
//! (`0%..50%`, `50%..100%`) would then share the sample at the boundary, so a
//! fractional lower bound above 0 % starts one ordinal after the point it
//! names: fraction spans partition the recording.

use std::fmt;

use heapdiff_model::HeapProfile;

/// One end of a span as the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanBound {
    /// An absolute ordinal.
    Ordinal(u64),
    /// A fraction of the ordinal range, in thousandths of a percent.
    Permille(u32),
}

/// A resolved ordinal range, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrdinalRange {
    /// Lowest ordinal in range.
    pub lo: u64,
    /// Highest ordinal in range.
    pub hi: u64,
}

impl OrdinalRange {
    /// True if `ordinal` lies in the range.
    #[must_use]
    pub fn contains(&self, ordinal: u64) -> bool {
        self.lo <= ordinal && ordinal <= self.hi
    }

    /// Parses `A..B` and resolves it against the ordinals of `p`.
    ///
    /// # Errors
    /// When the text is not a span or the profile has no samples.
    pub fn parse(text: &str, p: &HeapProfile) -> Result<Self, SpanError> {
        let (lo, hi) = parse_span(text)?;
        let ordinals = p.samples.ordinal.iter().chain(&p.unattributed.ordinal);
        let (Some(&min), Some(&max)) = (ordinals.clone().min(), ordinals.max()) else {
            let why = if p.meta.has_samples {
                "the profile has no samples"
            } else {
                // Old profiles (Chrome 69 and earlier, node 10) had only
                // the call tree with its sizes.
                "the profile has no `samples` array (an old profile format), so there are no \
                 ordinals to select"
            };
            return Err(SpanError(format!("cannot select `{text}`: {why}")));
        };
        let at = |b: SpanBound, lower: bool| match b {
            SpanBound::Ordinal(v) => v,
            SpanBound::Permille(pm) => {
                let offset = u128::from(max - min) * u128::from(pm) / 100_000;
                let point = min + u64::try_from(offset).unwrap_or(u64::MAX - min);
                if lower && pm > 0 { point + 1 } else { point }
            }
        };
        Ok(Self {
            lo: at(lo, true),
            hi: at(hi, false),
        })
    }
}

/// A span the user wrote that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanError(pub String);

impl fmt::Display for SpanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpanError {}

fn parse_span(text: &str) -> Result<(SpanBound, SpanBound), SpanError> {
    let bad = || {
        SpanError(format!(
            "`{text}` is not a span; write `START..END` with ordinals (`100..5000`) or percentages (`0%..50%`)"
        ))
    };
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let lo = parse_bound(a.trim()).ok_or_else(bad)?;
    let hi = parse_bound(b.trim()).ok_or_else(bad)?;
    let order = |x: SpanBound| match x {
        SpanBound::Ordinal(v) => (0, v),
        SpanBound::Permille(v) => (1, u64::from(v)),
    };
    let (ko, vo) = order(lo);
    let (kh, vh) = order(hi);
    if ko == kh && vo > vh {
        return Err(SpanError(format!("`{text}`: the start is after the end")));
    }
    Ok((lo, hi))
}

fn parse_bound(s: &str) -> Option<SpanBound> {
    if let Some(pct) = s.strip_suffix('%') {
        let (int, frac) = pct.split_once('.').unwrap_or((pct, ""));
        if int.is_empty()
            || frac.len() > 3
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let int: u32 = int.parse().ok()?;
        let frac_val: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<3}").parse().ok()?
        };
        let pm = int.checked_mul(1000)?.checked_add(frac_val)?;
        return (pm <= 100_000).then_some(SpanBound::Permille(pm));
    }
    s.parse().ok().map(SpanBound::Ordinal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse() {
        assert_eq!(
            parse_span("0%..50%"),
            Ok((SpanBound::Permille(0), SpanBound::Permille(50_000)))
        );
        assert_eq!(
            parse_span("12.5%..100%"),
            Ok((SpanBound::Permille(12_500), SpanBound::Permille(100_000)))
        );
        assert_eq!(
            parse_span("10..20"),
            Ok((SpanBound::Ordinal(10), SpanBound::Ordinal(20)))
        );
        assert!(parse_span("20..10").is_err());
        assert!(parse_span("101%..102%").is_err());
        assert!(parse_span("a..b").is_err());
        assert!(parse_span("5").is_err());
    }

    #[test]
    fn a_profile_without_samples_says_why_there_is_nothing_to_select() {
        let profile = |has_samples: bool| {
            let mut b = heapdiff_model::ProfileBuilder::new();
            let root = b.open_stack(None);
            let frame = heapdiff_model::FrameKey {
                name: "(root)",
                script_id: "0",
                url: "",
                line: -1,
                column: -1,
            };
            b.close_stack(root, frame, 0, 1);
            b.meta_mut().has_samples = has_samples;
            b.finish()
        };
        let err = OrdinalRange::parse("0..10", &profile(false)).unwrap_err();
        assert!(
            err.0.contains("no `samples` array (an old profile format)"),
            "{}",
            err.0
        );
        let err = OrdinalRange::parse("0%..50%", &profile(true)).unwrap_err();
        assert!(err.0.ends_with("the profile has no samples"), "{}", err.0);
    }
}
