#!/usr/bin/env bash
# Benchmark of HTTPS: `fourdollar serve --tls-cert` against nginx serving the same bytes with the
# same certificate (ECDSA P-256, TLS 1.3 only), the servers on SERVER_CPU and the generators on
# LOAD_CPU (taskset), in one run. Not a test: it prints numbers.
#
#   flock /tmp/fourdollar-bench.lock bash bench/tls.sh
#
# Measures: keep-alive GET / with wrk (requests/s, requests per server CPU-second); a new
# connection per request with `fourdollar load` (connections: per-iteration, full handshakes,
# and per-iteration-resumed), as handshakes per server CPU-second; and the generators over
# HTTPS keep-alive, fourdollar load against wrk, as requests per generator CPU-second.
# Settings (environment): DURATION (s, default 10), CONNECTIONS (64), SERVER_CPU (0),
# LOAD_CPU (1), FOURDOLLAR (default build/src/cli/fourdollar). Requires: nginx, wrk, curl,
# openssl, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
require_tools wrk curl openssl taskset nginx
require_fourdollar
start_work bench-tls

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# fourdollar over HTTPS, one loop thread, pinned.
mkdir -p "$work/fd"
taskset -c "$SERVER_CPU" "$FOURDOLLAR" serve --listen 127.0.0.1:0 --db "sqlite:$work/fd/blog.db" \
  --threads 1 --open-writes --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
  --ready-file "$work/fd/ready.json" 2>"$work/fd/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -e "$work/fd/ready.json" ] && break; sleep 0.1; done
[ -e "$work/fd/ready.json" ] || die "fourdollar did not start: $(cat "$work/fd/server.log")"
fd_url=$(ready_field "$work/fd/ready.json" url)
mkdir -p "$work/www"
curl -sfk "$fd_url/" -o "$work/www/index.html"
chmod 644 "$work/www/index.html"

# nginx with the same certificate, TLS 1.3, tickets and a session cache.
NGINX_TLS_CERT=$work/cert.pem NGINX_TLS_KEY=$work/key.pem start_nginx "$work/www" "$(free_port)"
ng_url=$nginx_url
cmp -s <(curl -sfk "$ng_url/") "$work/www/index.html" || die "nginx does not serve the page"

# measure_server LABEL PID COMMAND...: runs COMMAND on LOAD_CPU; records the server's CPU seconds
# and the command's own (user + system) in $work/LABEL.cpu as "SERVER_S LOAD_S".
measure_server() {
  local label=$1 pid=$2
  shift 2
  local before after
  before=$(cpu_ticks "$pid")
  local TIMEFORMAT='%U %S'
  { time taskset -c "$LOAD_CPU" "$@" >"$work/$label.out" 2>&1; } 2>"$work/$label.time"
  after=$(cpu_ticks "$pid")
  awk -v s=$((after - before)) -v hz="$hz" '{ printf "%.3f %.3f\n", s / hz, $1 + $2 }' \
    "$work/$label.time" >"$work/$label.cpu"
}
server_s() { cut -d' ' -f1 "$work/$1.cpu"; }
load_s() { cut -d' ' -f2 "$work/$1.cpu"; }
summary_requests() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["requests"])' \
    "$work/$1/summary.json"
}
load_handshakes() {
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]["tls_handshakes"]; print(t[sys.argv[2]])' \
    "$work/$1/summary.json" "$2"
}
scenario() {  # scenario CONNECTIONS VUS
  printf 'vus: %s\nduration: %ss\ntls: {insecure: true}\nconnections: %s\nscenarios:\n  home:\n    flow:\n      - get: /\n' \
    "$2" "$DURATION" "$1" >"$work/$1.yaml"
}
per() { quotient "$1" "$2" n/a; }

echo "bench: HTTPS, ECDSA P-256, TLS 1.3; servers on CPU $SERVER_CPU, generators on CPU $LOAD_CPU, ${DURATION} s per run"

# 1. keep-alive GET / with wrk.
for who in nginx fourdollar; do
  pid=$nginx_pid; u=$ng_url
  [ $who = fourdollar ] && pid=$server_pid && u=$fd_url
  measure_server "ka_$who" "$pid" wrk -t1 "-c$CONNECTIONS" "-d${DURATION}s" "$u/"
done
for who in nginx fourdollar; do
  n=$(wrk_requests "ka_$who")
  printf '%-44s %10s req/s %10s req per server CPU-s\n' "keep-alive GET / ($who, wrk)" \
    "$(per "$n" "$DURATION")" "$(per "$n" "$(server_s "ka_$who")")"
done
ka_rps=$(ratio "$(wrk_requests ka_fourdollar)" "$(wrk_requests ka_nginx)")
ka_cpu=$(ratio "$(per "$(wrk_requests ka_fourdollar)" "$(server_s ka_fourdollar)")" \
  "$(per "$(wrk_requests ka_nginx)" "$(server_s ka_nginx)")")
echo "  fourdollar / nginx: requests/s ${ka_rps}x, requests per server CPU-second ${ka_cpu}x"

# 2. a new connection per request: full handshakes, then resumed ones.
for mode in per-iteration per-iteration-resumed; do
  scenario "$mode" 16
  for who in nginx fourdollar; do
    pid=$nginx_pid; u=$ng_url
    [ $who = fourdollar ] && pid=$server_pid && u=$fd_url
    measure_server "${mode}_$who" "$pid" "$FOURDOLLAR" load "$work/$mode.yaml" --target "$u" \
      --out "$work/${mode}_$who"
    n=$(summary_requests "${mode}_$who")
    printf '%-44s %10s handshakes/s %8s per server CPU-s (full %s, resumed %s)\n' \
      "$mode ($who)" "$(per "$n" "$DURATION")" "$(per "$n" "$(server_s "${mode}_$who")")" \
      "$(load_handshakes "${mode}_$who" full)" "$(load_handshakes "${mode}_$who" resumed)"
  done
done
full_fd=$(per "$(summary_requests per-iteration_fourdollar)" "$(server_s per-iteration_fourdollar)")
full_ng=$(per "$(summary_requests per-iteration_nginx)" "$(server_s per-iteration_nginx)")
res_fd=$(per "$(summary_requests per-iteration-resumed_fourdollar)" "$(server_s per-iteration-resumed_fourdollar)")
echo "  full handshakes per server CPU-second, fourdollar / nginx: $(ratio "$full_fd" "$full_ng")x;" \
  "fourdollar resumed / full: $(ratio "$res_fd" "$full_fd")x"
echo "  generator, full handshakes per generator CPU-second: $(per "$(summary_requests per-iteration_nginx)" "$(load_s per-iteration_nginx)") (against nginx)"

# 3. the generators over HTTPS keep-alive against nginx.
scenario keep-alive "$CONNECTIONS"
measure_server gen_fourdollar "$nginx_pid" "$FOURDOLLAR" load "$work/keep-alive.yaml" --target "$ng_url" \
  --out "$work/gen_fourdollar"
measure_server gen_wrk "$nginx_pid" wrk -t1 "-c$CONNECTIONS" "-d${DURATION}s" "$ng_url/"
gen_fd=$(per "$(summary_requests gen_fourdollar)" "$(load_s gen_fourdollar)")
gen_wrk=$(per "$(wrk_requests gen_wrk)" "$(load_s gen_wrk)")
echo "generator keep-alive HTTPS, requests per generator CPU-second: fourdollar load $gen_fd," \
  "wrk $gen_wrk: $(ratio "$gen_fd" "$gen_wrk")x"
