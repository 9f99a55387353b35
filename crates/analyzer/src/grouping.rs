//! What a report row stands for (`--by`): a function, a whole stack, a
//! script or an npm package, and the key each stack contributes to.
//!
//! Inside one profile a function is DevTools' `callUID` (name, script id,
//! line, column; formats §4.1). Across two profiles script ids are
//! meaningless (every process numbers its scripts anew), so rows are matched
//! by (name, URL, line, column) instead.

use heapdiff_model::{FrameId, HeapProfile};
use rustc_hash::FxHashMap;

use crate::call_tree::CallTree;
use crate::report::GeneratedPosition;

/// The unit a report row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// One row per function (DevTools' Heavy view).
    #[default]
    Function,
    /// One row per allocation stack (root-to-leaf path).
    Stack,
    /// One row per script URL.
    Script,
    /// One row per npm package (`node_modules/<pkg>/…`); node's own code
    /// is `node:`, V8's builtins and pseudo frames `(v8)`, code whose
    /// script is unknown `(unknown)`, any other script its URL.
    Package,
}

/// How frames are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity {
    /// Inside one profile: DevTools' call UID (with the script id).
    Profile,
    /// Across profiles: name, URL, line and column.
    Position,
    /// Across profiles of two builds: name and URL only, so a function
    /// whose code moved within its file is still one row.
    Function,
}

/// The identity of a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct GroupKey {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) line: i32,
    pub(crate) column: i32,
    /// Script id; empty when rows are matched across profiles.
    pub(crate) script_id: String,
    /// Root-to-leaf frame labels, for `--by stack`.
    pub(crate) stack: Vec<String>,
}

/// Every stack's row (`u32::MAX` for stacks that belong to none: the root,
/// and under `--by stack` the stacks without self bytes) and the row keys.
pub(crate) struct Groups {
    pub(crate) of_stack: Vec<u32>,
    pub(crate) keys: Vec<GroupKey>,
    /// Under `--by function` with frames a source map moved, each row's
    /// first frame, whose generated position the row shows (empty
    /// otherwise). Positions are made only for the rows shown.
    pub(crate) first_frame: Vec<FrameId>,
    /// Under [`Identity::Function`], the (line, column) of each row's first
    /// frame, shown since the key has none (empty otherwise).
    pub(crate) position: Vec<(i32, i32)>,
}

impl Groups {
    /// The generated position of row `g` of `p`, if a source map moved it.
    pub(crate) fn generated(&self, p: &HeapProfile, g: usize) -> Option<GeneratedPosition> {
        crate::frame_label::generated(p, *self.first_frame.get(g)?)
    }
}

pub(crate) const NO_GROUP: u32 = u32::MAX;

/// Assigns every stack to its row.
pub(crate) fn groups(p: &HeapProfile, tree: &CallTree, by: GroupBy, identity: Identity) -> Groups {
    match by {
        GroupBy::Stack => stack_groups(p, tree),
        _ => frame_groups(p, by, identity),
    }
}

fn frame_groups(p: &HeapProfile, by: GroupBy, identity: Identity) -> Groups {
    let mut index: FxHashMap<GroupKey, u32> = FxHashMap::default();
    let mut first_frame = Vec::new();
    let mut position = Vec::new();
    let keep_generated = by == GroupBy::Function && !p.frames.generated.is_empty();
    let keep_position = by == GroupBy::Function && identity == Identity::Function;
    let of_frame: Vec<u32> = (0..p.frames.len())
        .map(|f| {
            let frame = FrameId::from_index(f);
            let key = frame_group_key(p, frame, by, identity);
            let next = u32::try_from(index.len()).unwrap_or(NO_GROUP);
            *index.entry(key).or_insert_with(|| {
                if keep_position {
                    position.push((p.frames.line[f], p.frames.column[f]));
                }
                if keep_generated {
                    first_frame.push(frame);
                }
                next
            })
        })
        .collect();
    // The keys move out of the index, each to its row.
    let mut keys = vec![blank(); index.len()];
    #[allow(clippy::iter_over_hash_type)] // each key to its own slot: order-free
    for (key, g) in index {
        keys[g as usize] = key;
    }
    let mut of_stack: Vec<u32> = p.stacks.frame.iter().map(|f| of_frame[f.index()]).collect();
    of_stack[0] = NO_GROUP;
    Groups {
        of_stack,
        keys,
        first_frame,
        position,
    }
}

