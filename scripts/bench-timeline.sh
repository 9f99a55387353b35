#!/usr/bin/env bash
# Allocation timeline benchmark: `heapdiff top` (DevTools' Allocation view) against memlab and a
# naive node script on a real V8 `.heaptimeline` of ~400 MB recorded by real node
# (scripts/bench/gen-heaptimeline.mjs; not committed, generated on first run). The bar of the
# issue: heapdiff loads it and prints `top` in <= 1.0 s wall.
#
#   scripts/bench-timeline.sh [RESULTS.md] [--size 400MB] [--tools heapdiff,memlab,node]
#                             [--no-build] [--regen]
#
#   RESULTS.md    where the Markdown results go (default $BENCH_DIR/timeline-results.md); the
#                 interleaved runs, every time of every round, go to RESULTS.interleaved.json
#   --size S      input size (default 400MB); the file is $BENCH_DIR/heaptimeline_<S>.heaptimeline
#   --tools L     which of heapdiff, memlab, node to measure (default all three)
#   --no-build    use the existing target/release/heapdiff (no cargo build)
#   --regen       regenerate the input even if it exists
#
# Environment: BENCH_DIR (default /tmp/heapdiff-bench), RUNS (default 5) and WARMUP (default 1)
# rounds for heapdiff and `cat`, BASE_RUNS (default 3) and BASE_WARMUP (default 0) for the two
# node baselines (memlab takes ~100x longer), TIMEOUT (seconds per run of a baseline, default 1800),
# NODE_HEAP_MB (--max-old-space-size of the node baselines, default 16384), MEMLAB_VERSION
# (default 2.0.5; installed with npm into MEMLAB_DIR, default $BENCH_DIR/memlab, on first run,
# outside the repository), HEAPDIFF_BINS (several builds to compare, as "before=PATH
# after=PATH"; see scripts/bench/lib.sh; when set, nothing is built), KEEP_CACHE=1 (time `cat`
# with the inputs left in the page cache as they are, not dropped and read back first).
#
# Measures, in one run, on FILE:
#   (a) heapdiff top FILE --top 20                                  the Allocation view (live and
#                                                                   allocated count/size per function)
#   (b) node scripts/bench/timeline-memlab.mjs FILE --top 20        memlab: parse, dominators,
#                                                                   retained sizes; per-function
#                                                                   view + class summary
#   (c) node scripts/bench/timeline-node-parse.mjs FILE --top 20    JSON.parse + the per-function
#                                                                   view (fails > ~512 MiB)
#   (d) cat FILE > /dev/null                                        reading the input, the
#                                                                   reference of (a), the file
#                                                                   first dropped from the page
#                                                                   cache and read back (see
#                                                                   scripts/bench/interleave.py)
# Each command first runs once under `/usr/bin/time -f '%e s %M KB'` (with `timeout`): that run
# checks it, warms the page cache and gives the peak RSS; a command that fails or times out there
# is recorded as a failure with its message and not timed further. Then wall time: for heapdiff
# (every binary) and (d), WARMUP + RUNS interleaved rounds (scripts/bench/interleave.py: median
# and min-max, the ratio to `cat` in the same round, CPU time, peak RSS); for the baselines,
# hyperfine (--warmup, --runs, --export-json). heapdiff also runs once with the hidden --timings
# flag (one JSON line on stderr: phases_ms, peak_rss_kib); the node scripts print the same kind of
# line on every run. Units: MB = 10^6 bytes; MB/s = input bytes / mean wall time. The results also
# give hyperfine's mean user+system CPU time, and the load average at start and end: on a busy
# machine wall time grows, CPU time much less.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BENCH_DIR="${BENCH_DIR:-/tmp/heapdiff-bench}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
BASE_RUNS="${BASE_RUNS:-3}"
BASE_WARMUP="${BASE_WARMUP:-0}"
TIMEOUT="${TIMEOUT:-1800}"
NODE_HEAP_MB="${NODE_HEAP_MB:-16384}"
MEMLAB_VERSION="${MEMLAB_VERSION:-2.0.5}"
RESULTS=""
SIZE="400MB"
TOOLS="heapdiff,memlab,node"
BUILD=1
REGEN=()
while [ $# -gt 0 ]; do
  case "$1" in
    --size) [ $# -ge 2 ] || { echo "bench-timeline: --size needs a value" >&2; exit 2; }; SIZE="$2"; shift ;;
    --size=*) SIZE="${1#--size=}" ;;
    --tools) [ $# -ge 2 ] || { echo "bench-timeline: --tools needs a value" >&2; exit 2; }; TOOLS="$2"; shift ;;
    --tools=*) TOOLS="${1#--tools=}" ;;
    --no-build) BUILD=0 ;;
    --regen) REGEN=(--force) ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-timeline: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) RESULTS="$1" ;;
  esac
  shift
