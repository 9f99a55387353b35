#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one
# after another at the lowest priority, then minimises that target's local
# corpus (`cargo fuzz cmin`). The committed seeds (fuzz/seeds/<target>/) are
# read, never rewritten; what fuzzing finds goes to fuzz/corpus/<target>/
# (local, not committed) and crashes to fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS]
#
# Needs cargo-fuzz and a nightly toolchain (FUZZ_TOOLCHAIN, default
# `+nightly`). Exits 1 if any target crashed, after running all of them.
set -euo pipefail

seconds="${1:-60}"
toolchain="${FUZZ_TOOLCHAIN:-+nightly}"
cd "$(dirname "$0")/../fuzz"

crashed=()
for target in $(cargo "$toolchain" fuzz list); do
    mkdir -p "corpus/$target" "seeds/$target"
    flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10)
    case "$target" in
        # Generated inputs: longer ones reach bigger trees sooner.
        parse_structured | parse_snapshot_structured) flags+=(-max_len=8192) ;;
    esac
    echo "== $target: ${seconds}s"
    if ! nice -n 19 cargo "$toolchain" fuzz run "$target" "corpus/$target" "seeds/$target" \
        -- "${flags[@]}"; then
        crashed+=("$target")
    fi
    echo "== $target: minimising corpus/$target"
    nice -n 19 cargo "$toolchain" fuzz cmin "$target" "corpus/$target" -- -rss_limit_mb=2048 -timeout=10
done

if ((${#crashed[@]})); then
    echo "crashed: ${crashed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
