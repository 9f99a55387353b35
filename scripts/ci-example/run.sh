#!/usr/bin/env bash
# Runs the shell steps of the CI example docs/ci/memory-budget.yml on this
# machine (scripts/ci-example/runner.mjs plays the GitHub runner) against the
# heapdiff binary of this checkout, in a throw-away git repository holding
# docs/ci/example (the "project" the workflow gates), in two pull requests:
#   1. the head changes nothing that allocates: the job passes and uploads nothing;
#   2. the head lets the cache grow without bound: `heapdiff check` fails the
#      job and the upload step finds the report.
# The "Install heapdiff" step is replaced by the binary of `cargo build`.
# First, the steps README.md quotes must be those of the workflow.
#
#   bash scripts/ci-example/run.sh
#   HEAPDIFF_TEST_INSTALL=1 bash scripts/ci-example/run.sh
#
# With HEAPDIFF_TEST_INSTALL=1 the install step itself runs too (slow: a
# release build), with an empty CARGO_HOME and target directory, so that it
# proves `cargo install --path crates/cli --locked` works from a fresh
# machine; the scenarios then use the installed binary.
# Needs cargo, node >= 20, npm and git.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo="$PWD"
workflow="$repo/docs/ci/memory-budget.yml"
install_step="Install heapdiff"

command -v node >/dev/null || { echo "ci-example: node (>= 20) is required" >&2; exit 1; }
if [ ! -d scripts/ci-example/node_modules/yaml ]; then
  npm ci --prefix scripts/ci-example --no-audit --no-fund --loglevel=error
fi

node scripts/ci-example/readme-matches.mjs README.md "$workflow"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

if [ "${HEAPDIFF_TEST_INSTALL:-}" = 1 ]; then
  echo "ci-example: running the install step with an empty CARGO_HOME"
  mkdir -p "$tmp/install"
  ln -s "$repo" "$tmp/install/.heapdiff"
  (
    unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
    export CARGO_HOME="$tmp/cargo-home" CARGO_TARGET_DIR="$tmp/cargo-target"
    # cargo and rustc come from the toolchain, not from CARGO_HOME.
    export PATH="$CARGO_HOME/bin:$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)"):$PATH"
    # The install step reads no job variable; BASE_SHA only has to exist.
    BASE_SHA="" node scripts/ci-example/runner.mjs "$workflow" "$tmp/install" --only "$install_step"
  )
  ln -s "$tmp/cargo-home/bin/heapdiff" "$tmp/bin/heapdiff"
elif [ -n "${HEAPDIFF_BIN:-}" ]; then
  # An already built binary (scripts/test.sh passes its test build's).
  ln -s "$(realpath "$HEAPDIFF_BIN")" "$tmp/bin/heapdiff"
else
  cargo build -q -p heapdiff --locked
  target_dir="$(cargo metadata --format-version 1 --no-deps | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
  ln -s "$target_dir/debug/heapdiff" "$tmp/bin/heapdiff"
fi
"$tmp/bin/heapdiff" --version >/dev/null

git_() { git -c user.name=ci-example -c user.email=ci-example@localhost -c init.defaultBranch=main "$@"; }

# One pull request: the example project at the base commit, the head commit
# made by the sed expression $2 on bench/load.js. Runs the job; prints its
# exit code to $tmp/$1.rc.
pull_request() {
  local name="$1" edit="$2" work="$tmp/$1"
  mkdir -p "$work/repo" "$work/runner" "$work/artifacts"
  cp -R docs/ci/example/. "$work/repo/"
  (
    cd "$work/repo"
    git_ init -q
    git_ add -A && git_ commit -q -m base
    sed -i "$edit" bench/load.js
    git_ commit -q -am head
  )
  local rc=0
  BASE_SHA="$(git -C "$work/repo" rev-parse HEAD~1)" RUNNER_TEMP="$work/runner" \
    ARTIFACTS_DIR="$work/artifacts" PATH="$tmp/bin:$PATH" \
    node scripts/ci-example/runner.mjs "$workflow" "$work/repo" --skip "$install_step" || rc=$?
  echo "$rc" > "$tmp/$name.rc"
}

fail() { echo "ci-example: FAILED: $*" >&2; exit 1; }

echo "ci-example: pull request 1, no growth"
pull_request same '$a // no change to what stays allocated'
[ "$(cat "$tmp/same.rc")" = 0 ] || fail "the job failed on a head that does not grow"
[ -z "$(ls -A "$tmp/same/artifacts")" ] || fail "the job uploaded a report although it passed"

echo "ci-example: pull request 2, an unbounded cache"
pull_request leak 's/^const cacheLimit = 100;/const cacheLimit = Infinity;/'
grep -q 'cacheLimit = Infinity' "$tmp/leak/repo/bench/load.js" || fail "the leak edit did not apply"
[ "$(cat "$tmp/leak.rc")" = 1 ] || fail "the job did not fail on a head that leaks"
report="$tmp/leak/artifacts/heapdiff-check/heapdiff-check.md"
[ -s "$report" ] || fail "the upload step did not find the report"
grep -q 'budget' "$report" || fail "the uploaded report does not name the exceeded budget"

echo "ci-example: ok (the workflow passes a head without growth and fails a leaking one with its report)"
