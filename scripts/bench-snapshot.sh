#!/usr/bin/env bash
# Heap snapshot benchmark: `heapdiff summary` against memlab and a naive node script on real V8
# `.heapsnapshot` files of ~100 MB, ~500 MB and ~1.5 GB made by real node
# (scripts/bench/gen-heapsnapshot.mjs; not committed, generated on first run).
#
#   scripts/bench-snapshot.sh [RESULTS.md] [--sizes 100MB,500MB,1.5GB] [--tools heapdiff,memlab,node]
#                             [--no-build] [--regen]
#
#   RESULTS.md    where the Markdown results go (default $BENCH_DIR/snapshot-results.md); the
#                 interleaved runs, every time of every round, go to RESULTS.interleaved.SIZE.json
#   --sizes L     comma-separated input sizes (default 100MB,500MB,1.5GB); file names follow them
#   --tools L     which of heapdiff, memlab, node to measure (default all three)
#   --no-build    use the existing target/release/heapdiff (no cargo build)
#   --regen       regenerate the inputs even if they exist
#
# Environment: BENCH_DIR (default /tmp/heapdiff-bench), RUNS (default 3) and WARMUP (default 1)
# for inputs under 1 GB, RUNS_BIG (default 1) and WARMUP_BIG (default 0) for larger ones,
# TIMEOUT (seconds per run of a baseline, default 1800), NODE_HEAP_MB (--max-old-space-size of
# the node baselines, default 16384), MEMLAB_VERSION (default 2.0.5; installed with npm into
# $BENCH_DIR/memlab on first run, outside the repository), HD_RUNS (default 5) and HD_WARMUP
# (default 1) for heapdiff and `cat`, HEAPDIFF_BINS (several builds to compare, as
# "before=PATH after=PATH"; see scripts/bench/lib.sh; when set, nothing is built), KEEP_CACHE=1 (time `cat`
# with the inputs left in the page cache as they are, not dropped and read back first).
#
# Measures, in one run, for each size FILE:
#   (a) heapdiff summary FILE --top 20                              skipped if the binary has no
#                                                                   `summary` command
#   (b) node scripts/bench/snapshot-memlab.mjs FILE --top 20        memlab: parse, dominators,
#                                                                   retained sizes, class summary
#   (c) node scripts/bench/snapshot-node-parse.mjs FILE --top 20    JSON.parse + shallow class
#                                                                   summary (fails > ~512 MiB)
#   (d) cat FILE > /dev/null                                        reading the input, the
#                                                                   reference of (a), the file
#                                                                   first dropped from the page
#                                                                   cache and read back (see
#                                                                   scripts/bench/interleave.py)
# Each command first runs once under `/usr/bin/time -f '%e s %M KB'` (with `timeout`): that run
# checks it, warms the page cache and gives the peak RSS; a command that fails or times out there
# is recorded as a failure with its message and not timed further. Then wall time: for heapdiff
# (every binary) and (d), HD_WARMUP + HD_RUNS interleaved rounds (scripts/bench/interleave.py:
# median and min-max, the ratio to `cat` in the same round, CPU time, peak RSS); for the
# baselines, hyperfine (--warmup, --runs, --export-json). heapdiff also runs once with the hidden --timings flag
# (one JSON line on stderr: phases_ms, peak_rss_kib); the node scripts print the same kind of
# line on every run. Units: MB = 10^6 bytes; MB/s = input bytes / mean wall time. The results also
# give hyperfine's mean user+system CPU time, and the load average at start and end: on a busy
# machine wall time grows, CPU time much less.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BENCH_DIR="${BENCH_DIR:-/tmp/heapdiff-bench}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
RUNS_BIG="${RUNS_BIG:-1}"
WARMUP_BIG="${WARMUP_BIG:-0}"
TIMEOUT="${TIMEOUT:-1800}"
NODE_HEAP_MB="${NODE_HEAP_MB:-16384}"
MEMLAB_VERSION="${MEMLAB_VERSION:-2.0.5}"
RESULTS=""
SIZES="100MB,500MB,1.5GB"
TOOLS="heapdiff,memlab,node"
BUILD=1
REGEN=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) [ $# -ge 2 ] || { echo "bench-snapshot: --sizes needs a value" >&2; exit 2; }; SIZES="$2"; shift ;;
    --sizes=*) SIZES="${1#--sizes=}" ;;
    --tools) [ $# -ge 2 ] || { echo "bench-snapshot: --tools needs a value" >&2; exit 2; }; TOOLS="$2"; shift ;;
    --tools=*) TOOLS="${1#--tools=}" ;;
    --no-build) BUILD=0 ;;
    --regen) REGEN=(--force) ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-snapshot: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) RESULTS="$1" ;;
  esac
  shift
