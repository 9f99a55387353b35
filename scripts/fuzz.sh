#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one
# after another at the lowest priority, then minimises that target's corpus
# (`cargo fuzz cmin`) and stores it again as fuzz/corpora/<target>.tar.gz
# (committed; made the same way each time, so an unchanged corpus gives the
# same bytes). A target's working corpus, fuzz/corpus/<target>/ (ignored by
# git), starts from that archive when it is not there yet. The committed
# seeds (fuzz/seeds/<target>/) are read, never rewritten; crashes go to
# fuzz/artifacts/<target>/.
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
    if [[ ! -d "corpus/$target" && -f "corpora/$target.tar.gz" ]]; then
        mkdir -p "corpus/$target"
        tar -xzf "corpora/$target.tar.gz" -C "corpus/$target"
    fi
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
    mkdir -p corpora
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "corpus/$target" . |
        gzip -9 -n > "corpora/$target.tar.gz"
done

if ((${#crashed[@]})); then
    echo "crashed: ${crashed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
