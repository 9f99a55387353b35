//! Source positions from the snapshot itself: script ids of `locations`
//! (formats §5.7) resolved to the scripts' URLs through the heap.
//!
//! A closure's `shared` internal edge leads to its SharedFunctionInfo,
//! whose `script_or_debug_info` internal edge (`script` in newer V8, such as
//! Chromium 156's) leads to the Script object;
//! the Script's `name` internal edge is its URL string. Every closure with
//! a location names the script of its script id, so one pass over the
//! located closures maps every script id that has one. A script id that
//! leads to two different URLs is ambiguous and stays unresolved, as does a
//! script none of whose closures has a location: the class key still holds
//! the script id, but no URL is guessed.

use std::cell::OnceCell;

use heapdiff_model::{HeapGraph, Location, NodeOrdinal, OriginalLocation, SnapshotStringId};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::report::Origin;
use crate::report::GeneratedPosition;

/// A source position as DevTools displays it: 1-based line and column.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourcePosition {
    /// The script's URL (`node:internal/…`, a file path, `https://…`).
    pub url: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl SourcePosition {
    /// `file:line:column` with the URL's last path segment, as DevTools
    /// shows a link (`server.js:16:14`); `node:` URLs stay whole, since
    /// their path is the module's name.
    #[must_use]
    pub fn short(&self) -> String {
        let file = if self.url.starts_with("node:") {
            self.url.as_str()
        } else {
            let trimmed = self.url.trim_end_matches('/');
            trimmed.rsplit('/').next().unwrap_or(trimmed)
        };
        format!("{file}:{}:{}", self.line, self.column)
    }
}

/// What a script id resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved {
    Url(String),
    /// Closures of this id led to different URLs.
    Conflict,
}

/// Script ids of one snapshot and their URLs, and the original places a
/// source map gave its locations (`HeapGraph::original_locations`).
#[derive(Debug, Clone, Default)]
pub struct Scripts {
    by_id: FxHashMap<u32, Resolved>,
    original: FxHashMap<Location, OriginalLocation>,
}

impl Scripts {
    /// Maps every script id of a located closure to its script's URL (or
    /// takes the URLs already resolved, `HeapGraph::script_urls`).
    #[must_use]
    pub fn resolve(g: &HeapGraph) -> Self {
        let by_id = match &g.script_urls {
            Some(urls) => urls
                .iter()
                .map(|(&id, url)| (id, Resolved::Url(url.clone())))
                .collect(),
            None => resolve_urls(g),
        };
        Self {
            by_id,
            original: g.original_locations.clone(),
        }
    }

    /// The script ids that resolved to a URL, and their URLs: what
    /// `HeapGraph::script_urls` hands over.
    #[must_use]
    pub fn urls(&self) -> FxHashMap<u32, String> {
        self.by_id
            .keys()
            .filter_map(|&id| Some((id, self.url(id)?.to_string())))
            .collect()
    }