done
RESULTS="${RESULTS:-$BENCH_DIR/timeline-results.md}"
want() { [[ ",$TOOLS," == *",$1,"* ]]; }

die() { echo "bench-timeline: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
# shellcheck source=bench/lib.sh
. scripts/bench/lib.sh

# ---- tools
command -v node >/dev/null || die "node not found: the input and the baselines need Node.js (>= 18)"
if ! command -v hyperfine >/dev/null; then
  die "hyperfine not found. Install it with:  apt-get install -y hyperfine   (or: cargo install hyperfine)"
fi
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
  die "GNU time (/usr/bin/time) not found. Install it with:  apt-get install -y time"
fi
command -v timeout >/dev/null || die "timeout (coreutils) not found"
command -v python3 >/dev/null || die "python3 not found (scripts/bench/interleave.py times the interleaved runs)"

# ---- heapdiff
HEAPDIFF="${CARGO_TARGET_DIR:-$ROOT/target}/release/heapdiff"
[ -n "${HEAPDIFF_BINS:-}" ] && BUILD=0
BIN_LABELS=()
BIN_PATHS=()
if want heapdiff; then
  if [ "$BUILD" = 1 ]; then
    command -v cargo >/dev/null || die "cargo not found"
    note "cargo build --release -p heapdiff"
    cargo build --release -p heapdiff
  fi
  [ -n "${HEAPDIFF_BINS:-}" ] || [ -x "$HEAPDIFF" ] || die "$HEAPDIFF does not exist (build it, or leave heapdiff out of --tools)"
  bench_bins "$HEAPDIFF"
fi

# ---- memlab (npm, outside the repository)
MEMLAB_DIR="${MEMLAB_DIR:-$BENCH_DIR/memlab}"
export MEMLAB_DIR
if want memlab && [ ! -f "$MEMLAB_DIR/node_modules/@memlab/heap-analysis/package.json" ]; then
  command -v npm >/dev/null || die "npm not found (needed to install memlab into $MEMLAB_DIR)"
  note "npm install memlab@$MEMLAB_VERSION into $MEMLAB_DIR"
  mkdir -p "$MEMLAB_DIR"
  [ -f "$MEMLAB_DIR/package.json" ] || echo '{"name":"heapdiff-bench-memlab","private":true}' > "$MEMLAB_DIR/package.json"
  # memlab's browser E2E part pulls puppeteer, whose browser download is not needed here
  (cd "$MEMLAB_DIR" && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
    npm install --no-audit --no-fund --ignore-scripts "memlab@$MEMLAB_VERSION" >&2)
fi
MEMLAB_VER="n/a"
if want memlab; then
  MEMLAB_VER="$(node -p "require('$MEMLAB_DIR/node_modules/@memlab/heap-analysis/package.json').version" 2>/dev/null || echo '?')"
fi

# ---- input
mkdir -p "$BENCH_DIR"
FILE="$BENCH_DIR/heaptimeline_$SIZE.heaptimeline"
if [ ${#REGEN[@]} -gt 0 ] || [ ! -s "$FILE" ]; then
  note "generating $FILE with real node (an allocation-tracking recording; see df below)"
  df -h "$BENCH_DIR" >&2
  node scripts/bench/gen-heaptimeline.mjs --out "$BENCH_DIR" --size "$SIZE" "${REGEN[@]}"
fi
[ -s "$FILE" ] || die "input $FILE missing after generation"
BYTES=$(stat -c %s "$FILE")

# ---- measurements
mkdir -p "$(dirname "$RESULTS")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
note "load average at start: $LOAD_START"

q() { printf '%q' "$1"; }
NODE_FLAGS="--max-old-space-size=$NODE_HEAP_MB"
: > "$TMP/rows.tsv"
# row NAME STATUS TIME COMMAND EXTRA RUNS/WARMUP [TIMER]: one line of the report; TIMER is il for
# a heapdiff row timed in the interleaved rounds, hf (hyperfine.EXTRA) otherwise.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-hf}" >> "$TMP/rows.tsv"; }
printf 'cat\t-\tcat %s > /dev/null\n' "$(q "$FILE")" > "$TMP/il.tsv"
k=0
for tool in heapdiff memlab node; do
  want "$tool" || continue
  if [ "$tool" = heapdiff ]; then
    for b in "${!BIN_PATHS[@]}"; do
      name="$(bin_name "heapdiff top" "${BIN_LABELS[$b]}")"
      base="$(q "${BIN_PATHS[$b]}") top $(q "$FILE") --top 20"
      if measure_heapdiff "$name" "$name" "$base" "$TMP/il.tsv"; then
        row "$name" ok "$TLINE" "$base > /dev/null" "$id" "$RUNS/$WARMUP" il
      else
        row "$name" fail "$TLINE" "$base" "$FAIL_MSG" "$RUNS/$WARMUP"
      fi
    done
    if [ "$(wc -l < "$TMP/il.tsv")" -gt 1 ]; then
      note "heapdiff and cat, interleaved (--warmup $WARMUP --runs $RUNS)"
      interleave "$TMP/il.tsv" "$TMP/il.json" "$TMP/il.md" "$RUNS" "$WARMUP" ""
      cp "$TMP/il.json" "${RESULTS%.md}.interleaved.json"
    fi
    continue
  fi
  case "$tool" in
    memlab)   name="memlab";          base="node $NODE_FLAGS scripts/bench/timeline-memlab.mjs $(q "$FILE") --top 20" ;;
    node)     name="node JSON.parse"; base="node $NODE_FLAGS scripts/bench/timeline-node-parse.mjs $(q "$FILE") --top 20" ;;
  esac
  if measure_baseline "$name" "$name" "$base" "$BASE_WARMUP" "$BASE_RUNS"; then
    row "$name" ok "$TLINE" "$base > /dev/null" "$id" "$BASE_RUNS/$BASE_WARMUP"
  else
    row "$name" fail "$TLINE" "$base" "$FAIL_MSG" "$BASE_RUNS/$BASE_WARMUP"
  fi
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
note "load average at end: $LOAD_END"

# ---- report
export TMP RUNS WARMUP BASE_RUNS BASE_WARMUP TIMEOUT MEMLAB_VER LOAD_START LOAD_END NODE_HEAP_MB FILE BYTES
export BIN_LIST="$(bin_list)"
node --input-type=module - > "$RESULTS" <<'EOF'
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
const env = process.env;
const mb = (b) => (b / 1e6).toFixed(1);
const rows = fs.readFileSync(`${env.TMP}/rows.tsv`, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'))
  .map(([name, status, time, cmd, extra, rw, timer]) => ({name, status, time, cmd, extra, rw, timer}));
const readJson = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')); } catch { return null; } };
// The wall-time results of an ok row: its interleaved measurement, or its hyperfine run.
const timed = (r) => (r.timer === 'hf'
  ? (readJson(`${env.TMP}/hf.${r.extra}.json`) || {results: [{}]}).results[0]
  : ((readJson(`${env.TMP}/il.json`) || {results: []}).results.find((x) => x.command === r.name) || {}));
const isHeapdiff = (r) => r.name.startsWith('heapdiff top');
const ver = (cmd, args) => { try { return execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim().split('\n')[0]; } catch { return 'n/a'; } };
const timingsOf = (id) => {
  try {
    const l = fs.readFileSync(`${env.TMP}/timings.${id}`, 'utf8').split('\n').filter((x) => x.includes('"phases_ms"')).pop();
    return l ? JSON.parse(l.slice(l.indexOf('{'))) : null;
  } catch { return null; }
};
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.arch();
const bytes = Number(env.BYTES);
const m = readJson(`${env.FILE}.meta.json`) || {};
const out = [];
out.push(`# heapdiff allocation timeline benchmark`, ``);
out.push(`- date: ${new Date().toISOString()}`);
out.push(`- machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; load average ${env.LOAD_START} at start, ${env.LOAD_END} at end`);
out.push(`- node ${process.version}; memlab ${env.MEMLAB_VER}; ${ver('rustc', ['--version'])}; ${ver('hyperfine', ['--version'])}`);
for (const b of env.BIN_LIST.split('\n').filter(Boolean)) {
  const p = b.slice(b.indexOf('=') + 1);
  out.push(`- heapdiff ${b.split('=')[0]}: ${p} (${fs.existsSync(p) ? ver(p, ['--version']) : 'not built'})`);
}
out.push(`- heapdiff and \`cat\`: ${env.WARMUP} + ${env.RUNS} interleaved rounds (scripts/bench/interleave.py); memlab, node: hyperfine --warmup ${env.BASE_WARMUP} --runs ${env.BASE_RUNS}; ` +
  `peak RSS from \`/usr/bin/time -f '%e s %M KB'\` (the check run before hyperfine); node baselines run with --max-old-space-size=${env.NODE_HEAP_MB}, timeout ${env.TIMEOUT} s`);
out.push(`- MB = 10^6 bytes; MB/s = input bytes / mean wall time; CPU = hyperfine's mean user + system time (less sensitive than wall time to other load on the machine)`, ``);
out.push(`## Input (a real node allocation timeline, scripts/bench/gen-heaptimeline.mjs)`, ``);
out.push(`| file | size (MB) | bytes | nodes | edges | trace functions | trace nodes | samples | recorded span (s) | generation (s) | of which stop + write (s) |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
out.push(`| ${path.basename(env.FILE)} | ${mb(bytes)} | ${bytes} | ${m.node_count ?? '?'} | ${m.edge_count ?? '?'} | ` +
  `${m.trace_function_count ?? '?'}${m.header_trace_function_count != null && m.header_trace_function_count !== m.trace_function_count ? ` (header: ${m.header_trace_function_count})` : ''} | ` +
  `${m.trace_nodes ?? '?'} | ${m.samples ?? '?'} | ${m.recording_duration_ms != null ? (m.recording_duration_ms / 1000).toFixed(1) : '?'} | ${m.total_seconds ?? '?'} | ${m.stop_and_write_seconds ?? '?'} |`);
if (m.node) out.push(``, `Recorded by node ${m.node}: ${m.workload_functions} generated workload functions, ${m.units} units of workload; section sizes (MB): ` +
  Object.entries(m.section_bytes || {}).map(([k, v]) => `${k} ${mb(v)}`).join(', ') + '.');
out.push(``, `## Summary`, ``);
out.push(`| command | wall mean (s) | ± σ (s) | CPU user+sys (s) | runs | peak RSS (MB) | MB/s | × cat (median of rounds) | result |`, `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
let hdMean = null;
for (const r of rows) {
  const kb = Number((/(\d+) KB/.exec(r.time) || [])[1]);
  const secs = Number((/([\d.]+) s/.exec(r.time) || [])[1]);
  if (r.status === 'fail') {
    out.push(`| ${r.name} | (${Number.isFinite(secs) ? secs.toFixed(1) : '?'} until failure) | – | – | 1 | ${Number.isFinite(kb) ? mb(kb * 1024) : '?'} | – | – | **failed**: ${r.extra.replace(/\|/g, '\\|')} |`);
    continue;
  }
  const h = timed(r);
  const sd = h.stddev == null ? '–' : h.stddev.toFixed(3);
  const cpuS = h.user != null && h.system != null ? (h.user + h.system).toFixed(2) : '?';
  if (isHeapdiff(r) && hdMean == null) hdMean = h.mean;
  const x = h.ratio ? h.ratio.median.toFixed(2) : '–';
  out.push(`| ${r.name} | ${h.mean.toFixed(3)} | ${sd} | ${cpuS} | ${h.times ? h.times.length : '?'} | ${mb(kb * 1024)} | ${(bytes / 1e6 / h.mean).toFixed(1)} | ${x} | ok |`);
}
if (rows.some((r) => r.status === 'ok' && r.timer !== 'hf')) {
  out.push(``, `## heapdiff and \`cat\`, interleaved`, ``, fs.readFileSync(`${env.TMP}/il.md`, 'utf8').trim());
}
if (hdMean != null) {
  out.push(``, `Bar of the issue (a ~400 MB timeline loads and prints \`top\` in <= 1.0 s wall): heapdiff ${hdMean.toFixed(3)} s on ` +
    `${mb(bytes)} MB: **${hdMean <= 1.0 ? 'met' : 'not met'}**.` +
    rows.filter((r) => r.status === 'ok' && !isHeapdiff(r)).map((r) => {
      const h = timed(r);
      return ` ${r.name}: ${(h.mean / hdMean).toFixed(1)}× heapdiff's wall time.`;
    }).join(''));
}
const phased = rows.filter((r) => r.status === 'ok' && timingsOf(r.extra));
if (phased.length) {
  out.push(``, `## Phases (one run each: heapdiff \`--timings\`, the node scripts' stderr line)`, ``);
  out.push(`| command | phases (ms) | peak RSS reported (MB) |`, `| --- | --- | ---: |`);
  for (const r of phased) {
    const t = timingsOf(r.extra);
    const ph = Object.entries(t.phases_ms || {}).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`| ${r.name} | ${ph} | ${t.peak_rss_kib ? mb(t.peak_rss_kib * 1024) : '?'} |`);
  }
}
const fails = rows.filter((r) => r.status === 'fail');
if (fails.length) {
  out.push(``, `## Failures (stderr of the failed run)`, ``);
  for (const r of fails) {
    const id = rows.indexOf(r) + 1;
    let err = '';
    try { err = fs.readFileSync(`${env.TMP}/err.${id}`, 'utf8').trim().split('\n').slice(-15).join('\n'); } catch {}
    out.push(`### ${r.name}`, ``, '```', err || r.extra, '```', ``);
  }
}
out.push(``, `## hyperfine`, ``);
for (const r of rows) {
  if (r.status !== 'ok' || r.timer !== 'hf') continue;
  try { out.push(fs.readFileSync(`${env.TMP}/hf.${r.extra}.md`, 'utf8').trim(), ``); } catch {}
}
out.push(`## Commands (run from the repository root)`, ``, '```');
for (const r of rows) {
  const [runs, warm] = r.rw.split('/');
  const timer = r.timer === 'hf' ? `hyperfine --warmup ${warm} --runs ${runs}` : `${warm} + ${runs} interleaved rounds with \`cat\``;
  out.push(`# ${r.name}${r.status === 'ok' ? '' : ` (${r.status})`}: /usr/bin/time -f '%e s %M KB' once, then ${timer}`, r.cmd);
  if (isHeapdiff(r)) out.push(r.cmd.replace(/ > \/dev\/null$/, ' --timings > /dev/null'));
}
out.push('```', ``);
out.push(`## Outputs (stdout of the check runs)`, ``);
for (const r of rows) {
  if (r.status !== 'ok') continue;
  const id = rows.indexOf(r) + 1;
  out.push(`### ${r.name}`, ``, '```', fs.readFileSync(`${env.TMP}/out.${id}`, 'utf8').trimEnd(), '```', ``);
}
process.stdout.write(out.join('\n'));
EOF

echo >&2
sed -n '/^## Input/,/^## hyperfine$/p' "$RESULTS" | sed '$d'
echo "results written to $RESULTS"
