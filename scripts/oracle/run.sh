#!/usr/bin/env bash
# Runs Chrome DevTools' own heap snapshot engine (the oracle in shared/oracle)
# on heap snapshot files and prints its JSON on stdout.
#
#   bash scripts/oracle/run.sh summary FILE
#   bash scripts/oracle/run.sh nodes FILE
#   bash scripts/oracle/run.sh allocation FILE
#   bash scripts/oracle/run.sh compare BASE FILE
#
# and, from scripts/oracle/extra.mjs on the same DevTools bundle:
#   bash scripts/oracle/run.sh compare-ui BASE FILE   Comparison as the Memory
#        panel computes it (base classed with the current snapshot's interface
#        definitions; the shared dump.mjs compare passes the same ones)
#   bash scripts/oracle/run.sh samples FILE           timeline interval sizes
#   bash scripts/oracle/run.sh statistics FILE        Statistics (pie chart)
#
# FILE may be .heapsnapshot / .heaptimeline, or the same gzipped (.gz): a .gz
# input is decompressed to a temp file first (DevTools picks nothing by
# extension here; dump.mjs reads the JSON as it is).
#
# shared/oracle is read-only in CI, so it is copied into a cache dir and
# installed there once (npm install of chrome-devtools-frontend + esbuild
# bundle, from the npm registry). The copy is redone when the files in
# shared/oracle change.
#
# Environment:
#   HEAPDIFF_ORACLE_SRC    oracle sources (default: ../shared/oracle beside the
#                          repo, else /work/shared/oracle)
#   HEAPDIFF_ORACLE_CACHE  cache dir (default: <repo>/target/oracle)
#   ORACLE_NODE_OPTS       node options (default: --max-old-space-size=8192)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  echo "usage: $0 summary|nodes|allocation|samples|statistics FILE | compare|compare-ui BASE FILE" >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
cmd="$1"
shift
case "$cmd" in
  summary | nodes | allocation | samples | statistics) [[ $# -eq 1 ]] || usage ;;
  compare | compare-ui) [[ $# -eq 2 ]] || usage ;;
  *) usage ;;
esac

src="${HEAPDIFF_ORACLE_SRC:-}"
if [[ -z "$src" ]]; then
  for cand in "$root/../shared/oracle" /work/shared/oracle; do
    if [[ -f "$cand/dump.mjs" ]]; then
      src="$cand"
      break
    fi
  done
fi
if [[ -z "$src" || ! -f "$src/dump.mjs" ]]; then
  echo "error: oracle sources not found (../shared/oracle or /work/shared/oracle); set HEAPDIFF_ORACLE_SRC" >&2
  exit 1
fi
src="$(cd "$src" && pwd)"
cache="${HEAPDIFF_ORACLE_CACHE:-$root/target/oracle}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

# Install once per version of the sources; a lock keeps parallel callers from
# installing twice into the same dir.
stamp_want="$(cd "$src" && find . -maxdepth 1 -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
install_oracle() {
  if [[ -f "$cache/.stamp" && "$(cat "$cache/.stamp")" == "$stamp_want" &&
        -f "$cache/oracle/node_modules/.devtools-heap/devtools-heap.mjs" ]]; then
    return 0
  fi
  echo "[oracle] installing $src into $cache/oracle" >&2
  rm -rf "$cache/oracle" "$cache/.stamp"
  mkdir -p "$cache/oracle"
  # Only the oracle's own files; never a node_modules that may sit in src.
  find "$src" -maxdepth 1 -type f -exec cp {} "$cache/oracle/" \;
  chmod -R u+w "$cache/oracle"
  (cd "$cache/oracle" && bash ./install.sh >&2)
  echo "$stamp_want" >"$cache/.stamp"
}
exec 9>"$cache/.lock"
flock 9
install_oracle
flock -u 9

tmp=""
cleanup() { if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

# Decompresses FILE.gz into the temp dir (keeping the inner name, e.g.
# x.heaptimeline) and prints the path to use.
resolve() {
  local f="$1"
  if [[ ! -f "$f" ]]; then
    echo "error: $f: no such file" >&2
    exit 1
  fi
  if [[ "$f" == *.gz ]]; then
    local base
    base="$(basename "${f%.gz}")"
    local out
    out="$(mktemp "$tmp/XXXXXX-$base")"
    gzip -dc -- "$f" >"$out"
    printf '%s\n' "$out"
  else
    printf '%s\n' "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
  fi
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/heapdiff-oracle.XXXXXX")"
files=()
for f in "$@"; do
  files+=("$(resolve "$f")")
done

script="$cache/oracle/dump.mjs"
case "$cmd" in
  compare-ui | samples | statistics) script="$here/extra.mjs" ;;
esac
export HEAPDIFF_ORACLE_BUNDLE="$cache/oracle/node_modules/.devtools-heap/devtools-heap.mjs"
# dump.mjs calls process.exit() right after writing its JSON, which cuts the
# output short (at 64-128 KiB) when stdout is a pipe. Write it to a file
# (synchronous writes) and copy that to stdout.
# shellcheck disable=SC2086
node ${ORACLE_NODE_OPTS:---max-old-space-size=8192} "$script" "$cmd" "${files[@]}" >"$tmp/out.json"
cat "$tmp/out.json"
