//! Budgets for `heapdiff check`: limits on total growth and on the growth
//! of any function, package, script or class, absolute (`5MiB`) or
//! relative (`10%`). A change within the sampling error never fails a
//! budget (README, "Diff semantics").

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::noise::is_noise;
use crate::report::{DiffReport, Status};
use crate::snapshot::{CompareReport, Derived};
use crate::trend::{TrendReport, Verdict};

/// A growth limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Limit {
    /// Bytes.
    Bytes(u64),
    /// Hundredths of a percent of the before value.
    Basis(u64),
}

impl Limit {
    /// Parses `5MiB`, `500kB`, `1200`, `12.5%`.
    ///
    /// # Errors
    /// When the text is none of these.
    pub fn parse(text: &str) -> Result<Limit, LimitError> {
        let t = text.trim();
        let bad = || {
            LimitError(format!(
                "`{text}` is not a size (`5MiB`, `500kB`, `1200`) or a percentage (`10%`)"
            ))
        };
        if let Some(p) = t.strip_suffix('%') {
            let (int, frac) = p.trim().split_once('.').unwrap_or((p.trim(), ""));
            if int.is_empty()
                || frac.len() > 2
                || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let f: u64 = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<2}").parse().map_err(|_| bad())?
            };
            let i: u64 = int.parse().map_err(|_| bad())?;
            return Ok(Limit::Basis(i * 100 + f));
        }
        let split = t
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len());
        let (num, unit) = (&t[..split], t[split..].trim());
        let mult: u64 = match unit {
            "" | "B" => 1,
            "kB" | "KB" => 1000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            "KiB" => 1 << 10,
            "MiB" => 1 << 20,
            "GiB" => 1 << 30,
            _ => return Err(bad()),
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() || frac.len() > 6 {
            return Err(bad());
        }
        let i: u64 = int.parse().map_err(|_| bad())?;
        let f: u64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<6}").parse().map_err(|_| bad())?
        };
        Ok(Limit::Bytes(
            i.saturating_mul(mult)
                .saturating_add(f.saturating_mul(mult) / 1_000_000),
        ))
    }

    /// True when growing from `before` to `after` exceeds the limit.
    #[must_use]
    pub fn exceeded(self, before: u64, after: u64) -> bool {
        if after <= before {
            return false;
        }
        let growth = after - before;
        match self {
            Limit::Bytes(b) => growth > b,
            // growth / before > basis / 10000, without division; anything
            // new (before 0) exceeds every relative limit.
            Limit::Basis(p) => u128::from(growth) * 10_000 > u128::from(before) * u128::from(p),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Bytes(b) => write!(f, "{b} bytes"),
            Limit::Basis(p) => write!(f, "{}.{:02}%", p / 100, p % 100),
        }
    }
}

/// A limit that does not parse.
#[derive(Debug, Clone)]
pub struct LimitError(pub String);

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitError {}

/// What a budget limits: the total, or every row of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The total of all rows.
    Total,
    /// Each function (profiles and timelines).
    Function,
    /// Each npm package, or script outside a package.
    Package,
    /// Each script.
    Script,
    /// Each class (heap snapshots: the change of its shallow size).
    Class,
    /// Each class's retained size (heap snapshots: the change of the
    /// Summary's retained size, each dominator subtree counted once).
    Retained,
    /// Each function's growth per step of a series (`check --trend`: the
    /// slope of a row that grows every step).
    Step,
}

impl Scope {
    /// The scopes that limit rows of one kind, as written in a budget.
    pub const ROWS: [Scope; 5] = [
        Scope::Function,
        Scope::Package,
        Scope::Script,
        Scope::Class,
        Scope::Retained,
    ];

    /// The scope's name, as written in a budget and in a report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scope::Total => "total",
            Scope::Function => "function",
            Scope::Package => "package",
            Scope::Script => "script",
            Scope::Class => "class",
            Scope::Retained => "retained",
            Scope::Step => "step",
        }
    }

    /// The row scope named `text` (`function`, `package`, `script`,
    /// `class`, `retained`); `None` for anything else, `total` included.
    #[must_use]
    pub fn of_rows(text: &str) -> Option<Scope> {
        Scope::ROWS.into_iter().find(|s| s.name() == text)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// The total, or the kind of row the limit applies to.
    pub scope: Scope,
    /// Only the row with this name (all rows when `None`).
    pub name: Option<String>,
    /// The limit.
    pub limit: Limit,
    /// The limit as the user wrote it (`5MiB`, `10%`).
    pub text: String,
}

