//! Class names and class keys (formats §7.8), including DevTools' interface
//! inference for plain `Object`s: frequent property lists become classes
//! named like `{x, y}`.

use std::cmp::Ordering;

use heapdiff_model::cast::to_u32;
use heapdiff_model::{HeapGraph, NodeOrdinal, SnapshotStringId};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The class of every node.
#[derive(Debug, Clone)]
pub struct ClassTable {
    /// Class of each node (index into `names`/`keys`).
    pub of_node: Vec<u32>,
    /// Class names (what the Summary shows).
    pub names: Vec<String>,
    /// Class keys (what the Summary groups by): `",Name"` or
    /// `"script,line,column,Name"` for objects with a location.
    pub keys: Vec<String>,
    /// The interface definitions used.
    pub interfaces: InterfaceDefinitions,
}

/// Inferred interfaces: `(label, property names)` in priority order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceDefinitions {
    /// The definitions.
    pub defs: Vec<(String, Vec<String>)>,
}

const LABEL_LIMIT: usize = 120;

/// Nodes per parallel task.
const CHUNK: usize = 1 << 16;

const NONE: u32 = u32::MAX;

pub(crate) fn compute(
    g: &HeapGraph,
    detached: &[bool],
    interfaces: Option<&InterfaceDefinitions>,
) -> ClassTable {
    let plain = PlainObjects::collect(g);
    let interfaces = interfaces.cloned().unwrap_or_else(|| infer(&plain));
    let matched = match_interfaces(&plain, &interfaces);
    let mut names = NameIds::new(g, &interfaces);
    let mut keys = KeyIds::default();
    let object = g.node_type_index("object");
    let mut locations = g.locations.iter().peekable();
    let mut next_plain = plain.nodes.iter().zip(&matched).peekable();
    let n = g.n_nodes().min(detached.len());
    let mut of_node = Vec::with_capacity(n);
    for (v, &is_detached) in g.nodes().ordinals().zip(detached).take(n) {
        let def = next_plain.next_if(|&(&p, _)| p == v).map(|(_, &d)| d);
        let name_id = match def {
            Some(d) if d != NONE => names.of_def(d),
            _ => names.of_node(v, is_detached),
        };
        let loc = if Some(g.nodes().kind(v)) == object {
            while locations.next_if(|&&(at, _)| at < v).is_some() {}
            locations
                .peek()
                .filter(|&&&(at, _)| at == v)
                .map(|(_, l)| (l.script_id, l.line, l.column))
        } else {
            None
        };
        of_node.push(keys.of(loc, name_id, &names.texts));
    }
    ClassTable {
        of_node,
        names: keys.names,
        keys: keys.keys,
        interfaces,
    }
}

/// Class name ids, one per distinct name text. A node's class name depends
/// only on its type, its name string and whether it is detached (or on the
/// interface it matched), so each of those is named once.
struct NameIds<'a> {
    g: &'a HeapGraph,
    interfaces: &'a InterfaceDefinitions,
    texts: Vec<String>,
    by_text: FxHashMap<String, u32>,
    /// By node type, for the types whose class ignores the node name.
    by_type: Vec<u32>,
    /// By name string index, for `object`/`native` nodes not detached.
    by_string: Vec<u32>,
    /// By name string index, for detached `object`/`native` nodes.
    detached: FxHashMap<SnapshotStringId, u32>,
    /// By interface definition.
    by_def: Vec<u32>,
    object: Option<u8>,
    native: Option<u8>,
}

impl<'a> NameIds<'a> {
    fn new(g: &'a HeapGraph, interfaces: &'a InterfaceDefinitions) -> Self {
        Self {
            g,
            interfaces,
            texts: Vec::new(),
            by_text: FxHashMap::default(),
            by_type: vec![NONE; 256],
            by_string: vec![NONE; g.strings.len()],
            detached: FxHashMap::default(),
            by_def: vec![NONE; interfaces.defs.len()],
            object: g.node_type_index("object"),
            native: g.node_type_index("native"),
        }
    }

