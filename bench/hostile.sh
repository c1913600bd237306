#!/usr/bin/env bash
# Hostile clients against `fourdollar serve` while a steady normal load runs. Not a test: it
# prints numbers. The server runs on CPU 0 (one loop thread, default limits); `fourdollar load`
# drives the readers of scenarios/seed.yaml at a constant arrival rate (open model) on CPU 1,
# watching the server's process and scraping its /metrics. First the normal load alone (the
# baseline), then the same load beside each kind of hostile client (tests/hostile, also on
# CPU 1 but at nice 19), which starts 2 s before the load and stops 2 s after it. For each case: the normal
# load's p99 against the baseline's, its requests against the server's count of them, its
# failures, the server's resident memory (start, peak, after), whether it survived, and the posts
# stored meanwhile (none: the hostile clients have no write token).
#
#   flock /tmp/fourdollar-bench.lock bash bench/hostile.sh
#   DURATION=30 RATE=400 flock /tmp/fourdollar-bench.lock bash bench/hostile.sh
#
# Settings (environment): DURATION (s of normal load per case, default 15), RATE (iterations/s
# of the readers flow, two requests each, default 200), CASES (default "slow-drip idle flood
# pipeline half reset"), SERVER_CPU (0), LOAD_CPU (1), FOURDOLLAR (build/src/cli/fourdollar),
# HOSTILE (build/tests/fourdollar-hostile). Both are built when missing. Requires curl, jq,
# taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DURATION=${DURATION:-15}
RATE=${RATE:-200}
CASES=${CASES:-slow-drip idle flood pipeline half reset}
HOSTILE=${HOSTILE:-$root/build/tests/fourdollar-hostile}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools curl jq taskset
require_whole DURATION
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || die "RATE must be a whole number of iterations/s, got '$RATE'"
cpus=$(nproc --all)
if [ "$SERVER_CPU" -ge "$cpus" ] || [ "$LOAD_CPU" -ge "$cpus" ]; then
  die "needs CPUs $SERVER_CPU and $LOAD_CPU; this machine has $cpus"
fi
if [ ! -x "$FOURDOLLAR" ] || [ ! -x "$HOSTILE" ]; then bash scripts/build.sh >/dev/null; fi

start_work hostile
hostile_pid=""
sampler_pid=""
stop_all() {
  [ -n "$hostile_pid" ] && kill "$hostile_pid" 2>/dev/null
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  cleanup
}
trap stop_all EXIT

start_fourdollar "$work/server"

# 200 posts for the list and post pages to show.
cat >"$work/seed.yaml" <<YAML
arrival: {rate: 100, duration: 2s, max_vus: 50}
scenarios:
  writers:
    flow:
      - post: /
        headers: {Authorization: "Bearer \${FOURDOLLAR_WRITE_TOKEN}"}
        json: {title: "\${random.words(3,8)}", body: "\${random.text(200,2000)}"}
        check: {status: 200}
YAML
FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/seed.yaml" \
  --target "$url" --out "$work/seed" >"$work/seed.out" 2>&1 || die "seeding failed: $(tail -5 "$work/seed.out")"

# The readers of scenarios/seed.yaml at a constant rate, far below the server's capacity.
cat >"$work/normal.yaml" <<YAML
arrival: {rate: $RATE, duration: ${DURATION}s, max_vus: 1000}
timeout: 10s
scenarios:
  readers:
    flow:
      - get: /
        name: list
        capture: {regex: 'href="/(\d+)"', pick: random, as: post_id}
        check: {status: 200}
      - get: /\${post_id}
        name: open post
        check: {status: 200}
YAML

