#!/usr/bin/env bash
# What the generator costs per request, in one run against one `fourdollar serve` (SQLite, 1000
# posts) on SERVER_CPU, every generator on LOAD_CPU (taskset). Not a test: it prints numbers.
# Efficiency is requests per CPU-second of the generator (user + system time from GNU time).
#   1. wrk -t1 -c50 on the server's GET /: the reference.
#   2. `fourdollar load`, 50 VUs, one GET / step: at least 1.0x wrk.
#   3. scenarios/seed.yaml's flows, closed model, 50 VUs: at least 1.0x wrk. Its iteration rate
#      is the server's capacity C.
#   4. The same flows, closed model below capacity: 50 VUs that think 50/(PACE C) s on average
#      (uniform from half to 1.5 times that) after each iteration's last step, so they run at
#      most at PACE (default 0.5) of C; their rate is R. Below the server's capacity in the
#      open model too, where it answers the same flows at a higher cost per request (arrivals
#      one by one share fewer wake-ups), so that both runs measure the generator, not a server
#      falling behind.
#   5. The same flows, open model at R, max_vus as `fourdollar bench`'s limit search sets it (the
#      rate, 50..5000): at least 0.9x step 4 (the same flows at the same rate).
# PERF_STAT=1 (needs perf, Debian linux-perf) also counts, per request of each `fourdollar load` run, the loop's wake-ups
# (epoll_pwait2 or epoll_wait calls), context switches and new connections (perf stat, which costs a little CPU).
# Run it alone, as every benchmark:
#   flock /tmp/fourdollar-bench.lock bash bench/generator.sh        # 10 s per run
#   DURATION=20 flock /tmp/fourdollar-bench.lock bash bench/generator.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PACE=${PACE:-0.5}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
require_whole DURATION
require_fourdollar

start_work genbench
load_rate() { sed -nE 's/^ *iterations \.+: [0-9]+ +([0-9.]+)\/s.*/\1/p' "$work/$1.out"; }
load_dropped() { sed -nE 's/^ *dropped iterations \.+: ([0-9]+).*/\1/p' "$work/$1.out"; }

start_fourdollar "$work/fourdollar"
seed_posts 1000

get_with "$(printf 'vus: 50\nduration: %ss' "$DURATION")" >"$work/get.yaml"
seed_with "$(printf 'vus: 50\nduration: %ss' "$DURATION")" >"$work/closed.yaml"

measure wrk_get wrk -t1 -c50 "-d${DURATION}s" "$url/"
measure load_get "$FOURDOLLAR" load "$work/get.yaml" --target "$url" --out "$work/r-get"
measure closed env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/closed.yaml" \
  --target "$url" --out "$work/r-closed"
capacity=$(awk -v r="$(load_rate closed)" 'BEGIN { printf "%.0f", r }')
[ "$capacity" -gt 0 ] || die "the closed model ran no iteration: $(tail -5 "$work/closed.out")"
think_ms=$(awk -v c="$capacity" -v pace="$PACE" 'BEGIN { printf "%.0f", 50 / (pace * c) * 1000 }')
# Uniform around the mean, as users think: a fixed pause would keep the 50 VUs, which start
# together, in step, so that their requests share wake-ups as no real users' do.
think="{min: $((think_ms / 2))ms, max: $((think_ms * 3 / 2))ms}"
seed_with "$(printf 'vus: 50\nduration: %ss' "$DURATION")" |
  sed -E "s/^( +)name: (create post|open post)$/&\n\1think: $think/" >"$work/paced.yaml"
grep -q "think: {min" "$work/paced.yaml" || die "no think step added to the seed flows"
measure paced env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/paced.yaml" \
  --target "$url" --out "$work/r-paced"
rate=$(awk -v r="$(load_rate paced)" 'BEGIN { printf "%.0f", r }')
max_vus=$(awk -v r="$rate" 'BEGIN { print (r < 50 ? 50 : (r > 5000 ? 5000 : r)) }')
seed_with "arrival: {rate: $rate, duration: ${DURATION}s, max_vus: $max_vus}" >"$work/open.yaml"
measure open env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/open.yaml" \
  --target "$url" --out "$work/r-open"

w=$(per_cpu "$(wrk_requests wrk_get)" "$(cpu_seconds wrk_get)")
g=$(per_cpu "$(load_requests load_get)" "$(cpu_seconds load_get)")
c=$(per_cpu "$(load_requests closed)" "$(cpu_seconds closed)")
p=$(per_cpu "$(load_requests paced)" "$(cpu_seconds paced)")
o=$(per_cpu "$(load_requests open)" "$(cpu_seconds open)")
echo "bench: generator on CPU $LOAD_CPU, fourdollar serve on CPU $SERVER_CPU, ${DURATION} s per run"
printf '%-56s %9s %7s %10s %7s %10s\n' run requests "CPU-s" "req/CPU-s" "vs wrk" "vs paced"
row() {
  printf '%-56s %9s %7s %10s %7s %10s\n' "$1" "$(load_requests "$2" || true)" "$(cpu_seconds "$2")" \
    "$3" "$(ratio "$3" "$w")" "$4"
}
printf '%-56s %9s %7s %10s %7s %10s\n' "wrk -t1 -c50, GET /" "$(wrk_requests wrk_get)" \
  "$(cpu_seconds wrk_get)" "$w" 1.00 ""
row "load, 50 VUs, GET /" load_get "$g" ""
row "load, seed flows, closed, 50 VUs: $capacity it/s" closed "$c" ""
row "load, seed flows, closed, 50 VUs, think ~${think_ms}ms: $rate it/s" paced "$p" 1.00
row "load, seed flows, open, $rate it/s, max_vus $max_vus" open "$o" "$(ratio "$o" "$p")"
if [ "${PERF_STAT:-0}" = 1 ]; then
  for label in load_get closed paced open; do
    awk -F, -v n="$(load_requests "$label")" -v label="$label" '
      $3 ~ /context-switches/ { cs = $1 } $3 ~ /epoll_(wait|pwait2)/ { ew += $1 } $3 ~ /connect/ { co = $1 }
      END { printf "%-9s per request: %.3f waits, %.3f context switches, %.4f connects\n",
                   label, ew / n, cs / n, co / n }' "$work/$label.perf"
  done
fi
echo "dropped iterations in the open model: $(load_dropped open)"
echo "plain GET vs wrk: $(ratio "$g" "$w")x (target >= 1.0); seed flows (closed, 50 VUs) vs wrk:" \
  "$(ratio "$c" "$w")x (target >= 1.0); open vs closed at the same rate: $(ratio "$o" "$p")x" \
  "(target >= 0.9)"
