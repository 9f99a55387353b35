//! `heapdiff check`: the CI memory gate. Budgets from flags and a TOML
//! file; exit 1 with a short explanation and a report when one is
//! exceeded.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use heapdiff_analyzer::check::{self, Budget, Limit, Scope, Violation};
use heapdiff_analyzer::report_doc::{CheckSection, ReportBody};
use heapdiff_analyzer::{self as analyzer, GroupBy, snapshot};
use heapdiff_parser::InputKind;
use serde::Deserialize;

use crate::Outcome;
use crate::args::CheckArgs;
use crate::context::Context;
use crate::input::{Loaded, Opened};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetFile {
    max_growth: Option<String>,
    max_step_growth: Option<String>,
    per: Option<Per>,
    #[serde(default)]
    rule: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Per {
    function: Option<String>,
    package: Option<String>,
    script: Option<String>,
    class: Option<String>,
    retained: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    by: String,
    name: String,
    max_growth: String,
}

/// One budget; `what` says where its limit was written, for the error.
fn budget(scope: Scope, name: Option<String>, text: &str, what: &str) -> anyhow::Result<Budget> {
    Ok(Budget {
        scope,
        name,
        limit: Limit::parse(text).with_context(|| format!("budget {what}"))?,
        text: text.trim().to_string(),
    })
}

/// Every budget given: those of `--budget FILE` first, then the flags'.
fn budgets(a: &CheckArgs) -> anyhow::Result<Vec<Budget>> {
    let mut out = match &a.budget {
        Some(path) => file_budgets(path)?,
        None => Vec::new(),
    };
    for (scope, text, flag) in [
        (Scope::Total, &a.max_growth, "--max-growth"),
        (
            Scope::Function,
            &a.max_function_growth,
            "--max-function-growth",
        ),
        (
            Scope::Package,
            &a.max_package_growth,
            "--max-package-growth",
        ),
        (Scope::Class, &a.max_class_growth, "--max-class-growth"),
        (
            Scope::Retained,
            &a.max_retained_growth,
            "--max-retained-growth",
        ),
        (Scope::Step, &a.max_step_growth, "--max-step-growth"),
    ] {
        if let Some(t) = text {
            out.push(budget(scope, None, t, flag)?);
        }
    }
    if out.is_empty() {
        bail!(
            "give at least one budget: --max-growth, --max-function-growth, --max-package-growth, --max-class-growth, --max-retained-growth, --max-step-growth (with --trend) or --budget FILE"
        );
    }
    Ok(out)
}

/// The budgets of a budget file; an error names the file.
fn file_budgets(path: &Path) -> anyhow::Result<Vec<Budget>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read budget file '{shown}'"))?;
    let file: BudgetFile =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("'{shown}': {}", e.message()))?;
    budgets_in(&file).with_context(|| format!("'{shown}'"))
}

/// The budgets a parsed budget file holds, in the file's order of sections.
fn budgets_in(file: &BudgetFile) -> anyhow::Result<Vec<Budget>> {
    let mut out = Vec::new();
    if let Some(t) = &file.max_growth {
        out.push(budget(Scope::Total, None, t, "max_growth")?);
    }
    if let Some(t) = &file.max_step_growth {
        out.push(budget(Scope::Step, None, t, "max_step_growth")?);
    }
    if let Some(per) = &file.per {
        for (scope, text) in [
            (Scope::Function, &per.function),
            (Scope::Package, &per.package),
            (Scope::Script, &per.script),
            (Scope::Class, &per.class),
            (Scope::Retained, &per.retained),
        ] {
            if let Some(t) = text {
                out.push(budget(scope, None, t, &format!("per.{scope}"))?);
            }
        }
    }
    for r in &file.rule {
        let Some(scope) = Scope::of_rows(&r.by) else {
            bail!(
                "rule `by = \"{}\"`: expected function, package, script, class or retained",
                r.by
            );
        };
        let what = format!("rule for {}", r.name);
        out.push(budget(scope, Some(r.name.clone()), &r.max_growth, &what)?);
    }
    Ok(out)
}

fn describe(b: &Budget) -> String {
    match (&b.name, b.scope) {
        (Some(n), scope) => format!("{scope} {n}: {}", b.text),
        (None, Scope::Total) => format!("total: {}", b.text),
        (None, Scope::Step) => format!("any function per step: {}", b.text),
        (None, Scope::Retained) => format!("any class's retained size: {}", b.text),
        (None, scope) => format!("any {scope}: {}", b.text),
    }
}

