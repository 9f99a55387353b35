#!/usr/bin/env bash
# Checks heapdiff's --report output as readers see it: the HTML reports in
# headless Chromium, the Markdown reports through a Markdown renderer (marked)
# and then Chromium. Idempotent; installs what it needs (chromium via apt when
# root, the npm packages of scripts/report-check via `npm ci`).
#
#   bash scripts/report-check/run.sh [--screenshot PATH]
#
# --screenshot saves a PNG of the leak report (used for docs/images/report.png).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

screenshot=()
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot)
      [ $# -ge 2 ] || { echo "run.sh: --screenshot needs a path" >&2; exit 2; }
      screenshot=(--screenshot "$(realpath -m "$2")"); shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "report-check: installing chromium (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "report-check: SKIPPED: $chromium is missing and installing it needs root (apt-get install chromium)"
    exit 0
  fi
fi
command -v node >/dev/null || { echo "report-check: node (>= 20) is required" >&2; exit 1; }

if [ ! -d scripts/report-check/node_modules/puppeteer-core ] || [ ! -d scripts/report-check/node_modules/marked ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix scripts/report-check --no-audit --no-fund --loglevel=error
fi

# HEAPDIFF_BIN: an already built binary (scripts/test.sh passes the one its
# test build made, so the dependency tree is not built again).
if [ -n "${HEAPDIFF_BIN:-}" ]; then
  bin=$HEAPDIFF_BIN
else
  cargo build -q -p heapdiff
  bin=target/debug/heapdiff
fi
[ -x "$bin" ] || { echo "report-check: $bin is not an executable" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

leak=fixtures/diff/service-leak
mal=fixtures/diff/malicious-names
snap=fixtures/snapshot-diff/node-leak
mkdir -p "$tmp/leak" "$tmp/malicious" "$tmp/snapshot"
# Warnings (frames without a URL, …) are expected on stderr; the reports are what is checked.
report() { # BEFORE AFTER OUT
  "$bin" "$1" "$2" --report "$3" >/dev/null 2>"$3.stderr" || { cat "$3.stderr" >&2; exit 1; }
}
report "$leak/before.heapprofile" "$leak/after.heapprofile" "$tmp/leak/report.html"
report "$leak/before.heapprofile" "$leak/after.heapprofile" "$tmp/leak/report.md"
report "$mal/before.heapprofile" "$mal/after.heapprofile" "$tmp/malicious/report.html"
report "$mal/before.heapprofile" "$mal/after.heapprofile" "$tmp/malicious/report.md"
report "$snap/before.heapsnapshot.gz" "$snap/after.heapsnapshot.gz" "$tmp/snapshot/snapshot.html"

total=5
set +e
CHROMIUM="$chromium" node scripts/report-check/check.mjs "${screenshot[@]}" \
  --expect-top rememberRequest --search 'rememberRequest' "$tmp/leak/report.html" \
  --expect-top rememberRequest "$tmp/leak/report.md" \
  --malicious --search 'pwned|onerror' "$tmp/malicious/report.html" \
  --malicious "$tmp/malicious/report.md" \
  --no-flame "$tmp/snapshot/snapshot.html" | tee "$tmp/results.jsonl"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '"ok":true' "$tmp/results.jsonl" || true)
failed=$((total - passed))
echo "report-check: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
