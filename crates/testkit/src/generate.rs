//! Seeded synthetic profiles shaped like real `node --heap-prof` output:
//! a skewed pool of functions spread over scripts, a call tree of bounded
//! depth with some recursion, and samples concentrated on a few hot
//! allocation sites. Each node's `selfSize` is the sum of its samples'
//! sizes, as in V8's output, and the root's is 0.

use std::collections::HashSet;

use crate::rng::SplitMix64;
use crate::synth::{IdScheme, PreOrder, SynthFrame, SynthSample, SyntheticProfile};

/// Parameters of [`SyntheticProfile::generate`].
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticConfig {
    /// Call tree nodes, root included (at least 1).
    pub n_nodes: usize,
    /// Distinct functions in the pool (the first four are pseudo frames
    /// such as `(V8 API)`).
    pub n_functions: usize,
    /// Deepest node depth; the root's children are at depth 1.
    pub max_depth: usize,
    /// Probability that a new node calls a function already on its path.
    pub recursion: f64,
    /// Samples.
    pub n_samples: usize,
    /// Samples whose `nodeId` is missing from the tree (formats §3.5.1),
    /// on top of `n_samples`.
    pub n_orphan_samples: usize,
    /// Seed of the tree and samples.
    pub seed: u64,
    /// Seed of the function pool: profiles with the same `frames_seed` and
    /// `n_functions` share their functions, which is what a diff needs.
    pub frames_seed: u64,
    /// Give some functions and URLs non-ASCII names.
    pub unicode_names: bool,
    /// Give some functions names that need JSON escapes (`"`, `\`, control
    /// characters).
    pub escaped_names: bool,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self::small()
    }
}

/// Benchmark input sizes with fixed seeds (ruff's `fast/normal/slow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// ~1.2 MB of JSON: quick enough for debug-build tests.
    Small,
    /// ~12 MB of JSON.
    Medium,
    /// ~100 MB of JSON, 150 K nodes, like a long-running service's profile.
    Large,
}

impl Tier {
    /// All tiers, smallest first.
    pub const ALL: [Tier; 3] = [Tier::Small, Tier::Medium, Tier::Large];

    /// `small`, `medium` or `large`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Tier::Small => "small",
            Tier::Medium => "medium",
            Tier::Large => "large",
        }
    }

    /// The tier's configuration.
    #[must_use]
    pub fn config(self) -> SyntheticConfig {
        match self {
            Tier::Small => SyntheticConfig::small(),
            Tier::Medium => SyntheticConfig::medium(),
            Tier::Large => SyntheticConfig::large(),
        }
    }

    /// The tier's profile.
    #[must_use]
    pub fn profile(self) -> SyntheticProfile {
        SyntheticProfile::generate(&self.config())
    }
}

impl SyntheticConfig {
    /// 2 000 nodes, 20 000 samples.
    #[must_use]
    pub fn small() -> Self {
        Self {
            n_nodes: 2_000,
            n_functions: 300,
            max_depth: 32,
            recursion: 0.03,
            n_samples: 20_000,
            n_orphan_samples: 0,
            seed: 0x5EED_0001,
            frames_seed: 0xF4A3_0001,
            unicode_names: true,
            escaped_names: true,
        }
    }

    /// 20 000 nodes, 200 000 samples.
    #[must_use]
    pub fn medium() -> Self {
        Self {
            n_nodes: 20_000,
            n_functions: 2_000,
            max_depth: 48,
            n_samples: 200_000,
            ..Self::small()
        }
    }

    /// 150 000 nodes and 1.5 M samples: about 96 MB of JSON. (A sample
    /// record takes ~50 bytes in V8's layout, so 5 M samples alone would be
    /// ~250 MB; raise `n_samples` for that.)
    #[must_use]
    pub fn large() -> Self {
        Self {
            n_nodes: 150_000,
            n_functions: 8_000,
            max_depth: 64,
            n_samples: 1_500_000,
            ..Self::small()
        }
    }
}

