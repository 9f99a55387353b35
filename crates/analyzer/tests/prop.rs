//! Property tests of the analyses (CONTRIBUTING, properties 2–4) on random
//! call trees from `heapdiff-testkit`: arbitrary shapes, deep chains,
//! recursion, zero self sizes, samples outside the tree.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use heapdiff_analyzer::{
    BottomUpOptions, CallTree, DiffOptions, DiffReport, DiffRow, FlameTree, GroupBy, OrdinalRange,
    Status, TopOptions, Weights, bottom_up, collapse, diff, display_name, estimate_interval,
    flame_tree, frame_location, top,
};
use heapdiff_model::HeapProfile;
use heapdiff_testkit::{
    JsonOptions, SynthFrame, SynthNode, SyntheticConfig, SyntheticProfile, arb_profile,
    arb_profile_pair, arb_profile_pair_with, proptest_config,
};
use proptest::prelude::*;
use proptest::sample::Index;
use rayon::ThreadPool;

mod strategies;
use strategies::{SMALL, arb_group_by, tree_of};

fn diff_of(a: &HeapProfile, b: &HeapProfile, by: GroupBy) -> DiffReport {
    let opts = DiffOptions {
        by,
        ..DiffOptions::default()
    };
    diff((a, &tree_of(a)), (b, &tree_of(b)), &opts)
}

/// How rows are matched across two reports.
type RowKey = (String, String, Option<u32>, Option<u32>, Vec<String>);

fn rows_by_key(report: &DiffReport) -> Result<BTreeMap<RowKey, DiffRow>, TestCaseError> {
    let mut rows = BTreeMap::new();
    for r in &report.rows {
        let key = (
            r.function.name.clone(),
            r.function.url.clone(),
            r.function.line,
            r.function.column,
            r.stack.clone(),
        );
        prop_assert!(
            rows.insert(key, r.clone()).is_none(),
            "two rows for {:?}",
            r
        );
    }
    Ok(rows)
}

fn mirrored(s: Status) -> Status {
    match s {
        Status::New => Status::Gone,
        Status::Gone => Status::New,
        Status::Grew => Status::Shrank,
        Status::Shrank => Status::Grew,
        Status::Same => Status::Same,
    }
}

/// A 1-thread and a 4-thread pool, built once.
fn pools() -> &'static [ThreadPool; 2] {
    static POOLS: OnceLock<[ThreadPool; 2]> = OnceLock::new();
    POOLS.get_or_init(|| {
        [1, 4].map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
    })
}

const ALL_GROUPINGS: [GroupBy; 4] = [
    GroupBy::Function,
    GroupBy::Stack,
    GroupBy::Script,
    GroupBy::Package,
];

/// Every analysis of one pair of profiles, serialized: top and diff (by
/// each of `groupings`), bottom-up, folded stacks and range weights.
fn everything(a: &HeapProfile, b: &HeapProfile, groupings: &[GroupBy]) -> String {
    let (ta, tb) = (tree_of(a), tree_of(b));
    let mut out = Vec::new();
    for &by in groupings {
        let opts = TopOptions {
            by,
            ..TopOptions::default()
        };
        out.push(serde_json::to_string(&top(a, &ta, &opts)).unwrap());
        let opts = DiffOptions {
            by,
            ..DiffOptions::default()
        };
        out.push(serde_json::to_string(&diff((a, &ta), (b, &tb), &opts)).unwrap());
    }
    out.push(serde_json::to_string(&bottom_up(a, &ta, &BottomUpOptions::default())).unwrap());
    out.push(format!("{:?}", collapse(a, &ta)));
    let range = OrdinalRange {
        lo: 1,
        hi: u64::MAX,
    };
    let w = Weights::in_range(a, &range);
    out.push(format!(
        "{:?} {:?} {}",
        w.self_bytes, w.n_samples, w.unattributed_bytes
    ));
    out.join("\n")
}

