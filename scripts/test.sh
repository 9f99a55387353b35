#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, lints (which also
# type-check the benchmarks), docs, unit, property and end-to-end golden
# tests, and the reports in a headless browser. Needs a Rust toolchain with
# rustfmt and clippy, and node >= 20 with npm; installs the rest (npm packages
# from the lock files, Debian's chromium when running as root).
#
# The dependency tree is built twice, no more: once in check mode (clippy and
# doc share it) and once as the test build, whose `target/debug/heapdiff` the
# browser check then uses. Benchmarks are type-checked by clippy
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

step "formats citations and the CI example"; bash scripts/check-citations.sh; bash scripts/ci-example/run.sh

step "reports in headless Chromium"
HEAPDIFF_BIN=target/debug/heapdiff bash scripts/report-check/run.sh

# Last, so that the test summary closes the output.
step "cargo test"
cargo test --workspace --locked