    /// The source text `g` holds for a script id (its Script object's
    /// `source` string), found through a located closure of that script:
    /// a lookup for graph `g`, which finds the edge names it follows on its
    /// first call. V8 writes at most the first 1024 characters of a string
    /// into a snapshot, so the text of a longer script is cut.
    pub fn sources<'s, 'g: 's>(&'s self, g: &'g HeapGraph) -> impl Fn(u32) -> Option<&'g str> + 's {
        let links = OnceCell::new();
        move |script_id| {
            self.url(script_id)?;
            let closure = g.node_type_index("closure")?;
            let &(v, _) = g
                .locations
                .iter()
                .find(|(v, loc)| loc.script_id == script_id && g.nodes().kind(*v) == closure)?;
            let links = links.get_or_init(|| ScriptLinks::find(g));
            let script = links.script_of(g, v)?;
            let source = links.target(g, script, &links.source)?;
            (g.node_type(source) == "string").then(|| g.node_name(source))
        }
    }

    /// The URL of a script id, if one closure named it and none disagreed.
    #[must_use]
    pub fn url(&self, script_id: u32) -> Option<&str> {
        match self.by_id.get(&script_id)? {
            Resolved::Url(url) if !url.is_empty() => Some(url),
            _ => None,
        }
    }

    /// A 0-based snapshot location as a 1-based source position: the
    /// original one where a source map moved it.
    #[must_use]
    pub fn position(&self, loc: Location) -> Option<SourcePosition> {
        if let Some(o) = self.original.get(&loc) {
            return Some(SourcePosition {
                url: o.url.clone(),
                line: o.line.checked_add(1)?,
                column: o.column.checked_add(1)?,
            });
        }
        self.generated_position(loc)
    }

    /// The URL of a location's script: the original one where a source map
    /// moved it.
    #[must_use]
    pub fn url_at(&self, loc: Location) -> Option<&str> {
        match self.original.get(&loc) {
            Some(o) => Some(&o.url),
            None => self.url(loc.script_id),
        }
    }

    /// A 0-based snapshot location as V8 recorded it, 1-based.
    fn generated_position(&self, loc: Location) -> Option<SourcePosition> {
        Some(SourcePosition {
            url: self.url(loc.script_id)?.to_string(),
            line: loc.line.checked_add(1)?,
            column: loc.column.checked_add(1)?,
        })
    }

    /// The position in a class key (`"script,line,column,Name"`, formats
    /// §7.8); `None` for keys without a location (`",Name"`).
    #[must_use]
    pub fn position_of_key(&self, key: &str) -> Option<SourcePosition> {
        self.position(key_location(key)?)
    }

    /// The class of a key as shown: the original class name where a source
    /// map gave one, else `name` (V8's).
    #[must_use]
    pub fn class_name<'a>(&'a self, key: &str, name: &'a str) -> &'a str {
        key_location(key)
            .and_then(|loc| self.original.get(&loc)?.name.as_deref())
            .unwrap_or(name)
    }

    /// Class `c` of a snapshot's class table as shown: its original name
    /// where a source map gave one, and then where its constructor is in
    /// the generated code with V8's name (`None` where no map moved it).
    #[must_use]
    pub fn shown_class(
        &self,
        classes: &super::classes::ClassTable,
        c: usize,
    ) -> (String, Option<GeneratedPosition>) {
        let (key, name) = (&classes.keys[c], &classes.names[c]);
        (
            self.class_name(key, name).to_string(),
            self.generated_of_key(key, name),
        )
    }

    /// Class `c` as [`Self::shown_class`] shows it, and where its
    /// constructor is.
    #[must_use]
    pub fn shown_class_with_origin(
        &self,
        classes: &super::classes::ClassTable,
        c: usize,
    ) -> (String, Origin) {
        let (key, name) = (&classes.keys[c], &classes.names[c]);
        (
            self.class_name(key, name).to_string(),
            self.origin_of_key(key, name),
        )
    }

    /// Where a class key's constructor is, `name` being V8's class name.
    #[must_use]
    pub fn origin_of_key(&self, key: &str, name: &str) -> Origin {
        Origin {
            source: self.position_of_key(key),
            generated: self.generated_of_key(key, name),
        }
    }

    /// Where a class key's constructor is in the generated code, with V8's
    /// class name, for classes a source map moved; `None` otherwise.
    #[must_use]
    pub fn generated_of_key(&self, key: &str, name: &str) -> Option<GeneratedPosition> {
        let loc = key_location(key)?;
        self.original.get(&loc)?;
        let at = self.generated_position(loc);
        Some(GeneratedPosition {
            name: name.to_string(),
            url: at.as_ref().map_or_else(String::new, |p| p.url.clone()),
            line: at.as_ref().map(|p| p.line),
            column: at.as_ref().map(|p| p.column),
        })
    }
}

/// The URL of every script id of a located closure; `Conflict` where two
/// closures of one id disagree.
fn resolve_urls(g: &HeapGraph) -> FxHashMap<u32, Resolved> {
    let mut by_id: FxHashMap<u32, Resolved> = FxHashMap::default();
    let Some(closure) = g.node_type_index("closure") else {
        return by_id;
    };
    let links = ScriptLinks::find(g);
    // Closures of one function share its SharedFunctionInfo: its URL is
    // found once.
    let mut by_shared: FxHashMap<NodeOrdinal, Option<&str>> = FxHashMap::default();
    for &(v, loc) in &g.locations {
        if g.nodes().kind(v) != closure {
            continue;
        }
        let Some(shared) = links.target(g, v, &links.shared) else {
            continue;
        };
        let found = *by_shared
            .entry(shared)
            .or_insert_with(|| links.script_url(g, shared));
        let Some(url) = found else {
            continue;
        };
        match by_id.get(&loc.script_id) {
            None => {
                by_id.insert(loc.script_id, Resolved::Url(url.to_string()));
            }
            Some(Resolved::Url(known)) if known != url => {
                by_id.insert(loc.script_id, Resolved::Conflict);
            }
            Some(_) => {}
        }
    }
    by_id
}