/// Parallel = sequential: the same reports, byte for byte, on 1 and 4
/// threads.
fn check_parallel_equals_sequential(
    a: &HeapProfile,
    b: &HeapProfile,
    groupings: &[GroupBy],
) -> Result<(), TestCaseError> {
    let [one, four] = pools();
    let sequential = one.install(|| everything(a, b, groupings));
    let parallel = four.install(|| everything(a, b, groupings));
    prop_assert!(
        sequential == parallel,
        "reports differ between 1 and 4 threads"
    );
    Ok(())
}

/// Flame tree: every node's width is `max(self_before, self_after)` plus
/// its children's widths, totals add up per side, and the root is at least
/// as wide as either profile.
fn check_flame(ft: &FlameTree, ta: &CallTree, tb: &CallTree) -> Result<(), TestCaseError> {
    let n = ft.nodes.len();
    let mut child_width = vec![0u64; n];
    let mut child_before = vec![0u64; n];
    let mut child_after = vec![0u64; n];
    for (i, node) in ft.nodes.iter().enumerate() {
        for &c in &node.children {
            prop_assert_eq!(ft.nodes[c as usize].parent, Some(u32::try_from(i).unwrap()));
        }
        if let Some(up) = node.parent {
            prop_assert!((up as usize) < i, "parent after child");
            child_width[up as usize] += node.width;
            child_before[up as usize] += node.total_before;
            child_after[up as usize] += node.total_after;
        }
    }
    for (i, node) in ft.nodes.iter().enumerate() {
        prop_assert_eq!(
            node.width,
            node.self_before.max(node.self_after) + child_width[i]
        );
        prop_assert_eq!(node.total_before, node.self_before + child_before[i]);
        prop_assert_eq!(node.total_after, node.self_after + child_after[i]);
    }
    let root = &ft.nodes[0];
    prop_assert_eq!(root.total_before, ta.root_total());
    prop_assert_eq!(root.total_after, tb.root_total());
    prop_assert!(root.width >= root.total_before.max(root.total_after));
    Ok(())
}

/// True when no two functions of `p` share a label (`name (url:line:col)`);
/// frames without a URL are labelled by name alone.
fn labels_are_unique(p: &SyntheticProfile) -> bool {
    let mut seen = std::collections::HashSet::new();
    p.frames.iter().all(|f| {
        seen.insert((
            display_name(&f.name).to_string(),
            frame_location(&f.url, f.line, f.column),
        ))
    })
}

