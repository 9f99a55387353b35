//! WeakMap ephemeron edge names (formats §5.5):
//! `<n> / part of key (<K> @<keyId>) -> value (<V> @<valueId>) pair in WeakMap (table @<tableId>)`.
//!
//! [`PairNames`] parses every string of a snapshot once, so the per-edge
//! checks of distances and essential edges are integer lookups.

use heapdiff_model::HeapGraph;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::flags::BitSet;

const NONE: u32 = u32::MAX;

/// The WeakMap pair names of a snapshot, by string index.
pub(crate) struct PairNames {
    /// Which strings are pair names: a small set, checked first.
    is_pair: BitSet,
    /// Id of the duplicated part of each string (equal texts, equal ids),
    /// or `NONE` when the string is not a pair name.
    part: Vec<u32>,
    /// Table id of each pair name.
    table: Vec<u32>,
    /// Number of distinct duplicated parts.
    n_parts: usize,
}

impl PairNames {
    pub(crate) fn build(g: &HeapGraph) -> Self {
        let n = g.strings.len();
        let parsed: Vec<Option<(&str, u32)>> = (0..n as u32)
            .into_par_iter()
            .map(|s| parse(g.strings.get(s)))
            .collect();
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut is_pair = BitSet::new(n);
        let mut part = vec![NONE; n];
        let mut table = vec![0; n];
        for (s, p) in parsed.iter().enumerate() {
            if let Some((text, t)) = *p {
                is_pair.insert(s as u32);
                let next = ids.len() as u32;
                part[s] = *ids.entry(text).or_insert(next);
                table[s] = t;
            }
        }
        Self {
            is_pair,
            part,
            table,
            n_parts: ids.len(),
        }
    }

    /// The duplicated-part id of string `s`, if it is a pair name.
    pub(crate) fn part(&self, s: u32) -> Option<u32> {
        let pair = (s as usize) < self.is_pair.len() && self.is_pair.contains(s);
        pair.then(|| self.part[s as usize])
    }

    /// The table id of string `s`, if it is a pair name.
    pub(crate) fn table(&self, s: u32) -> Option<u32> {
        self.part(s).map(|_| self.table[s as usize])
    }

    /// Number of distinct duplicated parts (part ids are below this).
    pub(crate) fn n_parts(&self) -> usize {
        self.n_parts
    }
}

/// If `name` is a WeakMap pair edge name, returns the duplicated part (the
/// name without the leading `<n>`) and the table id.
pub(crate) fn parse(name: &str) -> Option<(&str, u32)> {
    const MARK: &str = " / part of key (";
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !name[digits..].starts_with(MARK) {
        return None;
    }
    let rest = &name[digits..];
    let tail = rest.strip_suffix(')')?;
    let at = tail.rfind(" pair in WeakMap (table @")?;
    let id_text = &tail[at + " pair in WeakMap (table @".len()..];
    if id_text.is_empty() || !id_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The middle must hold "@<keyId>) -> value (… @<valueId>)".
    let middle = &tail[MARK.len()..at];
    let arrow = middle.find(") -> value (")?;
    if !ends_with_id(&middle[..arrow])
        || !ends_with_id(middle[arrow + ") -> value (".len()..].strip_suffix(')')?)
    {
        return None;
    }
    Some((rest, id_text.parse().ok()?))
}

fn ends_with_id(s: &str) -> bool {
    match s.rfind(" @") {
        Some(i) => {
            let id = &s[i + 2..];
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
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
