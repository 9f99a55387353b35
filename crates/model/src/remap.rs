//! Frames moved to their original source: a source map says where each
//! generated function came from, and the profile's frames are rebuilt with
//! those names and positions. Frames that land on the same original function
//! become one frame, as they would be in an unbundled build; the generated
//! position of each is kept beside it.

use rustc_hash::FxHashMap;

use crate::{
    AllocationTrace, FrameId, FrameTable, GeneratedFrame, HeapProfile, SnapshotStrings, StringId,
    TraceFunction,
};

/// Where a generated frame came from, as a source map tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OriginalFrame<'a> {
    /// The original function name; `None` keeps the generated one (the
    /// map has none, or the name was not changed).
    pub name: Option<&'a str>,
    /// The original source, as the map names it.
    pub url: &'a str,
    /// 0-based line in the original source.
    pub line: i32,
    /// 0-based column in the original source.
    pub column: i32,
}

/// Identity of a frame after the move: the URL is part of it, since one
/// generated script (one script id) holds many original sources.
type Key = (StringId, StringId, StringId, i32, i32);

impl HeapProfile {
    /// Rewrites the frames: frame `f` takes `original[f]` where it is
    /// `Some`, and stays as it is otherwise. Frames with the same name,
    /// script, URL and position after the move merge; stacks are pointed at
    /// the merged frames. `original` has one entry per frame (missing
    /// entries count as `None`).
    pub fn remap_frames(&mut self, original: &[Option<OriginalFrame<'_>>]) {
        let old = std::mem::take(&mut self.frames);
        let mut frames = FrameTable::default();
        let mut lookup: FxHashMap<Key, FrameId> = FxHashMap::default();
        let mut moved_to = Vec::with_capacity(old.len());
        for f in 0..old.len() {
            let script = old.script_id[f];
            let (key, generated) = match original.get(f).copied().flatten() {
                Some(o) => {
                    let name = o.name.map_or(old.name[f], |n| self.strings.intern(n));
                    let url = self.strings.intern(o.url);
                    let generated = GeneratedFrame {
                        name: old.name[f],
                        url: old.url[f],
                        line: old.line[f],
                        column: old.column[f],
                    };
                    ((name, script, url, o.line, o.column), Some(generated))
                }
                None => (
                    (old.name[f], script, old.url[f], old.line[f], old.column[f]),
                    old.generated.get(f).copied().flatten(),
                ),
            };
            let id = *lookup.entry(key).or_insert_with(|| {
                let id = FrameId::from_index(frames.len());
                let (name, script, url, line, column) = key;
                frames.name.push(name);
                frames.script_id.push(script);
                frames.url.push(url);
                frames.line.push(line);
                frames.column.push(column);
                frames.generated.push(generated);
                id
            });
            moved_to.push(id);
        }
        if frames.generated.iter().all(Option::is_none) {
            frames.generated.clear();
        }
        for frame in &mut self.stacks.frame {
            *frame = moved_to[frame.index()];
        }
        self.frames = frames;
    }
}

impl AllocationTrace {
    /// Moves the functions of an allocation trace to their original
    /// sources: function `f` takes `original[f]` where it is `Some` (its
    /// name too, where the map gave one), and V8's own record is kept in
    /// `generated`. New names and URLs are appended to `strings`. Functions
    /// stay one per function info (the trace's stacks name them by index);
    /// the call tree made from the trace merges those that land on one
    /// original function.
    pub fn remap_functions(
        &mut self,
        strings: &mut SnapshotStrings,
        original: &[Option<OriginalFrame<'_>>],
    ) {
        let mut added: FxHashMap<&str, crate::SnapshotStringId> = FxHashMap::default();
        let mut intern = |s| *added.entry(s).or_insert_with(|| strings.add(s));
        let mut generated = vec![None; self.functions.len()];
        for (f, o) in original.iter().enumerate().take(self.functions.len()) {
            let Some(o) = o else { continue };
            let old = self.functions[f].clone();
            let v8 = self
                .generated_function(f)
                .cloned()
                .unwrap_or_else(|| old.clone());
            let one_based = |v: i32| u32::try_from(v).map_or(0, |v| v.saturating_add(1));
            self.functions[f] = TraceFunction {
                name: o.name.map_or(old.name, &mut intern),
                script_name: intern(o.url),
                script_id: old.script_id,
                line: one_based(o.line),
                column: one_based(o.column),
            };
            generated[f] = Some(v8);
        }
        if generated.iter().any(Option::is_some) {
            self.generated = generated;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FrameKey, ProfileBuilder};

    fn frame<'a>(name: &'a str, line: i32, column: i32) -> FrameKey<'a> {
        FrameKey {
            name,
            script_id: "7",
            url: "file:///app/app.min.js",
            line,
            column,
        }
    }

