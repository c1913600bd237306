#!/usr/bin/env bash
# epoll against io_uring (--io-backend), in one run: requests per CPU-second of the server
# (SERVER_CPU) and of the generator (LOAD_CPU), pinned with taskset. Not a test: it prints numbers.
#   1. nginx, then fourdollar serve on each backend (SQLite, 200 posts), GET / under wrk -t1 with
#      CONNECTIONS kept-alive connections, and with a new connection per request
#      (Connection: close). The server's CPU is read from /proc over each wrk run.
#   2. `fourdollar load`, 50 VUs, GET /, on each backend against the epoll server; its CPU from
#      GNU time, with wrk's as the reference.
# Run it alone, as every benchmark:
#   flock /tmp/fourdollar-bench.lock bash bench/io_backend.sh      # 10 s per run
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset nginx
require_whole DURATION
require_fourdollar
start_work iobench

# server_run LABEL PID URL [wrk flags...]: wrk on LOAD_CPU; "requests cpu_seconds" of PID in
# $work/LABEL.server.
server_run() {
  local label=$1 pid=$2 target=$3
  shift 3
  local before after
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 "-c$CONNECTIONS" "-d${DURATION}s" "$@" "$target" >"$work/$label.out"
  after=$(cpu_ticks "$pid")
  grep -q 'Non-2xx or 3xx\|Socket errors' "$work/$label.out" &&
    echo "bench: warning: $label: $(grep 'Non-2xx\|Socket errors' "$work/$label.out")" >&2
  echo "$(wrk_requests "$label") $(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
    >"$work/$label.server"
}
server_per_cpu() {
  local requests seconds
  read -r requests seconds <"$work/$1.server"
  per_cpu "$requests" "$seconds"
}

stop_fourdollar() {
  kill -TERM "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -f "$work/fourdollar/ready.json"
}

# The store, and the page nginx serves: the bytes of fourdollar's GET /.
start_fourdollar "$work/fourdollar"
seed_posts 200
mkdir -p "$work/www"
curl -sf "$url/" -o "$work/www/index.html"
chmod 644 "$work/www/index.html"
stop_fourdollar
start_nginx "$work/www" "$(free_port)"
server_run nginx_keep "$nginx_pid" "$nginx_url/"
server_run nginx_close "$nginx_pid" "$nginx_url/" -H "Connection: close"
kill -TERM "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

for backend in epoll io_uring; do
  IO_BACKEND=$backend start_fourdollar "$work/fourdollar"
  grep -q "io backend: $backend" "$work/fourdollar/server.log" ||
    die "the server did not run on $backend: $(cat "$work/fourdollar/server.log")"
  server_run "keep_$backend" "$server_pid" "$url/"
  server_run "close_$backend" "$server_pid" "$url/" -H "Connection: close"
  if [ "$backend" = epoll ]; then
    printf 'vus: 50\nduration: %ss\nscenarios:\n  get:\n    flow:\n      - get: /\n' "$DURATION" \
      >"$work/get.yaml"
    measure gen_wrk wrk -t1 -c50 "-d${DURATION}s" "$url/"
    for generator in epoll io_uring; do
      measure "gen_$generator" "$FOURDOLLAR" load "$work/get.yaml" --target "$url" \
        --io-backend "$generator" --out "$work/r-$generator"
    done
  fi
  stop_fourdollar
done

echo "bench: server on CPU $SERVER_CPU, wrk and the generator on CPU $LOAD_CPU, ${DURATION} s per run"
printf '%-52s %10s %7s %10s %9s\n' run requests "CPU-s" "req/CPU-s" "vs epoll"
srow() {
  printf '%-52s %10s %7s %10s %9s\n' "$1" "$(awk '{ print $1 }' "$work/$2.server")" \
    "$(awk '{ print $2 }' "$work/$2.server")" "$(server_per_cpu "$2")" "$3"
}
for mode in keep close; do
  what=$([ "$mode" = keep ] && echo "kept alive" || echo "new connection per request")
  srow "server: nginx, GET /, $what" "nginx_$mode" ""
  srow "server: epoll, GET /, $what" "${mode}_epoll" 1.00
  srow "server: io_uring, GET /, $what" "${mode}_io_uring" \
    "$(ratio "$(server_per_cpu "${mode}_io_uring")" "$(server_per_cpu "${mode}_epoll")")"
done
w=$(per_cpu "$(wrk_requests gen_wrk)" "$(cpu_seconds gen_wrk)")
ge=$(per_cpu "$(load_requests gen_epoll)" "$(cpu_seconds gen_epoll)")
gu=$(per_cpu "$(load_requests gen_io_uring)" "$(cpu_seconds gen_io_uring)")
printf '%-52s %10s %7s %10s %9s\n' "generator: wrk -t1 -c50, GET /" "$(wrk_requests gen_wrk)" \
  "$(cpu_seconds gen_wrk)" "$w" ""
printf '%-52s %10s %7s %10s %9s\n' "generator: load on epoll, 50 VUs, GET /" \
  "$(load_requests gen_epoll)" "$(cpu_seconds gen_epoll)" "$ge" 1.00
printf '%-52s %10s %7s %10s %9s\n' "generator: load on io_uring, 50 VUs, GET /" \
  "$(load_requests gen_io_uring)" "$(cpu_seconds gen_io_uring)" "$gu" "$(ratio "$gu" "$ge")"
