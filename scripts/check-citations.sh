#!/usr/bin/env bash
# Checks the repository's citations of its format reference: every
# "formats §N" (also "formats.md §N", and lists such as "formats §3.3, §4.6"
# or "§11.1-§11.3") in the tracked text files must name a section heading of
# docs/formats.md, and nothing may cite documents that are not in the
# repository (design §N, style §N, shared/docs/…).
#
#   bash scripts/check-citations.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

doc=docs/formats.md
[ -f "$doc" ] || { echo "check-citations: $doc is missing" >&2; exit 1; }

# Section numbers of the headings: "## 7. …", "### 7.6 …", "#### 3.5.1 …".
sections="$(grep -oE '^#{2,4} [0-9]+(\.[0-9]+)*' "$doc" | sed -E 's/^#+ //' | sort -u)"

# Tracked text files (binary files and gzip fixtures are skipped by grep -I).
mapfile -d '' -t files < <(git ls-files -z)

cites="$(grep -IonE 'formats(\.md)? §[0-9]+(\.[0-9]+)*([,–-]+ ?(and )?§[0-9]+(\.[0-9]+)*)*' "${files[@]}" || true)"
[ -n "$cites" ] || { echo "check-citations: no citation of $doc found; is the pattern broken?" >&2; exit 1; }

bad=0
checked=0
while IFS= read -r hit; do
  where="${hit%%:formats*}"
  for n in $(grep -oE '§[0-9]+(\.[0-9]+)*' <<<"${hit#"$where"}" | tr -d '§'); do
    checked=$((checked + 1))
    if ! grep -qxF "$n" <<<"$sections"; then
      echo "check-citations: $where cites formats §$n, which $doc does not have" >&2
      bad=1
    fi
  done
done <<<"$cites"

# This script names the patterns itself, so it is the one file allowed to.
outside="$(grep -InE '(design|style) §[0-9]|shared/docs/' "${files[@]}" || true)"
outside="$(grep -vE '^scripts/check-citations\.sh:' <<<"$outside" || true)"
if [ -n "$outside" ]; then
  echo "check-citations: these cite documents outside the repository:" >&2
  echo "$outside" >&2
  bad=1
fi

[ "$bad" = 0 ] || exit 1
echo "check-citations: ok ($checked citations of $doc, all resolve)"
