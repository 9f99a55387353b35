//! Typed `u32` indices. A handle is meaningful only inside the container that
//! produced it; work across two profiles goes through an explicit alignment.

macro_rules! newtype_index {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(u32);

        impl $name {
            /// Wraps a raw position.
            #[must_use]
            pub const fn new(raw: u32) -> Self {
                Self(raw)
            }

            /// The raw position.
            #[must_use]
            pub const fn raw(self) -> u32 {
                self.0
            }

            /// The position as a `usize`, for indexing columns.
            #[must_use]
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// Converts a column position back into an id. Positions come
            /// from tables whose length was checked to fit `u32` when built.
            #[must_use]
            #[allow(clippy::cast_possible_truncation)]
            pub const fn from_index(index: usize) -> Self {
                Self(index as u32)
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

impl StringId {
    /// The empty string, present in every table.
    pub const EMPTY: StringId = StringId(0);
}

impl StackId {
    /// The root of the call tree, `(root)` in V8's output. Always row 0.
    pub const ROOT: StackId = StackId(0);
}
