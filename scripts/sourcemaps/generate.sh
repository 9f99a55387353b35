#!/usr/bin/env bash
# Makes the source map fixtures (fixtures/sourcemap/esbuild/): the program in
# app/ bundled and minified by esbuild, with an external map and with an
# inline one, and `node --heap-prof` profiles of both bundles; then a second
# build of the same program whose code moved (a helper added at the top of
# two files: other lines, other minified names), with its map and profile.
#
# Installs esbuild and the program's one dependency (lru-cache) into a
# temporary directory from the npm registry; needs node 20 and npm.
# Profiles are sampled, so every run gives different numbers: review the
# goldens of fixtures/sourcemap/ after regenerating.
#
# Then the minified page in Chromium (gen-browser.mjs, fixtures/sourcemap/
# browser): needs /usr/bin/chromium and `npm ci --prefix scripts/fixtures`
# (puppeteer-core); SKIP_BROWSER=1 skips it.
#
# Usage: bash scripts/sourcemaps/generate.sh        (from anywhere)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/fixtures/sourcemap/esbuild"
# A fixed directory, so that the scripts' URLs in the profiles stay the same
# from one run to the next.
work=/tmp/heapdiff-sourcemap-fixture
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

cp -r "$here/app/." "$work/"
cd "$work"
npm install --no-audit --no-fund --loglevel=error >/dev/null
esbuild="$work/node_modules/.bin/esbuild"
version="$("$esbuild" --version)"
# The bundles are written next to src/ so that the maps name the sources
# `src/…` and `node_modules/…`.
"$esbuild" src/index.js --bundle --minify --platform=node --format=iife \
  --sourcemap --outfile=app.min.js --log-level=warning
"$esbuild" src/index.js --bundle --minify --platform=node --format=iife \
  --sourcemap=inline --outfile=app.inline.js --log-level=warning

profile() {
  local script="$1" dest="$2"
  rm -rf prof && mkdir prof
  node --heap-prof --heap-prof-interval=4096 --heap-prof-dir=prof "$script" 20000 >/dev/null
  cp prof/*.heapprofile "$dest"
}

mkdir -p "$out"
profile app.min.js "$out/app.heapprofile"
profile app.inline.js "$out/inline.heapprofile"
cp app.min.js app.min.js.map app.inline.js "$out/"

# The second build: every position after the added helpers moves.
for f in src/index.js src/request-log.js; do
  { echo '// Added in build 2: a helper that moves the code below it.'
    echo 'function describe(value) { return `${typeof value}:${JSON.stringify(value)}`; }'
    cat "$f"; } >"$f.new" && mv "$f.new" "$f"
done
"$esbuild" src/index.js --bundle --minify --platform=node --format=iife \
  --sourcemap --outfile=app2.min.js --log-level=warning
profile app2.min.js "$out/app2.heapprofile"
cp app2.min.js app2.min.js.map "$out/"
echo "wrote $out (node $(node --version), esbuild $version): put both versions in its case.toml source"

# The minified page in Chromium (fixtures/sourcemap/browser).
if [[ "${SKIP_BROWSER:-}" != 1 ]]; then
  node "$here/gen-browser.mjs"
fi
