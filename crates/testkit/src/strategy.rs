//! proptest strategies: random call trees of any shape (bushy, deep chains,
//! stars), recursion, zero self sizes, samples that miss the tree, and pairs
//! of profiles drawn from one function pool so that diffs have rows to match.
//!
//! Trees are generated as a list of "leave `up` levels, then add a child"
//! steps, which is pre-order by construction and shrinks towards small,
//! shallow trees.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

use crate::json::JsonOptions;
use crate::synth::{IdScheme, PreOrder, SynthFrame, SynthSample, SyntheticProfile};

/// Size limits of generated profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArbParams {
    /// Functions in the pool, `(root)` not counted.
    pub max_frames: usize,
    /// Nodes of a bushy tree.
    pub max_nodes: usize,
    /// Nodes of a deep chain (one child per node).
    pub max_chain: usize,
    /// Samples.
    pub max_samples: usize,
}

impl Default for ArbParams {
    fn default() -> Self {
        Self {
            max_frames: 12,
            max_nodes: 80,
            max_chain: 300,
            max_samples: 60,
        }
    }
}

/// The config every property test uses: 64 cases, or `PROPTEST_CASES` for
/// long runs. Failures print their minimal input; nothing is written into
/// the source tree.
#[must_use]
pub fn proptest_config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Scripts of generated frames: `(scriptId, url)`. Script `"0"` holds pseudo
/// frames; `"16"` is a script collected before the profile was written (an
/// id without a URL, formats §3.5.2).
const SCRIPTS: [(&str, &str); 7] = [
    ("0", ""),
    ("11", "file:///app/index.js"),
    ("12", "node:internal/fs/utils"),
    ("13", "file:///app/node_modules/@scope/pkg/lib/a.js"),
    ("14", "file:///app/données/ünï.js"),
    ("15", "C:\\app\\\"q\".js"),
    ("16", ""),
];

const PSEUDO_NAMES: [&str; 4] = ["(V8 API)", "(GC)", "(program)", "(BYTECODE_COMPILER)"];

/// Function names: anonymous, identifiers, pseudo frames, any printable
/// Unicode, and names full of characters JSON must escape. Never the
/// literal `(anonymous)`, which reports use to display `""`.
pub fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        6 => "[a-zA-Z_$][a-zA-Z0-9_$]{0,10}(\\.[a-z]{1,6})?",
        1 => prop::sample::select(&PSEUDO_NAMES[..]).prop_map(str::to_string),
        2 => "\\PC{1,8}",
        1 => "[\"\\\\/\\n\\t\\x01\\x1fa-z\u{e9}\u{1F680}]{1,6}",
    ]
    .prop_filter("`(anonymous)` is how reports show \"\"", |n| {
        n != "(anonymous)"
    })
}

/// One frame of the pool.
pub fn arb_frame() -> impl Strategy<Value = SynthFrame> {
    let position = || prop_oneof![1 => Just(-1i32), 4 => 0i32..400];
    (arb_name(), 0..SCRIPTS.len(), position(), position()).prop_map(
        |(name, script, line, column)| SynthFrame {
            name,
            script_id: SCRIPTS[script].0.to_string(),
            url: SCRIPTS[script].1.to_string(),
            line,
            column,
        },
    )
}

/// A function pool: `(root)` first, then 1 to `max` frames with distinct
/// model keys.
pub fn arb_frames(max: usize) -> impl Strategy<Value = Vec<SynthFrame>> {
    prop::collection::vec(arb_frame(), 1..=max.max(1)).prop_map(|frames| {
        let mut pool = vec![SynthFrame::pseudo("(root)")];
        for f in frames {
            let clash = pool.iter().any(|g| {
                (&g.name, &g.script_id, g.line, g.column)
                    == (&f.name, &f.script_id, f.line, f.column)
            });
            if !clash {
                pool.push(f);
            }
        }
        if pool.len() == 1 {
            pool.push(SynthFrame::pseudo("(V8 API)"));
        }
        pool
    })
}

/// One tree-building step: levels to leave, recursion flag, frame pick,
/// self size.
type NodeStep = (usize, bool, Index, u64);

/// One sample: node pick, size, ordinal gap, misses the tree.
type SampleStep = (Index, u64, u64, bool);

/// Everything of a profile except its function pool.
#[derive(Clone, Debug)]
struct ProfileSpec {
    steps: Vec<NodeStep>,
    root_self: u64,
    samples: Vec<SampleStep>,
    first_ordinal: u64,
    ids: IdScheme,
}

fn arb_self_size() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![4 => Just(0u64), 4 => 1u64..=4096, 1 => 4097u64..=(1u64 << 40)]
}

