//! Property tests of `trend` (README, "Trends over many profiles") on
//! random profiles from `heapdiff-testkit`.

use heapdiff_analyzer::trend::{TrendOptions, TrendReport, TrendRow, Verdict, trend};
use heapdiff_analyzer::{CallTree, DiffOptions, GroupBy, diff};
use heapdiff_model::HeapProfile;
use heapdiff_testkit::{ArbParams, SyntheticProfile, arb_profile_pair_with, proptest_config};
use proptest::prelude::*;

mod strategies;
use strategies::{arb_group_by, tree_of};

const SMALL: ArbParams = ArbParams {
    max_chain: 40,
    ..strategies::SMALL
};

fn trend_of(profiles: &[HeapProfile], by: GroupBy, interval: Option<u64>) -> TrendReport {
    let trees: Vec<CallTree> = profiles.iter().map(tree_of).collect();
    let inputs: Vec<(&HeapProfile, &CallTree)> = profiles.iter().zip(&trees).collect();
    trend(
        &inputs,
        &TrendOptions {
            by,
            interval,
            ..TrendOptions::default()
        },
    )
}

type Key = (String, String, Option<u32>, Option<u32>, Vec<String>);

/// What a row's own samples decide: values, errors, steps and verdict.
type OwnPart = (Key, Vec<u64>, Vec<u64>, u32, u32, Verdict);

fn key(r: &TrendRow) -> Key {
    (
        r.function.name.clone(),
        r.function.url.clone(),
        r.function.line,
        r.function.column,
        r.stack.clone(),
    )
}

proptest! {
    #![proptest_config(proptest_config())]

    /// One profile repeated n times is flat everywhere: no step moves.
    #[test]
    fn a_repeated_profile_is_flat((p, _) in arb_profile_pair_with(SMALL), n in 3usize..6, by in arb_group_by()) {
        let p = p.to_model();
        let profiles = vec![p; n];
        let report = trend_of(&profiles, by, None);
        for row in &report.rows {
            prop_assert_eq!(row.verdict, Verdict::Flat, "{:?}", row);
            prop_assert_eq!(row.steps_grown + row.steps_shrunk, 0);
            prop_assert_eq!(row.slope, 0.0);
            prop_assert_eq!(row.net, 0);
        }
        prop_assert_eq!(report.totals.flat, report.totals.rows);
    }

    /// Scaling the self bytes of one function in one step changes that
    /// function's row only: every other row keeps its self series, errors,
    /// steps and verdict (totals of its callers may change, by definition).
    #[test]
    fn scaling_one_step_changes_only_the_rows_it_touches(
        (a, b) in arb_profile_pair_with(SMALL),
        step in 0usize..3,
        frame in any::<prop::sample::Index>(),
        factor in 2u64..5,
    ) {
        let c = b.clone();
        let mut series: Vec<SyntheticProfile> = vec![a, b, c];
        let target = &mut series[step];
        let f = u32::try_from(frame.index(target.frames.len())).unwrap_or(0);
        for node in &mut target.nodes {
            if node.frame == f {
                node.self_size *= factor;
            }
        }
        let name = target.frames[f as usize].name.clone();
        let url = target.frames[f as usize].url.clone();
        let before: Vec<HeapProfile> = {
            let mut orig = series.clone();
            for node in &mut orig[step].nodes {
                if node.frame == f {
                    node.self_size /= factor;
                }
            }
            orig.iter().map(SyntheticProfile::to_model).collect()
        };
        let after: Vec<HeapProfile> = series.iter().map(SyntheticProfile::to_model).collect();
        // A fixed interval: the estimate would move with the sample sizes.
        let (r0, r1) = (
            trend_of(&before, GroupBy::Function, Some(4096)),
            trend_of(&after, GroupBy::Function, Some(4096)),
        );
        let touched = |r: &TrendRow| {
            (r.function.name == name || (name.is_empty() && r.function.name == "(anonymous)")) && r.function.url == url
        };
        let untouched = |rep: &TrendReport| -> Vec<OwnPart> {
            let mut v: Vec<_> = rep
                .rows
                .iter()
                .filter(|r| !touched(r))
                .map(|r| (key(r), r.values.clone(), r.errors.clone(), r.steps_grown, r.steps_shrunk, r.verdict))
                .collect();
            v.sort_by(|x, y| x.0.cmp(&y.0));
            v
        };
        prop_assert_eq!(untouched(&r0), untouched(&r1));
    }

    /// With two inputs, the aligned rows and values of `trend` are those of
    /// `diff`: a row means the same in both.
    #[test]
    fn two_step_trend_rows_are_the_diff_rows((a, b) in arb_profile_pair_with(SMALL), by in arb_group_by()) {
        let (a, b) = (a.to_model(), b.to_model());
        let t = trend_of(&[a.clone(), b.clone()], by, None);
        let d = diff((&a, &tree_of(&a)), (&b, &tree_of(&b)), &DiffOptions { by, ..DiffOptions::default() });
        let mut from_trend: Vec<(Key, u64, u64, bool)> = t
            .rows
            .iter()
            .map(|r| (key(r), r.values[0], r.values[1], r.steps_grown + r.steps_shrunk == 0))
            .collect();
        let mut from_diff: Vec<(Key, u64, u64, bool)> = d
            .rows
            .iter()
            .map(|r| {
                let k = (r.function.name.clone(), r.function.url.clone(), r.function.line, r.function.column, r.stack.clone());
                (k, r.before, r.after, r.noise || r.before == r.after)
            })
            .collect();
        from_trend.sort();
        from_diff.sort();
        prop_assert_eq!(from_trend, from_diff);
    }
}

