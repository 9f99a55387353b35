#!/usr/bin/env bash
# Regenerates the DevTools oracle files (*.devtools.*) of every heap snapshot
# fixture from the fixture inputs, through scripts/oracle/run.sh (Chrome
# DevTools' own heap snapshot engine). Never from heapdiff output.
#
#   fixtures/heapsnapshot/<case>/input.heapsnapshot[.gz]
#       expected/summary.devtools.json       run.sh summary
#       expected/nodes.devtools.json.gz      run.sh nodes, gzip -9 -n
#       expected/statistics.devtools.json    run.sh statistics
#   fixtures/snapshot-diff/<case>/{before,after}.heapsnapshot[.gz]
#       expected/compare.devtools.json       run.sh compare BEFORE AFTER (dump.mjs)
#       expected/compare-ui.devtools.json    run.sh compare-ui BEFORE AFTER (as the
#                                            Memory panel: base classed with the
#                                            current snapshot's interfaces)
#   fixtures/heaptimeline/<case>/input.heaptimeline[.gz]
#       expected/allocation.devtools.json    run.sh allocation
#       expected/summary.devtools.json       run.sh summary
#       expected/nodes.devtools.json.gz      run.sh nodes, gzip -9 -n
#       expected/samples.devtools.json       run.sh samples
#       expected/statistics.devtools.json    run.sh statistics
#   fixtures/series/<case>/snapshot-<k>.heapsnapshot.gz, timeline.heaptimeline.gz
#       expected/snapshot-<k>.summary.devtools.json          run.sh summary
#       expected/snapshot-<j>-<k>.compare.devtools.json      run.sh compare, each
#                                                            snapshot against the next
#       expected/timeline.{allocation,summary,samples}.devtools.json
#   fixtures/browser-dom/<case>/{baseline,target,final}.heapsnapshot.gz
#       expected/<step>.summary.devtools.json.gz             run.sh summary, gzip -9 -n
#       expected/<a>-<b>.compare.devtools.json               run.sh compare, each
#                                                            snapshot against the next
#
# Then checks the worked examples against docs/formats.md §11
# (scripts/oracle/check-worked-examples.mjs).
#
# Usage: bash scripts/oracle/expected.sh [CASE_DIR ...]   (default: all)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
oracle=(bash "$here/run.sh")

# Writes the oracle output of `run.sh ARGS...` to OUT (gzipped if OUT ends in
# .gz), via a temp file so that a failed run leaves the old file in place.
emit() {
  local out="$1"
  shift
  local tmp="$out.tmp.$$"
  mkdir -p "$(dirname "$out")"
  if ! "${oracle[@]}" "$@" 2>"$tmp.err" >"$tmp" || ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$tmp"; then
    cat "$tmp.err" >&2
    rm -f "$tmp" "$tmp.err"
    echo "error: oracle failed: run.sh $*" >&2
    exit 1
  fi
  rm -f "$tmp.err"
  if [[ "$out" == *.gz ]]; then
    gzip -9 -n -c "$tmp" >"$tmp.gz"
    rm -f "$tmp"
    mv -f "$tmp.gz" "$out"
  else
    mv -f "$tmp" "$out"
  fi
  printf '%10s  %s\n' "$(stat -c %s "$out")" "${out#"$root"/}"
}

# The one input named NAME (plain or .gz) in DIR.
input() {
  local dir="$1" name="$2"
  if [[ -f "$dir/$name" ]]; then
    echo "$dir/$name"
  elif [[ -f "$dir/$name.gz" ]]; then
    echo "$dir/$name.gz"
  else
    echo "error: $dir has no $name[.gz]" >&2
    exit 1
  fi
}

# A series: every snapshot's Summary, each snapshot compared with the next,
# and the timeline if there is one.
series_case() {
  local dir="$1" exp="$2" prev="" f k
  while read -r k; do
    f="$dir/snapshot-$k.heapsnapshot.gz"
    emit "$exp/snapshot-$k.summary.devtools.json" summary "$f"
    [[ -z "$prev" ]] || emit "$exp/snapshot-$prev-$k.compare.devtools.json" compare "$dir/snapshot-$prev.heapsnapshot.gz" "$f"
    prev="$k"
  done < <(find "$dir" -maxdepth 1 -name 'snapshot-*.heapsnapshot.gz' -printf '%f\n' | sed 's/^snapshot-\([0-9]*\)\..*/\1/' | sort -n)
  if [[ -f "$dir/timeline.heaptimeline.gz" ]]; then
    for what in allocation summary samples; do
      emit "$exp/timeline.$what.devtools.json" "$what" "$dir/timeline.heaptimeline.gz"
    done
  fi
}

do_case() {
  local dir="${1%/}"
  dir="$(cd "$dir" && pwd)"
  local exp="$dir/expected"
  case "$dir" in
    */fixtures/heapsnapshot/*)
      local in
      in="$(input "$dir" input.heapsnapshot)"
      emit "$exp/summary.devtools.json" summary "$in"
      emit "$exp/nodes.devtools.json.gz" nodes "$in"
      emit "$exp/statistics.devtools.json" statistics "$in"
      ;;
    */fixtures/snapshot-diff/*)
      local before after
      before="$(input "$dir" before.heapsnapshot)"
      after="$(input "$dir" after.heapsnapshot)"
      emit "$exp/compare.devtools.json" compare "$before" "$after"
      emit "$exp/compare-ui.devtools.json" compare-ui "$before" "$after"
      ;;
    */fixtures/heaptimeline/*)
      local in
      in="$(input "$dir" input.heaptimeline)"
      emit "$exp/allocation.devtools.json" allocation "$in"
      emit "$exp/summary.devtools.json" summary "$in"
      emit "$exp/nodes.devtools.json.gz" nodes "$in"
      emit "$exp/samples.devtools.json" samples "$in"
      emit "$exp/statistics.devtools.json" statistics "$in"
      ;;
    */fixtures/series/*)
      series_case "$dir" "$exp"
      ;;
    */fixtures/browser-dom/*)
      local step prev=""
      for step in baseline target final; do
        emit "$exp/$step.summary.devtools.json.gz" summary "$dir/$step.heapsnapshot.gz"
        [[ -z "$prev" ]] || emit "$exp/$prev-$step.compare.devtools.json" compare "$dir/$prev.heapsnapshot.gz" "$dir/$step.heapsnapshot.gz"
        prev="$step"
      done
      ;;
    *)
      echo "error: $dir is not under fixtures/heapsnapshot, snapshot-diff, heaptimeline, series or browser-dom" >&2
      exit 1
      ;;
  esac
}

if [[ $# -gt 0 ]]; then
  for d in "$@"; do do_case "$d"; done
else
  for kind in heapsnapshot snapshot-diff heaptimeline series browser-dom; do
    [[ -d "fixtures/$kind" ]] || continue
    for d in fixtures/"$kind"/*/; do
      [[ -f "$d/case.toml" ]] || continue
      do_case "$d"
    done
  done
fi

node "$here/check-worked-examples.mjs"