/// A budget that was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The budget's scope.
    pub scope: Scope,
    /// The row (or `total`).
    pub name: String,
    /// Bytes before.
    pub before: u64,
    /// Bytes after.
    pub after: u64,
    /// The limit, as written back.
    pub limit: String,
}

/// Checks row budgets of one scope against a profile diff made with
/// `limit: None` (all rows) and the matching grouping. Rows within the
/// sampling error are never violations.
#[must_use]
pub fn check_rows(diff: &DiffReport, budget: &Budget) -> Vec<Violation> {
    diff.rows
        .iter()
        .filter(|r| {
            budget
                .name
                .as_ref()
                .is_none_or(|n| *n == r.function.name || *n == r.function.url)
        })
        .filter(|r| !r.noise && matches!(r.status, Status::Grew | Status::New))
        .filter(|r| budget.limit.exceeded(r.before, r.after))
        .map(|r| Violation {
            scope: budget.scope,
            name: if r.function.url.is_empty() || budget.scope != Scope::Function {
                r.function.name.clone()
            } else {
                format!("{} ({})", r.function.name, r.function.url)
            },
            before: r.before,
            after: r.after,
            limit: budget.text.clone(),
        })
        .collect()
}

/// Checks a per-step budget against a trend made with `limit: None` (all
/// rows): a row fails when it grows every step (each step beyond the
/// noise) and its least-squares slope per step exceeds the limit, in bytes
/// or as a percentage of the row's first value. Repeated runs of unchanged
/// code do not grow every step, so they pass.
#[must_use]
pub fn check_trend(trend: &TrendReport, budget: &Budget) -> Vec<Violation> {
    trend
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::GrowsEveryStep)
        .filter(|r| {
            budget
                .name
                .as_ref()
                .is_none_or(|n| *n == r.function.name || *n == r.function.url)
        })
        .filter(|r| match budget.limit {
            Limit::Bytes(b) => r.slope > b as f64,
            Limit::Basis(p) => r.slope * 10_000.0 > r.first as f64 * p as f64,
        })
        .map(|r| Violation {
            scope: Scope::Function,
            name: if r.function.url.is_empty() {
                r.function.name.clone()
            } else {
                format!("{} ({})", r.function.name, r.function.url)
            },
            before: r.first,
            after: r.last,
            limit: format!("{} per step", budget.text),
        })
        .collect()
}

/// Checks the total of a profile diff; growth within the combined sampling
/// error of all rows is not a violation.
#[must_use]
pub fn check_total(diff: &DiffReport, budget: &Budget) -> Option<Violation> {
    let t = &diff.totals;
    let (na, nb) = diff.rows.iter().fold((0, 0), |(a, b), r| {
        (a + r.samples_before, b + r.samples_after)
    });
    let noise = is_noise(
        t.before,
        t.after,
        na,
        nb,
        t.interval_before,
        t.interval_after,
    );
    (!noise && budget.limit.exceeded(t.before, t.after)).then(|| Violation {
        scope: Scope::Total,
        name: "total".into(),
        before: t.before,
        after: t.after,
        limit: budget.text.clone(),
    })
}

/// Per class key of one snapshot: the class name, the shallow size of all
/// its objects and their retained size, as the Summary counts them.
#[derive(Debug, Clone, Default)]
pub struct ClassSizes(BTreeMap<String, (String, u64, u64)>);

impl ClassSizes {
    /// The class sizes of an analysed snapshot, each class under the name
    /// the views show (the original one where a source map gave it). Two
    /// snapshots' keys match when the base was classed with the current
    /// one's interfaces.
    #[must_use]
    pub fn of(d: &Derived) -> Self {
        let sums = crate::snapshot::class_sums(d, None);
        let mut sizes: BTreeMap<String, (String, u64, u64)> = BTreeMap::new();
        for (c, key) in d.classes.keys.iter().enumerate() {
            let entry = sizes
                .entry(key.clone())
                .or_insert_with(|| (d.scripts.shown_class(&d.classes, c).0, 0, 0));
            entry.1 = entry.1.saturating_add(sums.self_size[c]);
            entry.2 = entry.2.saturating_add(sums.retained[c]);
        }
        Self(sizes)
    }

