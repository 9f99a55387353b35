//! Source maps: the frames of a profile are moved from the generated
//! (bundled, minified) code to their original sources and names before any
//! analysis, so every view, diff and export speaks in original names.
//!
//! For each script that occurs in a profile, `find` locates its map once
//! per run (a given map, a map directory, or the script's own
//! `sourceMappingURL`), `map` parses it once, and the map is checked
//! against the script when the script is readable. Each frame's generated
//! position is then looked up and the model rebuilds its frame table
//! (`HeapProfile::remap_frames`). Problems are warnings naming the script
//! or the map (errors under `--strict`); a script whose map is missing,
//! corrupt or does not fit keeps its generated positions.

mod find;
mod map;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use heapdiff_model::{HeapGraph, HeapProfile, OriginalFrame, StringId};
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest as _, Sha256};

use find::{Found, Location, Script};
pub(crate) use find::{Given, Sources};
use map::{Mapping, ParsedMap};
use text::ScriptLines;

/// A map that applies to one script, with the script's text when it was
/// readable (to check the fit and to find original names).
struct ScriptMap {
    map: Arc<ParsedMap>,
    /// The script's lines, when the script was read.
    lines: Option<ScriptLines>,
}

/// A map applied in this run, for reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Applied {
    /// The map file (or the script, for an inline map).
    pub(crate) map: String,
    pub(crate) script: String,
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
}

type Resolved = Option<Arc<ScriptMap>>;

/// A map file parsed once, or why it could not be.
type ParsedOnce = Arc<OnceLock<Result<Arc<ParsedMap>, String>>>;

/// Per-run caches: every script is resolved once and every map file
/// parsed once, however many profiles name them.
#[derive(Default)]
struct Cache {
    scripts: Mutex<FxHashMap<String, Arc<OnceLock<Resolved>>>>,
    maps: Mutex<FxHashMap<PathBuf, ParsedOnce>>,
    files: Mutex<FxHashMap<PathBuf, Option<String>>>,
    applied: Mutex<Vec<Applied>>,
}

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The maps applied so far in this run, sorted.
pub(crate) fn applied() -> Vec<Applied> {
    let mut a = cache()
        .applied
        .lock()
        .map(|a| a.clone())
        .unwrap_or_default();
    a.sort();
    a.dedup();
    a
}

/// Moves the frames of `p` to their original sources where a map applies.
/// `strict` turns the first problem into an error.
pub(crate) fn apply(p: &mut HeapProfile, sources: &Sources, strict: bool) -> anyhow::Result<()> {
    use heapdiff_model::steps::time;
    let maps = time("source maps: find, parse, check", || {
        script_maps(p, sources, strict)
    })?;
    if maps.is_empty() {
        return Ok(());
    }
    let originals = time("source maps: look up", || original_frames(p, &maps));
    time("source maps: remap frames", || p.remap_frames(&originals));
    Ok(())
}

/// The map of each script of `p` that has one, by URL.
fn script_maps(
    p: &HeapProfile,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<FxHashMap<StringId, Arc<ScriptMap>>> {
    let urls = p.frames.url.iter().map(|&u| (u, p.strings.get(u)));
    maps_of(urls, &|_| None, sources, strict)
}

/// The map of each distinct script URL (keyed by its string id) that has
/// one; pseudo frames (no URL) and node's own modules have none.
fn maps_of<'a, K: Ord + Copy + std::hash::Hash>(
    urls: impl Iterator<Item = (K, &'a str)>,
    embedded: &dyn Fn(K) -> Option<&'a str>,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<FxHashMap<K, Arc<ScriptMap>>> {
    let mut distinct = BTreeMap::new();
    for (id, url) in urls {
        distinct.entry(id).or_insert(url);
    }
    distinct.retain(|_, u| !u.is_empty() && !u.starts_with("node:"));
    let mut maps = FxHashMap::default();
    for (id, url) in distinct {
        if let Some(m) = resolve(url, &|| embedded(id), sources, strict)? {
            maps.insert(id, m);
        }
    }
    Ok(maps)
}

/// Moves the functions of a timeline's allocation trace to their original
/// sources where a map applies (before the trace becomes a call tree or
/// the Allocation view). `strict` turns the first problem into an error.
pub(crate) fn apply_trace(
    g: &mut HeapGraph,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<()> {
    use heapdiff_model::steps::time;
    let Some(trace) = g.trace.as_mut() else {
        return Ok(());
    };
    let strings = &mut g.strings;
    let maps = time("source maps: find, parse, check", || {
        let urls = trace
            .functions
            .iter()
            .map(|f| (f.script_name, strings.get(f.script_name)));
        maps_of(urls, &|_| None, sources, strict)
    })?;
    if maps.is_empty() {
        return Ok(());
    }
    let originals: Vec<Option<OriginalFrame<'_>>> = time("source maps: look up", || {
        trace
            .functions
            .iter()
            .map(|f| {
                let m = maps.get(&f.script_name)?;
                let (line, column) = (f.line.checked_sub(1)?, f.column.checked_sub(1)?);
                m.original(strings.get(f.name), line, column)
            })
            .collect()
    });
    time("source maps: remap frames", || {
        trace.remap_functions(strings, &originals);
    });
    Ok(())
}

