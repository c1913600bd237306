#!/usr/bin/env bash
# Where the server's writer thread sleeps, and what each commit asks of the kernel: `fourdollar
# serve` (SQLite, synchronous=FULL, one loop thread, 300 posts) on SERVER_CPU, the seed flows in
# the closed model (50 VUs) from `fourdollar load` on LOAD_CPU (taskset), `perf` attached to the
# thread named sqlite-writer for the run. Not a test: it prints numbers.
#   - its sleeps per commit by cause, from the kernel stack of each switch away from it
#     (`perf record -e sched:sched_switch -g`): waiting for posts (futex), the WAL's pages
#     written (fdatasync's writeback), the disk's cache flush (fdatasync's flush), the inode's
#     block (ext4 without a journal writes it when the file's times changed), preempted (still
#     runnable), other;
#   - its system calls per commit (`perf stat`);
#   - the switches of the loop thread in the same run, the voluntary ones (its own waits) and the
#     others (preempted, mostly by the writer waking on the same CPU).
# Each sleep and wake-up costs 25 to 27 µs of a thread's CPU on the VM measured
# (bench/wake_cost.sh), and each wake of the writer on the loop's CPU preempts the loop.
#
#   flock /tmp/fourdollar-bench.lock bash bench/writer_sleeps.sh
#   MODE=posts ... bash bench/writer_sleeps.sh    5 VUs that only post (bench/mix.sh's durable writes)
#
# Settings (environment): DURATION (s, 4), MODE (seed or posts).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-4}
MODE=${MODE:-seed}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools perf curl taskset wrk
require_whole DURATION
[ "$MODE" = seed ] || [ "$MODE" = posts ] || die "MODE must be seed or posts, got '$MODE'"
require_fourdollar

start_work writersleeps
start_fourdollar "$work/fourdollar"
seed_posts 300
if [ "$MODE" = seed ]; then
  seed_with "vus: 50
duration: ${DURATION}s" >"$work/scenario.yaml"
else
  posting_scenario "$work/scenario.yaml" 5 "$DURATION"
fi

# switches TID: "voluntary nonvoluntary" context switches of that thread so far.
switches() {
  awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 }
    END { print v, n }' "/proc/$server_pid/task/$1/status"
}
writer=$(server_thread sqlite-writer)
loop=$(server_thread serve-loop-0)
if [ -z "$writer" ] || [ -z "$loop" ]; then
  die "the server has no thread named sqlite-writer or serve-loop-0"
fi
commits_before=$(metric fourdollar_write_batch_size_count)
posts_before=$(metric fourdollar_write_batch_size_sum)
loop_before=$(switches "$loop")
calls=""
for call in futex fdatasync pwrite64 pread64 fcntl write; do
  calls+="${calls:+,}syscalls:sys_enter_$call"
done
perf record -q -e sched:sched_switch -g -t "$writer" -o "$work/switches.data" \
  -- sleep "$DURATION" >/dev/null 2>&1 &
record_pid=$!
perf stat -x, -e "$calls" -t "$writer" -o "$work/calls.csv" -- sleep "$DURATION" &
stat_pid=$!
FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/scenario.yaml" \
  --target "$url" --out "$work/results" >"$work/load.out" 2>&1 || [ $? -eq 99 ] ||
  die "the load failed: $(tail -5 "$work/load.out")"
wait "$record_pid" "$stat_pid" || die "perf failed (needs root or kernel.perf_event_paranoid <= 1)"
loop_after=$(switches "$loop")
commits=$(awk -v a="$commits_before" -v b="$(metric fourdollar_write_batch_size_count)" \
  'BEGIN { print b - a }')
posts=$(awk -v a="$posts_before" -v b="$(metric fourdollar_write_batch_size_sum)" \
  'BEGIN { print b - a }')
[ "$commits" -gt 0 ] || die "no commit during the run"

echo "bench: $MODE, ${DURATION} s; server on CPU $SERVER_CPU, generator on CPU $LOAD_CPU;" \
  "$(load_requests load) requests, $posts posts in $commits commits" \
  "($(quotient "$posts" "$commits" | awk '{ printf "%.2f", $1 }') per commit; perf's window" \
  "may miss the run's last moments)"
echo "the writer's switches per commit, by cause (its kernel stack when it left the CPU):"
# One event per paragraph: the header (prev_state=S or D: asleep; R: preempted), then its stack.
perf script -i "$work/switches.data" 2>/dev/null | awk -v commits="$commits" '
  function done_event() {
    if (!open) return
    if (state == "R") cause = "preempted (still runnable)"
    else if (stack ~ /blkdev_issue_flush/) cause = "the disk cache flush (fdatasync)"
    else if (stack ~ /ext4_write_inode|__sync_dirty_buffer|bit_wait_io/) cause = "the inode block (fdatasync)"
    else if (stack ~ /folio_wait_writeback|__filemap_fdatawait_range/) \
      cause = "the WAL pages written (fdatasync)"
    else if (stack ~ /futex/) cause = "waiting for posts (futex)"
    else cause = "other: " top
    count[cause]++
    total++
    open = 0
  }
  / sched:sched_switch: / {
    done_event()
    open = 1
    stack = ""
    top = ""
    state = $0
    sub(/.*prev_state=/, "", state)
    sub(/ .*/, "", state)
    next
  }
  open && NF >= 2 {
    stack = stack " " $2
    if (top == "" && $2 !~ /^(__schedule|schedule|io_schedule|schedule_timeout)/) top = $2
  }
  END {
    done_event()
    for (cause in count) printf "  %6d  %5.2f per commit  %5.1f%%  %s\n", count[cause],
      count[cause] / commits, 100 * count[cause] / total, cause
    printf "  %6d  %5.2f per commit  100.0%%  all\n", total, total / commits
  }' | sort -rn
echo "the writer's system calls per commit:"
awk -F, -v commits="$commits" '$1 ~ /^[0-9]+$/ {
    call = $3
    sub(/^syscalls:sys_enter_/, "", call)
    printf "  %-12s %6.2f\n", call, $1 / commits
  }' "$work/calls.csv"
echo "$loop_before $loop_after" | awk -v n="$(load_requests load)" '{
  v = $3 - $1; i = $4 - $2
  printf "the loop thread: %d voluntary switches (%.4f per request), %d preempted (%.4f per request)\n",
    v, v / n, i, i / n }'
