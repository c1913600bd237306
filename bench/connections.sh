#!/usr/bin/env bash
# What many open connections cost each side, against its reference, in one run: requests per
# server CPU-second of `fourdollar serve` (SQLite, one loop thread) and of nginx serving the same
# bytes (its list page), under wrk's `GET /` with few and with many kept-alive connections; then
# requests per generator CPU-second of `fourdollar load` (N VUs, `GET /`) and of wrk with N
# connections, both against fourdollar. Servers on SERVER_CPU, clients on LOAD_CPU (taskset).
# Not a test: it prints numbers.
#
# Why: an open-model run (and each step of `fourdollar bench`) takes a new VU, with a new
# connection, for every arrival that finds none free, so a stall of a few milliseconds near
# capacity leaves thousands of connections open; whether the pair then catches up depends on
# what a request costs each side with that many connections.
#
#   flock /tmp/fourdollar-bench.lock bash bench/connections.sh
#   CONNECTIONS="50 500 2000 5000" DURATION=10 bash bench/connections.sh
#
# Settings (environment): CONNECTIONS (the counts, "50 1000 5000"), DURATION (s per run, 6),
# POSTS (300), SERVER_CPU (0), LOAD_CPU (1), FOURDOLLAR. Needs an open-file limit above the
# largest count (the soft limit is raised to the hard one).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-50 1000 5000}
DURATION=${DURATION:-6}
POSTS=${POSTS:-300}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset nginx
require_whole DURATION
require_whole POSTS
require_fourdollar
largest=0
for count in $CONNECTIONS; do
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be whole numbers above 0, got '$count'"
  [ "$count" -gt "$largest" ] && largest=$count
done
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((largest + 100)) ] ||
  die "the open-file limit ($(ulimit -n)) is too low for $largest connections"

start_work connections
start_fourdollar "$work/fourdollar"
seed_posts "$POSTS"
mkdir -p "$work/www"
curl -sf "$url/" -o "$work/www/index.html"
chmod 644 "$work/www/index.html"
NGINX_WORKER_CONNECTIONS=$((largest + 100)) start_nginx "$work/www" "$(free_port)"
cmp -s <(curl -sf "$nginx_url/") "$work/www/index.html" || die "nginx does not serve the saved page"

# server_run LABEL PID CONNECTIONS URL: wrk on LOAD_CPU; prints requests per CPU-second of PID
# (and its children: nginx's worker) over the run.
server_run() {
  local label=$1 pid=$2 count=$3 target=$4 before after
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 "-c$count" "-d${DURATION}s" "$target" >"$work/$label.out" 2>&1 ||
    die "wrk $label failed: $(cat "$work/$label.out")"
  after=$(cpu_ticks "$pid")
  grep -q 'Non-2xx or 3xx responses' "$work/$label.out" &&
    die "wrk $label got error responses: $(cat "$work/$label.out")"
  per_cpu "$(wrk_requests "$label")" \
    "$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { print t / hz }')"
}

echo "bench: servers on CPU $SERVER_CPU, clients on CPU $LOAD_CPU, ${DURATION} s per run," \
  "GET / of $(wc -c <"$work/www/index.html") bytes, kept-alive connections"
echo "requests per CPU-second of each side; (xF): against its own figure at the first count"
row() { printf '%-11s %9s %7s %9s %7s %8s | %9s %7s %9s %7s %8s\n' "$@"; }
row connections nginx "(xF)" serve "(xF)" "/nginx" wrk "(xF)" load "(xF)" "/wrk"
declare -A first
for count in $CONNECTIONS; do
  nginx_figure=$(server_run "nginx-$count" "$nginx_pid" "$count" "$nginx_url/")
  serve_figure=$(server_run "serve-$count" "$server_pid" "$count" "$url/")
  measure "wrk-$count" wrk -t1 "-c$count" "-d${DURATION}s" "$url/"
  wrk_figure=$(per_cpu "$(wrk_requests "wrk-$count")" "$(cpu_seconds "wrk-$count")")
  printf 'vus: %s\nduration: %ss\nscenarios:\n  get:\n    flow:\n      - get: /\n' "$count" \
    "$DURATION" >"$work/get-$count.yaml"
  measure "load-$count" "$FOURDOLLAR" load "$work/get-$count.yaml" --target "$url"
  load_figure=$(per_cpu "$(load_requests "load-$count")" "$(cpu_seconds "load-$count")")
  for side in nginx serve wrk load; do
    figure=${side}_figure
    first[$side]=${first[$side]:-${!figure}}
  done
  row "$count" "$nginx_figure" "$(ratio "$nginx_figure" "${first[nginx]}")" "$serve_figure" \
    "$(ratio "$serve_figure" "${first[serve]}")" "$(ratio "$serve_figure" "$nginx_figure")" \
    "$wrk_figure" "$(ratio "$wrk_figure" "${first[wrk]}")" "$load_figure" \
    "$(ratio "$load_figure" "${first[load]}")" "$(ratio "$load_figure" "$wrk_figure")"
done
