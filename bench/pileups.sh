#!/usr/bin/env bash
# Whether an open-model run near capacity that piles up catches up again: the seed scenario's
# flows at RATE iterations/s (open model, `max_vus` as `fourdollar bench`'s steps set it) from
# `fourdollar load` on LOAD_CPU against one `fourdollar serve` (SQLite, one loop thread, 1000
# posts) on SERVER_CPU, RUNS times in a row. Not a test: it prints numbers.
#
# For each run, each whole second's VUs in flight, p99 (ms), dropped iterations, the server's CPU
# (% of a core, from the generator's --watch-pid) and the generator's, then whether
# the run piled up (a second with more than PILED VUs, where a dozen or two carry the rate) and
# whether it had caught up by its last second. A stall of a few milliseconds (bench/stalls.sh)
# leaves arrivals waiting, each takes a new VU with a new connection, and with thousands of
# connections every request costs both sides more (bench/connections.sh).
#
#   RATE=18000 flock /tmp/fourdollar-bench.lock bash bench/pileups.sh
#   RATE=15000 RUNS=10 DURATION=8 flock /tmp/fourdollar-bench.lock bash bench/pileups.sh
#   MAX_VUS=1900 RATE=19000 RUNS=10 ... bash bench/pileups.sh    fewer VUs than the bench allows
#
# Settings (environment): RATE (iterations/s, 18000), RUNS (6), DURATION (s, 5), PILED (1000),
# MAX_VUS (default as the bench's steps: the rate, 50 to 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-18000}
RUNS=${RUNS:-6}
DURATION=${DURATION:-5}
PILED=${PILED:-1000}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
require_whole RATE
require_whole RUNS
require_whole DURATION
require_whole PILED
require_fourdollar
ulimit -n "$(ulimit -Hn)"

start_work pileups
start_fourdollar "$work/fourdollar"
seed_posts 1000
# As LimitStepScenario (src/bench/bench_scenarios.cc) sets a step's VUs: the rate, 50 to 5000.
max_vus=${MAX_VUS:-$((RATE < 50 ? 50 : RATE > 5000 ? 5000 : RATE))}
require_whole max_vus
seed_with "arrival: {rate: $RATE, duration: ${DURATION}s, max_vus: $max_vus}" >"$work/step.yaml"

echo "bench: server on CPU $SERVER_CPU, generator on CPU $LOAD_CPU, the seed flows at $RATE" \
  "iterations/s for ${DURATION} s (max_vus $max_vus), $RUNS runs"
echo "each second: VUs in flight / p99 ms / dropped iterations / server CPU % / generator CPU %"
piled=0
caught_up=0
for run in $(seq "$RUNS"); do
  rm -rf "$work/out"
  FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/step.yaml" \
    --target "$url" --watch-pid "$server_pid" --out "$work/out" >"$work/load.out" 2>&1 ||
    [ $? -eq 99 ] || die "load failed: $(tail -5 "$work/load.out")"
  # seconds.csv: time_s,unix_ms,name,vus,offered_rate,requests,failures,p50_ms,p95_ms,p99_ms,...
  # server_cpu_percent is column 14, generator_cpu_percent 16, dropped_iterations 18; the
  # drain's second (after the run) is left out.
  verdict=$(awk -F, -v last=$((DURATION - 1)) -v piled="$PILED" '
    NR > 1 && $3 == "*" && $1 <= last {
      line = line sprintf(" %s:%s/%.0f/%s/%.0f/%.0f", $1, $4, $10, $18, $14, $16)
      if ($4 > piled) up = 1
      if ($1 == last) end_vus = $4
    }
    END { printf "%s|%d|%d", line, up, (up && end_vus <= piled / 10) }' "$work/out/seconds.csv")
  IFS='|' read -r seconds up recovered <<<"$verdict"
  piled=$((piled + up))
  caught_up=$((caught_up + recovered))
  state=""
  [ "$up" = 1 ] && state="  piled up"
  [ "$recovered" = 1 ] && state="$state, caught up"
  printf 'run %-3s%s%s\n' "$run" "$seconds" "$state"
done
echo "piled up (a second above $PILED VUs): $piled of $RUNS runs; of those, caught up by the" \
  "last second: $caught_up"