const PSEUDO: [&str; 4] = ["(V8 API)", "(BYTECODE_COMPILER)", "(GC)", "(program)"];
const VERBS: [&str; 16] = [
    "get", "set", "parse", "read", "write", "handle", "create", "build", "load", "render", "emit",
    "resolve", "process", "flush", "encode", "decode",
];
const NOUNS: [&str; 16] = [
    "Request", "Response", "Buffer", "Stream", "Module", "Config", "Token", "Node", "Chunk",
    "Header", "Route", "Session", "Cache", "Promise", "Record", "Entry",
];
const CLASSES: [&str; 8] = [
    "Server",
    "Router",
    "Parser",
    "Socket",
    "EventEmitter",
    "Readable",
    "Writable",
    "Map",
];
const UNICODE: [&str; 7] = [
    "получитьДанные",
    "处理请求",
    "λ",
    "café_crème",
    "𝒳𝒴",
    "données→sortie",
    "🚀launch",
];
const ESCAPED: [&str; 7] = [
    "say \"hi\"",
    "C:\\path\\fn",
    "line\nbreak",
    "tab\there",
    "a/b",
    "ctl\u{1}x\u{1f}",
    "quote'\"\\",
];

impl SyntheticProfile {
    /// A profile generated from `cfg`; the same config always gives the
    /// same profile.
    #[must_use]
    pub fn generate(cfg: &SyntheticConfig) -> Self {
        let frames = frame_pool(cfg);
        let mut rng = SplitMix64::new(cfg.seed);
        let tree = grow_tree(cfg, frames.len(), &mut rng);
        let mut p = Self {
            frames,
            nodes: tree.nodes,
            samples: Vec::new(),
        };
        add_samples(&mut p, cfg, &mut rng);
        p.with_ids(IdScheme::Shuffled(rng.next_u64()))
    }
}

/// Frame 0 is `(root)`, then the pseudo frames, then functions.
fn frame_pool(cfg: &SyntheticConfig) -> Vec<SynthFrame> {
    let mut rng = SplitMix64::new(cfg.frames_seed);
    let n_scripts = (cfg.n_functions / 25).max(1);
    let scripts: Vec<(String, String)> = (0..n_scripts)
        .map(|k| (format!("{}", k + 10), script_url(cfg, k, &mut rng)))
        .collect();
    let mut frames = vec![SynthFrame::pseudo("(root)")];
    frames.extend(
        PSEUDO
            .iter()
            .take(cfg.n_functions)
            .map(|n| SynthFrame::pseudo(n)),
    );
    let mut seen: HashSet<(String, String, i32, i32)> = HashSet::new();
    while frames.len() < cfg.n_functions + 1 {
        let (script_id, url) = rng.pick(&scripts).clone();
        let mut f = SynthFrame {
            name: function_name(cfg, &mut rng),
            script_id,
            url,
            line: i32::try_from(rng.below(4000)).unwrap_or(0),
            column: i32::try_from(rng.below(120)).unwrap_or(0),
        };
        while !seen.insert((f.name.clone(), f.script_id.clone(), f.line, f.column)) {
            f.column += 1;
        }
        frames.push(f);
    }
    frames
}

fn script_url(cfg: &SyntheticConfig, k: usize, rng: &mut SplitMix64) -> String {
    let roll = rng.below(100);
    if roll < 1 {
        // The script was collected: a real id but no URL (formats §3.5.2).
        String::new()
    } else if roll < 25 {
        format!(
            "node:internal/{}/{}",
            rng.pick(&["fs", "streams", "http", "url"]),
            k
        )
    } else if cfg.unicode_names && roll < 30 {
        format!("file:///app/données/ünï{k}.js")
    } else if roll < 70 {
        format!("file:///app/node_modules/pkg{}/lib/file{k}.js", k % 40)
    } else {
        format!("file:///app/src/module{k}.js")
    }
}