fn parse(p: &SyntheticProfile) -> HeapProfile {
    heapdiff_parser::parse_heapprofile(&p.to_json(&JsonOptions::v8())[..])
        .unwrap()
        .value
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Stack table: root total = Σ self, and every node's total is its self
    /// plus its children's totals.
    #[test]
    fn root_total_is_the_sum_of_self(p in arb_profile()) {
        let m = p.to_model();
        let t = tree_of(&m);
        prop_assert_eq!(t.root_total(), m.stacks.self_bytes.iter().sum::<u64>());
        let mut expected = t.self_bytes.clone();
        for s in m.stacks.ids().skip(1).rev() {
            let up = m.stacks.parent(s).unwrap().index();
            expected[up] += expected[s.index()];
        }
        prop_assert_eq!(&t.total, &expected);
    }

    /// `top`: the rows (no limit) split the non-root self bytes, so Σ self =
    /// root total − root self; a row's total counts recursion once, so
    /// self ≤ total ≤ root total.
    #[test]
    fn top_rows_split_the_profile(p in arb_profile(), by in arb_group_by()) {
        let m = p.to_model();
        let t = tree_of(&m);
        let report = top(&m, &t, &TopOptions { by, ..TopOptions::default() });
        let root_total = t.root_total();
        let sum: u64 = report.rows.iter().map(|r| r.self_bytes).sum();
        prop_assert_eq!(sum, root_total - m.stacks.self_bytes[0]);
        prop_assert_eq!(report.totals.total, root_total);
        prop_assert_eq!(report.totals.rows, report.rows.len());
        for r in &report.rows {
            prop_assert!(r.self_bytes <= r.total, "{:?}", r);
            prop_assert!(r.total <= root_total, "{:?}", r);
        }
    }

    /// The Heavy view's top level and `top --by function` are two code
    /// paths for DevTools' one table: same functions, self and total.
    #[test]
    fn bottom_up_top_level_equals_top(p in arb_profile()) {
        let m = p.to_model();
        let t = tree_of(&m);
        let mut heavy: Vec<_> = bottom_up(&m, &t, &BottomUpOptions::default())
            .rows
            .into_iter()
            .map(|r| (r.function.name, r.function.url, r.function.line, r.function.column, r.self_bytes, r.total))
            .collect();
        let mut flat: Vec<_> = top(&m, &t, &TopOptions::default())
            .rows
            .into_iter()
            .map(|r| (r.function.name, r.function.url, r.function.line, r.function.column, r.self_bytes, r.total))
            .collect();
        heavy.sort();
        flat.sort();
        prop_assert_eq!(heavy, flat);
    }

    /// Diff: `diff(a, a)` is all zeros, every row `same`.
    #[test]
    fn diff_with_itself_is_zero(p in arb_profile(), by in arb_group_by()) {
        let m = p.to_model();
        let report = diff_of(&m, &m, by);
        prop_assert_eq!(report.totals.delta, 0);
        prop_assert_eq!(report.totals.new_rows + report.totals.gone_rows, 0);
        for r in &report.rows {
            prop_assert_eq!(r.delta, 0, "{:?}", r);
            prop_assert_eq!(r.status, Status::Same, "{:?}", r);
            prop_assert_eq!(r.before, r.after);
        }
    }

    /// Diff: `delta(a, b) = −delta(b, a)` for every row (matched by name,
    /// URL, line, column and stack), with before/after and statuses swapped
    /// and the same noise verdict.
    #[test]
    fn diff_is_antisymmetric((a, b) in arb_profile_pair(), by in arb_group_by()) {
        let (a, b) = (a.to_model(), b.to_model());
        let ab = rows_by_key(&diff_of(&a, &b, by))?;
        let ba = rows_by_key(&diff_of(&b, &a, by))?;
        prop_assert_eq!(ab.len(), ba.len());
        for (key, r) in &ab {
            let Some(s) = ba.get(key) else {
                return Err(TestCaseError::fail(format!("{key:?} missing from diff(b, a)")));
            };
            prop_assert_eq!(r.delta, -s.delta, "{:?}", key);
            prop_assert_eq!((r.before, r.after), (s.after, s.before), "{:?}", key);
            prop_assert_eq!((r.total_before, r.total_after), (s.total_after, s.total_before));
            prop_assert_eq!(r.status, mirrored(s.status), "{:?}", key);
            prop_assert_eq!(r.noise, s.noise, "{:?}", key);
        }
    }

    /// Diff: Σ row deltas (no limit) = total(b) − total(a) when the roots
    /// allocate nothing themselves (the root has no row).
    #[test]
    fn deltas_sum_to_the_change_in_total((a, b) in arb_profile_pair(), by in arb_group_by()) {
        let (mut a, mut b) = (a, b);
        a.nodes[0].self_size = 0;
        b.nodes[0].self_size = 0;
        let (a, b) = (a.to_model(), b.to_model());
        let report = diff_of(&a, &b, by);
        let sum: i64 = report.rows.iter().map(|r| r.delta).sum();
        let expected = tree_of(&b).root_total() as i64 - tree_of(&a).root_total() as i64;
        prop_assert_eq!(sum, expected);
        prop_assert_eq!(report.totals.delta, expected);
    }

    /// Diff: alignment does not depend on input order. Shuffling sibling
    /// order and sample order in the JSON gives the same report, byte for
    /// byte.
    #[test]
    fn diff_is_independent_of_input_order(
        (a, b) in arb_profile_pair(),
        by in arb_group_by(),
        seed in any::<u64>(),
    ) {
        // Frames with the same label (name and position) but different
        // script ids merge into one stack row; their order then decides
        // the row's script id, which no report shows. Skip such inputs.
        if by == GroupBy::Stack && !(labels_are_unique(&a) && labels_are_unique(&b)) {
            return Ok(());
        }
        let shuffled = |p: &SyntheticProfile| p.permute_siblings(seed).shuffle_samples(seed);
        let (pa, pb) = (parse(&a), parse(&b));
        let (qa, qb) = (parse(&shuffled(&a)), parse(&shuffled(&b)));
        let report = |a: &HeapProfile, b: &HeapProfile| {
            serde_json::to_string_pretty(&diff_of(a, b, by)).unwrap()
        };
        prop_assert_eq!(report(&pa, &pb), report(&qa, &qb));
    }

    /// `top` and folded stacks do not depend on input order either.
    #[test]
    fn top_is_independent_of_input_order(
        p in arb_profile(),
        by in arb_group_by(),
        seed in any::<u64>(),
    ) {
        // See `diff_is_independent_of_input_order`.
        if by == GroupBy::Stack && !labels_are_unique(&p) {
            return Ok(());
        }
        let report = |m: &HeapProfile| {
            let t = tree_of(m);
            let top = top(m, &t, &TopOptions { by, ..TopOptions::default() });
            format!("{}\n{:?}", serde_json::to_string_pretty(&top).unwrap(), collapse(m, &t))
        };
        let q = p.permute_siblings(seed).shuffle_samples(seed);
        prop_assert_eq!(report(&parse(&p)), report(&parse(&q)));
    }

    /// Parallel = sequential on small profiles (the single-chunk path).
    #[test]
    fn parallel_equals_sequential((a, b) in arb_profile_pair_with(SMALL)) {
        check_parallel_equals_sequential(&a.to_model(), &b.to_model(), &ALL_GROUPINGS)?;
    }

    /// Ordinal ranges: a range covering every ordinal gives each non-root
    /// node the sum of its samples' sizes (the root keeps its selfSize), and
    /// two adjacent ranges add up to the range they cover.
    #[test]
    fn full_range_weights_are_sample_sums(p in arb_profile(), split in any::<Index>()) {
        let m = p.to_model();
        let n = m.stacks.len();
        let mut bytes = vec![0u64; n];
        let mut count = vec![0u64; n];
        for i in 0..m.samples.len() {
            bytes[m.samples.stack[i].index()] += m.samples.bytes[i];
            count[m.samples.stack[i].index()] += 1;
        }
        bytes[0] = m.stacks.self_bytes[0];
        let ordinals: Vec<u64> = m.samples.ordinal.iter().chain(&m.unattributed.ordinal).copied().collect();
        let lo = ordinals.iter().copied().min().unwrap_or(1);
        let hi = ordinals.iter().copied().max().unwrap_or(1);
        let all = Weights::in_range(&m, &OrdinalRange { lo, hi });
        prop_assert_eq!(&all.self_bytes, &bytes);
        prop_assert_eq!(&all.n_samples, &count);
        prop_assert_eq!(all.unattributed_bytes, m.unattributed.bytes.iter().sum::<u64>());
        let mid = lo + split.index(usize::try_from(hi - lo + 1).unwrap()) as u64;
        let left = Weights::in_range(&m, &OrdinalRange { lo, hi: mid });
        let right = Weights::in_range(&m, &OrdinalRange { lo: mid + 1, hi });
        for s in 1..n {
            prop_assert_eq!(left.self_bytes[s] + right.self_bytes[s], bytes[s]);
            prop_assert_eq!(left.n_samples[s] + right.n_samples[s], count[s]);
        }
        prop_assert_eq!(left.unattributed_bytes + right.unattributed_bytes, all.unattributed_bytes);
    }

    /// Differential flame graph: widths are max(self_before, self_after) +
    /// Σ children widths, so removed code keeps its width, and the root is
    /// at least as wide as either total. With one profile on both sides,
    /// every width is the node's total.
    #[test]
    fn flame_widths_cover_both_profiles((a, b) in arb_profile_pair()) {
        let (a, b) = (a.to_model(), b.to_model());
        let (ta, tb) = (tree_of(&a), tree_of(&b));
        let iv = [estimate_interval(&a), estimate_interval(&b)];
        check_flame(&flame_tree((&a, &ta), (&b, &tb), iv), &ta, &tb)?;
        let same = flame_tree((&a, &ta), (&a, &ta), [iv[0], iv[0]]);
        check_flame(&same, &ta, &ta)?;
        for node in &same.nodes {
            prop_assert_eq!(node.width, node.total_before);
            prop_assert_eq!(node.total_before, node.total_after);
        }
    }
}

