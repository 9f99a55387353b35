#!/usr/bin/env bash
# Regenerates every heap snapshot fixture input (see fixtures/README.md,
# "Heap snapshot cases") and then their DevTools oracle files:
#
#   fixtures/heapsnapshot/worked-example-a      gen-worked-examples.mjs (hand-written graph)
#   fixtures/snapshot-diff/worked-example       gen-worked-examples.mjs
#   fixtures/heaptimeline/worked-example-t      gen-worked-examples.mjs
#   fixtures/snapshot-diff/node-leak            gen-node-leak.mjs
#   fixtures/heapsnapshot/node-leak             gen-node-leak.mjs (copy of the after snapshot)
#   fixtures/heapsnapshot/inspector             gen-inspector.mjs
#   fixtures/heapsnapshot/expose-internals      gen-inspector.mjs
#   fixtures/heapsnapshot/browser-detached      gen-browser-detached.mjs
#   fixtures/snapshot-diff/symbol-keys          gen-symbol-keys.mjs
#   fixtures/heapsnapshot/symbol-keys           gen-symbol-keys.mjs (copy of the after snapshot)
#   fixtures/heapsnapshot/browser-symbol-keys   gen-browser-symbol-keys.mjs
#   fixtures/browser-dom/{leak,fixed}           gen-browser-dom-leak.mjs (three snapshots each)
#
# Safe to rerun: each generator overwrites its case's input file(s) and the
# description/source lines of case.toml (other case.toml content is kept);
# nothing else under expected/ is touched except the *.devtools.* oracle
# files, which scripts/oracle/expected.sh rewrites from the new inputs.
# Real snapshots differ from run to run (ids, addresses, timing).
#
# Needs: node 20 (the committed files were made with the version named in each
# case.toml), gzip, npm registry access once for the oracle
# (scripts/oracle/run.sh installs it), and for the browser case Debian's
# chromium (apt-get install -y chromium) plus puppeteer-core from
# scripts/fixtures/package-lock.json.
# Network: the load generator and the page server use 127.0.0.1 only.
#
# Usage: bash scripts/snapshots/generate.sh      (from anywhere)
#        SKIP_BROWSER=1  keep the browser-* fixtures as they are
#        SKIP_ORACLE=1   do not regenerate the *.devtools.* files
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../generator-lib.sh"
generator_start

run node scripts/snapshots/gen-worked-examples.mjs
run node scripts/snapshots/gen-node-leak.mjs
run node scripts/snapshots/gen-inspector.mjs
run node scripts/snapshots/gen-symbol-keys.mjs

if [[ "${SKIP_BROWSER:-}" == 1 ]]; then
  echo "SKIP_BROWSER=1: the browser-* fixtures left as they are"
else
  need_browser
  run node scripts/snapshots/gen-browser-detached.mjs
  run node scripts/snapshots/gen-browser-symbol-keys.mjs
  run node scripts/snapshots/gen-browser-dom-leak.mjs
fi

if [[ "${SKIP_ORACLE:-}" == 1 ]]; then
  echo "SKIP_ORACLE=1: *.devtools.* files NOT regenerated; they may no longer match the inputs"
else
  run bash scripts/oracle/expected.sh
fi

echo "inputs:"
find fixtures/heapsnapshot fixtures/snapshot-diff fixtures/heaptimeline fixtures/browser-dom -type f \
  \( -name '*.heapsnapshot' -o -name '*.heapsnapshot.gz' -o -name '*.heaptimeline' -o -name '*.heaptimeline.gz' \) \
  -printf '%10s  %p\n' | sort -k2
