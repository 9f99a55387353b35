//! `--shallow`: the Summary's counts and shallow sizes, and their change
//! between two snapshots, from what the parser counted per node type and
//! name ([`ShallowSnapshot`]) without the graph.
//!
//! Where this differs from the full Summary (formats §7, §8), because each
//! rule needs the edges or the locations, which `--shallow` does not keep:
//! sizes are the file's, not reassigned to owners (§7.5); plain objects stay
//! `Object` (no interfaces, §7.8); a `native` node is `Detached …` only by
//! its own `detachedness` (no propagation, §7.2); and a row is a class
//! name, not a class key (objects of one constructor name from several
//! source positions share a row). Counts and sizes of the other classes
//! equal DevTools'.

use std::collections::HashMap;

use heapdiff_model::ShallowSnapshot;
use regex::Regex;
use serde::Serialize;

use super::classes::class_of;

/// One class of a shallow Summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShallowClassRow {
    /// Class name.
    pub name: String,
    /// Objects with a shallow size above 0.
    pub count: u64,
    /// Σ shallow size, as written in the file.
    pub self_size: u64,
}

/// Totals of a shallow Summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShallowTotals {
    /// Σ shallow size of every node plus the extra native bytes.
    pub total_size: u64,
    /// Number of nodes.
    pub nodes: u64,
    /// Number of edges.
    pub edges: u64,
    /// Classes before `--top`.
    pub classes: usize,
}