/// Moves the located functions and class constructors of a heap snapshot
/// (a timeline's too) to their original sources where a map applies: the
/// class rows keyed by location and the closures on retainer paths then
/// show the original place and, where the map has it, the original name
/// (`HeapGraph::original_locations`). `strict` turns the first problem into
/// an error.
pub(crate) fn apply_snapshot(
    g: &mut HeapGraph,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<()> {
    snapshot_originals(g, sources, strict)?.set(g);
    Ok(())
}

/// What [`apply_snapshot`] sets on a graph.
pub(crate) struct SnapshotOriginals {
    /// The original places of the located functions and constructors.
    original: FxHashMap<heapdiff_model::Location, heapdiff_model::OriginalLocation>,
    /// The script URLs resolved on the way: the analysis takes them rather
    /// than resolving them again.
    script_urls: FxHashMap<u32, String>,
}

impl SnapshotOriginals {
    pub(crate) fn set(self, g: &mut HeapGraph) {
        g.original_locations = self.original;
        g.script_urls = Some(self.script_urls);
    }
}

/// What [`apply_snapshot`] sets, found without changing the graph (so
/// that other work on the graph can run beside it).
pub(crate) fn snapshot_originals(
    g: &HeapGraph,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<SnapshotOriginals> {
    use heapdiff_model::steps::time;
    let scripts = time("source maps: snapshot scripts", || {
        heapdiff_analyzer::snapshot::Scripts::resolve(g)
    });
    let found = |original| SnapshotOriginals {
        original,
        script_urls: scripts.urls(),
    };
    let maps = time("source maps: find, parse, check", || {
        // Millions of located objects name a few hundred scripts: each
        // script is looked at once.
        let mut seen = FxHashSet::default();
        let urls = g
            .locations
            .iter()
            .filter(|(_, loc)| seen.insert(loc.script_id))
            .filter_map(|(_, loc)| Some((loc.script_id, scripts.url(loc.script_id)?)));
        maps_of(urls, &scripts.sources(g), sources, strict)
    })?;
    if maps.is_empty() {
        return Ok(found(FxHashMap::default()));
    }
    let original = time("source maps: look up", || {
        let mut original = FxHashMap::default();
        for &(v, loc) in &g.locations {
            let Some(m) = maps.get(&loc.script_id) else {
                continue;
            };
            if original.contains_key(&loc) {
                continue;
            }
            if let Some(o) = m.original(g.node_name(v), loc.line, loc.column) {
                original.insert(loc, located(&o));
            }
        }
        original
    });
    Ok(found(original))
}

fn located(o: &OriginalFrame<'_>) -> heapdiff_model::OriginalLocation {
    heapdiff_model::OriginalLocation {
        name: o.name.map(str::to_string),
        url: o.url.to_string(),
        line: u32::try_from(o.line).unwrap_or(0),
        column: u32::try_from(o.column).unwrap_or(0),
    }
}

/// Looks up every frame whose script has a map, in the order of their
/// generated positions (each line's mappings are then read once, in
/// order). The strings borrow from the maps, not from the profile.
fn original_frames<'m>(
    p: &HeapProfile,
    maps: &'m FxHashMap<StringId, Arc<ScriptMap>>,
) -> Vec<Option<OriginalFrame<'m>>> {
    let fr = &p.frames;
    let mut originals = vec![None; fr.len()];
    for (f, line, column) in by_position(p, maps) {
        if let Some(m) = maps.get(&fr.url[f]) {
            originals[f] = m.original(p.strings.get(fr.name[f]), line, column);
        }
    }
    originals
}

