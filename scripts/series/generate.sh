#!/usr/bin/env bash
# Regenerates fixtures/series (see fixtures/series/README.md): every case's
# recordings with gen-series.mjs, then their DevTools oracle files with
# scripts/oracle/expected.sh (Summary per snapshot, each snapshot compared with
# the next, the timelines' allocation/summary/samples).
#
# Safe to rerun: each case's inputs, series.json and the description/source
# lines of case.toml are rewritten (other case.toml lines are kept). The
# numbers change on every run (sampling, GC timing); the requests do not.
# After regenerating, update the numbers quoted in fixtures/series/README.md
# (node scripts/series/measure.mjs prints the profile ones) and review the
# goldens of every case that uses these files.
#
# Needs: node 20, gzip, the npm registry (esbuild for the -min cases, webpack
# from scripts/series/webpack/package-lock.json for the -webpack cases, the
# oracle's install once). Network: the load stays on 127.0.0.1.
#
# Usage: bash scripts/series/generate.sh [CASE ...]   (default: all cases)
#        SKIP_ORACLE=1  do not regenerate the *.devtools.* files
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

echo "node $(node --version)"
case "$(node --version)" in
  v20.*) ;;
  *) echo "warning: the series were recorded with node 20; other versions give other files" >&2 ;;
esac

echo "+ node scripts/series/gen-series.mjs $*"
node scripts/series/gen-series.mjs "$@"

if [[ "${SKIP_ORACLE:-}" == 1 ]]; then
  echo "SKIP_ORACLE=1: *.devtools.* files NOT regenerated; they may no longer match the inputs"
  exit 0
fi
dirs=()
if [[ $# -gt 0 ]]; then
  for c in "$@"; do dirs+=("fixtures/series/$c"); done
else
  for d in fixtures/series/*/; do [[ -f "$d/case.toml" ]] && dirs+=("$d"); done
fi
echo "+ bash scripts/oracle/expected.sh ${dirs[*]}"
bash scripts/oracle/expected.sh "${dirs[@]}"