fn frame_group_key(p: &HeapProfile, f: FrameId, by: GroupBy, identity: Identity) -> GroupKey {
    let placed = identity != Identity::Function;
    let fr = &p.frames;
    let name = p.strings.get(fr.name[f.index()]);
    let url = p.strings.get(fr.url[f.index()]);
    let script = p.strings.get(fr.script_id[f.index()]);
    let script_key = || {
        if !url.is_empty() {
            url.to_string()
        } else if script == "0" || script.is_empty() {
            // Pseudo frames such as `(V8 API)` stand for themselves.
            name.to_string()
        } else {
            format!("(script {script} without URL)")
        }
    };
    match by {
        GroupBy::Function => GroupKey {
            name: name.to_string(),
            url: url.to_string(),
            line: if placed { fr.line[f.index()] } else { -1 },
            column: if placed { fr.column[f.index()] } else { -1 },
            script_id: if identity == Identity::Profile {
                script.to_string()
            } else {
                String::new()
            },
            stack: Vec::new(),
        },
        GroupBy::Script => GroupKey {
            name: script_key(),
            url: url.to_string(),
            ..blank()
        },
        GroupBy::Package => GroupKey {
            name: match p.frames.generated(f) {
                Some(moved) => package_of_moved(url, p.strings.get(moved.url), script),
                None => package_of(url, script),
            },
            ..blank()
        },
        GroupBy::Stack => unreachable_stack(),
    }
}

/// A key with nothing set (no position: line and column -1).
pub(crate) fn blank() -> GroupKey {
    GroupKey {
        name: String::new(),
        url: String::new(),
        line: -1,
        column: -1,
        script_id: String::new(),
        stack: Vec::new(),
    }
}

fn unreachable_stack() -> GroupKey {
    // `--by stack` is handled by `stack_groups`; this arm exists only to
    // keep the match exhaustive.
    blank()
}

/// Stacks merged by their root-to-leaf path of frame labels. Only stacks
/// with self bytes get a row: a stack row is an allocation site in context.
fn stack_groups(p: &HeapProfile, tree: &CallTree) -> Groups {
    let n = p.stacks.len();
    let mut index: FxHashMap<Vec<String>, u32> = FxHashMap::default();
    let mut keys = Vec::new();
    let mut of_stack = vec![NO_GROUP; n];
    let labels = frame_labels(p);
    for s in p.stacks.ids().skip(1) {
        if tree.self_bytes[s.index()] == 0 {
            continue;
        }
        let path = stack_path(p, s, &labels);
        let leaf = p.stacks.frame[s.index()].index();
        let g = *index.entry(path).or_insert_with_key(|path| {
            keys.push(GroupKey {
                name: p.strings.get(p.frames.name[leaf]).to_string(),
                url: p.strings.get(p.frames.url[leaf]).to_string(),
                line: p.frames.line[leaf],
                column: p.frames.column[leaf],
                script_id: String::new(),
                stack: path.clone(),
            });
            u32::try_from(keys.len() - 1).unwrap_or(NO_GROUP)
        });
        of_stack[s.index()] = g;
    }
    Groups {
        of_stack,
        keys,
        first_frame: Vec::new(),
        position: Vec::new(),
    }
}

/// Root-to-leaf labels of the frames above `s`, the root excluded.
fn stack_path(p: &HeapProfile, s: heapdiff_model::StackId, labels: &[String]) -> Vec<String> {
    let mut path = Vec::new();
    let mut cur = Some(s);
    while let Some(c) = cur {
        if c == heapdiff_model::StackId::ROOT {
            break;
        }
        path.push(labels[p.stacks.frame[c.index()].index()].clone());
        cur = p.stacks.parent(c);
    }
    path.reverse();
    path
}

