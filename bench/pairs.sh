#!/usr/bin/env bash
# Issue-level ratios of the seed mix from many short runs side by side: `fourdollar serve`
# (SQLite, synchronous=FULL, one loop thread, 300 posts or more) on SERVER_CPU, `fourdollar
# load` on LOAD_CPU (taskset). PAIRS times two runs of SLICE seconds each, back to back (which
# goes first alternates); each pair gives a ratio of requests per server CPU-second; the script
# prints every pair, then the median and the quartiles of the ratios and how many pairs reached
# the target. Not a test: it prints numbers. MODE says which pair:
#   closed  the seed flows against `GET /`, both closed with 50 VUs (target 0.75);
#   open80  the seed flows in the open model at 80% of their capacity (at most OPEN_MAX_VUS
#           VUs) against `GET /` closed (target 0.75);
#   light   the seed flows in the open model at half of their capacity (at most OPEN_MAX_VUS
#           VUs) against the same flows at capacity (target 0.8).
# The capacity is bench/mix.sh's "as weighted", measured once before the pairs: the flows in the
# open model, at most 50 VUs, offered 5/4 of a closed run's iterations per second, so that every
# VU is always busy and the iterations that start are the flows' 10%/90%; in the light mode each
# pair runs that again as its reference. An open run starts from no VU, as bench/mix.sh's do.
#
# Why pairs: this shared VM's speed drifts by more than these figures differ, over seconds to
# minutes (docs/benchmarks.md, "Why the mix's ratios move between runs"), and bench/mix.sh's runs
# stand a minute or more apart from those of its next round. Two runs a few seconds apart mostly
# see the same machine, and the median of many such pairs is moved by a slow stretch only in the
# pairs it touched.
#
#   flock /tmp/fourdollar-bench.lock bash bench/pairs.sh
#   PAIRS=20 SLICE=3 flock /tmp/fourdollar-bench.lock bash bench/pairs.sh
#   MODE=light PAIRS=16 SLICE=3 flock /tmp/fourdollar-bench.lock bash bench/pairs.sh
#
# Settings (environment): MODE (closed), PAIRS (12), SLICE (s, 2), OPEN_MAX_VUS (500).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-closed}
PAIRS=${PAIRS:-12}
SLICE=${SLICE:-2}
OPEN_MAX_VUS=${OPEN_MAX_VUS:-500}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
require_whole PAIRS
require_whole SLICE
require_whole OPEN_MAX_VUS
case $MODE in
  closed | open80 | light) ;;
  *) die "MODE must be closed, open80 or light, not '$MODE'" ;;
esac
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
# open_seed NAME RATE MAX_VUS: the seed flows started at RATE per second by at most MAX_VUS.
open_seed() {
  seed_with "arrival: {rate: $2, duration: ${SLICE}s, max_vus: $3}" >"$work/$1.yaml"
}

case $MODE in
  closed)
    reference=get first="GET /" subject=seed second="seed flows" target=0.75
    ;;
  open80 | light)
    # The capacity, once: a closed run's iterations per second, then the flows offered 5/4 of
    # that by at most 50 VUs.
    seed_with "vus: 50
duration: $((SLICE * 2))s" >"$work/estimate.yaml"
    run estimate >/dev/null
    open_seed capacity "$(($(quotient "$(load_iterations estimate)" "$((SLICE * 2))") * 5 / 4))" 50
    run capacity >/dev/null
    capacity=$(quotient "$(load_iterations capacity)" "$SLICE")
    [ "$capacity" -gt 0 ] || die "no capacity measured: $(tail -5 "$work/capacity.out")"
    rate=$((capacity / 2))
    [ "$MODE" = open80 ] && rate=$((capacity * 8 / 10))
    open_seed subject "$rate" "$OPEN_MAX_VUS"
    echo "capacity (seed flows as weighted): $capacity iterations/s"
    if [ "$MODE" = open80 ]; then
      reference=get first="GET /" subject=subject second="seed flows at 80%" target=0.75
    else
      reference=capacity first="seed at capacity" subject=subject second="seed flows at 50%"
      target=0.8
    fi
    ;;
esac

echo "bench: $second against $first, $SLICE s each, $PAIRS pairs;" \
  "server on CPU $SERVER_CPU, load on CPU $LOAD_CPU"
printf '%-6s %18s %18s %8s\n' pair "$first" "$second" ratio
ratios=()
for pair in $(seq "$PAIRS"); do
  if [ $((pair % 2)) -eq 1 ]; then
    a=$(run "$reference")
    b=$(run "$subject")
  else
    b=$(run "$subject")
    a=$(run "$reference")
  fi
  ratios+=("$(ratio "$b" "$a")")
  printf '%-6s %18s %18s %8s\n' "$pair" "$a" "$b" "${ratios[-1]}"
done
quartiles=()
for q in 0.25 0.5 0.75; do
  quartiles+=("$(printf '%s\n' "${ratios[@]}" | quantile "$q" | awk '{ printf "%.2f", $1 }')")
done
met=$(printf '%s\n' "${ratios[@]}" | awk -v t="$target" '$1 >= t { n++ } END { print n + 0 }')
echo "$second vs $first, requests per server CPU-second: median ${quartiles[1]}, quartiles" \
  "${quartiles[0]} and ${quartiles[2]}; $met of $PAIRS pairs at $target or more"