/// The frames whose script has a map, with their generated line and
/// column, sorted by script and position. Each is packed into one integer
/// (script, line, column, frame) so that the sort compares plain numbers.
fn by_position(
    p: &HeapProfile,
    maps: &FxHashMap<StringId, Arc<ScriptMap>>,
) -> impl Iterator<Item = (usize, u32, u32)> {
    let fr = &p.frames;
    let mut packed: Vec<u128> = (0..fr.len())
        .filter(|&f| maps.contains_key(&fr.url[f]))
        .filter_map(|f| {
            let script = u32::try_from(fr.url[f].index()).ok()?;
            let line = u32::try_from(fr.line[f]).ok()?;
            let column = u32::try_from(fr.column[f]).ok()?;
            let frame = u32::try_from(f).ok()?;
            Some(
                (u128::from(script) << 96)
                    | (u128::from(line) << 64)
                    | (u128::from(column) << 32)
                    | u128::from(frame),
            )
        })
        .collect();
    packed.sort_unstable();
    packed.into_iter().map(|k| {
        #[allow(clippy::cast_possible_truncation)] // one 32-bit field of the four
        let part = |shift: u32| (k >> shift) as u32;
        (part(0) as usize, part(64), part(32))
    })
}

impl ScriptMap {
    /// Where the generated function named `name` starting at `line:column`
    /// came from: the source and position of the mapping that covers it,
    /// and the original name (see `original_name`).
    fn original(&self, name: &str, line: u32, column: u32) -> Option<OriginalFrame<'_>> {
        let (i, m) = self.map.lookup(line, column)?;
        let source = self.map.source(m)?;
        let on_line = self.map.line(line);
        let script_line = self.lines.as_ref().map(|l| (l, line as usize));
        Some(OriginalFrame {
            name: self.original_name(name, &on_line[..=i], script_line, column),
            url: source,
            line: i32::try_from(m.src_line).ok()?,
            column: i32::try_from(m.src_column).ok()?,
        })
    }

    /// The original name of a generated function, `None` when it is the
    /// generated one. V8 places a function at its parameter list, just
    /// after its (generated) name. With the script's text, the nearest
    /// mapping at or before the position whose generated text is that name
    /// gives the original name (its `names` entry; none means the name was
    /// not changed). Without the text, the mapping must end exactly where
    /// the parameter list starts. Of a dotted name (`a.b`) the last part is
    /// looked for, and the original name replaces the whole.
    fn original_name(
        &self,
        name: &str,
        before: &[Mapping],
        script_line: Option<(&ScriptLines, usize)>,
        column: u32,
    ) -> Option<&str> {
        let wanted = name.rsplit(['.', ' ']).next().unwrap_or(name);
        if wanted.is_empty() {
            return None;
        }
        let named = match script_line {
            Some((text, line)) => before
                .iter()
                .rev()
                .take(64)
                .find(|m| text.names_at(line, m.column as usize, wanted))?,
            None => {
                let last = before.last()?;
                if last.column as usize + wanted.encode_utf16().count() == column as usize {
                    last
                } else {
                    self.class_name_near(before, column)?
                }
            }
        };
        self.map.name(named)
    }

    /// Without the script's text: the name of the class whose constructor
    /// starts at `column`, when a mapping starts the `constructor` keyword
    /// that ends at the parameter list: the last mapping before `column`
    /// (esbuild), or the one before a mapping at `column` named
    /// `constructor` (terser, as webpack runs it). A minifier writes the
    /// class's name just before (`m=class{constructor(`, `class m extends
    /// k{…`), so of the few mappings before the keyword, on the original
    /// lines just above it, the named one that comes first in the original
    /// source is the class's name (a superclass is named after it).
    fn class_name_near<'b>(&self, before: &'b [Mapping], column: u32) -> Option<&'b Mapping> {
        const HEADER_MAPPINGS: usize = 4;
        const HEADER_LINES: u32 = 3;
        const KEYWORD: &str = "constructor";
        let (mut keyword, mut header) = before.split_last()?;
        if keyword.column == column && self.map.name(keyword) == Some(KEYWORD) {
            (keyword, header) = header.split_last()?;
        }
        if keyword.column as usize + KEYWORD.len() != column as usize {
            return None;
        }
        header
            .iter()
            .rev()
            .take(HEADER_MAPPINGS)
            .filter(|m| {
                m.source == keyword.source
                    && m.src_line <= keyword.src_line
                    && m.src_line + HEADER_LINES >= keyword.src_line
                    && self.map.name(m).is_some()
            })
            .min_by_key(|m| (m.src_line, m.src_column))
    }
}

/// The map of one script, found, parsed and checked once per run.
/// `embedded` gives the script's text as the input holds it (a snapshot's
/// Script source), read only when the script is not on disk.
fn resolve<'a>(
    url: &str,
    embedded: &dyn Fn() -> Option<&'a str>,
    sources: &Sources,
    strict: bool,
) -> anyhow::Result<Resolved> {
    let cell = {
        let mut scripts = cache()
            .scripts
            .lock()
            .map_err(|_| anyhow::anyhow!("source map cache poisoned"))?;
        Arc::clone(scripts.entry(url.to_string()).or_default())
    };
    let mut failure = None;
    let resolved = cell.get_or_init(|| match load_for(url, embedded, sources) {
        Ok(m) => m,
        Err(problem) => {
            failure = Some(problem);
            None
        }
    });
    if let Some((subject, message)) = failure {
        crate::input::warn(&subject, message, strict)?;
    }
    Ok(resolved.clone())
}