/// The display name and location of a frame: `url:line:col` (1-based), or
/// for a frame without URL (a collected script) `:line:col`, because the
/// position still tells such functions apart. Every label that identifies
/// a frame across rows, stacks and flame graphs is made from this.
pub(crate) fn frame_parts(p: &HeapProfile, f: FrameId) -> (String, String) {
    let name = crate::display_name(p.strings.get(p.frames.name[f.index()])).to_string();
    let (line, column) = (p.frames.line[f.index()], p.frames.column[f.index()]);
    let loc = crate::frame_location(p.strings.get(p.frames.url[f.index()]), line, column);
    if loc.is_empty() && line >= 0 {
        return (name, format!(":{}:{}", line + 1, column.max(0) + 1));
    }
    (name, loc)
}

/// `name (location)`, the label of a frame in stacks and flame graphs.
pub(crate) fn frame_label(p: &HeapProfile, f: FrameId) -> String {
    let (name, loc) = frame_parts(p, f);
    if loc.is_empty() {
        name
    } else {
        format!("{name} ({loc})")
    }
}

/// The labels of all frames, by frame id.
pub(crate) fn frame_labels(p: &HeapProfile) -> Vec<String> {
    (0..p.frames.len())
        .map(|f| frame_label(p, FrameId::from_index(f)))
        .collect()
}

/// The row of a frame under `--by package`: its package (`registry_package`),
/// `node:` for node's own code (`node:…` URLs, and the bare `internal/…` or
/// `fs.js` names older node versions gave their built-in scripts), `ext:`
/// for Deno's own (its built-in extensions' `ext:…` URLs), `(v8)` for V8's
/// builtins and pseudo frames (script id 0: `push`, `(V8 API)`,
/// `(garbage collector)`), `(unknown)` for code whose script had no URL,
/// else the script's URL.
pub(crate) fn package_of(url: &str, script_id: &str) -> String {
    if let Some(pkg) = registry_package(url) {
        return pkg.to_string();
    }
    if url.is_empty() {
        return if script_id == "0" || script_id.is_empty() {
            "(v8)".to_string()
        } else {
            "(unknown)".to_string()
        };
    }
    if url.starts_with("node:") || is_old_node_builtin(url) {
        return "node:".to_string();
    }
    if url.starts_with("ext:") {
        return "ext:".to_string();
    }
    url.to_string()
}

/// The package of a position a source map moved from the script at
/// `generated` to the source `original`: the package the original source
/// names (a bundle's `webpack:///./node_modules/x/…`), else the package the
/// generated script lies in (a package that ships its own map names its
/// sources relative to it, such as `../src/index.ts`), else as
/// [`package_of`] the original source.
pub(crate) fn package_of_moved(original: &str, generated: &str, script_id: &str) -> String {
    match (registry_package(original), registry_package(generated)) {
        (Some(pkg), _) | (None, Some(pkg)) => pkg.to_string(),
        (None, None) => package_of(original, script_id),
    }
}

/// Built-in script names of node ≤ 14, which had no `node:` scheme:
/// relative names such as `internal/modules/cjs/loader.js` or `events.js`.
fn is_old_node_builtin(url: &str) -> bool {
    let relative =
        !url.starts_with('/') && !url.contains(':') && !url.starts_with('.') && !url.contains('\\');
    relative && url.ends_with(".js") && (url.starts_with("internal/") || !url.contains('/'))
}

/// The package a script belongs to: an npm package installed under
/// `node_modules/` (`npm_package`), one in Deno's npm cache
/// (`…/npm/registry.npmjs.org/<name>/<version>/…`), or a JSR package
/// (`https://jsr.io/@scope/name/<version>/…`).
pub(crate) fn registry_package(url: &str) -> Option<&str> {
    npm_package(url)
        .or_else(|| package_after(url, "/npm/registry.npmjs.org/"))
        .or_else(|| package_after(url, "://jsr.io/"))
}

