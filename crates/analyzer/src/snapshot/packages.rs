//! Heap snapshot rows by package (`--by package`): every object with a
//! source position (its constructor's, a closure's own) belongs to the
//! package of that position's script, with the rule rows of profiles
//! follow (`node_modules/<pkg>` → the package, `node:` for node's own
//! code, `(v8)` for script id 0, `(unknown)` for a script without a URL,
//! else the script's URL; a position a source map moved keeps the package
//! of its script unless its original source names one). Objects without a position (strings, arrays,
//! V8's internals) are `(no source)`. A package's retained size counts
//! each dominator subtree once: an object inside another object of the
//! same package is part of that one's retained size.

use heapdiff_model::{HeapGraph, NodeOrdinal};
use rustc_hash::FxHashMap;

use super::report::{PackageCompareReport, PackageCompareRow, PackageRow, PackageSummaryReport};
use super::summary::{NodeFilter, max_retained};
use super::{Derived, comparison};
use crate::grouping::{package_of, package_of_moved};

/// The row of objects without a source position.
pub const NO_SOURCE: &str = "(no source)";

/// The package of every node of one snapshot.
#[derive(Debug, Clone)]
pub struct Packages {
    /// Package names, by package index.
    pub names: Vec<String>,
    /// The package index of every node.
    pub of_node: Vec<u32>,
}

impl Packages {
    /// The packages of `g`'s nodes, from their locations.
    #[must_use]
    pub fn of(g: &HeapGraph, d: &Derived) -> Self {
        let mut names = vec![NO_SOURCE.to_string()];
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        index.insert(NO_SOURCE.to_string(), 0);
        let mut of_node = vec![0u32; g.n_nodes()];
        for &(v, loc) in &g.locations {
            let url = d.scripts.url_at(loc).unwrap_or("");
            let generated = d.scripts.url(loc.script_id).unwrap_or("");
            let script = loc.script_id.to_string();
            let name = if url == generated {
                package_of(url, &script)
            } else {
                package_of_moved(url, generated, &script)
            };
            let next = u32::try_from(names.len()).unwrap_or(u32::MAX);
            let at = *index.entry(name).or_insert_with_key(|name| {
                names.push(name.clone());
                next
            });
            if let Some(slot) = of_node.get_mut(v.index()) {
                *slot = at;
            }
        }
        Self { names, of_node }
    }

    fn index_of(&self, v: NodeOrdinal) -> usize {
        self.of_node[v.index()] as usize
    }
}

/// Objects, shallow and retained size per package of `g` (of the members
/// only, when `member` is given): nodes with a shallow size count.
fn sums(
    g: &HeapGraph,
    d: &Derived,
    p: &Packages,
    member: Option<&NodeFilter<'_>>,
) -> Vec<PackageRow> {
    let all = |_| true;
    let member: &NodeFilter<'_> = member.unwrap_or(&all);
    let mut rows: Vec<PackageRow> = p
        .names
        .iter()
        .map(|name| PackageRow {
            package: name.clone(),
            count: 0,
            self_size: 0,
            retained_size: 0,
        })
        .collect();
    for v in g.nodes().ordinals() {
        let size = d.self_size_of(v);
        if size == 0 || !member(v) {
            continue;
        }
        let row = &mut rows[p.index_of(v)];
        row.count += 1;
        row.self_size = row.self_size.saturating_add(size);
    }
    let mut retained = vec![0; p.names.len()];
    max_retained(d, &p.of_node, member, &mut retained);
    for (row, r) in rows.iter_mut().zip(retained) {
        row.retained_size = r;
    }
    rows.retain(|r| r.count > 0);
    rows
}

/// The Summary by package: retained size descending, then name; the first
/// `limit` rows.
#[must_use]
pub fn package_summary(
    g: &HeapGraph,
    d: &Derived,
    member: Option<&NodeFilter<'_>>,
    limit: Option<usize>,
) -> PackageSummaryReport {
    let p = Packages::of(g, d);
    let mut rows = sums(g, d, &p, member);
    rows.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then_with(|| a.package.cmp(&b.package))
    });
    let n_packages = rows.len();
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    PackageSummaryReport {
        schema_version: 1,
        kind: "summary",
        by: "package",
        total_size: d.total_size,
        n_packages,
        packages: rows,
    }
}

