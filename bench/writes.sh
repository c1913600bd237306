#!/usr/bin/env bash
# What a durable post costs the server: `fourdollar serve` (SQLite, synchronous=FULL, one loop
# thread, a fresh store of 300 posts) on SERVER_CPU, and 5 VUs that only post (each post committed
# before its 303, the 303 not followed) from `fourdollar load` on LOAD_CPU (taskset), once per
# binary given (default: this build), alternating ROUNDS times. Not a test: it prints numbers.
# For each run: posts stored, posts per commit, posts per server CPU-second (user + system of
# all its threads), the server's CPU per commit (microseconds) and its write-family system calls
# per commit (/proc/PID/io "syscw": pwrite and write, not send). Alternating two builds a few
# seconds apart is what lets a change of a few percent show on a machine whose speed drifts by
# more than that between minutes.
#
#   flock /tmp/fourdollar-bench.lock bash bench/writes.sh
#   ROUNDS=4 flock /tmp/fourdollar-bench.lock bash bench/writes.sh OLD_BINARY NEW_BINARY
#   for v in 1 2 5 10 20; do VUS=$v ROUNDS=1 bash bench/writes.sh; done
#       what a commit costs whatever it holds: the CPU per commit against the posts per commit
#   PERF=1 VUS=2 ROUNDS=1 bash bench/writes.sh
#       also where the server's CPU went in the last run (perf record -g, its top symbols;
#       perf itself adds to the CPU figures)
#
# Settings (environment): DURATION (s, 5), ROUNDS (3), VUS (5), PERF (0).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
VUS=${VUS:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools curl taskset wrk
[ "${PERF:-0}" = 1 ] && require_tools perf
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
printf '%-8s %-40s %8s %12s %16s %12s %14s\n' round binary posts posts/commit "posts/server CPU-s" \
  "CPU us/commit" "writes/commit"
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
    perf_pid=""
    # Only the last run is reported, so only it is recorded (perf adds to the server's CPU).
    if [ "${PERF:-0}" = 1 ] && [ "$round" = "$ROUNDS" ] && [ "$binary" = "${binaries[-1]}" ]; then
      perf record -g -o "$work/perf.data" -p "$server_pid" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$binary" load "$work/posts.yaml" \
      --target "$url" >"$work/load.out" 2>&1 || die "load failed: $(tail -5 "$work/load.out")"
    if [ -n "$perf_pid" ]; then
      kill -INT "$perf_pid"
      wait "$perf_pid" || true
    fi
    ticks=$(($(server_ticks) - ticks))
    writes=$(($(write_calls) - writes))
    posts=$(($(whole_metric fourdollar_posts_stored_total) - posts))
    commits=$(($(whole_metric fourdollar_write_batch_size_count) - commits))
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    awk -v r="$round" -v b="$binary" -v p="$posts" -v c="$commits" -v t="$ticks" -v hz="$hz" \
      -v w="$writes" 'BEGIN {
        printf "%-8s %-40s %8d %12.2f %16.0f %12.0f %14.1f\n", r, b, p, (c > 0 ? p / c : 0),
          (t > 0 ? p / (t / hz) : 0), (c > 0 ? t / hz / c * 1e6 : 0), (c > 0 ? w / c : 0) }'
  done
done
if [ "${PERF:-0}" = 1 ]; then
  echo "where the server's CPU went in the last run (perf report --no-children, top symbols):"
  perf report -i "$work/perf.data" --no-children --sort sym --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -15
fi