pub(crate) fn run(a: &CheckArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let budgets = budgets(a)?;
    if a.trend {
        return check_series(a, ctx, &budgets);
    }
    if budgets.iter().any(|b| b.scope == Scope::Step) {
        bail!(
            "--max-step-growth (max_step_growth) applies to a series: give --trend FILE1 FILE2 FILE3 …"
        );
    }
    let pairs: Vec<(&Path, &Path)> = match (&a.baseline, a.files.as_slice()) {
        (Some(b), files) if !files.is_empty() => {
            files.iter().map(|c| (b.as_path(), c.as_path())).collect()
        }
        (None, [b, c]) => vec![(b.as_path(), c.as_path())],
        _ => bail!(
            "give BEFORE AFTER, or the current file(s) with --baseline FILE (several are each checked against it)"
        ),
    };
    let gate = Gate {
        args: a,
        ctx,
        budgets,
        several: pairs.len() > 1,
    };
    if gate.several {
        refuse_same_names(&pairs)?;
    }
    let mut passed = true;
    for (before, after) in pairs {
        passed &= gate.check_pair(before, after)?;
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

/// Several current files are reported on in files named after them, so
/// two with one name are refused before any is checked.
fn refuse_same_names(pairs: &[(&Path, &Path)]) -> anyhow::Result<()> {
    let mut names = std::collections::BTreeSet::new();
    for (_, after) in pairs {
        let name = after.file_name().unwrap_or(after.as_os_str());
        if !names.insert(name) {
            bail!(
                "two current files are named '{}'; their reports would overwrite each other",
                name.to_string_lossy()
            );
        }
    }
    Ok(())
}

/// One run of the gate: the flags, the context and the budgets, applied to
/// each pair of files in turn.
struct Gate<'a> {
    args: &'a CheckArgs,
    ctx: &'a Context,
    budgets: Vec<Budget>,
    /// Several current files against one baseline: one verdict and one
    /// report per file, each headed or named by it.
    several: bool,
}

/// `dir/heapdiff-check.md` for the current file `prof/run1.heapprofile`:
/// `dir/heapdiff-check-run1.heapprofile.md`.
fn report_for(report: &Path, current: &Path) -> PathBuf {
    let stem = report.file_stem().unwrap_or_default().to_string_lossy();
    let name = current.file_name().unwrap_or_default().to_string_lossy();
    let file = match report.extension() {
        Some(ext) => format!("{stem}-{name}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{name}"),
    };
    report.with_file_name(file)
}

impl Gate<'_> {
    /// Checks one pair, writes its report (the one asked for, else one on
    /// failure) and prints its verdict; true when it passed.
    fn check_pair(&self, before: &Path, after: &Path) -> anyhow::Result<bool> {
        let inputs = (crate::input::open(before)?, crate::input::open(after)?);
        let snapshots = [inputs.0.kind, inputs.1.kind].contains(&InputKind::HeapSnapshot);
        let (violations, body, inputs) = if snapshots {
            self.check_snapshots(inputs)?
        } else {
            self.check_profiles(inputs)?
        };
        let passed = violations.is_empty();
        let section = CheckSection {
            passed,
            budgets: self.budgets.iter().map(describe).collect(),
            violations,
        };
        let report_path = self.report_path(after, passed);
        if let Some(path) = &report_path {
            let title = format!("heapdiff check: {} → {}", before.display(), after.display());
            let doc = crate::report::document(title, inputs, body, Some(section.clone()));
            crate::report::write(path, &[before, after], &doc)?;
        }
        let label = self.several.then_some(after);
        explain(&section, label, report_path.as_deref())?;
        Ok(passed)
    }

    /// Where the report on `current` goes: `--report` (named after the
    /// file when there are several), else `heapdiff-check.md` on failure.
    fn report_path(&self, current: &Path, passed: bool) -> Option<PathBuf> {
        let default = Path::new("heapdiff-check.md");
        match (&self.args.report, self.several) {
            (Some(report), true) => Some(report_for(report, current)),
            (Some(report), false) => Some(report.clone()),
            (None, _) if passed => None,
            (None, true) => Some(report_for(default, current)),
            (None, false) => Some(default.to_path_buf()),
        }
    }

    /// Budgets against two profiles or two timelines.
    fn check_profiles(&self, inputs: (Opened, Opened)) -> anyhow::Result<Checked> {
        let (before, after) = (inputs.0.path.clone(), inputs.1.path.clone());
        let (before, after) = (before.as_path(), after.as_path());
        let (pa, pb) = self.load_profiles(inputs)?;
        let (ta, tb) = (
            super::weigh(before, &pa.profile, None, None, None)?,
            super::weigh(after, &pb.profile, None, None, None)?,
        );
        let (pair_a, pair_b) = ((&pa.profile, &ta), (&pb.profile, &tb));
        // Timelines' bytes are exact: no noise floor.
        let interval = if pa.timeline.is_some() {
            Some(0)
        } else {
            self.args.interval
        };
        let diff = |by: GroupBy| {
            let opts = analyzer::DiffOptions {
                by,
                interval_before: interval,
                interval_after: interval,
                ..Default::default()
            };
            analyzer::diff(pair_a, pair_b, &opts)
        };
        let (violations, by_function) = profile_violations(&self.budgets, diff)?;
        let flame = analyzer::flame_tree(pair_a, pair_b, super::intervals(&by_function));
        let body = heapdiff_analyzer::report_doc::profile_body(&by_function, 25, Some(flame));
        let inputs = vec![
            super::profile_input(before, &pa)?,
            super::profile_input(after, &pb)?,
        ];
        Ok((violations, body, inputs))
    }

    /// Refuses the flags that mean nothing for these inputs, then reads
    /// both profiles (timelines as their allocation stacks).
    fn load_profiles(&self, inputs: (Opened, Opened)) -> anyhow::Result<(Loaded, Loaded)> {
        let a = self.args;
        if inputs.0.kind == InputKind::HeapTimeline {
            super::refuse(
                a.interval.is_some(),
                "--interval",
                "has no meaning for allocation timelines: their bytes are exact, not sampled",
            )?;
        } else {
            super::refuse_measure(&a.timeline, &inputs.0.path)?;
        }
        let req = super::request(&a.timeline, None);
        let (pa, pb) = rayon::join(
            || crate::input::load_profile(inputs.0.side_by_side(), self.ctx, req),
            || crate::input::load_profile(inputs.1.side_by_side(), self.ctx, req),
        );
        Ok((pa?, pb?))
    }

    /// Budgets against two heap snapshots: the total and classes.
    fn check_snapshots(&self, inputs: (Opened, Opened)) -> anyhow::Result<Checked> {
        let a = self.args;
        let (before, after) = (inputs.0.path.clone(), inputs.1.path.clone());
        let (before, after) = (before.as_path(), after.as_path());
        if let Some(b) = self.budgets.iter().find(|b| {
            !matches!(
                b.scope,
                Scope::Total | Scope::Class | Scope::Retained | Scope::Package
            )
        }) {
            bail!(
                "{} budgets apply to profiles and timelines; for heap snapshots use total, class, retained and package budgets",
                b.scope
            );
        }
        let why = "has no meaning for heap snapshots (their sizes are exact, not sampled stacks)";
        super::refuse(a.interval.is_some(), "--interval", why)?;
        super::refuse(a.timeline.measure.is_some(), "--measure", why)?;
        let (ga, gb) = rayon::join(
            || crate::input::load_snapshot(inputs.0, self.ctx),
            || crate::input::load_snapshot(inputs.1, self.ctx),
        );
        let (ga, gb) = (ga?, gb?);
        let (bd, cd) = super::snapshot::analyze_pair(&ga, &gb);
        let cmp = snapshot::compare(
            (&ga, &bd),
            (&gb, &cd),
            &snapshot::CompareOptions {
                limit: None,
                all_suspects: false,
            },
        );
        let sizes = (check::ClassSizes::of(&bd), check::ClassSizes::of(&cd));
        let packages = self
            .budgets
            .iter()
            .any(|b| b.scope == Scope::Package)
            .then(|| {
                let of = |g, d| {
                    check::ClassSizes::of_packages(&snapshot::package_summary(g, d, None, None))
                };
                (of(&ga, &bd), of(&gb, &cd))
            });
        let violations = self
            .budgets
            .iter()
            .flat_map(|b| {
                let rows = match &packages {
                    Some(p) if b.scope == Scope::Package => (&p.0, &p.1),
                    _ => (&sizes.0, &sizes.1),
                };
                check::check_snapshot(&cmp, rows, b)
            })
            .collect();
        let inputs = vec![
            super::snapshot::snapshot_input(before, &ga)?,
            super::snapshot::snapshot_input(after, &gb)?,
        ];
        Ok((violations, ReportBody::Snapshot { comparison: cmp }, inputs))
    }
}

