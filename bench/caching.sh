#!/usr/bin/env bash
# The blog's HTTP caching and compression against nginx, in one run, with the server on CPU 0 and
# wrk on CPU 1 (taskset). Not a test: it prints numbers.
#   1. GET / with Accept-Encoding: gzip: fourdollar (its gzip copy, made once per cached page)
#      vs nginx serving the same gzip bytes with gzip_static.
#   2. fourdollar: a revalidation (If-None-Match with the page's ETag, 304) vs a full GET / (gzip);
#      and the same for nginx (its ETag for the gzip file), the reference for what a 304 can save
#      on this machine.
# Each run reports requests/s and requests per CPU-second of the server (user + system time from
# /proc): when wrk saturates its CPU, or other processes take the server's, requests/s measures
# them; the CPU-second figure still measures what a request costs the server.
#
#   flock /tmp/fourdollar-bench.lock bash bench/caching.sh
#
# Settings (environment): DURATION (s, default 10), CONNECTIONS (64), SEED_POSTS (100),
# SERVER_CPU (0), WRK_CPU (1), FOURDOLLAR (default build/src/cli/fourdollar; built when missing).
# Requires: nginx-light, wrk, curl, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
SEED_POSTS=${SEED_POSTS:-100}
WRK_CPU=${WRK_CPU:-1}

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
require_tools wrk curl taskset nginx
require_whole DURATION
require_fourdollar
start_work caching

# run_wrk LABEL PID URL [HEADER...]: wrk on WRK_CPU against the server PID; output in
# $work/LABEL.txt, and "SERVER_S WRK_S" (CPU seconds, user + system) in $work/LABEL.cpu.
run_wrk() {
  local label=$1 pid=$2 target=$3
  shift 3
  local args=(-t1 "-c$CONNECTIONS" "-d${DURATION}s" --latency)
  for header in "$@"; do args+=(-H "$header"); done
  local before after TIMEFORMAT='%U %S'
  before=$(cpu_ticks "$pid")
  { time taskset -c "$WRK_CPU" wrk "${args[@]}" "$target" >"$work/$label.txt"; } 2>"$work/$label.time"
  after=$(cpu_ticks "$pid")
  grep -q '^Requests/sec' "$work/$label.txt" || die "wrk $label failed: $(cat "$work/$label.txt")"
  awk -v s=$((after - before)) -v hz="$hz" '{ printf "%.3f %.3f\n", s / hz, $1 + $2 }' \
    "$work/$label.time" >"$work/$label.cpu"
}
rps() { awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$work/$1.txt"; }
# Requests per CPU-second of the server: what one request costs the server, whether or not wrk
# (on its one CPU) or the machine's other load held the rate down.
per_server_s() {
  awk -v s="$(cut -d' ' -f1 "$work/$1.cpu")" '/requests in/ { printf "%.0f", $1 / s }' \
    "$work/$1.txt"
}
wrk_cpu() { awk -v d="$DURATION" '{ printf "%.0f%%", 100 * $2 / d }' "$work/$1.cpu"; }
server_cpu() { awk -v d="$DURATION" '{ printf "%.0f%%", 100 * $1 / d }' "$work/$1.cpu"; }

start_fourdollar "$work/fourdollar"
for i in $(seq "$SEED_POSTS"); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"title\":\"Post $i of the benchmark\",\"body\":\"Some text for post $i.\"}" "$url/"
done

# nginx serves the exact gzip bytes fourdollar sends for GET /, with gzip_static.
mkdir -p "$work/www"
curl -sf -H 'Accept-Encoding: gzip' -D "$work/headers.txt" "$url/" -o "$work/www/index.html.gz"
grep -qi '^Content-Encoding: gzip' "$work/headers.txt" || die "fourdollar sent no gzip copy"
gzip -dc "$work/www/index.html.gz" >"$work/www/index.html"
chmod 644 "$work/www/"*
etag=$(awk 'tolower($1) == "etag:" { print $2 }' "$work/headers.txt" | tr -d '\r')
nginx_port=$(free_port)
start_nginx "$work/www" "$nginx_port" "gzip_static on;"
cmp -s <(curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$nginx_port/") \
  "$work/www/index.html.gz" || die "nginx does not serve the gzip copy"

curl -sf -H 'Accept-Encoding: gzip' -D "$work/nginx_headers.txt" -o /dev/null \
  "http://127.0.0.1:$nginx_port/"
nginx_etag=$(awk 'tolower($1) == "etag:" { print $2 }' "$work/nginx_headers.txt" | tr -d '\r')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' \
  -H "If-None-Match: $nginx_etag" "http://127.0.0.1:$nginx_port/")" = 304 ] ||
  die "nginx did not answer its own ETag ($nginx_etag) with 304"

run_wrk nginx_gzip "$nginx_pid" "http://127.0.0.1:$nginx_port/" 'Accept-Encoding: gzip'
run_wrk nginx_revalidate "$nginx_pid" "http://127.0.0.1:$nginx_port/" 'Accept-Encoding: gzip' \
  "If-None-Match: $nginx_etag"
kill -TERM "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""
run_wrk gzip "$server_pid" "$url/" 'Accept-Encoding: gzip'
run_wrk revalidate "$server_pid" "$url/" 'Accept-Encoding: gzip' "If-None-Match: $etag"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' \
  -H "If-None-Match: $etag" "$url/")" = 304 ] || die "the revalidation did not answer 304"

page_bytes=$(stat -c %s "$work/www/index.html")
gzip_bytes=$(stat -c %s "$work/www/index.html.gz")
echo "GET / ($page_bytes bytes, $gzip_bytes gzip), $CONNECTIONS connections, ${DURATION} s each."
echo "requests/s; requests per CPU-second of the server; the server's and wrk's CPU use:"
line() {  # line LABEL RUN: one run's figures
  printf '  %-20s %8s req/s  %8s req/server-s  server %4s  wrk %4s\n' "$1" "$(rps "$2")" \
    "$(per_server_s "$2")" "$(server_cpu "$2")" "$(wrk_cpu "$2")"
}
line "nginx gzip_static" nginx_gzip
line "nginx 304" nginx_revalidate
line "fourdollar gzip" gzip
line "fourdollar 304" revalidate
echo "fourdollar gzip vs nginx: $(ratio "$(rps gzip)" "$(rps nginx_gzip)")x requests/s," \
  "$(ratio "$(per_server_s gzip)" "$(per_server_s nginx_gzip)")x per server CPU-second"
echo "304 vs a full GET /:      $(ratio "$(rps revalidate)" "$(rps gzip)")x requests/s," \
  "$(ratio "$(per_server_s revalidate)" "$(per_server_s gzip)")x per server CPU-second"
echo "nginx's 304 vs its GET /:  $(ratio "$(rps nginx_revalidate)" "$(rps nginx_gzip)")x requests/s," \
  "$(ratio "$(per_server_s nginx_revalidate)" "$(per_server_s nginx_gzip)")x per server CPU-second"
