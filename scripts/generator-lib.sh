# Sourced by the fixture generators' generate.sh scripts (scripts/fixtures,
# scripts/snapshots, scripts/timelines): the steps they share.

# Moves to the repository root and warns when node is not the version the
# committed fixtures were made with.
generator_start() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  echo "node $(node --version)"
  case "$(node --version)" in
    v20.*) ;;
    *) echo "warning: fixtures were made with node 20; other versions give different files" >&2 ;;
  esac
}

# Prints a command, then runs it.
run() {
  echo "+ $*"
  "$@"
}

# Fails unless headless Chromium is there; installs puppeteer-core from
# scripts/fixtures/package-lock.json when it is missing.
need_browser() {
  if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
    echo "error: ${CHROMIUM:-/usr/bin/chromium} not found; apt-get install -y chromium (or SKIP_BROWSER=1)" >&2
    exit 1
  fi
  if [[ ! -d scripts/fixtures/node_modules/puppeteer-core ]]; then
    run npm ci --prefix scripts/fixtures --no-audit --no-fund
  fi
}