    fn of_node(&mut self, v: NodeOrdinal, detached: bool) -> u32 {
        let kind = Some(self.g.nodes().kind(v));
        if kind != self.object && kind != self.native {
            let t = usize::from(self.g.nodes().kind(v));
            if self.by_type[t] == NONE {
                self.by_type[t] = self.intern(class_name(self.g, v, false));
            }
            return self.by_type[t];
        }
        let s = self.g.nodes().name(v);
        if detached {
            if let Some(&id) = self.detached.get(&s) {
                return id;
            }
            let id = self.intern(class_name(self.g, v, true));
            self.detached.insert(s, id);
            return id;
        }
        match self.by_string.get(s.index()) {
            Some(&id) if id != NONE => id,
            Some(_) => {
                let id = self.intern(class_name(self.g, v, false));
                self.by_string[s.index()] = id;
                id
            }
            None => self.intern(class_name(self.g, v, false)),
        }
    }

    fn of_def(&mut self, d: u32) -> u32 {
        if self.by_def[d as usize] == NONE {
            let label = self.interfaces.defs[d as usize].0.as_str();
            self.by_def[d as usize] = self.intern(std::borrow::Cow::Borrowed(label));
        }
        self.by_def[d as usize]
    }

    fn intern(&mut self, name: std::borrow::Cow<'_, str>) -> u32 {
        if let Some(&id) = self.by_text.get(name.as_ref()) {
            return id;
        }
        // A class name per node at most: the count fits as nodes do.
        let id = to_u32(self.texts.len());
        self.texts.push(name.to_string());
        self.by_text.insert(name.into_owned(), id);
        id
    }
}

/// Class ids in first-seen order, keyed by (location, name id).
#[derive(Default)]
struct KeyIds {
    /// By name id, for classes without a location.
    plain: Vec<u32>,
    located: FxHashMap<(u32, u32, u32, u32), u32>,
    names: Vec<String>,
    keys: Vec<String>,
}

impl KeyIds {
    fn of(&mut self, loc: Option<(u32, u32, u32)>, name_id: u32, texts: &[String]) -> u32 {
        // A class per node at most: the count fits as nodes do.
        let next = to_u32(self.keys.len());
        let id = match loc {
            None => {
                if self.plain.len() <= name_id as usize {
                    self.plain.resize(name_id as usize + 1, NONE);
                }
                let slot = &mut self.plain[name_id as usize];
                if *slot == NONE {
                    *slot = next;
                }
                *slot
            }
            Some((s, l, c)) => *self.located.entry((s, l, c, name_id)).or_insert(next),
        };
        if id == next {
            let n = &texts[name_id as usize];
            self.keys.push(match loc {
                Some((s, l, c)) => format!("{s},{l},{c},{n}"),
                None => format!(",{n}"),
            });
            self.names.push(n.clone());
        }
        id
    }
}

/// The class name of a node without interface inference.
fn class_name(g: &HeapGraph, v: NodeOrdinal, detached: bool) -> std::borrow::Cow<'_, str> {
    class_of(g.node_type(v), g.node_name(v), detached)
}

/// The class name of a node of type `node_type` named `raw` (formats §7.8,
/// without interface inference): also what `--shallow` names its groups by.
pub(crate) fn class_of<'a>(
    node_type: &str,
    raw: &'a str,
    detached: bool,
) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    match node_type {
        "hidden" => Cow::Borrowed("(system)"),
        "object" | "native" => {
            if detached {
                Cow::Owned(shorten(&format!("Detached {raw}"), 10))
            } else if raw.starts_with('<') {
                Cow::Owned(shorten(raw, 0))
            } else {
                Cow::Borrowed(raw)
            }
        }
        "code" => Cow::Borrowed("(compiled code)"),
        "closure" => Cow::Borrowed("Function"),
        "regexp" => Cow::Borrowed("RegExp"),
        other => Cow::Owned(format!("({other})")),
    }
}

/// `<div id="a">` → `<div>`: cut HTML-like names at the first space at or
/// after `from` characters.
fn shorten(name: &str, from: usize) -> String {
    let html = if from == 0 {
        name.starts_with('<')
    } else {
        name.strip_prefix("Detached ")
            .is_some_and(|rest| rest.starts_with('<'))
    };
    if !html {
        return name.to_string();
    }
    match name.char_indices().skip(from).find(|&(_, c)| c == ' ') {
        Some((at, _)) => format!("{}>", &name[..at]),
        None => name.to_string(),
    }
}

