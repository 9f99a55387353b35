//! What a timeline keeps alive, first: the allocation sites whose live
//! objects grew most from one side to the other (two time spans of one
//! recording, or two recordings), with the classes of those objects and
//! their retainer paths clustered by shape, as the snapshot diff's suspects
//! show new objects.
//!
//! A side's objects are the live objects of the timeline's snapshot that
//! its allocation trace places (and, for a span, whose ids fall in the
//! span's id range). They count as the suspects' new objects do
//! (`snapshot::outermost_objects`): application objects and detached DOM,
//! each byte once through the dominator tree, so an object that a counted
//! object of the same site dominates is a member of it, and one of another
//! site (the `Order` a `RequestRecord` holds) is inside that object's
//! retained size. A site's amount on a side is the retained size of its
//! outermost objects there. Its growth over two recordings is the after
//! recording's amount less the before one's (sites matched by function
//! name, URL, line and column); over two spans of one recording it is the
//! after span's amount: what the live heap gained in that span and kept
//! (live means alive when the recording stopped, so the before span's
//! amount is no baseline to subtract: a steady leak adds about as much in
//! every span, and a front-loaded one less later). The before span's
//! amount is shown beside it.

use heapdiff_model::{HeapGraph, NodeOrdinal};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::snapshot::{
    Derived, Group, RetainerIndex, SourcePosition, SuspectCluster, clusters_of, outermost_objects,
};

/// Sites shown.
const SITES: usize = 5;
/// Classes shown per site.
const CLASSES: usize = 3;
/// Retainer path clusters shown per site.
const CLUSTERS: usize = 3;

/// An allocation site: a function of the allocation trace, where a source
/// map moved it the original one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    /// Function name (`(anonymous)` for `""`).
    pub name: String,
    /// Script URL (`""` for V8's builtins and API).
    pub url: String,
    /// 1-based line, `null` when unknown.
    pub line: Option<u32>,
    /// 1-based column, `null` when unknown.
    pub column: Option<u32>,
}

/// A class of the live objects a site made (on the after side).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GrownClass {
    /// Class name.
    pub class: String,
    /// Outermost objects of the class.
    pub count: u64,
    /// Σ their retained sizes.
    pub retained_size: u64,
    /// Where the class's constructor is, for classes keyed by location.
    pub source: Option<SourcePosition>,
}

/// One allocation site whose live objects grew.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SiteGrowth {
    /// The function that allocated the objects.
    #[serde(flatten)]
    pub site: Site,
    /// Retained size of its outermost live objects on the before side.
    pub before: u64,
    /// The same on the after side.
    pub after: u64,
    /// What the site's live objects grew by (> 0): `after - before` for
    /// two recordings, `after` for two spans of one recording (what the
    /// heap gained in the after span and kept).
    pub growth: u64,
    /// Its live objects counted on the after side (the outermost ones and
    /// those of the site inside them).
    pub count: u64,
    /// Classes of its outermost objects on the after side, by retained
    /// size (at most 3).
    pub classes: Vec<GrownClass>,
    /// Their retainer paths from the GC roots on the after side, grouped by
    /// shape (edge names and classes, element indices ignored), most
    /// followed first (at most 3).
    pub clusters: Vec<SuspectCluster>,
}

/// The sites whose live objects grew most, first = largest growth.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LiveGrowth {
    /// `"span"` (two spans of one recording: growth is what the after span
    /// added and kept) or `"recordings"` (two recordings: after − before).
    pub over: Growth,
    /// At most 5 sites with growth > 0.
    pub sites: Vec<SiteGrowth>,
    /// Sites whose live objects grew, before the limit.
    pub sites_total: usize,
    /// Σ growth of the sites shown.
    pub growth: u64,
}

/// What a site's growth is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Growth {
    /// Two spans of one recording: the after span's amount.
    Span,
    /// Two recordings: the after amount less the before amount.
    Recordings,
}

