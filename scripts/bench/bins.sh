# Sourced by scripts/bench-*.sh (after they define `die`): the heapdiff binaries to measure.
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
# per line, tab-separated) in interleaved rounds (scripts/bench/interleave.py).
interleave() {
  python3 scripts/bench/interleave.py --spec "$1" --json "$2" --md "$3" --runs "$4" --warmup "$5" --title "$6" >&2
}
