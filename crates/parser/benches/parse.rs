//! Parse throughput (CONTRIBUTING, benchmarks) on seeded testkit profiles in V8's own
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

/// Times `iters` runs of simd-json, which parses in place: each run gets a
/// fresh copy of the input, and the copy and the drop of the result are
/// outside the timed region (a macro, because the result borrows the copy).
macro_rules! in_place {
    ($json:expr, $iters:expr, |$bytes:ident| $parse:expr) => {{
        let mut copy = $json.to_vec();
        let mut timed = Duration::ZERO;
        for _ in 0..$iters {
            copy.copy_from_slice(&$json);
            let $bytes = &mut copy[..];
            let start = Instant::now();
            let value = $parse.expect("valid JSON");
            timed += start.elapsed();
            drop(black_box(value));
        }
        timed
    }};
}

fn bench_tier(c: &mut Criterion, tier: Tier) {
    let json = tier.profile().to_json(&JsonOptions::v8());
    let mut g = c.benchmark_group(format!("parse/{}", tier.name()));
    g.throughput(Throughput::Bytes(json.len() as u64));
    // Parses take milliseconds to a second: flat sampling keeps 10 samples
    // within the measurement time (linear sampling would run 55 parses).
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("heapdiff", |b| {
        b.iter_with_large_drop(|| parse_heapprofile(&json[..]).expect("testkit JSON parses"));
    });
    g.bench_function("simd_json_borrowed", |b| {
        b.iter_custom(|iters| in_place!(json, iters, |bytes| simd_json::to_borrowed_value(bytes)));
    });
    // The tape alone, without building a DOM: the floor for a SIMD tokenizer.
    g.bench_function("simd_json_tape", |b| {
        b.iter_custom(|iters| in_place!(json, iters, |bytes| simd_json::to_tape(bytes)));
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