/// One side of the comparison: a parsed timeline, its analysis, the
/// object id range `(min, max]` of a time span (`None`: every live
/// object), and the allocation stacks the rows keep.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The timeline.
    pub graph: &'a HeapGraph,
    /// `snapshot::analyze` of it.
    pub derived: &'a Derived,
    /// The span's object ids.
    pub range: Option<(u32, u32)>,
    /// Which trace nodes, by position (the stacks of the trace's call
    /// tree, `timeline::trace_profile`), `--focus` and `--ignore` keep, as
    /// `FrameFilter::keep_mask` gives them: objects allocated at the others
    /// count for no site, as their bytes count for no row. `None`: all.
    pub keep: Option<&'a [bool]>,
}

/// A side's counted objects, by site.
struct Counted {
    sites: Vec<Site>,
    groups: FxHashMap<usize, Group>,
}

impl Counted {
    fn of(side: Side<'_>) -> Self {
        let (g, d) = (side.graph, side.derived);
        let Some(t) = &g.trace else {
            return Self {
                sites: Vec::new(),
                groups: FxHashMap::default(),
            };
        };
        let mut sites: Vec<Site> = Vec::new();
        let mut known: FxHashMap<Site, usize> = FxHashMap::default();
        let site_of_function: Vec<usize> = t
            .functions
            .iter()
            .map(|f| {
                let site = Site {
                    name: crate::display_name(g.strings.get(f.name)).to_string(),
                    url: g.strings.get(f.script_name).to_string(),
                    line: (f.line > 0).then_some(f.line),
                    column: (f.column > 0).then_some(f.column),
                };
                *known.entry(site.clone()).or_insert_with(|| {
                    sites.push(site);
                    sites.len() - 1
                })
            })
            .collect();
        let position = crate::timeline::TracePositions::of(g);
        let trace_nodes = g.nodes().trace_nodes();
        let kept = |p: usize| side.keep.is_none_or(|k| k.get(p) == Some(&true));
        let site_of = |v: NodeOrdinal| -> Option<usize> {
            let p = position.get(*trace_nodes.get(v.index())?)?;
            if !kept(p) {
                return None;
            }
            let f = *t.function.get(p)?;
            site_of_function.get(f as usize).copied()
        };
        let in_range = |v: NodeOrdinal| {
            let id = g.nodes().id(v).get();
            side.range
                .is_none_or(|(lo, hi)| id > u64::from(lo) && id <= u64::from(hi))
        };
        let groups = outermost_objects(
            g,
            d,
            false,
            |v| site_of(v).unwrap_or(usize::MAX),
            |v| in_range(v) && site_of(v).is_some(),
        );
        Self { sites, groups }
    }

    fn retained(&self) -> FxHashMap<&Site, u64> {
        let mut by_site: FxHashMap<&Site, u64> = FxHashMap::default();
        #[allow(clippy::iter_over_hash_type)] // summed per key: order-free
        for (&s, group) in &self.groups {
            *by_site.entry(&self.sites[s]).or_default() += group.retained;
        }
        by_site
    }
}