/// Peeks of one recording where one function keeps 100 samples and adds
/// 10 per peek. As peeks (the same sample numbers, sizes and node ids) the
/// 100 shared samples add no error, so each step of +10 samples is beyond
/// the noise; as independent runs (`runs`: each process numbers its nodes
/// anew, so the same sample numbers point at other nodes) the same values
/// are within it.
fn growing_series(runs: bool) -> Vec<HeapProfile> {
    let frames = vec![
        heapdiff_testkit::SynthFrame::pseudo("(root)"),
        heapdiff_testkit::SynthFrame {
            name: "keep".into(),
            script_id: "7".into(),
            url: "file:///app.js".into(),
            line: 3,
            column: 9,
        },
    ];
    (0..3u64)
        .map(|step| {
            let n = 100 + 10 * step;
            let node_id = if runs { 2 + 10 * step } else { 2 };
            let samples = (1..=n)
                .map(|k| heapdiff_testkit::SynthSample {
                    node_id,
                    size: 4096,
                    ordinal: k,
                })
                .collect();
            SyntheticProfile {
                frames: frames.clone(),
                nodes: vec![
                    heapdiff_testkit::SynthNode {
                        parent: None,
                        frame: 0,
                        self_size: 0,
                        id: 1,
                    },
                    heapdiff_testkit::SynthNode {
                        parent: Some(0),
                        frame: 1,
                        self_size: 4096 * n,
                        id: node_id,
                    },
                ],
                samples,
            }
            .to_model()
        })
        .collect()
}

#[test]
fn samples_two_peeks_share_add_no_noise() {
    let peeks = trend_of(&growing_series(false), GroupBy::Function, None);
    assert_eq!(peeks.series, heapdiff_analyzer::trend::Series::Peeks);
    assert_eq!(peeks.rows[0].verdict, Verdict::GrowsEveryStep);
    // The same values as independent runs: 2·R·√(100 + 110) ≈ 119 kB per
    // step of noise against 41 kB of growth.
    let runs = trend_of(&growing_series(true), GroupBy::Function, None);
    assert_eq!(runs.series, heapdiff_analyzer::trend::Series::Runs);
    assert_eq!(runs.rows[0].verdict, Verdict::Flat);
    assert_eq!(runs.rows[0].values, peeks.rows[0].values);
}
