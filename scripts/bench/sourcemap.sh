#!/usr/bin/env bash
# What source maps add to `heapdiff top`: a ~10 MB esbuild map (typescript,
# three, lodash, rxjs, @babel/core and moment bundled with --minify
# --sourcemap) and a profile of 100,000 distinct frames in that bundle, once
# with a URL that is not on disk (the map given as URL=FILE) and once with
# the bundle's own path (found through its sourceMappingURL, the script read
# to check the fit and recover names).
# Installs the packages into a temporary directory from the npm registry.
# Runs are interleaved (each round runs every case once, in turn), so a
# change of the machine's load hits every case alike; prints each case's
# best and median CPU time (user + sys) over ROUNDS rounds (default 9), the
# time each map case adds to the run without a map, and the load average.
# With BASE=/path/to/other/heapdiff, the same cases of that binary are
# interleaved too (old vs new), with the ratio of the added times.
# See BENCHMARKS.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && cargo build --release --locked -q -p heapdiff)
bin="${CARGO_TARGET_DIR:-$root/target}/release/heapdiff"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error esbuild typescript three lodash rxjs @babel/core moment >/dev/null
cat >entry.js <<'JS'
module.exports = [require('typescript'), require('three'), require('lodash'),
  require('rxjs'), require('@babel/core'), require('moment')];
JS
node_modules/.bin/esbuild entry.js --bundle --minify --sourcemap --platform=node \
  --external:@babel/preset-typescript --external:@babel/preset-typescript/package.json \
  --log-level=error --outfile=big.js
ls -l big.js.map
node "$here/gen-sourcemap-profile.js" big.js /gone/big.js gone.heapprofile
node "$here/gen-sourcemap-profile.js" big.js "$work/big.js" disk.heapprofile
rounds="${ROUNDS:-9}"
bins=(new) && declare -A path=([new]="$bin")
if [[ -n "${BASE:-}" ]]; then bins=(base new); path[base]="$BASE"; fi
cases=(none given disk)
run_case() { # binary case -> CPU seconds
  local args=()
  case "$2" in
    none) args=(gone.heapprofile --no-source-maps) ;;
    given) args=(gone.heapprofile --source-map /gone/big.js=big.js.map) ;;
    disk) args=(disk.heapprofile) ;;
  esac
  /usr/bin/time -f '%U %S' -o t "${path[$1]}" top "${args[@]}" -n 3 >/dev/null 2>&1
  awk '{print $1 + $2}' t
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < rounds; r++)); do
  for b in "${bins[@]}"; do
    for c in "${cases[@]}"; do echo "$b $c $(run_case "$b" "$c")" >>times; done
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${bins[@]}" <<'PY'
import statistics, sys
t = {}
for line in open('times'):
    b, c, s = line.split()
    t.setdefault((b, c), []).append(float(s))
added = {}
for b in sys.argv[1:]:
    for c in ('none', 'given', 'disk'):
        v = t[(b, c)]
        print(f"{b:4} {c:5}  best {min(v):.3f} s  median {statistics.median(v):.3f} s")
    for c in ('given', 'disk'):
        added[(b, c)] = statistics.median(t[(b, c)]) - statistics.median(t[(b, 'none')])
        best = min(t[(b, c)]) - min(t[(b, 'none')])
        print(f"{b:4} {c:5} adds {1000 * added[(b, c)]:.0f} ms (medians), {1000 * best:.0f} ms (bests)")
if len(sys.argv) > 2:
    for c in ('given', 'disk'):
        print(f"new/base added time, {c}: {added[('new', c)] / added[('base', c)]:.2f}")
PY
"$bin" top disk.heapprofile -n 3 --timings 2>&1 >/dev/null | tail -1