/// The sites whose live objects grew most from `before` to `after`, with
/// the classes and retainer clusters of their objects on the after side
/// (`index` is the after graph's).
#[must_use]
pub fn live_growth(
    before: Side<'_>,
    after: Side<'_>,
    index: &RetainerIndex,
    growth: Growth,
) -> LiveGrowth {
    let (old, new) = (Counted::of(before), Counted::of(after));
    let was = old.retained();
    let mut grown: Vec<(u64, u64, usize)> = new
        .groups
        .iter()
        .filter_map(|(&s, group)| {
            let before = was.get(&new.sites[s]).copied().unwrap_or(0);
            let base = match growth {
                Growth::Span => 0,
                Growth::Recordings => before,
            };
            (group.retained > base).then(|| (group.retained - base, before, s))
        })
        .collect();
    grown.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| new.sites[a.2].cmp(&new.sites[b.2]))
    });
    let sites_total = grown.len();
    grown.truncate(SITES);
    let mut groups = new.groups;
    let shown: Vec<(usize, Group)> = grown
        .iter()
        .map(|&(_, _, s)| (s, groups.remove(&s).unwrap_or_default()))
        .collect();
    let (g, d) = (after.graph, after.derived);
    let clusters = clusters_of(g, d, index, &shown, Some(CLUSTERS));
    let sites: Vec<SiteGrowth> = grown
        .iter()
        .zip(&shown)
        .zip(clusters)
        .map(|((&(growth, before, s), (_, group)), paths)| SiteGrowth {
            site: new.sites[s].clone(),
            before,
            after: group.retained,
            growth,
            count: group.count,
            classes: classes_of(d, &group.outermost),
            clusters: paths.into_iter().map(SuspectCluster::from).collect(),
        })
        .collect();
    LiveGrowth {
        over: growth,
        growth: sites.iter().map(|s| s.growth).sum(),
        sites,
        sites_total,
    }
}

