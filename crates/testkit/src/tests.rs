//! The testkit's own invariants: what it generates is a valid profile, and
//! every JSON layout says the same thing.

use proptest::prelude::*;

use crate::{
    JsonOptions, SyntheticConfig, SyntheticProfile, Tier, arb_json_options, arb_profile,
    arb_profile_pair, proptest_config,
};

fn small(n_nodes: usize, n_samples: usize, seed: u64) -> SyntheticProfile {
    SyntheticProfile::generate(&SyntheticConfig {
        n_nodes,
        n_samples,
        n_orphan_samples: 3,
        seed,
        ..SyntheticConfig::small()
    })
}

/// serde_json stops at 128 nested containers; a node takes two.
fn serde_can_read(p: &SyntheticProfile) -> bool {
    let mut depth = vec![0usize; p.nodes.len()];
    for (i, n) in p.nodes.iter().enumerate().skip(1) {
        depth[i] = depth[n.parent.unwrap() as usize] + 1;
    }
    depth.into_iter().max().unwrap_or(0) < 60
}

fn json_value(p: &SyntheticProfile, opts: &JsonOptions) -> serde_json::Value {
    serde_json::from_slice(&p.to_json(opts)).expect("testkit writes valid JSON")
}

#[test]
fn generated_profiles_keep_their_shape() {
    let cfg = SyntheticConfig::small();
    let p = SyntheticProfile::generate(&cfg);
    p.check().unwrap();
    assert_eq!(p.nodes.len(), cfg.n_nodes);
    assert_eq!(p.samples.len(), cfg.n_samples);
    let mut depth = vec![0usize; p.nodes.len()];
    for (i, n) in p.nodes.iter().enumerate().skip(1) {
        depth[i] = depth[n.parent.unwrap() as usize] + 1;
    }
    let deepest = depth.iter().copied().max().unwrap();
    assert!(
        deepest <= cfg.max_depth && deepest >= cfg.max_depth / 2,
        "{deepest}"
    );
    // selfSize is the sum of the node's samples, as in V8's output.
    let model = p.to_model();
    let mut sums = vec![0u64; model.stacks.len()];
    for (s, b) in model.samples.stack.iter().zip(&model.samples.bytes) {
        sums[s.index()] += b;
    }
    assert_eq!(sums, model.stacks.self_bytes);
    heapdiff_model::validate(&model).unwrap();
    // Recursion happens.
    let recursive = (1..p.nodes.len()).any(|i| {
        let mut up = p.nodes[i].parent;
        while let Some(a) = up {
            if a != 0 && p.nodes[a as usize].frame == p.nodes[i].frame {
                return true;
            }
            up = p.nodes[a as usize].parent;
        }
        false
    });
    assert!(recursive);
}

#[test]
fn orphan_samples_stay_outside_the_tree() {
    let p = small(100, 500, 3);
    p.check().unwrap();
    let model = p.to_model();
    assert_eq!(model.unattributed.node_id.len(), 3);
    assert_eq!(model.samples.len(), 500);
}

#[test]
fn profiles_with_one_frames_seed_share_functions() {
    let a = small(300, 100, 1);
    let b = small(300, 100, 2);
    assert_eq!(a.frames, b.frames);
    assert_ne!(a.nodes, b.nodes);
}

#[test]
fn every_layout_is_the_same_json_value() {
    let p = small(200, 300, 9);
    let reference = json_value(&p, &JsonOptions::v8());
    for bits in 0..16u8 {
        let opts = JsonOptions {
            pretty: bits & 1 != 0,
            reorder_keys: bits & 2 != 0,
            escape_non_ascii: bits & 4 != 0,
            numeric_script_ids: false,
        };
        assert_eq!(json_value(&p, &opts), reference, "{opts:?}");
    }
}

#[test]
fn tiers_grow() {
    let sizes: Vec<usize> = Tier::ALL[..2]
        .iter()
        .map(|t| t.profile().to_json(&JsonOptions::v8()).len())
        .collect();
    assert!(sizes[0] > 1_000_000 && sizes[1] > 5 * sizes[0], "{sizes:?}");
}

#[test]
fn permuting_siblings_keeps_the_tree() {
    let p = small(300, 50, 4);
    let q = p.permute_siblings(77);
    q.check().unwrap();
    assert_ne!(p.nodes, q.nodes);
    let edges = |p: &SyntheticProfile| {
        let mut e: Vec<(u64, u64)> = p
            .nodes
            .iter()
            .skip(1)
            .map(|n| (p.nodes[n.parent.unwrap() as usize].id, n.id))
            .collect();
        e.sort_unstable();
        e
    };
    assert_eq!(edges(&p), edges(&q));
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Strategies only produce profiles that satisfy `SyntheticProfile::check`
    /// and JSON that any JSON parser reads in every layout.
    #[test]
    fn strategies_make_valid_profiles(p in arb_profile(), opts in arb_json_options()) {
        prop_assert_eq!(p.check(), Ok(()));
        prop_assert!(heapdiff_model::validate(&p.to_model()).is_ok());
        if !serde_can_read(&p) {
            return Ok(());
        }
        let v = json_value(&p, &opts);
        let base = JsonOptions { numeric_script_ids: false, ..opts };
        if !opts.numeric_script_ids {
            prop_assert_eq!(v, json_value(&p, &JsonOptions::v8()));
        } else {
            prop_assert_eq!(json_value(&p, &base), json_value(&p, &JsonOptions::v8()));
        }
    }

    /// Pairs share one pool: every frame of `b` has a frame of `a` with the
    /// same name, URL and position.
    #[test]
    fn pairs_share_frames((a, b) in arb_profile_pair()) {
        prop_assert_eq!(a.check(), Ok(()));
        prop_assert_eq!(b.check(), Ok(()));
        prop_assert_eq!(a.frames.len(), b.frames.len());
        for (fa, fb) in a.frames.iter().zip(&b.frames) {
            prop_assert_eq!((&fa.name, &fa.url, fa.line, fa.column), (&fb.name, &fb.url, fb.line, fb.column));
        }
    }
}
