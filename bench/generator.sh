#!/usr/bin/env bash
# What the generator costs per request, in one run against one `fourdollar serve` (SQLite, 1000
# posts) on SERVER_CPU, every generator on LOAD_CPU (taskset). Not a test: it prints numbers.
# Efficiency is requests per CPU-second of the generator (user + system time from GNU time).
#   1. wrk -t1 -c50 on the server's GET /: the reference.
#   2. `fourdollar load`, 50 VUs, one GET / step: at least 1.0x wrk.
#   3. scenarios/seed.yaml's flows, closed model, 50 VUs: at least 1.0x wrk.
#   4. The same flows, open model, at the iteration rate step 3 reached, max_vus 50 (the same
#      rate and concurrency): at least 0.9x step 3.
#   5. The same flows, open model at 80% of that rate with max_vus as `fourdollar bench`'s limit
#      search sets it (the rate, 50..5000): at least 0.9x step 3.
# Run it alone, as every benchmark:
#   flock /tmp/fourdollar-bench.lock bash bench/generator.sh        # 10 s per run
#   DURATION=20 flock /tmp/fourdollar-bench.lock bash bench/generator.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DURATION=${DURATION:-10}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
FOURDOLLAR=${FOURDOLLAR:-$root/build/src/cli/fourdollar}
NGINX=${NGINX:-/usr/sbin/nginx}
# shellcheck source=bench/lib.sh
source bench/lib.sh
for tool in wrk curl taskset; do
  command -v "$tool" >/dev/null || die "$tool is missing (bash scripts/install-deps.sh)"
done
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a whole number of seconds"
[ -x "$FOURDOLLAR" ] || bash scripts/build.sh >/dev/null

start_work genbench

# measure LABEL COMMAND...: runs on LOAD_CPU under GNU time; keeps output and "cpu_s max_kb".
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%U %S %M" -o "$work/$label.time" taskset -c "$LOAD_CPU" "$@" >"$work/$label.out" 2>&1 ||
    [ $? -eq 99 ] || die "$label failed: $(tail -5 "$work/$label.out")"
}
cpu_seconds() { awk '{ printf "%.2f", $1 + $2 }' "$work/$1.time"; }
wrk_requests() { awk '/requests in/ { print $1 }' "$work/$1.out"; }
load_requests() { sed -nE 's/^ *requests \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
load_rate() { sed -nE 's/^ *iterations \.+: [0-9]+ +([0-9.]+)\/s.*/\1/p' "$work/$1.out"; }
load_dropped() { sed -nE 's/^ *dropped iterations \.+: ([0-9]+).*/\1/p' "$work/$1.out"; }
per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

start_fourdollar "$work/fourdollar"
for _ in $(seq 10); do
  FOURDOLLAR_TOKEN=$token taskset -c "$LOAD_CPU" wrk -t1 -c8 -d1s -s bench/post.lua "$url/" >/dev/null
  [ "$(metric fourdollar_posts_stored_total | cut -d. -f1)" -ge 1000 ] && break
done

# seed_with HEADER: scenarios/seed.yaml's flows under another execution block (no thresholds:
# a run that misses them is still measured).
seed_with() {
  printf '%s\n' "$1"
  sed -n '/^scenarios:/,/^thresholds:/p' scenarios/seed.yaml | grep -v '^thresholds:'
}
printf 'vus: 50\nduration: %ss\nscenarios:\n  get:\n    flow:\n      - get: /\n' "$DURATION" >"$work/get.yaml"
seed_with "$(printf 'vus: 50\nduration: %ss' "$DURATION")" >"$work/closed.yaml"

measure wrk_get wrk -t1 -c50 "-d${DURATION}s" "$url/"
measure load_get "$FOURDOLLAR" load "$work/get.yaml" --target "$url" --out "$work/r-get"
measure closed env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/closed.yaml" \
  --target "$url" --out "$work/r-closed"
rate=$(awk -v r="$(load_rate closed)" 'BEGIN { printf "%.0f", r }')
[ "$rate" -gt 0 ] || die "the closed model ran no iteration: $(tail -5 "$work/closed.out")"
rate80=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r * 0.8 }')
max80=$(awk -v r="$rate80" 'BEGIN { print (r < 50 ? 50 : (r > 5000 ? 5000 : r)) }')
seed_with "arrival: {rate: $rate, duration: ${DURATION}s, max_vus: 50}" >"$work/open.yaml"
seed_with "arrival: {rate: $rate80, duration: ${DURATION}s, max_vus: $max80}" >"$work/open80.yaml"
measure open env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/open.yaml" \
  --target "$url" --out "$work/r-open"
measure open80 env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/open80.yaml" \
  --target "$url" --out "$work/r-open80"

w=$(per_cpu "$(wrk_requests wrk_get)" "$(cpu_seconds wrk_get)")
g=$(per_cpu "$(load_requests load_get)" "$(cpu_seconds load_get)")
c=$(per_cpu "$(load_requests closed)" "$(cpu_seconds closed)")
o=$(per_cpu "$(load_requests open)" "$(cpu_seconds open)")
o80=$(per_cpu "$(load_requests open80)" "$(cpu_seconds open80)")
echo "bench: generator on CPU $LOAD_CPU, fourdollar serve on CPU $SERVER_CPU, ${DURATION} s per run"
printf '%-52s %10s %9s %10s %8s %9s\n' run requests "CPU-s" "req/CPU-s" "vs wrk" "vs closed"
row() {
  printf '%-52s %10s %9s %10s %8s %9s\n' "$1" "$2" "$3" "$4" "$(ratio "$4" "$w")" "$5"
}
row "wrk -t1 -c50, GET /" "$(wrk_requests wrk_get)" "$(cpu_seconds wrk_get)" "$w" ""
row "load, 50 VUs, GET /" "$(load_requests load_get)" "$(cpu_seconds load_get)" "$g" ""
row "load, seed flows, closed, 50 VUs ($rate it/s)" "$(load_requests closed)" \
  "$(cpu_seconds closed)" "$c" 1.00
row "load, seed flows, open, $rate it/s, max_vus 50" "$(load_requests open)" \
  "$(cpu_seconds open)" "$o" "$(ratio "$o" "$c")"
row "load, seed flows, open, $rate80 it/s, max_vus $max80" "$(load_requests open80)" \
  "$(cpu_seconds open80)" "$o80" "$(ratio "$o80" "$c")"
echo "dropped iterations: open $(load_dropped open), open at 80% $(load_dropped open80)"
echo "plain GET vs wrk: $(ratio "$g" "$w")x (target >= 1.0); seed closed vs wrk: $(ratio "$c" "$w")x" \
  "(target >= 1.0); open vs closed: $(ratio "$o" "$c")x, at 80%: $(ratio "$o80" "$c")x (target >= 0.9)"
