//! Lists of small unsigned numbers kept as LEB128 varints (7 bits a
//! byte), read back in order: what a trend keeps of its last step's
//! objects or samples between inputs, mostly deltas of sorted ids, takes a
//! byte or two per number instead of eight.

/// Numbers appended one at a time and read back in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Varints {
    bytes: Vec<u8>,
}

impl Varints {
    /// Appends `v`.
    pub(crate) fn push(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push(low_seven(v) | 0x80);
            v >>= 7;
        }
        self.bytes.push(low_seven(v));
    }

    /// The numbers, in the order they were pushed.
    pub(crate) fn iter(&self) -> VarintIter<'_> {
        VarintIter { rest: &self.bytes }
    }

    /// Gives back the room reserved beyond the bytes written.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

/// The lowest 7 bits of `v`.
fn low_seven(v: u64) -> u8 {
    u8::try_from(v & 0x7f).unwrap_or_default()
}

/// The numbers of a [`Varints`], in order.
pub(crate) struct VarintIter<'a> {
    rest: &'a [u8],
}

impl Iterator for VarintIter<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let (&b, rest) = self.rest.split_first()?;
            self.rest = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Varints;

    proptest! {
        #[test]
        fn numbers_read_back_as_pushed(values in prop::collection::vec(any::<u64>(), 0..64)) {
            let mut v = Varints::default();
            for &x in &values {
                v.push(x);
            }
            prop_assert_eq!(v.iter().collect::<Vec<u64>>(), values);
        }
    }

    #[test]
    fn small_numbers_take_one_byte() {
        let mut v = Varints::default();
        for x in [0, 1, 127] {
            v.push(x);
        }
        assert_eq!(v.bytes.len(), 3);
        v.push(128);
        v.push(u64::MAX);
        assert_eq!(v.bytes.len(), 3 + 2 + 10);
        assert_eq!(v.iter().last(), Some(u64::MAX));
    }
}
