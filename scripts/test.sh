#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, lints (which also
# type-check the benchmarks), docs, the fuzz targets (checked), the citation
# check and the CI example, unit, property, end-to-end golden and
# hostile-input tests, and the reports in a headless browser. Needs a Rust toolchain with
# rustfmt and clippy, and node >= 20 with npm; installs the rest (npm packages
# from the lock files, Debian's chromium when running as root).
#
# The dependency tree is built twice, no more: once in check mode (clippy and
# doc share it) and once as the test build, whose `target/debug/heapdiff` the
# CI example and the browser check then use (the fuzz crate, its own
# workspace, adds a check-mode build of its few dependencies). Benchmarks are type-checked by clippy
# (`--all-targets`), not built in release mode.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo test --no-run (the test build, and the binary the browser check uses)"
cargo test --workspace --locked --no-run

step "the fuzz targets compile (their own workspace, checked only)"
cargo check --manifest-path fuzz/Cargo.toml --bins --locked --quiet

# The binary of the test build, for the checks that run heapdiff itself.
export HEAPDIFF_BIN="${CARGO_TARGET_DIR:-target}/debug/heapdiff"

step "formats citations and the CI example"
bash scripts/check-citations.sh
bash scripts/ci-example/run.sh

step "reports in headless Chromium"
bash scripts/report-check/run.sh

# Last, so that the test summary closes the output.
step "cargo test"
cargo test --workspace --locked