/// The npm package a script belongs to: the path segment(s) after the last
/// `node_modules/`, with the scope for `@scope/name` packages.
pub(crate) fn npm_package(url: &str) -> Option<&str> {
    package_after(url, "node_modules/")
}

/// The package name (`name` or `@scope/name`) right after the last
/// `marker` in `url`.
fn package_after<'a>(url: &'a str, marker: &str) -> Option<&'a str> {
    let at = url.rfind(marker)? + marker.len();
    let rest = &url[at..];
    let mut parts = rest.splitn(3, '/');
    let first = parts.next().filter(|s| !s.is_empty())?;
    if first.starts_with('@') {
        let second = parts.next().filter(|s| !s.is_empty())?;
        Some(&rest[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::{npm_package, package_of, package_of_moved};

    #[test]
    fn packages_of_deno_scripts() {
        assert_eq!(package_of("ext:deno_node/inspector.js", "40"), "ext:");
        assert_eq!(package_of("ext:core/00_infra.js", "3"), "ext:");
        assert_eq!(
            package_of(
                "file:///root/.cache/deno/npm/registry.npmjs.org/lru-cache/10.4.3/dist/esm/index.js",
                "90"
            ),
            "lru-cache"
        );
        assert_eq!(
            package_of(
                "file:///c/deno/npm/registry.npmjs.org/@types/node/22.0.0/index.js",
                "9"
            ),
            "@types/node"
        );
        assert_eq!(
            package_of("https://jsr.io/@std/path/1.0.8/posix/join.ts", "9"),
            "@std/path"
        );
        assert_eq!(
            package_of("file:///tmp/app/main.ts", "9"),
            "file:///tmp/app/main.ts"
        );
    }

    #[test]
    fn moved_positions_keep_the_package_of_their_script() {
        let lib = "file:///app/node_modules/lru-cache/dist/esm/index.js";
        assert_eq!(
            package_of_moved("../../src/index.ts", lib, "9"),
            "lru-cache"
        );
        let bundle = "file:///app/dist/server.js";
        assert_eq!(
            package_of_moved(
                "webpack://app/./node_modules/express/lib/router.js",
                bundle,
                "9"
            ),
            "express"
        );
        assert_eq!(
            package_of_moved("../src/cache.js", bundle, "9"),
            "../src/cache.js"
        );
    }

    #[test]
    fn packages_of_builtins_and_unknown_scripts() {
        assert_eq!(package_of("node:internal/fs/utils", "12"), "node:");
        assert_eq!(package_of("node:http", "7"), "node:");
        assert_eq!(package_of("internal/modules/cjs/loader.js", "3"), "node:");
        assert_eq!(package_of("events.js", "4"), "node:");
        assert_eq!(package_of("", "0"), "(v8)");
        assert_eq!(package_of("", ""), "(v8)");
        assert_eq!(package_of("", "81"), "(unknown)");
        assert_eq!(
            package_of("file:///app/node_modules/express/lib/router.js", "9"),
            "express"
        );
        assert_eq!(
            package_of("file:///app/src/index.js", "9"),
            "file:///app/src/index.js"
        );
        assert_eq!(package_of("/app/src/index.js", "9"), "/app/src/index.js");
        assert_eq!(
            package_of("https://x.test/app.js", "9"),
            "https://x.test/app.js"
        );
    }

    #[test]
    fn package_names_come_from_the_last_node_modules() {
        assert_eq!(
            npm_package("file:///app/node_modules/express/lib/router.js"),
            Some("express")
        );
        assert_eq!(
            npm_package("/a/node_modules/x/node_modules/@scope/pkg/i.js"),
            Some("@scope/pkg")
        );
        assert_eq!(npm_package("file:///app/src/index.js"), None);
        assert_eq!(npm_package("/app/node_modules/"), None);
    }
}
