#!/usr/bin/env bash
# fixtures/snapshot-diff/packages/{before,after}.heapsnapshot.gz: two heap
# snapshots of one node process whose growing state lives in npm packages
# (packages-app/app.js: an lru-cache 6 of Session records; the cache's
# entries sit in yallist nodes). The app is installed under
# /tmp/heapdiff-packages/src so that script URLs are the same on every
# machine. Needs node and the npm registry.
# Usage: bash scripts/snapshots/gen-packages.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work=/tmp/heapdiff-packages
rm -rf "$work"
mkdir -p "$work/src" "$work/out"
cp "$here/packages-app/package.json" "$here/packages-app/app.js" "$work/src/"
(cd "$work/src" && npm install --no-audit --no-fund --silent)
(cd "$work/src" && node --expose-gc app.js ../out)
case_dir="$repo/fixtures/snapshot-diff/packages"
mkdir -p "$case_dir"
for f in before after; do
  gzip -9 -n -c "$work/out/$f.heapsnapshot" > "$case_dir/$f.heapsnapshot.gz"
done
echo "wrote $case_dir/{before,after}.heapsnapshot.gz ($(node --version))"