/// Plain objects (`object` nodes named exactly `Object`) and their
/// property edge names, as ids of distinct property name texts.
struct PlainObjects<'a> {
    /// The plain objects, by ordinal.
    nodes: Vec<NodeOrdinal>,
    /// Property ids of each plain object, file order, `__proto__`
    /// included: `props[first[i]..first[i + 1]]`.
    first: Vec<u32>,
    props: Vec<u32>,
    /// Text of each property id.
    texts: Vec<&'a str>,
    /// Id of each property text.
    by_text: FxHashMap<&'a str, u32>,
}

impl<'a> PlainObjects<'a> {
    fn collect(g: &'a HeapGraph) -> Self {
        let nodes = plain_object_nodes(g);
        let property = g.edge_type_index("property");
        let mut ids = PropertyIds::new(g);
        let mut first = Vec::with_capacity(nodes.len() + 1);
        let mut props = Vec::new();
        first.push(0);
        for &v in &nodes {
            for e in g.edges_of(v) {
                if Some(g.edges().kind(e)) == property {
                    props.push(ids.of(g.edges().name(e)));
                }
            }
            // At most one property per edge: the count fits as edges do.
            first.push(to_u32(props.len()));
        }
        Self {
            nodes,
            first,
            props,
            texts: ids.texts,
            by_text: ids.by_text,
        }
    }

    /// Property ids of the `i`-th plain object.
    fn props(&self, i: usize) -> &[u32] {
        &self.props[self.first[i] as usize..self.first[i + 1] as usize]
    }
}

/// `object` nodes named `Object`, found in parallel node ranges.
fn plain_object_nodes(g: &HeapGraph) -> Vec<NodeOrdinal> {
    let object = g.node_type_index("object");
    let n = g.n_nodes();
    let chunks: Vec<Vec<NodeOrdinal>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            (c * CHUNK..((c + 1) * CHUNK).min(n))
                .map(NodeOrdinal::from_index)
                .filter(|&v| Some(g.nodes().kind(v)) == object && g.node_name(v) == "Object")
                .collect()
        })
        .collect();
    chunks.concat()
}

/// Ids of distinct property name texts, memoized by string index.
struct PropertyIds<'a> {
    g: &'a HeapGraph,
    by_string: Vec<u32>,
    texts: Vec<&'a str>,
    by_text: FxHashMap<&'a str, u32>,
}

impl<'a> PropertyIds<'a> {
    fn new(g: &'a HeapGraph) -> Self {
        Self {
            g,
            by_string: vec![NONE; g.strings.len()],
            texts: Vec::new(),
            by_text: FxHashMap::default(),
        }
    }

