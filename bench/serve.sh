#!/usr/bin/env bash
# Benchmark of `fourdollar serve` against nginx serving the same bytes, in one run, with the
# server on CPU 0 and wrk on CPU 1 (taskset). Not a test: it prints numbers.
#
#   bash bench/serve.sh                 # 10 s per measurement
#   DURATION=30 bash bench/serve.sh     # longer runs
#
# Settings (environment): DURATION (s, default 10), CONNECTIONS (64), P99_CONNECTIONS (50),
# SEED_POSTS (1000), MEMORY_POSTS (100000), SERVER_CPU (0), WRK_CPU (1),
# FOURDOLLAR (path of the binary, default build/src/cli/fourdollar; built when missing).
# Requires: nginx-light, wrk, curl, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
P99_CONNECTIONS=${P99_CONNECTIONS:-50}
SEED_POSTS=${SEED_POSTS:-1000}
MEMORY_POSTS=${MEMORY_POSTS:-100000}
WRK_CPU=${WRK_CPU:-1}

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
require_tools wrk curl taskset nginx
require_whole DURATION
cpus=$(nproc --all)
if [ "$SERVER_CPU" -ge "$cpus" ] || [ "$WRK_CPU" -ge "$cpus" ]; then
  die "needs CPUs $SERVER_CPU and $WRK_CPU; this machine has $cpus"
fi
if [ ! -x "$FOURDOLLAR" ]; then
  bash scripts/build.sh >/dev/null
fi

start_work bench




# run_wrk LABEL CONNECTIONS URL [LUA]: runs wrk on WRK_CPU; keeps its output in $work/LABEL.txt.
run_wrk() {
  local label=$1 connections=$2 target=$3 script=${4:-}
  local args=(-t1 "-c$connections" "-d${DURATION}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  taskset -c "$WRK_CPU" wrk "${args[@]}" "$target" >"$work/$label.txt"
  grep -q '^Requests/sec' "$work/$label.txt" || die "wrk $label failed: $(cat "$work/$label.txt")"
  if grep -q 'Non-2xx or 3xx responses' "$work/$label.txt"; then
    die "wrk $label got error responses: $(cat "$work/$label.txt")"
  fi
}
rps() { awk '/^Requests\/sec/ { print $2 }' "$work/$1.txt"; }
p99() { awk '$1 == "99%" { print $2 }' "$work/$1.txt"; }

# Seeds COUNT more posts through POST / (one wrk thread on 8 connections, stopping after COUNT
# responses). wrk runs to its duration even when its threads stop, so it is ended once
# /metrics shows the posts stored (at most 10 minutes).
seed_posts() {
  local count=$1
  [ "$count" -gt 0 ] || return 0
  local target=$(($(metric_int fourdollar_posts_stored_total) + count))
  FOURDOLLAR_TOKEN=$token POST_LIMIT=$count taskset -c "$WRK_CPU" \
    wrk -t1 -c8 -d600s -s bench/post.lua "$url/" >"$work/seed.txt" &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    [ "$(metric_int fourdollar_posts_stored_total)" -ge "$target" ] && break
    sleep 0.2
  done
  kill "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  [ "$(metric_int fourdollar_posts_stored_total)" -ge "$target" ] ||
    die "seeding stopped below $target posts: $(cat "$work/seed.txt")"
}
metric_int() { local value; value=$(metric "$1"); echo "${value%.*}"; }

echo "bench: fourdollar $("$FOURDOLLAR" --version 2>/dev/null || echo '(no --version)')," \
  "server on CPU $SERVER_CPU, wrk on CPU $WRK_CPU, ${DURATION} s per run"

start_fourdollar "$work/fourdollar"
seed_posts "$SEED_POSTS"
seeded=$(metric fourdollar_posts_stored_total)
max_id=$(curl -sf "$url/" | grep -oE 'href="/[0-9]+"' | head -1 | grep -oE '[0-9]+')
[ -n "$max_id" ] || die "no post link on GET / after seeding"
min_id=$((max_id - SEED_POSTS + 1))
[ "$min_id" -ge 1 ] || min_id=1

# nginx serves the exact bytes of fourdollar's GET /.
mkdir -p "$work/www" "$work/nginx"
curl -sf "$url/" -o "$work/www/index.html"
chmod 644 "$work/www/index.html"
nginx_port=$(free_port)
start_nginx "$work/www" "$nginx_port"
cmp -s <(curl -sf "http://127.0.0.1:$nginx_port/") "$work/www/index.html" ||
  die "nginx does not serve the saved page"

run_wrk nginx_list "$CONNECTIONS" "http://127.0.0.1:$nginx_port/"
run_wrk nginx_list_p99 "$P99_CONNECTIONS" "http://127.0.0.1:$nginx_port/"
kill -TERM "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

run_wrk list "$CONNECTIONS" "$url/"
run_wrk list_p99 "$P99_CONNECTIONS" "$url/"
POST_ID_MIN=$min_id POST_ID_MAX=$max_id run_wrk post "$CONNECTIONS" "$url/" bench/get_post.lua
stored_before=$(metric fourdollar_posts_stored_total)
start_ns=$(date +%s%N)
FOURDOLLAR_TOKEN=$token run_wrk create "$CONNECTIONS" "$url/" bench/post.lua
elapsed_ns=$(($(date +%s%N) - start_ns))
stored_after=$(metric fourdollar_posts_stored_total)

seed_posts $((MEMORY_POSTS - $(metric_int fourdollar_posts_stored_total)))
posts_now=$(metric fourdollar_posts_stored_total)
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status")
hwm_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$server_pid/status")

nginx_rps=$(rps nginx_list)
echo
echo "seeded posts:                 ${seeded%.*} (ids $min_id..$max_id for GET /<id>)"
printf '%-30s %12s %10s %12s\n' "run" "requests/s" "vs nginx" "p99"
printf '%-30s %12s %10s %12s\n' "nginx GET / (${CONNECTIONS}c)" "$nginx_rps" "1.00" "$(p99 nginx_list)"
printf '%-30s %12s %10s %12s\n' "nginx GET / (${P99_CONNECTIONS}c)" "$(rps nginx_list_p99)" "" \
  "$(p99 nginx_list_p99)"
printf '%-30s %12s %10s %12s\n' "fourdollar GET / (${CONNECTIONS}c)" "$(rps list)" \
  "$(ratio "$(rps list)" "$nginx_rps")" "$(p99 list)"
printf '%-30s %12s %10s %12s\n' "fourdollar GET / (${P99_CONNECTIONS}c)" "$(rps list_p99)" \
  "$(ratio "$(rps list_p99)" "$(rps nginx_list_p99)")" "$(p99 list_p99)"
printf '%-30s %12s %10s %12s\n' "fourdollar GET /<id> (${CONNECTIONS}c)" "$(rps post)" \
  "$(ratio "$(rps post)" "$nginx_rps")" "$(p99 post)"
printf '%-30s %12s %10s %12s\n' "fourdollar POST / (${CONNECTIONS}c)" "$(rps create)" "" \
  "$(p99 create)"
awk -v n="$((${stored_after%.*} - ${stored_before%.*}))" -v ns="$elapsed_ns" \
  'BEGIN { printf "acknowledged posts/s:         %.0f (posts_stored_total delta / wall time)\n", n / (ns / 1e9) }'
echo "resident memory:              $((rss_kb / 1024)) MiB now, $((hwm_kb / 1024)) MiB peak," \
  "with ${posts_now%.*} posts stored"
