//! Parse throughput (style §2.10) on seeded testkit profiles in V8's own
//! layout, next to the measured comparison the design asks for: simd-json
//! building a borrowed DOM of the same bytes, and serde_json building a
//! `Value` (medium only: on `large` it is slow, and its 128-level nesting
//! limit is below the depth of V8's call trees).
//!
//! ```text
//! cargo bench -p heapdiff-parser --bench parse -- --warm-up-time 1 --measurement-time 5
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use heapdiff_parser::parse_heapprofile;
use heapdiff_testkit::{JsonOptions, Tier};

fn bench_tier(c: &mut Criterion, tier: Tier) {
    let json = tier.profile().to_json(&JsonOptions::v8());
    let mut g = c.benchmark_group(format!("parse/{}", tier.name()));
    g.throughput(Throughput::Bytes(json.len() as u64));
    if tier == Tier::Large {
        // One parse per sample: linear sampling would run 55 of them.
        g.sampling_mode(SamplingMode::Flat);
    }
    g.bench_function("heapdiff", |b| {
        b.iter_with_large_drop(|| parse_heapprofile(&json[..]).expect("testkit JSON parses"));
    });
    g.bench_function("simd_json_borrowed", |b| {
        // simd-json parses in place: each run gets a fresh copy, made and
        // dropped outside the timed region.
        b.iter_custom(|iters| {
            let mut copy = json.clone();
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                copy.copy_from_slice(&json);
                let start = Instant::now();
                let value = simd_json::to_borrowed_value(&mut copy).expect("valid JSON");
                timed += start.elapsed();
                drop(black_box(value));
            }
            timed
        });
    });
    if tier != Tier::Large {
        g.bench_function("serde_json_value", |b| {
            b.iter_with_large_drop(|| {
                serde_json::from_slice::<serde_json::Value>(&json).expect("valid JSON")
            });
        });
    }
    g.finish();
}

fn parse(c: &mut Criterion) {
    bench_tier(c, Tier::Medium);
    bench_tier(c, Tier::Large);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = parse
}
criterion_main!(benches);
