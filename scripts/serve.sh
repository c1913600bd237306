#!/usr/bin/env bash
# Installs the dependencies, builds, and starts `fourdollar serve` on the embedded store
# (SQLite in ./data/blog.db). The server prints its URL; this script then prints the write
# token generated in data/write-token. Extra arguments go to `fourdollar serve`. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null

build/src/cli/fourdollar serve "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM

# The token file appears at first start; wait for it (at most 10 s) only when it is in use.
for _ in $(seq 100); do
  [ -s data/write-token ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -s data/write-token ]; then
  echo "serve: write token: $(cat data/write-token)"
  echo "serve: post with: curl -i -H 'Authorization: Bearer $(cat data/write-token)'" \
    "-H 'Content-Type: application/json' -d '{\"title\":\"Hello\",\"body\":\"First post\"}' URL"
fi

status=0
wait "$pid" || status=$?
# After Ctrl-C the first wait returns early; wait again for the server's own exit code.
if kill -0 "$pid" 2>/dev/null; then
  wait "$pid" || status=$?
fi
exit "$status"
