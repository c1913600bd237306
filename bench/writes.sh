#!/usr/bin/env bash
# What a durable post costs the server: `fourdollar serve` (SQLite, synchronous=FULL, one loop
# thread, a fresh store of 300 posts) on SERVER_CPU, and 5 VUs that only post (each post committed
# before its 303, the 303 not followed) from `fourdollar load` on LOAD_CPU (taskset), once per
# binary given (default: this build), alternating ROUNDS times. Not a test: it prints numbers.
# For each run: posts stored, posts per commit, posts per server CPU-second (user + system of
# all its threads) and the server's write-family system calls per commit (/proc/PID/io "syscw":
# pwrite and write, not send). Alternating two builds a few seconds apart is what lets a change
# of a few percent show on a machine whose speed drifts by more than that between minutes.
#
#   flock /tmp/fourdollar-bench.lock bash bench/writes.sh
#   ROUNDS=4 flock /tmp/fourdollar-bench.lock bash bench/writes.sh OLD_BINARY NEW_BINARY
#
# Settings (environment): DURATION (s, 5), ROUNDS (3), VUS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
VUS=${VUS:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools curl taskset wrk
require_whole DURATION
require_whole ROUNDS
require_whole VUS
require_fourdollar
binaries_from "$@"

start_work writes
posting_scenario "$work/posts.yaml" "$VUS" "$DURATION"

server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
write_calls() { awk '$1 == "syscw:" { print $2 }' "/proc/$server_pid/io"; }
whole_metric() { metric "$1" | cut -d. -f1; }

echo "bench: server on CPU $SERVER_CPU, $VUS posting VUs on CPU $LOAD_CPU, ${DURATION} s per run," \
  "$ROUNDS round(s), SQLite synchronous=FULL"
printf '%-8s %-40s %8s %12s %16s %16s\n' round binary posts posts/commit "posts/server CPU-s" \
  "writes/commit"
hz=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  for binary in "${binaries[@]}"; do
    FOURDOLLAR=$binary
    rm -rf "$work/store"
    start_fourdollar "$work/store"
    seed_posts 300
    posts=$(whole_metric fourdollar_posts_stored_total)
    commits=$(whole_metric fourdollar_write_batch_size_count)
    ticks=$(server_ticks)
    writes=$(write_calls)
    FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$binary" load "$work/posts.yaml" \
      --target "$url" >"$work/load.out" 2>&1 || die "load failed: $(tail -5 "$work/load.out")"
    ticks=$(($(server_ticks) - ticks))
    writes=$(($(write_calls) - writes))
    posts=$(($(whole_metric fourdollar_posts_stored_total) - posts))
    commits=$(($(whole_metric fourdollar_write_batch_size_count) - commits))
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    awk -v r="$round" -v b="$binary" -v p="$posts" -v c="$commits" -v t="$ticks" -v hz="$hz" \
      -v w="$writes" 'BEGIN {
        printf "%-8s %-40s %8d %12.2f %16.0f %16.1f\n", r, b, p, (c > 0 ? p / c : 0),
          (t > 0 ? p / (t / hz) : 0), (c > 0 ? w / c : 0) }'
  done
done