/// The names of the internal edges from a closure to its script (see the
/// module's text) and from the script to its `name` (the URL) and `source`
/// (its text) as the snapshot's string indices, found once, so that
/// following them compares numbers instead of strings. A snapshot may hold
/// one text at several indices: each name keeps all of them.
struct ScriptLinks {
    internal: Option<u8>,
    shared: Vec<SnapshotStringId>,
    script_or_debug_info: Vec<SnapshotStringId>,
    script: Vec<SnapshotStringId>,
    name: Vec<SnapshotStringId>,
    source: Vec<SnapshotStringId>,
}

impl ScriptLinks {
    fn find(g: &HeapGraph) -> Self {
        let mut links = Self {
            internal: g.edge_type_index("internal"),
            shared: Vec::new(),
            script_or_debug_info: Vec::new(),
            script: Vec::new(),
            name: Vec::new(),
            source: Vec::new(),
        };
        for i in 0..g.strings.len() {
            let id = SnapshotStringId::from_index(i);
            let ids = match g.strings.get(id) {
                "shared" => &mut links.shared,
                "script_or_debug_info" => &mut links.script_or_debug_info,
                "script" => &mut links.script,
                "name" => &mut links.name,
                "source" => &mut links.source,
                _ => continue,
            };
            ids.push(id);
        }
        links
    }

    /// The target of `v`'s internal edge with one of the names `name`.
    fn target(
        &self,
        g: &HeapGraph,
        v: NodeOrdinal,
        name: &[SnapshotStringId],
    ) -> Option<NodeOrdinal> {
        let internal = self.internal?;
        let edges = g.edges();
        g.edges_of(v)
            .find(|&e| edges.kind(e) == internal && name.contains(&edges.name(e)))
            .map(|e| edges.target(e))
    }

    /// The Script object of closure `v`: `shared`, then
    /// `script_or_debug_info` (V8 up to 2024) or `script` (later V8).
    fn script_of(&self, g: &HeapGraph, v: NodeOrdinal) -> Option<NodeOrdinal> {
        self.script_of_shared(g, self.target(g, v, &self.shared)?)
    }

    /// The Script object of SharedFunctionInfo `shared` (a closure's
    /// `shared` target).
    fn script_of_shared(&self, g: &HeapGraph, shared: NodeOrdinal) -> Option<NodeOrdinal> {
        self.target(g, shared, &self.script_or_debug_info)
            .or_else(|| self.target(g, shared, &self.script))
    }

    /// The URL of the script of SharedFunctionInfo `shared`: its Script's
    /// `name` string (else the Script node's own name, which V8 sets to the
    /// same URL).
    fn script_url<'g>(&self, g: &'g HeapGraph, shared: NodeOrdinal) -> Option<&'g str> {
        let script = self.script_of_shared(g, shared)?;
        if g.node_type(script) != "code" {
            return None;
        }
        match self.target(g, script, &self.name) {
            Some(name) if g.node_type(name) == "string" => Some(g.node_name(name)),
            _ => url_in_script_name(g.node_name(script)),
        }
    }
}

/// The location a class key starts with.
fn key_location(key: &str) -> Option<Location> {
    let mut parts = key.splitn(4, ',');
    let mut number = || parts.next()?.parse::<u32>().ok();
    Some(Location {
        script_id: number()?,
        line: number()?,
        column: number()?,
    })
}

