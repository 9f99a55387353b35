//! `scale-snapshot IN OUT K`: a heap snapshot K times the size of a real
//! one, for the scale benchmarks (`BENCHMARKS.md`).
//!
//! The output holds K copies of the input's graph under one root: copy 0 is
//! the input, copies 1…K−1 have their node indices and object ids moved past
//! those of the copies before them (ids keep their parity, so JavaScript
//! objects stay odd and embedder objects even), and the first root gets one
//! `element` edge to each further copy's root. Strings are shared; locations
//! are copied with the moved node indices. So the file has the real file's
//! shape (class mix, edge kinds, degrees, string table) at K times its size.
//!
//! The input must be in V8's key order (`snapshot`, `nodes`, `edges`, …,
//! `locations`, `strings`), as V8 and node write it.

use std::error::Error;
use std::fs;
use std::io::{BufWriter, Write};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, k] = args.as_slice() else {
        return Err("usage: scale-snapshot IN.heapsnapshot OUT.heapsnapshot K".into());
    };
    let k: u64 = k.parse()?;
    if k == 0 {
        return Err("K must be at least 1".into());
    }
    let text = fs::read(input)?;
    let snap = Sections::find(&text)?;
    let out = fs::File::create(output)?;
    let mut w = BufWriter::with_capacity(8 << 20, out);
    snap.write_scaled(&text, k, &mut w)?;
    w.flush()?;
    Ok(())
}

/// The byte ranges of the input's top-level sections.
struct Sections {
    header: serde_json::Value,
    nodes: (usize, usize),
    edges: (usize, usize),
    /// From the end of `edges` to the start of the `locations` numbers.
    middle: (usize, usize),
    locations: (usize, usize),
    /// From the end of `locations` to the end of the file.
    tail: usize,
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Result<usize> {
    text[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p + needle.len())
        .ok_or_else(|| format!("{} not found", String::from_utf8_lossy(needle)).into())
}

fn array_end(text: &[u8], from: usize) -> Result<usize> {
    text[from..]
        .iter()
        .position(|&b| b == b']')
        .map(|p| from + p)
        .ok_or_else(|| "unterminated array".into())
}

impl Sections {
    fn find(text: &[u8]) -> Result<Self> {
        let open = find(text, 0, b"\"snapshot\":")?;
        let mut stream =
            serde_json::Deserializer::from_slice(&text[open..]).into_iter::<serde_json::Value>();
        let header = stream.next().ok_or("no header")??;
        let after_header = open + stream.byte_offset();
        let ns = find(text, after_header, b"\"nodes\":[")?;
        let ne = array_end(text, ns)?;
        let es = find(text, ne, b"\"edges\":[")?;
        let ee = array_end(text, es)?;
        let ls = find(text, ee, b"\"locations\":[")?;
        let le = array_end(text, ls)?;
        Ok(Self {
            header,
            nodes: (ns, ne),
            edges: (es, ee),
            middle: (ee, ls),
            locations: (ls, le),
            tail: le,
        })
    }

    fn field(&self, list: &str, name: &str) -> Result<usize> {
        self.header["meta"][list]
            .as_array()
            .and_then(|a| a.iter().position(|f| f == name))
            .ok_or_else(|| format!("meta.{list} has no {name}").into())
    }

    /// Where the fields this tool edits sit in the node and edge records.
    fn layout(&self) -> Result<Layout> {
        let width = |list: &str| {
            self.header["meta"][list]
                .as_array()
                .map(Vec::len)
                .ok_or_else(|| format!("meta.{list} is not an array"))
        };
        let element = self.header["meta"]["edge_types"][0]
            .as_array()
            .and_then(|a| a.iter().position(|t| t == "element"))
            .ok_or("no element edge type")? as u64;
        Ok(Layout {
            nf: width("node_fields")?,
            ef: width("edge_fields")?,
            id_f: self.field("node_fields", "id")?,
            ec_f: self.field("node_fields", "edge_count")?,
            et_f: self.field("edge_fields", "type")?,
            en_f: self.field("edge_fields", "name_or_index")?,
            to_f: self.field("edge_fields", "to_node")?,
            element,
        })
    }

