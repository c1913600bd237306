#!/usr/bin/env bash
# Benchmark of the memory an idle HTTPS connection costs the server: `fourdollar serve
# --tls-cert` and nginx (same certificate, ECDSA P-256, TLS 1.3), each holding CONNECTIONS
# keep-alive connections that made one request and then wait. `fourdollar load` opens them
# (a ramp of VUs that each GET / once and then think longer than the hold). Not a test:
# it prints numbers.
#
#   flock /tmp/fourdollar-bench.lock bash bench/tls_idle.sh
#
# Prints, per server: resident memory before and while holding the connections, the connections
# it counted open, and the difference per connection in KB. Settings (environment): CONNECTIONS
# (default 10000), RAMP (s, 10), HOLD (s, 10), SERVER_CPU (0), LOAD_CPU (1), FOURDOLLAR
# (default build/src/cli/fourdollar). Requires: nginx, curl, openssl, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-10000}
RAMP=${RAMP:-10}
HOLD=${HOLD:-10}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
require_tools curl openssl taskset nginx
require_fourdollar
# Each end holds CONNECTIONS descriptors; the servers and the generator inherit this limit.
ulimit -n $((CONNECTIONS + 256)) || die "cannot raise the descriptor limit to $((CONNECTIONS + 256))"
start_work bench-tls-idle

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

cat >"$work/idle.yaml" <<YAML
tls: {ca: $work/cert.pem}
stages:
  - {duration: ${RAMP}s, target: $CONNECTIONS}
  - {duration: $((HOLD + 2))s, target: $CONNECTIONS}
scenarios:
  idle:
    flow:
      - get: /
        think: 1h
YAML

# hold LABEL PID URL OPEN_COMMAND: runs the load against URL, samples the server's memory while
# it holds the connections, and prints a row. OPEN_COMMAND prints the connections the server has open.
hold() {
  local label=$1 pid=$2 target=$3 open_command=$4 before during open
  before=$(rss_kb "$pid")
  taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/idle.yaml" --target "$target" \
    --out "$work/$label" >"$work/$label.out" 2>&1 &
  local load_pid=$!
  # Sampled once every connection is open (a loaded machine ramps late), or half-way through
  # the hold.
  sleep "$RAMP"
  local until=$((SECONDS + HOLD / 2))
  open=$($open_command)
  while [ "$open" -lt "$CONNECTIONS" ] && [ "$SECONDS" -lt "$until" ]; do
    sleep 0.5
    open=$($open_command)
  done
  during=$(rss_kb "$pid")
  open=$($open_command)
  wait "$load_pid" || die "$label: fourdollar load failed: $(tail -5 "$work/$label.out")"
  awk -v l="$label" -v b="$before" -v d="$during" -v o="$open" 'BEGIN {
    printf "%-10s %12d %12d %10d %10.1f\n", l, b, d, o, (o > 0 ? (d - b) / o : 0) }'
}

# fourdollar over HTTPS, one loop thread, pinned; room for every connection.
mkdir -p "$work/fd" "$work/www"
taskset -c "$SERVER_CPU" "$FOURDOLLAR" serve --listen 127.0.0.1:0 --db "sqlite:$work/fd/blog.db" \
  --threads 1 --max-connections $((CONNECTIONS + 100)) --idle-timeout-ms 3600000 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
  --ready-file "$work/fd/ready.json" 2>"$work/fd/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -e "$work/fd/ready.json" ] && break; sleep 0.1; done
[ -e "$work/fd/ready.json" ] || die "fourdollar did not start: $(cat "$work/fd/server.log")"
url=$(ready_field "$work/fd/ready.json" url)
curl -sfk "$url/" -o "$work/www/index.html"
chmod -R a+rX "$work/www"

fourdollar_open() {
  curl -sfk "$url/metrics" | awk '$1 == "fourdollar_http_open_connections" { print $2 - 1 }'
}
nginx_open() {  # what the kernel holds established on nginx's port
  ss -Htn state established "( sport = :${nginx_url##*:} )" | wc -l
}

echo "# $CONNECTIONS idle HTTPS connections (TLS 1.3, ECDSA P-256); memory in KB"
printf "%-10s %12s %12s %10s %10s\n" server rss_before rss_holding open kb_per_conn
hold fourdollar "$server_pid" "$url" fourdollar_open
kill -TERM "$server_pid" || true
wait "$server_pid" || true
server_pid=""

NGINX_WORKER_CONNECTIONS=$((CONNECTIONS + 100)) NGINX_TLS_CERT=$work/cert.pem \
  NGINX_TLS_KEY=$work/key.pem start_nginx "$work/www" "$(free_port)"
hold nginx "$nginx_pid" "$nginx_url" nginx_open
