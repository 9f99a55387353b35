# Sourced by scripts/bench-*.sh (after they define `die` and `note`): the heapdiff binaries to
# measure, the check run, the measuring of one heapdiff or baseline command (files under $TMP) and
# the interleaved timing.
#
# HEAPDIFF_BINS="LABEL=PATH LABEL=PATH …" (labels and paths without spaces) names several builds,
# e.g. HEAPDIFF_BINS="before=/tmp/hd/before after=/tmp/hd/after"; each is measured with the same
# commands, interleaved with each other and with `cat` of the same input, and its rows are named
# "… (LABEL)". Unset, the one binary is the script's own build, with unlabelled rows.

# bench_bins DEFAULT_PATH: sets BIN_LABELS and BIN_PATHS (parallel arrays).
bench_bins() {
  BIN_LABELS=()
  BIN_PATHS=()
  if [ -z "${HEAPDIFF_BINS:-}" ]; then
    BIN_LABELS=("")
    BIN_PATHS=("$1")
    return
  fi
  local spec
  for spec in $HEAPDIFF_BINS; do
    case "$spec" in
      ?*=?*) ;;
      *) die "HEAPDIFF_BINS: '$spec' is not LABEL=PATH" ;;
    esac
    [ -x "${spec#*=}" ] || die "HEAPDIFF_BINS: ${spec#*=} is not an executable file"
    BIN_LABELS+=("${spec%%=*}")
    BIN_PATHS+=("${spec#*=}")
  done
}

# bin_name NAME LABEL: the row name of a command of the binary labelled LABEL.
bin_name() {
  if [ -n "$2" ]; then printf '%s (%s)' "$1" "$2"; else printf '%s' "$1"; fi
}

# bin_list: one "LABEL=PATH" line per binary, for the reports.
bin_list() {
  local i
  for i in "${!BIN_PATHS[@]}"; do printf '%s=%s\n' "${BIN_LABELS[$i]:-heapdiff}" "${BIN_PATHS[$i]}"; done
}

# interleave SPEC JSON MD RUNS WARMUP TITLE: times the commands of SPEC (NAME, REFERENCE, COMMAND
# per line, tab-separated) in interleaved rounds (scripts/bench/interleave.py, which first drops
# the `cat` references' files from the page cache and reads them back, so that how they were
# written does not change the reference).
# KEEP_CACHE=1 in the environment leaves the files as they are (interleave.py --keep-cache).
interleave() {
  python3 scripts/bench/interleave.py --spec "$1" --json "$2" --md "$3" --runs "$4" --warmup "$5" --title "$6" \
    ${KEEP_CACHE:+--keep-cache} >&2
}

# check_run ID LABEL COMMAND: the check run of COMMAND under `/usr/bin/time -f '%e s %M KB'` and
# `timeout $TIMEOUT` (stdout to $TMP/out.ID, stderr to $TMP/err.ID); sets TLINE (GNU time's line)
# and, when the command fails or times out, FAIL_MSG, and returns 1.
check_run() {
  local id="$1" label="$2" base="$3" rc
  note "$label (check run under /usr/bin/time, timeout ${TIMEOUT}s)"
  set +e
  /usr/bin/time -f '%e s %M KB' -o "$TMP/time.$id" timeout -k 30 "$TIMEOUT" bash -c "exec $base" \
    > "$TMP/out.$id" 2> "$TMP/err.$id"
  rc=$?
  set -e
  TLINE="$(tail -n 1 "$TMP/time.$id")"
  echo "   $TLINE (exit $rc)" >&2
  [ "$rc" = 0 ] && return 0
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then FAIL_MSG="timed out after ${TIMEOUT}s"
  else FAIL_MSG="exit $rc: $(grep -v '^\s*$' "$TMP/err.$id" | grep -v '"phases_ms"' | tail -n 3 | tr '\n\t' '  ' | cut -c1-400)"; fi
  echo "   failed: $FAIL_MSG" >&2
  return 1
}

# next_id: numbers the next measured command (sets k and id; its files are $TMP/*.ID).
next_id() {
  k=$((${k:-0} + 1))
  id="$k"
}

# measure_heapdiff LABEL NAME COMMAND SPEC: the check run of a heapdiff COMMAND (as the next id),
# its run with --timings (stderr to $TMP/timings.ID) and its line, named NAME, in the interleaved
# SPEC, whose rounds time it later. Returns 1 when the check run fails.
measure_heapdiff() {
  next_id
  check_run "$id" "$1" "$3" || return 1
  note "$1 --timings"
  bash -c "$3 --timings" > /dev/null 2> "$TMP/timings.$id" || echo "   --timings run failed" >&2
  printf '%s\tcat\t%s > /dev/null\n' "$2" "$3" >> "$4"
}

# measure_baseline LABEL NAME COMMAND WARMUP RUNS: the check run of a baseline COMMAND (as the next
# id), then hyperfine under NAME ($TMP/hf.ID.json and .md); the check run's stderr is kept as its
# timings. Returns 1 when the check run fails.
measure_baseline() {
  next_id
  check_run "$id" "$1" "$3" || return 1
  note "$1 (hyperfine --warmup $4 --runs $5)"
  hyperfine --warmup "$4" --runs "$5" -n "$2" \
    --export-json "$TMP/hf.$id.json" --export-markdown "$TMP/hf.$id.md" "$3 > /dev/null" >&2 \
    || die "hyperfine failed on $3"
  cp "$TMP/err.$id" "$TMP/timings.$id"
}
