//! `heapdiff check`: the CI memory gate. Budgets from flags and a TOML
//! file; exit 1 with a short explanation and a report when one is
//! exceeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use heapdiff_analyzer::check::{self, Budget, Limit, Violation};
use heapdiff_analyzer::report_doc::{CheckSection, ReportBody, ReportDocument};
use heapdiff_analyzer::{self as analyzer, GroupBy, snapshot};
use heapdiff_parser::InputKind;
use serde::Deserialize;

use crate::Outcome;
use crate::args::CheckArgs;
use crate::input::Opened;

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    by: String,
    name: String,
    max_growth: String,
}

fn limit(text: &str, what: &str) -> anyhow::Result<Limit> {
    Limit::parse(text).with_context(|| format!("budget {what}"))
}

fn budgets(a: &CheckArgs) -> anyhow::Result<Vec<Budget>> {
    let mut out = Vec::new();
    let mut push =
        |scope: &str, name: Option<String>, text: &str, what: &str| -> anyhow::Result<()> {
            out.push(Budget {
                scope: scope.to_string(),
                name,
                limit: limit(text, what)?,
                text: text.trim().to_string(),
            });
            Ok(())
        };
    if let Some(path) = &a.budget {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read budget file '{}'", path.display()))?;
        let file: BudgetFile = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("'{}': {}", path.display(), e.message()))?;
        if let Some(t) = &file.max_growth {
            push("total", None, t, "max_growth")?;
        }
        if let Some(t) = &file.max_step_growth {
            push("step", None, t, "max_step_growth")?;
        }
        if let Some(per) = &file.per {
            for (scope, v) in [
                ("function", &per.function),
                ("package", &per.package),
                ("script", &per.script),
                ("class", &per.class),
            ] {
                if let Some(t) = v {
                    push(scope, None, t, &format!("per.{scope}"))?;
                }
            }
        }
        for r in &file.rule {
            if !matches!(r.by.as_str(), "function" | "package" | "script" | "class") {
                bail!(
                    "'{}': rule `by = \"{}\"`: expected function, package, script or class",
                    path.display(),
                    r.by
                );
            }
            push(
                &r.by,
                Some(r.name.clone()),
                &r.max_growth,
                &format!("rule for {}", r.name),
            )?;
        }
    }
    for (scope, v) in [
        ("total", &a.max_growth),
        ("function", &a.max_function_growth),
        ("package", &a.max_package_growth),
        ("class", &a.max_class_growth),
    ] {
        if let Some(t) = v {
            push(
                scope,
                None,
                t,
                &format!(
                    "--max-{}growth",
                    if scope == "total" {
                        String::new()
                    } else {
                        format!("{scope}-")
                    }
                ),
            )?;
        }
    }
    if let Some(t) = &a.max_step_growth {
        push("step", None, t, "--max-step-growth")?;
    }
    if out.is_empty() {
        bail!(
            "give at least one budget: --max-growth, --max-function-growth, --max-package-growth, --max-class-growth, --max-step-growth (with --trend) or --budget FILE"
        );
    }
    Ok(out)
}

fn describe(b: &Budget) -> String {
    match &b.name {
        Some(n) => format!("{} {n}: {}", b.scope, b.text),
        None if b.scope == "total" => format!("total: {}", b.text),
        None if b.scope == "step" => format!("any function per step: {}", b.text),
        None => format!("any {}: {}", b.scope, b.text),
    }
}

