#!/usr/bin/env bash
# The seed mix's requests per server CPU-second against `GET /`'s, closed model, from many short
# runs side by side: `fourdollar serve` (SQLite, synchronous=FULL, one loop thread, 300 posts or
# more) on SERVER_CPU, `fourdollar load` (50 VUs) on LOAD_CPU (taskset). PAIRS times: a `GET /`
# run and a run of the seed scenario's flows, SLICE seconds each, back to back (which goes first
# alternates). Each pair gives a ratio; the script prints every pair, then the median and the
# quartiles of the ratios and how many pairs reached 0.75. Not a test: it prints numbers.
#
# Why pairs: this shared VM's speed drifts by more than these figures differ, over seconds to
# minutes (docs/benchmarks.md, "Why the mix's ratios move between runs"), and bench/mix.sh's two
# closed runs stand a minute or more apart from those of its next round. Two runs a few seconds
# apart mostly see the same machine, and the median of many such pairs is moved by a slow
# stretch only in the pairs it touched.
#
#   flock /tmp/fourdollar-bench.lock bash bench/pairs.sh
#   PAIRS=20 SLICE=3 flock /tmp/fourdollar-bench.lock bash bench/pairs.sh
#
# Settings (environment): PAIRS (12), SLICE (s, 2).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-12}
SLICE=${SLICE:-2}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
require_whole PAIRS
require_whole SLICE
require_fourdollar

start_work pairs
start_fourdollar "$work/fourdollar"
seed_posts 300

get_with "vus: 50
duration: ${SLICE}s" >"$work/get.yaml"
seed_with "vus: 50
duration: ${SLICE}s" >"$work/seed.yaml"

# run NAME: one run of $work/NAME.yaml; prints its requests per server CPU-second (the server's
# utime + stime, all its threads, from /proc before and after).
run() {
  local before after
  before=$(cpu_ticks "$server_pid")
  FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/$1.yaml" \
    --target "$url" >"$work/$1.out" 2>&1 || [ $? -eq 99 ] || die "$1 failed: $(tail -5 "$work/$1.out")"
  after=$(cpu_ticks "$server_pid")
  per_cpu "$(($(load_requests "$1") * hz))" "$((after - before))"
}

echo "bench: GET / and the seed flows, closed, 50 VUs, $SLICE s each, $PAIRS pairs;" \
  "server on CPU $SERVER_CPU, load on CPU $LOAD_CPU"
printf '%-6s %12s %12s %8s\n' pair "GET /" "seed flows" ratio
ratios=()
for pair in $(seq "$PAIRS"); do
  if [ $((pair % 2)) -eq 1 ]; then
    get=$(run get)
    seed=$(run seed)
  else
    seed=$(run seed)
    get=$(run get)
  fi
  ratios+=("$(ratio "$seed" "$get")")
  printf '%-6s %12s %12s %8s\n' "$pair" "$get" "$seed" "${ratios[-1]}"
done
quartiles=()
for q in 0.25 0.5 0.75; do
  quartiles+=("$(printf '%s\n' "${ratios[@]}" | quantile "$q" | awk '{ printf "%.2f", $1 }')")
done
met=$(printf '%s\n' "${ratios[@]}" | awk '$1 >= 0.75 { n++ } END { print n + 0 }')
echo "seed flows vs GET /, requests per server CPU-second: median ${quartiles[1]}, quartiles" \
  "${quartiles[0]} and ${quartiles[2]}; $met of $PAIRS pairs at 0.75 or more"