/// Finds, parses and checks the map of one script. `Err` is a warning:
/// (what it is about, what is wrong).
fn load_for<'a>(
    url: &str,
    embedded: &dyn Fn() -> Option<&'a str>,
    sources: &Sources,
) -> Result<Resolved, (String, String)> {
    let script = Script::read(url);
    let file_field = |p: &Path| file_field_of(p);
    let found = match (&script.text, embedded()) {
        (None, Some(text)) => {
            // Only to follow its `sourceMappingURL`: a snapshot's copy may
            // be cut, so it is no ground to check the map's fit on.
            let copy = Script {
                path: script.path.clone(),
                text: Some(text.to_string()),
            };
            find::find(url, &copy, sources, &file_field)
        }
        _ => find::find(url, &script, sources, &file_field),
    };
    let location = match found {
        Found::None => return Ok(None),
        Found::Missing(why) => {
            return Err((url.to_string(), format!("no source map applied: {why}")));
        }
        Found::Map(l) => l,
    };
    let (shown, bytes) = match &location {
        Location::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                (
                    url.to_string(),
                    format!(
                        "no source map applied: cannot read '{}': {e}",
                        path.display()
                    ),
                )
            })?;
            (path.display().to_string(), bytes)
        }
        Location::Inline(script_path, bytes) => (
            format!("{} (inline map)", script_path.display()),
            bytes.clone(),
        ),
    };
    let map = parsed(&location, &bytes).map_err(|why| {
        (
            shown.clone(),
            format!("source map not applied to '{url}': {why}"),
        )
    })?;
    // The whole script, read only now that a map applies to it.
    let lines = script
        .path
        .as_deref()
        .filter(|_| script.text.is_some())
        .and_then(|p| std::fs::read(p).ok())
        .map(ScriptLines::new);
    if let Some(lines) = &lines {
        misfit(&map, lines).map_err(|why| {
            (
                shown.clone(),
                format!("source map does not fit '{url}' ({why}); its positions stay generated"),
            )
        })?;
    }
    if let (Some(file), Location::File(_)) = (&map.file, &location) {
        let (a, b) = (find::basename(file), find::basename(url));
        if !a.is_empty() && a != b {
            return Err((
                shown,
                format!("source map is for '{file}', not '{url}'; its positions stay generated"),
            ));
        }
    }
    record_applied(&shown, url, &bytes);
    Ok(Some(Arc::new(ScriptMap { map, lines })))
}

/// Parses a map once per run (an inline map belongs to one script).
fn parsed(location: &Location, bytes: &[u8]) -> Result<Arc<ParsedMap>, String> {
    let Location::File(path) = location else {
        return ParsedMap::parse(bytes).map(Arc::new);
    };
    let cell = {
        let mut maps = cache()
            .maps
            .lock()
            .map_err(|_| "source map cache poisoned".to_string())?;
        Arc::clone(maps.entry(path.clone()).or_default())
    };
    cell.get_or_init(|| ParsedMap::parse(bytes).map(Arc::new))
        .clone()
}

/// The `file` field of a given map, read once.
fn file_field_of(path: &Path) -> Option<String> {
    let mut files = cache().files.lock().ok()?;
    files
        .entry(path.to_path_buf())
        .or_insert_with(|| std::fs::read(path).ok().and_then(|b| map::file_field(&b)))
        .clone()
}

fn record_applied(map: &str, script: &str, bytes: &[u8]) {
    let sha256 = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Ok(mut a) = cache().applied.lock() {
        a.push(Applied {
            map: map.to_string(),
            script: script.to_string(),
            bytes: bytes.len() as u64,
            sha256,
        });
    }
}

/// A map fits its script when every mapping lies within the script: on
/// one of its lines, at most at that line's end.
fn misfit(map: &ParsedMap, lines: &ScriptLines) -> Result<(), String> {
    for m in &map.mappings {
        let Some(width) = lines.width(m.line as usize) else {
            return Err(format!(
                "it maps line {} but the script has {} lines",
                m.line + 1,
                lines.len()
            ));
        };
        if m.column as usize > width {
            return Err(format!(
                "it maps line {} column {}, past the end of that line ({} columns)",
                m.line + 1,
                m.column + 1,
                width
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