/// The URL in a Script node's own name: newer V8 names it
/// `system / Script / URL`, and a script without a URL (eval'd code, a
/// page's inline script without a name) just `system / Script`: no URL.
fn url_in_script_name(name: &str) -> Option<&str> {
    let url = match name.strip_prefix("system / Script") {
        Some(rest) => rest.strip_prefix(" / ").unwrap_or(rest),
        None => name,
    };
    (!url.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    #[test]
    fn script_names_without_a_url_give_none() {
        assert_eq!(url_in_script_name("system / Script"), None);
        assert_eq!(
            url_in_script_name("system / Script / file:///app/a.js"),
            Some("file:///app/a.js")
        );
        assert_eq!(
            url_in_script_name("file:///app/a.js"),
            Some("file:///app/a.js")
        );
        assert_eq!(url_in_script_name(""), None);
    }

    fn snapshot(text: &str) -> HeapGraph {
        heapdiff_parser::parse_snapshot(text.as_bytes())
            .unwrap()
            .value
    }

    /// A tiny snapshot: root → closure f (script 7) → shared → Script
    /// `/app/server.js`; closure h (script 7) → shared → a Script named
    /// `url` (no `name` edge: the node's own name); an object located in
    /// script 7.
    fn tiny(second_url: &str) -> HeapGraph {
        let text = with_meta(
            r#" "node_count":9,"edge_count":8},
"nodes":[0,0,1,0,3, 2,1,3,32,1, 3,2,5,40,1, 3,3,7,80,1, 4,3,9,40,0, 2,1,11,32,1, 3,2,13,40,1, 3,6,15,80,0, 1,4,17,24,0],
"edges":[2,5,5, 2,5,25, 2,4,40, 3,7,10, 3,8,15, 3,9,20, 3,7,30, 3,8,35],
"locations":[5,7,0,4, 25,7,2,8, 40,7,15,13],
"strings":["","f","SharedFunctionInfo","/app/server.js","Rec","h","SECOND","shared","script_or_debug_info","name"]}"#,
        );
        snapshot(&text.replace("SECOND", second_url))
    }

    /// A snapshot with the tests' layout (closures, code, strings; internal
    /// edges; locations), `rest` being the counts and arrays.
    fn with_meta(rest: &str) -> String {
        format!(
            r#"{{"snapshot":{{"meta":{{
 "node_fields":["type","name","id","self_size","edge_count"],
 "node_types":[["hidden","object","closure","code","string"],"string","number","number","number"],
 "edge_fields":["type","name_or_index","to_node"],
 "edge_types":[["context","element","property","internal"],"string_or_number","node"],
 "location_fields":["object_index","script_id","line","column"]}},
{rest}"#
        )
    }

    /// A Script's source text is found through a located closure of its
    /// script id: closure → shared → script_or_debug_info → source.
    #[test]
    fn a_script_source_is_found_through_a_located_closure() {
        let g = snapshot(&with_meta(
            r#" "node_count":6,"edge_count":5},
"nodes":[0,0,1,0,1, 2,1,3,32,1, 3,2,5,40,1, 3,3,7,80,2, 4,3,9,40,0, 4,6,11,40,0],
"edges":[2,1,5, 3,4,10, 3,5,15, 3,7,20, 3,8,25],
"locations":[5,7,0,4],
"strings":["","f","SharedFunctionInfo","/app/a.js","shared","script_or_debug_info","f();\n//# sourceMappingURL=a.js.map","name","source"]}"#,
        ));
        let s = Scripts::resolve(&g);
        let source = s.sources(&g);
        assert_eq!(source(7), Some("f();\n//# sourceMappingURL=a.js.map"));
        assert_eq!(source(7), Some("f();\n//# sourceMappingURL=a.js.map"));
        assert_eq!(source(9), None, "no located closure of script 9");
    }

    #[test]
    fn a_located_closure_names_its_script() {
        let g = tiny("/app/server.js");
        let s = Scripts::resolve(&g);
        assert_eq!(s.url(7), Some("/app/server.js"));
        assert_eq!(s.url(9), None, "no closure of script 9 has a location");
        let p = s.position_of_key("7,15,13,Rec").unwrap();
        assert_eq!(
            (p.url.as_str(), p.line, p.column),
            ("/app/server.js", 16, 14)
        );
        assert_eq!(p.short(), "server.js:16:14");
        assert_eq!(s.position_of_key("9,0,0,Rec"), None);
        assert_eq!(s.position_of_key(",Object"), None);
        assert_eq!(s.position_of_key(",1,2,3"), None);
    }

    /// A location a source map moved shows its original place and class
    /// name; V8's are kept for the JSON's `generated`; other locations and
    /// keys without one are as V8 wrote them.
    #[test]
    fn moved_locations_show_their_original_place_and_name() {
        let mut g = tiny("/app/server.js");
        let moved = Location {
            script_id: 7,
            line: 15,
            column: 13,
        };
        g.original_locations.insert(
            moved,
            OriginalLocation {
                name: Some("RequestRecord".into()),
                url: "src/cache.js".into(),
                line: 36,
                column: 2,
            },
        );
        let s = Scripts::resolve(&g);
        assert_eq!(s.class_name("7,15,13,Rec", "Rec"), "RequestRecord");
        assert_eq!(
            s.position_of_key("7,15,13,Rec").unwrap().short(),
            "cache.js:37:3"
        );
        let generated = s.generated_of_key("7,15,13,Rec", "Rec").unwrap();
        assert_eq!(
            (generated.name.as_str(), generated.url.as_str()),
            ("Rec", "/app/server.js")
        );
        assert_eq!((generated.line, generated.column), (Some(16), Some(14)));
        assert_eq!(s.class_name("7,2,8,Other", "Other"), "Other");
        assert_eq!(s.generated_of_key("7,2,8,Other", "Other"), None);
        assert_eq!(s.class_name(",Object", "Object"), "Object");
    }

    /// Two closures of one script id that lead to different URLs leave the
    /// id unresolved rather than pick one.
    #[test]
    fn conflicting_scripts_leave_the_id_unresolved() {
        let g = tiny("/app/other.js");
        assert_eq!(Scripts::resolve(&g).url(7), None);
        assert!(Scripts::resolve(&g).urls().is_empty());
    }

    /// URLs resolved before the analysis (by the source-map step) are
    /// taken as they are, not resolved again; handed over, a resolution
    /// gives the same URLs as resolving afresh.
    #[test]
    fn urls_resolved_before_are_taken() {
        let mut g = load("../../fixtures/heapsnapshot/node-leak/input.heapsnapshot.gz");
        let fresh = Scripts::resolve(&g);
        let urls = fresh.urls();
        assert!(urls.len() > 10, "{urls:?}");
        g.script_urls = Some(urls.clone());
        let taken = Scripts::resolve(&g);
        for &(_, loc) in &g.locations {
            assert_eq!(taken.url(loc.script_id), fresh.url(loc.script_id));
        }
        assert_eq!(taken.urls(), urls);
        let (&id, _) = urls.iter().next().unwrap();
        g.script_urls = Some([(id, "/elsewhere.js".to_string())].into_iter().collect());
        let taken = Scripts::resolve(&g);
        assert_eq!(taken.url(id), Some("/elsewhere.js"));
        assert_eq!(taken.urls().len(), 1);
    }

    #[test]
    fn short_names() {
        let at = |url: &str| SourcePosition {
            url: url.into(),
            line: 1,
            column: 2,
        };
        assert_eq!(
            at("node:internal/bootstrap/realm").short(),
            "node:internal/bootstrap/realm:1:2"
        );
        assert_eq!(at("file:///srv/app/cache.js").short(), "cache.js:1:2");
        assert_eq!(at("https://example.com/").short(), "example.com:1:2");
        assert_eq!(at("evalmachine").short(), "evalmachine:1:2");
    }

    /// The real node service of `gen-node-leak.mjs`: `RequestRecord` is the
    /// class of `cache.js` line 32 (`constructor(seq, …)`, the opening
    /// parenthesis at column 14), and node's own classes name node's
    /// modules.
    #[test]
    fn node_fixture_classes_resolve_to_their_scripts() {
        let g = load("../../fixtures/heapsnapshot/node-leak/input.heapsnapshot.gz");
        let d = super::super::analyze(&g);
        let s = Scripts::resolve(&g);
        let key_of = |name: &str| {
            let c = d.classes.names.iter().position(|n| n == name).unwrap();
            d.classes.keys[c].clone()
        };
        let record = s.position_of_key(&key_of("RequestRecord")).unwrap();
        assert!(
            record.url.ends_with("/scripts/snapshots/leak-app/cache.js"),
            "{}",
            record.url
        );
        assert_eq!((record.line, record.column), (32, 14));
        assert_eq!(record.short(), "cache.js:32:14");
        let line = s.position_of_key(&key_of("OrderLine")).unwrap();
        assert_eq!(
            (line.short().as_str(), line.url == record.url),
            ("cache.js:43:14", true)
        );
        let lru = s.position_of_key(&key_of("LruCache")).unwrap();
        assert_eq!(lru.short(), "cache.js:10:14");
        let queue = s.position_of_key(&key_of("FixedQueue")).unwrap();
        assert_eq!(queue.url, "node:internal/fixed_queue");
        let module = s.position_of_key(&key_of("BuiltinModule")).unwrap();
        assert_eq!(module.short(), "node:internal/bootstrap/realm:238:14");
        // Every location-keyed class of this snapshot resolves.
        for key in d.classes.keys.iter().filter(|k| !k.starts_with(',')) {
            assert!(s.position_of_key(key).is_some(), "{key}");
        }
    }

    /// Another process of the same node version, snapshotted through the
    /// inspector, names node's classes at the same positions.
    #[test]
    fn another_node_process_names_the_same_positions() {
        let g = load("../../fixtures/heapsnapshot/inspector/input.heapsnapshot.gz");
        let d = super::super::analyze(&g);
        let s = Scripts::resolve(&g);
        let at = |name: &str| {
            let c = d.classes.names.iter().position(|n| n == name).unwrap();
            s.position_of_key(&d.classes.keys[c]).unwrap().short()
        };
        assert_eq!(at("BuiltinModule"), "node:internal/bootstrap/realm:238:14");
        assert_eq!(at("FixedQueue"), "node:internal/fixed_queue:92:14");
    }
}