    /// The package sizes of a snapshot's Summary by package, keyed by
    /// package: `package` budgets limit their retained sizes.
    #[must_use]
    pub fn of_packages(r: &crate::snapshot::PackageSummaryReport) -> Self {
        Self(
            r.packages
                .iter()
                .map(|p| {
                    let sizes = (p.package.clone(), p.self_size, p.retained_size);
                    (p.package.clone(), sizes)
                })
                .collect(),
        )
    }

    /// The size a budget of `scope` limits: shallow (`class`) or retained
    /// (`retained`, `package`).
    fn size(entry: &(String, u64, u64), scope: Scope) -> u64 {
        if matches!(scope, Scope::Retained | Scope::Package) {
            entry.2
        } else {
            entry.1
        }
    }
}

/// Checks a snapshot comparison: `total` against the total sizes, `class`
/// budgets against each class's shallow size in the base and in the
/// current snapshot, `retained` budgets against its retained size, and
/// `package` budgets against each package's retained size when `classes`
/// are [`ClassSizes::of_packages`] (exact, no noise); the largest growth
/// first.
#[must_use]
pub fn check_snapshot(
    cmp: &CompareReport,
    classes: (&ClassSizes, &ClassSizes),
    budget: &Budget,
) -> Vec<Violation> {
    if budget.scope == Scope::Total {
        return budget
            .limit
            .exceeded(cmp.total_before, cmp.total_after)
            .then(|| Violation {
                scope: Scope::Total,
                name: "total".into(),
                before: cmp.total_before,
                after: cmp.total_after,
                limit: budget.text.clone(),
            })
            .into_iter()
            .collect();
    }
    let (base, current) = classes;
    let mut out: Vec<Violation> = current
        .0
        .iter()
        .filter(|(_, entry)| budget.name.as_ref().is_none_or(|n| *n == entry.0))
        .filter_map(|(key, entry)| {
            let size = |e| ClassSizes::size(e, budget.scope);
            let (before, after) = (base.0.get(key).map_or(0, size), size(entry));
            budget.limit.exceeded(before, after).then(|| Violation {
                scope: budget.scope,
                name: entry.0.clone(),
                before,
                after,
                limit: budget.text.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.after - b.before)
            .cmp(&(a.after - a.before))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::{Limit, Scope};

    #[test]
    fn row_scopes_parse_by_name_and_serialise_as_written() {
        for s in Scope::ROWS {
            assert_eq!(Scope::of_rows(s.name()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Scope::of_rows("total"), None);
        assert_eq!(Scope::of_rows("stack"), None);
        assert_eq!(Scope::of_rows("Function"), None);
        assert_eq!(serde_json::to_string(&Scope::Total).unwrap(), "\"total\"");
    }

    #[test]
    fn limits_parse_and_compare() {
        assert_eq!(Limit::parse("5MiB").unwrap(), Limit::Bytes(5 << 20));
        assert_eq!(Limit::parse("500kB").unwrap(), Limit::Bytes(500_000));
        assert_eq!(Limit::parse("1.5MB").unwrap(), Limit::Bytes(1_500_000));
        assert_eq!(Limit::parse("1200").unwrap(), Limit::Bytes(1200));
        assert_eq!(Limit::parse("12.5%").unwrap(), Limit::Basis(1250));
        assert!(Limit::parse("5 parsecs").is_err());
        assert!(Limit::Bytes(100).exceeded(0, 101));
        assert!(!Limit::Bytes(100).exceeded(0, 100));
        assert!(Limit::Basis(1000).exceeded(100, 111));
        assert!(!Limit::Basis(1000).exceeded(100, 110));
        assert!(Limit::Basis(1000).exceeded(0, 1));
        assert!(!Limit::Basis(1000).exceeded(100, 50));
    }
}
