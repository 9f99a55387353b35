//! Writes a synthetic `.heapprofile`, for end-to-end benchmarks and manual
//! runs of the CLI:
//!
//! ```text
//! cargo run --release -p heapdiff-testkit --example synth -- large /tmp/large.heapprofile [seed]
//! ```
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use heapdiff_testkit::{JsonOptions, SyntheticProfile, Tier};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tier = Tier::ALL
        .into_iter()
        .find(|t| args.first().is_some_and(|a| a == t.name()));
    let (Some(tier), Some(path)) = (tier, args.get(1)) else {
        eprintln!("usage: synth small|medium|large OUTPUT [SEED]");
        return ExitCode::FAILURE;
    };
    let mut cfg = tier.config();
    if let Some(seed) = args.get(2).and_then(|s| s.parse().ok()) {
        cfg.seed = seed;
    }
    let p = SyntheticProfile::generate(&cfg);
    let json = p.to_json(&JsonOptions::v8());
    if let Err(e) = std::fs::write(path, &json) {
        eprintln!("cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{path}: {} nodes, {} samples, {} bytes",
        p.nodes.len(),
        p.samples.len(),
        json.len()
    );
    ExitCode::SUCCESS
}
