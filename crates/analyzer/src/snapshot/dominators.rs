//! Dominator tree over the essential edges (formats §7.6), with DevTools'
//! augmentation: nodes with no essential retainer at all ("orphans") and
//! nodes still unreached after them ("leftovers") get an imagined edge from
//! the root. Dominators are a property of the graph, so any correct
//! algorithm on the augmented graph gives DevTools' results; this one is
//! Lengauer–Tarjan's semidominators with path compression followed by the
//! nearest-common-ancestor step (semi-NCA), over flat arrays and with no
//! recursion. `petgraph`'s `simple_fast` is its oracle in the property tests.

use heapdiff_model::HeapGraph;

const NONE: u32 = u32::MAX;

/// The dominator tree.
#[derive(Debug, Clone)]
pub struct Dominators {
    /// Immediate dominator of every node, by ordinal; `idom[0] == 0`.
    pub idom: Vec<u32>,
    /// Nodes in DFS preorder (the root first): every node after its
    /// immediate dominator.
    pub preorder: Vec<u32>,
    /// Nodes reached only through the augmentation (orphans and leftovers).
    pub n_unreachable: u64,
}

/// Computes the dominator tree of `g` over the edges marked `essential`.
#[must_use]
pub fn compute(g: &HeapGraph, essential: &[bool]) -> Dominators {
    let n = g.n_nodes();
    let mut has_pred = vec![false; n];
    for (e, &to) in g.edges.to.iter().enumerate() {
        if essential[e] {
            has_pred[to as usize] = true;
        }
    }
    let mut dfs = Dfs::new(n);
    dfs.run(g, essential, 0, NONE);
    let reached = dfs.preorder.len();
    // Orphans: unvisited nodes without any essential retainer.
    let mut from_root = vec![false; n];
    for (v, root_edge) in from_root.iter_mut().enumerate() {
        if dfs.number[v] == NONE && !has_pred[v] {
            *root_edge = true;
            dfs.run(g, essential, v as u32, 0);
        }
    }
    drop(has_pred);
    // Leftovers: everything still unvisited hangs off the root.
    let leftovers: Vec<u32> = (0..n as u32)
        .filter(|&v| dfs.number[v as usize] == NONE)
        .collect();
    for &v in &leftovers {
        from_root[v as usize] = true;
    }
    for &v in &leftovers {
        if dfs.number[v as usize] == NONE {
            dfs.run(g, essential, v, 0);
        }
    }
    let preds = Preds::build(g, essential, &dfs.number, &from_root);
    drop(from_root);
    let idom_pre = semi_nca(&dfs, &preds);
    let mut idom = vec![0u32; n];
    for (i, &v) in dfs.preorder.iter().enumerate() {
        idom[v as usize] = dfs.preorder[idom_pre[i] as usize];
    }
    Dominators {
        idom,
        preorder: dfs.preorder,
        n_unreachable: (n - reached) as u64,
    }
}

/// Essential retainers in CSR form, indexed by preorder number and holding
/// preorder numbers, so the semidominator loop reads them in sequence. The
/// root's imagined edges to orphans and leftovers are included.
struct Preds {
    first: Vec<u32>,
    source: Vec<u32>,
}

impl Preds {
    fn build(g: &HeapGraph, essential: &[bool], number: &[u32], from_root: &[bool]) -> Self {
        let n = number.len();
        let mut first = vec![0u32; n + 1];
        for (e, &to) in g.edges.to.iter().enumerate() {
            if essential[e] {
                first[number[to as usize] as usize + 1] += 1;
            }
        }
        for (v, &r) in from_root.iter().enumerate() {
            if r {
                first[number[v] as usize + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut source = vec![0u32; first[n] as usize];
        for u in 0..n as u32 {
            let nu = number[u as usize];
            for e in g.edge_range(u) {
                if essential[e] {
                    let t = number[g.edges.to[e] as usize] as usize;
                    source[fill[t] as usize] = nu;
                    fill[t] += 1;
                }
            }
        }
        for (v, &r) in from_root.iter().enumerate() {
            if r {
                let t = number[v] as usize;
                source[fill[t] as usize] = 0;
                fill[t] += 1;
            }
        }
        Self { first, source }
    }

    fn of(&self, i: usize) -> &[u32] {
        &self.source[self.first[i] as usize..self.first[i + 1] as usize]
    }
}

/// Iterative depth-first numbering over essential edges.
struct Dfs {
    /// Preorder number of each node (`NONE` if unvisited).
    number: Vec<u32>,
    /// Nodes by preorder number.
    preorder: Vec<u32>,
    /// DFS parent, by preorder number.
    parent: Vec<u32>,
}

impl Dfs {
    fn new(n: usize) -> Self {
        Self {
            number: vec![NONE; n],
            preorder: Vec::with_capacity(n),
            parent: Vec::with_capacity(n),
        }
    }

    /// Visits everything reachable from `start`, whose DFS parent is the
    /// node numbered `parent` (`NONE` for the root itself).
    fn run(&mut self, g: &HeapGraph, essential: &[bool], start: u32, parent: u32) {
        let mut stack: Vec<(u32, usize)> = Vec::new();
        self.visit(start, parent);
        stack.push((start, g.first_edge[start as usize] as usize));
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            let end = g.first_edge[v as usize + 1] as usize;
            let mut e = next;
            while e < end && (!essential[e] || self.number[g.edges.to[e] as usize] != NONE) {
                e += 1;
            }
            if e == end {
                stack.pop();
                continue;
            }
            top.1 = e + 1;
            let w = g.edges.to[e];
            self.visit(w, self.number[v as usize]);
            stack.push((w, g.first_edge[w as usize] as usize));
        }
    }

    fn visit(&mut self, v: u32, parent: u32) {
        #[allow(clippy::cast_possible_truncation)]
        let k = self.preorder.len() as u32;
        self.number[v as usize] = k;
        self.preorder.push(v);
        self.parent.push(parent);
    }
}

/// Immediate dominators by preorder number.
fn semi_nca(dfs: &Dfs, preds: &Preds) -> Vec<u32> {
    let n = dfs.preorder.len();
    let mut semi: Vec<u32> = (0..n as u32).collect();
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut ancestor = vec![NONE; n];
    let mut path: Vec<u32> = Vec::new();
    for i in (1..n).rev() {
        let mut s = semi[i];
        for &p in preds.of(i) {
            let u = eval(p, &mut ancestor, &mut label, &semi, &mut path);
            s = s.min(semi[u as usize]);
        }
        semi[i] = s;
        ancestor[i] = dfs.parent[i];
    }
    let mut idom = vec![0u32; n];
    for i in 1..n {
        let mut d = dfs.parent[i];
        while d > semi[i] {
            d = idom[d as usize];
        }
        idom[i] = d;
    }
    idom
}

/// The vertex with the smallest semidominator on the forest path above
/// `v`, compressing the path on the way (iteratively).
fn eval(v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], path: &mut Vec<u32>) -> u32 {
    if ancestor[v as usize] == NONE {
        return v;
    }
    path.clear();
    let mut x = v;
    while ancestor[ancestor[x as usize] as usize] != NONE {
        path.push(x);
        x = ancestor[x as usize];
    }
    while let Some(y) = path.pop() {
        let a = ancestor[y as usize] as usize;
        if semi[label[a] as usize] < semi[label[y as usize] as usize] {
            label[y as usize] = label[a];
        }
        ancestor[y as usize] = ancestor[a];
    }
    label[v as usize]
}