    fn bundle() -> HeapProfile {
        let mut b = ProfileBuilder::new();
        let root = b.push_stack(None, FrameKey::pseudo("(root)"), 0, 1);
        let a = b.push_stack(Some(root), frame("a", 0, 10), 5, 2);
        b.push_stack(Some(a), frame("b", 0, 40), 7, 3);
        b.push_stack(Some(root), frame("c", 0, 90), 11, 4);
        b.finish()
    }

    #[test]
    fn moved_frames_take_original_names_and_keep_generated_positions() {
        let mut p = bundle();
        let original = [
            None,
            Some(OriginalFrame {
                name: Some("handleRequest"),
                url: "src/index.js",
                line: 6,
                column: 22,
            }),
            None,
            None,
        ];
        p.remap_frames(&original);
        let a = p.stacks.frame[1];
        assert_eq!(p.frame_name(a), "handleRequest");
        assert_eq!(p.frame_url(a), "src/index.js");
        assert_eq!(
            (p.frames.line[a.index()], p.frames.column[a.index()]),
            (6, 22)
        );
        let g = p.frames.generated(a).expect("generated position kept");
        assert_eq!(p.strings.get(g.name), "a");
        assert_eq!(p.strings.get(g.url), "file:///app/app.min.js");
        assert_eq!((g.line, g.column), (0, 10));
        let b = p.stacks.frame[2];
        assert_eq!(p.frame_name(b), "b");
        assert_eq!(p.frames.generated(b), None);
    }

    #[test]
    fn frames_with_one_original_function_merge() {
        let mut p = bundle();
        let same = OriginalFrame {
            name: Some("remember"),
            url: "src/log.js",
            line: 3,
            column: 2,
        };
        p.remap_frames(&[None, Some(same), None, Some(same)]);
        assert_eq!(p.frames.len(), 3);
        assert_eq!(p.stacks.frame[1], p.stacks.frame[3]);
        assert!(crate::validate(&p).is_ok());
    }

    #[test]
    fn trace_functions_take_original_places_and_keep_v8s() {
        let mut strings = SnapshotStrings::new();
        for s in ["", "m", "/dist/app.min.js"] {
            strings.push(s);
        }
        let v8 = TraceFunction {
            name: crate::SnapshotStringId::new(1),
            script_name: crate::SnapshotStringId::new(2),
            script_id: 9,
            line: 1,
            column: 469,
        };
        let mut t = AllocationTrace {
            functions: vec![v8.clone(), v8.clone()],
            ..AllocationTrace::default()
        };
        t.remap_functions(&mut strings, &[]);
        assert!(t.generated.is_empty(), "nothing moved, nothing kept");
        let o = OriginalFrame {
            name: Some("RequestRecord"),
            url: "src/cache.js",
            line: 36,
            column: 2,
        };
        t.remap_functions(&mut strings, &[None, Some(o)]);
        assert_eq!(t.functions[0], v8);
        let f = &t.functions[1];
        assert_eq!(strings.get(f.name), "RequestRecord");
        assert_eq!(strings.get(f.script_name), "src/cache.js");
        assert_eq!((f.script_id, f.line, f.column), (9, 37, 3));
        assert_eq!(t.generated, vec![None, Some(v8.clone())]);
        assert_eq!(t.generated_function(1), Some(&v8));
        assert_eq!(t.generated_function(0), Some(&v8));
    }

    #[test]
    fn no_move_leaves_no_generated_column() {
        let mut p = bundle();
        let before = p.frames.clone();
        p.remap_frames(&[]);
        assert!(p.frames.generated.is_empty());
        assert_eq!(p.frames.name, before.name);
        assert_eq!(p.frames.line, before.line);
    }
}