/// Per package: its members' (id, self) by id.
fn members(g: &HeapGraph, d: &Derived, p: &Packages) -> FxHashMap<String, Vec<(u64, u64)>> {
    let mut by_index: Vec<Vec<(u64, u64)>> = vec![Vec::new(); p.names.len()];
    for v in g.nodes().ordinals() {
        let size = d.self_size_of(v);
        if size > 0 {
            by_index[p.index_of(v)].push((g.nodes().id(v).get(), size));
        }
    }
    p.names
        .iter()
        .cloned()
        .zip(by_index)
        .map(|(name, mut list)| {
            list.sort_unstable();
            (name, list)
        })
        .collect()
}

/// The Comparison by package: objects matched by id within each package
/// (new, deleted, their sizes) and each package's retained size in both
/// snapshots; by allocated size, then retained growth, then name.
#[must_use]
pub fn package_compare(
    base: (&HeapGraph, &Derived),
    current: (&HeapGraph, &Derived),
    limit: Option<usize>,
) -> PackageCompareReport {
    let ((bg, bd), (cg, cd)) = (base, current);
    let (bp, cp) = (Packages::of(bg, bd), Packages::of(cg, cd));
    let (mb, mc) = (members(bg, bd, &bp), members(cg, cd, &cp));
    let retained = |rows: Vec<PackageRow>| -> FxHashMap<String, u64> {
        rows.into_iter()
            .map(|r| (r.package, r.retained_size))
            .collect()
    };
    let (rb, rc) = (
        retained(sums(bg, bd, &bp, None)),
        retained(sums(cg, cd, &cp, None)),
    );
    let mut names: Vec<&String> = mb.keys().chain(mc.keys()).collect();
    names.sort_unstable();
    names.dedup();
    let mut rows: Vec<PackageCompareRow> = names
        .into_iter()
        .filter_map(|name| {
            let list = |m: &FxHashMap<String, Vec<(u64, u64)>>| m.get(name).cloned();
            let change = comparison::matched(
                &list(&mb).unwrap_or_default(),
                &list(&mc).unwrap_or_default(),
            );
            let (before, after) = (
                rb.get(name).copied().unwrap_or(0),
                rc.get(name).copied().unwrap_or(0),
            );
            (!change.is_empty() || before != after).then(|| PackageCompareRow {
                package: name.clone(),
                change,
                retained_before: before,
                retained_after: after,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.change
            .alloc_size
            .cmp(&a.change.alloc_size)
            .then_with(|| {
                let growth =
                    |r: &PackageCompareRow| comparison::signed(r.retained_after, r.retained_before);
                growth(b).cmp(&growth(a))
            })
            .then_with(|| a.package.cmp(&b.package))
    });
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    PackageCompareReport {
        schema_version: 1,
        kind: "snapshot-diff",
        by: "package",
        total_before: bd.total_size,
        total_after: cd.total_size,
        packages: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    /// The diff of the packages fixture: lru-cache's entries and yallist's
    /// nodes grow by the 1000 records the program added between the
    /// snapshots, each package's retained size counted once per subtree.
    #[test]
    fn npm_packages_get_their_objects() {
        let base = load("../../fixtures/snapshot-diff/packages/before.heapsnapshot.gz");
        let cur = load("../../fixtures/snapshot-diff/packages/after.heapsnapshot.gz");
        let cd = super::super::analyze(&cur);
        let bd = super::super::analyze_with(&base, Some(&cd.classes.interfaces));
        let r = package_compare((&base, &bd), (&cur, &cd), None);
        let row = |name: &str| r.packages.iter().find(|p| p.package == name).unwrap();
        assert_eq!(row("lru-cache").change.new, 1000);
        assert_eq!(row("yallist").change.new, 1000);
        assert!(row("lru-cache").retained_after > row("lru-cache").retained_before);
        let summary = package_summary(&cur, &cd, None, None);
        let total: u64 = summary.packages.iter().map(|p| p.self_size).sum();
        let all: u64 = cd.self_size.iter().sum();
        assert_eq!(total, all, "every byte is in one package");
    }
}
