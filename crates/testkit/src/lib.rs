//! Test and benchmark inputs for heapdiff (CONTRIBUTING: property tests, benchmarks).
//!
//! * [`SyntheticProfile`]: a sampling heap profile as plain vectors, the one
//!   source of both a [`heapdiff_model::HeapProfile`]
//!   ([`SyntheticProfile::to_model`]) and its `.heapprofile` JSON text
//!   ([`SyntheticProfile::to_json`], in V8's layout or with pretty
//!   whitespace, reordered keys and `\u` escapes).
//! * [`SyntheticProfile::generate`]: seeded profiles shaped like real ones,
//!   in [`Tier`]s `small`, `medium` and `large` for benchmarks.
//! * proptest strategies ([`arb_profile`], [`arb_profile_pair`], …) and the
//!   shared [`proptest_config`] for `crates/*/tests/prop.rs`.
//!
//! ```
//! use heapdiff_testkit::{JsonOptions, SyntheticConfig, SyntheticProfile};
//!
//! let cfg = SyntheticConfig { n_nodes: 50, n_samples: 200, ..SyntheticConfig::small() };
//! let p = SyntheticProfile::generate(&cfg);
//! assert_eq!(p, SyntheticProfile::generate(&cfg));
//! let model = p.to_model();
//! assert_eq!(model.stacks.len(), 50);
//! let json = p.to_json(&JsonOptions::v8());
//! assert!(json.starts_with(br#"{"head":{"callFrame":{"functionName":"(root)""#));
//! ```
#![warn(missing_docs)]

mod generate;
mod json;
mod rng;
mod strategy;
mod synth;

pub use generate::{SyntheticConfig, Tier};
pub use json::JsonOptions;
pub use rng::SplitMix64;
pub use strategy::{
    ArbParams, arb_frame, arb_frames, arb_json_options, arb_name, arb_profile, arb_profile_pair,
    arb_profile_pair_with, arb_profile_with, proptest_config,
};
pub use synth::{IdScheme, SynthFrame, SynthNode, SynthSample, SyntheticProfile};

#[cfg(test)]
mod tests;
