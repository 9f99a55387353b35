#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, lints, unit,
# property and end-to-end golden tests, docs, the benchmark build, and the
# reports in a headless browser. Needs a Rust toolchain with rustfmt and
# clippy, and node >= 20 with npm; installs the rest (npm packages from the
# lock files, Debian's chromium when running as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo bench --no-run"
cargo bench --workspace --no-run --locked --quiet

step "formats citations and the CI example"; bash scripts/check-citations.sh; bash scripts/ci-example/run.sh

step "reports in headless Chromium"
bash scripts/report-check/run.sh

# Last, so that the test summary closes the output.
step "cargo test"
cargo test --workspace --locked
