//! A profile as plain vectors: what a test generates, and the source of both
//! a [`HeapProfile`] (through [`ProfileBuilder`]) and V8-shaped JSON text
//! ([`crate::json`]). Keeping one source for both lets a test compare what
//! the parser read with what was written.

use std::collections::HashMap;

use heapdiff_model::{FrameKey, HeapProfile, ProfileBuilder, StackId};

use crate::rng::SplitMix64;

/// One function: the fields of V8's `callFrame`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SynthFrame {
    /// `functionName`; `""` for anonymous functions.
    pub name: String,
    /// `scriptId`: digits, `"0"` for pseudo frames.
    pub script_id: String,
    /// `url`; `""` when unknown.
    pub url: String,
    /// 0-based line, -1 when unknown.
    pub line: i32,
    /// 0-based column, -1 when unknown.
    pub column: i32,
}

impl SynthFrame {
    /// A V8 pseudo frame such as `(root)` or `(V8 API)`.
    #[must_use]
    pub fn pseudo(name: &str) -> Self {
        Self {
            name: name.to_string(),
            script_id: "0".to_string(),
            url: String::new(),
            line: -1,
            column: -1,
        }
    }

    /// The model's key for this frame.
    #[must_use]
    pub fn key(&self) -> FrameKey<'_> {
        FrameKey {
            name: &self.name,
            script_id: &self.script_id,
            url: &self.url,
            line: self.line,
            column: self.column,
        }
    }
}

/// One node of the call tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthNode {
    /// Index of the parent in [`SyntheticProfile::nodes`]; `None` for the root.
    pub parent: Option<u32>,
    /// Index into [`SyntheticProfile::frames`].
    pub frame: u32,
    /// `selfSize` in bytes.
    pub self_size: u64,
    /// V8's node `id`.
    pub id: u64,
}

/// One entry of `samples`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthSample {
    /// `nodeId`: a node's `id`, or an id missing from the tree.
    pub node_id: u64,
    /// `size` in bytes.
    pub size: u64,
    /// `ordinal`.
    pub ordinal: u64,
}

/// A sampling heap profile as plain vectors.
///
/// Invariants (checked by [`SyntheticProfile::check`]): `nodes[0]` is the
/// root, nodes are in pre-order (each parent is on the path to the previous
/// node), node ids are distinct, and frames have distinct model keys
/// (name, script id, line, column) so the model interns them one to one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticProfile {
    /// Function pool; nodes refer to it by index. May hold unused frames.
    pub frames: Vec<SynthFrame>,
    /// The call tree in pre-order; `nodes[0]` is the root.
    pub nodes: Vec<SynthNode>,
    /// Samples, in file order.
    pub samples: Vec<SynthSample>,
}

/// How node ids are handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdScheme {
    /// `1, 2, 3, …` in pre-order.
    PreOrder,
    /// A random permutation of `1..=n` with the root at 1 (V8 numbers nodes
    /// as they are created, which is not pre-order).
    Shuffled(u64),
    /// Large, spread-out ids, which defeat the parser's dense lookup table.
    Sparse,
}

