#!/usr/bin/env bash
# The server's cost per request under the seed scenario's mix, in one run: `fourdollar serve`
# (SQLite, synchronous=FULL, one loop thread) on SERVER_CPU, `fourdollar load` on LOAD_CPU
# (taskset). Not a test: it prints numbers. Every figure is requests (or posts) per second of
# the server's CPU (user + system, all its threads, read from /proc before and after each run).
#   1. plain GET /, closed model, 50 VUs: the reference;
#   2. the seed flows (10% post, then follow the 303 to GET /; 90% GET / then GET /ID), closed
#      model, 50 VUs;
#   3. the seed flows at capacity as weighted: open model, at most 50 VUs, offered 5/4 of the
#      closed run's iterations per second, so that every VU is always busy and the iterations
#      that start are the flows' 10%/90% (in the closed model the 5 writers iterate more slowly
#      than the readers, waiting for their commits, and post in about 3% of the requests rather
#      than 5%): its iterations per second are the capacity of the runs below;
#   4. the seed flows, open model at 80% of that capacity;
#   5. where that run's cost comes from: the seed's readers' flow alone (GET / then GET /ID, no
#      posts) at the same iterations per second, and the plain GET at 80% of its own capacity:
#      what arriving one by one costs, and what the posts add to it;
#   6. light load: the seed flows and the plain GET, open model at half of their capacity (the
#      seed flows' figure compared with the run at capacity as weighted, the same mix);
#   7. durable writes: 5 VUs that only post (no redirect followed), each post committed with
#      synchronous=FULL before its 303.
# Each row also shows the upper quartile of the run's seconds' requests per server CPU-second
# ("p75 of s", from the generator's per-second record of the server's CPU: the figure a slowed
# host moves least), how busy the server's core was over the run, and the generator's busiest
# second (from its summary.json): a figure taken while the generator neared a whole core, or an
# open-model run that dropped iterations (said below the table), measured the generator's
# limit as much as the server's cost.
#
# A line gives the CPU the server's writer thread (sqlite-writer) spent per post stored in each
# seed run and in the durable writes: the commits' share of a post's cost; the next, the times
# it slept per commit (each a context switch, and a wake-up that preempts the loop thread when
# they share a core). Another gives what a
# post costs the server in all at 80% (the seed flows' CPU per iteration less the readers'
# flow's at the same rate, per post stored) and what it could cost for the open run to make
# 0.75x GET /'s requests per server CPU-second. And one the SQLite checkpoints of each seed run
# (how many, their mean time), beside the p50, p95 and p99 of a post's answer.
#
#   flock /tmp/fourdollar-bench.lock bash bench/mix.sh        # 10 s per run
#   ROUNDS=3 DURATION=6 flock /tmp/fourdollar-bench.lock bash bench/mix.sh
#       three rounds of every run, one after the other, then each ratio's median over the rounds
#   DURATION=20 POSTS=300 flock /tmp/fourdollar-bench.lock bash bench/mix.sh
#   SYSCALLS=1 ... bash bench/mix.sh    also the server's system calls per request (perf stat)
#   OPEN_MAX_VUS=60 ... bash bench/mix.sh
#       the open runs with at most 60 VUs in flight instead of 500: a host's stall then drops
#       iterations rather than piling up hundreds of connections (docs/benchmarks.md, "Pile-ups
#       near capacity"), so the run at 80% measures 80% rather than a pile-up
#   SERVER_WRAPPER=eatmydata ... bash bench/mix.sh
#       the server with every sync made a no-op (bench/lib.sh): what the durable commits cost
#   LOAD_CPU=1-3 LOAD_THREADS=3 ... bash bench/mix.sh
#       the generator on three cores, for a machine that has them: on two, a seed request costs
#       the generator about what it costs the server, so the open model at 80% of the closed
#       capacity asks more of the generator's one core than it has (the `load CPU` column)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
POSTS=${POSTS:-300}
ROUNDS=${ROUNDS:-1}
LOAD_THREADS=${LOAD_THREADS:-1}
OPEN_MAX_VUS=${OPEN_MAX_VUS:-500}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools wrk curl taskset
[ "${SYSCALLS:-0}" = 1 ] && require_tools perf
require_whole DURATION
require_whole POSTS
require_whole ROUNDS
require_whole LOAD_THREADS
require_whole OPEN_MAX_VUS
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
# The /proc folder of the server's thread that commits posts (named sqlite-writer); empty when
# no thread has that name.
writer_task() {
  local tid
  tid=$(server_thread sqlite-writer)
  if [ -n "$tid" ]; then echo "/proc/$server_pid/task/$tid"; fi
}
# That thread's CPU time so far, in seconds, and the times it slept so far (its voluntary
# context switches: waiting for posts, for the disk); empty without it.
writer_cpu() {
  local task
  task=$(writer_task)
  [ -n "$task" ] && awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "$task/stat"
}
writer_sleeps() {
  local task
  task=$(writer_task)
  [ -n "$task" ] && awk '/^voluntary_ctxt_switches/ { print $2 }' "$task/status"
}
posts_stored() { metric fourdollar_posts_stored_total | cut -d. -f1; }
load_failed() { sed -nE 's/^ *failures \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
# The run's dropped iterations (open model) and the generator's busiest second, from its
# summary.json: a run whose generator neared a whole core measured the generator as much as
# the server.
load_dropped() { summary_number "$1" dropped_iterations; }
load_generator_cpu() { summary_number "$1" generator_cpu_max; }
summary_number() {
  sed -nE "s/.*\"$2\": *([0-9.]+).*/\1/p" "$work/r-$1/summary.json" | head -1 |
    awk '{ printf "%.0f", $1 }'
}

# run LABEL SCENARIO: runs the scenario on LOAD_CPU; sets cpu[LABEL] (server CPU-seconds used),
# per_commit[LABEL] (writes per write transaction, from /metrics; "-" without writes),
# connections[LABEL] (connections the server accepted during the run), posted[LABEL] (posts
# stored during the run), writer_us[LABEL] (the writer thread's CPU per post stored, in
# microseconds; "-" without posts or without a thread named sqlite-writer), writer_sleeps[LABEL]
# (the times that thread slept per commit, "-" likewise) and
# checkpoints[LABEL] (the SQLite checkpoints of the run and their mean time, "-" for a build
# without that metric).
declare -A cpu per_commit connections posted writer_us writer_sleeps checkpoints
checkpoint_figures() {
  curl -sf "$url/metrics" | awk '$1 == "fourdollar_sqlite_checkpoint_seconds_count" { n = $2 }
    $1 == "fourdollar_sqlite_checkpoint_seconds_sum" { s = $2 } END { print n, s }'
}
run() {
  local label=$1 scenario=$2 before after writes commits accepted stored writer_before
  local sleeps_before checkpoints_before
  checkpoints_before=$(checkpoint_figures)
  accepted=$(metric fourdollar_http_connections_total)
  stored=$(posts_stored)
  writes=$(metric fourdollar_write_batch_size_sum)
  commits=$(metric fourdollar_write_batch_size_count)
  local perf_pid=""
  if [ "${SYSCALLS:-0}" = 1 ]; then
    perf stat -x, -o "$work/$label.perf" -e "$syscall_events" -p "$server_pid" &
    perf_pid=$!
  fi
  writer_before=$(writer_cpu)
  sleeps_before=$(writer_sleeps)
  before=$(server_cpu)
  FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$scenario" \
    --target "$url" --threads "$LOAD_THREADS" --watch-pid "$server_pid" --out "$work/r-$label" \
    >"$work/$label.out" 2>&1 ||
    [ $? -eq 99 ] || die "$label failed: $(tail -5 "$work/$label.out")"
  after=$(server_cpu)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
  fi
  cpu[$label]=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.3f", b - a }')
  writes=$(awk -v a="$writes" -v b="$(metric fourdollar_write_batch_size_sum)" \
    'BEGIN { print b - a }')
  commits=$(awk -v a="$commits" -v b="$(metric fourdollar_write_batch_size_count)" \
    'BEGIN { print b - a }')
  per_commit[$label]=$(awk -v w="$writes" -v c="$commits" \
    'BEGIN { if (c > 0) printf "%.2f", w / c; else print "-" }')
  connections[$label]=$(awk -v a="$accepted" -v b="$(metric fourdollar_http_connections_total)" \
    'BEGIN { print b - a }')
  posted[$label]=$(($(posts_stored) - stored))
  writer_us[$label]=$(awk -v a="$writer_before" -v b="$(writer_cpu)" -v n="${posted[$label]}" \
    'BEGIN { if (a != "" && n > 0) printf "%.0f", (b - a) / n * 1e6; else print "-" }')
  writer_sleeps[$label]=$(awk -v a="$sleeps_before" -v b="$(writer_sleeps)" -v c="$commits" \
    'BEGIN { if (a != "" && c > 0) printf "%.1f", (b - a) / c; else print "-" }')
  checkpoints[$label]=$(echo "$checkpoints_before $(checkpoint_figures)" | awk 'NF < 4 { print "-" }
    NF == 4 { n = $3 - $1; if (n > 0) printf "%d, %.1f ms", n, ($4 - $2) / n * 1000; else print 0 }')
}

# SYSCALLS=1: the server's system calls during each run, counted by perf stat (all threads).
syscall_events=context-switches
for call in epoll_pwait2 epoll_wait recvfrom sendto pread64 fcntl pwrite64 fdatasync futex; do
  syscall_events+=",syscalls:sys_enter_$call"
done
# calls LABEL CALL...: how many of these system calls the server made during run LABEL, per
# request of that run.
calls() {
  local label=$1
  shift
  awk -F, -v n="$(load_requests "$label")" -v want=" $* " '
    { event = $3; sub(/^syscalls:sys_enter_/, "", event) }
    index(want, " " event " ") > 0 && $1 ~ /^[0-9]+$/ { sum += $1 }
    END { printf "%.3f", (n > 0 ? sum / n : 0) }' "$work/$label.perf"
}
syscall_row() {  # syscall_row LABEL TEXT
  printf '%-46s %8s %8s %8s %10s %12s %8s %8s\n' "$2" "$(calls "$1" recvfrom)" \
    "$(calls "$1" sendto)" "$(calls "$1" epoll_pwait2 epoll_wait)" "$(calls "$1" pread64 fcntl)" \
    "$(calls "$1" pwrite64 fdatasync)" "$(calls "$1" futex)" "$(calls "$1" context-switches)"
}

# The seed scenario's readers' flow alone under another execution block ($1: YAML lines; see
# lib.sh's seed_with).
readers_with() {
  printf '%s\nscenarios:\n' "$1"
  sed -n '/^  readers:/,/^thresholds:/p' scenarios/seed.yaml | sed '$d'
}
seed_with "vus: 50
duration: ${DURATION}s" >"$work/seed_closed.yaml"
get_with "vus: 50
duration: ${DURATION}s" >"$work/get_closed.yaml"
posting_scenario "$work/posts.yaml" 5 "$DURATION"
# open_yaml RATE FILE SCENARIO [MAX_VUS]: the flows of SCENARIO (seed, readers or get) started
# at RATE per second, by at most MAX_VUS (OPEN_MAX_VUS) VUs at once.
open_yaml() {
  local arrival="arrival: {rate: $1, duration: ${DURATION}s, max_vus: ${4:-$OPEN_MAX_VUS}}"
  if [ "$3" = seed ]; then
    seed_with "$arrival"
  elif [ "$3" = readers ]; then
    readers_with "$arrival"
  else
    get_with "$arrival"
  fi >"$2"
}
run_per_cpu() { quotient "$(load_requests "$1")" "${cpu[$1]}"; }
# busy_percent LABEL: how busy the server's CPU was over run LABEL, in percent of one CPU.
busy_percent() { awk -v c="${cpu[$1]}" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * c / d }'; }
# post_cost SEED READERS GET: what a post costs the server beyond a reader's iteration, from two
# runs at the same iterations per second (the seed flows, and the readers' flow alone), in
# microseconds of server CPU per post stored: post_us[extra]; and what the seed flows could
# spend per post and still make 0.75x GET requests per server CPU-second (GET /'s figure):
# post_us[budget].
declare -A post_us
post_cost() {
  read -r "post_us[extra]" "post_us[budget]" < <(awk -v sc="${cpu[$1]}" \
    -v si="$(load_iterations "$1")" -v sr="$(load_requests "$1")" -v posts="${posted[$1]}" \
    -v rc="${cpu[$2]}" -v ri="$(load_iterations "$2")" -v get="$3" 'BEGIN {
      if (si <= 0 || ri <= 0 || posts <= 0 || get <= 0) { print "- -"; exit }
      reader = rc / ri  # CPU-seconds per reader iteration
      allowed = sr / si / (0.75 * get)  # per seed iteration, at 0.75x
      printf "%.0f %.0f\n", (sc / si - reader) * si / posts * 1e6,
        (allowed - reader) * si / posts * 1e6
    }')
}
# post_times LABEL: what a post's answer waited for in run LABEL (its commit, shared by the posts
# the writer gathered): the generator's p50, p95 and p99 of "create post", the POST before its
# 303 is followed.
post_times() {
  awk '$1 == "create" && $2 == "post" && $3 ~ /^[0-9]+$/ { printf "%s / %s / %s ms", $7, $9, $10 }' \
    "$work/$1.out"
}
# per_cpu_p75 LABEL: the upper quartile of the run's whole seconds' requests per server
# CPU-second (seconds.csv: requests, and the server's CPU that second through --watch-pid).
# The host of a shared VM slows a guest for seconds at a time, and a slowed second only ever
# reads lower (the generator falls behind, the server idles between requests, or its own work
# takes longer): the upper quartile is the figure least moved by that, where the whole run's
# figure moves with every slow second in it.
per_cpu_p75() {
  awk -F, -v d="$DURATION" 'NR > 1 && $3 == "*" && $1 < d && $14 > 0 { print $6 / ($14 / 100) }' \
    "$work/r-$1/seconds.csv" | quantile 0.75 | awk '{ printf "%.0f", $1 }'
}
median() { tr ' ' '\n' | quantile 0.5; }

echo "bench: server on CPU $SERVER_CPU, generator ($LOAD_THREADS thread(s)) on CPU $LOAD_CPU," \
  "${DURATION} s per run," \
  "$ROUNDS round(s), SQLite synchronous=FULL${SERVER_WRAPPER:+ through $SERVER_WRAPPER}," \
  "$POSTS posts to start, open runs with at most $OPEN_MAX_VUS VUs"
declare -A ratios
for round in $(seq "$ROUNDS"); do
  r=$round
  run "get_closed$r" "$work/get_closed.yaml"
  run "seed_closed$r" "$work/seed_closed.yaml"
  closed_capacity=$(quotient "$(load_iterations "seed_closed$r")" "$DURATION")
  offered=$((closed_capacity * 5 / 4))
  open_yaml "$offered" "$work/seed_full.yaml" seed 50
  run "seed_full$r" "$work/seed_full.yaml"
  capacity=$(quotient "$(load_iterations "seed_full$r")" "$DURATION")
  get_capacity=$(quotient "$(load_iterations "get_closed$r")" "$DURATION")
  open_yaml "$((capacity * 8 / 10))" "$work/seed_open80.yaml" seed
  open_yaml "$((capacity * 8 / 10))" "$work/readers_open80.yaml" readers
  open_yaml "$((get_capacity * 8 / 10))" "$work/get_open80.yaml" get
  open_yaml "$((capacity / 2))" "$work/seed_open50.yaml" seed
  open_yaml "$((get_capacity / 2))" "$work/get_open50.yaml" get
  run "seed_open80$r" "$work/seed_open80.yaml"
  run "readers_open80$r" "$work/readers_open80.yaml"
  run "get_open80$r" "$work/get_open80.yaml"
  run "seed_open50$r" "$work/seed_open50.yaml"
  run "get_open50$r" "$work/get_open50.yaml"
  run "posts$r" "$work/posts.yaml"
  posts=${posted[posts$r]}

  get=$(run_per_cpu "get_closed$r")
  [ "$ROUNDS" -eq 1 ] || echo "round $r of $ROUNDS:"
  # "posts": the share of the run's requests that stored a post. The seed flows' figure is only
  # comparable between runs and builds that post as much: a server whose posts got slower would
  # get fewer of them from the closed model's writers, and look cheaper per request.
  get_p75=$(per_cpu_p75 "get_closed$r")
  printf '%-46s %10s %10s %7s %9s %10s %8s %10s %8s %7s %12s %11s %9s\n' run requests \
    "server CPU" "(busy)" "failed" "req/CPU-s" "vs GET" "p75 of s" "vs GET" "posts" \
    "posts/commit" "connections" "load CPU"
  row() {  # row LABEL TEXT
    local figure busy share p75
    figure=$(run_per_cpu "$1")
    p75=$(per_cpu_p75 "$1")
    busy=$(busy_percent "$1")
    share=$(awk -v p="${posted[$1]}" -v n="$(load_requests "$1")" \
      'BEGIN { if (n > 0) printf "%.1f", 100 * p / n; else print 0 }')
    printf '%-46s %10s %9ss %6s%% %9s %10s %8s %10s %8s %6s%% %12s %11s %8s%%\n' "$2" \
      "$(load_requests "$1")" "${cpu[$1]}" "$busy" \
      "$(load_failed "$1")" "$figure" "$(ratio "$figure" "$get")" "$p75" \
      "$(ratio "$p75" "$get_p75")" "$share" "${per_commit[$1]}" \
      "${connections[$1]}" "$(load_generator_cpu "$1")"
  }
  row "get_closed$r" "GET /, closed, 50 VUs"
  row "seed_closed$r" "seed flows, closed, 50 VUs ($closed_capacity it/s)"
  row "seed_full$r" "seed flows, as weighted, 50 VUs ($capacity it/s)"
  row "seed_open80$r" "seed flows, open, $((capacity * 8 / 10)) it/s (80%)"
  row "readers_open80$r" "  readers' flow alone, open, the same it/s"
  row "get_open80$r" "  GET /, open, $((get_capacity * 8 / 10)) it/s (80%)"
  row "seed_open50$r" "seed flows, open, $((capacity / 2)) it/s (50%)"
  row "get_open50$r" "GET /, open, $((get_capacity / 2)) it/s (50%)"
  for label in "seed_open80$r" "readers_open80$r" "get_open80$r" "seed_open50$r" "get_open50$r"; do
    dropped=$(load_dropped "$label")
    [ "${dropped:-0}" -gt 0 ] && echo "$label: $dropped iterations dropped (every VU busy):" \
      "the run fell behind its rate"
  done
  echo "posts answered (p50 / p95 / p99): closed $(post_times "seed_closed$r"), as weighted" \
    "$(post_times "seed_full$r"), open 80% $(post_times "seed_open80$r"), open 50%" \
    "$(post_times "seed_open50$r")"
  echo "SQLite checkpoints (count, mean): closed ${checkpoints[seed_closed$r]}, as weighted" \
    "${checkpoints[seed_full$r]}, open 80% ${checkpoints[seed_open80$r]}, open 50%" \
    "${checkpoints[seed_open50$r]}, durable writes ${checkpoints[posts$r]}"
  echo "the writer's CPU per post (µs): closed ${writer_us[seed_closed$r]}, as weighted" \
    "${writer_us[seed_full$r]}, open 80% ${writer_us[seed_open80$r]}, open 50%" \
    "${writer_us[seed_open50$r]}, durable writes ${writer_us[posts$r]}"
  echo "the writer's sleeps per commit: closed ${writer_sleeps[seed_closed$r]}, as weighted" \
    "${writer_sleeps[seed_full$r]}, open 80% ${writer_sleeps[seed_open80$r]}, open 50%" \
    "${writer_sleeps[seed_open50$r]}, durable writes ${writer_sleeps[posts$r]}"
  post_cost "seed_open80$r" "readers_open80$r" "$get"
  echo "a post at 80%: ${post_us[extra]} µs of server CPU beyond a reader's iteration (the" \
    "writer's ${writer_us[seed_open80$r]} of it); 0.75x GET /'s requests per CPU-second leaves" \
    "${post_us[budget]} µs"
  not_started=$(load_dropped "seed_full$r")
  full_busy=$(busy_percent "seed_full$r")
  if [ "${not_started:-0}" -gt 0 ] && [ "$full_busy" -lt 90 ]; then
    # Every VU was waiting, but not for the server's CPU: for slow commits (a post holds its VU
    # until the disk has it) or a stalled host. 80% and 50% of that are not of the capacity.
    echo "seed_full$r: offered $offered it/s, $not_started iterations not started, yet the" \
      "server was only $full_busy% busy: its VUs waited for something other than its CPU (slow" \
      "commits, a stalled host), and this round's open runs ran at fractions of less than its" \
      "capacity"
  elif [ "${not_started:-0}" -gt 0 ]; then
    echo "seed_full$r: offered $offered it/s, $not_started iterations not started (every VU" \
      "busy: the run was at capacity, as meant)"
  else
    echo "seed_full$r: every iteration offered ($offered it/s) started: the run may not have" \
      "reached capacity, and the open runs' rates are fractions of less than it"
  fi
  echo "light load: seed flows at 50% $(ratio "$(run_per_cpu "seed_open50$r")" \
    "$(run_per_cpu "seed_full$r")")x their figure at capacity as weighted (the same mix)," \
    "$(ratio "$(run_per_cpu "seed_open50$r")" "$(run_per_cpu "seed_closed$r")")x the closed one;" \
    "GET / at 50% $(ratio "$(run_per_cpu "get_open50$r")" "$get")x"
  echo "durable writes, 5 VUs posting: $posts posts in ${cpu[posts$r]} server CPU-s:" \
    "$(quotient "$posts" "${cpu[posts$r]}") posts per server CPU-second, ${per_commit[posts$r]} per commit"
  if [ "${SYSCALLS:-0}" = 1 ]; then
    echo "the server's system calls per request (all threads):"
    printf '%-46s %8s %8s %8s %10s %12s %8s %8s\n' run recv send wait "pread+fcntl" \
      "pwrite+sync" futex switches
    syscall_row "get_closed$r" "GET /, closed"
    syscall_row "seed_closed$r" "seed flows, closed"
    syscall_row "seed_full$r" "seed flows, as weighted"
    syscall_row "seed_open80$r" "seed flows, open 80%"
    syscall_row "readers_open80$r" "  readers' flow alone, same it/s"
    syscall_row "get_open80$r" "  GET /, open 80%"
    syscall_row "seed_open50$r" "seed flows, open 50%"
    syscall_row "get_open50$r" "GET /, open 50%"
    syscall_row "posts$r" "durable posts (per post)"
  fi
  ratios[closed]+=" $(ratio "$(run_per_cpu "seed_closed$r")" "$get")"
  ratios[open80]+=" $(ratio "$(run_per_cpu "seed_open80$r")" "$get")"
  ratios[readers80]+=" $(ratio "$(run_per_cpu "readers_open80$r")" "$get")"
  ratios[get80]+=" $(ratio "$(run_per_cpu "get_open80$r")" "$get")"
  ratios[seed50]+=" $(ratio "$(run_per_cpu "seed_open50$r")" "$(run_per_cpu "seed_full$r")")"
  ratios[seed50c]+=" $(ratio "$(run_per_cpu "seed_open50$r")" "$(run_per_cpu "seed_closed$r")")"
  ratios[get50]+=" $(ratio "$(run_per_cpu "get_open50$r")" "$get")"
  ratios[durable]+=" $(quotient "$posts" "${cpu[posts$r]}")"
  ratios[post_extra]+=" ${post_us[extra]}"
  ratios[post_budget]+=" ${post_us[budget]}"
  ratios[closed_p75]+=" $(ratio "$(per_cpu_p75 "seed_closed$r")" "$get_p75")"
  ratios[open80_p75]+=" $(ratio "$(per_cpu_p75 "seed_open80$r")" "$get_p75")"
  ratios[seed50_p75]+=" $(ratio "$(per_cpu_p75 "seed_open50$r")" "$(per_cpu_p75 "seed_full$r")")"
  ratios[get50_p75]+=" $(ratio "$(per_cpu_p75 "get_open50$r")" "$get_p75")"
done
if [ "$ROUNDS" -gt 1 ]; then
  # Each round's ratios come from runs a minute apart; the median of the rounds is the figure
  # least moved by a neighbour's burst on a shared machine.
  echo "median of $ROUNDS rounds (each round's figures in brackets):"
  for key in closed open80 readers80 get80 seed50 seed50c get50 durable post_extra post_budget \
    closed_p75 open80_p75 seed50_p75 get50_p75; do
    case $key in
      closed) text="seed flows closed vs GET / closed" ;;
      open80) text="seed flows open at 80% vs GET / closed" ;;
      readers80) text="  readers' flow alone at that rate" ;;
      get80) text="  GET / open at 80%" ;;
      seed50) text="seed flows at 50% vs at capacity as weighted" ;;
      seed50c) text="seed flows at 50% vs their closed figure" ;;
      get50) text="GET / at 50% vs GET / closed" ;;
      durable) text="durable posts per server CPU-second" ;;
      post_extra) text="a post at 80%, µs beyond a reader's iteration" ;;
      post_budget) text="  what 0.75x GET / leaves it, µs" ;;
      closed_p75) text="the same, upper quartile of seconds: closed" ;;
      open80_p75) text="  seed flows open at 80% vs GET / closed" ;;
      seed50_p75) text="  seed flows at 50% vs at capacity as weighted" ;;
      get50_p75) text="  GET / at 50% vs GET / closed" ;;
    esac
    printf '  %-44s %8s  [%s ]\n' "$text" "$(median <<<"${ratios[$key]# }")" "${ratios[$key]}"
  done
fi