server_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null || echo 0; }
alive() { kill -0 "$server_pid" 2>/dev/null && curl -sf -m 5 -o /dev/null "$url/healthz"; }
# Requests the server answered on the routes of the normal load (the hostile clients use others).
normal_count() {
  curl -sf -m 5 "$url/metrics" |
    awk '/^fourdollar_http_requests_total\{/ && /route="(list|post)"/ { s += $2 } END { printf "%d", s }'
}
metric_int() { local value; value=$(metric "$1"); echo "${value%.*}"; }
open_connections() { metric_int fourdollar_http_open_connections; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# run_case NAME: the normal load, beside hostile clients of mode NAME unless NAME is baseline.
# Leaves "p99_ms requests failed counted rss_start peak rss_after survived posts_stored" in
# $work/NAME.row.
run_case() {
  local name=$1 before rss_start posts_before
  before=$(normal_count)
  posts_before=$(metric_int fourdollar_posts_stored_total)
  rss_start=$(server_rss_kb)
  echo "$rss_start" >"$work/$name.peak"
  (
    peak=$rss_start
    while :; do
      r=$(server_rss_kb)
      [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/$name.peak"
      sleep 0.2
    done
  ) &
  sampler_pid=$!
  if [ "$name" != baseline ]; then
    # At the lowest priority: it takes whatever CPU the generator leaves, so the generator's
    # own timing stays out of the figures, and the server still meets all it can send. Without
    # the write token, as a stranger: its posts are refused (401) before their bodies are read.
    nice -n 19 taskset -c "$LOAD_CPU" "$HOSTILE" --target "${url#http://}" --mode "$name" \
      --duration-ms $(((DURATION + 4) * 1000)) >"$work/$name.hostile" 2>&1 &
    hostile_pid=$!
    sleep 2
  fi
  local load_status=0
  taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/normal.yaml" --target "$url" --out "$work/$name" \
    --watch-pid "$server_pid" --scrape "$url/metrics" >"$work/$name.out" 2>&1 || load_status=$?
  if [ -n "$hostile_pid" ]; then
    wait "$hostile_pid" || echo "bench: the hostile clients of $name failed: $(cat "$work/$name.hostile")" >&2
    hostile_pid=""
  fi
  [ "$load_status" -eq 0 ] || echo "bench: fourdollar load exited with $load_status in $name" >&2
  # After: the hostile connections closed, then up to 10 s for memory to come back within
  # 4 MiB of the start (the server trims at most once a second).
  local survived=yes rss_after
  for _ in $(seq 100); do
    alive || { survived=no; break; }
    [ "$(open_connections)" -le 1 ] && [ "$(server_rss_kb)" -le $((rss_start + 4096)) ] && break
    sleep 0.1
  done
  alive || survived=no
  rss_after=$(server_rss_kb)
  kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  local counted summary=$work/$name/summary.json
  counted=$(($(normal_count) - before))
  [ -f "$summary" ] || die "$name: no results ($(tail -5 "$work/$name.out"))"
  echo "$(jq -r '.totals.duration_ms.p99' "$summary") $(jq -r '.totals.requests' "$summary")" \
    "$(jq -r '.totals.failed' "$summary") $counted $rss_start $(cat "$work/$name.peak") $rss_after" \
    "$survived $(($(metric_int fourdollar_posts_stored_total) - posts_before))" >"$work/$name.row"
}

echo "bench: fourdollar serve on CPU $SERVER_CPU (1 loop thread, default limits)," \
  "normal load $RATE iterations/s (2 requests each) for ${DURATION} s on CPU $LOAD_CPU," \
  "hostile clients on CPU $LOAD_CPU at nice 19"
run_case baseline
for name in $CASES; do
  run_case "$name"
  alive || break
done

read -r base_p99 _ <"$work/baseline.row"
printf '%-10s %9s %8s %9s %9s %8s %26s %8s %7s\n' case "p99 ms" "vs base" requests counted failed \
  "RSS MB start/peak/after" survived posts
for name in baseline $CASES; do
  [ -f "$work/$name.row" ] || continue
  read -r p99 requests failed counted start peak after survived posts <"$work/$name.row"
  printf '%-10s %9.2f %7.2fx %9d %9d %8d %26s %8s %7d\n' "$name" "$p99" \
    "$(awk -v a="$p99" -v b="$base_p99" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$requests" \
    "$counted" "$failed" "$(mb "$start") / $(mb "$peak") / $(mb "$after")" "$survived" "$posts"
done
echo "hostile clients (what each did):"
for name in $CASES; do
  [ -f "$work/$name.hostile" ] && echo "  $(cat "$work/$name.hostile")"
done
echo "server: $(curl -sf "$url/metrics" | grep -E '^fourdollar_http_(refused|evicted|timed_out)_connections_total' |
  tr '\n' ' ')"
