//! WeakMap ephemeron edge names (formats §5.5):
//! `<n> / part of key (<K> @<keyId>) -> value (<V> @<valueId>) pair in WeakMap (table @<tableId>)`.
//!
//! [`PairNames`] parses every string of a snapshot once, so the per-edge
//! checks of distances and essential edges are integer lookups.

use heapdiff_model::cast::to_u32;
use heapdiff_model::{HeapGraph, SnapshotStringId};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::flags::BitSet;

/// The WeakMap pair names of a snapshot, by string index.
pub(crate) struct PairNames {
    /// Which strings are pair names: checked first.
    is_pair: BitSet<SnapshotStringId>,
    /// Id of the duplicated part of each pair name (equal texts, equal
    /// ids), by string index; meaningless for other strings.
    part: Vec<u32>,
    /// Table id of each pair name, by string index.
    table: Vec<u32>,
    /// Number of distinct duplicated parts.
    n_parts: usize,
}

impl PairNames {
    pub(crate) fn build(g: &HeapGraph) -> Self {
        let n = g.strings.len();
        // Only the pair names leave the parallel scan.
        let found: Vec<(SnapshotStringId, &str, u32)> = (0..n)
            .into_par_iter()
            .map(SnapshotStringId::from_index)
            .filter_map(|s| parse(g.strings.get(s)).map(|(text, table)| (s, text, table)))
            .collect();
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut is_pair = BitSet::new(n);
        let mut part = vec![0; n];
        let mut table = vec![0; n];
        for (s, text, t) in found {
            is_pair.insert(s);
            // At most one part per string: the count fits as strings do.
            let next = to_u32(ids.len());
            part[s.index()] = *ids.entry(text).or_insert(next);
            table[s.index()] = t;
        }
        Self {
            is_pair,
            part,
            table,
            n_parts: ids.len(),
        }
    }

    fn is_pair(&self, s: SnapshotStringId) -> bool {
        s.index() < self.is_pair.len() && self.is_pair.contains(s)
    }

    /// The duplicated-part id of string `s`, if it is a pair name.
    pub(crate) fn part(&self, s: SnapshotStringId) -> Option<u32> {
        self.is_pair(s).then(|| self.part[s.index()])
    }

    /// The table id of string `s`, if it is a pair name.
    pub(crate) fn table(&self, s: SnapshotStringId) -> Option<u32> {
        self.is_pair(s).then(|| self.table[s.index()])
    }

    /// Number of distinct duplicated parts (part ids are below this).
    pub(crate) fn n_parts(&self) -> usize {
        self.n_parts
    }
}

/// If `name` is a WeakMap pair edge name, returns the duplicated part (the
/// name without the leading `<n>`) and the table id.
///
/// Snapshots can hold hundreds of thousands of these names, so the ends
/// are matched from the outside in, without substring searchers; the one
/// search left (the arrow) uses a finder built once.
pub(crate) fn parse(name: &str) -> Option<(&str, u32)> {
    const MARK: &str = " / part of key (";
    const TABLE: &str = " pair in WeakMap (table @";
    const ARROW: &str = ") -> value (";
    static ARROW_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(ARROW));
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !name[digits..].starts_with(MARK) {
        return None;
    }
    let rest = &name[digits..];
    let tail = rest.strip_suffix(')')?;
    // "… pair in WeakMap (table @<digits>"
    let (before_id, id_text) = split_trailing_digits(tail)?;
    let before_table = before_id.strip_suffix(TABLE)?;
    // The middle holds "<K> @<keyId>) -> value (<V> @<valueId>)".
    let middle = before_table.get(MARK.len()..)?;
    let arrow = ARROW_FINDER.find(middle.as_bytes())?;
    if !ends_with_id(&middle[..arrow])
        || !ends_with_id(middle[arrow + ARROW.len()..].strip_suffix(')')?)
    {
        return None;
    }
    Some((rest, id_text.parse().ok()?))
}

/// `s` split before its trailing digits, when it has some.
fn split_trailing_digits(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    (n > 0).then(|| s.split_at(s.len() - n))
}

/// `s` ends with ` @<digits>`.
fn ends_with_id(s: &str) -> bool {
    split_trailing_digits(s).is_some_and(|(before, _)| before.ends_with(" @"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn recognises_pair_edges() {
        let name = "3 / part of key (Object @123) -> value (Foo @456) pair in WeakMap (table @789)";
        assert_eq!(
            parse(name),
            Some((
                " / part of key (Object @123) -> value (Foo @456) pair in WeakMap (table @789)",
                789
            ))
        );
        assert_eq!(parse("elements"), None);
        assert_eq!(
            parse("3 / part of key (x @1) -> value (y @2) pair in WeakMap (table @)"),
            None
        );
    }
}