    fn write_scaled(&self, text: &[u8], k: u64, w: &mut impl Write) -> Result<()> {
        let lay = self.layout()?;
        let nodes = numbers(&text[self.nodes.0..self.nodes.1])?;
        let edges = numbers(&text[self.edges.0..self.edges.1])?;
        let locations = numbers(&text[self.locations.0..self.locations.1])?;
        let n_nodes = (nodes.len() / lay.nf) as u64;
        let n_edges = (edges.len() / lay.ef) as u64;
        let ids = Ids::new(&nodes, lay.id_f, lay.nf, k)?;
        writeln!(
            std::io::stderr(),
            "{n_nodes} nodes, {n_edges} edges; odd ids of copy k moved by k × {}",
            ids.odd_step
        )?;
        let mut header = self.header.clone();
        header["node_count"] = (n_nodes * k).into();
        header["edge_count"] = (n_edges * k + (k - 1)).into();
        write!(
            w,
            "{{\"snapshot\":{},\n\"nodes\":[",
            serde_json::to_string(&header)?
        )?;
        lay.write_nodes(w, &nodes, &ids, k)?;
        w.write_all(b"],\n\"edges\":[")?;
        let index_step = n_nodes * lay.nf as u64;
        let root_edges = usize::try_from(nodes[lay.ec_f])?;
        lay.write_edges(w, &edges, (root_edges, k, index_step))?;
        w.write_all(b"]")?;
        w.write_all(&text[self.middle.0 + 1..self.middle.1])?;
        let mut first = true;
        for copy in 0..k {
            for rec in locations.chunks(4) {
                let mut rec = rec.to_vec();
                rec[0] += copy * index_step;
                record(w, &rec, &mut first)?;
            }
        }
        w.write_all(&text[self.tail..])?;
        Ok(())
    }
}

/// Record widths and the positions of the fields that the copies change.
struct Layout {
    nf: usize,
    ef: usize,
    id_f: usize,
    ec_f: usize,
    et_f: usize,
    en_f: usize,
    to_f: usize,
    /// The `element` edge type's number.
    element: u64,
}

impl Layout {
    /// K copies of the nodes, ids moved; the first root counts its links to
    /// the other copies' roots among its edges.
    fn write_nodes(&self, w: &mut impl Write, nodes: &[u64], ids: &Ids, k: u64) -> Result<()> {
        let mut first = true;
        for copy in 0..k {
            for (r, rec) in nodes.chunks(self.nf).enumerate() {
                let mut rec = rec.to_vec();
                rec[self.id_f] = ids.moved(rec[self.id_f], copy);
                if copy == 0 && r == 0 {
                    rec[self.ec_f] += k - 1;
                }
                record(w, &rec, &mut first)?;
            }
        }
        Ok(())
    }

    /// K copies of the edges, targets moved; the root's links to the copies
    /// follow its own edges.
    fn write_edges(
        &self,
        w: &mut impl Write,
        edges: &[u64],
        (root_edges, k, index_step): (usize, u64, u64),
    ) -> Result<()> {
        let mut first = true;
        if root_edges == 0 {
            self.root_links(w, k, index_step, &mut first)?;
        }
        for copy in 0..k {
            for (r, rec) in edges.chunks(self.ef).enumerate() {
                let mut rec = rec.to_vec();
                rec[self.to_f] += copy * index_step;
                record(w, &rec, &mut first)?;
                if copy == 0 && r + 1 == root_edges {
                    self.root_links(w, k, index_step, &mut first)?;
                }
            }
        }
        Ok(())
    }

    /// The root's `element` edges to the roots of copies 1…K−1.
    fn root_links(
        &self,
        w: &mut impl Write,
        k: u64,
        index_step: u64,
        first: &mut bool,
    ) -> Result<()> {
        for copy in 1..k {
            let mut rec = vec![0; self.ef];
            rec[self.et_f] = self.element;
            rec[self.en_f] = copy;
            rec[self.to_f] = copy * index_step;
            record(w, &rec, first)?;
        }
        Ok(())
    }
}

/// How the ids of a copy move. JavaScript objects (odd ids, numbered from
/// 1 up) move past the largest odd id of the copies before; embedder
/// objects (even ids, addresses far apart) move by two per copy, which
/// keeps them distinct since any two of them are more than 2 (K − 1) apart.
struct Ids {
    odd_step: u64,
}

impl Ids {
    fn new(nodes: &[u64], id_f: usize, nf: usize, k: u64) -> Result<Self> {
        let ids = || nodes.iter().skip(id_f).step_by(nf).copied();
        let max_odd = ids().filter(|i| i % 2 == 1).max().unwrap_or(0);
        let mut even: Vec<u64> = ids().filter(|i| i % 2 == 0).collect();
        even.sort_unstable();
        if even.windows(2).any(|w| w[1] - w[0] <= 2 * (k - 1)) {
            return Err("even ids too close together to move by two per copy".into());
        }
        Ok(Self {
            odd_step: max_odd + 1,
        })
    }

    fn moved(&self, id: u64, copy: u64) -> u64 {
        if id % 2 == 1 {
            id + copy * self.odd_step
        } else {
            id + 2 * copy
        }
    }
}

/// One record in V8's layout: a line per record, each after the first
/// starting with its comma.
fn record(w: &mut impl Write, rec: &[u64], first: &mut bool) -> Result<()> {
    let mut line = Vec::with_capacity(64);
    if !*first {
        line.extend_from_slice(b"\n,");
    }
    *first = false;
    for (i, &v) in rec.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        decimal(&mut line, v);
    }
    w.write_all(&line)?;
    Ok(())
}

fn decimal(line: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + u8::try_from(v % 10).unwrap_or(0);
        v /= 10;
        if v == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[at..]);
}

/// The unsigned integers of a flat array's text.
fn numbers(text: &[u8]) -> Result<Vec<u64>> {
    let mut out = Vec::with_capacity(text.len() / 3);
    let mut cur: Option<u64> = None;
    for &b in text {
        match b {
            b'0'..=b'9' => cur = Some(cur.unwrap_or(0) * 10 + u64::from(b - b'0')),
            b',' | b' ' | b'\n' | b'\r' | b'\t' => {
                if let Some(v) = cur.take() {
                    out.push(v);
                }
            }
            _ => return Err(format!("unexpected byte {b:#x} in an array").into()),
        }
    }
    out.extend(cur);
    Ok(out)
}
