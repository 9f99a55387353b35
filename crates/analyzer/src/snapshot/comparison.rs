//! The Comparison view (formats §9): per class key, objects matched by id
//! between a base and a current snapshot; plus the objects allocated
//! between the two (§9.1) with what keeps them alive.

use heapdiff_model::{HeapGraph, NodeOrdinal, ObjectId};
use rustc_hash::FxHashMap;

use super::report::{Change, CompareReport, CompareRow, NewObjectsRow, Origin, SuspectBasis};
use super::retainers::{RetainerIndex, shortest_path};
use super::summary::class_sums;
use super::{Derived, suspects};

/// Options of [`compare`].
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Keep only the first N classes (and N allocated-between groups).
    pub limit: Option<usize>,
    /// Suspects among every new object, V8 internals, strings, arrays,
    /// embedder and weak-only objects too.
    pub all_suspects: bool,
}

/// Allocated-between groups shown without a limit.
const ALLOCATED_ROWS: usize = 25;

impl CompareReport {
    /// The report [`compare`] gives with `limit`, cut from one made
    /// without a limit, if it holds enough rows (any limit up to the 25
    /// allocated-between groups shown without one): both lists are sorted
    /// before they are cut.
    #[must_use]
    pub fn limited(&self, limit: Option<usize>) -> Option<Self> {
        let rows = limit.unwrap_or(ALLOCATED_ROWS);
        if rows > ALLOCATED_ROWS {
            return None;
        }
        let mut report = self.clone();
        report.allocated_between.truncate(rows);
        if let Some(limit) = limit {
            report.classes.truncate(limit);
        }
        Some(report)
    }
}

/// Members (id, self) of every class key, nodes with self > 0, by id.
/// Per class key: the class index and its members as (id, self) by id.
type Members<'a> = FxHashMap<&'a str, (usize, Vec<(u64, u64)>)>;

fn members<'a>(g: &HeapGraph, d: &'a Derived) -> Members<'a> {
    let mut m: Members<'a> = FxHashMap::default();
    for v in g.nodes().ordinals() {
        let size = d.self_size_of(v);
        if size == 0 {
            continue;
        }
        let c = d.class_of(v);
        m.entry(d.classes.keys[c].as_str())
            .or_insert_with(|| (c, Vec::new()))
            .1
            .push((g.nodes().id(v).get(), size));
    }
    // Sorting each list in place; the map's order does not reach output.
    #[allow(clippy::iter_over_hash_type)]
    for (_, list) in m.values_mut() {
        list.sort_unstable();
    }
    m
}

pub(crate) fn signed(a: u64, b: u64) -> i64 {
    i64::try_from(i128::from(a) - i128::from(b)).unwrap_or(i64::MAX)
}

/// Compares `current` against `base`. `base_derived` should be computed
/// with the current snapshot's interface definitions, as DevTools does.
#[must_use]
pub fn compare(
    base: (&HeapGraph, &Derived),
    current: (&HeapGraph, &Derived),
    opts: &CompareOptions,
) -> CompareReport {
    let (bg, bd) = base;
    let (cg, cd) = current;
    use heapdiff_model::steps::time;
    let index = time("compare.retainer_index", || RetainerIndex::build(cg));
    let mut rows = time("compare.classes", || class_rows(base, current));
    let different = different_processes(bg, cg);
    // Without shared ids no object is known to be new: no objects
    // allocated between, and suspects by class growth.
    let allocated_between = if different {
        Vec::new()
    } else {
        time("compare.allocated_between", || {
            allocated_between(bg, cg, cd, &index, opts.limit.unwrap_or(ALLOCATED_ROWS))
        })
    };
    let (suspects_basis, suspects) = time("compare.suspects", || {
        if different {
            let s = suspects::by_growth(base, current, &index, opts.all_suspects);
            (SuspectBasis::GrownClasses, s)
        } else {
            let s = suspects::suspects(bg, cg, cd, &index, opts.all_suspects);
            (SuspectBasis::NewObjects, s)
        }
    });
    if let Some(limit) = opts.limit {
        rows.truncate(limit);
    }
    CompareReport {
        schema_version: 1,
        kind: "snapshot-diff",
        suspects_retained: suspects
            .iter()
            .fold(0, |sum, s| sum.saturating_add(s.retained_size)),
        suspects_basis,
        suspects,
        classes: rows,
        allocated_between,
        total_before: bd.total_size,
        total_after: cd.total_size,
        different_processes: different,
    }
}