/// Profile budgets in their order, each against the diff grouped as its
/// scope asks (made once per grouping by `diff`); also the diff by
/// function, which the report shows.
fn profile_violations(
    budgets: &[Budget],
    diff: impl Fn(GroupBy) -> analyzer::DiffReport,
) -> anyhow::Result<(Vec<Violation>, analyzer::DiffReport)> {
    let mut diffs: BTreeMap<Scope, analyzer::DiffReport> = BTreeMap::new();
    let mut violations = Vec::new();
    for b in budgets {
        // The total is checked against the rows by function.
        let rows = if b.scope == Scope::Total {
            Scope::Function
        } else {
            b.scope
        };
        let d = match diffs.entry(rows) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(diff(grouping(rows)?)),
        };
        if b.scope == Scope::Total {
            violations.extend(check::check_total(d, b));
        } else {
            violations.extend(check::check_rows(d, b));
        }
    }
    let by_function = match diffs.remove(&Scope::Function) {
        Some(d) => d,
        None => diff(GroupBy::Function),
    };
    Ok((violations, by_function))
}

/// The rows a profile budget of this scope is checked against.
fn grouping(scope: Scope) -> anyhow::Result<GroupBy> {
    Ok(match scope {
        Scope::Total | Scope::Function => GroupBy::Function,
        Scope::Package => GroupBy::Package,
        Scope::Script => GroupBy::Script,
        Scope::Class | Scope::Retained => {
            bail!("{scope} budgets apply to heap snapshots; these are profiles")
        }
        Scope::Step => bail!("step budgets apply to a series: give --trend FILE1 FILE2 FILE3 …"),
    })
}

