//! `heapdiff diff A B` (and `heapdiff A B`).

use anyhow::bail;
use heapdiff_analyzer as analyzer;

use crate::Outcome;
use crate::args::{DiffArgs, DiffFlags, RowArgs};
use crate::input::{Input, Loaded};
use crate::timings::Timings;
use heapdiff_parser::InputKind;

/// Library options from the diff flags.
pub(crate) fn diff_options(
    rows: &RowArgs,
    flags: &DiffFlags,
    kind: &'static str,
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

pub(crate) fn run(a: &DiffArgs) -> anyhow::Result<Outcome> {
    let (Some(before), Some(after)) = (&a.before, &a.after) else {
        bail!(
            "give two profiles to diff (`heapdiff BEFORE AFTER`), or a command; see `heapdiff --help`"
        );
    };
    let mut t = Timings::new(a.common.timings);
    super::refuse_inverted_alone(&a.flags)?;
    super::refuse_match_by(&a.rows, &a.flags)?;
    let (ia, ib) = (crate::input::open(before)?, crate::input::open(after)?);
    let (pa, pb) = if ia.kind == InputKind::HeapTimeline && ib.kind == InputKind::HeapTimeline {
        // Two timelines diff like two profiles, on their allocation stacks.
        let req = super::request(&a.timeline, None);
        let (pa, pb) = rayon::join(
            || crate::input::load_profile(ia, &a.common, req),
            || crate::input::load_profile(ib, &a.common, req),
        );
        (pa?, pb?)
    } else {
        let (pa, pb) = rayon::join(
            || crate::input::load_any(ia, &a.common),
            || crate::input::load_any(ib, &a.common),
        );
        match (pa?, pb?) {
            (Input::Profile(pa), Input::Profile(pb)) => {
                super::refuse_measure(&a.timeline, before)?;
                (
                    Loaded {
                        profile: pa,
                        timeline: None,
                    },
                    Loaded {
                        profile: pb,
                        timeline: None,
                    },
                )
            }
            (Input::Snapshot(ga), Input::Snapshot(gb)) => {
                super::refuse(
                    a.flags.match_rows.is_some(),
                    "--match",
                    "matches function rows of sampling heap profiles; heap snapshots are compared by class",
                )?;
                return super::snapshot::diff(a, (before, &ga), (after, &gb));
            }
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
    };
    t.phase("parse");
    let (focus, ignore) = (a.rows.focus.as_deref(), a.rows.ignore.as_deref());
    let (ta, tb) = rayon::join(
        || super::weigh(before, &pa.profile, None, focus, ignore),
        || super::weigh(after, &pb.profile, None, focus, ignore),
    );
    let (ta, tb) = (ta?, tb?);
    let report = analyzer::diff(
        (&pa.profile, &ta),
        (&pb.profile, &tb),
        &diff_options(&a.rows, &a.flags, "diff"),
    );
    let wants_flame = a.flags.flamegraph.is_some() || a.flags.report.is_some();
    let flame = wants_flame.then(|| {
        analyzer::flame_tree(
            (&pa.profile, &ta),
            (&pb.profile, &tb),
            super::intervals(&report),
        )
    });
    t.phase("diff");
    let title = format!("{} → {}", before.display(), after.display());
    if let Some(path) = &a.flags.report {
        let mut opts = diff_options(&a.rows, &a.flags, "diff");
        opts.limit = None;
        let full = analyzer::diff((&pa.profile, &ta), (&pb.profile, &tb), &opts);
        let inputs = vec![
            super::profile_input(before, &pa)?,
            super::profile_input(after, &pb)?,
        ];
        super::write_profile_report(
            path,
            &full,
            flame.clone(),
            inputs,
            &[before, after],
            &title,
            None,
        )?;
    }
    let outcome = super::finish_diff(
        &report,
        flame,
        &a.rows,
        &a.flags,
        &a.common,
        &[before, after],
        &title,
    )?;
    t.phase("render");
    t.report();
    Ok(outcome)
}
