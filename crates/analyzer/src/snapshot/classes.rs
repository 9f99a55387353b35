//! Class names and class keys (formats §7.8), including DevTools' interface
//! inference for plain `Object`s: frequent property lists become classes
//! named like `{x, y}`.

use std::cmp::Ordering;

use heapdiff_model::HeapGraph;
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

/// A class key before formatting: the location (script, line, column) of
/// objects that have one, and the class name id.
type ClassKeyParts = (Option<(u32, u32, u32)>, u32);

pub(crate) fn compute(
    g: &HeapGraph,
    detached: &[bool],
    interfaces: Option<&InterfaceDefinitions>,
) -> ClassTable {
    let plain = PlainObjects::collect(g);
    let interfaces = interfaces.cloned().unwrap_or_else(|| infer(g, &plain));
    let matched = match_interfaces(g, &plain, &interfaces);
    let object = g.node_type_index("object");
    let mut name_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut key_ids: FxHashMap<ClassKeyParts, u32> = FxHashMap::default();
    let mut names = Vec::new();
    let mut keys = Vec::new();
    let mut class_names: Vec<String> = Vec::new();
    let mut of_node = Vec::with_capacity(g.n_nodes());
    for (v, &is_detached) in detached.iter().enumerate().take(g.n_nodes()) {
        let name = match matched.get(&(v as u32)) {
            Some(&d) => std::borrow::Cow::Borrowed(interfaces.defs[d as usize].0.as_str()),
            None => class_name(g, v as u32, is_detached),
        };
        let name_id = match name_ids.get(name.as_ref()) {
            Some(&id) => id,
            None => {
                let id = class_names.len() as u32;
                class_names.push(name.to_string());
                name_ids.insert(name.to_string(), id);
                id
            }
        };
        let loc = if Some(g.nodes.kind[v]) == object {
            g.location(v as u32)
                .map(|l| (l.script_id, l.line, l.column))
        } else {
            None
        };
        let class = *key_ids.entry((loc, name_id)).or_insert_with(|| {
            let n = &class_names[name_id as usize];
            keys.push(match loc {
                Some((s, l, c)) => format!("{s},{l},{c},{n}"),
                None => format!(",{n}"),
            });
            names.push(n.clone());
            (keys.len() - 1) as u32
        });
        of_node.push(class);
    }
    ClassTable {
        of_node,
        names,
        keys,
        interfaces,
    }
}

/// The class name of a node without interface inference.
fn class_name(g: &HeapGraph, v: u32, detached: bool) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let t = g.node_type(v);
    match t {
        "hidden" => Cow::Borrowed("(system)"),
        "object" | "native" => {
            let raw = g.node_name(v);
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
/// property edge names.
struct PlainObjects {
    nodes: Vec<u32>,
}

impl PlainObjects {
    fn collect(g: &HeapGraph) -> Self {
        let object = g.node_type_index("object");
        let nodes = (0..g.n_nodes() as u32)
            .filter(|&v| Some(g.nodes.kind[v as usize]) == object && g.node_name(v) == "Object")
            .collect();
        Self { nodes }
    }
}

fn property_names(g: &HeapGraph, v: u32) -> impl Iterator<Item = &str> {
    let property = g.edge_type_index("property");
    g.edge_range(v)
        .filter(move |&e| Some(g.edges.kind[e]) == property)
        .map(|e| g.strings.get(g.edges.name_or_index[e]))
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

/// Steps 1–2: candidate labels by frequency.
fn infer(g: &HeapGraph, plain: &PlainObjects) -> InterfaceDefinitions {
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut candidates: Vec<(String, Vec<String>, u64)> = Vec::new();
    for &v in &plain.nodes {
        let mut label = String::from("{");
        let mut label_len = 1;
        let mut props = Vec::new();
        for name in property_names(g, v) {
            if name == "__proto__" {
                continue;
            }
            let f = format_name(name);
            let f_len = utf16_len(&f);
            if !props.is_empty() && label_len + f_len > LABEL_LIMIT {
                break;
            }
            if !props.is_empty() {
                label.push_str(", ");
                label_len += 2;
            }
            label.push_str(&f);
            label_len += f_len;
            props.push(name.to_string());
        }
        if props.is_empty() {
            continue;
        }
        label.push('}');
        match index.get(&label) {
            Some(&i) => candidates[i].2 += 1,
            None => {
                index.insert(label.clone(), candidates.len());
                candidates.push((label, props, 1));
            }
        }
    }
    // Stable: ties keep first-seen order.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.2));
    let n_plain = plain.nodes.len() as u64;
    let defs = candidates
        .into_iter()
        .take_while(|c| c.2 >= 2 && c.2 * 1000 >= n_plain)
        .map(|(label, props, _)| (label, props))
        .collect();
    InterfaceDefinitions { defs }
}

fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Step 3: the definition each plain object matches (most properties, then
/// earliest), found with a trie over the definitions' sorted property names.
fn match_interfaces(
    g: &HeapGraph,
    plain: &PlainObjects,
    defs: &InterfaceDefinitions,
) -> FxHashMap<u32, u32> {
    let mut matched = FxHashMap::default();
    if defs.defs.is_empty() {
        return matched;
    }
    let trie = Trie::build(defs);
    let mut props: Vec<&str> = Vec::new();
    for &v in &plain.nodes {
        props.clear();
        props.extend(property_names(g, v));
        props.sort_by(|a, b| utf16_cmp(a, b));
        props.dedup();
        if let Some(d) = trie.best_subset(&props) {
            matched.insert(v, d);
        }
    }
    matched
}

struct TrieNode {
    children: Vec<(String, u32)>,
    /// (definition index, number of properties) ending here.
    def: Option<u32>,
}

struct Trie {
    nodes: Vec<TrieNode>,
}

impl Trie {
    fn build(defs: &InterfaceDefinitions) -> Self {
        let mut t = Trie {
            nodes: vec![TrieNode {
                children: Vec::new(),
                def: None,
            }],
        };
        for (d, (_, props)) in defs.defs.iter().enumerate() {
            let mut sorted: Vec<&str> = props.iter().map(String::as_str).collect();
            sorted.sort_by(|a, b| utf16_cmp(a, b));
            sorted.dedup();
            let mut at = 0usize;
            for p in sorted {
                at = match t.nodes[at].children.iter().find(|(name, _)| name == p) {
                    Some(&(_, child)) => child as usize,
                    None => {
                        t.nodes.push(TrieNode {
                            children: Vec::new(),
                            def: None,
                        });
                        let child = t.nodes.len() - 1;
                        t.nodes[at].children.push((p.to_string(), child as u32));
                        child
                    }
                };
            }
            if t.nodes[at].def.is_none() {
                t.nodes[at].def = Some(d as u32);
            }
        }
        t
    }

    /// The definition with the most properties, all among `props` (sorted),
    /// earliest on ties.
    fn best_subset(&self, props: &[&str]) -> Option<u32> {
        let mut best: Option<(usize, u32)> = None;
        let mut stack: Vec<(usize, usize, usize)> = vec![(0, 0, 0)];
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
            for (name, child) in &self.nodes[node].children {
                if let Ok(k) = props[from..].binary_search_by(|p| utf16_cmp(p, name)) {
                    stack.push((*child as usize, from + k + 1, depth + 1));
                }
            }
        }
        best.map(|(_, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::{format_name, shorten};

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
