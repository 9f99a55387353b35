//! The sampling error of a row (formats §3.3): V8 samples with a Poisson
//! process of mean gap R bytes, so a row made of n samples of objects
//! smaller than R carries an error of about R·√n bytes. A change within two
//! standard errors of its two sides combined (about 95 % of what chance
//! alone produces) is noise, not growth.

use heapdiff_model::HeapProfile;

/// Estimates the sampling interval R from the samples: V8 credits a sample
/// of an object of size S with `S × round(1/(1 − e^(−S/R)))` bytes, which is
/// ≈ R for objects much smaller than R, so the median sample is close to R.
/// `None` without samples.
#[must_use]
pub fn estimate_interval(p: &HeapProfile) -> Option<u64> {
    let mut sizes: Vec<u64> = p
        .samples
        .bytes
        .iter()
        .chain(&p.unattributed.bytes)
        .copied()
        .collect();
    if sizes.is_empty() {
        return None;
    }
    let mid = sizes.len() / 2;
    let (_, median, _) = sizes.select_nth_unstable(mid);
    Some(*median)
}

/// True when `|after - before|` is below twice the combined sampling error
/// `sqrt(Ra²·na + Rb²·nb)` of the two sides.
pub(crate) fn is_noise(
    before: u64,
    after: u64,
    n_before: u64,
    n_after: u64,
    ra: Option<u64>,
    rb: Option<u64>,
) -> bool {
    let (Some(ra), Some(rb)) = (ra, rb) else {
        return false;
    };
    if before == 0 && after == 0 {
        return false;
    }
    let delta = u128::from(before.abs_diff(after));
    let var =
        u128::from(ra).pow(2) * u128::from(n_before) + u128::from(rb).pow(2) * u128::from(n_after);
    delta * delta < 4 * var
}

#[cfg(test)]
mod tests {
    use super::is_noise;

    #[test]
    fn one_sample_either_way_is_noise() {
        // One sample of 512 KiB appearing is within 2·R·√1.
        assert!(is_noise(0, 524_288, 0, 1, Some(524_288), Some(524_288)));
        assert!(is_noise(
            524_288,
            600_000,
            1,
            1,
            Some(524_288),
            Some(524_288)
        ));
        // Ten samples appearing from nothing is beyond 2·R·√10.
        assert!(!is_noise(0, 10 * 4096, 0, 10, Some(4096), Some(4096)));
        // 100 samples growing to 400: far beyond R·√500.
        assert!(!is_noise(
            100 * 1024,
            400 * 1024,
            100,
            400,
            Some(1024),
            Some(1024)
        ));
        assert!(!is_noise(1, 2, 1, 1, None, Some(1)));
    }
}
