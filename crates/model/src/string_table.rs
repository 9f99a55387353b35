//! One arena for all strings of a profile.
//!
//! Strings are stored back to back in a single `String`; `starts[i]` is the
//! byte offset where string `i` begins and `starts[i + 1]` where it ends. A
//! profile has a few thousand distinct names and URLs but millions of
//! references to them, so references are `StringId`s and the text lives once.

use rustc_hash::FxHashMap;

use crate::StringId;

/// Interned strings; `StringId(0)` is `""`.
#[derive(Clone, Debug)]
pub struct StringTable {
    text: String,
    starts: Vec<u32>,
    lookup: FxHashMap<Box<str>, StringId>,
}

impl Default for StringTable {
    fn default() -> Self {
        Self::new()
    }
}

impl StringTable {
    /// A table holding only the empty string.
    #[must_use]
    pub fn new() -> Self {
        let mut lookup = FxHashMap::default();
        lookup.insert(Box::from(""), StringId::EMPTY);
        Self {
            text: String::new(),
            starts: vec![0, 0],
            lookup,
        }
    }

    /// Returns the id of `s`, adding it if it is new.
    ///
    /// # Panics
    /// When the arena would exceed 4 GiB, which no profile approaches.
    pub fn intern(&mut self, s: &str) -> StringId {
        if let Some(&id) = self.lookup.get(s) {
            return id;
        }
        let id = StringId::from_index(self.starts.len() - 1);
        self.text.push_str(s);
        let end = u32::try_from(self.text.len()).expect("invariant: string arena below 4 GiB");
        self.starts.push(end);
        self.lookup.insert(Box::from(s), id);
        id
    }

    /// The text of `id`.
    #[must_use]
    pub fn get(&self, id: StringId) -> &str {
        let start = self.starts[id.index()] as usize;
        let end = self.starts[id.index() + 1] as usize;
        &self.text[start..end]
    }

    /// Looks a string up without adding it.
    #[must_use]
    pub fn find(&self, s: &str) -> Option<StringId> {
        self.lookup.get(s).copied()
    }

    /// Number of distinct strings, including `""`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Always false: the empty string is always present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_empty_is_zero() {
        let mut t = StringTable::new();
        assert_eq!(t.intern(""), StringId::EMPTY);
        let a = t.intern("alloc");
        let b = t.intern("héllo𝒳");
        assert_eq!(t.intern("alloc"), a);
        assert_eq!(t.get(a), "alloc");
        assert_eq!(t.get(b), "héllo𝒳");
        assert_eq!(t.get(StringId::EMPTY), "");
        assert_eq!(t.len(), 3);
    }
}
