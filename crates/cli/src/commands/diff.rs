//! `heapdiff diff A B` (and `heapdiff A B`).

use std::path::Path;

use anyhow::bail;
use heapdiff_analyzer::{self as analyzer, DiffKind};
use heapdiff_model::HeapGraph;
use heapdiff_parser::InputKind;

use crate::Outcome;
use crate::args::{DiffArgs, DiffFlags, RowArgs};
use crate::context::Context;
use crate::input::{Input, Loaded};
use crate::timings::Timings;

/// Library options from the diff flags.
pub(crate) fn diff_options(
    rows: &RowArgs,
    flags: &DiffFlags,
    kind: DiffKind,
) -> analyzer::DiffOptions {
    analyzer::DiffOptions {
        by: rows.by().into(),
        limit: rows.limit(),
        normalize: super::normalize(flags.normalize()),
        sort: super::sort(flags.sort()),
        interval_before: flags.interval,
        interval_after: flags.interval,
        kind,
        match_rows: match flags.match_rows {
            Some(crate::args::MatchArg::Function) => analyzer::MatchRows::Function,
            Some(crate::args::MatchArg::Position) | None => analyzer::MatchRows::Position,
        },
    }
}

pub(crate) fn run(a: &DiffArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let (Some(before), Some(after)) = (&a.before, &a.after) else {
        if let Some(one) = a.before.as_ref().filter(|p| p.exists()) {
            // One file: the user most likely wants to look at it.
            bail!(
                "a diff needs two files (`heapdiff BEFORE AFTER`); to look at one, use `heapdiff top {0}` (a profile or timeline) or `heapdiff summary {0}` (a snapshot); see `heapdiff --help`",
                one.display()
            );
        }
        if let Some(word) = &a.before {
            bail!(
                "'{}' is neither a command nor a file; give two profiles to diff (`heapdiff BEFORE AFTER`), or a command; see `heapdiff --help`",
                word.display()
            );
        }
        bail!(
            "give two profiles to diff (`heapdiff BEFORE AFTER`), or a command; see `heapdiff --help`"
        );
    };
    let mut t = ctx.stopwatch();
    super::refuse_inverted_alone(&a.flags)?;
    super::refuse_match_by(&a.rows, &a.flags)?;
    if ctx.shallow {
        return super::snapshot::diff_shallow(a, ctx, before, after);
    }
    match load_pair(a, ctx, before, after)? {
        Pair::Profiles(pa, pb) => {
            t.phase("parse");
            super::refuse(
                a.all_suspects,
                "--all-suspects",
                "applies to heap snapshot diffs; profiles and timelines have no leak suspects",
            )?;
            diff_profiles(a, ctx, (before, &pa), (after, &pb), t)
        }
        Pair::Snapshots(ga, gb) => {
            super::refuse(
                a.flags.match_rows.is_some(),
                "--match",
                "matches function rows of sampling heap profiles; heap snapshots are compared by class",
            )?;
            super::snapshot::diff(a, ctx, (before, &ga), (after, &gb))
        }
    }
}

/// Two inputs of one kind. Made once and unpacked at once: boxing the
/// larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Pair {
    /// Sampling profiles, or timelines as their allocation stacks.
    Profiles(Loaded, Loaded),
    Snapshots(HeapGraph, HeapGraph),
}

/// Reads both inputs in parallel; two of different kinds are an error.
fn load_pair(a: &DiffArgs, ctx: &Context, before: &Path, after: &Path) -> anyhow::Result<Pair> {
    let (ia, ib) = (
        crate::input::open(before)?.side_by_side(),
        crate::input::open(after)?.side_by_side(),
    );
    if ia.kind == InputKind::HeapTimeline && ib.kind == InputKind::HeapTimeline {
        // Two timelines diff like two profiles, on their allocation stacks.
        let req = super::request(&a.timeline, None);
        let (pa, pb) = rayon::join(
            || crate::input::load_profile(ia, ctx, req),
            || crate::input::load_profile(ib, ctx, req),
        );
        return Ok(Pair::Profiles(pa?, pb?));
    }
    let (pa, pb) = rayon::join(
        || crate::input::load_any(ia, ctx),
        || crate::input::load_any(ib, ctx),
    );
    match (pa?, pb?) {
        (Input::Profile(pa), Input::Profile(pb)) => {
            super::refuse_measure(&a.timeline, before)?;
            let loaded = |profile| Loaded {
                profile,
                timeline: None,
            };
            Ok(Pair::Profiles(loaded(pa), loaded(pb)))
        }
        (Input::Snapshot(ga), Input::Snapshot(gb)) => Ok(Pair::Snapshots(ga, gb)),
        (x, _) => {
            let (this, other) = if matches!(x, Input::Profile(_)) {
                ("sampling heap profile", "heap snapshot")
            } else {
                ("heap snapshot", "sampling heap profile")
            };
            bail!(
                "cannot diff a {this} ('{}') against a {other} ('{}'); give two files of the same kind",
                before.display(),
                after.display()
            );
        }
    }
}

/// The diff of two profiles: rows, and the flame graph and report when
/// asked for.
fn diff_profiles(
    a: &DiffArgs,
    ctx: &Context,
    (before, pa): (&Path, &Loaded),
    (after, pb): (&Path, &Loaded),
    mut t: Timings,
) -> anyhow::Result<Outcome> {
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let (ta, tb) = rayon::join(
        || super::weigh(before, &pa.profile, None, focus, ignore),
        || super::weigh(after, &pb.profile, None, focus, ignore),
    );
    let (ta, tb) = (ta?, tb?);
    let (side_a, side_b) = ((&pa.profile, &ta), (&pb.profile, &tb));
    let opts = diff_options(&a.rows, &a.flags, DiffKind::Diff);
    let growth = match (&pa.timeline, &pb.timeline) {
        (Some(ta), Some(tb)) => {
            let ka = super::keep_mask(&pa.profile, focus, ignore)?;
            let kb = super::keep_mask(&pb.profile, focus, ignore)?;
            Some(super::live_growth(
                (&ta.graph, None, ka.as_deref()),
                (&tb.graph, None, kb.as_deref()),
            ))
        }
        _ => None,
    };
    let report = analyzer::DiffReport {
        live_growth: growth,
        ..analyzer::diff(side_a, side_b, &opts)
    };
    let wants_flame = a.flags.flamegraph.is_some() || a.flags.report.is_some();
    let flame =
        wants_flame.then(|| analyzer::flame_tree(side_a, side_b, super::intervals(&report)));
    t.phase("diff");
    let out = super::DiffOutputs {
        rows: &a.rows,
        flags: &a.flags,
        inputs: vec![before, after],
        title: format!("{} → {}", before.display(), after.display()),
    };
    if let Some(path) = &a.flags.report {
        let all = analyzer::DiffOptions {
            limit: None,
            ..opts
        };
        let full = analyzer::DiffReport {
            live_growth: report.live_growth.clone(),
            ..analyzer::diff(side_a, side_b, &all)
        };
        let inputs = vec![
            super::profile_input(before, pa)?,
            super::profile_input(after, pb)?,
        ];
        out.write_report(path, &full, flame.clone(), inputs)?;
    }
    let outcome = out.finish(ctx, &report, flame)?;
    t.phase("render");
    t.report();
    Ok(outcome)
}