    fn of(&mut self, s: SnapshotStringId) -> u32 {
        if let Some(&id) = self.by_string.get(s.index()).filter(|&&id| id != NONE) {
            return id;
        }
        let text = self.g.strings.get(s);
        // A property text per string at most: the count fits as strings do.
        let next = to_u32(self.texts.len());
        let id = *self.by_text.entry(text).or_insert(next);
        if id == next {
            self.texts.push(text);
        }
        if let Some(slot) = self.by_string.get_mut(s.index()) {
            *slot = id;
        }
        id
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A property name as it appears in a label: JSON-quoted when it contains
/// `,`, `'`, `"`, `{` or `}`.
fn format_name(name: &str) -> String {
    if name.contains([',', '\'', '"', '{', '}']) {
        json_quote(name)
    } else {
        name.to_string()
    }
}

fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Steps 1–2: candidate labels by frequency. A label is determined by its
/// sequence of property texts (quoting is unambiguous), so candidates are
/// counted by property id sequence and labelled once.
fn infer(plain: &PlainObjects<'_>) -> InterfaceDefinitions {
    let proto = plain.by_text.get("__proto__").copied();
    let formatted_len: Vec<usize> = plain
        .texts
        .iter()
        .map(|t| utf16_len(&format_name(t)))
        .collect();
    let mut index: FxHashMap<Box<[u32]>, usize> = FxHashMap::default();
    let mut candidates: Vec<(Box<[u32]>, u64)> = Vec::new();
    let mut label: Vec<u32> = Vec::new();
    for i in 0..plain.nodes.len() {
        label.clear();
        let mut label_len = 1;
        for &p in plain.props(i) {
            if Some(p) == proto {
                continue;
            }
            let f_len = formatted_len[p as usize];
            if !label.is_empty() && label_len + f_len > LABEL_LIMIT {
                break;
            }
            if !label.is_empty() {
                label_len += 2;
            }
            label_len += f_len;
            label.push(p);
        }
        if label.is_empty() {
            continue;
        }
        match index.get(label.as_slice()) {
            Some(&c) => candidates[c].1 += 1,
            None => {
                index.insert(label.as_slice().into(), candidates.len());
                candidates.push((label.as_slice().into(), 1));
            }
        }
    }
    // Stable: ties keep first-seen order.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.1));
    let n_plain = plain.nodes.len() as u64;
    let defs = candidates
        .into_iter()
        .take_while(|c| c.1 >= 2 && c.1 * 1000 >= n_plain)
        .map(|(ids, _)| definition(plain, &ids))
        .collect();
    InterfaceDefinitions { defs }
}

/// `({p1, p2, …}, [p1, p2, …])` for a sequence of property ids.
fn definition(plain: &PlainObjects<'_>, ids: &[u32]) -> (String, Vec<String>) {
    let props: Vec<String> = ids
        .iter()
        .map(|&p| plain.texts[p as usize].to_string())
        .collect();
    let formatted: Vec<String> = props.iter().map(|p| format_name(p)).collect();
    (format!("{{{}}}", formatted.join(", ")), props)
}

fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Step 3: the definition each plain object matches (`NONE` for none; most
/// properties, then earliest), found with a trie over the definitions'
/// sorted property names. Names are compared as ranks in UTF-16 order.
/// Repeated names (two symbol keys with the same description are both
/// `<symbol desc>`) are kept on both sides, as DevTools keeps them: a
/// definition matches when its names, repeats counted, are among the
/// object's.
fn match_interfaces(plain: &PlainObjects<'_>, defs: &InterfaceDefinitions) -> Vec<u32> {
    if defs.defs.is_empty() {
        return vec![NONE; plain.nodes.len()];
    }
    let rank = utf16_ranks(&plain.texts);
    let trie = Trie::build(defs, |name| {
        plain.by_text.get(name).map(|&p| rank[p as usize])
    });
    let n = plain.nodes.len();
    let chunks: Vec<Vec<u32>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut props: Vec<u32> = Vec::new();
            let mut stack = Vec::new();
            (c * CHUNK..((c + 1) * CHUNK).min(n))
                .map(|i| {
                    props.clear();
                    props.extend(plain.props(i).iter().map(|&p| rank[p as usize]));
                    props.sort_unstable();
                    trie.best_subset(&props, &mut stack).unwrap_or(NONE)
                })
                .collect()
        })
        .collect();
    chunks.concat()
}

/// The position of each text in UTF-16 code unit order (texts are
/// distinct, so ranks are too).
fn utf16_ranks(texts: &[&str]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..to_u32(texts.len())).collect();
    order.sort_by(|&a, &b| utf16_cmp(texts[a as usize], texts[b as usize]));
    let mut rank = vec![0; texts.len()];
    for (r, &p) in (0..).zip(&order) {
        rank[p as usize] = r;
    }
    rank
}

struct TrieNode {
    /// (property rank, child node), sorted by rank.
    children: Vec<(u32, u32)>,
    /// The earliest definition ending here.
    def: Option<u32>,
}

struct Trie {
    nodes: Vec<TrieNode>,
}

impl Trie {
    /// `rank` maps a property name to its rank; a definition with a name
    /// no plain object has can never match and is left out.
    fn build(defs: &InterfaceDefinitions, rank: impl Fn(&str) -> Option<u32>) -> Self {
        let mut t = Trie {
            nodes: vec![TrieNode {
                children: Vec::new(),
                def: None,
            }],
        };
        for (d, (_, props)) in defs.defs.iter().enumerate() {
            let Some(mut sorted) = props.iter().map(|p| rank(p)).collect::<Option<Vec<u32>>>()
            else {
                continue;
            };
            sorted.sort_unstable();
            let mut at = 0usize;
            for p in sorted {
                let children = &t.nodes[at].children;
                at = match children.binary_search_by_key(&p, |&(name, _)| name) {
                    Ok(k) => children[k].1 as usize,
                    Err(k) => {
                        let child = t.nodes.len();
                        t.nodes.push(TrieNode {
                            children: Vec::new(),
                            def: None,
                        });
                        t.nodes[at].children.insert(k, (p, to_u32(child)));
                        child
                    }
                };
            }
            if t.nodes[at].def.is_none() {
                t.nodes[at].def = Some(to_u32(d));
            }
        }
        t
    }

