//! Byte sizes by position in 4 bytes each.
//!
//! Shallow sizes of heap objects fit 32 bits but for the rare huge
//! backing store, and there are tens of millions of them: a second column
//! of high halves is kept only when some size needs one, as object ids are
//! kept (see [`crate::NodeColumns::id`]).

/// Sizes in bytes by position (a node ordinal's index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    low: Vec<u32>,
    /// The high 32 bits of every size, or empty when all are zero.
    high: Vec<u32>,
}

impl Sizes {
    /// The sizes whose low halves are `low` and high halves `high` (empty
    /// when every size fits 32 bits). A high column of zeros is dropped.
    ///
    /// # Panics
    /// When `high` is neither empty nor as long as `low`.
    #[must_use]
    pub fn new(low: Vec<u32>, mut high: Vec<u32>) -> Self {
        assert!(
            high.is_empty() || high.len() == low.len(),
            "a partial column of high halves"
        );
        if high.iter().all(|&h| h == 0) {
            high = Vec::new();
        }
        Self { low, high }
    }

    /// The sizes `wide`, split.
    #[must_use]
    pub fn from_wide(wide: &[u64]) -> Self {
        let (low, high) = wide.iter().map(|&s| halves(s)).unzip();
        Self::new(low, high)
    }

    /// How many sizes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.low.len()
    }

    /// True when there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.low.is_empty()
    }

    /// The size at `i`.
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> u64 {
        let low = u64::from(self.low[i]);
        match self.high.get(i) {
            Some(&high) => (u64::from(high) << 32) | low,
            None => low,
        }
    }

    /// Sets the size at `i`; a first size beyond 32 bits makes the column
    /// of high halves.
    pub fn set(&mut self, i: usize, size: u64) {
        let (low, high) = halves(size);
        if high != 0 && self.high.is_empty() {
            self.high = vec![0; self.low.len()];
        }
        self.low[i] = low;
        if let Some(h) = self.high.get_mut(i) {
            *h = high;
        }
    }

    /// Every size, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every size, 8 bytes each.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u64> {
        self.iter().collect()
    }
}

impl From<Vec<u64>> for Sizes {
    fn from(wide: Vec<u64>) -> Self {
        Self::from_wide(&wide)
    }
}

impl FromIterator<u64> for Sizes {
    fn from_iter<I: IntoIterator<Item = u64>>(sizes: I) -> Self {
        let (low, high) = sizes.into_iter().map(halves).unzip();
        Self::new(low, high)
    }
}

/// The low and high 32 bits of `size`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "each half is cut to 32 bits on purpose"
)]
fn halves(size: u64) -> (u32, u32) {
    (size as u32, (size >> 32) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_high_halves_only_when_needed() {
        let mut s = Sizes::from(vec![1, 2, u64::from(u32::MAX)]);
        assert!(s.high.is_empty());
        assert_eq!(s.to_vec(), vec![1, 2, u64::from(u32::MAX)]);
        s.set(1, 1 << 40);
        assert_eq!(s.to_vec(), vec![1, 1 << 40, u64::from(u32::MAX)]);
        s.set(1, 7);
        assert_eq!(s.get(1), 7);
        let wide = Sizes::new(vec![5, 6], vec![0, 3]);
        assert_eq!(wide.to_vec(), vec![5, (3 << 32) | 6]);
        assert_eq!(Sizes::new(vec![5], vec![0]).high, Vec::<u32>::new());
    }
}