/// One Comparison row per class key with new or deleted objects, by
/// allocated size, then name, then key.
fn class_rows(base: (&HeapGraph, &Derived), current: (&HeapGraph, &Derived)) -> Vec<CompareRow> {
    let ((bg, bd), (cg, cd)) = (base, current);
    let (mb, mc) = (members(bg, bd), members(cg, cd));
    let source_of = |key: &str| {
        cd.scripts
            .position_of_key(key)
            .or_else(|| bd.scripts.position_of_key(key))
    };
    let mut keys: Vec<&str> = mb.keys().chain(mc.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut rows = Vec::new();
    for key in keys {
        let (b, c) = (mb.get(key), mc.get(key));
        let change = matched(b.map_or(&[], |x| &x.1), c.map_or(&[], |x| &x.1));
        if change.is_empty() {
            continue;
        }
        let (name, generated) = match (c, b) {
            (Some(&(ci, _)), _) => cd.scripts.shown_class(&cd.classes, ci),
            (None, Some(&(bi, _))) => bd.scripts.shown_class(&bd.classes, bi),
            (None, None) => (String::new(), None),
        };
        rows.push(CompareRow {
            name,
            key: key.to_string(),
            change,
            origin: Origin {
                source: source_of(key),
                generated,
            },
        });
    }
    rows.sort_by(|a, b| {
        b.change
            .alloc_size
            .cmp(&a.change.alloc_size)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}

/// Walks a group's base and current members (id, self), both sorted by
/// id: ids only in the current snapshot are new, ids only in the base
/// deleted (formats §9).
pub(crate) fn matched(base: &[(u64, u64)], current: &[(u64, u64)]) -> Change {
    let mut m = Change::default();
    let (mut i, mut j) = (0, 0);
    while i < base.len() || j < current.len() {
        if j == current.len() || (i < base.len() && base[i].0 < current[j].0) {
            m.deleted += 1;
            m.freed_size = m.freed_size.saturating_add(base[i].1);
            i += 1;
        } else if i == base.len() || current[j].0 < base[i].0 {
            m.new += 1;
            m.alloc_size = m.alloc_size.saturating_add(current[j].1);
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
    m.delta = signed(m.new, m.deleted);
    m.size_delta = signed(m.alloc_size, m.freed_size);
    m
}

/// The largest odd (JS heap) object id.
fn max_js_id(g: &HeapGraph) -> u64 {
    g.nodes()
        .ordinals()
        .map(|v| g.nodes().id(v))
        .filter(|id| id.is_js())
        .max()
        .map_or(0, ObjectId::get)
}

/// Objects of `current` with ids in `(maxJSObjectId(base), maxJSObjectId(current)]`
/// (formats §9.1), grouped by class, with the retainer path of each group's
/// largest object.
fn allocated_between(
    base: &HeapGraph,
    g: &HeapGraph,
    d: &Derived,
    index: &RetainerIndex,
    limit: usize,
) -> Vec<NewObjectsRow> {
    let (lo, hi) = (max_js_id(base), max_js_id(g));
    let member = |v: NodeOrdinal| {
        let id = g.nodes().id(v).get();
        lo < id && id <= hi
    };
    let sums = class_sums(d, Some(&member));
    let mut classes: Vec<usize> = (0..d.classes.names.len())
        .filter(|&c| sums.count[c] > 0)
        .collect();
    classes.sort_by(|&a, &b| {
        sums.retained[b]
            .cmp(&sums.retained[a])
            .then_with(|| d.classes.keys[a].cmp(&d.classes.keys[b]))
    });
    classes.truncate(limit);
    // The largest member of each chosen class.
    let mut largest: FxHashMap<usize, NodeOrdinal> = FxHashMap::default();
    for v in g.nodes().ordinals() {
        let c = d.class_of(v);
        if d.self_size_of(v) == 0 || !member(v) || !classes.contains(&c) {
            continue;
        }
        let better = largest
            .get(&c)
            .is_none_or(|&w| d.retained_of(v) > d.retained_of(w));
        if better {
            largest.insert(c, v);
        }
    }
    classes
        .into_iter()
        .map(|c| {
            let (name, origin) = d.scripts.shown_class_with_origin(&d.classes, c);
            NewObjectsRow {
                name,
                count: sums.count[c],
                self_size: sums.self_size[c],
                retained_size: sums.retained[c],
                origin,
                retainer_path: largest
                    .get(&c)
                    .map(|&v| shortest_path(g, d, index, v))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Ids are only comparable within one process (formats §9): when fewer than
/// 10 % of the base's JS object ids survive, the snapshots most likely come
/// from different processes (or from a producer that numbers objects anew
/// in every snapshot). The share is measured on at most `SAMPLE` of the
/// base's ids, every k-th in node order, looked up in one pass over the
/// current snapshot's ids.
pub(crate) fn different_processes(base: &HeapGraph, current: &HeapGraph) -> bool {
    const SAMPLE: usize = 1 << 16;
    fn js(g: &HeapGraph, above: u64) -> impl Iterator<Item = ObjectId> + '_ {
        g.nodes()
            .ordinals()
            .map(|v| g.nodes().id(v))
            .filter(move |&id| id.is_js() && id.get() > above)
    }
    let n = js(base, 200).count();
    if n == 0 {
        return false;
    }
    let step = n.div_ceil(SAMPLE);
    let sample: rustc_hash::FxHashSet<ObjectId> = js(base, 200).step_by(step).collect();
    let kept = js(current, 0).filter(|id| sample.contains(id)).count();
    kept * 10 < sample.len()
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::*;

    /// Ids beyond 32 bits are matched whole: a new object whose id has the
    /// low 32 bits of a deleted one is still new (DevTools, which keeps the
    /// low halves, would match the two).
    #[test]
    fn wide_ids_are_matched_whole() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/snapshot-diff/julia-wide-ids");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let parse = |text: &str| {
            heapdiff_parser::parse_snapshot(text.as_bytes())
                .unwrap()
                .value
        };
        // The new string moves to 0x7F01_0000_4000; the deleted one was at
        // 0x7F00_0000_4000.
        let after = read("after.heapsnapshot").replace("139637976756224", "139642271711232");
        let (base, cur) = (parse(&read("before.heapsnapshot")), parse(&after));
        let (bd, cd) = (super::super::analyze(&base), super::super::analyze(&cur));
        let report = compare((&base, &bd), (&cur, &cd), &CompareOptions::default());
        let strings = report.classes.iter().find(|r| r.name == "(string)");
        let counts = strings.map(|r| {
            let c = &r.change;
            (c.new, c.deleted, c.alloc_size, c.freed_size)
        });
        assert_eq!(counts, Some((1, 1, 22, 21)));
    }

    /// A report cut to a limit is the report made with that limit.
    #[test]
    fn a_limited_report_is_the_report_with_the_limit() {
        let base = load("../../fixtures/snapshot-diff/node-leak/before.heapsnapshot.gz");
        let cur = load("../../fixtures/snapshot-diff/node-leak/after.heapsnapshot.gz");
        let cd = super::super::analyze(&cur);
        let bd = super::super::analyze_with(&base, Some(&cd.classes.interfaces));
        let report = |limit| {
            compare(
                (&base, &bd),
                (&cur, &cd),
                &CompareOptions {
                    limit,
                    all_suspects: false,
                },
            )
        };
        let full = report(None);
        assert!(full.classes.len() > ALLOCATED_ROWS && !full.allocated_between.is_empty());
        let json = |r: &CompareReport| serde_json::to_value(r).unwrap();
        for limit in [None, Some(0), Some(1), Some(7), Some(ALLOCATED_ROWS)] {
            let cut = full.limited(limit).unwrap();
            assert_eq!(json(&cut), json(&report(limit)), "limit {limit:?}");
        }
        assert!(full.limited(Some(ALLOCATED_ROWS + 1)).is_none());
    }
}