impl SyntheticProfile {
    /// Checks the invariants listed on the type.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    pub fn check(&self) -> Result<(), String> {
        if self.nodes.first().is_none_or(|r| r.parent.is_some()) {
            return Err("nodes[0] must be the root".into());
        }
        let mut path: Vec<u32> = vec![0];
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            let Some(parent) = n.parent else {
                return Err(format!("node {i} has no parent"));
            };
            while path.last().is_some_and(|&top| top != parent) {
                path.pop();
            }
            if path.is_empty() {
                return Err(format!(
                    "node {i}: parent {parent} is not on the pre-order path"
                ));
            }
            path.push(u32::try_from(i).map_err(|_| "too many nodes")?);
        }
        let frames = self.frames.len();
        if let Some(n) = self.nodes.iter().find(|n| n.frame as usize >= frames) {
            return Err(format!("frame {} out of range", n.frame));
        }
        let mut ids: Vec<u64> = self.nodes.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err("duplicate node id".into());
        }
        let mut keys = HashMap::new();
        for (i, f) in self.frames.iter().enumerate() {
            if let Some(j) = keys.insert((&f.name, &f.script_id, f.line, f.column), i) {
                return Err(format!("frames {j} and {i} have the same model key"));
            }
        }
        Ok(())
    }

    /// Children of every node, in order.
    #[must_use]
    pub fn children(&self) -> Vec<Vec<u32>> {
        let mut children = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            if let Some(p) = n.parent {
                children[p as usize].push(u32::try_from(i).expect("node count fits u32"));
            }
        }
        children
    }

    /// The frame of node `i`.
    #[must_use]
    pub fn frame_of(&self, i: usize) -> &SynthFrame {
        &self.frames[self.nodes[i].frame as usize]
    }

    /// Σ `selfSize` over all nodes: the model's root total.
    #[must_use]
    pub fn total_self(&self) -> u64 {
        self.nodes.iter().map(|n| n.self_size).sum()
    }

    /// Builds the model the way the parser does: nodes are opened in
    /// pre-order and closed (frame, size, id) after their children.
    ///
    /// # Panics
    /// When the profile breaks the invariants of [`Self::check`].
    #[must_use]
    pub fn to_model(&self) -> HeapProfile {
        let mut b = ProfileBuilder::new();
        let mut stack_of: Vec<StackId> = Vec::with_capacity(self.nodes.len());
        let mut open: Vec<usize> = Vec::new();
        let close = |b: &mut ProfileBuilder, stack_of: &[StackId], i: usize| {
            let n = &self.nodes[i];
            b.close_stack(stack_of[i], self.frame_of(i).key(), n.self_size, n.id);
        };
        for (i, n) in self.nodes.iter().enumerate() {
            while let Some(&top) = open.last() {
                if Some(top) == n.parent.map(|p| p as usize) {
                    break;
                }
                close(&mut b, &stack_of, top);
                open.pop();
            }
            assert!(
                n.parent.is_none() == open.is_empty(),
                "invariant: nodes are in pre-order"
            );
            stack_of.push(b.open_stack(n.parent.map(|p| stack_of[p as usize])));
            open.push(i);
        }
        while let Some(top) = open.pop() {
            close(&mut b, &stack_of, top);
        }
        let by_id: HashMap<u64, StackId> = self
            .nodes
            .iter()
            .zip(&stack_of)
            .map(|(n, &s)| (n.id, s))
            .collect();
        b.meta_mut().has_samples = true;
        for s in &self.samples {
            match by_id.get(&s.node_id) {
                Some(&stack) => b.push_sample(stack, s.size, s.ordinal),
                None => b.push_unattributed(s.node_id, s.size, s.ordinal),
            }
        }
        b.finish()
    }

    /// The same tree with the children of every node in a random order,
    /// renumbered in the new pre-order. Ids, frames and samples are kept, so
    /// the profile describes the same allocations.
    #[must_use]
    pub fn permute_siblings(&self, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut children = self.children();
        for list in &mut children {
            rng.shuffle(list);
        }
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let mut new_index = vec![0u32; self.nodes.len()];
        let mut todo: Vec<u32> = vec![0];
        while let Some(old) = todo.pop() {
            let old = old as usize;
            new_index[old] = u32::try_from(nodes.len()).expect("node count fits u32");
            let n = &self.nodes[old];
            nodes.push(SynthNode {
                parent: n.parent.map(|p| new_index[p as usize]),
                ..n.clone()
            });
            todo.extend(children[old].iter().rev());
        }
        Self {
            frames: self.frames.clone(),
            nodes,
            samples: self.samples.clone(),
        }
    }

    /// The same profile with its samples in a random order.
    #[must_use]
    pub fn shuffle_samples(&self, seed: u64) -> Self {
        let mut out = self.clone();
        SplitMix64::new(seed).shuffle(&mut out.samples);
        out
    }

    /// Re-assigns node ids (and the samples that refer to them; samples
    /// pointing outside the tree are moved past the new largest id).
    #[must_use]
    pub fn with_ids(mut self, scheme: IdScheme) -> Self {
        let n = self.nodes.len() as u64;
        let new_ids: Vec<u64> = match scheme {
            IdScheme::PreOrder => (1..=n).collect(),
            IdScheme::Shuffled(seed) => {
                let mut ids: Vec<u64> = (2..=n).collect();
                SplitMix64::new(seed).shuffle(&mut ids);
                std::iter::once(1).chain(ids).collect()
            }
            IdScheme::Sparse => (0..n).map(|i| i * 1_000_003 + 17).collect(),
        };
        let remap: HashMap<u64, u64> = self
            .nodes
            .iter()
            .zip(&new_ids)
            .map(|(node, &id)| (node.id, id))
            .collect();
        let max_new = new_ids.iter().copied().max().unwrap_or(0);
        for (node, id) in self.nodes.iter_mut().zip(new_ids) {
            node.id = id;
        }
        let mut orphan_ids: HashMap<u64, u64> = HashMap::new();
        for s in &mut self.samples {
            s.node_id = match remap.get(&s.node_id) {
                Some(&id) => id,
                None => {
                    let next = max_new + 1 + orphan_ids.len() as u64;
                    *orphan_ids.entry(s.node_id).or_insert(next)
                }
            };
        }
        self
    }
}

/// Builds a tree in pre-order: every new node is a child of a node on the
/// path from the root to the previous node.
#[derive(Debug)]
pub(crate) struct PreOrder {
    pub(crate) nodes: Vec<SynthNode>,
    path: Vec<usize>,
}

impl PreOrder {
    /// A tree holding only the root.
    pub(crate) fn new(root_frame: u32, root_self: u64) -> Self {
        Self {
            nodes: vec![SynthNode {
                parent: None,
                frame: root_frame,
                self_size: root_self,
                id: 1,
            }],
            path: vec![0],
        }
    }

    /// Depth the next node gets if added with `up == 0`.
    pub(crate) fn depth(&self) -> usize {
        self.path.len()
    }

    /// The non-root nodes on the path to the previous node.
    pub(crate) fn ancestors(&self) -> &[usize] {
        &self.path[1..]
    }

    /// Leaves `up` levels of the current path (never the root), then adds a
    /// child to the node at its end. `up == 0` goes one level deeper, `1`
    /// adds a sibling of the previous node.
    pub(crate) fn add(&mut self, up: usize, frame: u32, self_size: u64) -> usize {
        let keep = self.path.len().saturating_sub(up).max(1);
        self.path.truncate(keep);
        let parent = *self
            .path
            .last()
            .expect("invariant: the root stays on the path");
        let i = self.nodes.len();
        self.nodes.push(SynthNode {
            parent: Some(u32::try_from(parent).expect("node count fits u32")),
            frame,
            self_size,
            id: i as u64 + 1,
        });
        self.path.push(i);
        i
    }
}