fn arb_steps(p: ArbParams) -> impl Strategy<Value = Vec<NodeStep>> {
    let up = prop_oneof![4 => Just(0usize), 3 => Just(1usize), 2 => 2usize..=3, 1 => 4usize..=20];
    let step = (
        up,
        prop::bool::weighted(0.2),
        any::<Index>(),
        arb_self_size(),
    );
    let set_up = |v: Vec<NodeStep>, up: usize| -> Vec<NodeStep> {
        v.into_iter().map(|(_, r, f, s)| (up, r, f, s)).collect()
    };
    prop_oneof![
        6 => prop::collection::vec(step.clone(), 0..p.max_nodes),
        // Deep chains: every node the only child of the previous one.
        1 => prop::collection::vec(step.clone(), 0..p.max_chain).prop_map(move |v| set_up(v, 0)),
        // Stars: every node a child of the root.
        1 => prop::collection::vec(step, 0..p.max_nodes).prop_map(move |v| set_up(v, 1)),
    ]
}

fn arb_spec(p: ArbParams) -> impl Strategy<Value = ProfileSpec> {
    let sample_size = prop_oneof![1 => Just(0u64), 8 => 1u64..=65_536, 1 => 65_537u64..=(1 << 30)];
    let sample = (
        any::<Index>(),
        sample_size,
        1u64..=3,
        prop::bool::weighted(0.05),
    );
    let ids = prop_oneof![
        Just(IdScheme::PreOrder),
        any::<u64>().prop_map(IdScheme::Shuffled),
        Just(IdScheme::Sparse),
    ];
    (
        arb_steps(p),
        prop_oneof![3 => Just(0u64), 1 => 0u64..=10_000],
        prop::collection::vec(sample, 0..p.max_samples),
        1u64..1000,
        ids,
    )
        .prop_map(
            |(steps, root_self, samples, first_ordinal, ids)| ProfileSpec {
                steps,
                root_self,
                samples,
                first_ordinal,
                ids,
            },
        )
}

impl ProfileSpec {
    fn build(&self, frames: Vec<SynthFrame>) -> SyntheticProfile {
        let n_choices = frames.len() - 1;
        let mut tree = PreOrder::new(0, self.root_self);
        for &(up, recursive, frame, self_size) in &self.steps {
            let avail = tree.ancestors().len().saturating_sub(up);
            let frame = if recursive && avail > 0 {
                tree.nodes[tree.ancestors()[frame.index(avail)]].frame
            } else {
                u32::try_from(1 + frame.index(n_choices)).expect("small pool")
            };
            tree.add(up, frame, self_size);
        }
        let n = tree.nodes.len();
        let mut ordinal = self.first_ordinal;
        let samples = self
            .samples
            .iter()
            .map(|&(node, size, gap, orphan)| {
                let node_id = if orphan {
                    n as u64 + 1 + node.index(3) as u64
                } else {
                    tree.nodes[node.index(n)].id
                };
                ordinal += gap;
                SynthSample {
                    node_id,
                    size,
                    ordinal,
                }
            })
            .collect();
        SyntheticProfile {
            frames,
            nodes: tree.nodes,
            samples,
        }
        .with_ids(self.ids)
    }
}

/// A random profile with [`ArbParams::default`] limits.
pub fn arb_profile() -> impl Strategy<Value = SyntheticProfile> {
    arb_profile_with(ArbParams::default())
}

/// A random profile within `p`.
pub fn arb_profile_with(p: ArbParams) -> impl Strategy<Value = SyntheticProfile> {
    (arb_frames(p.max_frames), arb_spec(p)).prop_map(|(frames, spec)| spec.build(frames))
}

/// Two random profiles over one function pool, as before/after profiles of
/// one program. Half the time the second renumbers its scripts, as a new
/// process does, so only (name, URL, line, column) match across the two.
pub fn arb_profile_pair() -> impl Strategy<Value = (SyntheticProfile, SyntheticProfile)> {
    arb_profile_pair_with(ArbParams::default())
}

/// [`arb_profile_pair`] within `p`.
pub fn arb_profile_pair_with(
    p: ArbParams,
) -> impl Strategy<Value = (SyntheticProfile, SyntheticProfile)> {
    (
        arb_frames(p.max_frames),
        arb_spec(p),
        arb_spec(p),
        any::<bool>(),
    )
        .prop_map(|(frames, a, b, renumber)| {
            let frames_b = if renumber {
                renumber_scripts(&frames)
            } else {
                frames.clone()
            };
            (a.build(frames), b.build(frames_b))
        })
}

/// Shifts every real script id by 100, keeping URLs.
fn renumber_scripts(frames: &[SynthFrame]) -> Vec<SynthFrame> {
    frames
        .iter()
        .map(|f| match f.script_id.parse::<u64>() {
            Ok(id) if id != 0 => SynthFrame {
                script_id: (id + 100).to_string(),
                ..f.clone()
            },
            _ => f.clone(),
        })
        .collect()
}

/// Any combination of the layout variations.
pub fn arb_json_options() -> impl Strategy<Value = JsonOptions> {
    any::<[bool; 4]>().prop_map(
        |[pretty, reorder_keys, escape_non_ascii, numeric_script_ids]| JsonOptions {
            pretty,
            reorder_keys,
            escape_non_ascii,
            numeric_script_ids,
        },
    )
}
