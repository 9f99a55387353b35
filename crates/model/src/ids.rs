//! Typed `u32` indices. A handle is meaningful only inside the container that
//! produced it; work across two profiles or snapshots goes through an
//! explicit alignment (V8's object ids, for snapshots).
//!
//! Every index is a `#[repr(transparent)]` `u32`: a column of them is laid
//! out, read and compared exactly as a column of `u32`s, so typing a hot
//! loop costs nothing.

use crate::cast::to_u32;

macro_rules! newtype_index {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
        #[repr(transparent)]
        pub struct $name(u32);

        impl $name {
            /// Wraps a raw position.
            #[inline]
            #[must_use]
            pub const fn new(raw: u32) -> Self {
                Self(raw)
            }

            /// The raw position.
            #[inline]
            #[must_use]
            pub const fn raw(self) -> u32 {
                self.0
            }

            /// The position as a `usize`, for indexing columns.
            #[inline]
            #[must_use]
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// Converts a column position back into an id. Positions come
            /// from tables whose length was checked to fit `u32` when
            /// built (see [`crate::cast::to_u32`]).
            #[inline]
            #[must_use]
            pub fn from_index(index: usize) -> Self {
                Self(to_u32(index))
            }

            /// `len` ids of position 0, as `vec![0u32; len]` allocates
            /// them: zeroed pages from the allocator, touched only where
            /// written later (`vec![Self::default(); len]` would write
            /// every one of them first, on one thread).
            #[must_use]
            pub fn zeros(len: usize) -> Vec<Self> {
                Self::wrap_all(vec![0u32; len])
            }

            /// The raw positions `raw` as ids, in the same allocation
            /// (no pass over them).
            #[must_use]
            pub fn wrap_all(raw: Vec<u32>) -> Vec<Self> {
                let mut raw = std::mem::ManuallyDrop::new(raw);
                // SAFETY: `Self` is a `repr(transparent)` `u32`: the same
                // size, alignment and valid values, so the allocation of
                // `raw` (never dropped as a `Vec<u32>`) holds `len`
                // initialised `Self`s with the capacity it was made with.
                #[allow(unsafe_code)]
                unsafe {
                    Vec::from_raw_parts(raw.as_mut_ptr().cast::<Self>(), raw.len(), raw.capacity())
                }
            }
        }
    };
}

newtype_index!(
    /// A string in a [`crate::StringTable`]. `StringId(0)` is always `""`.
    StringId
);
newtype_index!(
    /// A row of a [`crate::FrameTable`]: one function as DevTools merges it.
    FrameId
);
newtype_index!(
    /// A row of a [`crate::StackTable`]: one node of the call tree.
    StackId
);
newtype_index!(
    /// A node of a [`crate::HeapGraph`]: its ordinal, the position of its
    /// record in V8's `nodes` array (V8's own "node index" is that
    /// position times the number of node fields). Meaningful in one
    /// snapshot only; [`ObjectId`] is the identity across snapshots.
    NodeOrdinal
);
newtype_index!(
    /// An edge of a [`crate::HeapGraph`]: its position in the edge columns
    /// (edges are grouped by source node, in file order).
    EdgePosition
);
newtype_index!(
    /// A string of a heap snapshot: V8's index into its `strings` array
    /// ([`crate::SnapshotStrings`]), kept as V8 wrote it.
    SnapshotStringId
);

impl StringId {
    /// The empty string, present in every table.
    pub const EMPTY: StringId = StringId(0);
}

impl StackId {
    /// The root of the call tree, `(root)` in V8's output. Always row 0.
    pub const ROOT: StackId = StackId(0);
}

impl NodeOrdinal {
    /// The snapshot's root, always the first node.
    pub const ROOT: NodeOrdinal = NodeOrdinal(0);
}

/// V8's heap object id: the identity of an object across the snapshots of
/// one process (formats §5.10). V8 writes 32-bit ids; other runtimes
/// writing its format may use up to 53 bits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
#[repr(transparent)]
pub struct ObjectId(u64);

impl ObjectId {
    /// Wraps an id.
    #[inline]
    #[must_use]
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The id as a number.
    #[inline]
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// Odd ids are JavaScript heap objects; embedder objects have even
    /// ones (formats §5.10).
    #[inline]
    #[must_use]
    pub const fn is_js(self) -> bool {
        self.0 % 2 == 1
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_positions_keep_their_values_and_zeros_are_position_0() {
        let ids = NodeOrdinal::wrap_all(vec![3, 0, u32::MAX, 7]);
        assert_eq!(
            ids.iter().map(|v| v.raw()).collect::<Vec<_>>(),
            [3, 0, u32::MAX, 7]
        );
        let zeros = NodeOrdinal::zeros(1 << 20);
        assert_eq!(zeros.len(), 1 << 20);
        assert!(zeros.iter().all(|&v| v == NodeOrdinal::ROOT));
        assert!(SnapshotStringId::zeros(0).is_empty());
    }
}