pub(crate) fn run(a: &CheckArgs) -> anyhow::Result<Outcome> {
    let budgets = budgets(a)?;
    if a.trend {
        return check_series(a, &budgets);
    }
    if budgets.iter().any(|b| b.scope == "step") {
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
    let several = pairs.len() > 1;
    let mut names = std::collections::BTreeSet::new();
    let mut passed = true;
    for (before, after) in pairs {
        let (report, default_report) = if several {
            let name = after.file_name().unwrap_or(after.as_os_str());
            if !names.insert(name) {
                bail!(
                    "two current files are named '{}'; their reports would overwrite each other",
                    name.to_string_lossy()
                );
            }
            (
                a.report.as_deref().map(|p| report_for(p, after)),
                report_for(Path::new("heapdiff-check.md"), after),
            )
        } else {
            (a.report.clone(), PathBuf::from("heapdiff-check.md"))
        };
        let label = several.then_some(after);
        let reports = (report.as_deref(), default_report.as_path());
        passed &= check_pair(a, &budgets, (before, after), reports, label)?;
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
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

/// Checks one pair, writes its report (`reports`: the one asked for, else
/// the one written on failure) and prints its verdict (headed by the
/// file's name when `label` is given); true when it passed.
fn check_pair(
    a: &CheckArgs,
    budgets: &[Budget],
    (before, after): (&Path, &Path),
    (report, default_report): (Option<&Path>, &Path),
    label: Option<&Path>,
) -> anyhow::Result<bool> {
    let inputs = (crate::input::open(before)?, crate::input::open(after)?);
    let snapshots = [inputs.0.kind, inputs.1.kind].contains(&InputKind::HeapSnapshot);
    let (violations, body, inputs) = if snapshots {
        check_snapshots(a, inputs, budgets)?
    } else {
        check_profiles(a, inputs, budgets)?
    };
    let passed = violations.is_empty();
    let section = CheckSection {
        passed,
        budgets: budgets.iter().map(describe).collect(),
        violations,
    };
    let report_path = report
        .map(Path::to_path_buf)
        .or_else(|| (!passed).then(|| default_report.to_path_buf()));
    if let Some(path) = &report_path {
        let doc = ReportDocument {
            schema_version: 1,
            kind: "report",
            title: format!("heapdiff check: {} → {}", before.display(), after.display()),
            command: crate::report::command_line(),
            inputs,
            warnings: crate::input::warnings(),
            body,
            check: Some(section.clone()),
        };
        crate::report::write(path, &[before, after], &doc)?;
    }
    explain(&section, label, report_path.as_deref())?;
    Ok(passed)
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
    let what = if v.scope == "total" {
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

fn check_profiles(
    a: &CheckArgs,
    inputs: (Opened, Opened),
    budgets: &[Budget],
) -> anyhow::Result<Checked> {
    let (before, after) = (inputs.0.path.clone(), inputs.1.path.clone());
    let (before, after) = (before.as_path(), after.as_path());
    if inputs.0.kind == InputKind::HeapTimeline {
        super::refuse(
            a.interval.is_some(),
            "--interval",
            "has no meaning for allocation timelines: their bytes are exact, not sampled",
        )?;
    } else {
        super::refuse_measure(&a.timeline, before)?;
    }
    let req = super::request(&a.timeline, None);
    let (pa, pb) = rayon::join(
        || crate::input::load_profile(inputs.0, &a.common, req),
        || crate::input::load_profile(inputs.1, &a.common, req),
    );
    let (pa, pb) = (pa?, pb?);
    let (ta, tb) = (
        super::weigh(before, &pa.profile, None, None, None)?,
        super::weigh(after, &pb.profile, None, None, None)?,
    );
    let exact = pa.timeline.is_some();
    let interval = if exact { Some(0) } else { a.interval };
    let mut diffs: BTreeMap<&str, analyzer::DiffReport> = BTreeMap::new();
    let diff_by = |scope: &str| -> anyhow::Result<analyzer::DiffReport> {
        let by = match scope {
            "total" | "function" => GroupBy::Function,
            "package" => GroupBy::Package,
            "script" => GroupBy::Script,
            _ => bail!("class budgets apply to heap snapshots; these are profiles"),
        };
        let opts = analyzer::DiffOptions {
            by,
            interval_before: interval,
            interval_after: interval,
            kind: "diff",
            ..Default::default()
        };
        Ok(analyzer::diff(
            (&pa.profile, &ta),
            (&pb.profile, &tb),
            &opts,
        ))
    };
    let mut violations = Vec::new();
    for b in budgets {
        let key: &'static str = match b.scope.as_str() {
            "total" | "function" => "function",
            "package" => "package",
            "script" => "script",
            _ => bail!("class budgets apply to heap snapshots; these are profiles"),
        };
        if !diffs.contains_key(key) {
            diffs.insert(key, diff_by(key)?);
        }
        let d = &diffs[key];
        if b.scope == "total" {
            violations.extend(check::check_total(d, b));
        } else {
            violations.extend(check::check_rows(d, b));
        }
    }
    let by_function = match diffs.remove("function") {
        Some(d) => d,
        None => diff_by("function")?,
    };
    let flame = analyzer::flame_tree(
        (&pa.profile, &ta),
        (&pb.profile, &tb),
        super::intervals(&by_function),
    );
    let body = heapdiff_analyzer::report_doc::profile_body(&by_function, 25, Some(flame));
    let inputs = vec![
        super::profile_input(before, &pa)?,
        super::profile_input(after, &pb)?,
    ];
    Ok((violations, body, inputs))
}

fn check_snapshots(
    a: &CheckArgs,
    inputs: (Opened, Opened),
    budgets: &[Budget],
) -> anyhow::Result<Checked> {
    let (before, after) = (inputs.0.path.clone(), inputs.1.path.clone());
    let (before, after) = (before.as_path(), after.as_path());
    if let Some(b) = budgets
        .iter()
        .find(|b| b.scope != "total" && b.scope != "class")
    {
        bail!(
            "{} budgets apply to profiles and timelines; for heap snapshots use total and class budgets",
            b.scope
        );
    }
    let why = "has no meaning for heap snapshots (their sizes are exact, not sampled stacks)";
    super::refuse(a.interval.is_some(), "--interval", why)?;
    super::refuse(a.timeline.measure.is_some(), "--measure", why)?;
    let (ga, gb) = rayon::join(
        || crate::input::load_snapshot(inputs.0, &a.common),
        || crate::input::load_snapshot(inputs.1, &a.common),
    );
    let (ga, gb) = (ga?, gb?);
    let (bd, cd) = super::snapshot::analyze_pair(&ga, &gb);
    let cmp = snapshot::compare(
        (&ga, &bd),
        (&gb, &cd),
        &snapshot::CompareOptions { limit: None },
    );
    let sizes = (check::ClassSizes::of(&bd), check::ClassSizes::of(&cd));
    let violations = budgets
        .iter()
        .flat_map(|b| check::check_snapshot(&cmp, (&sizes.0, &sizes.1), b))
        .collect();
    let inputs = vec![
        super::snapshot::snapshot_input(before, &ga)?,
        super::snapshot::snapshot_input(after, &gb)?,
    ];
    Ok((violations, ReportBody::Snapshot { comparison: cmp }, inputs))
}

/// `check --trend FILE1 FILE2 FILE3 …`: the per-step budgets against the
/// trend of the series, the report on failure or when asked.
fn check_series(a: &CheckArgs, budgets: &[Budget]) -> anyhow::Result<Outcome> {
    super::refuse(
        a.baseline.is_some(),
        "--baseline",
        "compares files with one baseline; --trend reads FILES as one series in order",
    )?;
    if let Some(b) = budgets.iter().find(|b| b.scope != "step") {
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
        common: &a.common,
    };
    let (full, loaded) = series.trend(GroupBy::Function, None, None)?;
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
            &loaded,
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
