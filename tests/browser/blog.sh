#!/bin/sh
# Runs the blog's browser test (node's test runner); exits 77 (ctest: skipped) when node,
# /usr/bin/chromium or playwright-core (npm ci) is missing.
root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null || [ ! -x "$chromium" ] ||
  [ ! -f "$root/node_modules/playwright-core/package.json" ]; then
  echo "SKIP: the browser test needs node, $chromium (apt-get install chromium) and" \
    "playwright-core (npm ci --no-audit --no-fund); scripts/test.sh installs them"
  exit 77
fi
exec node --test "$root/tests/browser/blog_test.mjs"