    /// The definition with the most properties, all among `props` (sorted
    /// ranks), earliest on ties. Both are multisets: a name a definition
    /// lists twice must appear twice in `props`, and counts twice. `stack`
    /// is scratch space, reused across calls.
    fn best_subset(&self, props: &[u32], stack: &mut Vec<(usize, usize, usize)>) -> Option<u32> {
        let mut best: Option<(usize, u32)> = None;
        stack.clear();
        stack.push((0, 0, 0));
        while let Some((node, from, depth)) = stack.pop() {
            if let Some(d) = self.nodes[node].def {
                let better = match best {
                    None => true,
                    Some((bd, bi)) => depth > bd || (depth == bd && d < bi),
                };
                if better {
                    best = Some((depth, d));
                }
            }
            self.step(node, &props[from..], |child, k| {
                stack.push((child as usize, from + k + 1, depth + 1));
            });
        }
        best.map(|(_, d)| d)
    }

    /// Calls `visit` for each child of `node` whose name is in `rest`
    /// (sorted ranks), with the position of the first copy of that name
    /// there, so that its repeats stay available deeper in the trie. The
    /// shorter of the two lists is searched in the longer one.
    fn step(&self, node: usize, rest: &[u32], mut visit: impl FnMut(u32, usize)) {
        let children = &self.nodes[node].children;
        if children.len() <= rest.len() {
            for &(name, child) in children {
                let k = rest.partition_point(|&p| p < name);
                if rest.get(k) == Some(&name) {
                    visit(child, k);
                }
            }
        } else {
            for (k, &p) in rest.iter().enumerate() {
                if k > 0 && rest[k - 1] == p {
                    continue;
                }
                if let Ok(c) = children.binary_search_by_key(&p, |&(name, _)| name) {
                    visit(children[c].1, k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use heapdiff_model::HeapGraph;

    use super::{InterfaceDefinitions, Trie, compute, format_name, shorten};

    /// A snapshot whose root holds one plain object per entry of `objects`,
    /// each with property edges of those names (in that order) to one
    /// string.
    fn plain_objects(objects: &[&[&str]]) -> HeapGraph {
        let mut strings = vec!["".to_string(), "Object".into(), "v".into()];
        let mut string_index = |name: &str| match strings.iter().position(|s| s == name) {
            Some(i) => i,
            None => {
                strings.push(name.to_string());
                strings.len() - 1
            }
        };
        let n = objects.len();
        let value = (n + 1) * 5;
        let mut nodes = vec![format!("9,0,1,0,{n}")];
        let mut edges: Vec<String> = (0..n).map(|i| format!("1,{i},{}", (i + 1) * 5)).collect();
        for (i, props) in objects.iter().enumerate() {
            nodes.push(format!("3,1,{},16,{}", 3 + 2 * i, props.len()));
            for p in *props {
                edges.push(format!("2,{},{value}", string_index(p)));
            }
        }
        nodes.push(format!("2,2,{},8,0", 3 + 2 * n));
        let json = format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]}},"node_count":{},"edge_count":{}}},"nodes":[{}],"edges":[{}],"strings":{}}}"#,
            nodes.len(),
            edges.len(),
            nodes.join(","),
            edges.join(","),
            serde_json::to_string(&strings).unwrap(),
        );
        heapdiff_parser::parse_snapshot(json.as_bytes())
            .unwrap()
            .value
    }

    /// The class names of the plain objects (nodes 1..=n).
    fn plain_classes(g: &HeapGraph, defs: Option<&InterfaceDefinitions>) -> Vec<String> {
        let t = compute(g, &vec![false; g.n_nodes()], defs);
        (1..g.n_nodes() - 1)
            .map(|v| t.names[t.of_node[v] as usize].clone())
            .collect()
    }

    #[test]
    fn repeated_property_names_are_matched_with_their_repeats() {
        const ONE: &[&str] = &["<symbol>"];
        const TWO: &[&str] = &["<symbol>", "<symbol>"];
        const THREE: &[&str] = &["<symbol>", "<symbol>", "<symbol>", "u"];
        const X_ID: &[&str] = &["x", "<symbol id>"];
        const X_ID_ID: &[&str] = &["x", "<symbol id>", "<symbol id>"];
        let g = plain_objects(&[
            ONE, ONE, ONE, TWO, TWO, X_ID_ID, X_ID_ID, X_ID_ID, X_ID, X_ID, THREE,
        ]);
        let classes = plain_classes(&g, None);
        let want = [
            "{<symbol>}",
            "{<symbol>}",
            "{<symbol>}",
            "{<symbol>, <symbol>}",
            "{<symbol>, <symbol>}",
            "{x, <symbol id>, <symbol id>}",
            "{x, <symbol id>, <symbol id>}",
            "{x, <symbol id>, <symbol id>}",
            "{x, <symbol id>}",
            "{x, <symbol id>}",
            "{<symbol>, <symbol>}",
        ];
        assert_eq!(classes, want);

        // Definitions from another snapshot, the longer ones first: an
        // object with one `<symbol id>` does not match `{x, <symbol id>,
        // <symbol id>}`.
        let def = |props: &[&str]| {
            let label = format!("{{{}}}", props.join(", "));
            (label, props.iter().map(|p| p.to_string()).collect())
        };
        let defs = InterfaceDefinitions {
            defs: vec![def(X_ID_ID), def(TWO), def(X_ID), def(ONE)],
        };
        assert_eq!(plain_classes(&g, Some(&defs)), want);
    }

    /// The largest sub-multiset of `props` among `defs` (earliest on
    /// ties), by counting.
    fn brute_force_best(defs: &[Vec<u32>], props: &[u32]) -> Option<u32> {
        let count = |list: &[u32], p: u32| list.iter().filter(|&&q| q == p).count();
        let mut best: Option<(usize, u32)> = None;
        for (d, def) in defs.iter().enumerate() {
            let fits = def.iter().all(|&p| count(def, p) <= count(props, p));
            if fits && best.is_none_or(|(len, _)| def.len() > len) {
                best = Some((def.len(), u32::try_from(d).unwrap()));
            }
        }
        best.map(|(_, d)| d)
    }

    #[test]
    fn trie_finds_the_largest_earliest_sub_multiset() {
        let mut rng = heapdiff_testkit::SplitMix64::new(7);
        let mut list = |max_len: u64| -> Vec<u32> {
            let n = 1 + usize::try_from(rng.below(max_len)).unwrap();
            (0..n)
                .map(|_| u32::try_from(rng.below(4)).unwrap())
                .collect()
        };
        let names = ["a", "b", "c", "d"];
        for _ in 0..200 {
            let defs: Vec<Vec<u32>> = (0..6).map(|_| list(4)).collect();
            let interfaces = InterfaceDefinitions {
                defs: defs
                    .iter()
                    .map(|d| {
                        (
                            String::new(),
                            d.iter().map(|&p| names[p as usize].into()).collect(),
                        )
                    })
                    .collect(),
            };
            let trie = Trie::build(&interfaces, |name| {
                names
                    .iter()
                    .position(|&n| n == name)
                    .map(|p| u32::try_from(p).unwrap())
            });
            let mut stack = Vec::new();
            for _ in 0..50 {
                let mut props = list(8);
                props.sort_unstable();
                assert_eq!(
                    trie.best_subset(&props, &mut stack),
                    brute_force_best(&defs, &props),
                    "{defs:?} {props:?}"
                );
            }
        }
    }

    #[test]
    fn html_names_are_shortened() {
        assert_eq!(shorten("<div id=\"a\">", 0), "<div>");
        assert_eq!(shorten("Detached <div class=x>", 10), "Detached <div>");
        assert_eq!(
            shorten("Detached HTMLDivElement", 10),
            "Detached HTMLDivElement"
        );
        assert_eq!(format_name("a,b"), "\"a,b\"");
        assert_eq!(format_name("x"), "x");
    }
}