done
RESULTS="${RESULTS:-$BENCH_DIR/snapshot-results.md}"
IFS=, read -r -a SIZE_LIST <<< "$SIZES"
want() { [[ ",$TOOLS," == *",$1,"* ]]; }

die() { echo "bench-snapshot: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
# shellcheck source=bench/lib.sh
. scripts/bench/lib.sh
HD_RUNS="${HD_RUNS:-5}"
HD_WARMUP="${HD_WARMUP:-1}"

# ---- tools
command -v node >/dev/null || die "node not found: the inputs and the baselines need Node.js (>= 18)"
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
has_summary() { [ -x "$1" ] && "$1" summary --help 2>&1 | grep -Eq '^Usage: [^ ]+ summary'; }  # the program name is the file's
HAVE_SUMMARY=0
BIN_LABELS=()
BIN_PATHS=()
if want heapdiff; then
  if [ "$BUILD" = 1 ]; then
    command -v cargo >/dev/null || die "cargo not found"
    note "cargo build --release -p heapdiff"
    cargo build --release -p heapdiff
  fi
  bench_bins "$HEAPDIFF"
  for b in "${!BIN_PATHS[@]}"; do
    if has_summary "${BIN_PATHS[$b]}"; then HAVE_SUMMARY=1
    else note "${BIN_PATHS[$b]} does not exist or has no \`summary\` command: its rows are skipped"; fi
  done
fi

# ---- memlab (npm, outside the repository)
MEMLAB_DIR="$BENCH_DIR/memlab"
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

# ---- inputs
mkdir -p "$BENCH_DIR"
FILES=()
for s in "${SIZE_LIST[@]}"; do FILES+=("$BENCH_DIR/heapsnapshot_$s.heapsnapshot"); done
MISSING=()
for i in "${!SIZE_LIST[@]}"; do
  if [ ${#REGEN[@]} -gt 0 ] || [ ! -s "${FILES[$i]}" ]; then MISSING+=("${SIZE_LIST[$i]}"); fi
done
if [ ${#MISSING[@]} -gt 0 ]; then
  note "generating $(IFS=,; echo "${MISSING[*]}") in $BENCH_DIR with real node (see df below)"
  df -h "$BENCH_DIR" >&2
  node scripts/bench/gen-heapsnapshot.mjs --out "$BENCH_DIR" --size "$(IFS=,; echo "${MISSING[*]}")" "${REGEN[@]}"
fi
for f in "${FILES[@]}"; do [ -s "$f" ] || die "input $f missing after generation"; done

# ---- measurements
mkdir -p "$(dirname "$RESULTS")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

q() { printf '%q' "$1"; }
NODE_FLAGS="--max-old-space-size=$NODE_HEAP_MB"
: > "$TMP/rows.tsv"
# row SIZE NAME BYTES STATUS TIME COMMAND EXTRA [TIMER]: one line of the report; TIMER is the
# interleaved measurement (il.N) of an ok heapdiff row, hf (hyperfine.ID) otherwise.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-hf}" >> "$TMP/rows.tsv"; }
k=0
for i in "${!SIZE_LIST[@]}"; do
  size="${SIZE_LIST[$i]}"; f="${FILES[$i]}"; bytes=$(stat -c %s "$f")
  if [ "$bytes" -ge 1000000000 ]; then runs=$RUNS_BIG; warm=$WARMUP_BIG; else runs=$RUNS; warm=$WARMUP; fi
  printf 'cat\t-\tcat %s > /dev/null\n' "$(q "$f")" > "$TMP/il.$i.tsv"
  for tool in heapdiff memlab node; do
    want "$tool" || continue
    if [ "$tool" = heapdiff ]; then
      for b in "${!BIN_PATHS[@]}"; do
        name="$(bin_name "heapdiff summary" "${BIN_LABELS[$b]}")"
        base="$(q "${BIN_PATHS[$b]}") summary $(q "$f") --top 20"
        if ! has_summary "${BIN_PATHS[$b]}"; then
          next_id  # a skipped row takes a number too: the report finds a row's files by its place
          row "$size" "$name" "$bytes" skip "-" "$base" "no summary command in ${BIN_PATHS[$b]}"
        elif measure_heapdiff "$size: $name" "$name" "$base" "$TMP/il.$i.tsv"; then
          row "$size" "$name" "$bytes" ok "$TLINE" "$base > /dev/null" "$id" "il.$i"
        else
          row "$size" "$name" "$bytes" fail "$TLINE" "$base" "$FAIL_MSG"
        fi
      done
      if [ "$(wc -l < "$TMP/il.$i.tsv")" -gt 1 ]; then
        note "$size: heapdiff and cat, interleaved (--warmup $HD_WARMUP --runs $HD_RUNS)"
        interleave "$TMP/il.$i.tsv" "$TMP/il.$i.json" "$TMP/il.$i.md" "$HD_RUNS" "$HD_WARMUP" "### $size"
        cp "$TMP/il.$i.json" "${RESULTS%.md}.interleaved.$size.json"
      fi
      continue
    fi
    case "$tool" in
      memlab)   name="memlab";           base="node $NODE_FLAGS scripts/bench/snapshot-memlab.mjs $(q "$f") --top 20" ;;
      node)     name="node JSON.parse";  base="node $NODE_FLAGS scripts/bench/snapshot-node-parse.mjs $(q "$f") --top 20" ;;
    esac
    if measure_baseline "$size: $name" "$name ($size)" "$base" "$warm" "$runs"; then
      row "$size" "$name" "$bytes" ok "$TLINE" "$base > /dev/null" "$id"
    else
      row "$size" "$name" "$bytes" fail "$TLINE" "$base" "$FAIL_MSG"
    fi
  done
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report
export TMP RUNS WARMUP RUNS_BIG WARMUP_BIG HD_RUNS HD_WARMUP TIMEOUT MEMLAB_VER LOAD_START LOAD_END NODE_HEAP_MB HAVE_SUMMARY
export BIN_LIST="$(bin_list)"
export FILE_LIST="$(IFS=$'\n'; echo "${FILES[*]}")"
node --input-type=module - > "$RESULTS" <<'EOF'
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
const env = process.env;
const mb = (b) => (b / 1e6).toFixed(1);
const rows = fs.readFileSync(`${env.TMP}/rows.tsv`, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'))
  .map(([size, name, bytes, status, time, cmd, extra, timer]) => ({size, name, bytes: +bytes, status, time, cmd, extra, timer}));
const readJson = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')); } catch { return null; } };
// The wall-time results of an ok row: its interleaved measurement, or its hyperfine run.
const timed = (r) => (r.timer === 'hf'
  ? (readJson(`${env.TMP}/hf.${r.extra}.json`) || {results: [{}]}).results[0]
  : ((readJson(`${env.TMP}/${r.timer}.json`) || {results: []}).results.find((x) => x.command === r.name) || {}));
const ver = (cmd, args) => { try { return execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim().split('\n')[0]; } catch { return 'n/a'; } };
const timingsOf = (id) => {
  try {
    const l = fs.readFileSync(`${env.TMP}/timings.${id}`, 'utf8').split('\n').filter((x) => x.includes('"phases_ms"')).pop();
    return l ? JSON.parse(l.slice(l.indexOf('{'))) : null;
  } catch { return null; }
};
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.arch();
const out = [];
out.push(`# heapdiff heap snapshot benchmark`, ``);
out.push(`- date: ${new Date().toISOString()}`);
out.push(`- machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; load average ${env.LOAD_START} at start, ${env.LOAD_END} at end`);
out.push(`- node ${process.version}; memlab ${env.MEMLAB_VER}; ${ver('rustc', ['--version'])}; ${ver('hyperfine', ['--version'])}`);
for (const b of env.BIN_LIST.split('\n').filter(Boolean)) {
  const p = b.slice(b.indexOf('=') + 1);
  out.push(`- heapdiff ${b.split('=')[0]}: ${p} (${ver(p, ['--version'])})`);
}
if (env.HAVE_SUMMARY !== '1') out.push(`- heapdiff: not measured (no binary with a \`summary\` command)`);
out.push(`- heapdiff and \`cat\`: ${env.HD_WARMUP} + ${env.HD_RUNS} interleaved rounds (scripts/bench/interleave.py); ` +
  `baselines: hyperfine --warmup ${env.WARMUP} --runs ${env.RUNS} (inputs < 1 GB), --warmup ${env.WARMUP_BIG} --runs ${env.RUNS_BIG} (larger); ` +
  `peak RSS from \`/usr/bin/time -f '%e s %M KB'\` (the check run before hyperfine); node baselines run with --max-old-space-size=${env.NODE_HEAP_MB}, timeout ${env.TIMEOUT} s`);
out.push(`- MB = 10^6 bytes; MB/s = input bytes / mean wall time; CPU = hyperfine's mean user + system time (less sensitive than wall time to other load on the machine)`, ``);
out.push(`## Inputs (real node heap snapshots, scripts/bench/gen-heapsnapshot.mjs)`, ``);
out.push(`| file | size (MB) | bytes | nodes | edges | strings section (MB) | generation (s) | of which writeHeapSnapshot (s) |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const f of env.FILE_LIST.split('\n')) {
  const m = readJson(`${f}.meta.json`) || {};
  const s = fs.statSync(f).size;
  out.push(`| ${path.basename(f)} | ${mb(s)} | ${s} | ${m.node_count ?? '?'} | ${m.edge_count ?? '?'} | ` +
    `${m.section_bytes ? mb(m.section_bytes.strings) : '?'} | ${m.total_seconds ?? '?'} | ${m.write_seconds ?? '?'} |`);
}
out.push(``, `## Summary`, ``);
out.push(`| input | command | wall mean (s) | ± σ (s) | CPU user+sys (s) | runs | peak RSS (MB) | MB/s | × cat (median of rounds) | result |`, `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
for (const r of rows) {
  const kb = Number((/(\d+) KB/.exec(r.time) || [])[1]);
  const secs = Number((/([\d.]+) s/.exec(r.time) || [])[1]);
  if (r.status === 'skip') { out.push(`| ${r.size} | ${r.name} | – | – | – | – | – | – | – | skipped: ${r.extra} |`); continue; }
  if (r.status === 'fail') {
    out.push(`| ${r.size} | ${r.name} | (${Number.isFinite(secs) ? secs.toFixed(1) : '?'} until failure) | – | – | 1 | ${Number.isFinite(kb) ? mb(kb * 1024) : '?'} | – | – | **failed**: ${r.extra.replace(/\|/g, '\\|')} |`);
    continue;
  }
  const h = timed(r);
  const sd = h.stddev == null ? '–' : h.stddev.toFixed(3);
  const cpuS = h.user != null && h.system != null ? (h.user + h.system).toFixed(2) : '?';
  const x = h.ratio ? h.ratio.median.toFixed(2) : '–';
  out.push(`| ${r.size} | ${r.name} | ${h.mean.toFixed(3)} | ${sd} | ${cpuS} | ${h.times ? h.times.length : '?'} | ${mb(kb * 1024)} | ${(r.bytes / 1e6 / h.mean).toFixed(1)} | ${x} | ok |`);
}
const interleaved = [...new Set(rows.filter((r) => r.status === 'ok' && r.timer !== 'hf').map((r) => r.timer))];
if (interleaved.length) {
  out.push(``, `## heapdiff and \`cat\`, interleaved`);
  for (const t of interleaved) out.push(``, fs.readFileSync(`${env.TMP}/${t}.md`, 'utf8').trim());
}
const phased = rows.filter((r) => r.status === 'ok' && timingsOf(r.extra));
if (phased.length) {
  out.push(``, `## Phases (one run each: heapdiff \`--timings\`, the node scripts' stderr line)`, ``);
  out.push(`MB/s = input bytes / phase time.`, ``);
  out.push(`| input | command | phases: ms (MB/s) | peak RSS reported (MB) |`, `| --- | --- | --- | ---: |`);
  const rate = (bytes, ms) => (ms > 0 ? (bytes / 1e6 / (ms / 1000)).toFixed(0) : '–');
  for (const r of phased) {
    const t = timingsOf(r.extra);
    const ph = Object.entries(t.phases_ms || {}).map(([k, v]) => `${k} ${v} (${rate(r.bytes, v)})`).join(', ');
    out.push(`| ${r.size} | ${r.name} | ${ph} | ${t.peak_rss_kib ? mb(t.peak_rss_kib * 1024) : '?'} |`);
  }
  // heapdiff also reports its steps; steps of the analysis overlap (two
  // chains run side by side), so their sum exceeds the phase.
  const stepped = phased.filter((r) => Object.keys(timingsOf(r.extra).steps_ms || {}).length);
  if (stepped.length) {
    out.push(``, `### Steps (heapdiff \`--timings\`, ms; the analysis runs the dominator chain and the other steps side by side)`, ``);
    out.push(`| input | command | steps: ms (MB/s) |`, `| --- | --- | --- |`);
    for (const r of stepped) {
      const st = Object.entries(timingsOf(r.extra).steps_ms).map(([k, v]) => `${k} ${v} (${rate(r.bytes, v)})`).join(', ');
      out.push(`| ${r.size} | ${r.name} | ${st} |`);
    }
  }
}
const fails = rows.filter((r) => r.status === 'fail');
if (fails.length) {
  out.push(``, `## Failures (stderr of the failed run)`, ``);
  for (const r of fails) {
    const id = rows.indexOf(r) + 1;
    let err = '';
    try { err = fs.readFileSync(`${env.TMP}/err.${id}`, 'utf8').trim().split('\n').slice(-15).join('\n'); } catch {}
    out.push(`### ${r.size}: ${r.name}`, ``, '```', err || r.extra, '```', ``);
  }
}
out.push(``, `## hyperfine`, ``);
for (const r of rows) {
  if (r.status !== 'ok' || r.timer !== 'hf') continue;
  try { out.push(fs.readFileSync(`${env.TMP}/hf.${r.extra}.md`, 'utf8').trim(), ``); } catch {}
}
out.push(`## Commands (run from the repository root)`, ``, '```');
for (const r of rows) out.push(`# ${r.size}: ${r.name}${r.status === 'ok' ? '' : ` (${r.status})`}`, r.cmd);
out.push('```', ``);
out.push(`## Outputs (stdout of the check runs)`, ``);
for (const r of rows) {
  if (r.status !== 'ok') continue;
  const id = rows.indexOf(r) + 1;
  out.push(`### ${r.size}: ${r.name}`, ``, '```', fs.readFileSync(`${env.TMP}/out.${id}`, 'utf8').trimEnd(), '```', ``);
}
process.stdout.write(out.join('\n'));
EOF

echo >&2
sed -n '/^## Inputs/,/^## hyperfine$/p' "$RESULTS" | sed '$d'
echo "results written to $RESULTS"