/// The classes of `objects` by Σ retained size, at most `CLASSES`.
fn classes_of(d: &Derived, objects: &[NodeOrdinal]) -> Vec<GrownClass> {
    let mut by_class: FxHashMap<usize, (u64, u64)> = FxHashMap::default();
    for &v in objects {
        let e = by_class.entry(d.class_of(v)).or_default();
        e.0 += 1;
        e.1 += d.retained_of(v);
    }
    let mut classes: Vec<(usize, (u64, u64))> = by_class.into_iter().collect();
    classes.sort_by(|a, b| {
        b.1.1
            .cmp(&a.1.1)
            .then(b.1.0.cmp(&a.1.0))
            .then_with(|| d.classes.keys[a.0].cmp(&d.classes.keys[b.0]))
    });
    classes.truncate(CLASSES);
    let scripts = &d.scripts;
    classes
        .into_iter()
        .map(|(c, (count, retained_size))| {
            let key = &d.classes.keys[c];
            GrownClass {
                class: scripts.class_name(key, &d.classes.names[c]).to_string(),
                count,
                retained_size,
                source: scripts.position_of_key(key),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use heapdiff_model::HeapGraph;

    use super::*;
    use crate::snapshot::analyze;
    use crate::snapshot::tests::load;
    use crate::timeline::{live_intervals, span_ids};

    fn timeline(case: &str) -> HeapGraph {
        load(&format!(
            "../../fixtures/series/{case}/timeline.heaptimeline.gz"
        ))
    }

    /// Two spans of one recording.
    fn spans(g: &HeapGraph, before: &str, after: &str) -> LiveGrowth {
        let (d, index, iv) = (analyze(g), RetainerIndex::build(g), live_intervals(g));
        let side = |text| Side {
            graph: g,
            derived: &d,
            range: Some(span_ids(&iv, text).unwrap()),
            keep: None,
        };
        live_growth(side(before), side(after), &index, Growth::Span)
    }

    /// Two recordings, all of each.
    fn recordings(a: &HeapGraph, b: &HeapGraph) -> LiveGrowth {
        let (da, db, index) = (analyze(a), analyze(b), RetainerIndex::build(b));
        let side = |graph, derived| Side {
            graph,
            derived,
            range: None,
            keep: None,
        };
        live_growth(side(a, &da), side(b, &db), &index, Growth::Recordings)
    }

    /// A site of the service's own code (fixtures/series/README.md).
    fn application(s: &SiteGrowth) -> bool {
        s.site.url.starts_with("/tmp/heapdiff-series/src/")
    }

    /// The leak: `rememberRequest` (cache.js:58:25) makes the
    /// `RequestRecord`s (cache.js:37:14) kept in `requestLog`.
    fn assert_the_leak_leads(r: &LiveGrowth) {
        let first = &r.sites[0];
        assert_eq!(
            (first.site.name.as_str(), first.site.line, first.site.column),
            ("rememberRequest", Some(58), Some(25))
        );
        assert!(first.site.url.ends_with("/cache.js"));
        let records = &first.classes[0];
        assert_eq!(records.class, "RequestRecord");
        assert_eq!(records.source.as_ref().unwrap().short(), "cache.js:37:14");
        let cluster = &first.clusters[0];
        assert_eq!(cluster.count, first.count);
        assert!(cluster.path.iter().any(|s| s.edge == ".requestLog"));
        assert_eq!(cluster.path.last().unwrap().class, "RequestRecord");
    }

    #[test]
    fn the_leaking_site_leads_the_later_span_of_the_leak() {
        let r = spans(&timeline("leak"), "0%..50%", "50%..100%");
        assert_the_leak_leads(&r);
        // 1,152 bytes retained per record; the rest were filed earlier.
        let first = &r.sites[0];
        assert_eq!((first.count, first.after), (109, 109 * 1152));
        assert!(first.before > first.after);
        assert!(r.sites.iter().skip(1).all(|s| !application(s)));
        assert_eq!(r.growth, r.sites.iter().map(|s| s.growth).sum::<u64>());
    }

    #[test]
    fn the_fixed_and_control_builds_have_no_application_site() {
        for case in ["fixed", "control"] {
            let r = spans(&timeline(case), "0%..50%", "50%..100%");
            assert!(
                r.sites.iter().all(|s| !application(s)),
                "{case}: {:?}",
                r.sites
            );
        }
    }

    /// The sites of the later span of the leak when the rows keep only the
    /// stacks `FrameFilter::new(focus, ignore)` lets through.
    fn filtered_spans(focus: Option<&str>, ignore: Option<&str>) -> LiveGrowth {
        let g = timeline("leak");
        let p = crate::timeline::as_profile(&g, crate::timeline::Measure::Live, None).unwrap();
        let keep = crate::FrameFilter::new(focus, ignore)
            .unwrap()
            .keep_mask(&p.profile);
        let (d, index, iv) = (analyze(&g), RetainerIndex::build(&g), live_intervals(&g));
        let side = |text| Side {
            graph: &g,
            derived: &d,
            range: Some(span_ids(&iv, text).unwrap()),
            keep: Some(&keep),
        };
        live_growth(side("0%..50%"), side("50%..100%"), &index, Growth::Span)
    }

    #[test]
    fn sites_follow_the_rows_focus_and_ignore() {
        let ignored = filtered_spans(None, Some("rememberRequest"));
        assert!(!ignored.sites.is_empty());
        assert!(
            ignored
                .sites
                .iter()
                .all(|s| s.site.name != "rememberRequest")
        );
        let focused = filtered_spans(Some("cache\\.js"), None);
        assert_eq!(focused.sites.len(), 1);
        assert_the_leak_leads(&focused);
        assert_eq!(focused.sites_total, 1);
        let none = filtered_spans(Some("no such frame"), None);
        assert!(none.sites.is_empty());
        let all = filtered_spans(None, None);
        let unfiltered = spans(&timeline("leak"), "0%..50%", "50%..100%");
        assert_eq!(all, unfiltered);
    }

    #[test]
    fn recordings_are_compared_site_by_site() {
        let (fixed, leak) = (timeline("fixed"), timeline("leak"));
        let grown = recordings(&fixed, &leak);
        assert_the_leak_leads(&grown);
        // Every record the leak's trace places (554 orders by batch 3).
        assert_eq!(grown.sites[0].count, 554);
        assert_eq!(grown.sites[0].growth, 554 * 1152 - grown.sites[0].before);
        for other in [fixed, timeline("control")] {
            let back = recordings(&leak, &other);
            assert!(
                back.sites.iter().all(|s| !application(s)),
                "{:?}",
                back.sites
            );
        }
        assert!(recordings(&leak, &leak).sites.is_empty());
    }
}
