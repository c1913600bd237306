#!/usr/bin/env bash
# The server's cost per request under the seed scenario's mix, in one run: `fourdollar serve`
# (SQLite, synchronous=FULL, one loop thread) on SERVER_CPU, `fourdollar load` on LOAD_CPU
# (taskset). Not a test: it prints numbers. Every figure is requests (or posts) per second of
# the server's CPU (user + system, all its threads, read from /proc before and after each run).
#   1. plain GET /, closed model, 50 VUs: the reference;
#   2. the seed flows (10% post, then follow the 303 to GET /; 90% GET / then GET /ID), closed
#      model, 50 VUs; its iterations per second are the capacity;
#   3. the seed flows, open model at 80% of that capacity;
#   4. light load: the seed flows and the plain GET, open model at half of their capacity;
#   5. durable writes: 5 VUs that only post (no redirect followed), each post committed with
#      synchronous=FULL before its 303.
#
#   flock /tmp/fourdollar-bench.lock bash bench/mix.sh        # 10 s per run
#   DURATION=20 POSTS=300 flock /tmp/fourdollar-bench.lock bash bench/mix.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
POSTS=${POSTS:-300}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
require_whole DURATION
require_whole POSTS
require_fourdollar

start_work mixbench
start_fourdollar "$work/fourdollar"
for _ in $(seq 20); do
  FOURDOLLAR_TOKEN=$token POST_LIMIT=$POSTS taskset -c "$LOAD_CPU" wrk -t1 -c1 -d5s \
    -s bench/post.lua "$url/" >/dev/null
  [ "$(metric fourdollar_posts_stored_total | cut -d. -f1)" -ge "$POSTS" ] && break
done

# The server's CPU time so far, in seconds (utime + stime of every thread).
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$server_pid/stat"
}
posts_stored() { metric fourdollar_posts_stored_total | cut -d. -f1; }
load_requests() { sed -nE 's/^ *requests \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
load_iterations() { sed -nE 's/^ *iterations \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
load_failed() { sed -nE 's/^ *failures \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# run LABEL SCENARIO: runs the scenario on LOAD_CPU; sets cpu[LABEL] (server CPU-seconds used)
# and per_commit[LABEL] (writes per write transaction, from /metrics; "-" without writes).
declare -A cpu per_commit
run() {
  local label=$1 scenario=$2 before after writes commits
  writes=$(metric fourdollar_write_batch_size_sum)
  commits=$(metric fourdollar_write_batch_size_count)
  before=$(server_cpu)
  FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$scenario" \
    --target "$url" --out "$work/r-$label" >"$work/$label.out" 2>&1 ||
    [ $? -eq 99 ] || die "$label failed: $(tail -5 "$work/$label.out")"
  after=$(server_cpu)
  cpu[$label]=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.3f", b - a }')
  writes=$(awk -v a="$writes" -v b="$(metric fourdollar_write_batch_size_sum)" \
    'BEGIN { print b - a }')
  commits=$(awk -v a="$commits" -v b="$(metric fourdollar_write_batch_size_count)" \
    'BEGIN { print b - a }')
  per_commit[$label]=$(awk -v w="$writes" -v c="$commits" \
    'BEGIN { if (c > 0) printf "%.2f", w / c; else print "-" }')
}

# The seed scenario's flows with another way of starting iterations ($1: YAML lines).
seed_with() {
  echo "$1"
  sed -n '/^scenarios:/,/^thresholds:/p' scenarios/seed.yaml | sed '$d'
}
seed_with "vus: 50
duration: ${DURATION}s" >"$work/seed_closed.yaml"
cat >"$work/get_closed.yaml" <<YAML
vus: 50
duration: ${DURATION}s
scenarios:
  get:
    flow:
      - get: /
YAML
cat >"$work/posts.yaml" <<YAML
vus: 5
duration: ${DURATION}s
max_redirects: 0
scenarios:
  writers:
    flow:
      - post: /
        headers: {Authorization: "Bearer \${FOURDOLLAR_WRITE_TOKEN}"}
        json: {title: "\${random.words(3,8)}", body: "\${random.text(200,2000)}"}
        check: {status: 303}
YAML

run get_closed "$work/get_closed.yaml"
run seed_closed "$work/seed_closed.yaml"
capacity=$(div "$(load_iterations seed_closed)" "$DURATION")
get_capacity=$(div "$(load_iterations get_closed)" "$DURATION")
open_yaml() {  # open_yaml RATE FILE SCENARIO: the flows of FILE started at RATE per second
  local rate=$1
  if [ "$3" = seed ]; then
    seed_with "arrival: {rate: $rate, duration: ${DURATION}s, max_vus: 500}"
  else
    echo "arrival: {rate: $rate, duration: ${DURATION}s, max_vus: 500}"
    sed -n '/^scenarios:/,$p' "$work/get_closed.yaml"
  fi >"$2"
}
open_yaml "$((capacity * 8 / 10))" "$work/seed_open80.yaml" seed
open_yaml "$((capacity / 2))" "$work/seed_open50.yaml" seed
open_yaml "$((get_capacity / 2))" "$work/get_open50.yaml" get
run seed_open80 "$work/seed_open80.yaml"
run seed_open50 "$work/seed_open50.yaml"
run get_open50 "$work/get_open50.yaml"
posts_before=$(posts_stored)
run posts "$work/posts.yaml"
posts=$(($(posts_stored) - posts_before))

per_cpu() { div "$(load_requests "$1")" "${cpu[$1]}"; }
get=$(per_cpu get_closed)
echo "bench: server on CPU $SERVER_CPU, generator on CPU $LOAD_CPU, ${DURATION} s per run," \
  "SQLite synchronous=FULL, $POSTS posts to start"
printf '%-46s %10s %10s %9s %10s %8s %12s\n' run requests "server CPU" "failed" "req/CPU-s" \
  "vs GET" "posts/commit"
row() {  # row LABEL TEXT
  local figure
  figure=$(per_cpu "$1")
  printf '%-46s %10s %9ss %9s %10s %8s %12s\n' "$2" "$(load_requests "$1")" "${cpu[$1]}" \
    "$(load_failed "$1")" "$figure" "$(ratio "$figure" "$get")" "${per_commit[$1]}"
}
row get_closed "GET /, closed, 50 VUs"
row seed_closed "seed flows, closed, 50 VUs ($capacity it/s)"
row seed_open80 "seed flows, open, $((capacity * 8 / 10)) it/s (80%)"
row seed_open50 "seed flows, open, $((capacity / 2)) it/s (50%)"
row get_open50 "GET /, open, $((get_capacity / 2)) it/s (50%)"
echo "light load: seed flows at 50% $(ratio "$(per_cpu seed_open50)" "$(per_cpu seed_closed)")x" \
  "their figure at capacity; GET / at 50% $(ratio "$(per_cpu get_open50)" "$get")x"
echo "durable writes, 5 VUs posting: $posts posts in ${cpu[posts]} server CPU-s:" \
  "$(div "$posts" "${cpu[posts]}") posts per server CPU-second, ${per_commit[posts]} per commit"
