#!/usr/bin/env bash
# What sleeping costs a thread on this machine: the same work (copying and reading 4 KiB at a
# random place of a 512 KiB buffer, 400 times: some tens of microseconds) done in bursts back to
# back, after a sleep of PAUSE_US before each, and after as long a wait spent spinning. For each:
# the work's time per burst (the clock read around it); after a sleep also the thread's CPU
# beyond the work (CLOCK_THREAD_CPUTIME_ID): the sleep's system call, the switch out and back in.
# A loop that sleeps between bursts of requests (a light load) pays both on every wake-up; the
# spin tells a core left idle (its caches and its clock given to others) apart from the cost of
# sleeping itself.
# Not a test: it prints numbers.
#   bash bench/wake_cost.sh
#   PAUSE_US=200 BURSTS=5000 bash bench/wake_cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PAUSE_US=${PAUSE_US:-500}
BURSTS=${BURSTS:-2000}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools cc taskset
require_whole PAUSE_US
require_whole BURSTS
start_work wake
cat >"$work/wake_cost.c" <<'C'
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// mode: 0 back to back, 1 sleep pause_us between bursts, 2 spin pause_us between bursts.
int main(int argc, char** argv) {
  const int mode = atoi(argv[1]), pause_us = atoi(argv[2]), bursts = atoi(argv[3]);
  const int units = 400;
  const size_t size = 512 << 10, unit = 4096;
  uint8_t* from = malloc(size);
  uint8_t* to = malloc(size);
  for (size_t i = 0; i < size; ++i) from[i] = (uint8_t)(i * 7);
  memset(to, 0, size);
  uint64_t state = 1, sum = 0;
  int64_t work_ns = 0;
  const int64_t cpu_start = now(CLOCK_THREAD_CPUTIME_ID);
  for (int b = 0; b < bursts; ++b) {
    const int64_t start = now(CLOCK_MONOTONIC);
    for (int u = 0; u < units; ++u) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const size_t at = (state >> 33) % (size - unit);
      memcpy(to + at, from + (at * 3) % (size - unit), unit);
      for (size_t i = 0; i < unit; i += 64) sum = sum * 31 + to[at + i];
    }
    work_ns += now(CLOCK_MONOTONIC) - start;
    if (mode == 1) {
      struct timespec pause = {0, pause_us * 1000L};
      nanosleep(&pause, NULL);
    } else if (mode == 2) {
      const int64_t until = now(CLOCK_MONOTONIC) + pause_us * 1000L;
      while (now(CLOCK_MONOTONIC) < until) {
      }
    }
  }
  const int64_t cpu_ns = now(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  // Per burst: the work, then the thread's CPU beyond it (a spin's is the wait itself).
  printf("%.1f %.1f %llu\n", work_ns / 1e3 / bursts, (cpu_ns - work_ns) / 1e3 / bursts,
         (unsigned long long)(sum & 1));
  return 0;
}
C
cc -O2 -o "$work/wake_cost" "$work/wake_cost.c"
echo "bench: $BURSTS bursts of the same work on CPU $SERVER_CPU, pauses of $PAUSE_US µs"
read -r back _ _ < <(taskset -c "$SERVER_CPU" "$work/wake_cost" 0 "$PAUSE_US" "$BURSTS")
read -r slept beyond _ < <(taskset -c "$SERVER_CPU" "$work/wake_cost" 1 "$PAUSE_US" "$BURSTS")
read -r spun _ _ < <(taskset -c "$SERVER_CPU" "$work/wake_cost" 2 "$PAUSE_US" "$BURSTS")
echo "work per burst, back to back:  $back µs"
echo "work per burst, after a sleep: $slept µs ($(ratio "$slept" "$back")x), and $beyond µs more CPU" \
  "(the sleep's system call and the switches)"
echo "work per burst, after a spin:  $spun µs ($(ratio "$spun" "$back")x)"
awk -v a="$back" -v s="$slept" -v b="$beyond" 'BEGIN {
  printf "a sleep and wake-up costs the thread %.1f µs of CPU, %.0f%% of a burst back to back\n",
    s - a + b, 100 * (s - a + b) / a }'
