//! Aggregation micro-benchmarks (CONTRIBUTING, benchmarks) on seeded testkit profiles:
//! `top` by function, `bottom_up` and `diff` on two `medium` profiles that
//! share their functions, and `Weights::in_range` over the samples of
//! `large`. rayon's global pool is used, as the CLI does by default.
//!
//! ```text
//! cargo bench -p heapdiff-analyzer --bench aggregate
//! ```

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use heapdiff_analyzer::{
    BottomUpOptions, DiffOptions, OrdinalRange, TopOptions, Weights, bottom_up, call_tree, diff,
    top,
};
use heapdiff_model::HeapProfile;
use heapdiff_testkit::{SyntheticProfile, Tier};

fn model(tier: Tier, seed_offset: u64) -> HeapProfile {
    let mut cfg = tier.config();
    cfg.seed += seed_offset;
    SyntheticProfile::generate(&cfg).to_model()
}

fn medium(c: &mut Criterion) {
    let a = model(Tier::Medium, 0);
    let b = model(Tier::Medium, 1);
    let (ta, tb) = (
        call_tree(&a, &Weights::self_size(&a)),
        call_tree(&b, &Weights::self_size(&b)),
    );
    let mut g = c.benchmark_group("aggregate/medium");
    g.throughput(Throughput::Elements(a.stacks.len() as u64));
    g.bench_function("call_tree", |bench| {
        bench.iter_with_large_drop(|| call_tree(&a, &Weights::self_size(&a)));
    });
    g.bench_function("top_by_function", |bench| {
        bench.iter_with_large_drop(|| top(&a, &ta, &TopOptions::default()));
    });
    g.bench_function("bottom_up", |bench| {
        bench.iter_with_large_drop(|| bottom_up(&a, &ta, &BottomUpOptions::default()));
    });
    g.bench_function("diff", |bench| {
        bench.iter_with_large_drop(|| diff((&a, &ta), (&b, &tb), &DiffOptions::default()));
    });
    g.finish();
}

fn large(c: &mut Criterion) {
    let p = model(Tier::Large, 0);
    let (lo, hi) = (
        p.samples.ordinal.iter().copied().min().unwrap_or(0),
        p.samples.ordinal.iter().copied().max().unwrap_or(0),
    );
    // The middle half of the recording.
    let range = OrdinalRange {
        lo: lo + (hi - lo) / 4,
        hi: hi - (hi - lo) / 4,
    };
    let mut g = c.benchmark_group("aggregate/large");
    g.throughput(Throughput::Elements(p.samples.len() as u64));
    g.bench_function("weights_in_range", |bench| {
        bench.iter_with_large_drop(|| Weights::in_range(&p, &range));
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = medium, large
}
criterion_main!(benches);