/// Parallel = sequential past rayon's split thresholds (16 Ki nodes per
/// aggregation chunk, 64 Ki samples per weights chunk), on a shallow tree
/// so the bottom-up report (nodes × depth rows) stays cheap in debug.
#[test]
fn parallel_equals_sequential_on_a_profile_rayon_splits() {
    let cfg = SyntheticConfig {
        n_nodes: 34_000,
        n_functions: 1_500,
        max_depth: 8,
        n_samples: 140_000,
        n_orphan_samples: 10,
        ..SyntheticConfig::small()
    };
    let a = SyntheticProfile::generate(&cfg).to_model();
    let b = SyntheticProfile::generate(&SyntheticConfig { seed: 99, ..cfg }).to_model();
    // `--by stack` and deep trees are covered above; here they would only
    // slow the debug build down.
    check_parallel_equals_sequential(&a, &b, &[GroupBy::Function, GroupBy::Package]).unwrap();
}

/// Regression (stack-row-position): frames without a URL (a collected
/// script, formats §3.5.2) are labelled with their position, so `--by
/// stack` keeps two anonymous functions of such a script apart, the rows do
/// not depend on sibling order, and a diff of the two orders says `shrank`.
#[test]
fn stack_rows_of_frames_without_url_do_not_depend_on_sibling_order() {
    let frame = |line| SynthFrame {
        name: String::new(),
        script_id: "16".into(),
        url: String::new(),
        line,
        column: 0,
    };
    let node = |parent, frame, id| SynthNode {
        parent,
        frame,
        self_size: 100,
        id,
    };
    let p = SyntheticProfile {
        frames: vec![SynthFrame::pseudo("(root)"), frame(9), frame(41)],
        nodes: vec![node(None, 0, 1), node(Some(0), 1, 2), node(Some(0), 2, 3)],
        samples: Vec::new(),
    };
    let mut swapped = p.clone();
    swapped.nodes.swap(1, 2);
    let lines = |p: &SyntheticProfile| {
        let m = parse(p);
        let opts = TopOptions {
            by: GroupBy::Stack,
            ..TopOptions::default()
        };
        let mut lines: Vec<Option<u32>> = top(&m, &tree_of(&m), &opts)
            .rows
            .iter()
            .map(|r| r.function.line)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(&p), [Some(10), Some(42)]);
    assert_eq!(lines(&swapped), [Some(10), Some(42)]);
    let mut smaller = swapped.clone();
    for n in &mut smaller.nodes[1..] {
        n.self_size = 50;
    }
    let report = diff_of(&parse(&p), &parse(&smaller), GroupBy::Stack);
    let statuses: Vec<Status> = report.rows.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Shrank, Status::Shrank]);
}
