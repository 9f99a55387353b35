#!/usr/bin/env bash
# fixtures/snapshot-diff/bun-renumbered/{before,middle,after}.heapsnapshot.gz:
# three V8-format heap snapshots written by Bun (JavaScriptCore), which
# numbers the objects anew in every snapshot, of a program that leaks
# RequestRecords (bun-app/leak.mjs). Bun comes from the npm registry
# (@oven/bun-linux-x64, pinned below), installed under /tmp/heapdiff-bun.
# Usage: bash scripts/snapshots/gen-bun.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version=1.4.5
work=/tmp/heapdiff-bun
rm -rf "$work"
mkdir -p "$work/src" "$work/out"
cp "$here/bun-app/leak.mjs" "$work/src/"
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "@oven/bun-linux-x64@$version")
bun="$work/node_modules/@oven/bun-linux-x64/bin/bun"
(cd "$work/src" && "$bun" leak.mjs ../out)
case_dir="$repo/fixtures/snapshot-diff/bun-renumbered"
mkdir -p "$case_dir"
for f in before middle after; do
  gzip -9 -n -c "$work/out/$f.heapsnapshot" > "$case_dir/$f.heapsnapshot.gz"
done
echo "wrote $case_dir/{before,middle,after}.heapsnapshot.gz (bun $("$bun" --version))"
