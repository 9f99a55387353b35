#!/usr/bin/env bash
# Regenerates the real allocation timeline fixtures (.heaptimeline) and then
# their DevTools oracle files:
#
#   fixtures/heaptimeline/node-worker               gen-node-worker.mjs (node 20, in-process
#                                                   inspector session from a worker thread)
#   fixtures/heaptimeline/node-worker-fixed-header  gen-node-worker.mjs, ONLY when that run's
#                                                   header trace_function_count is smaller than
#                                                   its trace_function_infos (copy with the
#                                                   count fixed so DevTools can load it)
#   fixtures/heaptimeline/browser-page              gen-browser.mjs (headless Chromium, CDP)
#
# Oracle files, per case, by scripts/oracle/expected.sh CASE_DIR (run.sh
# allocation / summary / nodes (gzip -9 -n) / samples / statistics):
#   expected/allocation.devtools.json  expected/summary.devtools.json
#   expected/nodes.devtools.json.gz    expected/samples.devtools.json
#   expected/statistics.devtools.json
# A case whose header count is short (DevTools' loader fails on it) gets no
# oracle files; stale ones are removed.
#
# Safe to rerun: each generator overwrites its case's input file and the
# description/source lines of case.toml (other case.toml content is kept).
# Real timelines differ from run to run (ids, timing, GC).
# fixtures/heaptimeline/worked-example-t is made by scripts/snapshots/generate.sh.
#
# Needs: node 20, gzip, npm registry access once for the oracle
# (scripts/oracle/run.sh installs it), and for the browser case Debian's
# chromium (apt-get install -y chromium) plus puppeteer-core from
# scripts/fixtures/package-lock.json.
# Network: the page server uses 127.0.0.1 only.
#
# Usage: bash scripts/timelines/generate.sh      (from anywhere)
#        SKIP_BROWSER=1  keep fixtures/heaptimeline/browser-page as it is
#        SKIP_ORACLE=1   do not regenerate the *.devtools.* files
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../generator-lib.sh"
generator_start

run node scripts/timelines/gen-node-worker.mjs

if [[ "${SKIP_BROWSER:-}" == 1 ]]; then
  echo "SKIP_BROWSER=1: fixtures/heaptimeline/browser-page left as it is"
else
  need_browser
  run node scripts/timelines/gen-browser.mjs
fi

# Prints "yes" if the timeline's header trace_function_count is smaller than
# its number of trace_function_infos records (DevTools' loader fails then).
short_header() {
  local f="$1"
  { if [[ "$f" == *.gz ]]; then gzip -dc -- "$f"; else cat -- "$f"; fi; } | node -e '
    const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const n = o.trace_function_infos.length / o.snapshot.meta.trace_function_info_fields.length;
    process.stdout.write(o.snapshot.trace_function_count < n ? "yes" : "no");'
}

if [[ "${SKIP_ORACLE:-}" == 1 ]]; then
  echo "SKIP_ORACLE=1: *.devtools.* files NOT regenerated; they may no longer match the inputs"
else
  for c in node-worker node-worker-fixed-header browser-page; do
    dir="fixtures/heaptimeline/$c"
    [[ -f "$dir/case.toml" ]] || continue
    in="$dir/input.heaptimeline"
    [[ -f "$in" ]] || in="$in.gz"
    if [[ "$(short_header "$in")" == yes ]]; then
      echo "$dir: header trace_function_count is short; DevTools cannot load it, no oracle files"
      rm -f "$dir"/expected/*.devtools.*
      continue
    fi
    run bash scripts/oracle/expected.sh "$dir"
  done
fi

echo "inputs:"
find fixtures/heaptimeline -type f \( -name '*.heaptimeline' -o -name '*.heaptimeline.gz' \) \
  -printf '%10s  %p\n' | sort -k2