/// `heapdiff summary --shallow`.
#[derive(Debug, Clone, Serialize)]
pub struct ShallowSummaryReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"summary"`.
    pub kind: &'static str,
    /// `"shallow"`.
    pub mode: &'static str,
    /// Classes by shallow size descending, then name.
    pub classes: Vec<ShallowClassRow>,
    /// Totals.
    pub totals: ShallowTotals,
}

/// One class of a shallow snapshot diff.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShallowCompareRow {
    /// Class name.
    pub name: String,
    /// Objects in the base snapshot.
    pub count_before: u64,
    /// Objects in the current snapshot.
    pub count_after: u64,
    /// `count_after - count_before`.
    pub count_delta: i64,
    /// Σ shallow size in the base snapshot.
    pub size_before: u64,
    /// Σ shallow size in the current snapshot.
    pub size_after: u64,
    /// `size_after - size_before`.
    pub size_delta: i64,
}

/// `heapdiff BEFORE AFTER --shallow` for heap snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct ShallowCompareReport {
    /// Always 1.
    pub schema_version: u32,
    /// `"snapshot-diff"`.
    pub kind: &'static str,
    /// `"shallow"`.
    pub mode: &'static str,
    /// Classes whose count or size changed, by size change descending
    /// (growth first), then name.
    pub classes: Vec<ShallowCompareRow>,
    /// Classes that changed, before `--top`.
    pub n_classes: usize,
    /// Total size of the base snapshot.
    pub total_before: u64,
    /// Total size of the current snapshot.
    pub total_after: u64,
}

/// Options of [`shallow_summary`].
#[derive(Debug, Clone, Default)]
pub struct ShallowOptions {
    /// Show at most this many classes.
    pub limit: Option<usize>,
    /// Keep only classes whose name matches.
    pub filter: Option<Regex>,
}

/// The counts and shallow sizes by class name, in first-seen order.
fn by_class(s: &ShallowSnapshot) -> Vec<ShallowClassRow> {
    let mut rows: Vec<ShallowClassRow> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for g in &s.groups {
        let name = class_of(s.type_name(g), &g.name, g.detached);
        let i = match at.get(name.as_ref()) {
            Some(&i) => i,
            None => {
                at.insert(name.to_string(), rows.len());
                rows.push(ShallowClassRow {
                    name: name.into_owned(),
                    count: 0,
                    self_size: 0,
                });
                rows.len() - 1
            }
        };
        rows[i].count += g.count;
        rows[i].self_size += g.self_size;
    }
    rows
}

fn total_size(s: &ShallowSnapshot) -> u64 {
    s.total_self.saturating_add(s.extra_native_bytes)
}

/// `summary --shallow`: rows by shallow size, largest first.
#[must_use]
pub fn shallow_summary(s: &ShallowSnapshot, opts: &ShallowOptions) -> ShallowSummaryReport {
    let mut classes: Vec<ShallowClassRow> = by_class(s)
        .into_iter()
        .filter(|r| opts.filter.as_ref().is_none_or(|re| re.is_match(&r.name)))
        .collect();
    classes.sort_by(|a, b| {
        b.self_size
            .cmp(&a.self_size)
            .then_with(|| a.name.cmp(&b.name))
    });
    let n = classes.len();
    if let Some(limit) = opts.limit {
        classes.truncate(limit);
    }
    ShallowSummaryReport {
        schema_version: 1,
        kind: "summary",
        mode: "shallow",
        classes,
        totals: ShallowTotals {
            total_size: total_size(s),
            nodes: s.node_count,
            edges: s.edge_count,
            classes: n,
        },
    }
}

/// The snapshot diff `--shallow`: each class's count and shallow size
/// before and after. Objects are not matched by id (that needs every
/// object's id), so a class whose objects were replaced by as many of the
/// same size shows no change.
#[must_use]
pub fn shallow_compare(
    base: &ShallowSnapshot,
    current: &ShallowSnapshot,
    limit: Option<usize>,
) -> ShallowCompareReport {
    let before: HashMap<String, ShallowClassRow> = by_class(base)
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    let mut after: HashMap<String, ShallowClassRow> = by_class(current)
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    let mut classes: Vec<ShallowCompareRow> = before
        .into_values()
        .map(|b| {
            let a = after.remove(&b.name);
            row(b.name.clone(), Some(&b), a.as_ref())
        })
        .collect();
    classes.extend(
        after
            .into_values()
            .map(|a| row(a.name.clone(), None, Some(&a))),
    );
    classes.retain(|r| r.count_delta != 0 || r.size_delta != 0);
    classes.sort_by(|a, b| {
        b.size_delta
            .cmp(&a.size_delta)
            .then_with(|| a.name.cmp(&b.name))
    });
    let n = classes.len();
    if let Some(limit) = limit {
        classes.truncate(limit);
    }
    ShallowCompareReport {
        schema_version: 1,
        kind: "snapshot-diff",
        mode: "shallow",
        classes,
        n_classes: n,
        total_before: total_size(base),
        total_after: total_size(current),
    }
}

fn row(
    name: String,
    before: Option<&ShallowClassRow>,
    after: Option<&ShallowClassRow>,
) -> ShallowCompareRow {
    let (cb, sb) = before.map_or((0, 0), |r| (r.count, r.self_size));
    let (ca, sa) = after.map_or((0, 0), |r| (r.count, r.self_size));
    ShallowCompareRow {
        name,
        count_before: cb,
        count_after: ca,
        count_delta: delta(ca, cb),
        size_before: sb,
        size_after: sa,
        size_delta: delta(sa, sb),
    }
}

/// `a - b` as a signed number (sizes are below 2^53, formats §12.3).
fn delta(a: u64, b: u64) -> i64 {
    i64::try_from(a).unwrap_or(i64::MAX) - i64::try_from(b).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use heapdiff_model::ShallowGroup;

    fn group(kind: u8, name: &str, detached: bool, count: u64, size: u64) -> ShallowGroup {
        ShallowGroup {
            kind,
            name: name.into(),
            detached,
            count,
            self_size: size,
        }
    }

    fn snapshot(groups: Vec<ShallowGroup>) -> ShallowSnapshot {
        ShallowSnapshot {
            node_types: ["hidden", "array", "string", "object", "native"]
                .map(String::from)
                .to_vec(),
            total_self: groups.iter().map(|g| g.self_size).sum(),
            groups,
            ..ShallowSnapshot::default()
        }
    }

    #[test]
    fn groups_that_name_one_class_make_one_row() {
        let s = snapshot(vec![
            group(4, "<div id=\"a\">", false, 2, 100),
            group(4, "<div id=\"b\">", false, 1, 50),
            group(4, "<div id=\"b\">", true, 1, 7),
            group(3, "Foo", false, 3, 30),
            group(0, "", false, 4, 40),
        ]);
        let r = shallow_summary(&s, &ShallowOptions::default());
        let rows: Vec<(&str, u64, u64)> = r
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.count, c.self_size))
            .collect();
        assert_eq!(
            rows,
            [
                ("<div>", 3, 150),
                ("(system)", 4, 40),
                ("Foo", 3, 30),
                ("Detached <div>", 1, 7)
            ]
        );
        assert_eq!(r.totals.total_size, 227);
        assert_eq!(r.totals.classes, 4);
    }

    #[test]
    fn the_diff_keeps_changed_classes_growth_first() {
        let a = snapshot(vec![
            group(3, "Foo", false, 3, 30),
            group(3, "Gone", false, 1, 8),
        ]);
        let b = snapshot(vec![
            group(3, "Foo", false, 5, 50),
            group(3, "New", false, 2, 16),
        ]);
        let r = shallow_compare(&a, &b, None);
        let rows: Vec<(&str, i64, i64)> = r
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.count_delta, c.size_delta))
            .collect();
        assert_eq!(rows, [("Foo", 2, 20), ("New", 2, 16), ("Gone", -1, -8)]);
        assert_eq!((r.total_before, r.total_after), (38, 66));
        assert!(shallow_compare(&a, &a, None).classes.is_empty());
    }
}
