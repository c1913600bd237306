#!/usr/bin/env bash
# Benchmark of `fourdollar load` against wrk, in one run: the target on CPU 0, the generator on
# CPU 1 (taskset). Not a test: it prints numbers.
#   1. nginx serves a 900-byte file; wrk -t1 -c50 and `fourdollar load` (50 VUs, one GET step)
#      each drive it; compared by requests per CPU-second of the generator, and peak memory.
#   2. `fourdollar serve` (SQLite, 1000 posts) driven by scenarios/seed.yaml's flows (50 VUs),
#      against wrk on the same server's GET /.
#
#   The plain GET is measured in ROUNDS alternating pairs (wrk, then fourdollar load), and the
#   median of the rounds' ratios is reported, so a drift in the machine's speed during the run
#   weighs on both sides alike.
#
#   bash bench/load.sh                 # 10 s per measurement, 3 rounds of the plain GET
#   DURATION=30 ROUNDS=5 bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset nginx
require_whole DURATION
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a whole number"
require_fourdollar

start_work loadbench

# 1. Plain GET of a 900-byte file from nginx.
mkdir -p "$work/www"
head -c 900 /dev/zero | tr '\0' 'a' >"$work/www/index.html"
nginx_port=$(free_port)
start_nginx "$work/www" "$nginx_port"
get_with "vus: 50
duration: ${DURATION}s" >"$work/get.yaml"
round_ratios=()
for round in $(seq "$ROUNDS"); do
  measure "wrk_get$round" wrk -t1 -c50 "-d${DURATION}s" "http://127.0.0.1:$nginx_port/"
  measure "load_get$round" "$FOURDOLLAR" load "$work/get.yaml" --target "http://127.0.0.1:$nginx_port" \
    --out "$work/r1-$round"
  round_wg=$(per_cpu "$(wrk_requests "wrk_get$round")" "$(cpu_seconds "wrk_get$round")")
  round_lg=$(per_cpu "$(load_requests "load_get$round")" "$(cpu_seconds "load_get$round")")
  round_ratios+=("$(ratio "$round_lg" "$round_wg")")
done
# The round with the median ratio stands for the plain GET in the table below.
median_round=$(for i in "${!round_ratios[@]}"; do echo "${round_ratios[$i]} $((i + 1))"; done |
  sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) { print $2 }')
cp "$work/wrk_get$median_round.out" "$work/wrk_get.out"
cp "$work/wrk_get$median_round.time" "$work/wrk_get.time"
cp "$work/load_get$median_round.out" "$work/load_get.out"
cp "$work/load_get$median_round.time" "$work/load_get.time"
kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

# 2. The seed scenario against fourdollar serve with 1000 posts, and wrk on its GET /.
start_fourdollar "$work/fourdollar"
seed_posts 1000
sed -E "s/duration: 30s/duration: $((DURATION / 3 > 0 ? DURATION / 3 : 1))s/" scenarios/seed.yaml >"$work/seed.yaml"
measure wrk_list wrk -t1 -c50 "-d${DURATION}s" "$url/"
measure load_seed env FOURDOLLAR_WRITE_TOKEN="$token" "$FOURDOLLAR" load "$work/seed.yaml" --target "$url" --out "$work/r2"

# 3. Memory of 10000 idle VUs (one request per second each), read from /proc during the hold.
cat >"$work/idle.yaml" <<YAML
stages:
  - {duration: 4s, target: 10000}
  - {duration: 6s, target: 10000}
scenarios:
  idle:
    flow:
      - get: /healthz
        think: 1s
YAML
taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/idle.yaml" --target "$url" --out "$work/r3" >"$work/idle.out" 2>&1 &
idle_pid=$!
sleep 8
idle_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$idle_pid/status")
idle_anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$idle_pid/status")
wait "$idle_pid" || die "the 10000-VU run failed: $(tail -5 "$work/idle.out")"

wg=$(per_cpu "$(wrk_requests wrk_get)" "$(cpu_seconds wrk_get)")
lg=$(per_cpu "$(load_requests load_get)" "$(cpu_seconds load_get)")
wl=$(per_cpu "$(wrk_requests wrk_list)" "$(cpu_seconds wrk_list)")
ls=$(per_cpu "$(load_requests load_seed)" "$(cpu_seconds load_seed)")
echo "bench: generator on CPU $LOAD_CPU, target on CPU $SERVER_CPU, ${DURATION} s per run"
echo "plain GET, fourdollar load vs wrk per CPU-second, round by round: ${round_ratios[*]} (median: round $median_round)"
printf '%-44s %12s %10s %8s %10s\n' run requests "req/CPU-s" "vs wrk" "max RSS"
printf '%-44s %12s %10s %8s %9sM\n' "wrk -t1 -c50, nginx 900 B" "$(wrk_requests wrk_get)" "$wg" 1.00 "$(max_mb wrk_get)"
printf '%-44s %12s %10s %8s %9sM\n' "fourdollar load 50 VUs, nginx 900 B" "$(load_requests load_get)" "$lg" "$(ratio "$lg" "$wg")" "$(max_mb load_get)"
printf '%-44s %12s %10s %8s %9sM\n' "wrk -t1 -c50, fourdollar GET /" "$(wrk_requests wrk_list)" "$wl" 1.00 "$(max_mb wrk_list)"
printf '%-44s %12s %10s %8s %9sM\n' "fourdollar load seed.yaml 50 VUs, fourdollar" "$(load_requests load_seed)" "$ls" "$(ratio "$ls" "$wl")" "$(max_mb load_seed)"
echo "seed scenario per CPU-second: $(ratio "$ls" "$wg")x wrk's on the plain GET of nginx," \
  "$(ratio "$ls" "$wl")x wrk's on fourdollar's GET /"
echo "10000 idle VUs: resident ${idle_rss} kB, of which ${idle_anon} kB anonymous" \
  "($((idle_anon * 1024 / 10000)) bytes per VU including the process's own)"
