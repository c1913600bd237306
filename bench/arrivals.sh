#!/usr/bin/env bash
# How exactly the open model starts its arrivals, and what that costs the generator: one
# `fourdollar serve` (SQLite, 300 posts) on SERVER_CPU, then `fourdollar load` on LOAD_CPU
# (taskset) with `GET /` at RATE arrivals per second, once per binary given (default: this
# build), alternating ROUNDS times. Not a test: it prints numbers. For each run: the `blocked`
# phase (from an arrival's due time to its start), the server's `waiting`, the duration's mean,
# p50 and p95 as the generator measured them, and the generator's CPU-seconds (user + system).
# A server answering a cached `GET /` in about 0.1 ms shows how much of the figures is the
# generator's own timing.
#
#   flock /tmp/fourdollar-bench.lock bash bench/arrivals.sh
#   RATE=2000 flock /tmp/fourdollar-bench.lock bash bench/arrivals.sh OLD_BINARY NEW_BINARY
#
# Settings (environment): RATE (20000), DURATION (s, 8), ROUNDS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-20000}
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools curl taskset
require_whole RATE
require_whole DURATION
require_whole ROUNDS
require_fourdollar
binaries_from "$@"

start_work arrivals
start_fourdollar "$work/fourdollar"
seed_posts 300
cat >"$work/open.yaml" <<YAML
arrival: {rate: $RATE, duration: ${DURATION}s, max_vus: 500}
scenarios:
  list:
    flow:
      - get: /
YAML

echo "bench: GET / at $RATE arrivals/s for ${DURATION} s; server on CPU $SERVER_CPU, generator on CPU $LOAD_CPU"
printf '%-40s %9s %9s %8s %8s %8s %9s %9s\n' binary "blocked" "waiting" "mean" "p50" "p95" \
  "requests" "CPU-s"
for round in $(seq "$ROUNDS"); do
  for i in "${!binaries[@]}"; do
    out="$work/run-$round-$i"
    TIMEFORMAT='%U %S'
    { time taskset -c "$LOAD_CPU" "${binaries[$i]}" load "$work/open.yaml" --target "$url" \
      --out "$out" >"$out.txt" 2>&1; } 2>"$out.time" || [ $? -eq 99 ] ||
      die "${binaries[$i]} failed: $(tail -5 "$out.txt")"
    # "phases (ms) ..: avg / p95:  blocked A / B  connecting ...  waiting C / D ..."
    blocked=$(sed -nE 's/.*blocked ([0-9.]+) \/.*/\1/p' "$out.txt")
    waiting=$(sed -nE 's/.*waiting ([0-9.]+) \/.*/\1/p' "$out.txt")
    # "  all  REQUESTS FAILED MIN AVG P50 P90 P95 ..."
    read -r requests mean p50 p95 < <(awk '$1 == "all" { print $2, $5, $6, $8; exit }' "$out.txt")
    cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$out.time")
    printf '%-40s %7sms %7sms %6sms %6sms %6sms %9s %9s\n' "${binaries[$i]}" "$blocked" \
      "$waiting" "$mean" "$p50" "$p95" "$requests" "$cpu"
  done
done
