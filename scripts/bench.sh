#!/usr/bin/env bash
# The README's first command: installs the dependencies, builds, and runs `fourdollar bench`:
# the blog server on one CPU (the $4 VPS), the article's test, the breaking point, then the
# headline and results/bench-<UTC time>/report.html. Extra arguments go to `fourdollar bench`
# (--quick, --cpus 2, --memory 512M, --target URL...; see docs/bench.md). Ctrl-C stops it and
# still writes what was measured.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

# The report embeds uPlot at build time, pinned by package-lock.json.
if [ ! -f node_modules/uplot/dist/uPlot.iife.min.js ]; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    echo "bench: installing npm (to fetch uPlot for the report)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
  fi
  npm ci --no-audit --no-fund
fi

bash scripts/build.sh >/dev/null
exec build/src/cli/fourdollar bench "$@"