fn function_name(cfg: &SyntheticConfig, rng: &mut SplitMix64) -> String {
    let roll = rng.below(100);
    if cfg.unicode_names && roll < 4 {
        (*rng.pick(&UNICODE)).to_string()
    } else if cfg.escaped_names && roll < 7 {
        (*rng.pick(&ESCAPED)).to_string()
    } else if roll < 17 {
        String::new()
    } else if roll < 50 {
        format!(
            "{}.{}{}",
            rng.pick(&CLASSES),
            rng.pick(&VERBS),
            rng.pick(&NOUNS)
        )
    } else {
        format!("{}{}", rng.pick(&VERBS), rng.pick(&NOUNS))
    }
}

/// A depth-reverting random walk in pre-order: deeper while shallow, back
/// up a few levels while deep.
fn grow_tree(cfg: &SyntheticConfig, n_frames: usize, rng: &mut SplitMix64) -> PreOrder {
    let mut tree = PreOrder::new(0, 0);
    let target = (cfg.max_depth / 2).max(1);
    let n_pseudo = PSEUDO.len().min(n_frames - 1);
    let n_real = n_frames - 1 - n_pseudo;
    for _ in 1..cfg.n_nodes.max(1) {
        let deeper = if tree.depth() < target { 0.75 } else { 0.4 };
        let mut up = if rng.chance(0.03) {
            // Now and then back to a shallow level, so the root and the
            // levels near it have many children, as real profiles do.
            rng.index(tree.depth())
        } else if rng.chance(deeper) {
            0
        } else {
            1 + usize::from(rng.chance(0.5)) + usize::from(rng.chance(0.25))
        };
        // The new node's depth is `depth() - up`; keep it within bounds.
        up = up.max(tree.depth().saturating_sub(cfg.max_depth.max(1)));
        // The new node's ancestors are the path minus the `up` levels left.
        let ancestors = tree.ancestors();
        let avail = ancestors.len().saturating_sub(up);
        let frame = if avail > 0 && rng.chance(cfg.recursion) {
            tree.nodes[ancestors[rng.index(avail)]].frame
        } else if n_real == 0 || (n_pseudo > 0 && tree.depth() <= up + 1 && rng.chance(0.3)) {
            // Pseudo frames such as `(V8 API)` hang off the root.
            u32::try_from(1 + rng.index(n_pseudo.max(1))).unwrap_or(1)
        } else {
            u32::try_from(1 + n_pseudo + rng.skewed_index(n_real)).unwrap_or(1)
        };
        tree.add(up, frame, 0);
    }
    tree
}

/// Samples on a random subset of nodes, hot sites first; sizes roughly
/// log-uniform from 16 bytes to 64 KiB; ordinals increasing with gaps.
fn add_samples(p: &mut SyntheticProfile, cfg: &SyntheticConfig, rng: &mut SplitMix64) {
    let mut sites: Vec<usize> = (1..p.nodes.len()).filter(|_| rng.chance(0.5)).collect();
    if sites.is_empty() && p.nodes.len() > 1 {
        sites.push(1);
    }
    rng.shuffle(&mut sites);
    let mut ordinal = 1 + rng.below(50);
    let total = cfg.n_samples + cfg.n_orphan_samples;
    let mut orphans_left = cfg.n_orphan_samples;
    p.samples.reserve(total);
    for k in 0..total {
        let orphan = sites.is_empty()
            || (orphans_left > 0 && rng.below((total - k) as u64) < orphans_left as u64);
        #[expect(clippy::cast_possible_truncation, reason = "at most 2^13")]
        let size = 8 * ((2f64.powf(rng.unit() * 13.0)) as u64 + 1);
        let node_id = if orphan {
            orphans_left = orphans_left.saturating_sub(1);
            // Past every id `with_ids` can hand out; remapped there.
            u64::MAX - rng.below(8)
        } else {
            let i = sites[rng.skewed_index(sites.len())];
            p.nodes[i].self_size += size;
            p.nodes[i].id
        };
        p.samples.push(SynthSample {
            node_id,
            size,
            ordinal,
        });
        ordinal += 1 + rng.below(3);
    }
}