fn explain(c: &CheckSection, label: Option<&Path>, report: Option<&Path>) -> anyhow::Result<()> {
    let head = label.map_or_else(String::new, |p| {
        format!(
            "{}: ",
            heapdiff_renderer::escape::terminal(&p.display().to_string())
        )
    });
    crate::output::to_stdout(|out| {
        if c.passed {
            writeln!(
                out,
                "heapdiff check: {head}passed ({})",
                c.budgets.join("; ")
            )?;
        } else {
            writeln!(
                out,
                "heapdiff check: {head}FAILED, {} budget(s) exceeded:",
                c.violations.len()
            )?;
            for v in &c.violations {
                writeln!(out, "  {}", violation_line(v))?;
            }
        }
        if let Some(p) = report {
            writeln!(out, "report: {}", p.display())?;
        }
        Ok(())
    })
}

fn violation_line(v: &Violation) -> String {
    use heapdiff_renderer::units::{bytes, signed_bytes};
    let d = i64::try_from(i128::from(v.after) - i128::from(v.before)).unwrap_or(i64::MAX);
    let what = if v.scope == Scope::Total {
        "total".to_string()
    } else {
        format!(
            "{} {}",
            v.scope,
            heapdiff_renderer::escape::terminal(&v.name)
        )
    };
    format!(
        "{what} grew by {} ({} → {}), budget {}",
        signed_bytes(d),
        bytes(v.before),
        bytes(v.after),
        v.limit
    )
}

type Checked = (
    Vec<Violation>,
    ReportBody,
    Vec<heapdiff_analyzer::report_doc::InputInfo>,
);

/// `check --trend FILE1 FILE2 FILE3 …`: the per-step budgets against the
/// trend of the series, the report on failure or when asked.
fn check_series(a: &CheckArgs, ctx: &Context, budgets: &[Budget]) -> anyhow::Result<Outcome> {
    super::refuse(
        a.baseline.is_some(),
        "--baseline",
        "compares files with one baseline; --trend reads FILES as one series in order",
    )?;
    if let Some(b) = budgets.iter().find(|b| b.scope != Scope::Step) {
        bail!(
            "with --trend, budgets are per step (--max-step-growth, max_step_growth); the {} budget compares two profiles",
            b.scope
        );
    }
    let paths: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
    let series = super::trend::Series {
        files: &a.files,
        interval: a.interval,
        timeline: &a.timeline,
        ctx,
    };
    let (full, inputs) = series.trend(GroupBy::Function, None, None)?;
    let violations: Vec<Violation> = budgets
        .iter()
        .flat_map(|b| check::check_trend(&full, b))
        .collect();
    let passed = violations.is_empty();
    let section = CheckSection {
        passed,
        budgets: budgets.iter().map(describe).collect(),
        violations,
    };
    let report_path = a
        .report
        .clone()
        .or_else(|| (!passed).then(|| PathBuf::from("heapdiff-check.md")));
    if let Some(path) = &report_path {
        let title = format!(
            "heapdiff check --trend: {} … {}",
            paths[0].display(),
            paths[paths.len() - 1].display()
        );
        super::trend::write_report(
            path,
            title,
            full,
            None,
            inputs,
            &paths,
            Some(section.clone()),
        )?;
    }
    explain(&section, None, report_path.as_deref())?;
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}
